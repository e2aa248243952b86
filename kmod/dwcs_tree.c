// SPDX-License-Identifier: GPL-2.0
/*
 * dwcs_tree.c — tournament tree of streams (see dwcs_tree.h).
 *
 * The layout is the implicit one of a binary heap over 2 * cap nodes, with the leaves in the
 * upper half, so a leaf's path is n, n / 2, n / 4, ... 1 and its sibling at each level is
 * n ^ 1. Any cap works (not only powers of two): every node but the root has its parent at
 * n / 2, so the nodes form one tree rooted at 1, with leaves at two adjacent depths.
 */
#include "dwcs_core.h"

void dwcs_tree_init(struct dwcs_tree *t, dwcs_tree_less_t less, dwcs_tree_key_t key,
		    const void *arg)
{
	t->len = 0;
	t->sole = DWCS_TREE_NONE;
	t->third_key_from = U32_MAX;
	t->less = less;
	t->key = key;
	t->arg = arg;
}

void dwcs_tree_clear(struct dwcs_tree *t)
{
	memset(t->win, 0xff, 2 * (size_t)t->cap * sizeof(*t->win)); /* DWCS_TREE_NONE */
	t->len = 0;
	t->sole = DWCS_TREE_NONE;
}

static bool dwcs_tree_less(const struct dwcs_tree *t, const struct dwcs_tree_slot *a,
			   const struct dwcs_tree_slot *b)
{
	int k;

	for (k = 0; k < DWCS_TREE_KEYS; k++)
		if (a->key[k] != b->key[k])
			return dwcs_time_before(a->key[k], b->key[k]);
	return t->less(a->s, b->s, t->arg);
}

/* The winner of a match between leaves @a and @b (either may be NONE): for rebuilds. */
static inline u32 dwcs_tree_winner(const struct dwcs_tree *t, u32 a, u32 b)
{
	if (b == DWCS_TREE_NONE)
		return a;
	if (a == DWCS_TREE_NONE)
		return b;
	return dwcs_tree_less(t, &t->slot[b], &t->slot[a]) ? b : a;
}

/* All ones when @c, else 0; hidden from the optimizer, so that a masked select stays one. */
static inline u64 dwcs_tree_mask(bool c)
{
	u64 m = -(u64)c;

	__asm__ ("" : "=r" (m) : "0" (m));
	return m;
}

/*
 * One match without a branch: the current winner @w, its keys in @k (registers), against
 * leaf @o, keys @ok; @w and @k become the winner's. The keys' difference is taken as one
 * number of two or three words, each lower word's wrap-safe sign the borrow into the next,
 * and the top word's sign decides. Returns whether all the words were zero (the keys tie:
 * the caller decides by the other keys and @less; @w is unchanged then).
 *
 * The decision is the chain through every level of a replay (the next match needs this
 * one's keys), so its latency is what a replay costs at depth. On x86-64 it is flags and
 * cmov: sub, bt (the lower word's sign into the carry), sbb, cmovs: 4 dependent instructions
 * a level on two keys and 6 on three, against 6 and 8 for the portable form (sub, shift, sub,
 * sar, and, xor), which GCC 12 does not turn into cmov (written with __int128 and ternaries
 * it became a branch, mispredicted on coin-toss matches). Measured (docs/dwcs.md, session
 * 21): table A 0.91x at 100 streams, 0.89x at 10,000. Both forms order alike, bit for bit;
 * the unit tests run both (test/unit/dwcs.mk).
 */
#if defined(__x86_64__) && !defined(DWCS_TREE_PORTABLE_MATCH)
static __always_inline bool dwcs_tree_match(u32 *w, u64 k[3], u32 o, const u64 ok[3],
					    const bool third)
{
	u64 hi, lo, d2 = 0;

	if (third)
		asm("mov %[o2], %[d2]\n\tsub %[k2], %[d2]\n\tbt $63, %[d2]\n\t"
		    "mov %[o1], %[lo]\n\tsbb %[k1], %[lo]\n\tbt $63, %[lo]\n\t"
		    "mov %[o0], %[hi]\n\tsbb %[k0], %[hi]\n\t"
		    "cmovs %[o0], %[k0]\n\tcmovs %[o1], %[k1]\n\t"
		    "cmovs %[o2], %[k2]\n\tcmovs %[o], %[w]"
		    : [hi] "=&r" (hi), [lo] "=&r" (lo), [d2] "=&r" (d2),
		      [k0] "+r" (k[0]), [k1] "+r" (k[1]), [k2] "+r" (k[2]), [w] "+r" (*w)
		    : [o0] "r" (ok[0]), [o1] "r" (ok[1]), [o2] "r" (ok[2]), [o] "r" (o)
		    : "cc");
	else
		asm("mov %[o1], %[lo]\n\tsub %[k1], %[lo]\n\tbt $63, %[lo]\n\t"
		    "mov %[o0], %[hi]\n\tsbb %[k0], %[hi]\n\t"
		    "cmovs %[o0], %[k0]\n\tcmovs %[o1], %[k1]\n\tcmovs %[o], %[w]"
		    : [hi] "=&r" (hi), [lo] "=&r" (lo),
		      [k0] "+r" (k[0]), [k1] "+r" (k[1]), [w] "+r" (*w)
		    : [o0] "r" (ok[0]), [o1] "r" (ok[1]), [o] "r" (o)
		    : "cc");
	return !(hi | lo | d2);
}
#else
static __always_inline bool dwcs_tree_match(u32 *w, u64 k[3], u32 o, const u64 ok[3],
					    const bool third)
{
	u64 d2 = third ? ok[2] - k[2] : 0, lo = ok[1] - k[1] - (d2 >> 63);
	u64 hi = ok[0] - k[0] - (lo >> 63), sel = (u64)((s64)hi >> 63);

	*w ^= (*w ^ o) & (u32)sel;
	k[0] ^= (k[0] ^ ok[0]) & sel;
	k[1] ^= (k[1] ^ ok[1]) & sel;
	if (third)
		k[2] ^= (k[2] ^ ok[2]) & sel;
	return !(hi | lo | d2);
}
#endif

/*
 * Replays the matches on @leaf's path, up to where the winner no longer changes.
 *
 * A match is decided by the first two keys without a branch (dwcs_tree_match()). The outcome
 * of a match between two subtrees' winners is a coin toss at 10,000 streams (a served
 * stream, re-keyed to the back, loses near the root, and from there on each match is between
 * two subtrees' firsts), so a branch on it was mispredicted about every other level; and
 * streams of equal period share deadlines, equal windows share ranks (in dwcs_bench at
 * 10,000 streams the first key was equal in 39 % of table A's matches and 49 % of table B's,
 * both first keys in 18 and 11 %). Only pairs equal in both keys take a branch, to the other
 * keys and @less. Ordered as dwcs_tree_less() orders, but for first keys exactly 2^63 apart,
 * which dwcs_time_before() puts each before the other. With @third, the third key's
 * wrap-safe sign is the borrow into the second: a longer dependency through every level,
 * which pays only where ties on two keys are many (dwcs_core.c: READY in table A with 2,048
 * eligible streams or more). Measured (docs/dwcs.md): one key without a branch, more ties;
 * three everywhere, slower at 100 streams and in table B.
 */
static __always_inline void dwcs_tree_replay_keys(struct dwcs_tree *t, u32 leaf,
						   const bool third)
{
	const struct dwcs_tree_slot *slot = t->slot;
	u32 *win = t->win;
	u32 n = t->cap + leaf, m, w = win[n];
	bool wv = w != DWCS_TREE_NONE;
	const struct dwcs_tree_slot *ws = &slot[w & (u32)dwcs_tree_mask(wv)];
	u64 k[3] = { ws->key[0], ws->key[1], third ? ws->key[2] : 0 };

	/*
	 * The path is known before any comparison: start fetching the leaves that will be
	 * compared, so that a mispredicted comparison does not also wait for memory.
	 */
	for (m = n; m > 1; m >>= 1) {
		u32 o = win[m ^ 1];

		if (o != DWCS_TREE_NONE)
			__builtin_prefetch(&slot[o]);
	}
	for (; n > 1; n >>= 1) {
		u32 o = win[n ^ 1];

		if (likely(o != DWCS_TREE_NONE)) {
			const struct dwcs_tree_slot *os = &slot[o];
			u64 ok[3] = { os->key[0], os->key[1], third ? os->key[2] : 0 };

			if (unlikely(!wv)) {
				w = o;
				k[0] = ok[0], k[1] = ok[1], k[2] = ok[2];
				wv = true;
			} else if (unlikely(dwcs_tree_match(&w, k, o, ok, third)) &&
				   dwcs_tree_less(t, os, &slot[w])) {
				w = o;
			}
		}
		/* Unchanged, and not the leaf whose key changed: nothing above can change. */
		if (win[n >> 1] == w && w != leaf)
			break;
		win[n >> 1] = w;
	}
}

/*
 * The path's nodes nearest the root, from the top's leaf number: no comparison between the
 * losers there. Which one is first takes the keys, three of them where ties are many; the
 * runner-up so computed over the whole path (exact in dwcs_bench's table A) cost some 650
 * instructions a decision, which ate what its prefetch saved.
 */
u32 dwcs_tree_near_root_losers(const struct dwcs_tree *t, u32 *leaf, u32 levels)
{
	u32 n = t->cap + t->win[1], depth = 31 - __builtin_clz(n), i;

	if (levels > depth)
		levels = depth;
	for (i = 0; i < levels; i++)
		leaf[i] = t->win[(n >> (depth - 1 - i)) ^ 1];
	return levels;
}

/*
 * A check: built with -DDWCS_TREE_ALWAYS_THIRD_KEY, every tree takes the third key in every
 * match; test/unit/dwcs.mk runs the tree and property tests on that build too.
 */
static void dwcs_tree_replay(struct dwcs_tree *t, u32 leaf)
{
#ifdef DWCS_TREE_ALWAYS_THIRD_KEY
	if (true)
#else
	if (t->len >= t->third_key_from)
#endif
		dwcs_tree_replay_keys(t, leaf, true);
	else
		dwcs_tree_replay_keys(t, leaf, false);
}

void dwcs_tree_rebuild(struct dwcs_tree *t)
{
	u32 n;

	for (n = t->cap - 1; n >= 1; n--)
		t->win[n] = dwcs_tree_winner(t, t->win[2 * n], t->win[2 * n + 1]);
	t->sole = DWCS_TREE_NONE;
}

/* The sole leaf's path is played after all: another leaf joins, or one moves. */
static void dwcs_tree_play_sole(struct dwcs_tree *t)
{
	u32 leaf = t->sole;

	if (leaf == DWCS_TREE_NONE)
		return;
	t->sole = DWCS_TREE_NONE;
	dwcs_tree_replay(t, leaf);
}

bool dwcs_tree_contains(const struct dwcs_tree *t, const struct dwcs_stream *s)
{
	return t->win[t->cap + s->leaf] != DWCS_TREE_NONE;
}

/*
 * A leaf that joins an empty tree is made its root's winner at once, its path left unplayed
 * (every node on it holds NONE, as it did): it is the sole leaf, and while it stays alone
 * its re-keying and its removal need no replay either. Why: a stream that goes idle after
 * each packet (test/bench/vm-flood's 1,000 streams, or any link whose streams seldom
 * overlap) joined READY and left it again with two replays of the whole depth a packet.
 * Cost: one test a change; the path is played when a second leaf joins or a leaf moves.
 */
static void dwcs_tree_set(struct dwcs_tree *t, struct dwcs_stream *s,
			  const struct dwcs_tree_slot *e)
{
	u32 leaf = s->leaf;

	t->slot[leaf] = *e;
	if (leaf == t->sole)
		return;
	if (t->win[t->cap + leaf] == DWCS_TREE_NONE) {
		t->win[t->cap + leaf] = leaf;
		if (!t->len++) {
			t->win[1] = leaf;
			t->sole = leaf;
			return;
		}
		dwcs_tree_play_sole(t);
	}
	dwcs_tree_replay(t, leaf);
}

void dwcs_tree_update(struct dwcs_tree *t, struct dwcs_stream *s)
{
	struct dwcs_tree_slot e = { .s = s };

	t->key(s, t->arg, e.key);
	dwcs_tree_set(t, s, &e);
}

void dwcs_tree_update_if_earlier(struct dwcs_tree *t, struct dwcs_stream *s)
{
	struct dwcs_tree_slot e = { .s = s };

	t->key(s, t->arg, e.key);
	if (dwcs_tree_contains(t, s) && !dwcs_tree_less(t, &e, &t->slot[s->leaf]))
		return;
	dwcs_tree_set(t, s, &e);
}

void dwcs_tree_remove(struct dwcs_tree *t, struct dwcs_stream *s)
{
	if (!dwcs_tree_contains(t, s))
		return;
	t->win[t->cap + s->leaf] = DWCS_TREE_NONE;
	t->len--;
	if (s->leaf == t->sole) {
		t->win[1] = DWCS_TREE_NONE;
		t->sole = DWCS_TREE_NONE;
		return;
	}
	dwcs_tree_replay(t, s->leaf);
}

void dwcs_tree_move_leaf(struct dwcs_tree *t, u32 from, u32 to)
{
	dwcs_tree_play_sole(t);
	t->slot[to] = t->slot[from];
	if (t->win[t->cap + from] == DWCS_TREE_NONE)
		return;
	t->win[t->cap + from] = DWCS_TREE_NONE;
	dwcs_tree_replay(t, from);
	t->win[t->cap + to] = to;
	dwcs_tree_replay(t, to);
}
