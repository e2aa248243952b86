/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * pkt_sch_dwcs.h — the user/kernel contract of the dwcs queueing discipline (sch_dwcs.ko).
 *
 * Shared, unchanged, by the kernel module, libqsock, the tc plugin and the qsock tool.
 * Compatibility rules: attribute numbers and flag bits are never reused or renumbered; new
 * ones are appended before the __*_MAX sentinel. Readers tolerate attributes they do not
 * know and attributes that are absent (old kernel, new tool and the other way round).
 *
 * Object model
 *   qdisc   tc qdisc add dev D root handle 1: dwcs [rate R] [limit P] [markmask M]
 *                                             [workconserving|nonworkconserving] [order a|b]
 *                                             [horizon T]
 *   class   one per stream:  tc class add dev D parent 1: classid 1:N dwcs ipg T oln X old Y
 *                                  [lossy|lossless] [edf|noedf] [nondroppable|droppable] [limit P]
 *   filters any tc filter (the qsock classifier is cls_bpf in direct-action mode) or
 *           skb->priority == classid select the class; anything else is best effort.
 *
 * Per-packet metadata read by the qdisc
 *   deadline  skb->tstamp, CLOCK_MONOTONIC nanoseconds, for non-TCP packets of classes with
 *             DWCS_CLASS_F_EDF (set with SO_TXTIME + SCM_TXTIME); 0 = none.
 *   flags     (skb->mark & markmask) >> ctz(markmask), laid out as DWCS_MARK_* below.
 */
#ifndef _UAPI_LINUX_PKT_SCH_DWCS_H
#define _UAPI_LINUX_PKT_SCH_DWCS_H

#include <linux/types.h>

/* ---------------------------------------------------------------- qdisc options (TCA_OPTIONS) */
enum {
	TCA_DWCS_UNSPEC,
	TCA_DWCS_RATE64,	/* u64: link shaper in bytes per second; 0 = unlimited */
	TCA_DWCS_LIMIT,		/* u32: packets in the whole qdisc, 1..DWCS_MAX_LIMIT */
	TCA_DWCS_MARKMASK,	/* u32: skb->mark bits holding the DWCS_MARK_* field; 0 = ignore marks */
	TCA_DWCS_FLAGS,		/* struct nla_bitfield32 of TCA_DWCS_F_* (value + selector) */
	TCA_DWCS_ORDER,		/* u8: DWCS_ORDER_*, the precedence table */
	TCA_DWCS_PAD,
	TCA_DWCS_HORIZON,	/* u64: ns; a packet's own deadline further ahead than this is
				 * clamped to now + horizon, and counted (STATS_HORIZON_CAPS);
				 * DWCS_MIN_HORIZON_NS..DWCS_MAX_HORIZON_NS */
	__TCA_DWCS_MAX
};
#define TCA_DWCS_MAX (__TCA_DWCS_MAX - 1)

/* TCA_DWCS_FLAGS bits */
#define TCA_DWCS_F_WORK_CONSERVING	(1U << 0)	/* send before d - T; default: not */
#define TCA_DWCS_F_ALL			(TCA_DWCS_F_WORK_CONSERVING)

/* TCA_DWCS_ORDER values: the pairwise precedence rules (docs/dwcs.md) */
enum {
	DWCS_ORDER_DEADLINE_FIRST,	/* Table A (ICMCS'99, TC'04): EDF, then x'/y', ... (default) */
	DWCS_ORDER_WINDOW_FIRST,	/* Table B (RTSS'00): lowest x'/y' first, then EDF, ... */
	__DWCS_ORDER_MAX
};

#define DWCS_DEFAULT_LIMIT		10000U	/* packets, whole qdisc */
#define DWCS_MAX_LIMIT			1000000U
#define DWCS_DEFAULT_MARKMASK		0x1f000000U	/* bits 24..28 of skb->mark */
#define DWCS_DEFAULT_HORIZON_NS		10000000000ULL		/* 10 s, as sch_fq's */
#define DWCS_MIN_HORIZON_NS		1000000ULL		/* 1 ms */
#define DWCS_MAX_HORIZON_NS		3600000000000ULL	/* 1 h */

/* ---------------------------------------------------------------- class options (TCA_OPTIONS) */
enum {
	TCA_DWCS_CLASS_UNSPEC,
	TCA_DWCS_CLASS_IPG,	/* u64: request period T in nanoseconds, DWCS_MIN_IPG..DWCS_MAX_IPG */
	TCA_DWCS_CLASS_OLN,	/* u32: x, deadlines that may be missed per window; x <= y */
	TCA_DWCS_CLASS_OLD,	/* u32: y, the window; 0/0 = pure EDF; y <= DWCS_MAX_WINDOW */
	TCA_DWCS_CLASS_FLAGS,	/* struct nla_bitfield32 of DWCS_CLASS_F_* (value + selector) */
	TCA_DWCS_CLASS_LIMIT,	/* u32: packets queued in this class, 1..DWCS_MAX_LIMIT */
	TCA_DWCS_CLASS_PAD,
	TCA_DWCS_CLASS_MAXRATE64, /* u64: byte-rate ceiling in bytes per second; 0 = none */
	__TCA_DWCS_CLASS_MAX
};
#define TCA_DWCS_CLASS_MAX (__TCA_DWCS_CLASS_MAX - 1)

/* TCA_DWCS_CLASS_FLAGS bits */
#define DWCS_CLASS_F_NONDROPPABLE	(1U << 0)	/* never drop this stream's packets for lateness */
#define DWCS_CLASS_F_LOSSLESS		(1U << 1)	/* send late packets (default: lossy, drop them) */
#define DWCS_CLASS_F_EDF		(1U << 2)	/* per-packet deadlines from skb->tstamp */
#define DWCS_CLASS_F_ALL \
	(DWCS_CLASS_F_NONDROPPABLE | DWCS_CLASS_F_LOSSLESS | DWCS_CLASS_F_EDF)

#define DWCS_MIN_IPG_NS			1000ULL			/* 1 us */
#define DWCS_MAX_IPG_NS			60000000000ULL		/* 60 s */
#define DWCS_MAX_WINDOW			65535U
#define DWCS_DEFAULT_CLASS_LIMIT	1000U

/* ---------------------------------------------------------------- per-packet flags in skb->mark
 * The field is (skb->mark & markmask) >> ctz(markmask); markmask must be one contiguous run of
 * at least DWCS_MARK_BITS bits (or 0). A field of 0 is an ordinary droppable packet.
 */
#define DWCS_MARK_NONDROPPABLE		0x01U	/* never dropped for lateness or frame drops */
#define DWCS_MARK_DROPPRIO_SHIFT	1
#define DWCS_MARK_DROPPRIO_MASK		0x06U	/* 0..3: on overflow, higher is dropped first */
#define DWCS_MARK_FRAME_START		0x08U	/* first packet of an application frame */
#define DWCS_MARK_FRAME_END		0x10U	/* last packet of an application frame */
#define DWCS_MARK_BITS			5
#define DWCS_MARK_FIELD_MASK		((1U << DWCS_MARK_BITS) - 1)

/* ---------------------------------------------------------------- statistics
 * `tc -s` xstats: nested attributes inside TCA_STATS_APP (like sch_cake), one set for the qdisc
 * and one per class, told apart by TCA_DWCS_STATS_KIND. Counters are u64 unless noted.
 * Standard bstats/qstats (bytes, packets, drops, backlog, qlen) are reported as usual.
 */
enum {
	TCA_DWCS_STATS_UNSPEC,
	TCA_DWCS_STATS_KIND,		/* u32: DWCS_STATS_KIND_* */
	TCA_DWCS_STATS_PAD,
	TCA_DWCS_STATS_SENT_PKTS,	/* packets dequeued */
	TCA_DWCS_STATS_SENT_BYTES,
	TCA_DWCS_STATS_DROP_LATE,	/* lossy: could not meet its deadline, dropped at the source */
	TCA_DWCS_STATS_DROP_OVERFLOW,	/* class or qdisc limit reached */
	TCA_DWCS_STATS_DROP_FRAME,	/* dropped because another packet of its frame was dropped */
	TCA_DWCS_STATS_DROP_WINDOW,	/* lossy: head dropped on a stream-period miss within x/y */
	TCA_DWCS_STATS_DROP_NONDROPPABLE, /* non-droppable packets lost on overflow (nothing else could go) */
	TCA_DWCS_STATS_LATE_SENT,	/* lossless: sent after its deadline */
	TCA_DWCS_STATS_DEADLINE_MISSES,	/* stream periods missed (one per period) */
	TCA_DWCS_STATS_VIOLATIONS,	/* misses with x' = 0: the window constraint was violated */
	TCA_DWCS_STATS_CUR_X,		/* u32: current x' */
	TCA_DWCS_STATS_CUR_Y,		/* u32: current y' */
	TCA_DWCS_STATS_DELAY_SUM_NS,	/* sum of queueing delays of sent packets (mean = sum/sent) */
	TCA_DWCS_STATS_DELAY_MAX_NS,	/* largest queueing delay of a sent packet */
	TCA_DWCS_STATS_BACKLOG_PKTS,	/* u32 */
	TCA_DWCS_STATS_BACKLOG_BYTES,	/* u32 */
	TCA_DWCS_STATS_STREAMS,		/* u32, qdisc: classes configured */
	TCA_DWCS_STATS_ACTIVE_STREAMS,	/* u32, qdisc: classes with packets queued */
	TCA_DWCS_STATS_BE_PKTS,		/* qdisc: best-effort packets sent */
	TCA_DWCS_STATS_THROTTLED,	/* qdisc: dequeues held back by the shaper or eligibility */
	TCA_DWCS_STATS_HORIZON_CAPS,	/* qdisc: deadlines beyond the horizon, clamped to it */
	__TCA_DWCS_STATS_MAX
};
#define TCA_DWCS_STATS_MAX (__TCA_DWCS_STATS_MAX - 1)

enum {
	DWCS_STATS_KIND_QDISC = 1,
	DWCS_STATS_KIND_CLASS = 2,
};

#endif /* _UAPI_LINUX_PKT_SCH_DWCS_H */
