// SPDX-License-Identifier: GPL-2.0
/*
 * sch_dwcs.c — Dynamic Window-Constrained Scheduling queueing discipline.
 *
 * A classful qdisc: every class is a stream with a request period (ipg), a window constraint
 * x/y (oln/old) and flags; DWCS (dwcs_core.c) decides which stream's head goes next.
 * Unclassified packets wait in a best-effort FIFO that a real-time stream with an eligible
 * head always pre-empts. A root shaper (`rate`) paces dequeues byte-accurately, which is what
 * makes this qdisc the bottleneck on a fast link (and reproduces the paper's 10 Mbit/s link).
 *
 *  no class, no filter, no rate: nothing to schedule, and a packet that finds the qdisc empty
 *   skips enqueue and dequeue as pfifo's does (TCQ_F_CAN_BYPASS, dwcs_update_bypass());
 *  enqueue():
 *   - class: skb->priority == classid, else the attached filters (cls_bpf direct action sets
 *     the classid), else best effort;
 *   - per-packet metadata into the cb: deadline from skb->tstamp (non-TCP packets of `edf`
 *     classes), flags from skb->mark & markmask (docs/dwcs.md, uapi pkt_sch_dwcs.h);
 *   - dwcs_admit() drops what is late already or belongs to a dropped frame; a full class
 *     gives up its highest drop priority first (dwcs_overflow_victim()); a full qdisc
 *     makes room for a stream within its limit by dropping best effort first;
 *  dequeue():
 *   - shaper: nothing before time_next_packet (watchdog);
 *   - dwcs_select() accounts misses (one per period), drops late lossy heads and returns the
 *     stream to serve; none eligible: best effort, else sleep until the next eligibility.
 *
 * GSO: with a shaper, a GSO skb is segmented at enqueue (as tbf does): a 64 KB burst would
 * otherwise hold a slow link for tens of ms and DWCS schedules packets, not bursts. Without a
 * shaper a GSO skb is one scheduling unit (the link is not the bottleneck then).
 *
 * Locking: enqueue/dequeue run under the qdisc root lock; configuration takes sch_tree_lock
 * only to commit what was validated and allocated before.
 *
 * The core is compiled into this one object (below) so that the module keeps the name the
 * 6.1 autoloader asks for and the hot path inlines across the core's calls.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/skbuff.h>
#include <linux/netdevice.h>
#include <linux/pkt_sched.h>
#include <net/netlink.h>
#include <net/pkt_sched.h>
#include <net/pkt_cls.h>
#include <net/sch_generic.h>
#include <net/sock.h>

#include "compat.h"
#include "dwcs_core.h"
#include "dwcs_core.c"
#include "dwcs_tree.c"

#define DWCS_MIN_RATE		125ULL		/* bytes/s: 1 kbit/s */
#define DWCS_INITIAL_SLOTS	16U

struct dwcs_class {
	struct Qdisc_class_common common;	/* classid, hash node */
	struct dwcs_stream stream;
	struct sk_buff_head queue;
	u32 limit;
	unsigned int filter_cnt;
	u64 sent_bytes;

	struct gnet_stats_basic_sync bstats;
	struct gnet_stats_queue qstats;
	struct net_rate_estimator __rcu *rate_est;
};

struct dwcs_sched_data {
	struct dwcs_sched core;
	struct sk_buff_head be;			/* best effort FIFO */
	u64 rate;				/* bytes per second, 0 = unlimited */
	u64 time_next_packet;			/* shaper */
	u64 idle_until;				/* waiting for this eligibility, 0 = not */
	u64 horizon;				/* ns: how far ahead a deadline may be */
	u32 markmask;
	u8 mark_shift;
	u8 order;
	bool work_conserving;

	struct Qdisc_class_hash clhash;
	struct tcf_proto __rcu *filter_list;
	struct tcf_block *block;
	struct tcf_block_ext_info block_info;	/* to hear when the first filter comes or the last goes */
	struct qdisc_watchdog watchdog;
	void *trees;				/* the core's trees (dwcs_sched_mem_size) */

	/* drops in dequeue not yet reported to the parents (see dwcs_dequeue()) */
	u32 pending_drops;
	u32 pending_drop_bytes;

	/* statistics */
	u64 be_pkts;				/* dequeued; those that bypassed: dwcs_bypassed() */
	u64 dequeued_pkts;			/* what dwcs_dequeue() returned, counted as bstats does */
	u64 be_drops;
	u64 throttled;
	u64 horizon_caps;
	struct dwcs_stream_stats gone;		/* counters of deleted classes, for root totals */
};

/* ---------------------------------------------------------------- packet metadata */

static struct dwcs_pkt *dwcs_skb_pkt(const struct sk_buff *skb)
{
	qdisc_cb_private_validate(skb, sizeof(struct dwcs_pkt));
	return (struct dwcs_pkt *)qdisc_skb_cb(skb)->data;
}

static struct dwcs_class *dwcs_class_of(struct dwcs_stream *s)
{
	return container_of(s, struct dwcs_class, stream);
}

/*
 * The application's deadline: skb->tstamp as set by SCM_TXTIME, CLOCK_MONOTONIC. A socket
 * that asked for another clock, or TCP's own departure time, is not a deadline.
 */
static u64 dwcs_skb_deadline(const struct sk_buff *skb)
{
	const struct sock *sk = skb->sk;

	if (!skb->tstamp || dwcs_tstamp_is_tcp_edt(skb))
		return 0;
	if (sk && sk_fullsock(sk) && sock_flag(sk, SOCK_TXTIME) &&
	    sk->sk_clockid != CLOCK_MONOTONIC)
		return 0;
	return ktime_to_ns(skb->tstamp);
}

static u8 dwcs_skb_mark(const struct dwcs_sched_data *q, const struct sk_buff *skb)
{
	if (!q->markmask)
		return 0;
	return ((skb->mark & q->markmask) >> q->mark_shift) & DWCS_MARK_FIELD_MASK;
}

/* ---------------------------------------------------------------- core callbacks */

static struct dwcs_pkt *dwcs_head_cb(struct dwcs_sched *core, struct dwcs_stream *s)
{
	struct sk_buff *skb = skb_peek(&dwcs_class_of(s)->queue);

	return skb ? dwcs_skb_pkt(skb) : NULL;
}

static void dwcs_drop_head_cb(struct dwcs_sched *core, struct dwcs_stream *s,
			      enum dwcs_drop_reason why)
{
	struct dwcs_sched_data *q = container_of(core, struct dwcs_sched_data, core);
	struct Qdisc *sch = dwcs_qdisc_from_priv(q);
	struct dwcs_class *cl = dwcs_class_of(s);
	struct sk_buff *skb = __skb_dequeue(&cl->queue);
	unsigned int len = qdisc_pkt_len(skb);

	cl->qstats.backlog -= len;
	cl->qstats.drops++;
	sch->qstats.backlog -= len;
	sch->q.qlen--;
	q->pending_drops++;
	q->pending_drop_bytes += len;
	qdisc_qstats_drop(sch);
	kfree_skb_reason(skb, SKB_DROP_REASON_QDISC_DROP);
}

static const struct dwcs_ops dwcs_core_ops = {
	.head = dwcs_head_cb,
	.drop_head = dwcs_drop_head_cb,
};

/* ---------------------------------------------------------------- classes */

static struct dwcs_class *dwcs_find_class(struct Qdisc *sch, u32 classid)
{
	struct dwcs_sched_data *q = qdisc_priv(sch);
	struct Qdisc_class_common *clc = qdisc_class_find(&q->clhash, classid);

	return clc ? container_of(clc, struct dwcs_class, common) : NULL;
}

enum dwcs_verdict {
	DWCS_TO_CLASS,
	DWCS_TO_BEST_EFFORT,
	DWCS_TO_NOWHERE,	/* a filter stole or shot it */
};

static enum dwcs_verdict dwcs_classify(struct sk_buff *skb, struct Qdisc *sch,
				       struct dwcs_class **clp, int *qerr)
{
	struct dwcs_sched_data *q = qdisc_priv(sch);
	struct tcf_result res;
	struct tcf_proto *fl;
	int result;

	if (TC_H_MAJ(skb->priority ^ sch->handle) == 0) {
		*clp = dwcs_find_class(sch, skb->priority);
		if (*clp)
			return DWCS_TO_CLASS;
	}
	fl = rcu_dereference_bh(q->filter_list);
	if (!fl)
		return DWCS_TO_BEST_EFFORT;
	result = dwcs_tcf_classify(skb, fl, &res);
	if (result < 0)
		return DWCS_TO_BEST_EFFORT;
#ifdef CONFIG_NET_CLS_ACT
	switch (result) {
	case TC_ACT_QUEUED:
	case TC_ACT_STOLEN:
	case TC_ACT_TRAP:
		*qerr = NET_XMIT_SUCCESS | __NET_XMIT_STOLEN;
		return DWCS_TO_NOWHERE;
	case TC_ACT_SHOT:
		*qerr = NET_XMIT_SUCCESS | __NET_XMIT_BYPASS;
		return DWCS_TO_NOWHERE;
	}
#endif
	*clp = (struct dwcs_class *)res.class;
	if (!*clp) {
		/*
		 * A direct-action program can only write 16 bits (skb->tc_classid): a classid
		 * without a major is a minor of this qdisc.
		 */
		if (!TC_H_MAJ(res.classid))
			res.classid = TC_H_MAKE(sch->handle, res.classid);
		*clp = dwcs_find_class(sch, res.classid);
	}
	return *clp ? DWCS_TO_CLASS : DWCS_TO_BEST_EFFORT;
}

/* ---------------------------------------------------------------- enqueue */

/* The newest queued packet of drop priority @prio that may be dropped. */
static struct sk_buff *dwcs_overflow_find(struct dwcs_class *cl, int prio)
{
	struct sk_buff *skb;

	skb_queue_reverse_walk(&cl->queue, skb) {
		const struct dwcs_pkt *pkt = dwcs_skb_pkt(skb);

		if (!(pkt->mark & DWCS_MARK_NONDROPPABLE) && dwcs_mark_drop_prio(pkt->mark) == prio)
			return skb;
	}
	return NULL;
}

/*
 * Make room for a stream's packet in a full qdisc at the cost of best effort: real-time
 * streams pre-empt best effort for buffer space as they do for the link, so a bulk flow that
 * fills the qdisc cannot make a stream within its own limit lose packets. The newest
 * best-effort packet goes, as a FIFO would have dropped it.
 */
static void dwcs_drop_best_effort_tail(struct Qdisc *sch, struct sk_buff **to_free)
{
	struct dwcs_sched_data *q = qdisc_priv(sch);
	struct sk_buff *victim = __skb_dequeue_tail(&q->be);
	unsigned int vlen = qdisc_pkt_len(victim);

	q->be_drops++;
	qdisc_qstats_overlimit(sch);
	qdisc_qstats_backlog_dec(sch, victim);
	sch->q.qlen--;
	qdisc_drop(victim, sch, to_free);
	/* The parents counted the victim; they will count the new packet on return. */
	qdisc_tree_reduce_backlog(sch, 1, vlen);
}

static int dwcs_enqueue_class(struct sk_buff *skb, struct Qdisc *sch, struct dwcs_class *cl,
			      struct sk_buff **to_free)
{
	struct dwcs_sched_data *q = qdisc_priv(sch);
	struct dwcs_pkt *pkt = dwcs_skb_pkt(skb);
	unsigned int len = qdisc_pkt_len(skb);
	u64 now = pkt->enqueued;

	if (dwcs_admit(&q->core, &cl->stream, pkt, now) != DWCS_ADMIT_OK) {
		cl->qstats.drops++;
		return qdisc_drop(skb, sch, to_free);
	}
	if (cl->stream.backlog < cl->limit && sch->q.qlen >= sch->limit &&
	    !skb_queue_empty(&q->be))
		dwcs_drop_best_effort_tail(sch, to_free);
	if (cl->stream.backlog >= cl->limit || sch->q.qlen >= sch->limit) {
		int prio = dwcs_overflow_victim(&cl->stream, pkt);
		struct sk_buff *victim = prio == DWCS_VICTIM_INCOMING ? NULL :
					 dwcs_overflow_find(cl, prio);
		unsigned int vlen;

		qdisc_qstats_overlimit(sch);
		cl->qstats.overlimits++;
		cl->qstats.drops++;
		if (!victim) {
			dwcs_count_drop(&cl->stream, pkt->mark & DWCS_MARK_NONDROPPABLE ?
						     DWCS_DROP_NONDROPPABLE : DWCS_DROP_OVERFLOW);
			return qdisc_drop(skb, sch, to_free);
		}
		vlen = qdisc_pkt_len(victim);
		__skb_unlink(victim, &cl->queue);
		dwcs_unlinked(&q->core, &cl->stream, dwcs_skb_pkt(victim), DWCS_DROP_OVERFLOW, now);
		cl->qstats.backlog -= vlen;
		sch->qstats.backlog -= vlen;
		sch->q.qlen--;
		qdisc_drop(victim, sch, to_free);
		/* The parents counted the victim; they will count the new packet on return. */
		qdisc_tree_reduce_backlog(sch, 1, vlen);
	}
	__skb_queue_tail(&cl->queue, skb);
	cl->qstats.backlog += len;
	qdisc_qstats_backlog_inc(sch, skb);
	sch->q.qlen++;
	dwcs_arrived(&q->core, &cl->stream, pkt, now);
	return NET_XMIT_SUCCESS;
}

static int dwcs_enqueue_one(struct sk_buff *skb, struct Qdisc *sch, struct dwcs_class *cl,
			    struct sk_buff **to_free)
{
	struct dwcs_sched_data *q = qdisc_priv(sch);

	if (cl)
		return dwcs_enqueue_class(skb, sch, cl, to_free);
	if (unlikely(sch->q.qlen >= sch->limit)) {
		q->be_drops++;
		qdisc_qstats_overlimit(sch);
		return qdisc_drop(skb, sch, to_free);
	}
	__skb_queue_tail(&q->be, skb);
	qdisc_qstats_backlog_inc(sch, skb);
	sch->q.qlen++;
	return NET_XMIT_SUCCESS;
}

/* One GSO skb in, its segments queued one by one with the metadata of the whole. */
static int dwcs_enqueue_segments(struct sk_buff *skb, struct Qdisc *sch, struct dwcs_class *cl,
				 struct sk_buff **to_free)
{
	netdev_features_t features = netif_skb_features(skb);
	unsigned int len = 0, prev_len = qdisc_pkt_len(skb);
	struct dwcs_pkt meta = *dwcs_skb_pkt(skb);
	struct sk_buff *segs, *nskb;
	int nb = 0;

	segs = skb_gso_segment(skb, features & ~NETIF_F_GSO_MASK);
	if (IS_ERR_OR_NULL(segs))
		return qdisc_drop(skb, sch, to_free);

	skb_list_walk_safe(segs, segs, nskb) {
		unsigned int seg_len = segs->len;

		skb_mark_not_on_list(segs);
		qdisc_skb_cb(segs)->pkt_len = seg_len;
		*dwcs_skb_pkt(segs) = meta;
		if (dwcs_enqueue_one(segs, sch, cl, to_free) == NET_XMIT_SUCCESS) {
			nb++;
			len += seg_len;
		}
	}
	if (nb > 0) {
		/* The parents will count one packet of prev_len; tell them what it became. */
		qdisc_tree_reduce_backlog(sch, 1 - nb, prev_len - len);
		consume_skb(skb);
		return NET_XMIT_SUCCESS;
	}
	kfree_skb(skb);
	return NET_XMIT_DROP;
}

static int dwcs_enqueue(struct sk_buff *skb, struct Qdisc *sch, struct sk_buff **to_free)
{
	struct dwcs_sched_data *q = qdisc_priv(sch);
	int err = NET_XMIT_SUCCESS | __NET_XMIT_BYPASS;
	struct dwcs_class *cl = NULL;
	struct dwcs_pkt *pkt;

	switch (dwcs_classify(skb, sch, &cl, &err)) {
	case DWCS_TO_NOWHERE:
		if (err & __NET_XMIT_BYPASS)
			qdisc_qstats_drop(sch);
		__qdisc_drop(skb, to_free);
		return err;
	case DWCS_TO_BEST_EFFORT:
		cl = NULL;
		break;
	case DWCS_TO_CLASS:
		break;
	}

	pkt = dwcs_skb_pkt(skb);
	/* best effort is FIFO: its packets need no time (pfifo's path reads no clock either) */
	pkt->enqueued = cl ? ktime_get_ns() : 0;
	pkt->deadline = cl && (cl->stream.p.flags & DWCS_CLASS_F_EDF) ? dwcs_skb_deadline(skb) : 0;
	/*
	 * The horizon, as sch_fq's: a deadline absurdly far ahead (a bug, a wrong clock, a
	 * sender gaming the order) is clamped, not dropped, since a deadline is a scheduling
	 * hint and lossless or non-droppable packets must not be lost for it. Clamped, every
	 * key in the trees lies within a bounded span of now, far inside the 2^63 ns in which
	 * dwcs_time_before() orders time correctly. A deadline already past is signed-negative
	 * here and left to the lateness rules. (q->horizon changes under this same root lock.)
	 */
	if (pkt->deadline && (s64)(pkt->deadline - pkt->enqueued) > (s64)q->horizon) {
		pkt->deadline = pkt->enqueued + q->horizon;
		q->horizon_caps++;
	}
	pkt->mark = dwcs_skb_mark(q, skb);
	pkt->state = 0;

	if (skb_is_gso(skb) && q->rate)
		return dwcs_enqueue_segments(skb, sch, cl, to_free);
	return dwcs_enqueue_one(skb, sch, cl, to_free);
}

/* ---------------------------------------------------------------- dequeue */

static void dwcs_shaper_advance(struct dwcs_sched_data *q, unsigned int len, u64 now)
{
	u64 base = q->time_next_packet;

	/*
	 * The schedule is kept exactly, time_next_packet += len / rate, however late the
	 * watchdog fired: while backlogged the link never loses time. After a wait for an
	 * eligibility instant the link resumes at that instant, not at the (late) wake-up.
	 * Credit is never banked while idle: dwcs_shaper_idle() restarts the schedule at the
	 * first instant the qdisc had nothing it could send.
	 */
	if (q->idle_until) {
		u64 resume = dwcs_time_before(q->idle_until, now) ? q->idle_until : now;

		if (dwcs_time_before(base, resume))
			base = resume;
		q->idle_until = 0;
	}
	q->time_next_packet = base + div64_u64((u64)len * NSEC_PER_SEC, q->rate);
}

static void dwcs_shaper_idle(struct dwcs_sched_data *q, u64 now, u64 until)
{
	if (dwcs_time_before(q->time_next_packet, now))
		q->time_next_packet = now;
	q->idle_until = until == U64_MAX ? 0 : until;
}

static void dwcs_report_drops(struct Qdisc *sch, struct dwcs_sched_data *q)
{
	/*
	 * Parents must hear of packets dropped in dequeue, but not while our qlen is 0: HTB
	 * would deactivate us in the middle of its own dequeue (codel defers the same way).
	 */
	if (q->pending_drops && sch->q.qlen) {
		qdisc_tree_reduce_backlog(sch, q->pending_drops, q->pending_drop_bytes);
		q->pending_drops = 0;
		q->pending_drop_bytes = 0;
	}
}

static struct sk_buff *dwcs_dequeue(struct Qdisc *sch)
{
	struct dwcs_sched_data *q = qdisc_priv(sch);
	struct dwcs_stream *s;
	struct sk_buff *skb;
	u64 now = 0, next;

	if (!sch->q.qlen) {
		if (q->rate)
			dwcs_shaper_idle(q, ktime_get_ns(), U64_MAX);
		return NULL;
	}
	/*
	 * Best effort alone, on an unshaped link: no stream to account or wait for, so no clock
	 * to read. Two clock reads a packet (here and at enqueue) were most of what best effort
	 * cost beyond pfifo in test/bench/vm-flood.
	 */
	if (!q->rate && sch->q.qlen == skb_queue_len(&q->be)) {
		skb = __skb_dequeue(&q->be);
		q->be_pkts++;
		goto sent;
	}
	now = ktime_get_ns();
	if (q->rate && dwcs_time_before(now, q->time_next_packet)) {
		q->throttled++;
		qdisc_watchdog_schedule_ns(&q->watchdog, q->time_next_packet);
		return NULL;
	}

	s = dwcs_select(&q->core, now, &next);
	if (s) {
		struct dwcs_class *cl = dwcs_class_of(s);

		skb = __skb_dequeue(&cl->queue);
		dwcs_charge(s, qdisc_pkt_len(skb), now);
		dwcs_served(&q->core, s, dwcs_skb_pkt(skb), now);
		cl->qstats.backlog -= qdisc_pkt_len(skb);
		cl->sent_bytes += qdisc_pkt_len(skb);
		bstats_update(&cl->bstats, skb);
	} else {
		skb = __skb_dequeue(&q->be);
		if (!skb) {
			/* Backlogged streams, none eligible yet (non-work-conserving). */
			if (next != U64_MAX) {
				q->throttled++;
				qdisc_watchdog_schedule_ns(&q->watchdog, next);
			}
			dwcs_shaper_idle(q, now, next);
			dwcs_report_drops(sch, q);
			return NULL;
		}
		q->be_pkts++;
	}
sent:
	sch->qstats.backlog -= qdisc_pkt_len(skb);
	sch->q.qlen--;
	qdisc_bstats_update(sch, skb);
	q->dequeued_pkts += skb_is_gso(skb) ? skb_shinfo(skb)->gso_segs : 1;
	if (q->rate)
		dwcs_shaper_advance(q, qdisc_pkt_len(skb), now);
	dwcs_report_drops(sch, q);
	return skb;
}

/* ---------------------------------------------------------------- configuration */

static const struct nla_policy dwcs_policy[TCA_DWCS_MAX + 1] = {
	[TCA_DWCS_RATE64]	= { .type = NLA_U64 },
	[TCA_DWCS_LIMIT]	= { .type = NLA_U32 },
	[TCA_DWCS_MARKMASK]	= { .type = NLA_U32 },
	[TCA_DWCS_FLAGS]	= NLA_POLICY_BITFIELD32(TCA_DWCS_F_ALL),
	[TCA_DWCS_ORDER]	= { .type = NLA_U8 },
	[TCA_DWCS_HORIZON]	= { .type = NLA_U64 },
};

static const struct nla_policy dwcs_class_policy[TCA_DWCS_CLASS_MAX + 1] = {
	[TCA_DWCS_CLASS_IPG]	= { .type = NLA_U64 },
	[TCA_DWCS_CLASS_OLN]	= { .type = NLA_U32 },
	[TCA_DWCS_CLASS_OLD]	= { .type = NLA_U32 },
	[TCA_DWCS_CLASS_FLAGS]	= NLA_POLICY_BITFIELD32(DWCS_CLASS_F_ALL),
	[TCA_DWCS_CLASS_LIMIT]	= { .type = NLA_U32 },
	[TCA_DWCS_CLASS_MAXRATE64] = { .type = NLA_U64 },
};

/*
 * Strict parsing of a nest that may or may not carry NLA_F_NESTED: tc's addattr_nest() omits
 * it, libnl sets it. nla_parse_nested() would insist on the flag, the _deprecated variant
 * would skip the strict checks (unknown attributes, trailing bytes).
 */
static int dwcs_parse_nest(struct nlattr **tb, int maxtype, const struct nlattr *nest,
			   const struct nla_policy *policy, struct netlink_ext_ack *extack)
{
	return __nla_parse(tb, maxtype, nla_data(nest), nla_len(nest), policy,
			   NL_VALIDATE_STRICT, extack);
}

static u32 dwcs_bitfield_apply(u32 old, const struct nlattr *attr)
{
	struct nla_bitfield32 bf = nla_get_bitfield32(attr);

	return (old & ~bf.selector) | (bf.value & bf.selector);
}

/* markmask: 0, or one contiguous run of at least DWCS_MARK_BITS bits. */
static bool dwcs_markmask_valid(u32 mask)
{
	u32 run;

	if (!mask)
		return true;
	run = mask >> __ffs(mask);
	return !(run & (run + 1)) && hweight32(run) >= DWCS_MARK_BITS;
}

/*
 * pfifo's shortcut, TCQ_F_CAN_BYPASS: a packet that finds the qdisc empty goes straight to the
 * device, with no enqueue or dequeue (what best effort cost beyond pfifo in vm-flood). Sound
 * only while there is nothing to schedule: no class (every packet is best effort, FIFO), no
 * filter (its actions must run) and no shaper (the link rate must hold). The core reads the
 * flag under the root lock; it changes under the same lock wherever one of the three does
 * (tc itself clears it when a filter is added, and never sets it again: fq_codel and sfq stay
 * queued after their last filter goes, this qdisc does not). What bypassed counts in the
 * qdisc's bstats only: dwcs_bypassed() finds it there for best effort's counter.
 */
static void dwcs_update_bypass(struct Qdisc *sch)
{
	struct dwcs_sched_data *q = qdisc_priv(sch);

	if (!q->rate && !q->clhash.hashelems && !rcu_access_pointer(q->filter_list))
		sch->flags |= TCQ_F_CAN_BYPASS;
	else
		sch->flags &= ~TCQ_F_CAN_BYPASS;
}

/* Packets the core sent past us, in bstats' units (GSO segments); under the tree lock. */
static u64 dwcs_bypassed(struct Qdisc *sch)
{
	struct dwcs_sched_data *q = qdisc_priv(sch);

	return u64_stats_read(&sch->bstats.packets) - q->dequeued_pkts;
}

/* The block's first filter came or its last went (tcf_chain0_head_change). */
static void dwcs_filters_changed(struct tcf_proto *head, void *priv)
{
	struct Qdisc *sch = priv;
	struct dwcs_sched_data *q = qdisc_priv(sch);

	sch_tree_lock(sch);
	rcu_assign_pointer(q->filter_list, head);
	dwcs_update_bypass(sch);
	sch_tree_unlock(sch);
}

static int dwcs_change(struct Qdisc *sch, struct nlattr *opt, struct netlink_ext_ack *extack)
{
	struct dwcs_sched_data *q = qdisc_priv(sch);
	struct nlattr *tb[TCA_DWCS_MAX + 1];
	u64 rate = q->rate;
	u32 limit = sch->limit, markmask = q->markmask;
	u32 flags = q->work_conserving ? TCA_DWCS_F_WORK_CONSERVING : 0;
	u64 horizon = q->horizon;
	u8 order = q->order;
	struct dwcs_class *cl;
	unsigned int i;
	u64 now;
	int err;

	if (!opt)
		return 0;
	err = dwcs_parse_nest(tb, TCA_DWCS_MAX, opt, dwcs_policy, extack);
	if (err < 0)
		return err;

	if (tb[TCA_DWCS_RATE64]) {
		rate = nla_get_u64(tb[TCA_DWCS_RATE64]);
		if (rate && rate < DWCS_MIN_RATE) {
			NL_SET_ERR_MSG_ATTR(extack, tb[TCA_DWCS_RATE64],
					    "rate below 1kbit (125 bytes/s); 0 means unlimited");
			return -ERANGE;
		}
	}
	if (tb[TCA_DWCS_LIMIT]) {
		limit = nla_get_u32(tb[TCA_DWCS_LIMIT]);
		if (!limit || limit > DWCS_MAX_LIMIT) {
			NL_SET_ERR_MSG_ATTR(extack, tb[TCA_DWCS_LIMIT],
					    "limit must be 1 to 1000000 packets");
			return -ERANGE;
		}
	}
	if (tb[TCA_DWCS_MARKMASK]) {
		markmask = nla_get_u32(tb[TCA_DWCS_MARKMASK]);
		if (!dwcs_markmask_valid(markmask)) {
			NL_SET_ERR_MSG_ATTR(extack, tb[TCA_DWCS_MARKMASK],
					    "markmask must be 0 or one contiguous run of at least 5 bits");
			return -EINVAL;
		}
	}
	if (tb[TCA_DWCS_FLAGS])
		flags = dwcs_bitfield_apply(flags, tb[TCA_DWCS_FLAGS]);
	if (tb[TCA_DWCS_ORDER]) {
		order = nla_get_u8(tb[TCA_DWCS_ORDER]);
		if (order >= __DWCS_ORDER_MAX) {
			NL_SET_ERR_MSG_ATTR(extack, tb[TCA_DWCS_ORDER],
					    "order must be 0 (table A, deadline first) or 1 (table B, window first)");
			return -ERANGE;
		}
	}

	if (tb[TCA_DWCS_HORIZON]) {
		horizon = nla_get_u64(tb[TCA_DWCS_HORIZON]);
		if (horizon < DWCS_MIN_HORIZON_NS || horizon > DWCS_MAX_HORIZON_NS) {
			NL_SET_ERR_MSG_ATTR(extack, tb[TCA_DWCS_HORIZON],
					    "horizon must be 1ms to 1h");
			return -ERANGE;
		}
	}

	/* Everything is valid: commit. */
	sch_tree_lock(sch);
	/*
	 * A new rate starts its schedule now: an unshaped qdisc keeps none (dwcs_dequeue()
	 * reads no clock then), and a stale time_next_packet would let a burst through.
	 */
	if (rate != q->rate) {
		q->time_next_packet = ktime_get_ns();
		q->idle_until = 0;
	}
	WRITE_ONCE(q->rate, rate);
	dwcs_update_bypass(sch);
	WRITE_ONCE(q->horizon, horizon);
	WRITE_ONCE(sch->limit, limit);
	WRITE_ONCE(q->markmask, markmask);
	q->mark_shift = markmask ? __ffs(markmask) : 0;
	if (order != q->order || !!(flags & TCA_DWCS_F_WORK_CONSERVING) != q->work_conserving) {
		WRITE_ONCE(q->order, order);
		WRITE_ONCE(q->work_conserving, flags & TCA_DWCS_F_WORK_CONSERVING);
		dwcs_sched_set_mode(&q->core, order, q->work_conserving);
		now = ktime_get_ns();
		for (i = 0; i < q->clhash.hashsize; i++)
			hlist_for_each_entry(cl, &q->clhash.hash[i], common.hnode)
				dwcs_requeue(&q->core, &cl->stream, now);
	}
	sch_tree_unlock(sch);
	return 0;
}

static int dwcs_init(struct Qdisc *sch, struct nlattr *opt, struct netlink_ext_ack *extack)
{
	struct dwcs_sched_data *q = qdisc_priv(sch);
	int err;

	qdisc_watchdog_init(&q->watchdog, sch);
	__skb_queue_head_init(&q->be);
	sch->limit = DWCS_DEFAULT_LIMIT;
	q->markmask = DWCS_DEFAULT_MARKMASK;
	q->mark_shift = __ffs(DWCS_DEFAULT_MARKMASK);
	q->order = DWCS_ORDER_DEADLINE_FIRST;
	q->horizon = DWCS_DEFAULT_HORIZON_NS;

	q->trees = kvzalloc(dwcs_sched_mem_size(DWCS_INITIAL_SLOTS), GFP_KERNEL);
	if (!q->trees)
		return -ENOMEM;
	dwcs_sched_init(&q->core, &dwcs_core_ops, q->trees, DWCS_INITIAL_SLOTS);
	/* what dwcs_dequeue() reads of a class besides its stream, prefetched with it */
	q->core.prefetch_after = offsetofend(struct dwcs_class, qstats) -
				 offsetofend(struct dwcs_class, stream);

	q->block_info.binder_type = FLOW_BLOCK_BINDER_TYPE_UNSPEC;
	q->block_info.chain_head_change = dwcs_filters_changed;
	q->block_info.chain_head_change_priv = sch;
	err = tcf_block_get_ext(&q->block, sch, &q->block_info, extack);
	if (err)
		return err;
	err = qdisc_class_hash_init(&q->clhash);
	if (err)
		return err;
	return dwcs_change(sch, opt, extack);
}

static void dwcs_class_purge(struct Qdisc *sch, struct dwcs_class *cl)
{
	struct dwcs_sched_data *q = qdisc_priv(sch);
	unsigned int qlen = skb_queue_len(&cl->queue);
	unsigned int backlog = cl->qstats.backlog;

	if (!qlen)
		return;
	sch->q.qlen -= qlen;
	sch->qstats.backlog -= backlog;
	cl->qstats.backlog = 0;
	__skb_queue_purge(&cl->queue);
	dwcs_stream_purged(&q->core, &cl->stream);
	qdisc_tree_reduce_backlog(sch, qlen, backlog);
}

static void dwcs_reset(struct Qdisc *sch)
{
	struct dwcs_sched_data *q = qdisc_priv(sch);
	struct dwcs_class *cl;
	unsigned int i;

	for (i = 0; i < q->clhash.hashsize; i++) {
		hlist_for_each_entry(cl, &q->clhash.hash[i], common.hnode) {
			__skb_queue_purge(&cl->queue);
			cl->qstats.backlog = 0;
			dwcs_stream_purged(&q->core, &cl->stream);
		}
	}
	__skb_queue_purge(&q->be);
	sch->q.qlen = 0;
	sch->qstats.backlog = 0;
	q->pending_drops = 0;
	q->pending_drop_bytes = 0;
	q->time_next_packet = 0;
	q->idle_until = 0;
	qdisc_watchdog_cancel(&q->watchdog);
}

static void dwcs_destroy_class(struct Qdisc *sch, struct dwcs_class *cl)
{
	gen_kill_estimator(&cl->rate_est);
	__skb_queue_purge(&cl->queue);
	kfree(cl);
}

static void dwcs_destroy(struct Qdisc *sch)
{
	struct dwcs_sched_data *q = qdisc_priv(sch);
	struct hlist_node *next;
	struct dwcs_class *cl;
	unsigned int i;

	qdisc_watchdog_cancel(&q->watchdog);
	tcf_block_put_ext(q->block, sch, &q->block_info);
	if (q->clhash.hash) {
		for (i = 0; i < q->clhash.hashsize; i++)
			hlist_for_each_entry_safe(cl, next, &q->clhash.hash[i], common.hnode)
				dwcs_destroy_class(sch, cl);
		qdisc_class_hash_destroy(&q->clhash);
	}
	__skb_queue_purge(&q->be);
	kvfree(q->trees);
}

/* ---------------------------------------------------------------- class configuration */

static int dwcs_class_params(struct dwcs_class *cl, struct nlattr **tb,
			     struct dwcs_stream_params *p, u32 *limit,
			     struct netlink_ext_ack *extack)
{
	const char *why;
	int err;

	if (cl) {
		*p = cl->stream.p;
		*limit = cl->limit;
	} else {
		memset(p, 0, sizeof(*p));
		*limit = DWCS_DEFAULT_CLASS_LIMIT;
		if (!tb[TCA_DWCS_CLASS_IPG]) {
			NL_SET_ERR_MSG_MOD(extack, "a new dwcs class needs ipg (its request period)");
			return -EINVAL;
		}
	}
	if (tb[TCA_DWCS_CLASS_IPG])
		p->period_ns = nla_get_u64(tb[TCA_DWCS_CLASS_IPG]);
	if (tb[TCA_DWCS_CLASS_OLN])
		p->x = nla_get_u32(tb[TCA_DWCS_CLASS_OLN]);
	if (tb[TCA_DWCS_CLASS_OLD])
		p->y = nla_get_u32(tb[TCA_DWCS_CLASS_OLD]);
	if (tb[TCA_DWCS_CLASS_FLAGS])
		p->flags = dwcs_bitfield_apply(p->flags, tb[TCA_DWCS_CLASS_FLAGS]);
	if (tb[TCA_DWCS_CLASS_MAXRATE64])
		p->max_rate = nla_get_u64(tb[TCA_DWCS_CLASS_MAXRATE64]);
	if (tb[TCA_DWCS_CLASS_LIMIT]) {
		*limit = nla_get_u32(tb[TCA_DWCS_CLASS_LIMIT]);
		if (!*limit || *limit > DWCS_MAX_LIMIT) {
			NL_SET_ERR_MSG_ATTR(extack, tb[TCA_DWCS_CLASS_LIMIT],
					    "class limit must be 1 to 1000000 packets");
			return -ERANGE;
		}
	}
	err = dwcs_params_check(p, &why);
	if (err) {
		dwcs_extack_static(extack, why);
		return err;
	}
	return 0;
}

/* Room for one more stream in the core's trees, allocated before taking the tree lock. */
static int dwcs_reserve_slot(struct Qdisc *sch, void **fresh, u32 *cap)
{
	struct dwcs_sched_data *q = qdisc_priv(sch);
	u32 have = dwcs_sched_capacity(&q->core);

	*fresh = NULL;
	if (q->core.streams < have)
		return 0;
	*cap = have * 2;
	*fresh = kvzalloc(dwcs_sched_mem_size(*cap), GFP_KERNEL);
	return *fresh ? 0 : -ENOMEM;
}

static int dwcs_change_class(struct Qdisc *sch, u32 classid, u32 parentid, struct nlattr **tca,
			     unsigned long *arg, struct netlink_ext_ack *extack)
{
	struct dwcs_sched_data *q = qdisc_priv(sch);
	struct dwcs_class *cl = (struct dwcs_class *)*arg;
	struct nlattr *tb[TCA_DWCS_CLASS_MAX + 1] = { NULL };
	void *fresh = NULL, *old;
	struct nlattr *opt = tca[TCA_OPTIONS];
	struct dwcs_stream_params p;
	u32 limit, cap = 0;
	int err;

	if (parentid && parentid != TC_H_ROOT && parentid != sch->handle) {
		NL_SET_ERR_MSG_MOD(extack, "dwcs classes are flat: the parent must be the qdisc");
		return -EINVAL;
	}
	if (!cl) {
		if (!classid || TC_H_MAJ(classid) != sch->handle || !TC_H_MIN(classid)) {
			NL_SET_ERR_MSG_MOD(extack,
					   "classid must be <qdisc major>:<minor>, minor not 0");
			return -EINVAL;
		}
		if (!opt) {
			NL_SET_ERR_MSG_MOD(extack, "a new dwcs class needs options (ipg at least)");
			return -EINVAL;
		}
	}
	if (opt) {
		err = dwcs_parse_nest(tb, TCA_DWCS_CLASS_MAX, opt, dwcs_class_policy, extack);
		if (err < 0)
			return err;
	}
	err = dwcs_class_params(cl, tb, &p, &limit, extack);
	if (err)
		return err;

	if (cl) {
		if (tca[TCA_RATE]) {
			err = gen_replace_estimator(&cl->bstats, NULL, &cl->rate_est, NULL, true,
						    tca[TCA_RATE]);
			if (err) {
				NL_SET_ERR_MSG_MOD(extack, "cannot replace the rate estimator");
				return err;
			}
		}
		sch_tree_lock(sch);
		dwcs_stream_change(&q->core, &cl->stream, &p, ktime_get_ns());
		WRITE_ONCE(cl->limit, limit);
		sch_tree_unlock(sch);
		return 0;
	}

	err = dwcs_reserve_slot(sch, &fresh, &cap);
	if (err) {
		NL_SET_ERR_MSG_MOD(extack, "no memory for another stream");
		return err;
	}
	cl = kzalloc(sizeof(*cl), GFP_KERNEL);
	if (!cl) {
		kvfree(fresh);
		NL_SET_ERR_MSG_MOD(extack, "no memory for another stream");
		return -ENOMEM;
	}
	gnet_stats_basic_sync_init(&cl->bstats);
	__skb_queue_head_init(&cl->queue);
	cl->common.classid = classid;
	cl->limit = limit;
	if (tca[TCA_RATE]) {
		err = gen_new_estimator(&cl->bstats, NULL, &cl->rate_est, NULL, true,
					tca[TCA_RATE]);
		if (err) {
			NL_SET_ERR_MSG_MOD(extack, "cannot create the rate estimator");
			kvfree(fresh);
			kfree(cl);
			return err;
		}
	}

	sch_tree_lock(sch);
	old = fresh ? dwcs_sched_resize(&q->core, fresh, cap) : NULL;
	if (old)
		q->trees = fresh;
	dwcs_stream_attach(&q->core, &cl->stream, &p, TC_H_MIN(classid));
	qdisc_class_hash_insert(&q->clhash, &cl->common);
	dwcs_update_bypass(sch);
	sch_tree_unlock(sch);

	kvfree(old);
	qdisc_class_hash_grow(sch, &q->clhash);
	*arg = (unsigned long)cl;
	return 0;
}

static void dwcs_stats_add(struct dwcs_stream_stats *sum, const struct dwcs_stream_stats *st)
{
	int r;

	sum->sent += st->sent;
	for (r = 0; r < DWCS_NR_DROP_REASONS; r++)
		sum->drops[r] += st->drops[r];
	sum->late_sent += st->late_sent;
	sum->misses += st->misses;
	sum->violations += st->violations;
	sum->delay_sum_ns += st->delay_sum_ns;
	sum->delay_max_ns = max(sum->delay_max_ns, st->delay_max_ns);
}

static int dwcs_delete_class(struct Qdisc *sch, unsigned long arg,
			     struct netlink_ext_ack *extack)
{
	struct dwcs_sched_data *q = qdisc_priv(sch);
	struct dwcs_class *cl = (struct dwcs_class *)arg;

	if (cl->filter_cnt) {
		NL_SET_ERR_MSG_MOD(extack, "class is in use by a filter; delete the filter first");
		return -EBUSY;
	}
	sch_tree_lock(sch);
	dwcs_class_purge(sch, cl);
	dwcs_stream_detach(&q->core, &cl->stream);
	dwcs_stats_add(&q->gone, &cl->stream.st);
	qdisc_class_hash_remove(&q->clhash, &cl->common);
	dwcs_update_bypass(sch);
	sch_tree_unlock(sch);

	dwcs_destroy_class(sch, cl);
	return 0;
}

static unsigned long dwcs_search_class(struct Qdisc *sch, u32 classid)
{
	return (unsigned long)dwcs_find_class(sch, classid);
}

static struct tcf_block *dwcs_tcf_block(struct Qdisc *sch, unsigned long cl,
					struct netlink_ext_ack *extack)
{
	struct dwcs_sched_data *q = qdisc_priv(sch);

	if (cl) {
		NL_SET_ERR_MSG_MOD(extack, "filters attach to the dwcs qdisc, not to its classes");
		return NULL;
	}
	return q->block;
}

static unsigned long dwcs_bind_tcf(struct Qdisc *sch, unsigned long parent, u32 classid)
{
	struct dwcs_class *cl = dwcs_find_class(sch, classid);

	if (cl)
		cl->filter_cnt++;
	return (unsigned long)cl;
}

static void dwcs_unbind_tcf(struct Qdisc *sch, unsigned long arg)
{
	struct dwcs_class *cl = (struct dwcs_class *)arg;

	cl->filter_cnt--;
}

/* Streams are leaves of their own: no child qdisc can be grafted. */
static struct Qdisc *dwcs_leaf(struct Qdisc *sch, unsigned long arg)
{
	return NULL;
}

static void dwcs_walk(struct Qdisc *sch, struct qdisc_walker *arg)
{
	struct dwcs_sched_data *q = qdisc_priv(sch);
	struct dwcs_class *cl;
	unsigned int i;

	if (arg->stop)
		return;
	for (i = 0; i < q->clhash.hashsize; i++)
		hlist_for_each_entry(cl, &q->clhash.hash[i], common.hnode)
			if (!tc_qdisc_stats_dump(sch, (unsigned long)cl, arg))
				return;
}

/* ---------------------------------------------------------------- dumps */

static int dwcs_put_flags(struct sk_buff *skb, int type, u32 value, u32 all)
{
	struct nla_bitfield32 bf = { .value = value, .selector = all };

	return nla_put(skb, type, sizeof(bf), &bf);
}

static int dwcs_dump(struct Qdisc *sch, struct sk_buff *skb)
{
	struct dwcs_sched_data *q = qdisc_priv(sch);
	struct nlattr *opts = nla_nest_start_noflag(skb, TCA_OPTIONS);

	if (!opts)
		return -EMSGSIZE;
	if (nla_put_u64_64bit(skb, TCA_DWCS_RATE64, READ_ONCE(q->rate), TCA_DWCS_PAD) ||
	    nla_put_u32(skb, TCA_DWCS_LIMIT, READ_ONCE(sch->limit)) ||
	    nla_put_u32(skb, TCA_DWCS_MARKMASK, READ_ONCE(q->markmask)) ||
	    dwcs_put_flags(skb, TCA_DWCS_FLAGS,
			   READ_ONCE(q->work_conserving) ? TCA_DWCS_F_WORK_CONSERVING : 0,
			   TCA_DWCS_F_ALL) ||
	    nla_put_u8(skb, TCA_DWCS_ORDER, READ_ONCE(q->order)) ||
	    nla_put_u64_64bit(skb, TCA_DWCS_HORIZON, READ_ONCE(q->horizon), TCA_DWCS_PAD))
		goto nla_put_failure;
	return nla_nest_end(skb, opts);

nla_put_failure:
	nla_nest_cancel(skb, opts);
	return -EMSGSIZE;
}

static int dwcs_put_stats(struct sk_buff *skb, const struct dwcs_stream_stats *st, u64 bytes)
{
#define PUT_U64(attr, v)                                                  \
	do {                                                              \
		if (nla_put_u64_64bit(skb, attr, v, TCA_DWCS_STATS_PAD)) \
			return -EMSGSIZE;                                 \
	} while (0)
	PUT_U64(TCA_DWCS_STATS_SENT_PKTS, st->sent);
	PUT_U64(TCA_DWCS_STATS_SENT_BYTES, bytes);
	PUT_U64(TCA_DWCS_STATS_DROP_LATE, st->drops[DWCS_DROP_LATE]);
	PUT_U64(TCA_DWCS_STATS_DROP_OVERFLOW, st->drops[DWCS_DROP_OVERFLOW]);
	PUT_U64(TCA_DWCS_STATS_DROP_FRAME, st->drops[DWCS_DROP_FRAME]);
	PUT_U64(TCA_DWCS_STATS_DROP_WINDOW, st->drops[DWCS_DROP_WINDOW]);
	PUT_U64(TCA_DWCS_STATS_DROP_NONDROPPABLE, st->drops[DWCS_DROP_NONDROPPABLE]);
	PUT_U64(TCA_DWCS_STATS_LATE_SENT, st->late_sent);
	PUT_U64(TCA_DWCS_STATS_DEADLINE_MISSES, st->misses);
	PUT_U64(TCA_DWCS_STATS_VIOLATIONS, st->violations);
	PUT_U64(TCA_DWCS_STATS_DELAY_SUM_NS, st->delay_sum_ns);
	PUT_U64(TCA_DWCS_STATS_DELAY_MAX_NS, st->delay_max_ns);
#undef PUT_U64
	return 0;
}

static int dwcs_dump_stats(struct Qdisc *sch, struct gnet_dump *d)
{
	struct dwcs_sched_data *q = qdisc_priv(sch);
	struct dwcs_stream_stats sum;
	u32 streams, active, backlog_pkts, backlog_bytes;
	u64 bytes, be_pkts, throttled, be_drops, horizon_caps;
	struct dwcs_class *cl;
	struct nlattr *app;
	unsigned int i;

	sch_tree_lock(sch);
	sum = q->gone;
	for (i = 0; i < q->clhash.hashsize; i++)
		hlist_for_each_entry(cl, &q->clhash.hash[i], common.hnode)
			dwcs_stats_add(&sum, &cl->stream.st);
	streams = q->core.streams;
	active = q->core.tree[DWCS_TREE_READY].len + q->core.tree[DWCS_TREE_WAIT].len;
	backlog_pkts = sch->q.qlen;
	backlog_bytes = sch->qstats.backlog;
	be_pkts = q->be_pkts + dwcs_bypassed(sch);
	be_drops = q->be_drops;
	throttled = q->throttled;
	horizon_caps = q->horizon_caps;
	sch_tree_unlock(sch);

	/* root totals: stream counters plus best effort; bytes are the qdisc's own count */
	sum.sent += be_pkts;
	sum.drops[DWCS_DROP_OVERFLOW] += be_drops;
	bytes = u64_stats_read(&sch->bstats.bytes);

	app = nla_nest_start_noflag(d->skb, TCA_STATS_APP);
	if (!app)
		return -1;
	if (nla_put_u32(d->skb, TCA_DWCS_STATS_KIND, DWCS_STATS_KIND_QDISC) ||
	    dwcs_put_stats(d->skb, &sum, bytes) ||
	    nla_put_u32(d->skb, TCA_DWCS_STATS_BACKLOG_PKTS, backlog_pkts) ||
	    nla_put_u32(d->skb, TCA_DWCS_STATS_BACKLOG_BYTES, backlog_bytes) ||
	    nla_put_u32(d->skb, TCA_DWCS_STATS_STREAMS, streams) ||
	    nla_put_u32(d->skb, TCA_DWCS_STATS_ACTIVE_STREAMS, active) ||
	    nla_put_u64_64bit(d->skb, TCA_DWCS_STATS_BE_PKTS, be_pkts, TCA_DWCS_STATS_PAD) ||
	    nla_put_u64_64bit(d->skb, TCA_DWCS_STATS_THROTTLED, throttled, TCA_DWCS_STATS_PAD) ||
	    nla_put_u64_64bit(d->skb, TCA_DWCS_STATS_HORIZON_CAPS, horizon_caps,
			      TCA_DWCS_STATS_PAD))
		goto nla_put_failure;
	return nla_nest_end(d->skb, app);

nla_put_failure:
	nla_nest_cancel(d->skb, app);
	return -1;
}

static int dwcs_dump_class(struct Qdisc *sch, unsigned long arg, struct sk_buff *skb,
			   struct tcmsg *tcm)
{
	struct dwcs_class *cl = (struct dwcs_class *)arg;
	struct dwcs_stream_params p;
	struct nlattr *opts;

	tcm->tcm_parent = TC_H_ROOT;
	tcm->tcm_handle = cl->common.classid;
	tcm->tcm_info = 0;

	sch_tree_lock(sch);
	p = cl->stream.p;
	sch_tree_unlock(sch);

	opts = nla_nest_start_noflag(skb, TCA_OPTIONS);
	if (!opts)
		return -EMSGSIZE;
	if (nla_put_u64_64bit(skb, TCA_DWCS_CLASS_IPG, p.period_ns, TCA_DWCS_CLASS_PAD) ||
	    nla_put_u32(skb, TCA_DWCS_CLASS_OLN, p.x) ||
	    nla_put_u32(skb, TCA_DWCS_CLASS_OLD, p.y) ||
	    dwcs_put_flags(skb, TCA_DWCS_CLASS_FLAGS, p.flags, DWCS_CLASS_F_ALL) ||
	    nla_put_u32(skb, TCA_DWCS_CLASS_LIMIT, READ_ONCE(cl->limit)) ||
	    nla_put_u64_64bit(skb, TCA_DWCS_CLASS_MAXRATE64, p.max_rate, TCA_DWCS_CLASS_PAD))
		goto nla_put_failure;
	return nla_nest_end(skb, opts);

nla_put_failure:
	nla_nest_cancel(skb, opts);
	return -EMSGSIZE;
}

static int dwcs_dump_class_stats(struct Qdisc *sch, unsigned long arg, struct gnet_dump *d)
{
	struct dwcs_class *cl = (struct dwcs_class *)arg;
	struct dwcs_stream_stats st;
	struct gnet_stats_queue qs;
	u32 xc, yc, qlen;
	struct nlattr *app;
	u64 bytes;

	sch_tree_lock(sch);
	st = cl->stream.st;
	xc = cl->stream.xc;
	yc = cl->stream.yc;
	qlen = skb_queue_len(&cl->queue);
	qs = cl->qstats;
	bytes = cl->sent_bytes;
	sch_tree_unlock(sch);

	if (gnet_stats_copy_basic(d, NULL, &cl->bstats, true) < 0 ||
	    gnet_stats_copy_rate_est(d, &cl->rate_est) < 0 ||
	    gnet_stats_copy_queue(d, NULL, &qs, qlen) < 0)
		return -1;

	app = nla_nest_start_noflag(d->skb, TCA_STATS_APP);
	if (!app)
		return -1;
	if (nla_put_u32(d->skb, TCA_DWCS_STATS_KIND, DWCS_STATS_KIND_CLASS) ||
	    dwcs_put_stats(d->skb, &st, bytes) ||
	    nla_put_u32(d->skb, TCA_DWCS_STATS_CUR_X, xc) ||
	    nla_put_u32(d->skb, TCA_DWCS_STATS_CUR_Y, yc) ||
	    nla_put_u32(d->skb, TCA_DWCS_STATS_BACKLOG_PKTS, qlen) ||
	    nla_put_u32(d->skb, TCA_DWCS_STATS_BACKLOG_BYTES, qs.backlog))
		goto nla_put_failure;
	return nla_nest_end(d->skb, app);

nla_put_failure:
	nla_nest_cancel(d->skb, app);
	return -1;
}

static const struct Qdisc_class_ops dwcs_class_ops = {
	.leaf		= dwcs_leaf,
	.find		= dwcs_search_class,
	.change		= dwcs_change_class,
	.delete		= dwcs_delete_class,
	.tcf_block	= dwcs_tcf_block,
	.bind_tcf	= dwcs_bind_tcf,
	.unbind_tcf	= dwcs_unbind_tcf,
	.walk		= dwcs_walk,
	.dump		= dwcs_dump_class,
	.dump_stats	= dwcs_dump_class_stats,
};

static struct Qdisc_ops dwcs_qdisc_ops __read_mostly = {
	.cl_ops		= &dwcs_class_ops,
	.id		= "dwcs",
	.priv_size	= sizeof(struct dwcs_sched_data),
	.enqueue	= dwcs_enqueue,
	.dequeue	= dwcs_dequeue,
	.peek		= qdisc_peek_dequeued,
	.init		= dwcs_init,
	.change		= dwcs_change,
	.reset		= dwcs_reset,
	.destroy	= dwcs_destroy,
	.dump		= dwcs_dump,
	.dump_stats	= dwcs_dump_stats,
	.owner		= THIS_MODULE,
};

static int __init dwcs_module_init(void)
{
	return register_qdisc(&dwcs_qdisc_ops);
}

static void __exit dwcs_module_exit(void)
{
	unregister_qdisc(&dwcs_qdisc_ops);
}

module_init(dwcs_module_init);
module_exit(dwcs_module_exit);
MODULE_ALIAS("net-sch-dwcs");
MODULE_AUTHOR("qsock developers");
MODULE_DESCRIPTION("Dynamic Window-Constrained Scheduling (DWCS) packet scheduler");
MODULE_LICENSE("GPL");
#ifdef SCH_DWCS_VERSION
MODULE_VERSION(SCH_DWCS_VERSION);
#endif
