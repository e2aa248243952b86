/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dwcs_harness.h — a user-space owner for dwcs_core: per-stream ring queues of struct
 * dwcs_pkt standing in for the qdisc's skb lists, and a log of what the core dropped.
 * Shared by the unit tests and the microbenchmark.
 */
#ifndef _DWCS_HARNESS_H
#define _DWCS_HARNESS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../../kmod/dwcs_core.h"

#ifndef H_QCAP
#define H_QCAP 256u /* packets per stream queue (a power of two) */
#endif

struct h_stream {
	struct dwcs_stream s;
	struct dwcs_pkt q[H_QCAP];
	u32 head, tail;
	u32 pkt_len;	/* bytes each packet weighs against the stream's ceiling (max_rate) */
	u64 dropped[DWCS_NR_DROP_REASONS];
};

struct h_sched {
	struct dwcs_sched sched;
	struct h_stream *st;
	u32 n;
	void *slots;
};

static inline struct h_stream *h_of(struct dwcs_stream *s)
{
	return (struct h_stream *)((char *)s - offsetof(struct h_stream, s));
}

static struct dwcs_pkt *h_head(struct dwcs_sched *sched, struct dwcs_stream *s)
{
	struct h_stream *hs = h_of(s);

	return hs->head == hs->tail ? NULL : &hs->q[hs->head % H_QCAP];
}

static void h_drop_head(struct dwcs_sched *sched, struct dwcs_stream *s, enum dwcs_drop_reason why)
{
	struct h_stream *hs = h_of(s);

	if (hs->head == hs->tail)
		abort(); /* the core dropped from an empty queue */
	hs->head++;
	hs->dropped[why]++;
}

static const struct dwcs_ops h_ops = {
	.head = h_head,
	.drop_head = h_drop_head,
};

static inline struct h_sched *h_new(u32 n)
{
	struct h_sched *h = calloc(1, sizeof(*h));
	void *st;

	if (!h)
		abort();
	/* aligned as struct dwcs_stream asks (its cache lines), which calloc() is not */
	if (posix_memalign(&st, _Alignof(struct h_stream), (n ? n : 1) * sizeof(*h->st)))
		abort();
	h->st = memset(st, 0, (n ? n : 1) * sizeof(*h->st));
	h->slots = calloc(1, dwcs_sched_mem_size(n ? n : 1));
	if (!h->slots)
		abort();
	h->n = n;
	dwcs_sched_init(&h->sched, &h_ops, h->slots, n ? n : 1);
	/* the queue a decision reads, right after the stream, as in sch_dwcs's class */
	h->sched.prefetch_after = offsetof(struct h_stream, pkt_len) + sizeof(u32) -
				  sizeof(struct dwcs_stream);
	return h;
}

static inline void h_free(struct h_sched *h)
{
	free(h->slots);
	free(h->st);
	free(h);
}

static inline struct dwcs_stream *h_add(struct h_sched *h, u32 i, u64 period, u32 x, u32 y,
					u32 flags)
{
	struct dwcs_stream_params p = { .period_ns = period, .x = x, .y = y, .flags = flags };

	dwcs_stream_attach(&h->sched, &h->st[i].s, &p, i);
	return &h->st[i].s;
}

/* Offers a packet; returns the admit verdict (the packet is queued only when OK). */
static inline enum dwcs_admit h_send(struct h_sched *h, u32 i, u64 now, u64 deadline, u8 mark)
{
	struct h_stream *hs = &h->st[i];
	struct dwcs_pkt pkt = { .deadline = deadline, .enqueued = now, .mark = mark };
	enum dwcs_admit v;

	if (hs->tail - hs->head >= H_QCAP)
		abort();
	v = dwcs_admit(&h->sched, &hs->s, &pkt, now);
	if (v != DWCS_ADMIT_OK)
		return v;
	hs->q[hs->tail++ % H_QCAP] = pkt;
	dwcs_arrived(&h->sched, &hs->s, &hs->q[(hs->tail - 1) % H_QCAP], now);
	return v;
}

/* h_send_limited()'s verdict when the arriving packet went for overflow */
#define H_DROP_OVERFLOW	(DWCS_ADMIT_DROP_FRAME + 1)

/* What h_send_limited() dropped from the queue to make room. */
struct h_victim {
	int pos;		/* its position from the head (0: the head), -1: none */
	struct dwcs_pkt pkt;
};

/*
 * h_send() under limits, as sch_dwcs's dwcs_enqueue_class() does it: dwcs_admit(), then a
 * stream holding @class_limit packets, or a scheduler holding @limit, gives up
 * dwcs_overflow_victim()'s choice — the newest queued packet of that drop priority
 * (dwcs_overflow_find), taken out of the queue and reported to dwcs_unlinked(), or the
 * arriving one (H_DROP_OVERFLOW, counted as the module counts it).
 */
static inline int h_send_limited(struct h_sched *h, u32 i, u64 now, u64 deadline, u8 mark,
				 u32 class_limit, u32 limit, struct h_victim *victim)
{
	struct h_stream *hs = &h->st[i];
	struct dwcs_pkt pkt = { .deadline = deadline, .enqueued = now, .mark = mark };
	u32 qlen = 0, j, k;
	enum dwcs_admit v;
	int prio;

	victim->pos = -1;
	if (hs->tail - hs->head >= H_QCAP)
		abort();
	v = dwcs_admit(&h->sched, &hs->s, &pkt, now);
	if (v != DWCS_ADMIT_OK)
		return v;
	for (j = 0; j < h->n; j++)
		qlen += h->st[j].tail - h->st[j].head;
	if (hs->s.backlog >= class_limit || qlen >= limit) {
		prio = dwcs_overflow_victim(&hs->s, &pkt);
		for (k = 0; prio != DWCS_VICTIM_INCOMING && k < hs->tail - hs->head; k++) {
			u32 at = hs->tail - 1 - k;
			struct dwcs_pkt *q = &hs->q[at % H_QCAP];

			if ((q->mark & DWCS_MARK_NONDROPPABLE) || dwcs_mark_drop_prio(q->mark) != prio)
				continue;
			victim->pos = (int)(hs->tail - hs->head - 1 - k);
			victim->pkt = *q;
			if (at == hs->head) {
				/* the core compares the head it keyed on by address */
				hs->head++;
			} else {
				for (j = at; j + 1 != hs->tail; j++)
					hs->q[j % H_QCAP] = hs->q[(j + 1) % H_QCAP];
				hs->tail--;
				q = &victim->pkt;
			}
			hs->dropped[DWCS_DROP_OVERFLOW]++;
			dwcs_unlinked(&h->sched, &hs->s, q, DWCS_DROP_OVERFLOW, now);
			break;
		}
		if (victim->pos < 0) {
			dwcs_count_drop(&hs->s, mark & DWCS_MARK_NONDROPPABLE ?
					DWCS_DROP_NONDROPPABLE : DWCS_DROP_OVERFLOW);
			return H_DROP_OVERFLOW;
		}
	}
	hs->q[hs->tail++ % H_QCAP] = pkt;
	dwcs_arrived(&h->sched, &hs->s, &hs->q[(hs->tail - 1) % H_QCAP], now);
	return v;
}

/* One decision: returns the index of the stream served, or -1 (then *next is set). */
static inline int h_step(struct h_sched *h, u64 now, u64 *next, struct dwcs_pkt *out)
{
	u64 dummy;
	struct dwcs_stream *s = dwcs_select(&h->sched, now, next ? next : &dummy);
	struct h_stream *hs;
	struct dwcs_pkt *pkt;

	if (!s)
		return -1;
	hs = h_of(s);
	pkt = &hs->q[hs->head % H_QCAP];
	if (out)
		*out = *pkt;
	hs->head++;
	dwcs_charge(s, hs->pkt_len, now);
	dwcs_served(&h->sched, s, pkt, now);
	return (int)(hs - h->st);
}

static inline u32 h_backlog(const struct h_sched *h, u32 i)
{
	return h->st[i].tail - h->st[i].head;
}

#endif /* _DWCS_HARNESS_H */
