/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dwcs_heap.h — an indexed d-ary (binary) min-heap of streams.
 *
 * DWCS needs three orderings of the backlogged streams (precedence, eligibility time,
 * deadline) and must re-key one stream after every decision. An indexed heap does insert,
 * remove and re-key of any member in O(log n) and finds the minimum in O(1); each stream
 * remembers its slot in every heap, so no search is ever needed.
 *
 * Arity: with four children a node a re-keyed stream sinks through half as many levels
 * (log4 n), at three comparisons per level instead of two. Measured (test/bench/dwcs_bench.c)
 * once the slots carried enough keys to decide nearly every comparison: 4-ary was faster than
 * binary with one key per slot, but binary is then 5-10% faster at 1,000 and 10,000 streams
 * (the comparisons, unpredictable branches, cost more than the levels' cache lines), so 2.
 *
 * The heap never allocates: its owner supplies the slot array and grows it (the qdisc does
 * that with GFP_KERNEL outside its lock, when a class is added).
 */
#ifndef _DWCS_HEAP_H
#define _DWCS_HEAP_H

#include "dwcs_types.h"

struct dwcs_stream;

/* The orderings; each heap has one. */
enum dwcs_heap_kind {
	DWCS_HEAP_READY,	/* eligible streams, by the precedence table */
	DWCS_HEAP_WAIT,		/* backlogged streams not yet eligible, by eligibility time */
	DWCS_HEAP_DEADLINE,	/* eligible streams whose head deadline is still unaccounted,
				 * keyed by a lower bound of it (dwcs_core.c) */
	DWCS_NR_HEAPS
};

#define DWCS_HEAP_ARITY	2
#define DWCS_HEAP_NONE	U32_MAX /* slot index of a stream that is not in a heap */
#define DWCS_HEAP_KEYS	3

typedef bool (*dwcs_heap_less_t)(const struct dwcs_stream *a, const struct dwcs_stream *b,
				 const void *arg);
typedef void (*dwcs_heap_key_t)(const struct dwcs_stream *s, const void *arg,
				u64 key[DWCS_HEAP_KEYS]);

/*
 * A slot carries the stream's leading sort keys beside the pointer, compared in turn as
 * wrap-safe instants (plain numbers below 2^63 compare the same way). Comparisons decided by
 * the keys never touch a stream structure: with 10,000 streams those are cache misses, and
 * with one key only (the deadline) a third of the comparisons in table A were ties, since
 * streams of equal period share deadlines. Keys equal throughout fall back to @less, the full
 * order. Cost: 32 bytes a slot instead of 16.
 */
struct dwcs_heap_slot {
	u64 key[DWCS_HEAP_KEYS];
	struct dwcs_stream *s;
};

struct dwcs_heap {
	struct dwcs_heap_slot *slot;
	u32 len;
	u32 cap;
	u8 kind;		/* enum dwcs_heap_kind: index of the stream's slot number */
	dwcs_heap_less_t less;	/* the full order; must agree with the keys where they differ */
	dwcs_heap_key_t key;
	const void *arg;	/* passed to @less and @key (the scheduler) */
};

void dwcs_heap_init(struct dwcs_heap *h, enum dwcs_heap_kind kind, dwcs_heap_less_t less,
		    dwcs_heap_key_t key, const void *arg);
bool dwcs_heap_contains(const struct dwcs_heap *h, const struct dwcs_stream *s);
/* Inserts @s, or restores the order around it when its key changed. Needs len < cap. */
void dwcs_heap_update(struct dwcs_heap *h, struct dwcs_stream *s);
/*
 * Inserts @s, or re-keys it only when its key now orders before the stored one: a key that
 * moved later stays stored as a lower bound, which the owner must then recognize at the top
 * (see dwcs_select()). Saves the sift when most changes are postponements.
 */
void dwcs_heap_update_if_earlier(struct dwcs_heap *h, struct dwcs_stream *s);
void dwcs_heap_remove(struct dwcs_heap *h, struct dwcs_stream *s);

static inline const struct dwcs_heap_slot *dwcs_heap_top_slot(const struct dwcs_heap *h)
{
	return h->len ? &h->slot[0] : NULL;
}

static inline struct dwcs_stream *dwcs_heap_top(const struct dwcs_heap *h)
{
	return h->len ? h->slot[0].s : NULL;
}

#endif /* _DWCS_HEAP_H */
