# Unit tests of qsockd: the wire codec, the policy.
DAEMON_UNIT := $(BUILD)/test/unit/daemon_proto
UNIT_TESTS += $(DAEMON_UNIT)

$(BUILD)/test/unit/daemon_proto: $(BUILD)/test/unit/daemon_proto.o $(BUILD)/daemon/proto.o
	$(quiet) LINK $@
	$(Q)$(CC) -o $@ $^ $(LDFLAGS) -lcmocka
