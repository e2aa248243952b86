// SPDX-License-Identifier: GPL-2.0
/*
 * dwcs_tree_test.c — the tournament tree of kmod/dwcs_tree.c on its own: insert, re-key (both
 * ways), lazy re-key, removal of arbitrary members, randomized against a reference (a plain
 * scan for the minimum); and the READY keys of dwcs_core.c, which must order every pair of
 * window states exactly as the precedence tables do wherever they differ.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "dwcs_harness.h"

#define NSTREAMS 300

static u64 rng_state = 0x9e3779b97f4a7c15ULL;

static u32 rnd(u32 n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (u32)(rng_state % n);
}

/*
 * Test order: key_deadline, key_arrival, key_eligible (instants, each near a wrap of the
 * clock, so that every word's borrow in a match must be its wrap-safe sign), then id (@less).
 */
static void test_key(const struct dwcs_stream *s, const void *arg, u64 key[DWCS_TREE_KEYS])
{
	key[0] = s->key_deadline;
	key[1] = s->key_arrival;
	key[2] = s->key_eligible;
}

static int less_calls;

static bool test_less(const struct dwcs_stream *a, const struct dwcs_stream *b, const void *arg)
{
	less_calls++;
	return a->id < b->id;
}

static bool ref_less(const struct dwcs_stream *a, const struct dwcs_stream *b)
{
	if (a->key_deadline != b->key_deadline)
		return dwcs_time_before(a->key_deadline, b->key_deadline);
	if (a->key_arrival != b->key_arrival)
		return dwcs_time_before(a->key_arrival, b->key_arrival);
	if (a->key_eligible != b->key_eligible)
		return dwcs_time_before(a->key_eligible, b->key_eligible);
	return a->id < b->id;
}

/* The stored keys of leaf @l as a stream, for ref_less (a lazy re-key leaves them behind). */
static struct dwcs_stream stored(const struct dwcs_tree *t, u32 l)
{
	struct dwcs_stream k = *t->slot[l].s;

	k.key_deadline = t->slot[l].key[0];
	k.key_arrival = t->slot[l].key[1];
	k.key_eligible = t->slot[l].key[2];
	return k;
}

/*
 * A tree whose only leaf joined it empty holds that leaf at the root with its path unplayed
 * (dwcs_tree_set()): every other node NONE. True when @t is in that state (checked so).
 */
static bool sole_leaf_checked(const struct dwcs_tree *t)
{
	u32 i;

	if (t->sole == DWCS_TREE_NONE)
		return false;
	assert_int_equal(t->len, 1);
	assert_int_equal(t->win[t->cap + t->sole], t->sole);
	assert_int_equal(t->win[1], t->sole);
	for (i = 2; i < t->cap; i++)
		assert_int_equal(t->win[i], DWCS_TREE_NONE);
	return true;
}

/*
 * Membership, and every match played right: each node holds the winner of its two children
 * by the stored keys (so the root holds the first of all); with @exact, the root is also the
 * first by the streams' current keys.
 */
static void check_tree(const struct dwcs_tree *t, struct dwcs_stream *st, const bool *in,
		       const bool *exact)
{
	u32 i, members = 0;

	for (i = 0; i < NSTREAMS; i++) {
		assert_int_equal(st[i].leaf, i);
		assert_int_equal(dwcs_tree_contains(t, &st[i]), in[i]);
		if (in[i]) {
			members++;
			assert_ptr_equal(t->slot[i].s, &st[i]);
		}
	}
	assert_int_equal(members, t->len);
	for (i = sole_leaf_checked(t) ? t->cap : 1; i < t->cap; i++) {
		u32 l = t->win[2 * i], r = t->win[2 * i + 1], want;

		if (l == DWCS_TREE_NONE || r == DWCS_TREE_NONE) {
			want = l == DWCS_TREE_NONE ? r : l;
		} else {
			struct dwcs_stream kl = stored(t, l), kr = stored(t, r);

			want = ref_less(&kr, &kl) ? r : l;
		}
		assert_int_equal(t->win[i], want);
	}
	if (exact && t->len) {
		struct dwcs_stream *best = NULL;

		for (i = 0; i < NSTREAMS; i++)
			if (in[i] && exact[i] && (!best || ref_less(&st[i], best)))
				best = &st[i];
		if (best)
			assert_false(ref_less(best, dwcs_tree_top(t)));
	}
}

static void randomize(struct dwcs_stream *s)
{
	/* Few distinct values, so that the second key and @less are reached. */
	s->key_deadline = (u64)-20 + rnd(40);
	s->key_arrival = (u64)-1 + rnd(3);
	s->key_eligible = (u64)-1 + rnd(3);
}

/* An empty tree, and NSTREAMS streams with ids on leaves 0.., in none of it. */
struct tree_fixture {
	struct dwcs_tree_slot slots[NSTREAMS];
	u32 win[2 * NSTREAMS];
	struct dwcs_stream st[NSTREAMS];
	bool in[NSTREAMS];
	struct dwcs_tree t;
};

static struct tree_fixture *tree_fixture(void)
{
	static struct tree_fixture fx;

	memset(&fx, 0, sizeof(fx));
	dwcs_tree_init(&fx.t, test_less, test_key, NULL);
	fx.t.slot = fx.slots;
	fx.t.win = fx.win;
	fx.t.cap = NSTREAMS;
	dwcs_tree_clear(&fx.t);
	for (u32 i = 0; i < NSTREAMS; i++) {
		fx.st[i].id = i;
		fx.st[i].leaf = i;
	}
	return &fx;
}

static void test_tree_random_against_reference(void **state)
{
	struct tree_fixture *fx = tree_fixture();
	struct dwcs_tree *h = &fx->t;
	struct dwcs_stream *st = fx->st;
	bool *in = fx->in;
	u32 i, op;

	less_calls = 0;
	for (op = 0; op < 200000; op++) {
		u32 k = rnd(NSTREAMS);

		switch (rnd(4)) {
		case 0: /* insert, or re-key either way */
		case 1:
			randomize(&st[k]);
			dwcs_tree_update(h, &st[k]);
			in[k] = true;
			break;
		case 2: /* remove any member (or nothing) */
			dwcs_tree_remove(h, &st[k]);
			in[k] = false;
			break;
		case 3: /* pop the minimum */
			if (h->len) {
				struct dwcs_stream *top = dwcs_tree_top(h);

				for (i = 0; i < NSTREAMS; i++)
					assert_false(in[i] && ref_less(&st[i], top));
				dwcs_tree_remove(h, top);
				in[top->id] = false;
			}
			break;
		}
		assert_int_equal(dwcs_tree_contains(h, &st[k]), in[k]);
		if (op % 97 == 0)
			check_tree(h, st, in, NULL);
	}
	check_tree(h, st, in, NULL);
	assert_true(less_calls > 0); /* the fallback order was exercised */
}

/*
 * A leaf alone in the tree (its path unplayed, dwcs_tree_set()): re-keyed, removed, joined by
 * a second leaf, moved, all with few members so that the tree empties often; every state
 * checked against the reference. Also the one-leaf tree, whose leaf is its root.
 */
static void test_tree_sole_leaf(void **state)
{
	enum { FREE_LEAF = 100 };	/* never a member of its own */
	static const u32 used[] = { 0, 1, 150, NSTREAMS - 2, NSTREAMS - 1 };
	struct tree_fixture *fx = tree_fixture();
	struct dwcs_tree *h = &fx->t, one;
	struct dwcs_stream *st = fx->st, single = { .id = 7, .leaf = 0 };
	struct dwcs_tree_slot one_slot;
	bool *in = fx->in;
	u32 op, sole_seen = 0, win_one[2];

	for (op = 0; op < 20000; op++) {
		struct dwcs_stream *s = &st[used[rnd(sizeof(used) / sizeof(used[0]))]];

		switch (rnd(4)) {
		case 0:
			randomize(s);
			dwcs_tree_update(h, s);
			in[s->id] = true;
			break;
		case 1: /* twice as likely as an update: the tree is often empty or alone */
		case 3:
			dwcs_tree_remove(h, s);
			in[s->id] = false;
			break;
		case 2: /* a member moves to a free leaf and back, as a detach moves the last */
			if (in[s->id]) {
				u32 from = s->leaf, i;

				dwcs_tree_move_leaf(h, from, FREE_LEAF);
				s->leaf = FREE_LEAF;
				assert_true(dwcs_tree_contains(h, s));
				for (i = 0; i < NSTREAMS; i++)
					assert_false(in[i] && ref_less(&st[i], dwcs_tree_top(h)));
				dwcs_tree_move_leaf(h, FREE_LEAF, from);
				s->leaf = from;
			}
			break;
		}
		sole_seen += h->sole != DWCS_TREE_NONE;
		check_tree(h, st, in, (bool[NSTREAMS]){ [0 ... NSTREAMS - 1] = true });
	}
	assert_true(sole_seen > 1000);

	dwcs_tree_init(&one, test_less, test_key, NULL);
	one.slot = &one_slot;
	one.win = win_one;
	one.cap = 1;
	dwcs_tree_clear(&one);
	dwcs_tree_update(&one, &single);
	assert_ptr_equal(dwcs_tree_top(&one), &single);
	single.key_deadline += 5;
	dwcs_tree_update(&one, &single);
	assert_ptr_equal(dwcs_tree_top(&one), &single);
	dwcs_tree_remove(&one, &single);
	assert_null(dwcs_tree_top(&one));
	assert_false(dwcs_tree_contains(&one, &single));
}

/*
 * dwcs_tree_update_if_earlier(): a later key stays stored (a lower bound), an earlier one is
 * taken; a full update then restores the exact order.
 */
static void test_tree_update_if_earlier(void **state)
{
	struct tree_fixture *fx = tree_fixture();
	struct dwcs_tree *h = &fx->t;
	struct dwcs_stream *st = fx->st;
	bool *in = fx->in;
	u32 i, op;

	for (i = 0; i < NSTREAMS; i++) {
		randomize(&st[i]);
		dwcs_tree_update_if_earlier(h, &st[i]);
		in[i] = true;
	}
	check_tree(h, st, in, NULL);
	for (op = 0; op < 50000; op++) {
		struct dwcs_stream *s = &st[rnd(NSTREAMS)];
		u32 at = s->leaf;
		u64 stored = h->slot[at].key[0];

		s->key_deadline = stored + rnd(30) - 10;
		s->key_arrival = h->slot[at].key[1];
		dwcs_tree_update_if_earlier(h, s);
		if (dwcs_time_before(s->key_deadline, stored))
			assert_int_equal(h->slot[at].key[0], s->key_deadline);
		else
			assert_int_equal(h->slot[at].key[0], stored);
		if (op % 101 == 0)
			check_tree(h, st, in, NULL);
	}
	/* Every stored key is a lower bound; correcting them all gives the exact order. */
	for (i = 0; i < NSTREAMS; i++) {
		u32 at = st[i].leaf;

		assert_false(dwcs_time_before(st[i].key_deadline, h->slot[at].key[0]));
		dwcs_tree_update(h, &st[i]);
	}
	check_tree(h, st, in, (bool[NSTREAMS]){ [0 ... NSTREAMS - 1] = true });
}

/*
 * The READY keys against dwcs_precedes(), both tables, for every pair of window states a
 * stream can be in with y <= 5 (x' <= y' <= y, and after violations x' = 0 with y' up to
 * U32_MAX), equal or different deadlines and arrivals: the tree's top must be the stream the
 * table puts first.
 */
static void test_ready_keys_follow_precedence(void **state)
{
	static const u32 big_y[] = { 6, 7, 1000, U32_MAX - 1, U32_MAX };
	struct { u32 y, xc, yc; } w[64];
	int nw = 0, a, b, o, v;
	struct h_sched *h = h_new(2);
	struct dwcs_stream *s0 = h_add(h, 0, 1000000, 0, 0, 0);
	struct dwcs_stream *s1 = h_add(h, 1, 1000000, 0, 0, 0);
	u32 y, xc, yc;

	for (y = 1; y <= 5; y++)
		for (yc = 0; yc <= y; yc++)
			for (xc = 0; xc <= yc; xc++)
				if (nw < 56) {
					w[nw].y = y;
					w[nw].xc = xc;
					w[nw++].yc = yc;
				}
	for (a = 0; a < 5; a++) {
		w[nw].y = 5;
		w[nw].xc = 0;
		w[nw++].yc = big_y[a];
	}
	for (o = 0; o < 2; o++) {
		struct dwcs_tree *ready = &h->sched.tree[DWCS_TREE_READY];

		dwcs_sched_set_mode(&h->sched, (u8)o, true);
		for (a = 0; a < nw; a++)
			for (b = 0; b < nw; b++)
				for (v = 0; v < 8; v++) {
					struct dwcs_stream *first;

					s0->xc = w[a].xc;
					s0->yc = w[a].yc;
					s1->xc = w[b].xc;
					s1->yc = w[b].yc;
					s0->key_deadline = (u64)-5;
					s1->key_deadline = (u64)-5 + (v & 1 ? 10 : 0);
					s0->key_arrival = 100 + (v & 2 ? 1 : 0);
					s1->key_arrival = 100 + (v & 4 ? 1 : 0);
					dwcs_tree_update(ready, s0);
					dwcs_tree_update(ready, s1);
					first = dwcs_precedes((u8)o, s1, s0) ? s1 : s0;
					assert_ptr_equal(dwcs_tree_top(ready), first);
					dwcs_tree_remove(ready, s0);
					dwcs_tree_remove(ready, s1);
				}
	}
	h_free(h);
}

/* Every match of @t played right by its own order (keys, then @less), and the leaves of
 * @sched's streams where their leaf numbers say. */
static void check_sched_tree(const struct dwcs_sched *sched, const struct dwcs_tree *t)
{
	u32 i, members = 0;

	for (i = 0; i < t->cap; i++) {
		u32 w = t->win[t->cap + i];

		if (i >= sched->streams) {
			assert_int_equal(w, DWCS_TREE_NONE);
			continue;
		}
		assert_int_equal(sched->by_leaf[i]->leaf, i);
		if (w == DWCS_TREE_NONE)
			continue;
		assert_int_equal(w, i);
		assert_ptr_equal(t->slot[i].s, sched->by_leaf[i]);
		members++;
	}
	assert_int_equal(members, t->len);
	for (i = sole_leaf_checked(t) ? t->cap : 1; i < t->cap; i++) {
		u32 l = t->win[2 * i], r = t->win[2 * i + 1], want = l;

		if (l == DWCS_TREE_NONE) {
			want = r;
		} else if (r != DWCS_TREE_NONE) {
			const struct dwcs_tree_slot *a = &t->slot[r], *b = &t->slot[l];
			int k = 0;

			while (k < DWCS_TREE_KEYS && a->key[k] == b->key[k])
				k++;
			if (k < DWCS_TREE_KEYS ? dwcs_time_before(a->key[k], b->key[k]) :
						 t->less(a->s, b->s, t->arg))
				want = r;
		}
		assert_int_equal(t->win[i], want);
	}
}

/*
 * What the qdisc does to the trees besides scheduling: streams attached while the trees
 * grow (dwcs_sched_resize, doubling, as sch_dwcs.c does), and detached in any order (the
 * last leaf moves into the freed one, keys and membership with it), all while backlogged.
 */
static void test_detach_moves_the_last_leaf(void **state)
{
	enum { N = 200 };
	struct h_sched *h = h_new(N);
	u64 now = 1000000;
	u32 cap = 4, i, k, live = 0;
	bool attached[N] = { 0 };
	void *mem;

	free(h->slots);
	h->slots = calloc(1, dwcs_sched_mem_size(cap));
	dwcs_sched_init(&h->sched, h->sched.ops, h->slots, cap);
	dwcs_sched_set_mode(&h->sched, DWCS_ORDER_DEADLINE_FIRST, false);
	for (i = 0; i < N; i++) {
		if (h->sched.streams == cap) {
			cap *= 2;
			mem = calloc(1, dwcs_sched_mem_size(cap));
			assert_non_null(mem);
			free(dwcs_sched_resize(&h->sched, mem, cap));
			h->slots = mem;
		}
		h_add(h, i, 1000000 + rnd(5) * 100000, rnd(3), 3, rnd(2) ? DWCS_CLASS_F_EDF : 0);
		attached[i] = true;
		live++;
		h_send(h, i, now, rnd(2) ? now + rnd(4000000) : 0, 0);
		now += rnd(30000);
		if (rnd(3) == 0) {
			u32 victim = rnd(i + 1);

			if (attached[victim]) {
				dwcs_stream_detach(&h->sched, &h->st[victim].s);
				attached[victim] = false;
				live--;
			}
		}
		if (rnd(4) == 0)
			h_step(h, now, NULL, NULL);
		for (k = 0; k < DWCS_NR_TREES; k++)
			check_sched_tree(&h->sched, &h->sched.tree[k]);
	}
	assert_int_equal(h->sched.streams, live);
	h_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tree_random_against_reference),
		cmocka_unit_test(test_tree_update_if_earlier),
		cmocka_unit_test(test_tree_sole_leaf),
		cmocka_unit_test(test_detach_moves_the_last_leaf),
		cmocka_unit_test(test_ready_keys_follow_precedence),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
