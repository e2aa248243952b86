// SPDX-License-Identifier: GPL-2.0
/*
 * dwcs_heap.c — indexed d-ary min-heap of streams (see dwcs_heap.h).
 *
 * With d = DWCS_HEAP_ARITY, node i has its children at d*i+1 .. d*i+d and its parent at
 * (i-1)/d. Every move writes the
 * stream's new slot number back into it, which is what makes removal and re-keying of an
 * arbitrary member O(log n) without a search.
 */
#include "dwcs_core.h"

void dwcs_heap_init(struct dwcs_heap *h, enum dwcs_heap_kind kind, dwcs_heap_less_t less,
		    dwcs_heap_key_t key, const void *arg)
{
	h->len = 0;
	h->kind = kind;
	h->less = less;
	h->key = key;
	h->arg = arg;
}

static bool dwcs_heap_less(const struct dwcs_heap *h, const struct dwcs_heap_slot *a,
			   const struct dwcs_heap_slot *b)
{
	int k;

	for (k = 0; k < DWCS_HEAP_KEYS; k++)
		if (a->key[k] != b->key[k])
			return dwcs_time_before(a->key[k], b->key[k]);
	return h->less(a->s, b->s, h->arg);
}

bool dwcs_heap_contains(const struct dwcs_heap *h, const struct dwcs_stream *s)
{
	return s->slot[h->kind] != DWCS_HEAP_NONE;
}

static void dwcs_heap_place(struct dwcs_heap *h, u32 i, const struct dwcs_heap_slot *e)
{
	h->slot[i] = *e;
	e->s->slot[h->kind] = i;
}

static void dwcs_heap_sift_up(struct dwcs_heap *h, u32 i)
{
	struct dwcs_heap_slot e = h->slot[i];

	while (i > 0) {
		u32 parent = (i - 1) / DWCS_HEAP_ARITY;

		if (!dwcs_heap_less(h, &e, &h->slot[parent]))
			break;
		dwcs_heap_place(h, i, &h->slot[parent]);
		i = parent;
	}
	dwcs_heap_place(h, i, &e);
}

static void dwcs_heap_sift_down(struct dwcs_heap *h, u32 i)
{
	struct dwcs_heap_slot e = h->slot[i];

	for (;;) {
		u32 first = DWCS_HEAP_ARITY * i + 1;
		u32 end = first + DWCS_HEAP_ARITY;
		u32 best = first, c;

		if (first >= h->len)
			break;
		if (end > h->len)
			end = h->len;
		for (c = first + 1; c < end; c++)
			if (dwcs_heap_less(h, &h->slot[c], &h->slot[best]))
				best = c;
		if (!dwcs_heap_less(h, &h->slot[best], &e))
			break;
		dwcs_heap_place(h, i, &h->slot[best]);
		i = best;
	}
	dwcs_heap_place(h, i, &e);
}

static void dwcs_heap_set(struct dwcs_heap *h, struct dwcs_stream *s,
			  const struct dwcs_heap_slot *e)
{
	u32 i = s->slot[h->kind];

	if (i == DWCS_HEAP_NONE) {
		i = h->len++;
		dwcs_heap_place(h, i, e);
		dwcs_heap_sift_up(h, i);
		return;
	}
	h->slot[i] = *e;
	/* The key moved one way or the other: one of the two sifts is a no-op. */
	dwcs_heap_sift_up(h, i);
	dwcs_heap_sift_down(h, s->slot[h->kind]);
}

void dwcs_heap_update(struct dwcs_heap *h, struct dwcs_stream *s)
{
	struct dwcs_heap_slot e = { .s = s };

	h->key(s, h->arg, e.key);
	dwcs_heap_set(h, s, &e);
}

void dwcs_heap_update_if_earlier(struct dwcs_heap *h, struct dwcs_stream *s)
{
	struct dwcs_heap_slot e = { .s = s };
	u32 i = s->slot[h->kind];

	h->key(s, h->arg, e.key);
	if (i != DWCS_HEAP_NONE && !dwcs_heap_less(h, &e, &h->slot[i]))
		return;
	dwcs_heap_set(h, s, &e);
}

void dwcs_heap_remove(struct dwcs_heap *h, struct dwcs_stream *s)
{
	u32 i = s->slot[h->kind];
	struct dwcs_heap_slot last;

	if (i == DWCS_HEAP_NONE)
		return;
	s->slot[h->kind] = DWCS_HEAP_NONE;
	last = h->slot[--h->len];
	if (last.s == s)
		return;
	dwcs_heap_place(h, i, &last);
	dwcs_heap_sift_up(h, i);
	dwcs_heap_sift_down(h, last.s->slot[h->kind]);
}
