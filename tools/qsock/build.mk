# SPDX-License-Identifier: GPL-2.0
#
# tools/qsock — the `qsock` command. Every tools/qsock/*.c is linked in: a new subcommand is a
# new cmd_<name>.c plus one line in main.c's table (see commands.h).

QSOCK_CLI_SRCS := $(sort $(wildcard tools/qsock/*.c))
QSOCK_CLI_OBJS := $(QSOCK_CLI_SRCS:%.c=$(BUILD)/%.o)
QSOCK_CLI      := $(BUILD)/tools/qsock/qsock
# init and fini are libqsock's qsockinit and qsockfini (its public API only), linked in
# statically as qsockd links it; lib/build.mk is read before this file.
QSOCK_CLI_LIBS := $(LIB_A) $(PROTO_LIB) $(CONF_LIB) $(CONF_LIBS) $(LIB_LIBS) -lpthread

$(QSOCK_CLI): $(QSOCK_CLI_OBJS) $(LIB_A) $(PROTO_LIB) $(CONF_LIB)
	$(quiet) LINK $@
	$(Q)$(CC) -o $@ $(QSOCK_CLI_OBJS) $(LDFLAGS) $(QSOCK_CLI_LIBS)

# qsock run preloads the installed shim (shim/build.mk installs it there).
$(BUILD)/tools/qsock/cmd_run.o: CFLAGS += -DQSOCK_SHIM_PATH='"$(LIBDIR)/libqsockshim.so"'
$(BUILD)/tools/qsock/cmd_run.o: $(INSTALL_PATHS)

BINS += $(QSOCK_CLI)

# qsock lives in BINDIR, so its page is qsock(1).
INSTALL += install-qsock-cli
INSTALLED += $(BINDIR)/qsock $(MANDIR)/man1/qsock.1
.PHONY: install-qsock-cli
install-qsock-cli: $(QSOCK_CLI) $(BUILD)/man/qsock.1
	$(Q)install -D -m 0755 $(QSOCK_CLI) $(DESTDIR)$(BINDIR)/qsock
	$(Q)install -D -m 0644 $(BUILD)/man/qsock.1 $(DESTDIR)$(MANDIR)/man1/qsock.1
