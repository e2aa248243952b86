# SPDX-License-Identifier: GPL-2.0
#
# proto/'s names for the other components: read before any build.mk (see the Makefile).
PROTO_SRCS := $(sort $(wildcard proto/*.c))
PROTO_OBJS := $(PROTO_SRCS:%.c=$(BUILD)/%.o)
PROTO_LIB  := $(BUILD)/proto/libqsockproto.a
