# The WARNING-on-demand module used to test scripts/vm's dmesg check, for every kernel
# sch_dwcs.ko is built for (kmod/build.mk: KMOD_KVERS), under build/kmod/RELEASE/warnmod/.
define warnmod_rule
$(call kmod_dir,$(1))/warnmod/warnmod.ko: test/vm/warnmod/warnmod.c test/vm/warnmod/Kbuild
	$$(quiet) KBUILD "$$@"
	$(Q)rm -rf $$(@D) && mkdir -p $$(@D) && cp $$^ $$(@D)/
	+$(Q)$$(call KBUILD,$(call kmod_kdir,$(1)),$$(@D)) modules
endef
$(foreach k,$(KMOD_KVERS),$(eval $(call warnmod_rule,$(k))))
TEST_BINS += $(foreach k,$(KMOD_KVERS),$(call kmod_dir,$(k))/warnmod/warnmod.ko)

# dwcs-bpf.bats needs a kernel with BPF qdiscs (6.16+): only the newest, unpacked kernel has
# one, and it runs the smoke role; elsewhere the file would only skip.
VM_BATS_BPF_QDISC := test/vm/dwcs-bpf.bats
VM_BATS += $(filter-out $(VM_BATS_BPF_QDISC),$(sort $(wildcard test/vm/*.bats)))
# The roles of scripts/run-vm-matrix: the evaluation's timing-heavy figures run on the primary
# kernel only; the smoke file is all a smoke kernel (PREEMPT_RT, unpacked) runs.
# Timing-heavy: the evaluation (Table 1, Figures 4-7) and the shaper's 2 % precision at four
# rates; the other VM files exercise the same shaper functionally on every kernel.
VM_BATS_TIMING := $(sort $(wildcard test/vm/eval-*.bats)) test/vm/dwcs-shaper.bats
VM_BATS_SMOKE  := test/vm/dwcs-smoke.bats $(VM_BATS_BPF_QDISC)
