# SPDX-License-Identifier: GPL-2.0
# test/apps/shim-* — small programs for libqsockshim's tests and benchmark. They know nothing
# of qsock (except shim-qinit, the operator's qsockinit step): they use plain libc calls.
SHIM_APPS_DIR := $(BUILD)/test/apps
SHIM_APPS := $(SHIM_APPS_DIR)/shim-qinit
TEST_BINS += $(SHIM_APPS)

$(SHIM_APPS_DIR)/shim-qinit: $(SHIM_APPS_DIR)/shim-qinit.o $(LIB_A)
	$(quiet) LD $@
	$(Q)$(CC) $(LDFLAGS) -o $@ $< $(LIB_A) $(LIB_LIBS)

SHIM_HARD := $(SHIM_APPS_DIR)/shim-hard
TEST_BINS += $(SHIM_HARD)
$(SHIM_HARD): $(SHIM_APPS_DIR)/shim-hard.o
	$(quiet) LD $@
	$(Q)$(CC) $(LDFLAGS) -o $@ $< -lpthread

SHIM_MEDIA := $(SHIM_APPS_DIR)/shim-media
TEST_BINS += $(SHIM_MEDIA)
$(SHIM_MEDIA): $(SHIM_APPS_DIR)/shim-media.o
	$(quiet) LD $@
	$(Q)$(CC) $(LDFLAGS) -o $@ $<
