/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * wire.h — the manager's records (manager.h) in qsockd's wire form (proto/proto.h) and back:
 * the one place where a field of a stream, its root or its statistics crosses between the
 * two. libqsock's client (daemon_client.c) and qsockd's backend (daemon/backend_mgr.c) both
 * convert here, so a field added to one side is added once, and the build fails where a
 * statistic of the wire has no qos_info field of the same width (wire.c).
 *
 * The wire carries the manager's own units (bytes/s, ns, packets): these are copies, with
 * the two rules the wire adds: names are NUL-terminated and zero-padded, and a stream's
 * flags are only the QSOCKD_F_* bits.
 */
#ifndef QSOCK_WIRE_H
#define QSOCK_WIRE_H

#include "../proto/proto.h"
#include "manager.h"

/* The stream part of @w (ipg_ns .. dscp); the names and the root part are left as they are. */
void qsock_params_to_wire(const struct qsock_stream_params *sp, struct qsockd_params *w);
/* @sp from @w's stream part; max_rate 0 (none: the caller decides one). */
void qsock_params_from_wire(const struct qsockd_params *w, struct qsock_stream_params *sp);

/* The root part of @w (root_rate, root_limit, root_flags); the rest is left as it is. */
void qsock_root_to_wire(const struct qsock_root_params *rp, struct qsockd_params *w);
void qsock_root_from_wire(const struct qsockd_params *w, struct qsock_root_params *rp);

/* A whole stream record: identity, owner, device, scheduler and parameters. The wire has no
 * statistics of the record (stats is zeroed) and the record no inode, family or protocol of
 * the wire (zero: qsock_mgr_stream_stats and the client read none of them). */
void qsock_stream_to_wire(const struct qsock_stream *st, struct qsockd_stream *w);
void qsock_stream_from_wire(const struct qsockd_stream *w, struct qsock_stream *st);

/* The scheduler's view of a stream, qinfo's fields of it. */
void qsock_stats_to_wire(const struct qos_info *info, struct qsockd_stats *w);

#endif /* QSOCK_WIRE_H */
