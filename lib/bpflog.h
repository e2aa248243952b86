/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bpflog.h — libbpf's warnings (the verifier's log, the kernel's extended ACK) joined to our
 * error messages. libbpf prints through one process-wide callback: between
 * qsock_bpflog_begin and qsock_bpflog_end, its warnings are collected into this thread's
 * buffer (one after another, trailing newlines dropped), which qsock_bpflog_text returns.
 * Used around every libbpf load: the classifier's and the dwcs-bpf qdisc's.
 */
#ifndef QSOCK_BPFLOG_H
#define QSOCK_BPFLOG_H

#include <bpf/libbpf.h>

struct qsock_bpflog {
	libbpf_print_fn_t old;
};

void qsock_bpflog_begin(struct qsock_bpflog *l);
void qsock_bpflog_end(struct qsock_bpflog *l);
/* ": <what libbpf warned>" since begin, or "" when it warned of nothing: for messages. */
const char *qsock_bpflog_text(void);

#endif /* QSOCK_BPFLOG_H */
