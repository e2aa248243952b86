# sch_dwcs.ko for every installed kernel (scripts/kernels headers: today Debian 12's 6.1 and
# 6.12, plain and PREEMPT_RT), or for one: make KVER=RELEASE, or make KDIR=TREE.
#
# One source layout serves kbuild here and DKMS on a user's machine: the DKMS source tree
# (build/dkms/sch-dwcs-VERSION: the sources, Kbuild, dkms.conf and the uapi header under
# include/uapi/linux/). Each kernel gets a copy of it under build/kmod/RELEASE/dwcs/, because
# kbuild before 6.13 writes its objects beside the sources. Every build must be warning-free
# (-Werror). With no headers at all, user space still builds and one line says so.
# qsock's one version number (VERSION): DKMS's PACKAGE_VERSION and the module's
# MODULE_VERSION (Kbuild reads the VERSION file copied into the tree).
DWCS_VERSION    := $(QSOCK_VERSION)
DWCS_KMOD_SRCS  := kmod/sch_dwcs.c kmod/dwcs_core.c kmod/dwcs_core.h kmod/dwcs_tree.c \
		   kmod/dwcs_tree.h kmod/dwcs_types.h kmod/compat.h kmod/Kbuild kmod/Makefile
DWCS_DKMS_SRC   := $(BUILD)/dkms/sch-dwcs-$(DWCS_VERSION)
DWCS_DKMS_STAMP := $(DWCS_DKMS_SRC)/dkms.conf

DWCS_KOS     := $(foreach k,$(KMOD_KVERS),$(call kmod_dir,$(k))/dwcs/sch_dwcs.ko)
KMOD_TARGETS += $(if $(KMOD_KVERS),$(DWCS_KOS),kmod-skipped)

# The self-contained DKMS source tree; dkms.conf is written last, so it stamps the whole tree.
$(DWCS_DKMS_STAMP): $(DWCS_KMOD_SRCS) include/uapi/linux/pkt_sch_dwcs.h kmod/dkms.conf VERSION
	$(quiet) DKMS-SRC $(DWCS_DKMS_SRC)
	$(Q)rm -rf $(DWCS_DKMS_SRC) && mkdir -p $(DWCS_DKMS_SRC)/include/uapi/linux
	$(Q)cp $(DWCS_KMOD_SRCS) VERSION $(DWCS_DKMS_SRC)/
	$(Q)cp include/uapi/linux/pkt_sch_dwcs.h $(DWCS_DKMS_SRC)/include/uapi/linux/
	$(Q)sed 's/@VERSION@/$(DWCS_VERSION)/' kmod/dkms.conf >$@

# dwcs_kmod_rule RELEASE: build/kmod/RELEASE/dwcs/sch_dwcs.ko from a copy of the DKMS tree.
define dwcs_kmod_rule
$(call kmod_dir,$(1))/dwcs/sch_dwcs.ko: $(DWCS_DKMS_STAMP)
	$$(quiet) KBUILD "$$@"
	$(Q)rm -rf $$(@D) && mkdir -p $$(dir $$(@D)) && cp -r $(DWCS_DKMS_SRC) $$(@D)
	+$(Q)$$(call KBUILD,$(call kmod_kdir,$(1)),$$(@D)) KCFLAGS=-Werror modules
endef
$(foreach k,$(KMOD_KVERS),$(eval $(call dwcs_kmod_rule,$(k))))

.PHONY: kmod-skipped dkms-source install-dkms
kmod-skipped:
	@echo "  SKIP     sch_dwcs.ko: no kernel headers found (scripts/kernels headers is empty; scripts/deps installs them)"

dkms-source: $(DWCS_DKMS_STAMP)
	@echo "$(DWCS_DKMS_SRC)"

# A user's DKMS install: make install-dkms && dkms install sch-dwcs/$(DWCS_VERSION)
# dkms reads its sources from /usr/src only, whatever PREFIX says: so this is not part of
# `make install`; asking for it by name is the opt-in (uninstall-dkms takes it away).
DKMS_SRCDIR ?= /usr/src
.PHONY: uninstall-dkms
install-dkms: $(DWCS_DKMS_STAMP)
	install -d $(DESTDIR)$(DKMS_SRCDIR)
	rm -rf $(DESTDIR)$(DKMS_SRCDIR)/sch-dwcs-$(DWCS_VERSION)
	cp -r $(DWCS_DKMS_SRC) $(DESTDIR)$(DKMS_SRCDIR)/
	@echo "next: dkms install sch-dwcs/$(DWCS_VERSION)"
uninstall-dkms:
	rm -rf $(DESTDIR)$(DKMS_SRCDIR)/sch-dwcs-$(DWCS_VERSION)

.PHONY: clean-dwcs
clean-kmod: clean-dwcs
clean-dwcs:
	$(Q)rm -rf $(BUILD)/kmod $(BUILD)/dkms
