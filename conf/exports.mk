# SPDX-License-Identifier: GPL-2.0
#
# conf/'s names for the other components: read before any build.mk (see the Makefile).
CONF_SRCS := $(sort $(wildcard conf/*.c))
CONF_OBJS := $(CONF_SRCS:%.c=$(BUILD)/%.o)
CONF_LIB  := $(BUILD)/conf/libqsockconf.a
CONF_LIBS := -lconfig
