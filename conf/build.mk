# SPDX-License-Identifier: GPL-2.0
#
# conf/ — qsock.conf: loading (libconfig), validation with file:line errors, the stream-rule
# and message-rule model, matching and the media presets. One static archive, PIC, so that
# both programs (qsock, qsockd) and shared objects (libqsockshim.so) can link it.
# conf/policy.c belongs to qsockd's engineer; it is picked up by the wildcard below.


$(BUILD)/conf/%.o: CFLAGS += -fPIC -fvisibility=hidden

$(CONF_LIB): $(CONF_OBJS)
	$(quiet) AR $@
	$(Q)rm -f $@ && ar rcs $@ $^

BINS += $(CONF_LIB)
