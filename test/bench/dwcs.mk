# dwcs_core microbenchmark: cost per decision at 100 / 1,000 / 10,000 streams.
DWCS_BENCH := $(BUILD)/test/bench/dwcs_bench
TEST_BINS += $(DWCS_BENCH)
BENCHES += $(DWCS_BENCH)

$(DWCS_BENCH): $(BUILD)/test/bench/dwcs_bench.o $(BUILD)/kmod/dwcs_core.o $(BUILD)/kmod/dwcs_tree.o
	$(quiet) LINK $@
	$(Q)$(CC) $(LDFLAGS) -o $@ $^

# Scenario B's recorded frames through the core on a simulated link (issue #13; the file says why).
DWCS_REPLAY := $(BUILD)/test/bench/dwcs_replay
TEST_BINS += $(DWCS_REPLAY)

$(DWCS_REPLAY): $(BUILD)/test/bench/dwcs_replay.o $(BUILD)/kmod/dwcs_core.o \
		$(BUILD)/kmod/dwcs_tree.o $(BUILD)/test/apps/video-quality.o \
		$(BUILD)/test/apps/frame-oracle.o
	$(quiet) LINK $@
	$(Q)$(CC) $(LDFLAGS) -o $@ $^

# Before and after, side by side in one process: the core (kmod/, its headers and the test
# harness) of git revision DWCS_AB_BASE against the work tree's, each linked with the
# measurement of the work tree's dwcs_bench.c into one relocatable object whose only global
# symbol is its entry point, then alternated case by case (dwcs_bench.c, DWCS_BENCH_AB).
#   make dwcs-bench-ab DWCS_AB_BASE=HEAD~3 [DWCS_AB_ARGS='200000 21']
DWCS_AB_BASE ?= HEAD
DWCS_AB_ARGS ?=
DWCS_AB := $(BUILD)/test/bench/ab
.PHONY: dwcs-bench-ab
dwcs-bench-ab: $(DWCS_AB)/dwcs_bench_ab
	$(DWCS_AB)/dwcs_bench_ab $(DWCS_AB_ARGS)

# dwcs_ab_side NAME TREE: $(DWCS_AB)/NAME.o from the core, headers and harness in TREE
define dwcs_ab_side
	$(Q)mkdir -p $(DWCS_AB)/$(1) $(2)/test/bench
	$(Q)cp test/bench/dwcs_bench.c $(2)/test/bench/
	$(Q)$(CC) -I$(2)/include $(ALL_CFLAGS) -DDWCS_BENCH_ONE=dwcs_bench_$(1) \
		-c -o $(DWCS_AB)/$(1)/bench.o $(2)/test/bench/dwcs_bench.c
	$(Q)$(CC) -I$(2)/include $(ALL_CFLAGS) -c -o $(DWCS_AB)/$(1)/core.o $(2)/kmod/dwcs_core.c
	$(Q)$(CC) -I$(2)/include $(ALL_CFLAGS) -c -o $(DWCS_AB)/$(1)/tree.o $(2)/kmod/dwcs_tree.c
	$(Q)$(LD) -r -o $(DWCS_AB)/$(1).o $(DWCS_AB)/$(1)/bench.o $(DWCS_AB)/$(1)/core.o \
		$(DWCS_AB)/$(1)/tree.o
	$(Q)objcopy --keep-global-symbol=dwcs_bench_$(1) $(DWCS_AB)/$(1).o
endef

# Always rebuilt: the base is a revision name and the work tree may have changed.
.PHONY: $(DWCS_AB)/dwcs_bench_ab
$(DWCS_AB)/dwcs_bench_ab:
	$(quiet) AB "$(DWCS_AB_BASE) against the work tree"
	$(Q)rm -rf $(DWCS_AB) && mkdir -p $(DWCS_AB)/base-tree $(DWCS_AB)/work-tree
	$(Q)git archive $(DWCS_AB_BASE) kmod include test/unit | tar -x -C $(DWCS_AB)/base-tree
	$(Q)tar -c kmod include test/unit | tar -x -C $(DWCS_AB)/work-tree
	$(call dwcs_ab_side,base,$(DWCS_AB)/base-tree)
	$(call dwcs_ab_side,work,$(DWCS_AB)/work-tree)
	$(Q)$(CC) $(ALL_CFLAGS) -DDWCS_BENCH_AB -c -o $(DWCS_AB)/main.o test/bench/dwcs_bench.c
	$(Q)$(CC) $(LDFLAGS) -o $@ $(DWCS_AB)/main.o $(DWCS_AB)/base.o $(DWCS_AB)/work.o

# vm-flood's reference BPF qdisc (test/bench/bpf_fifo_ref.bpf.c): a FIFO built the way
# dwcs-bpf is, so that the flood tells the mechanism's cost from dwcs-bpf's own. It needs the
# clang dwcs-bpf needs (lib/build.mk CLANG_QDISC); without one the object is left empty and
# vm-flood leaves the reference out. (The choice is made in the recipe, not with ifneq here:
# this file may be read before lib/build.mk, packaging.bats checks that the order does not
# matter.)
BPF_FIFO_REF := $(BUILD)/test/bench/bpf_fifo_ref.bpf.o
TEST_BINS += $(BPF_FIFO_REF) $(BUILD)/test/bench/bpf-fifo-ref
$(BUILD)/test/bench/bpf-fifo-ref: $(BUILD)/test/bench/bpf-fifo-ref.o
	$(quiet) LINK $@
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ -lbpf
$(BPF_FIFO_REF): test/bench/bpf_fifo_ref.bpf.c lib/bpf/dwcs_qdisc_kern.h
	$(quiet) CLANG-BPF $@
	$(Q)mkdir -p $(dir $@)
	$(Q)$(if $(CLANG_QDISC),$(CLANG_QDISC) -target bpf -O2 -g -Wall -Werror \
		-I$(CURDIR)/include -I$(CURDIR)/lib -I/usr/include/$(shell $(CC) -dumpmachine) \
		-c -o $@ $<,: >$@)
