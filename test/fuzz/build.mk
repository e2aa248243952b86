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
ifeq ($(FUZZ_OK),yes)
BINS += $(FUZZ_PROTO)
endif

$(FUZZ_PROTO): test/fuzz/fuzz_proto.c daemon/proto.c daemon/proto.h
	$(quiet) FUZZ $@
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CLANG) $(FUZZ_FLAGS) -o $@ test/fuzz/fuzz_proto.c daemon/proto.c

# The short run, as a unit-test entry (a generated wrapper script printing TAP).
$(BUILD)/test/fuzz/fuzz_proto_short: test/fuzz/run-fuzz test/fuzz/build.mk
	$(Q)mkdir -p $(dir $@)
	$(Q)printf '#!/bin/sh\nexec "%s/test/fuzz/run-fuzz" "%s/$(FUZZ_PROTO)" $(FUZZ_SHORT_RUNS) tap\n' \
		"$(CURDIR)" "$(CURDIR)" >$@ && chmod +x $@
UNIT_TESTS += $(BUILD)/test/fuzz/fuzz_proto_short
BENCHES += "test/fuzz/run-fuzz $(FUZZ_PROTO) $(FUZZ_LONG_RUNS) bench"

.PHONY: fuzz
fuzz: $(FUZZ_PROTO)
	$(Q)test/fuzz/run-fuzz $(FUZZ_PROTO) $(FUZZ_LONG_RUNS) bench
