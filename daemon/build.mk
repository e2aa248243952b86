# SPDX-License-Identifier: GPL-2.0
#
# daemon/ — qsockd, the privileged manager (proto/proto.h is the protocol, proto/'s archive
# its codec; qsockd(8) the manual). Everything but the backend is one object set; the backend decides the product:
#   build/daemon/qsockd          backend_mgr.c: libqsock's manager (build/lib/libqsock.a)
#   build/test/unit/qsockd-fake  the fake backend of test/unit: no kernel objects, for the
#                                host tests of framing, policy, ownership and robustness

QSOCKD_CORE := $(addprefix $(BUILD)/daemon/,log.o peer.o streams.o ops.o server.o linkwatch.o \
	qsockd.o)
QSOCKD_FAKE := $(BUILD)/test/unit/qsockd-fake
# proto/build.mk and lib/build.mk are read after this file: their archives are named
# literally (prerequisites expand at once; LIB_LIBS, only in recipes, expands late). The core
# uses libqsock's socket helpers (lib/liveness.h, lib/sockinfo.h), never its manager.
QSOCKD_PROTO := $(BUILD)/proto/libqsockproto.a
QSOCKD_LIB   := $(BUILD)/lib/libqsock.a

$(QSOCKD_FAKE): $(QSOCKD_CORE) $(BUILD)/test/unit/daemon_fake_backend.o $(QSOCKD_LIB) \
		$(QSOCKD_PROTO) $(CONF_LIB)
	$(quiet) LINK $@
	$(Q)$(CC) -o $@ $(QSOCKD_CORE) $(BUILD)/test/unit/daemon_fake_backend.o $(QSOCKD_LIB) \
		$(QSOCKD_PROTO) $(CONF_LIB) $(LDFLAGS) $(LIB_LIBS) $(CONF_LIBS) -lm
TEST_BINS += $(QSOCKD_FAKE)

# The real daemon: the manager of libqsock.
QSOCKD := $(BUILD)/daemon/qsockd
$(BUILD)/daemon/backend_mgr.o: CFLAGS += -I$(CURDIR)/lib
$(QSOCKD): $(QSOCKD_CORE) $(BUILD)/daemon/backend_mgr.o $(QSOCKD_LIB) $(QSOCKD_PROTO) $(CONF_LIB)
	$(quiet) LINK $@
	$(Q)$(CC) -o $@ $(QSOCKD_CORE) $(BUILD)/daemon/backend_mgr.o $(QSOCKD_LIB) \
		$(QSOCKD_PROTO) $(CONF_LIB) $(LDFLAGS) $(LIB_LIBS) $(CONF_LIBS) -lm
BINS += $(QSOCKD)

# install-daemon: qsockd, its systemd unit (SBINDIR substituted), qsockd(8). The unit goes
# under PREFIX too: systemd reads /usr/lib/systemd/system and /usr/local/lib/systemd/system
# alike (systemd.unit(5)); SYSTEMDUNITDIR=/etc/systemd/system for an administrator's copy.
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
.PHONY: install-daemon
INSTALL += install-daemon
INSTALLED += $(SBINDIR)/qsockd $(SYSTEMDUNITDIR)/qsockd.service $(MANDIR)/man8/qsockd.8
install-daemon: $(QSOCKD) $(BUILD)/man/qsockd.8
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(SYSTEMDUNITDIR) $(DESTDIR)$(MANDIR)/man8
	install -m 0755 $(QSOCKD) $(DESTDIR)$(SBINDIR)/qsockd
	sed -e 's|@SBINDIR@|$(SBINDIR)|g' daemon/qsockd.service > $(DESTDIR)$(SYSTEMDUNITDIR)/qsockd.service
	chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/qsockd.service
	install -m 0644 $(BUILD)/man/qsockd.8 $(DESTDIR)$(MANDIR)/man8/
