# SPDX-License-Identifier: GPL-2.0
#
# shim/ — libqsockshim.so, the LD_PRELOAD library (see shim/shim.h for its layers).
# Also built with ASan+UBSan (build/asan/shim/libqsockshim.so) so that its test suite can run
# under the sanitizers: test/bats/shim-*.bats run with QSOCK_SHIM=<that file>.

SHIM_SO   := $(BUILD)/shim/libqsockshim.so

$(BUILD)/shim/%.o: CFLAGS += -fPIC -fvisibility=hidden

$(SHIM_SO): $(SHIM_OBJS) $(CONF_LIB) $(LIB_A) shim/libqsockshim.map
	$(quiet) LINK $@
	$(Q)$(CC) $(SHIM_LDFLAGS) -o $@ $(SHIM_OBJS) $(CONF_LIB) $(LDFLAGS) $(SHIM_LIBS)

# The sanitizer build: its own objects (conf/ included), never mixed with the normal ones.
SHIM_ASAN_CFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=undefined \
		    -fno-omit-frame-pointer -fPIC -fvisibility=hidden
SHIM_ASAN_SO   := $(BUILD)/asan/shim/libqsockshim.so

$(BUILD)/asan/%.o: %.c
	$(quiet) CC-ASAN $@
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) $(SHIM_ASAN_CFLAGS) -c -o $@ $<

$(SHIM_ASAN_SO): $(SHIM_ASAN_OBJS) $(LIB_A) shim/libqsockshim.map
	$(quiet) LINK $@
	$(Q)$(CC) -fsanitize=address,undefined -shared -Wl,--version-script=shim/libqsockshim.map \
		-o $@ $(SHIM_ASAN_OBJS) $(LDFLAGS) $(SHIM_LIBS)

BINS += $(SHIM_SO)
TEST_BINS += $(SHIM_ASAN_SO)

# install: the library, its man pages and the annotated example configuration (never over an
# operator's /etc/qsock.conf).
INSTALL += install-shim
INSTALLED += $(LIBDIR)/libqsockshim.so $(MANDIR)/man8/libqsockshim.8 $(MANDIR)/man5/qsock.conf.5 \
	     $(DOCDIR)/qsock.conf.example
.PHONY: install-shim
install-shim: $(SHIM_SO) $(BUILD)/man/libqsockshim.8 $(BUILD)/man/qsock.conf.5
	$(Q)install -D -m 0755 $(SHIM_SO) $(DESTDIR)$(LIBDIR)/libqsockshim.so
	$(Q)install -D -m 0644 $(BUILD)/man/libqsockshim.8 $(DESTDIR)$(MANDIR)/man8/libqsockshim.8
	$(Q)install -D -m 0644 $(BUILD)/man/qsock.conf.5 $(DESTDIR)$(MANDIR)/man5/qsock.conf.5
	$(Q)install -D -m 0644 qsock.conf.example $(DESTDIR)$(DOCDIR)/qsock.conf.example
