# SPDX-License-Identifier: GPL-2.0
#
# shim/'s names for the other components (the test builds of the shim in test/unit/shim.mk):
# read before any build.mk (see the Makefile). Those made of other components' names are
# recursive (=), expanded when used, after every exports.mk has been read.
SHIM_SRCS := $(sort $(wildcard shim/*.c))
SHIM_OBJS := $(SHIM_SRCS:%.c=$(BUILD)/%.o)
# libqsock (attach, carriers) is linked in whole from its archive, with what it needs.
SHIM_LIBS = $(LIB_A) $(LIB_LIBS) -lconfig -ldl -lpthread
SHIM_LDFLAGS = -shared -Wl,--version-script=shim/libqsockshim.map -Wl,-z,now -Wl,-z,defs
# The sanitizer build's objects: conf/ included, never mixed with the normal ones.
SHIM_ASAN_OBJS = $(SHIM_SRCS:%.c=$(BUILD)/asan/%.o) $(CONF_SRCS:%.c=$(BUILD)/asan/%.o)
