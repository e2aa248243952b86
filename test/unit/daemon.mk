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

# The dispatcher and stream table on the fake backend.
UNIT_TESTS += $(BUILD)/test/unit/daemon_ops
DAEMON_OPS_OBJS := $(addprefix $(BUILD)/daemon/,log.o peer.o streams.o ops.o) $(PROTO_LIB) \
	$(BUILD)/test/unit/daemon_fake_backend.o $(BUILD)/conf/policy.o $(BUILD)/conf/diag.o \
	$(BUILD)/conf/readfile.o $(BUILD)/conf/printable.o $(BUILD)/conf/ids.o $(BUILD)/conf/dscp.o
$(BUILD)/test/unit/daemon_ops: $(BUILD)/test/unit/daemon_ops.o $(DAEMON_OPS_OBJS) $(LIB_A)
	$(quiet) LINK $@
	$(Q)$(CC) -o $@ $(BUILD)/test/unit/daemon_ops.o $(DAEMON_OPS_OBJS) $(LIB_A) $(LDFLAGS) \
		-lcmocka -lconfig $(LIB_LIBS) -lm
