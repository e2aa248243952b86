/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dwcs_bpf_model.h — dwcs-bpf's queueing discipline on the host: the rules of
 * lib/bpf/dwcs_bpf_rules.h and _impl.h, compiled as they are, under plumbing that mirrors
 * lib/bpf/dwcs_qdisc.bpf.c's enqueue and dequeue line for line — arrays of packets in place of
 * bpf_list queues of skbs, an array of stream numbers in place of the dwcs_active map, the
 * caller's clock in place of bpf_ktime_get_ns(). Left out, because the traces it replays have
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
	struct bm_pkt q[BM_QCAP];
	__u32 head, tail;
};

/* the qdisc and the program's globals */
struct bm_qdisc {
	__u32 qlen, limit;
	__u64 drops;
	__u32 order, wc;
	__u32 n;
	struct bm_stream st[BM_MAX_STREAMS];
	__u32 active[BM_MAX_STREAMS];
	__u32 nactive;
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

#define DWCS_RULES_STREAM	struct bm_stream
#define DWCS_RULES_LINK		struct bm_qdisc
#include "../../lib/bpf/dwcs_bpf_rules_impl.h"

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
static inline bool bm_make_room(struct bm_qdisc *q, struct bm_stream *s, __u32 mark)
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
	if (dwcs_rules_late_on_arrival(&s->r, &s->st, mark, in_frame, deadline, now))
		return BM_DROP_LATE;
	if (!bm_make_room(q, s, mark))
		return BM_DROP_OVERFLOW;
	if (s->tail - s->head >= BM_QCAP)
		abort(); /* the class limit is below BM_QCAP */
	if (!s->st.backlog) {
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
	q->qlen++;
	return BM_QUEUED;
}

/*
 * The scan of dwcs_dequeue(): accounts what passed, drops what must go, and returns the stream
 * to serve with its keys in *@best, or -1 with *@next the instant the first waiting head
 * becomes eligible (U64_MAX: none). Idempotent at one @now, as dwcs_select() is.
 */
static inline int bm_pick(struct bm_qdisc *q, __u64 now, __u64 *next,
			  struct dwcs_rules_keys *best)
{
	__u32 n = q->nactive, v;
	bool have = false;

	*next = ~0ULL;
	if (!q->qlen)
		return -1;
	/* downwards: a stream that empties is replaced by the last one, already seen */
	for (v = 0; v < n; v++) {
		__u32 minor = q->active[n - 1 - v];
		struct bm_stream *s = &q->st[minor];
		struct dwcs_rules_keys k;
		enum dwcs_rules_verdict verdict;

		verdict = dwcs_rules_candidate(q, s, minor, q->wc, now, next, &k);
		if (verdict == DWCS_RULES_WAITS)
			continue;
		if (verdict == DWCS_RULES_EMPTIED) {
			bm_active_remove(q, s);
			continue;
		}
		if (!have || dwcs_rules_precedes(q->order, &k, best)) {
			*best = k;
			have = true;
		}
	}
	return have ? (int)best->minor : -1;
}

/* The rest of dwcs_dequeue(): the head of the picked stream goes. */
static inline void bm_serve(struct bm_qdisc *q, const struct dwcs_rules_keys *best, __u64 now,
			    struct bm_pkt *out)
{
	struct bm_stream *s = &q->st[best->minor];
	__u32 how = dwcs_rules_serve_begin(&s->r, now);

	if (!bm_pop_head(s, out))
		abort();
	dwcs_rules_served(&s->r, &s->st, how, out->len, best->arrival, now);
	if (s->st.backlog)
		s->st.backlog--;
	if (!s->st.backlog)
		bm_active_remove(q, s);
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
