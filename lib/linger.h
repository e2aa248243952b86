/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * linger.h — a removed stream's class outlives its socket until its queue has drained
 * (issue #18 item 1). qdetach/qclose, the shim's close() and qsockd's sweep all remove a
 * stream through the manager, which used to delete the class at once, and the kernel drops a
 * deleted class's backlog: a sender that wrote its last datagrams and closed lost them (49-50
 * of 100 arrived with htb). The manager now stops classifying into the class first, so
 * nothing new joins the queue, then waits here until the queue is empty, and only then
 * deletes the class.
 *
 * The wait is bounded, like SO_LINGER: QSOCK_LINGER_MS (default 2000, 0 to 60000; 0 deletes at
 * once as before). A queue still not empty then is deleted with the class, and its packets
 * are counted (qsock_linger_dropped). Cost: one RTM_GETTCLASS round trip per millisecond of
 * wait, and the wait itself in the caller's thread (qclose blocks as long as the stream's
 * backlog takes at its rate, at most the bound).
 */
#ifndef QSOCK_LINGER_H
#define QSOCK_LINGER_H

#include <stdint.h>

#include "sched_ops.h"

#define QSOCK_LINGER_DEFAULT_MS 2000U
#define QSOCK_LINGER_MAX_MS 60000U

/* The bound in ms: QSOCK_LINGER_MS when it is a number in 0..QSOCK_LINGER_MAX_MS, else the
 * default. Read once per process. */
unsigned int qsock_linger_ms(void);

/*
 * qsock_linger_drain() - wait until the class @ref of scheduler @ops has no backlog, polling
 * its statistics every millisecond for at most @bound_ms. Returns the packets still queued
 * when it gave up (0: drained, or the class or its statistics are gone, which ends the wait
 * too: nothing is left to keep).
 */
uint32_t qsock_linger_drain(struct qsock_nl *nl, const struct qsock_sched_ops *ops,
			    const struct qsock_class_ref *ref, unsigned int bound_ms);

/* Packets this process deleted with a class whose linger ran out (for qinfo-less callers'
 * diagnostics and the tests). */
uint64_t qsock_linger_dropped(void);

#endif /* QSOCK_LINGER_H */
