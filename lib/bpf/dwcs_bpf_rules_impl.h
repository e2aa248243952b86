/* SPDX-License-Identifier: (LGPL-2.1-or-later OR BSD-2-Clause) */
/*
 * dwcs_bpf_rules_impl.h — the rules of dwcs-bpf that drop queued packets (late heads, missed
 * periods, the rest of a frame) and the pick's ordered sets of streams. They reach the queue
 * through one callback, so the qdisc program (bpf_list of skbs) and the host model of
 * test/unit/dwcs_bpf_model_test.c (arrays of packets) share them. dwcs_bpf_rules.h says why.
 *
 * The includer defines, before including this file:
 *   DWCS_RULES_STREAM  its stream type, with members `struct dwcs_bpf_stats st` and
 *                      `struct dwcs_rules_stream r` (the rules touch nothing else of it);
 *   DWCS_RULES_LINK    the type a drop must update besides the stream (the Qdisc);
 *   void dwcs_rules_drop_one(DWCS_RULES_LINK *link, DWCS_RULES_STREAM *s, __u64 *ctr)
 *                      takes the head of s off its queue and frees it, counts it in *ctr,
 *                      lowers st.backlog and caches the new head in r.head (the rules have
 *                      taken it out of r.backlog_prio before the call);
 *   __u32 dwcs_rules_link_nondrop(const DWCS_RULES_LINK *link)
 *                      the packets marked non-droppable queued in all streams (each
 *                      stream's are its r.backlog_nondrop).
 */
#ifndef QSOCK_DWCS_BPF_RULES_IMPL_H
#define QSOCK_DWCS_BPF_RULES_IMPL_H

#include "dwcs_bpf_rules.h"

/*
 * A packet of an unfinished frame was dropped: the rest of that frame goes with it, up to its
 * FRAME_END, but not a non-droppable packet nor the start of the next frame; when the queue
 * ends before the frame does, enqueue drops the members still to come (kmod/dwcs_core.c
 * dwcs_drop_frame_rest). Only then: a purge stopped by the next frame or a non-droppable
 * packet leaves the enqueue side alone (it used to mark the open frame, by then another one,
 * for dropping; found by dwcs_bpf_model_test).
 */
DWCS_RULES_SUBPROG void dwcs_rules_drop_frame_rest(DWCS_RULES_LINK *link, DWCS_RULES_STREAM *s)
{
	dwcs_rules_iter it;

	dwcs_rules_iter_new(&it, s->st.backlog);
	while (dwcs_rules_iter_next(&it)) {
		__u32 m = s->r.head.mark;

		if (!(m & DWCS_RULES_IN_FRAME) ||
		    (m & (DWCS_MARK_FRAME_START | DWCS_MARK_NONDROPPABLE))) {
			dwcs_rules_iter_destroy(&it);
			return;
		}
		dwcs_rules_count_out(&s->r, m);
		dwcs_rules_drop_one(link, s, &s->st.drop_frame);
		if (m & DWCS_MARK_FRAME_END) {
			dwcs_rules_iter_destroy(&it);
			return;
		}
	}
	dwcs_rules_iter_destroy(&it);
	if (s->r.enq_frame_open)
		s->r.enq_frame_drop = 1;
}

/* The head of @s leaves unsent, and with it the rest of its frame. */
DWCS_RULES_INLINE void dwcs_rules_drop_head(DWCS_RULES_LINK *link, DWCS_RULES_STREAM *s,
					    __u64 *ctr)
{
	__u32 m = s->r.head.mark;

	dwcs_rules_count_out(&s->r, m);
	dwcs_rules_drop_one(link, s, ctr);
	if (dwcs_rules_frame_continues(m))
		dwcs_rules_drop_frame_rest(link, s);
}

/*
 * Optional heads yield (kmod/dwcs_core.c dwcs_yield_optional): a non-droppable packet joined
 * @s behind heads its window can lose, and those go now, each a miss for its instant, with
 * the rest of its frame, so that the packet does not wait behind them until they expire.
 * The loop ends at the packet itself, which is not droppable. The rest of a frame begun as an
 * optional head goes too while another stream's protected packets wait, else it is committed
 * for good. True when the stream's keys changed.
 */
DWCS_RULES_SUBPROG bool dwcs_rules_yield_optional(DWCS_RULES_LINK *link, DWCS_RULES_STREAM *s)
{
	dwcs_rules_iter it;
	bool gave_up = false;

	if (s->st.backlog && s->r.frame_sending && s->r.frame_optional) {
		s->r.frame_optional = 0;
		gave_up = true;	/* ranked by its deadline from now on, if it stays */
		if (dwcs_rules_link_nondrop(link) > s->r.backlog_nondrop &&
		    dwcs_rules_window_spares_head(&s->r) && dwcs_rules_lossy(&s->r) &&
		    !(s->r.head.mark & DWCS_MARK_NONDROPPABLE)) {
			s->r.frame_sending = 0;
			s->r.head_late = 0;	/* the head goes, late or not */
			dwcs_rules_miss_instant(&s->r, &s->st, s->r.head.deadline);
			dwcs_rules_drop_head(link, s, &s->st.drop_late);
		}
	}

	dwcs_rules_iter_new(&it, s->st.backlog);
	while (dwcs_rules_iter_next(&it)) {
		if (!s->st.backlog || !dwcs_rules_head_optional(&s->r))
			break;
		dwcs_rules_miss_instant(&s->r, &s->st, s->r.head.deadline);
		dwcs_rules_drop_head(link, s, &s->st.drop_late);
		gave_up = true;
	}
	dwcs_rules_iter_destroy(&it);
	return gave_up;
}

/*
 * Account what passed for @s at @now and drop the heads that must go, one head at a time as
 * kmod/dwcs_core.c's dwcs_expire(): a head with its own deadline passed is one miss for its
 * instant and goes if droppable (else it stays, late); a head without one misses every period
 * since d, each missed period taking one droppable head with it, and the periods left, when
 * the head cannot go, are its misses (it stays, late). A run of periods ends with the stream
 * empty or at a head with its own deadline, and the periods not yet missed then are not
 * counted (a deadline belongs to a packet). docs/dwcs.md "Deadlines, eligibility, misses".
 */
DWCS_RULES_SUBPROG void dwcs_rules_account_late(DWCS_RULES_LINK *link, DWCS_RULES_STREAM *s,
						__u64 now)
{
	struct dwcs_rules_stream *r = &s->r;
	dwcs_rules_iter it;
	__u64 periods = 0;	/* periods of d missed and not yet accounted */

	/* each turn but the last drops at least one packet */
	dwcs_rules_iter_new(&it, s->st.backlog);
	while (dwcs_rules_iter_next(&it)) {
		bool droppable = dwcs_rules_head_droppable(r);

		/* a frame's rest may have gone with its head (drop_head): the cached head is
		 * stale once the queue is empty */
		if (!s->st.backlog)
			break;

		if (r->head.deadline) {
			periods = 0;
			/* a late head kept had its miss accounted: it only waits for service (its
			 * instant is no guard: a packet dropped late at enqueue may have moved
			 * last_miss since) */
			if (now <= r->head.deadline || r->head_late)
				break;
			dwcs_rules_miss_instant(r, &s->st, r->head.deadline);
			if (!droppable) {
				r->head_late = 1;
				break;
			}
			dwcs_rules_drop_head(link, s, &s->st.drop_late);
			continue;
		}
		if (!periods) {
			if (now <= r->deadline || !r->period)
				break;
			periods = (now - r->deadline + r->period - 1) / r->period;
		}
		if (!droppable) {
			r->deadline += periods * r->period;
			dwcs_rules_window_missed(r, &s->st, periods);
			r->head_late = 1;
			break;
		}
		r->deadline += r->period;
		dwcs_rules_window_missed(r, &s->st, 1);
		periods--;
		dwcs_rules_drop_head(link, s, &s->st.drop_window);
	}
	dwcs_rules_iter_destroy(&it);
}

/*
 * The pick's three ordered sets of backlogged streams (kmod/dwcs_core.c keeps the same three
 * as tournament trees; the program as bpf_rbtrees, the host model as sorted arrays):
 *   READY  eligible heads by the precedence table (dwcs_rules_precedes): its first is served;
 *   WAIT   heads not eligible yet (before d - T, non-work-conserving) or held by the ceiling,
 *          by the instant that ends (dwcs_rules_time_before): its first is when to wake up;
 *   DUE    every head whose deadline is still to be accounted, by that deadline: the heads
 *          whose deadline passed are its first ones, found without looking at the others.
 * A stream is in READY or WAIT, and in DUE unless its head, with its own deadline, was
 * already accounted late (it only waits for service then; a head kept after missed periods
 * stays, its d moved on and may pass again). Everything that changes a stream's keys — a
 * service, an accounting, an arrival at an empty queue, a late arrival's miss, an overflow
 * victim, a new configuration — places it again (dwcs_rules_place). So at any dequeue the
 * streams whose deadline passed are DUE's first, those whose wait ended WAIT's first, and
 * once both are dealt with READY's first is the stream the linear scan of every backlogged
 * stream used to find: each decision costs O((1 + k) log n) for k streams due or woken, not
 * O(n). The sets' orders are strict and total (the minor breaks every tie), so a stream's
 * node is found again from the keys it was added with.
 */
#define DWCS_RULES_SET_NONE	0	/* empty: in no set */
#define DWCS_RULES_SET_READY	1
#define DWCS_RULES_SET_WAIT	2

/* WAIT and DUE: by the instant in .deadline, then the minor */
DWCS_RULES_INLINE bool dwcs_rules_time_before(const struct dwcs_rules_keys *a,
					      const struct dwcs_rules_keys *b)
{
	if (a->deadline != b->deadline)
		return a->deadline < b->deadline;
	return a->minor < b->minor;
}

/* Where a stream goes, and under which keys. */
struct dwcs_rules_place {
	__u32 set;			/* DWCS_RULES_SET_* */
	__u32 due;			/* in DUE */
	struct dwcs_rules_keys k;	/* READY: the precedence keys; WAIT: .deadline is the
					 * instant it may go, .minor the tie-break */
	struct dwcs_rules_keys due_k;	/* DUE: .deadline the head's deadline, .minor */
};

/* Non-work-conserving, a head without its own deadline waits for d - T: lowers *@next. */
DWCS_RULES_INLINE bool dwcs_rules_waits(const struct dwcs_rules_stream *r, __u32 wc, __u64 now,
					__u64 *next)
{
	if (wc || r->head.deadline || r->deadline - r->period <= now)
		return false;
	if (r->deadline - r->period < *next)
		*next = r->deadline - r->period;
	return true;
}

/*
 * Where stream @minor (@backlog packets, the head cached in r->head) belongs at @now, after
 * what passed was accounted (dwcs_rules_account_late): a head not yet eligible waits for d - T;
 * a stream over its ceiling waits until the ceiling lets it go (its deadlines may pass
 * meanwhile, and count: it stays in DUE); any other is READY.
 */
DWCS_RULES_INLINE void dwcs_rules_place(const struct dwcs_rules_stream *r, __u32 backlog,
					__u32 minor, __u32 wc, __u64 now,
					struct dwcs_rules_place *pl)
{
	__u64 until = ~0ULL;

	pl->set = DWCS_RULES_SET_NONE;
	pl->due = 0;
	if (!backlog)
		return;
	pl->k.deadline = r->head.deadline ? r->head.deadline : r->deadline;
	pl->k.arrival = r->head.enq;
	pl->k.xc = r->xc;
	pl->k.yc = r->yc;
	pl->k.minor = minor;
	pl->k.optional = dwcs_rules_ranked_optional(r);
	pl->due_k = pl->k;
	pl->due = r->head.deadline ? !r->head_late : r->period != 0;
	if (dwcs_rules_waits(r, wc, now, &until)) {
		pl->set = DWCS_RULES_SET_WAIT;
		pl->k.deadline = until;
	} else if (r->max_rate && r->ceil_tat > now + r->period) {
		pl->set = DWCS_RULES_SET_WAIT;
		pl->k.deadline = r->ceil_tat - r->period;
	} else {
		pl->set = DWCS_RULES_SET_READY;
	}
}

/* DUE's first, of deadline @at, is to be accounted at @now (account_late changes nothing
 * for a deadline not passed) */
DWCS_RULES_INLINE bool dwcs_rules_due(__u64 at, __u64 now)
{
	return at < now;
}

/* WAIT's first, at @at, may be placed again at @now */
DWCS_RULES_INLINE bool dwcs_rules_woken(__u64 at, __u64 now)
{
	return at <= now;
}

#endif /* QSOCK_DWCS_BPF_RULES_IMPL_H */
