// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * wire.c — the manager's records to qsockd's wire and back (wire.h). Plain copies: the wire
 * carries the manager's units. The build checks what a copy cannot: that the wire's flag and
 * DSCP bits are the library's, and that every statistic has a qos_info field as wide.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <uapi/linux/pkt_sch_dwcs.h>

#include "wire.h"

_Static_assert(QSOCKD_F_NONDROPPABLE == DWCS_NON_DROPPABLE, "wire flag: non-droppable");
_Static_assert(QSOCKD_F_LOSSLESS == QSOCK_STREAM_LOSSLESS, "wire flag: lossless");
_Static_assert(QSOCKD_DSCP_SET == QSOCK_DSCP_SET, "wire DSCP encoding");
_Static_assert(QSOCKD_ROOT_F_WORK_CONSERVING == QSOCK_ROOT_WORK_CONSERVING,
	       "wire root flag: work-conserving");
_Static_assert(QSOCKD_NAME_LEN == IFNAMSIZ, "wire names are interface names");

#define FIELD_SIZE(type, field) sizeof(((type *)0)->field)
#define SAME_WIDTH(type, wire, info)                                                               \
	_Static_assert(FIELD_SIZE(struct qsockd_stats, wire) == FIELD_SIZE(struct qos_info, info), \
		       "qsockd_stats." #wire " and qos_info." #info " differ in width");
QSOCKD_STATS_FIELDS(SAME_WIDTH)
#undef SAME_WIDTH

void qsock_params_to_wire(const struct qsock_stream_params *sp, struct qsockd_params *w)
{
	w->ipg_ns = sp->ipg_ns;
	w->rate = sp->rate;
	w->oln = sp->oln;
	w->old = sp->old;
	w->flags = sp->flags & QSOCKD_F_ALL;
	w->limit = sp->limit;
	w->pkt_bytes = sp->pkt_bytes;
	w->dscp = sp->dscp;
}

void qsock_params_from_wire(const struct qsockd_params *w, struct qsock_stream_params *sp)
{
	memset(sp, 0, sizeof(*sp));
	sp->ipg_ns = w->ipg_ns;
	sp->rate = w->rate;
	sp->oln = w->oln;
	sp->old = w->old;
	sp->flags = w->flags;
	sp->limit = w->limit;
	sp->pkt_bytes = w->pkt_bytes;
	sp->dscp = w->dscp;
}

void qsock_root_to_wire(const struct qsock_root_params *rp, struct qsockd_params *w)
{
	w->root_rate = rp->rate;
	w->root_limit = rp->limit;
	w->root_flags = rp->flags;
}

void qsock_root_from_wire(const struct qsockd_params *w, struct qsock_root_params *rp)
{
	memset(rp, 0, sizeof(*rp));
	rp->rate = w->root_rate;
	rp->limit = w->root_limit;
	rp->flags = w->root_flags;
}

void qsock_stream_to_wire(const struct qsock_stream *st, struct qsockd_stream *w)
{
	memset(w, 0, sizeof(*w));
	w->cookie = st->cookie;
	w->classid = st->classid;
	w->owner_uid = st->owner.uid;
	w->owner_pid = st->owner.pid;
	memcpy(w->owner_comm, st->owner.comm, sizeof(w->owner_comm));
	w->owner_comm[sizeof(w->owner_comm) - 1] = '\0';
	w->ifindex = st->ifindex;
	w->sock_type = st->sock_type;
	w->allowed_flags = st->allowed_flags;
	/* zero-padded by the memset, as the decoder wants */
	snprintf(w->params.dev, sizeof(w->params.dev), "%.*s", IFNAMSIZ - 1, st->dev);
	snprintf(w->params.sched, sizeof(w->params.sched), "%.*s", IFNAMSIZ - 1, st->sched);
	qsock_params_to_wire(&st->params, &w->params);
}

void qsock_stream_from_wire(const struct qsockd_stream *w, struct qsock_stream *st)
{
	memset(st, 0, sizeof(*st));
	st->cookie = w->cookie;
	st->classid = w->classid;
	st->owner.uid = w->owner_uid;
	st->owner.pid = w->owner_pid;
	memcpy(st->owner.comm, w->owner_comm, sizeof(st->owner.comm));
	st->owner.comm[sizeof(st->owner.comm) - 1] = '\0';
	st->ifindex = w->ifindex;
	st->sock_type = w->sock_type;
	st->allowed_flags = w->allowed_flags;
	snprintf(st->dev, sizeof(st->dev), "%.*s", QSOCKD_NAME_LEN - 1, w->params.dev);
	snprintf(st->sched, sizeof(st->sched), "%.*s", QSOCKD_NAME_LEN - 1, w->params.sched);
	qsock_params_from_wire(&w->params, &st->params);
}

void qsock_stats_to_wire(const struct qos_info *info, struct qsockd_stats *w)
{
	memset(w, 0, sizeof(*w));
#define COPY(type, wire, field) w->wire = info->field;
	QSOCKD_STATS_FIELDS(COPY)
#undef COPY
	w->valid = info->valid;
}
