# SPDX-License-Identifier: GPL-2.0
# libqsock's Table 1 benchmark (test/bench/lib-bench.sh sets up the namespaces).
LIB_BENCH := $(BUILD)/test/bench/lib_bench
TEST_BINS += $(LIB_BENCH)
BENCHES += test/bench/lib-bench.sh

$(BUILD)/test/bench/lib_bench.o: CFLAGS += -I$(CURDIR)/lib $(LIB_NL_CFLAGS)
$(LIB_BENCH): $(BUILD)/test/bench/lib_bench.o $(LIB_A)
	$(quiet) LINK $@
	$(Q)$(CC) $(LDFLAGS) -o $@ $< $(LIB_A) $(LIB_LIBS)
