/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dwcs_bpf_model.h — dwcs-bpf's queueing discipline on the host: the rules of
 * lib/bpf/dwcs_bpf_rules.h and _impl.h, compiled as they are, under plumbing that mirrors
 * lib/bpf/dwcs_qdisc.bpf.c's enqueue and dequeue line for line — arrays of packets in place of
 * bpf_list queues of skbs, an array of stream numbers in place of the dwcs_active map, sorted
 * arrays in place of the pick's bpf_rbtrees (same orders; a node found again by bisection on
 * the keys it was added with, as the program descends from the root), the caller's clock in
 * place of bpf_ktime_get_ns(). Left out, because the traces it replays have
 * none of them: best effort, the link shaper, socket slots and marks (the caller gives each
 * packet's deadline and flags), configuration changes (streams are added once). Overflow is
 * in: the caller may lower the qdisc's limit and the streams' (r.limit) after bm_add().
 * A change to the program's plumbing must be made here too; the rules need nothing.
 */
#ifndef _DWCS_BPF_MODEL_H
#define _DWCS_BPF_MODEL_H

#include <stdlib.h>
#include "../../lib/bpf/dwcs_bpf_rules.h"

#define BM_QCAP		1024u	/* packets per stream (above the class limit's default) */
#define BM_MAX_STREAMS	32u

struct bm_pkt {
	__u64 deadline, enq;
	__u32 mark, len;
};

/* dwcs_qdisc.bpf.c's struct stream_state, with its queue as an array */
struct bm_stream {
	struct dwcs_bpf_stats st;
	struct dwcs_rules_stream r;
	__u32 active_idx;
	__u32 in_set, in_due;
	struct dwcs_rules_keys set_k, due_k;
	struct bm_pkt q[BM_QCAP];
	__u32 head, tail;
};

/* one of the program's bpf_rbtrees, as an array kept sorted by the tree's order */
struct bm_tree {
	__u32 n;
	bool by_precedence;	/* READY; else WAIT and DUE's dwcs_rules_time_before */
	struct dwcs_rules_keys k[BM_MAX_STREAMS];
};

/* the qdisc and the program's globals */
struct bm_qdisc {
	__u32 qlen, limit;
	__u64 drops;
	__u32 order, wc;	/* tree_order, tree_wc */
	__u32 n;
	struct bm_stream st[BM_MAX_STREAMS];
	__u32 active[BM_MAX_STREAMS];
	__u32 nactive;
	__u32 nondrop_pkts;
	struct bm_tree ready, wait, due;
	__u64 tree_lost;
	/* the last enqueue's overflow victim: its position from the head (0: the head) and
	 * the packet, or -1 when no queued packet went */
	int victim_pos;
	struct bm_pkt victim;
};

/* cache_head() */
static inline void bm_cache_head(struct bm_stream *s)
{
	const struct bm_pkt *p;

	if (s->head == s->tail)
		return;
	p = &s->q[s->head % BM_QCAP];
	s->r.head.deadline = p->deadline;
	s->r.head.enq = p->enq;
	s->r.head.mark = p->mark;
	s->r.head.len = p->len;
}

/* pop_head(): false when empty */
static inline bool bm_pop_head(struct bm_stream *s, struct bm_pkt *out)
{
	if (s->head == s->tail)
		return false;
	*out = s->q[s->head++ % BM_QCAP];
	bm_cache_head(s);
	return true;
}

static inline void bm_active_remove(struct bm_qdisc *q, struct bm_stream *s)
{
	__u32 idx = s->active_idx, last_idx;

	if (!q->nactive)
		return;
	last_idx = q->nactive - 1;
	if (idx != last_idx) {
		__u32 m = q->active[last_idx];

		q->active[idx] = m;
		q->st[m].active_idx = idx;
	}
	q->nactive = last_idx;
}

/* drop_one(): the rules' callback */
static inline void dwcs_rules_drop_one(struct bm_qdisc *q, struct bm_stream *s, __u64 *ctr)
{
	struct bm_pkt p;

	if (!bm_pop_head(s, &p))
		return;
	q->qlen--;
	q->drops++;
	(*ctr)++;
	if (s->st.backlog)
		s->st.backlog--;
}

static inline __u32 dwcs_rules_link_nondrop(const struct bm_qdisc *q)
{
	return q->nondrop_pkts;
}

#define DWCS_RULES_STREAM	struct bm_stream
#define DWCS_RULES_LINK		struct bm_qdisc
#include "../../lib/bpf/dwcs_bpf_rules_impl.h"

/* ready_less() and time_less() */
static inline bool bm_tree_less(const struct bm_qdisc *q, const struct bm_tree *t,
				const struct dwcs_rules_keys *a, const struct dwcs_rules_keys *b)
{
	return t->by_precedence ? dwcs_rules_precedes(q->order, a, b) : dwcs_rules_time_before(a, b);
}

/* bpf_rbtree_add() */
static inline void bm_tree_add(const struct bm_qdisc *q, struct bm_tree *t,
			       const struct dwcs_rules_keys *k)
{
	__u32 at = t->n;

	if (t->n >= BM_MAX_STREAMS)
		abort();
	while (at && bm_tree_less(q, t, k, &t->k[at - 1])) {
		t->k[at] = t->k[at - 1];
		at--;
	}
	t->k[at] = *k;
	t->n++;
}

/* tree_take(): the node of @key->minor found by @key's place in the order (a bisection, as the
 * program's descent from the root), taken off; false when not there */
static inline bool bm_tree_take(const struct bm_qdisc *q, struct bm_tree *t,
				const struct dwcs_rules_keys *key)
{
	__u32 lo = 0, hi = t->n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (t->k[mid].minor == key->minor) {
			t->n--;
			for (; mid < t->n; mid++)
				t->k[mid] = t->k[mid + 1];
			return true;
		}
		if (bm_tree_less(q, t, key, &t->k[mid]))
			hi = mid;
		else
			lo = mid + 1;
	}
	return false;
}

/* tree_first() */
static inline bool bm_tree_first(const struct bm_tree *t, struct dwcs_rules_keys *k)
{
	if (!t->n)
		return false;
	*k = t->k[0];
	return true;
}

/* trees_refresh() (no allocation to fail here) */
static inline void bm_refresh(struct bm_qdisc *q, struct bm_stream *s, __u32 minor, __u64 now)
{
	struct dwcs_rules_place pl;

	dwcs_rules_place(&s->r, s->st.backlog, minor, q->wc, now, &pl);
	if (s->in_set == DWCS_RULES_SET_READY && !bm_tree_take(q, &q->ready, &s->set_k))
		q->tree_lost++;
	if (s->in_set == DWCS_RULES_SET_WAIT && !bm_tree_take(q, &q->wait, &s->set_k))
		q->tree_lost++;
	if (s->in_due && !bm_tree_take(q, &q->due, &s->due_k))
		q->tree_lost++;
	s->in_set = pl.set;
	s->set_k = pl.k;
	s->in_due = pl.due;
	s->due_k = pl.due_k;
	if (pl.set == DWCS_RULES_SET_READY)
		bm_tree_add(q, &q->ready, &pl.k);
	else if (pl.set == DWCS_RULES_SET_WAIT)
		bm_tree_add(q, &q->wait, &pl.k);
	if (pl.due)
		bm_tree_add(q, &q->due, &pl.due_k);
}

/*
 * unlink_overflow_victim(): the newest queued packet of drop priority @prio that may go leaves
 * @s; its position from the head, or -1. The program finds it from the tail by rotating its
 * bpf_list; here the array is searched from the tail and closed up, the same packet.
 */
static inline int bm_unlink_overflow_victim(struct bm_qdisc *q, struct bm_stream *s, __u32 prio)
{
	__u32 backlog = s->tail - s->head, k, j;

	for (k = 0; k < backlog; k++) {
		__u32 at = s->tail - 1 - k;

		if (!dwcs_rules_is_victim(s->q[at % BM_QCAP].mark, prio))
			continue;
		q->victim = s->q[at % BM_QCAP];
		for (j = at; j + 1 != s->tail; j++)
			s->q[j % BM_QCAP] = s->q[(j + 1) % BM_QCAP];
		s->tail--;
		bm_cache_head(s);
		q->qlen--;
		q->drops++;
		if (s->st.backlog)
			s->st.backlog--;
		return (int)(backlog - 1 - k);
	}
	return -1;
}

/* make_room(), but for its best-effort drop (no best effort here) */
static inline bool bm_make_room(struct bm_qdisc *q, struct bm_stream *s, __u32 minor, __u32 mark,
				__u64 now)
{
	int prio, pos;

	if (s->st.backlog < s->r.limit && q->qlen < q->limit &&
	    (s->st.backlog || q->nactive < BM_MAX_STREAMS))
		return true;
	prio = dwcs_rules_overflow_victim(&s->r, mark);
	if (prio != DWCS_RULES_VICTIM_INCOMING) {
		pos = bm_unlink_overflow_victim(q, s, (__u32)prio);
		if (pos >= 0) {
			q->victim_pos = pos;
			dwcs_rules_unlinked(&s->r, &s->st, (__u32)prio, pos == 0);
			if (!s->st.backlog)
				bm_active_remove(q, s);
			bm_refresh(q, s, minor, now);
			return true;
		}
	}
	dwcs_rules_overflow_incoming(&s->st, mark);
	return false;
}

static inline struct bm_qdisc *bm_new(__u32 order, bool wc)
{
	struct bm_qdisc *q = calloc(1, sizeof(*q));

	if (!q)
		abort();
	q->limit = DWCS_DEFAULT_LIMIT;
	q->order = order;
	q->wc = wc;
	q->ready.by_precedence = true;
	return q;
}

/* A stream added (the enqueue's generation change, on a stream that never had packets). */
static inline void bm_add(struct bm_qdisc *q, __u32 i, __u64 period, __u32 x, __u32 y,
			  __u32 flags)
{
	struct dwcs_rules_stream *r = &q->st[i].r;

	if (i >= BM_MAX_STREAMS)
		abort();
	r->period = period;
	r->x = x;
	r->y = y;
	r->flags = flags;
	r->limit = DWCS_DEFAULT_CLASS_LIMIT;
	r->xc = x;
	r->yc = y;
	if (i >= q->n)
		q->n = i + 1;
}

enum bm_verdict {
	BM_QUEUED,
	BM_DROP_OVERFLOW,
	BM_DROP_FRAME,
	BM_DROP_LATE,
};

/* dwcs_enqueue() for stream @i, the packet's own deadline @stamp (0: none) and flags @mark */
static inline enum bm_verdict bm_enqueue(struct bm_qdisc *q, __u32 i, __u64 now, __u64 stamp,
					 __u32 mark, __u32 len)
{
	struct bm_stream *s = &q->st[i];
	__u32 in_frame = 0;
	__u64 deadline = 0;
	struct bm_pkt *p;

	q->victim_pos = -1;
	if (dwcs_rules_frame_drops(&s->r, &s->st, mark, &in_frame))
		return BM_DROP_FRAME;
	if ((s->r.flags & DWCS_CLASS_F_EDF) && stamp)
		deadline = dwcs_rules_horizon(&s->st, stamp, now);
	if (dwcs_rules_late_on_arrival(&s->r, &s->st, mark, in_frame, deadline, now)) {
		if (s->st.backlog)
			bm_refresh(q, s, i, now);
		return BM_DROP_LATE;
	}
	if (!bm_make_room(q, s, i, mark, now))
		return BM_DROP_OVERFLOW;
	if (s->tail - s->head >= BM_QCAP)
		abort(); /* the class limit is below BM_QCAP */
	bool first = !s->st.backlog;

	if (first) {
		dwcs_rules_activate(&s->r, now);
		q->active[q->nactive] = i;
		s->active_idx = q->nactive++;
	}
	p = &s->q[s->tail++ % BM_QCAP];
	p->deadline = deadline;
	p->enq = now;
	p->mark = mark | in_frame;
	p->len = len;
	bm_cache_head(s);
	s->st.backlog++;
	dwcs_rules_count_in(&s->r, mark);
	if (mark & DWCS_MARK_NONDROPPABLE)
		q->nondrop_pkts++;
	q->qlen++;
	if (first || ((mark & DWCS_MARK_NONDROPPABLE) && dwcs_rules_yield_optional(q, s)))
		bm_refresh(q, s, i, now);
	return BM_QUEUED;
}

/*
 * The pick of dwcs_dequeue(): accounts what passed (DUE's front), places again the streams
 * whose wait ended (WAIT's front), and returns the stream to serve (READY's first) with its
 * keys in *@best, or -1 with *@next the instant the first waiting head becomes eligible
 * (U64_MAX: none). Idempotent at one @now, as dwcs_select() is.
 */
static inline int bm_pick(struct bm_qdisc *q, __u64 now, __u64 *next,
			  struct dwcs_rules_keys *best)
{
	struct dwcs_rules_keys k;
	__u32 turn;

	*next = ~0ULL;
	if (!q->qlen)
		return -1;
	for (turn = 0; turn < q->nactive + 1; turn++) {
		struct bm_stream *s;

		if (!bm_tree_first(&q->due, &k) || !dwcs_rules_due(k.deadline, now))
			break;
		s = &q->st[k.minor];
		dwcs_rules_account_late(q, s, now);
		if (!s->st.backlog)
			bm_active_remove(q, s);
		bm_refresh(q, s, k.minor, now);
	}
	for (turn = 0; turn < q->nactive + 1; turn++) {
		if (!bm_tree_first(&q->wait, &k) || !dwcs_rules_woken(k.deadline, now))
			break;
		bm_refresh(q, &q->st[k.minor], k.minor, now);
	}
	if (bm_tree_first(&q->ready, best))
		return (int)best->minor;
	if (bm_tree_first(&q->wait, &k))
		*next = k.deadline;
	return -1;
}

/* The rest of dwcs_dequeue(): the head of the picked stream goes. */
static inline void bm_serve(struct bm_qdisc *q, const struct dwcs_rules_keys *best, __u64 now,
			    struct bm_pkt *out)
{
	struct bm_stream *s = &q->st[best->minor];
	__u32 how;

	if ((s->r.head.mark & DWCS_MARK_NONDROPPABLE) && q->nondrop_pkts)
		q->nondrop_pkts--;
	how = dwcs_rules_serve_begin(&s->r, &s->st, now);

	if (!bm_pop_head(s, out))
		abort();
	dwcs_rules_served(&s->r, &s->st, how, out->len, best->arrival, now);
	if (s->st.backlog)
		s->st.backlog--;
	if (!s->st.backlog)
		bm_active_remove(q, s);
	bm_refresh(q, s, best->minor, now);
	q->qlen--;
}

/* One dequeue: the stream served, or -1. */
static inline int bm_dequeue(struct bm_qdisc *q, __u64 now, __u64 *next, struct bm_pkt *out)
{
	struct dwcs_rules_keys best;
	struct bm_pkt dummy;
	int who = bm_pick(q, now, next, &best);

	if (who >= 0)
		bm_serve(q, &best, now, out ? out : &dummy);
	return who;
}

static inline __u32 bm_backlog(const struct bm_qdisc *q, __u32 i)
{
	return q->st[i].tail - q->st[i].head;
}

#endif /* _DWCS_BPF_MODEL_H */
