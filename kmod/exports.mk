# SPDX-License-Identifier: GPL-2.0
#
# kmod/'s names for the other components (test/vm's warnmod is built for the same kernels):
# read before any build.mk (see the Makefile).
# The kernels: KDIR (one tree) > KVER (one release) > every installed kernel with headers.
KMOD_KVERS   := $(if $(KDIR),$(shell cat $(KDIR)/include/config/kernel.release 2>/dev/null),$(or $(KVER),$(shell scripts/kernels headers)))
# Each kernel's kbuild tree, asked once per make run (both the module rules use it).
$(foreach k,$(KMOD_KVERS),$(eval KMOD_KDIR_$(k) := $(or $(KDIR),$(shell scripts/kernels kdir $(k)))))
kmod_kdir     = $(KMOD_KDIR_$(1))
kmod_dir      = $(BUILD)/kmod/$(1)
