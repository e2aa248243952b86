/* SPDX-License-Identifier: GPL-2.0 */
/*
 * eval-qsock.h — what the Q.Sockets paths of the evaluation senders share (built only with
 * libqsock).
 */
#ifndef QSOCK_EVAL_QSOCK_H
#define QSOCK_EVAL_QSOCK_H

#include <qsock.h>

/*
 * qattach(fd) to a DWCS stream on dev with attrs (size and QSOCK_STREAM_EXT filled in here),
 * with the scheduler module named by $SCEN_QSOCK_SCHED ("dwcs" when unset, or "dwcs-bpf").
 * Returns 0, or -1 after "PROG: qattach on DEV (SCHED WHAT): why" on stderr.
 */
int eval_qattach_dwcs(const char *prog, int fd, const char *dev, struct q_dwcs_attr *attrs,
		      const char *what);

#endif /* QSOCK_EVAL_QSOCK_H */
