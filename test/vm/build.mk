# The WARNING-on-demand module used to test scripts/vm's dmesg check.
WARNMOD := test/vm/warnmod/warnmod.ko
KMOD_TARGETS += $(WARNMOD)

$(WARNMOD): test/vm/warnmod/warnmod.c test/vm/warnmod/Kbuild
	$(quiet) KBUILD $@
	$(Q)$(call KBUILD,$(KDIR),test/vm/warnmod) modules

.PHONY: clean-warnmod
clean-kmod: clean-warnmod
clean-warnmod:
	$(Q)$(call KBUILD,$(KDIR),test/vm/warnmod) clean
VM_BATS += $(sort $(wildcard test/vm/*.bats))
