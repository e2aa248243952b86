# SPDX-License-Identifier: GPL-2.0
#
# lib/ — libqsock: the Q.Sockets API, the manager, the scheduler modules (sched_*.c), the
# socket classifier (lib/bpf/qsock_cls.bpf.c, compiled with clang -target bpf and embedded as
# a bpftool skeleton) and the per-message carriers.
#
# Two products from the same PIC objects:
#   build/lib/libqsock.a    every internal symbol (qsock_mgr_*, carrier): qsockd and the shim;
#                           installed too, for static links (qsock.pc's Libs.private)
#   build/lib/libqsock.so   only the public API (hidden visibility + version script, SONAME)
# qsockd's protocol is proto/'s archive: the shared library has it linked in (hidden), and the
# static one holds its objects too, so that an installed libqsock.a needs no archive of ours.

LIB_SRCS := $(sort $(wildcard lib/*.c))
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/%.o)

# VERSION owns both: the real name libqsock.so.VERSION, the SONAME libqsock.so.MAJOR.
LIB_VERSION   := $(QSOCK_VERSION)
LIB_SOVERSION := $(firstword $(subst ., ,$(LIB_VERSION)))
LIB_SO_REAL   := $(BUILD)/lib/libqsock.so.$(LIB_VERSION)
LIB_PC        := $(BUILD)/lib/qsock.pc
# The same for a static link of the installed libqsock.a: qsock.pc's Libs.private, as flags
# and not as Requires.private, so that pkg-config --cflags --libs qsock (the shared library)
# works where libnl's and libbpf's -dev packages, and their .pc files, are not installed.
LIB_LIBS_PRIVATE := $(shell pkg-config --static --libs-only-l --libs-only-other libnl-route-3.0 \
			libbpf 2>/dev/null || echo -lnl-route-3 -lnl-3 -lpthread -lbpf -lelf -lz)

# The classifier: BPF object -> skeleton header included by lib/classifier.c. bpftool lives in
# /usr/sbin, which an ordinary user's PATH may lack.
BPFTOOL ?= $(or $(shell command -v bpftool 2>/dev/null),/usr/sbin/bpftool)
LIB_BPF_OBJ  := $(BUILD)/lib/bpf/qsock_cls.bpf.o

$(BUILD)/lib/%.o: CFLAGS += -fPIC -fvisibility=hidden $(LIB_NL_CFLAGS) -I$(CURDIR)/lib \
	-I$(CURDIR)/$(BUILD)/lib/bpf
$(BUILD)/lib/classifier.o: $(LIB_BPF_SKEL)

$(LIB_BPF_OBJ): lib/bpf/qsock_cls.bpf.c lib/bpf/qsock_cls.h lib/bpf/qsock_slots.bpf.h \
		include/uapi/linux/pkt_sch_dwcs.h
	$(quiet) CLANG-BPF $@
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CLANG) -target bpf -O2 -g -Wall -Werror -I$(CURDIR)/include -I$(CURDIR)/lib \
		-I/usr/include/$(shell $(CC) -dumpmachine) \
		-c -o $@ $<

$(LIB_BPF_SKEL): $(LIB_BPF_OBJ)
	$(quiet) BPFSKEL $@
	$(Q)$(BPFTOOL) gen skeleton $< name qsock_cls > $@.tmp && mv $@.tmp $@

# The dwcs-bpf qdisc (lib/bpf/dwcs_qdisc.bpf.c): needs clang >= 15, whose BTF keeps the
# btf_type_tag("kptr") on a pointer to a complete struct (clang 14 drops it, and the verifier
# then refuses to store an skb in a list node). Without one, lib/sched_dwcs_bpf.c is built
# with a header saying so, and "dwcs-bpf" answers EOPNOTSUPP naming the reason.
CLANG_QDISC ?= $(firstword $(foreach c,clang-16 clang-15 clang-17 clang-18 clang-19 $(CLANG),\
	$(if $(shell $(c) --version 2>/dev/null | sed -n 's/.*clang version \([0-9]*\).*/\1/p' | \
		awk '$$1 >= 15'),$(c))))
LIB_QDISC_OBJ  := $(BUILD)/lib/bpf/dwcs_qdisc.bpf.o
LIB_QDISC_SKEL := $(BUILD)/lib/bpf/dwcs_qdisc.skel.h
$(BUILD)/lib/sched_dwcs_bpf.o: $(LIB_QDISC_SKEL)

$(LIB_QDISC_OBJ): lib/bpf/dwcs_qdisc.bpf.c lib/bpf/dwcs_qdisc.h lib/bpf/dwcs_qdisc_kern.h \
		lib/bpf/dwcs_bpf_rules.h lib/bpf/dwcs_bpf_rules_impl.h \
		lib/bpf/qsock_cls.h lib/bpf/qsock_slots.bpf.h include/uapi/linux/pkt_sch_dwcs.h
	$(quiet) CLANG-BPF $@
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CLANG_QDISC) -target bpf -O2 -g -Wall -Werror -I$(CURDIR)/include -I$(CURDIR)/lib \
		-I/usr/include/$(shell $(CC) -dumpmachine) \
		-c -o $@ $<

ifneq ($(CLANG_QDISC),)
$(LIB_QDISC_SKEL): $(LIB_QDISC_OBJ)
	$(quiet) BPFSKEL $@
	$(Q)$(BPFTOOL) gen skeleton $< name dwcs_qdisc > $@.tmp && mv $@.tmp $@
else
$(LIB_QDISC_SKEL): lib/build.mk
	$(quiet) GEN $@ "(no clang >= 15: dwcs-bpf disabled)"
	$(Q)mkdir -p $(dir $@)
	$(Q)echo '#define DWCS_QDISC_UNAVAILABLE "libqsock was built without the dwcs-bpf qdisc: it needs clang >= 15 (scripts/deps installs clang-16)"' > $@
endif

# qsock.h's QSOCK_VERSION_MAJOR and _MINOR are VERSION's first two numbers. The header is read
# in place (by this build, and by anyone's -I include), where it cannot read VERSION: so the
# build refuses a header that disagrees with VERSION rather than keep a second owner.
LIB_H_VERSION_OK := $(BUILD)/lib/qsock.h.version-ok
$(LIB_H_VERSION_OK): include/qsock.h VERSION
	$(quiet) CHECK "include/qsock.h's version against VERSION"
	$(Q)h=$$(sed -n 's/^#define QSOCK_VERSION_\(MAJOR\|MINOR\)[[:space:]]*\([0-9]*\).*/\2/p' \
		include/qsock.h | paste -sd.); v=$$(cut -d. -f1,2 VERSION); \
	[ "$$h" = "$$v" ] || { echo "include/qsock.h: QSOCK_VERSION_MAJOR.MINOR is $$h, VERSION says" \
		"$$v: change them together" >&2; exit 1; }
	$(Q)mkdir -p $(dir $@) && touch $@

# The protocol's objects are copied in (ar q: lib/sys.o and proto/sys.o share a name, which
# ar r would replace); our own links also name proto/'s archive (LIB_LIBS), which then adds
# nothing, as every member it has was already taken from this one.
$(LIB_A): $(LIB_OBJS) $(LIB_PROTO) lib/build.mk $(LIB_H_VERSION_OK)
	$(quiet) AR $@
	$(Q)rm -f $@ && ar qcs $@ $(LIB_OBJS) $(PROTO_OBJS)

$(LIB_SO_REAL): $(LIB_OBJS) $(LIB_PROTO) lib/libqsock.map $(LIB_H_VERSION_OK)
	$(quiet) LD $@
	$(Q)$(CC) -shared -Wl,-soname,libqsock.so.$(LIB_SOVERSION) \
		-Wl,--version-script=lib/libqsock.map -Wl,--no-undefined -Wl,-z,defs $(LDFLAGS) \
		-o $@ $(LIB_OBJS) $(LIB_LIBS)

$(LIB_SO): $(LIB_SO_REAL)
	$(Q)ln -sf libqsock.so.$(LIB_VERSION) $(BUILD)/lib/libqsock.so.$(LIB_SOVERSION)
	$(Q)ln -sf libqsock.so.$(LIB_VERSION) $@

# For the install paths of this make run (INSTALL_PATHS changes with them).
$(LIB_PC): lib/qsock.pc.in lib/build.mk VERSION $(INSTALL_PATHS)
	$(quiet) GEN $@
	$(Q)mkdir -p $(dir $@)
	$(Q)sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@LIBDIR@|$(LIBDIR)|g' \
		-e 's|@INCLUDEDIR@|$(INCLUDEDIR)|g' -e 's|@VERSION@|$(LIB_VERSION)|g' \
		-e 's|@LIBS_PRIVATE@|$(LIB_LIBS_PRIVATE)|g' $< > $@

BINS += $(LIB_A) $(LIB_SO) $(LIB_PC)

.PHONY: install-lib
INSTALL += install-lib
INSTALLED += $(LIBDIR)/libqsock.so.$(LIB_VERSION) $(LIBDIR)/libqsock.so.$(LIB_SOVERSION) \
	     $(LIBDIR)/libqsock.so $(LIBDIR)/libqsock.a $(LIBDIR)/pkgconfig/qsock.pc \
	     $(INCLUDEDIR)/qsock.h \
	     $(MANDIR)/man3/qsock.3
install-lib: $(LIB_SO) $(LIB_A) $(LIB_PC) $(BUILD)/man/qsock.3
	install -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(INCLUDEDIR) \
		$(DESTDIR)$(MANDIR)/man3
	install -m 0755 $(LIB_SO_REAL) $(DESTDIR)$(LIBDIR)/
	ln -sf libqsock.so.$(LIB_VERSION) $(DESTDIR)$(LIBDIR)/libqsock.so.$(LIB_SOVERSION)
	ln -sf libqsock.so.$(LIB_SOVERSION) $(DESTDIR)$(LIBDIR)/libqsock.so
	install -m 0644 $(LIB_A) $(DESTDIR)$(LIBDIR)/libqsock.a
	install -m 0644 $(LIB_PC) $(DESTDIR)$(LIBDIR)/pkgconfig/qsock.pc
	install -m 0644 include/qsock.h $(DESTDIR)$(INCLUDEDIR)/qsock.h
	install -m 0644 $(BUILD)/man/qsock.3 $(DESTDIR)$(MANDIR)/man3/qsock.3
