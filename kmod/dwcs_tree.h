/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dwcs_tree.h — a priority queue of streams kept as a tournament (winner) tree.
 *
 * DWCS needs three orderings of the backlogged streams (precedence, eligibility time,
 * deadline) and re-keys one stream after every decision, nearly always the one it just
 * served, which was the first of READY. Every attached stream owns one leaf (its leaf
 * number, the same in all three trees); an internal node holds the number of the leaf that
 * wins its subtree, and the root the first of all. A change replays the matches on the path
 * from the leaf to the root: O(log n), one comparison a level, and the path is known before
 * any comparison is made, so its memory can be fetched up front. A binary heap's sift-down,
 * whose next address depends on each comparison, was 30 % slower at 10,000 streams
 * (docs/dwcs.md "Cost per decision"); it was also 5-10 % slower at 100. A tree of one leaf
 * plays no match at all: the leaf is the root's winner, its path played only when a second
 * leaf joins (t->sole), which halves the decision of streams that take turns one at a time.
 *
 * Costs: the depth follows the attached streams, not the backlogged ones (a leaf per
 * attached stream; an empty subtree is one comparison with a sentinel); per stream and tree
 * 40 bytes of leaf and 8 of nodes, 152 bytes in all with the leaf table. Nothing here
 * allocates: the owner supplies the memory (dwcs_core.c lays it out; the qdisc allocates it
 * with GFP_KERNEL outside its lock).
 */
#ifndef _DWCS_TREE_H
#define _DWCS_TREE_H

#include "dwcs_types.h"

struct dwcs_stream;

/* The orderings; each tree has one. */
enum dwcs_tree_kind {
	DWCS_TREE_READY,	/* eligible streams, by the precedence table */
	DWCS_TREE_WAIT,		/* backlogged streams not yet eligible, by eligibility time */
	DWCS_TREE_DEADLINE,	/* eligible streams whose head deadline is still unaccounted,
				 * keyed by a lower bound of it (dwcs_core.c) */
	DWCS_NR_TREES
};

#define DWCS_TREE_NONE	U32_MAX /* the winner of an empty subtree; a leaf not in the tree */
#define DWCS_TREE_KEYS	4

typedef bool (*dwcs_tree_less_t)(const struct dwcs_stream *a, const struct dwcs_stream *b,
				 const void *arg);
typedef void (*dwcs_tree_key_t)(const struct dwcs_stream *s, const void *arg,
				u64 key[DWCS_TREE_KEYS]);

/*
 * A leaf carries the stream's sort keys beside the pointer, compared in turn as wrap-safe
 * instants (plain numbers below 2^63 compare the same way). Comparisons decided by the keys
 * never touch a stream structure: with 10,000 streams those are cache misses, and streams of
 * equal period share deadlines (with the deadline as the only key, a third of table A's
 * comparisons were such ties; with three keys, table B still fell back on one comparison
 * in eleven). Keys equal throughout fall back to @less, the full order.
 */
struct dwcs_tree_slot {
	u64 key[DWCS_TREE_KEYS];
	struct dwcs_stream *s;
};

struct dwcs_tree {
	struct dwcs_tree_slot *slot;	/* [cap]: by leaf number */
	u32 *win;		/* [2 * cap]: node i's winning leaf; 1 is the root, the children
				 * of i are 2i and 2i + 1, leaf l is node cap + l */
	u32 len;		/* leaves in the tree */
	u32 cap;
	u32 sole;		/* the only leaf, its path not played (NONE: every path played):
				 * see dwcs_tree_set() */
	u32 third_key_from;	/* from this many leaves in the tree on, matches take the third
				 * key without a branch too (U32_MAX: never) */
	dwcs_tree_less_t less;	/* the full order; must agree with the keys where they differ */
	dwcs_tree_key_t key;
	const void *arg;	/* passed to @less and @key (the scheduler) */
};

void dwcs_tree_init(struct dwcs_tree *t, dwcs_tree_less_t less, dwcs_tree_key_t key,
		    const void *arg);
/* Empties @t over its memory (slot, win, cap set). */
void dwcs_tree_clear(struct dwcs_tree *t);
/* Replays every match (after the leaves were copied into new memory): O(cap). */
void dwcs_tree_rebuild(struct dwcs_tree *t);
bool dwcs_tree_contains(const struct dwcs_tree *t, const struct dwcs_stream *s);
/* Inserts @s, or replays its path when its key changed. */
void dwcs_tree_update(struct dwcs_tree *t, struct dwcs_stream *s);
/*
 * Inserts @s, or re-keys it only when its key now orders before the stored one: a key that
 * moved later stays stored as a lower bound, which the owner must then recognize at the top
 * (see dwcs_select()). Saves the replay when most changes are postponements.
 */
void dwcs_tree_update_if_earlier(struct dwcs_tree *t, struct dwcs_stream *s);
void dwcs_tree_remove(struct dwcs_tree *t, struct dwcs_stream *s);
/* Leaf @from's entry (keys, stream, membership) moves to leaf @to, which is not in @t. */
void dwcs_tree_move_leaf(struct dwcs_tree *t, u32 from, u32 to);

/*
 * The leaves that lost to the top in the @levels matches nearest the root (nearest first),
 * for guessing which stream comes next (dwcs_core.c prefetches them); at most @levels
 * written, their number returned. @t must not be empty.
 */
u32 dwcs_tree_near_root_losers(const struct dwcs_tree *t, u32 *leaf, u32 levels);

static inline const struct dwcs_tree_slot *dwcs_tree_top_slot(const struct dwcs_tree *t)
{
	return t->len ? &t->slot[t->win[1]] : NULL;
}

static inline struct dwcs_stream *dwcs_tree_top(const struct dwcs_tree *t)
{
	return t->len ? t->slot[t->win[1]].s : NULL;
}

#endif /* _DWCS_TREE_H */
