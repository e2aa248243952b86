# SPDX-License-Identifier: GPL-2.0
# Unit tests of libqsock: parameter checking, per-message carriers (cmsg building and merging,
# carrier selection), the public calls' argument validation (no kernel objects needed), and
# qnotify's event detection sample by sample; the records on qsockd's wire.
LIB_UNIT := $(BUILD)/test/unit/lib_params $(BUILD)/test/unit/lib_carrier \
	    $(BUILD)/test/unit/lib_api $(BUILD)/test/unit/lib_notify $(BUILD)/test/unit/lib_wire
UNIT_TESTS += $(LIB_UNIT)

$(BUILD)/test/unit/lib_%.o: CFLAGS += -I$(CURDIR)/lib -I$(CURDIR)/$(BUILD)/lib/bpf
$(BUILD)/test/unit/lib_carrier.o: $(LIB_BPF_SKEL)

$(LIB_UNIT): $(BUILD)/test/unit/%: $(BUILD)/test/unit/%.o $(LIB_A)
	$(quiet) LINK $@
	$(Q)$(CC) -o $@ $< $(LIB_A) $(LDFLAGS) -lcmocka $(LIB_LIBS) -lpthread
