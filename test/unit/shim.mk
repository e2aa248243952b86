# SPDX-License-Identifier: GPL-2.0
# libqsockshim's tests: the fd table (unit), and a test build of the shim with a fake backend
# (test/unit/shim_fake_backend.c) that makes per-message flags visible as the IP TTL, for the
# host bats suites test/bats/shim-*.bats.
SHIM_FAKE_SO := $(BUILD)/test/shim/libqsockshim-fake.so
SHIM_FAKE_OBJS := $(filter-out $(BUILD)/shim/backend.o,$(SHIM_OBJS)) \
		  $(BUILD)/test/unit/shim_fake_backend.o
TEST_BINS += $(SHIM_FAKE_SO)

$(BUILD)/test/unit/shim_fake_backend.o: CFLAGS += -fPIC -fvisibility=hidden

$(SHIM_FAKE_SO): $(SHIM_FAKE_OBJS) $(CONF_LIB) $(LIB_A) shim/libqsockshim.map
	$(quiet) LINK $@
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(SHIM_LDFLAGS) -o $@ $(SHIM_FAKE_OBJS) $(CONF_LIB) $(LDFLAGS) $(SHIM_LIBS)

# The same under ASan+UBSan, for test/bats/shim-asan.bats.
SHIM_ASAN_FAKE_SO := $(BUILD)/asan/test/shim/libqsockshim-fake.so
SHIM_ASAN_FAKE_OBJS := $(filter-out $(BUILD)/asan/shim/backend.o,$(SHIM_ASAN_OBJS)) \
		       $(BUILD)/asan/test/unit/shim_fake_backend.o
TEST_BINS += $(SHIM_ASAN_FAKE_SO)

$(SHIM_ASAN_FAKE_SO): $(SHIM_ASAN_FAKE_OBJS) $(LIB_A) shim/libqsockshim.map
	$(quiet) LINK $@
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) -fsanitize=address,undefined -shared -Wl,--version-script=shim/libqsockshim.map \
		-o $@ $(SHIM_ASAN_FAKE_OBJS) $(LDFLAGS) $(SHIM_LIBS)

# The fd table and exec's environment keeping, in-process.
SHIM_UNIT := $(BUILD)/test/unit/shim_unit
UNIT_TESTS += $(SHIM_UNIT)
$(SHIM_UNIT): $(BUILD)/test/unit/shim_unit.o $(addprefix $(BUILD)/shim/,fdtable.o exec.o libc.o hot.o) \
		$(BUILD)/lib/sys.o $(PROTO_LIB) $(CONF_LIB)
	$(quiet) LINK $@
	$(Q)$(CC) -o $@ $^ $(LDFLAGS) -lcmocka -ldl -lpthread

# libqsock inside the shim never calls the shim's wrappers (lib/sys.h): checked on the objects.
SHIM_NO_REENTRY := $(BUILD)/test/unit/shim_no_reentry
UNIT_TESTS += $(SHIM_NO_REENTRY)
$(SHIM_NO_REENTRY): test/unit/shim_no_reentry.sh test/unit/shim.mk $(LIB_A) $(PROTO_LIB)
	$(Q)mkdir -p $(dir $@)
	$(Q)printf '#!/bin/sh\nexec "%s/test/unit/shim_no_reentry.sh" "%s/shim/libqsockshim.map" "%s/$(LIB_A)" "%s/$(PROTO_LIB)"\n' \
		"$(CURDIR)" "$(CURDIR)" "$(CURDIR)" "$(CURDIR)" >$@ && chmod +x $@
