# SPDX-License-Identifier: GPL-2.0
#
# tools/tc — q_dwcs.so, the tc(8) plugin for the dwcs qdisc, and its man page tc-dwcs(8).
# tc dlopen()s $TC_LIB_DIR/q_dwcs.so (default: its compiled-in library directory, on Debian
# /usr/lib/<multiarch>/tc). TC_LIBDIR follows LIBDIR, so PREFIX=/usr installs the plugin
# where Debian's tc looks, and any other PREFIX keeps it under PREFIX (tc then needs
# TC_LIB_DIR=$(TC_LIBDIR), or TC_LIBDIR=/usr/lib/<multiarch>/tc given to make install).
# Undefined symbols are tc's own: they are resolved from the tc binary (-export-dynamic)
# when it loads the plugin.

TC_PLUGIN   := $(BUILD)/tc/q_dwcs.so
TC_LIBDIR   ?= $(LIBDIR)/tc
TC_OBJS     := $(BUILD)/tools/tc/q_dwcs.o

BINS        += $(TC_PLUGIN)
INSTALL     += install-tc install-tc-man
INSTALLED   += $(TC_LIBDIR)/q_dwcs.so $(MANDIR)/man8/tc-dwcs.8

$(BUILD)/tools/tc/%.o: CFLAGS += -fPIC -fvisibility=hidden

$(TC_PLUGIN): $(TC_OBJS)
	$(quiet) LD $@
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) -shared -o $@ $^ $(LDFLAGS) -lm

.PHONY: install-tc install-tc-man
install-tc: $(TC_PLUGIN)
	$(Q)install -D -m 0644 $(TC_PLUGIN) $(DESTDIR)$(TC_LIBDIR)/q_dwcs.so

install-tc-man: $(BUILD)/man/tc-dwcs.8
	$(Q)install -D -m 0644 $(BUILD)/man/tc-dwcs.8 $(DESTDIR)$(MANDIR)/man8/tc-dwcs.8
