# SPDX-License-Identifier: GPL-2.0
# libqsockshim's per-call overhead benchmark (see shim-bench.sh).
SHIM_BENCH := $(BUILD)/test/bench/shim-bench
TEST_BINS += $(SHIM_BENCH)
BENCHES += test/bench/shim-bench.sh

$(SHIM_BENCH): $(BUILD)/test/bench/shim-bench.o
	$(quiet) LINK $@
	$(Q)$(CC) $(LDFLAGS) -o $@ $< -lpthread -ldl
