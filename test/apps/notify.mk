# SPDX-License-Identifier: GPL-2.0
# notify_probe drives qnotify(3) on real streams for test/bats/lib-notify.bats (and measures
# the sampler's cost). Linked with libqsock.a for lib/notify.h's view of the sampler.
NOTIFY_PROBE := $(BUILD)/test/apps/notify_probe
TEST_BINS += $(NOTIFY_PROBE)
$(NOTIFY_PROBE): $(BUILD)/test/apps/notify_probe.o $(LIB_A)
	$(quiet) LINK $@
	$(Q)$(CC) -o $@ $< $(LIB_A) $(LDFLAGS) $(LIB_LIBS) -lpthread
