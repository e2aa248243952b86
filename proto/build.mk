# SPDX-License-Identifier: GPL-2.0
#
# proto/ — qsockd's wire protocol: the record layout and its strict codec (proto.h, proto.c)
# and the client transport (client.h, client.c). One static archive, PIC with hidden
# visibility, linked by libqsock (into libqsock.so, exporting none of it), qsockd and the qsock
# tool. It depends on nothing of ours.


$(BUILD)/proto/%.o: CFLAGS += -fPIC -fvisibility=hidden

$(PROTO_LIB): $(PROTO_OBJS)
	$(quiet) AR $@
	$(Q)rm -f $@ && ar rcs $@ $^

BINS += $(PROTO_LIB)
