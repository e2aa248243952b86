# Unit tests of qsockd: the wire codec, the policy.
DAEMON_UNIT := $(BUILD)/test/unit/daemon_proto
UNIT_TESTS += $(DAEMON_UNIT)

$(BUILD)/test/unit/daemon_proto: $(BUILD)/test/unit/daemon_proto.o $(PROTO_LIB)
	$(quiet) LINK $@
	$(Q)$(CC) -o $@ $^ $(LDFLAGS) -lcmocka

UNIT_TESTS += $(BUILD)/test/unit/daemon_policy
$(BUILD)/test/unit/daemon_policy: $(BUILD)/test/unit/daemon_policy.o $(BUILD)/conf/policy.o \
		$(BUILD)/conf/diag.o $(BUILD)/conf/readfile.o $(BUILD)/conf/ids.o \
		$(BUILD)/conf/dscp.o
	$(quiet) LINK $@
	$(Q)$(CC) -o $@ $^ $(LDFLAGS) -lcmocka -lconfig -lm

# A test client that can misbehave on purpose (host bats: test/bats/daemon-*.bats).
DAEMON_PROBE := $(BUILD)/test/unit/daemon_probe
$(DAEMON_PROBE): $(BUILD)/test/unit/daemon_probe.o $(PROTO_LIB)
	$(quiet) LINK $@
	$(Q)$(CC) -o $@ $^ $(LDFLAGS)
TEST_BINS += $(DAEMON_PROBE)

# An ordinary libqsock program (in-process with CAP_NET_ADMIN, through qsockd without).
DAEMON_APP := $(BUILD)/test/unit/daemon_app
$(DAEMON_APP): $(BUILD)/test/unit/daemon_app.o $(BUILD)/lib/libqsock.a
	$(quiet) LINK $@
	$(Q)$(CC) -o $@ $^ $(LDFLAGS) $(LIB_LIBS)
TEST_BINS += $(DAEMON_APP)
BENCHES += test/unit/daemon_bench.sh

# The dispatcher and stream table on the fake backend.
UNIT_TESTS += $(BUILD)/test/unit/daemon_ops
DAEMON_OPS_OBJS := $(addprefix $(BUILD)/daemon/,log.o peer.o streams.o ops.o) $(PROTO_LIB) \
	$(BUILD)/test/unit/daemon_fake_backend.o $(BUILD)/conf/policy.o $(BUILD)/conf/diag.o \
	$(BUILD)/conf/readfile.o $(BUILD)/conf/printable.o $(BUILD)/conf/ids.o $(BUILD)/conf/dscp.o
$(BUILD)/test/unit/daemon_ops: $(BUILD)/test/unit/daemon_ops.o $(DAEMON_OPS_OBJS) $(LIB_A)
	$(quiet) LINK $@
	$(Q)$(CC) -o $@ $(BUILD)/test/unit/daemon_ops.o $(DAEMON_OPS_OBJS) $(LIB_A) $(LDFLAGS) \
		-lcmocka -lconfig $(LIB_LIBS) -lm
