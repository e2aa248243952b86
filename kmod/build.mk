# sch_dwcs.ko, built twice: against Debian's plain 6.1 headers (KDIR) in kmod/, and against
# the PREEMPT_RT headers (KDIR_RT) from a copy under build/kmod-rt/, because kbuild writes its
# objects beside the sources. Both must build without a warning (-Werror).
DWCS_KMOD_SRCS := kmod/sch_dwcs.c kmod/dwcs_core.c kmod/dwcs_core.h kmod/dwcs_tree.c \
		  kmod/dwcs_tree.h kmod/dwcs_types.h kmod/compat.h kmod/Kbuild \
		  include/uapi/linux/pkt_sch_dwcs.h
DWCS_KO     := kmod/sch_dwcs.ko
DWCS_RT_DIR := $(BUILD)/kmod-rt
DWCS_RT_KO  := $(DWCS_RT_DIR)/kmod/sch_dwcs.ko
KMOD_TARGETS += $(DWCS_KO) $(if $(KDIR_RT),$(DWCS_RT_KO))

$(DWCS_KO): $(DWCS_KMOD_SRCS)
	$(quiet) KBUILD $@
	$(Q)$(call KBUILD,$(KDIR),kmod) KCFLAGS=-Werror modules

$(DWCS_RT_KO): $(DWCS_KMOD_SRCS)
	$(quiet) KBUILD "$@ (PREEMPT_RT)"
	$(Q)rm -rf $(DWCS_RT_DIR) && mkdir -p $(DWCS_RT_DIR)/kmod $(DWCS_RT_DIR)/include/uapi/linux
	$(Q)cp $(filter kmod/%,$(DWCS_KMOD_SRCS)) $(DWCS_RT_DIR)/kmod/
	$(Q)cp include/uapi/linux/pkt_sch_dwcs.h $(DWCS_RT_DIR)/include/uapi/linux/
	$(Q)$(call KBUILD,$(KDIR_RT),$(DWCS_RT_DIR)/kmod) KCFLAGS=-Werror modules

.PHONY: clean-dwcs
clean-kmod: clean-dwcs
clean-dwcs:
	$(Q)$(call KBUILD,$(KDIR),kmod) clean
	$(Q)rm -rf $(DWCS_RT_DIR)
