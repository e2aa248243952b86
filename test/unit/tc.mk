# SPDX-License-Identifier: GPL-2.0
# The tc plugin's printing (tools/tc/q_dwcs.o) with tc's functions replaced by recording
# doubles (cmocka).
TC_UNIT := $(BUILD)/test/unit/tc_q_dwcs_print
UNIT_TESTS += $(TC_UNIT)

$(TC_UNIT): $(BUILD)/test/unit/tc_q_dwcs_print.o $(BUILD)/tools/tc/q_dwcs.o
	$(quiet) LINK $@
	$(Q)$(CC) -o $@ $^ $(LDFLAGS) -lcmocka -lm
