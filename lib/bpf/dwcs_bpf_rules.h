/* SPDX-License-Identifier: (LGPL-2.1-or-later OR BSD-2-Clause) */
/*
 * dwcs_bpf_rules.h — what dwcs-bpf decides, without the BPF plumbing: the window adjustment,
 * the precedence tables, the enqueue's frame and late drops, what a service changes, and the
 * state they work on. The codel.h / codel_impl.h model: the qdisc program (dwcs_qdisc.bpf.c)
 * keeps the packets, the maps and the kfuncs; this file and dwcs_bpf_rules_impl.h (the rules
 * that drop queued packets, through a callback of the includer's) are compiled twice — with
 * clang -target bpf inside the program, and with the host compiler in
 * test/unit/dwcs_bpf_model_test.c, which replays dwcs_core's property traces through them.
 * A rule changed here is therefore a rule the test checks against kmod/dwcs_core.c.
 *
 * BPF constraints kept here: loops are open-coded bpf_iter_num loops bounded by the backlog
 * (the verifier checks one iteration, whatever the count), and each function is inlined or
 * not exactly as it was in the program (DWCS_RULES_SUBPROG: a BPF subprogram, so that the
 * verifier does not re-check its body at every call site inside a loop). Plain fixed-size
 * types only.
 */
#ifndef QSOCK_DWCS_BPF_RULES_H
#define QSOCK_DWCS_BPF_RULES_H

#include <linux/types.h>
#include <stdbool.h>
#include <uapi/linux/pkt_sch_dwcs.h>
#include "dwcs_qdisc.h"

#ifdef __bpf__
#define DWCS_RULES_INLINE	static __always_inline
#define DWCS_RULES_SUBPROG	static __noinline
#else
#define DWCS_RULES_INLINE	static inline
#define DWCS_RULES_SUBPROG	static inline
#endif

/* r.head.mark: above the DWCS_MARK_* field, set at enqueue: part of an application frame
 * (FRAME_START .. FRAME_END), as kmod/dwcs_core.c's DWCS_PKT_IN_FRAME */
#define DWCS_RULES_IN_FRAME	(1U << 8)

/* What the rules know of the head packet, cached so that a decision reads no packet. */
struct dwcs_rules_head {
	__u64 deadline;		/* own deadline (skb->tstamp), 0: the stream's period deadline */
	__u64 enq;		/* enqueue time: FCFS ties, queueing delay */
	__u32 mark;		/* DWCS_MARK_*, and DWCS_RULES_IN_FRAME */
	__u32 len;		/* qdisc_pkt_len at enqueue */
};

/* A stream's scheduling state (docs/dwcs.md; the counters are its dwcs_bpf_stats). */
struct dwcs_rules_stream {
	/* the parameters in force (copied from dwcs_cfg at a generation change, so that a
	 * removed stream drains under the parameters its packets were queued with) */
	__u64 period;
	__u32 x, y, flags, limit;
	/* the ceiling (docs/dwcs.md "Ceiling", kmod/dwcs_core.c dwcs_charge): a GCRA whose
	 * theoretical arrival time advances by len / max_rate per packet sent; the stream may
	 * send while now >= tat - period, i.e. one period's worth of burst */
	__u64 max_rate, ceil_tat;
	/* docs/dwcs.md "Window adjustment", "Deadlines" */
	__u64 deadline;		/* period deadline d of the head */
	__u32 xc, yc;
	__u8 tagged, started;
	__u8 head_late;		/* the head's deadline passed and it stays (sent late) */
	__u8 frame_sending;	/* part of a frame went out: the rest is committed */
	__u8 frame_optional;	/* that frame began as an optional head */
	__u8 enq_frame_open;	/* enqueue side: a FRAME_START was seen, no FRAME_END yet */
	__u8 enq_frame_drop;	/* enqueue side: drop the rest of the open frame */
	__u8 pad;
	__u64 last_miss;	/* own deadline instant whose miss was last accounted */
	struct dwcs_rules_head head;
	/* queued packets not marked non-droppable, by drop priority: which priority an
	 * overflow drops is decided on these, without a walk of the queue */
	__u32 backlog_prio[4];
	__u32 backlog_nondrop;	/* queued packets marked non-droppable */
	__u32 pad2;
};

/* The sort keys of a backlogged stream's head. */
struct dwcs_rules_keys {
	__u64 deadline;		/* own deadline, else d */
	__u64 arrival;
	__u32 xc, yc;
	__u32 minor;
	__u32 optional;		/* its window can lose it: table A ranks it after the rest */
};

/* A loop bounded by a count: bpf_iter_num in the program, a counter on the host. */
#ifdef __bpf__
typedef struct bpf_iter_num dwcs_rules_iter;

DWCS_RULES_INLINE void dwcs_rules_iter_new(dwcs_rules_iter *it, int n)
{
	bpf_iter_num_new(it, 0, n);
}

DWCS_RULES_INLINE bool dwcs_rules_iter_next(dwcs_rules_iter *it)
{
	return bpf_iter_num_next(it);
}

DWCS_RULES_INLINE void dwcs_rules_iter_destroy(dwcs_rules_iter *it)
{
	bpf_iter_num_destroy(it);
}
#else
typedef struct {
	int i, n;
} dwcs_rules_iter;

DWCS_RULES_INLINE void dwcs_rules_iter_new(dwcs_rules_iter *it, int n)
{
	it->i = 0;
	it->n = n;
}

DWCS_RULES_INLINE bool dwcs_rules_iter_next(dwcs_rules_iter *it)
{
	return it->i++ < it->n;
}

DWCS_RULES_INLINE void dwcs_rules_iter_destroy(dwcs_rules_iter *it)
{
	(void)it;
}
#endif

/* ---------------------------------------------------------------- window constraint */

/* docs/dwcs.md "Window adjustment" (A): on-time service. */
DWCS_RULES_INLINE void dwcs_rules_window_on_time(struct dwcs_rules_stream *r)
{
	if (r->yc > r->xc)
		r->yc--;
	else if (r->yc == r->xc && r->xc > 0) {
		r->xc--;
		r->yc--;
	}
	if ((r->xc == 0 && r->yc == 0) || r->tagged) {
		r->xc = r->x;
		r->yc = r->y;
		r->tagged = 0;
	}
}

/*
 * (B): @k missed periods at once, the same as k single misses in O(1). Three phases are
 * enough: the x' misses left, then (after a reset) whole windows skipped when x = y, or x
 * misses down to x' = 0, then violations.
 */
DWCS_RULES_SUBPROG void dwcs_rules_window_missed(struct dwcs_rules_stream *r,
						 struct dwcs_bpf_stats *st, __u64 k)
{
	int i;

	st->misses += k;
	for (i = 0; i < 3 && k; i++) {
		if (r->xc > 0) {
			__u64 m = k < r->xc ? k : r->xc;

			r->xc -= m;
			r->yc -= m;
			k -= m;
			if (r->xc == 0 && r->yc == 0) {
				r->xc = r->x;
				r->yc = r->y;
				/* x == y: every window is all misses; skip whole windows */
				if (r->x && r->x == r->y)
					k %= r->x;
			}
		} else {
			__u64 yc = r->yc + k;

			r->yc = yc > 0xffffffffULL ? 0xffffffffU : yc;
			st->violations += k;
			r->tagged = 1;
			k = 0;
		}
	}
}

/*
 * A miss of a packet's own deadline: one per distinct instant, however many packets share it
 * (a deadline is never 0, so last_miss = 0 is "none yet").
 */
DWCS_RULES_INLINE void dwcs_rules_miss_instant(struct dwcs_rules_stream *r,
					       struct dwcs_bpf_stats *st, __u64 deadline)
{
	if (deadline == r->last_miss)
		return;
	r->last_miss = deadline;
	dwcs_rules_window_missed(r, st, 1);
}

/* ---------------------------------------------------------------- precedence */

/* x'/y' compared by cross-multiplication; every 0/y' (0/0 included) is the zero constraint. */
DWCS_RULES_INLINE int dwcs_rules_window_cmp(const struct dwcs_rules_keys *a,
					    const struct dwcs_rules_keys *b)
{
	__u64 l, r;

	if (!a->xc || !b->xc)
		return (a->xc ? 1 : 0) - (b->xc ? 1 : 0);
	l = (__u64)a->xc * b->yc;
	r = (__u64)b->xc * a->yc;
	return l < r ? -1 : l > r;
}

/* Table A ranks an optional head this much later than its deadline: after every other head
 * (kmod/dwcs_core.c dwcs_rank_deadline says why). */
#define DWCS_RULES_OPTIONAL_LAG	(1ULL << 61)

/* Table A's deadline of a head: an optional one's ranks DWCS_RULES_OPTIONAL_LAG later. */
DWCS_RULES_INLINE __u64 dwcs_rules_rank_deadline(const struct dwcs_rules_keys *k)
{
	return k->deadline + (k->optional ? DWCS_RULES_OPTIONAL_LAG : 0);
}

/* More of its frame follows a packet marked @mark (in a frame, and not the frame's end). */
DWCS_RULES_INLINE bool dwcs_rules_frame_continues(__u32 mark)
{
	return (mark & DWCS_RULES_IN_FRAME) && !(mark & DWCS_MARK_FRAME_END);
}

/* docs/dwcs.md "Precedence": true when @a goes before @b. */
DWCS_RULES_INLINE bool dwcs_rules_precedes(__u32 order, const struct dwcs_rules_keys *a,
					   const struct dwcs_rules_keys *b)
{
	int w = dwcs_rules_window_cmp(a, b);
	bool zero = !a->xc && !b->xc;

	if (order == DWCS_ORDER_WINDOW_FIRST) {
		if (w)						/* B1 */
			return w < 0;
		if (!zero) {
			if (a->deadline != b->deadline)		/* B2 */
				return a->deadline < b->deadline;
			if (a->xc != b->xc)			/* B3 */
				return a->xc < b->xc;
		} else {
			if (a->yc == b->yc && a->deadline != b->deadline)	/* B4 */
				return a->deadline < b->deadline;
			if (a->yc != b->yc)			/* B5 */
				return a->yc > b->yc;
		}
	} else {
		__u64 da = dwcs_rules_rank_deadline(a), db = dwcs_rules_rank_deadline(b);

		if (da != db)					/* A0, A1 */
			return da < db;
		if (w)						/* A2 */
			return w < 0;
		if (zero && a->yc != b->yc)			/* A3 */
			return a->yc > b->yc;
		if (!zero && a->xc != b->xc)			/* A4 */
			return a->xc < b->xc;
	}
	if (a->arrival != b->arrival)				/* FCFS */
		return a->arrival < b->arrival;
	return a->minor < b->minor;
}

/* ---------------------------------------------------------------- drops */

DWCS_RULES_INLINE bool dwcs_rules_lossy(const struct dwcs_rules_stream *r)
{
	return !(r->flags & (DWCS_CLASS_F_LOSSLESS | DWCS_CLASS_F_NONDROPPABLE));
}

/* May the head go unsent? Lossy, not marked non-droppable, and not the rest of a frame that
 * has begun to go out (kmod/dwcs_core.c dwcs_head_droppable). */
DWCS_RULES_INLINE bool dwcs_rules_head_droppable(const struct dwcs_rules_stream *r)
{
	return dwcs_rules_lossy(r) && !(r->head.mark & DWCS_MARK_NONDROPPABLE) &&
	       !r->frame_sending;
}

/* The window can lose the head without risking the frames after it: more than one loss
 * left, or one and the head the window's last deadline (kmod/dwcs_core.c
 * dwcs_window_spares_head). */
DWCS_RULES_INLINE bool dwcs_rules_window_spares_head(const struct dwcs_rules_stream *r)
{
	return r->y && (r->xc > 1 || (r->xc == 1 && r->yc == 1));
}

/* Optional: the head has its own deadline, may go unsent, and its stream's window can lose
 * it (kmod/dwcs_core.c dwcs_head_optional). */
DWCS_RULES_INLINE bool dwcs_rules_head_optional(const struct dwcs_rules_stream *r)
{
	return r->head.deadline && dwcs_rules_window_spares_head(r) && dwcs_rules_head_droppable(r);
}

/* The rest of a frame begun as an optional head, no non-droppable packet behind it: ranked
 * as optional too (kmod/dwcs_core.c dwcs_rest_optional says why). */
DWCS_RULES_INLINE bool dwcs_rules_rest_optional(const struct dwcs_rules_stream *r)
{
	return r->frame_sending && r->frame_optional && !r->backlog_nondrop;
}

/* The head's key: ranked after every other head (table A's rule 0, dwcs_rules_keys.optional). */
DWCS_RULES_INLINE bool dwcs_rules_ranked_optional(const struct dwcs_rules_stream *r)
{
	return dwcs_rules_head_optional(r) || dwcs_rules_rest_optional(r);
}

/* ---------------------------------------------------------------- enqueue */

/*
 * Frames (kmod/dwcs_core.c dwcs_admit): the packets from a FRAME_START to its FRAME_END share
 * the fate of the first of them dropped. Stamps *@in_frame (DWCS_RULES_IN_FRAME or 0); true
 * when the packet goes because its frame's earlier packet did (counted in drop_frame).
 */
DWCS_RULES_INLINE bool dwcs_rules_frame_drops(struct dwcs_rules_stream *r,
					      struct dwcs_bpf_stats *st, __u32 mark,
					      __u32 *in_frame)
{
	bool start = mark & DWCS_MARK_FRAME_START, end = mark & DWCS_MARK_FRAME_END;

	if (start || end || r->enq_frame_open)
		*in_frame = DWCS_RULES_IN_FRAME;
	if (start || !*in_frame)
		r->enq_frame_drop = 0;
	r->enq_frame_open = *in_frame && !end;
	if (r->enq_frame_drop && !(mark & DWCS_MARK_NONDROPPABLE)) {
		if (end)
			r->enq_frame_drop = 0;
		st->drop_frame++;
		return true;
	}
	return false;
}

/* sch_dwcs's horizon, at its default (a BPF qdisc takes no options): a deadline absurdly far
 * ahead is clamped and counted, never dropped. */
DWCS_RULES_INLINE __u64 dwcs_rules_horizon(struct dwcs_bpf_stats *st, __u64 deadline, __u64 now)
{
	if (deadline > now + DWCS_DEFAULT_HORIZON_NS) {
		deadline = now + DWCS_DEFAULT_HORIZON_NS;
		st->horizon_caps++;
	}
	return deadline;
}

/* Late on arrival: dropped at the source (counted in drop_late, and a miss of its deadline as
 * kmod/dwcs_core.c's dwcs_admit counts it), if it begins a frame or has none (the later
 * members of a frame follow its fate). */
DWCS_RULES_INLINE bool dwcs_rules_late_on_arrival(struct dwcs_rules_stream *r,
						  struct dwcs_bpf_stats *st, __u32 mark,
						  __u32 in_frame, __u64 deadline, __u64 now)
{
	if (!(deadline && deadline < now && dwcs_rules_lossy(r) &&
	      !(mark & DWCS_MARK_NONDROPPABLE) && ((mark & DWCS_MARK_FRAME_START) || !in_frame)))
		return false;
	dwcs_rules_miss_instant(r, st, deadline);
	st->drop_late++;
	if (r->enq_frame_open)
		r->enq_frame_drop = 1;
	return true;
}

/* A packet reaches the empty stream: an idle stream accrues no misses, one that ran ahead of
 * its rate keeps the later deadline it earned. */
DWCS_RULES_INLINE void dwcs_rules_activate(struct dwcs_rules_stream *r, __u64 now)
{
	if (!r->started || r->deadline < now + r->period)
		r->deadline = now + r->period;
	r->started = 1;
}

/* ---------------------------------------------------------------- overflow */

/*
 * A full stream (its limit, or the qdisc's) gives up its highest drop priority first, as
 * sch_dwcs does (kmod/dwcs_core.c dwcs_overflow_victim): the drop priority is a field of the
 * mark (DWCS_MARK_DROPPRIO_MASK, 0..3, higher goes first); a packet marked non-droppable
 * is no victim. The rules decide the priority and count; the includer finds the packet (the
 * newest queued of that priority, dwcs_rules_is_victim) and takes it out of its queue.
 */
#define DWCS_RULES_VICTIM_INCOMING	(-1)	/* drop the arriving packet */

DWCS_RULES_INLINE __u32 dwcs_rules_drop_prio(__u32 mark)
{
	return (mark & DWCS_MARK_DROPPRIO_MASK) >> DWCS_MARK_DROPPRIO_SHIFT;
}

/* A packet joins the stream's queue (enqueue) ... */
DWCS_RULES_INLINE void dwcs_rules_count_in(struct dwcs_rules_stream *r, __u32 mark)
{
	if (mark & DWCS_MARK_NONDROPPABLE)
		r->backlog_nondrop++;
	else
		r->backlog_prio[dwcs_rules_drop_prio(mark) & 3]++;
}

/* ... or leaves it, sent or dropped for whatever reason. */
DWCS_RULES_INLINE void dwcs_rules_count_out(struct dwcs_rules_stream *r, __u32 mark)
{
	__u32 *n = &r->backlog_prio[dwcs_rules_drop_prio(mark) & 3];

	if (mark & DWCS_MARK_NONDROPPABLE)
		n = &r->backlog_nondrop;
	if (*n)
		(*n)--;
}

/*
 * The stream is full and a packet marked @mark arrives: the drop priority of the queued
 * packet to drop, or DWCS_RULES_VICTIM_INCOMING. The arriving one goes when it ranks at
 * least as high as every queued candidate (cheapest, and never reorders), or when nothing
 * queued may go; a packet marked non-droppable then goes too, counted apart.
 */
DWCS_RULES_INLINE int dwcs_rules_overflow_victim(const struct dwcs_rules_stream *r, __u32 mark)
{
	int prio = r->backlog_prio[3] ? 3 : r->backlog_prio[2] ? 2 :
		   r->backlog_prio[1] ? 1 : r->backlog_prio[0] ? 0 : DWCS_RULES_VICTIM_INCOMING;

	if (prio == DWCS_RULES_VICTIM_INCOMING)
		return prio;
	if (!(mark & DWCS_MARK_NONDROPPABLE) && (int)dwcs_rules_drop_prio(mark) >= prio)
		return DWCS_RULES_VICTIM_INCOMING;
	return prio;
}

/* Is a queued packet marked @mark a victim of drop priority @prio? (The newest such goes.) */
DWCS_RULES_INLINE bool dwcs_rules_is_victim(__u32 mark, __u32 prio)
{
	return !(mark & DWCS_MARK_NONDROPPABLE) && dwcs_rules_drop_prio(mark) == prio;
}

/* The arriving packet was the victim. */
DWCS_RULES_INLINE void dwcs_rules_overflow_incoming(struct dwcs_bpf_stats *st, __u32 mark)
{
	if (mark & DWCS_MARK_NONDROPPABLE)
		st->drop_nondroppable++;
	else
		st->drop_overflow++;
}

/*
 * A queued packet of drop priority @prio went for overflow (kmod/dwcs_core.c dwcs_unlinked):
 * counted; when it was the head, its accounted lateness goes with it. Nothing else changes:
 * no frame purge (the core drops the frame's rest only for lateness), and the window and d
 * stay, since no deadline passed.
 */
DWCS_RULES_INLINE void dwcs_rules_unlinked(struct dwcs_rules_stream *r, struct dwcs_bpf_stats *st,
					   __u32 prio, bool was_head)
{
	dwcs_rules_count_out(r, prio << DWCS_MARK_DROPPRIO_SHIFT);
	st->drop_overflow++;
	if (was_head)
		r->head_late = 0;
}

/* ---------------------------------------------------------------- dequeue */

/* What dwcs_rules_serve_begin() tells dwcs_rules_served() of the head that leaves. */
#define DWCS_RULES_SERVE_OWN		1	/* it has its own deadline */
#define DWCS_RULES_SERVE_LATE		2	/* its deadline (own, else d) passed */
#define DWCS_RULES_SERVE_ACCOUNTED	4	/* its miss was accounted before (head_late) */

/*
 * The picked stream's head is about to leave (r->head is still that packet): how it leaves,
 * what the window makes of it, and the rest of a frame that begins to go out is committed.
 * The window counts as kmod/dwcs_core.c's dwcs_served: its deadline, when not passed, was met
 * — also by a head kept after missed periods, whose d moved past them — but a frame's packet
 * with its own deadline only at the frame's end (a frame is one deadline); a deadline passed
 * and not accounted is a miss now, one per instant for an own deadline.
 */
DWCS_RULES_INLINE __u32 dwcs_rules_serve_begin(struct dwcs_rules_stream *r,
					       struct dwcs_bpf_stats *st, __u64 now)
{
	__u64 deadline = r->head.deadline ? r->head.deadline : r->deadline;
	bool frame_open = dwcs_rules_frame_continues(r->head.mark);
	bool optional = dwcs_rules_head_optional(r);
	__u32 how = 0;

	if (r->head.deadline)
		how |= DWCS_RULES_SERVE_OWN;
	if (deadline < now)
		how |= DWCS_RULES_SERVE_LATE;
	if (r->head_late)
		how |= DWCS_RULES_SERVE_ACCOUNTED;
	if (!(how & DWCS_RULES_SERVE_LATE)) {
		if (!(r->head.deadline && frame_open))
			dwcs_rules_window_on_time(r);
	} else if (!(how & DWCS_RULES_SERVE_ACCOUNTED)) {
		if (r->head.deadline)
			dwcs_rules_miss_instant(r, st, r->head.deadline);
		else
			dwcs_rules_window_missed(r, st, 1);
	}
	dwcs_rules_count_out(r, r->head.mark);
	/* a frame begun as an optional head stays one (dwcs_rules_rest_optional) */
	if (!frame_open || !r->frame_sending)
		r->frame_optional = frame_open && optional;
	r->frame_sending = frame_open;
	return how;
}

/*
 * The head (@len bytes, enqueued at @arrival) left, as @how says: the deadline, the ceiling
 * and the counters (kmod/dwcs_core.c dwcs_served; the window was dwcs_rules_serve_begin's).
 * It is sent late when its deadline passed or its miss was accounted. d advances one period
 * per packet without its own deadline, which has no request period.
 */
DWCS_RULES_INLINE void dwcs_rules_served(struct dwcs_rules_stream *r, struct dwcs_bpf_stats *st,
					 __u32 how, __u32 len, __u64 arrival, __u64 now)
{
	__u64 delay;

	if (how & (DWCS_RULES_SERVE_LATE | DWCS_RULES_SERVE_ACCOUNTED))
		st->late_sent++;
	r->head_late = 0;
	if (!(how & DWCS_RULES_SERVE_OWN))
		r->deadline += r->period;
	st->sent_pkts++;
	st->sent_bytes += len;
	if (r->max_rate)
		r->ceil_tat = (r->ceil_tat > now ? r->ceil_tat : now) +
			      (__u64)len * 1000000000ULL / r->max_rate;
	delay = now - arrival;
	st->delay_sum_ns += delay;
	if (delay > st->delay_max_ns)
		st->delay_max_ns = delay;
	st->cur_x = r->xc;
	st->cur_y = r->yc;
}

#endif /* QSOCK_DWCS_BPF_RULES_H */
