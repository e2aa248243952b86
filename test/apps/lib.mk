# SPDX-License-Identifier: GPL-2.0
# lib_driver runs scripts of libqsock calls for the bats suites (test/bats/lib-htb.bats,
# test/vm/lib-dwcs.bats).
LIB_DRIVER := $(BUILD)/test/apps/lib_driver
TEST_BINS += $(LIB_DRIVER)
$(BUILD)/test/apps/lib_driver.o: CFLAGS += -I$(CURDIR)/lib -I$(CURDIR)/$(BUILD)/lib/bpf
$(LIB_DRIVER): $(BUILD)/test/apps/lib_driver.o $(LIB_A)
	$(quiet) LINK $@
	$(Q)$(CC) -o $@ $< $(LIB_A) $(LDFLAGS) $(LIB_LIBS)
