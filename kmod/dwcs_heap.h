/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dwcs_heap.h — an indexed binary min-heap of streams.
 *
 * DWCS needs three orderings of the backlogged streams (precedence, eligibility time,
 * deadline) and must re-key one stream after every decision. An indexed heap does insert,
 * remove and re-key of any member in O(log n) and finds the minimum in O(1); each stream
 * remembers its slot in every heap, so no search is ever needed.
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
	DWCS_HEAP_DEADLINE,	/* eligible streams whose head deadline is still unaccounted */
	DWCS_NR_HEAPS
};

#define DWCS_HEAP_NONE U32_MAX /* slot index of a stream that is not in a heap */

typedef bool (*dwcs_heap_less_t)(const struct dwcs_stream *a, const struct dwcs_stream *b,
				 const void *arg);
typedef u64 (*dwcs_heap_key_t)(const struct dwcs_stream *s, const void *arg);

/*
 * A slot carries the stream's primary key beside the pointer: most comparisons are decided
 * by the keys alone and never touch a stream structure, which is what keeps sifting through
 * 10,000 streams cache-friendly. Equal keys fall back to the full order, @less.
 */
struct dwcs_heap_slot {
	u64 key;
	struct dwcs_stream *s;
};

struct dwcs_heap {
	struct dwcs_heap_slot *slot;
	u32 len;
	u32 cap;
	u8 kind;		/* enum dwcs_heap_kind: index of the stream's slot number */
	bool time_keys;		/* keys are instants (wrap-safe order), else plain numbers */
	dwcs_heap_less_t less;	/* the full order; must agree with the keys where they differ */
	dwcs_heap_key_t key;
	const void *arg;	/* passed to @less and @key (the scheduler) */
};

void dwcs_heap_init(struct dwcs_heap *h, enum dwcs_heap_kind kind, dwcs_heap_less_t less,
		    dwcs_heap_key_t key, bool time_keys, const void *arg);
bool dwcs_heap_contains(const struct dwcs_heap *h, const struct dwcs_stream *s);
/* Inserts @s, or restores the order around it when its key changed. Needs len < cap. */
void dwcs_heap_update(struct dwcs_heap *h, struct dwcs_stream *s);
void dwcs_heap_remove(struct dwcs_heap *h, struct dwcs_stream *s);

static inline struct dwcs_stream *dwcs_heap_top(const struct dwcs_heap *h)
{
	return h->len ? h->slot[0].s : NULL;
}

#endif /* _DWCS_HEAP_H */
