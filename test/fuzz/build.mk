# test/fuzz: libFuzzer harnesses (clang -fsanitize=fuzzer,address,undefined, libclang-rt-14-dev).
# A short fixed-count run is a unit-test entry of `make check`; the long run (30,000,000, well over the 1,000,000 asked
# executions) is a `make bench` entry and `make fuzz`.
FUZZ_FLAGS := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wno-unused-parameter
FUZZ_PROTO := $(BUILD)/test/fuzz/fuzz_proto
FUZZ_SHORT_RUNS ?= 2000000
FUZZ_LONG_RUNS ?= 30000000

# The harness is built only where clang can link libFuzzer; elsewhere the short run skips.
FUZZ_OK := $(shell printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n);\nint LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return 0; }\n' | \
	$(CLANG) -fsanitize=fuzzer -x c - -o /dev/null 2>/dev/null && echo yes)
FUZZ_CONF := $(BUILD)/test/fuzz/fuzz_conf
# the loader is slower per input than the codec (libconfig's parser, NSS lookups of names)
FUZZ_CONF_SHORT_RUNS ?= 200000
FUZZ_CONF_LONG_RUNS ?= 3000000
# the message rules: many short inputs, each a compile and two runs
FUZZ_MSG := $(BUILD)/test/fuzz/fuzz_msg
FUZZ_MSG_SHORT_RUNS ?= 500000
FUZZ_MSG_LONG_RUNS ?= 10000000
ifeq ($(FUZZ_OK),yes)
TEST_BINS += $(FUZZ_PROTO) $(FUZZ_CONF) $(FUZZ_MSG)
endif

$(FUZZ_PROTO): test/fuzz/fuzz_proto.c proto/proto.c proto/proto.h include/uapi/linux/pkt_sch_dwcs.h
	$(quiet) FUZZ $@
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CLANG) $(FUZZ_FLAGS) -Iinclude -o $@ test/fuzz/fuzz_proto.c proto/proto.c

# The qsock.conf loader: the shim's rules and qsockd's policy, as any user may write them.
$(FUZZ_CONF): test/fuzz/fuzz_conf.c $(CONF_SRCS) $(wildcard conf/*.h)
	$(quiet) FUZZ $@
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CLANG) $(FUZZ_FLAGS) -Iinclude -o $@ test/fuzz/fuzz_conf.c $(CONF_SRCS) -lconfig -lm

# The message rules, compiled and interpreted, and the presets' detectors, on any payload.
$(FUZZ_MSG): test/fuzz/fuzz_msg.c $(CONF_SRCS) $(wildcard conf/*.h)
	$(quiet) FUZZ $@
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CLANG) $(FUZZ_FLAGS) -Iinclude -o $@ test/fuzz/fuzz_msg.c $(CONF_SRCS) -lconfig -lm

$(BUILD)/test/fuzz/fuzz_msg_short: test/fuzz/run-fuzz test/fuzz/build.mk
	$(Q)mkdir -p $(dir $@)
	$(Q)printf '#!/bin/sh\nexec "%s/test/fuzz/run-fuzz" "%s/$(FUZZ_MSG)" $(FUZZ_MSG_SHORT_RUNS) tap\n' \
		"$(CURDIR)" "$(CURDIR)" >$@ && chmod +x $@
UNIT_TESTS += $(BUILD)/test/fuzz/fuzz_msg_short
BENCHES += "test/fuzz/run-fuzz $(FUZZ_MSG) $(FUZZ_MSG_LONG_RUNS) bench"

$(BUILD)/test/fuzz/fuzz_conf_short: test/fuzz/run-fuzz test/fuzz/build.mk test/fuzz/libconfig.supp
	$(Q)mkdir -p $(dir $@)
	$(Q)printf '#!/bin/sh\nLSAN_OPTIONS=suppressions=%s/test/fuzz/libconfig.supp exec "%s/test/fuzz/run-fuzz" "%s/$(FUZZ_CONF)" $(FUZZ_CONF_SHORT_RUNS) tap\n' \
		"$(CURDIR)" "$(CURDIR)" "$(CURDIR)" >$@ && chmod +x $@
UNIT_TESTS += $(BUILD)/test/fuzz/fuzz_conf_short
BENCHES += "env LSAN_OPTIONS=suppressions=test/fuzz/libconfig.supp test/fuzz/run-fuzz $(FUZZ_CONF) $(FUZZ_CONF_LONG_RUNS) bench"

# The short run, as a unit-test entry (a generated wrapper script printing TAP).
$(BUILD)/test/fuzz/fuzz_proto_short: test/fuzz/run-fuzz test/fuzz/build.mk
	$(Q)mkdir -p $(dir $@)
	$(Q)printf '#!/bin/sh\nexec "%s/test/fuzz/run-fuzz" "%s/$(FUZZ_PROTO)" $(FUZZ_SHORT_RUNS) tap\n' \
		"$(CURDIR)" "$(CURDIR)" >$@ && chmod +x $@
UNIT_TESTS += $(BUILD)/test/fuzz/fuzz_proto_short
BENCHES += "test/fuzz/run-fuzz $(FUZZ_PROTO) $(FUZZ_LONG_RUNS) bench"

.PHONY: fuzz
fuzz: $(FUZZ_PROTO) $(FUZZ_CONF) $(FUZZ_MSG)
	$(Q)test/fuzz/run-fuzz $(FUZZ_PROTO) $(FUZZ_LONG_RUNS) bench
	$(Q)test/fuzz/run-fuzz $(FUZZ_MSG) $(FUZZ_MSG_LONG_RUNS) bench
	$(Q)LSAN_OPTIONS=suppressions=test/fuzz/libconfig.supp test/fuzz/run-fuzz $(FUZZ_CONF) \
		$(FUZZ_CONF_LONG_RUNS) bench
