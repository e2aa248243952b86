# dwcs-udp: UDP traffic with per-packet DWCS metadata (deadline, marks) for the sch_dwcs VM tests.
DWCS_UDP := $(BUILD)/test/apps/dwcs-udp
TEST_BINS += $(DWCS_UDP)

$(DWCS_UDP): $(BUILD)/test/apps/dwcs-udp.o
	$(quiet) LD $@
	$(Q)$(CC) $(LDFLAGS) -o $@ $^
