# The WARNING-on-demand module used to test scripts/vm's dmesg check, for every kernel
# sch_dwcs.ko is built for (kmod/build.mk: KMOD_KVERS), under build/kmod/RELEASE/warnmod/.
define warnmod_rule
$(call kmod_dir,$(1))/warnmod/warnmod.ko: test/vm/warnmod/warnmod.c test/vm/warnmod/Kbuild
	$$(quiet) KBUILD "$$@"
	$(Q)rm -rf $$(@D) && mkdir -p $$(@D) && cp $$^ $$(@D)/
	+$(Q)$$(call KBUILD,$(call kmod_kdir,$(1)),$$(@D)) modules
endef
$(foreach k,$(KMOD_KVERS),$(eval $(call warnmod_rule,$(k))))
KMOD_TARGETS += $(foreach k,$(KMOD_KVERS),$(call kmod_dir,$(k))/warnmod/warnmod.ko)

VM_BATS += $(sort $(wildcard test/vm/*.bats))
# The roles of scripts/run-vm-matrix: the evaluation's timing-heavy figures run on the primary
# kernel only; the smoke file is all a smoke kernel (PREEMPT_RT, unpacked) runs.
VM_BATS_TIMING := $(sort $(wildcard test/vm/eval-*.bats))
VM_BATS_SMOKE  := test/vm/dwcs-smoke.bats test/vm/dwcs-bpf.bats
