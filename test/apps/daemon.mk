# SPDX-License-Identifier: GPL-2.0
# Programs qsockd's end-to-end tests run (test/bats/daemon-*.bats, shim-failopen.bats,
# test/vm/daemon-dwcs.bats) and its bench.
# A test client that can misbehave on purpose (host bats: test/bats/daemon-*.bats).
DAEMON_PROBE := $(BUILD)/test/apps/daemon_probe
$(DAEMON_PROBE): $(BUILD)/test/apps/daemon_probe.o $(PROTO_LIB)
	$(quiet) LINK $@
	$(Q)$(CC) -o $@ $^ $(LDFLAGS)
TEST_BINS += $(DAEMON_PROBE)

# An ordinary libqsock program (in-process with CAP_NET_ADMIN, through qsockd without).
DAEMON_APP := $(BUILD)/test/apps/daemon_app
$(DAEMON_APP): $(BUILD)/test/apps/daemon_app.o $(BUILD)/lib/libqsock.a
	$(quiet) LINK $@
	$(Q)$(CC) -o $@ $^ $(LDFLAGS) $(LIB_LIBS)
TEST_BINS += $(DAEMON_APP)
BENCHES += test/bench/daemon-bench.sh

