# test/fuzz: libFuzzer harnesses (clang -fsanitize=fuzzer,address,undefined, libclang-rt-14-dev).
# Each has a short fixed-count run, a unit-test entry of `make check`, and a long run, a
# `make bench` entry and part of `make fuzz`.
FUZZ_FLAGS := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wno-unused-parameter

# The harnesses are built only where clang can link libFuzzer; elsewhere the short runs skip.
FUZZ_OK := $(shell printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n);\nint LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return 0; }\n' | \
	$(CLANG) -fsanitize=fuzzer -x c - -o /dev/null 2>/dev/null && echo yes)

# fuzz_target NAME,SOURCES,LIBS,SHORT_RUNS,LONG_RUNS[,ENV]: the harness build/test/fuzz/NAME
# from test/fuzz/NAME.c and SOURCES; its short run as build/test/fuzz/NAME_short (a generated
# wrapper printing TAP, run by check-unit) and its long run for bench and fuzz, both with the
# environment ENV.
define fuzz_target
FUZZ_HARNESSES += $(BUILD)/test/fuzz/$(1)
FUZZ_LONG += $(if $(6),env $(6) )test/fuzz/run-fuzz $(BUILD)/test/fuzz/$(1) $(5) bench;
$(BUILD)/test/fuzz/$(1): test/fuzz/$(1).c $(2) $(wildcard conf/*.h proto/*.h) include/uapi/linux/pkt_sch_dwcs.h
	$$(quiet) FUZZ $$@
	$(Q)mkdir -p $$(dir $$@)
	$(Q)$$(CLANG) $$(FUZZ_FLAGS) -Iinclude -o $$@ test/fuzz/$(1).c $(2) $(3)
$(BUILD)/test/fuzz/$(1)_short: test/fuzz/run-fuzz test/fuzz/build.mk
	$(Q)mkdir -p $$(dir $$@)
	$(Q)printf '#!/bin/sh\n%sexec "%s/test/fuzz/run-fuzz" "%s/$(BUILD)/test/fuzz/$(1)" $(4) tap\n' \
		"$(if $(6),$(6) )" "$$(CURDIR)" "$$(CURDIR)" >$$@ && chmod +x $$@
UNIT_TESTS += $(BUILD)/test/fuzz/$(1)_short
BENCHES += "$(if $(6),env $(6) )test/fuzz/run-fuzz $(BUILD)/test/fuzz/$(1) $(5) bench"
endef

# qsockd's request codec: fast per input, so many inputs (30,000,000 in the long run, well
# over the 1,000,000 asked).
$(eval $(call fuzz_target,fuzz_proto,proto/proto.c,,2000000,30000000))
# The qsock.conf loader: the shim's rules and qsockd's policy, as any user may write them;
# slower per input than the codec (libconfig's parser, NSS lookups of names).
$(eval $(call fuzz_target,fuzz_conf,$(CONF_SRCS),-lconfig -lm,200000,3000000,LSAN_OPTIONS=suppressions=$(CURDIR)/test/fuzz/libconfig.supp))
# The message rules, compiled and interpreted, and the presets' detectors, on any payload:
# each input a compile and two runs.
$(eval $(call fuzz_target,fuzz_msg,$(CONF_SRCS),-lconfig -lm,500000,10000000))

ifeq ($(FUZZ_OK),yes)
TEST_BINS += $(FUZZ_HARNESSES)
endif

.PHONY: fuzz
fuzz: $(FUZZ_HARNESSES)
	$(Q)set -e; $(FUZZ_LONG)
