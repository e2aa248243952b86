# SPDX-License-Identifier: GPL-2.0
#
# lib/'s names for the other components: read before any build.mk (see the Makefile).
LIB_A         := $(BUILD)/lib/libqsock.a
LIB_SO        := $(BUILD)/lib/libqsock.so
# What a program linking the archive needs too (the shared library carries it itself): proto/'s
# archive by path, as exports.mk files do not read each other's names either.
LIB_PROTO     := $(BUILD)/proto/libqsockproto.a
LIB_LIBS      := $(LIB_PROTO) $(shell pkg-config --libs libnl-route-3.0 libbpf 2>/dev/null || \
			echo -lnl-route-3 -lnl-3 -lbpf)
LIB_NL_CFLAGS := $(shell pkg-config --cflags libnl-route-3.0 2>/dev/null || echo -I/usr/include/libnl3)
# The classifier's skeleton header, which lib/classifier.c and its unit test include.
LIB_BPF_SKEL  := $(BUILD)/lib/bpf/qsock_cls.skel.h
