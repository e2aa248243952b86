// SPDX-License-Identifier: GPL-2.0
/*
 * dwcs_heap_test.c — the indexed heap of kmod/dwcs_heap.c on its own: insert, re-key (both
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

/* Test order: key_deadline (near a wrap of the clock), then key_arrival, then id (@less). */
static void test_key(const struct dwcs_stream *s, const void *arg, u64 key[DWCS_HEAP_KEYS])
{
	key[0] = s->key_deadline;
	key[1] = s->key_arrival;
	key[2] = 0;
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
		return a->key_arrival < b->key_arrival;
	return a->id < b->id;
}

/* Heap shape, slot numbers written back, and (where keys are exact) the heap order. */
static void check_heap(const struct dwcs_heap *h, struct dwcs_stream *st, const bool *in,
		       const bool *exact)
{
	u32 i, members = 0;

	for (i = 0; i < NSTREAMS; i++) {
		if (!in[i]) {
			assert_int_equal(st[i].slot[h->kind], DWCS_HEAP_NONE);
			continue;
		}
		members++;
		assert_true(st[i].slot[h->kind] < h->len);
		assert_ptr_equal(h->slot[st[i].slot[h->kind]].s, &st[i]);
	}
	assert_int_equal(members, h->len);
	for (i = 1; i < h->len; i++) {
		const struct dwcs_heap_slot *c = &h->slot[i];
		const struct dwcs_heap_slot *p = &h->slot[(i - 1) / DWCS_HEAP_ARITY];
		struct dwcs_stream kc = *c->s, kp = *p->s;

		/* Compare the stored keys, which a lazy re-key may have left behind. */
		kc.key_deadline = c->key[0];
		kc.key_arrival = c->key[1];
		kp.key_deadline = p->key[0];
		kp.key_arrival = p->key[1];
		assert_false(ref_less(&kc, &kp));
	}
	if (exact && h->len) {
		struct dwcs_stream *best = NULL;

		for (i = 0; i < NSTREAMS; i++)
			if (in[i] && exact[i] && (!best || ref_less(&st[i], best)))
				best = &st[i];
		if (best)
			assert_false(ref_less(best, dwcs_heap_top(h)));
	}
}

static void randomize(struct dwcs_stream *s)
{
	/* Few distinct values, so that the second key and @less are reached. */
	s->key_deadline = (u64)-20 + rnd(40);
	s->key_arrival = rnd(3);
}

/* An empty DEADLINE heap over slots, and NSTREAMS streams with ids, in none of it. */
static void deadline_heap_fixture(struct dwcs_heap *h, struct dwcs_heap_slot *slots,
				  struct dwcs_stream *st)
{
	dwcs_heap_init(h, DWCS_HEAP_DEADLINE, test_less, test_key, NULL);
	h->slot = slots;
	h->cap = NSTREAMS;
	for (u32 i = 0; i < NSTREAMS; i++) {
		memset(&st[i], 0, sizeof(st[i]));
		st[i].id = i;
		st[i].slot[DWCS_HEAP_DEADLINE] = DWCS_HEAP_NONE;
	}
}

static void test_heap_random_against_reference(void **state)
{
	static struct dwcs_heap_slot slots[NSTREAMS];
	static struct dwcs_stream st[NSTREAMS];
	bool in[NSTREAMS] = { 0 };
	struct dwcs_heap h;
	u32 i, op;

	deadline_heap_fixture(&h, slots, st);
	less_calls = 0;
	for (op = 0; op < 200000; op++) {
		u32 k = rnd(NSTREAMS);

		switch (rnd(4)) {
		case 0: /* insert, or re-key either way */
		case 1:
			randomize(&st[k]);
			dwcs_heap_update(&h, &st[k]);
			in[k] = true;
			break;
		case 2: /* remove any member (or nothing) */
			dwcs_heap_remove(&h, &st[k]);
			in[k] = false;
			break;
		case 3: /* pop the minimum */
			if (h.len) {
				struct dwcs_stream *top = dwcs_heap_top(&h);

				for (i = 0; i < NSTREAMS; i++)
					assert_false(in[i] && ref_less(&st[i], top));
				dwcs_heap_remove(&h, top);
				in[top->id] = false;
			}
			break;
		}
		assert_int_equal(dwcs_heap_contains(&h, &st[k]), in[k]);
		if (op % 97 == 0)
			check_heap(&h, st, in, NULL);
	}
	check_heap(&h, st, in, NULL);
	assert_true(less_calls > 0); /* the fallback order was exercised */
}

/*
 * dwcs_heap_update_if_earlier(): a later key stays stored (a lower bound), an earlier one is
 * taken; a full update then restores the exact order.
 */
static void test_heap_update_if_earlier(void **state)
{
	static struct dwcs_heap_slot slots[NSTREAMS];
	static struct dwcs_stream st[NSTREAMS];
	bool in[NSTREAMS] = { 0 };
	struct dwcs_heap h;
	u32 i, op;

	deadline_heap_fixture(&h, slots, st);
	for (i = 0; i < NSTREAMS; i++) {
		randomize(&st[i]);
		dwcs_heap_update_if_earlier(&h, &st[i]);
		in[i] = true;
	}
	check_heap(&h, st, in, NULL);
	for (op = 0; op < 50000; op++) {
		struct dwcs_stream *s = &st[rnd(NSTREAMS)];
		u32 at = s->slot[DWCS_HEAP_DEADLINE];
		u64 stored = h.slot[at].key[0];

		s->key_deadline = stored + rnd(30) - 10;
		s->key_arrival = h.slot[at].key[1];
		dwcs_heap_update_if_earlier(&h, s);
		at = s->slot[DWCS_HEAP_DEADLINE];
		if (dwcs_time_before(s->key_deadline, stored))
			assert_int_equal(h.slot[at].key[0], s->key_deadline);
		else
			assert_int_equal(h.slot[at].key[0], stored);
		if (op % 101 == 0)
			check_heap(&h, st, in, NULL);
	}
	/* Every stored key is a lower bound; correcting them all gives the exact heap. */
	for (i = 0; i < NSTREAMS; i++) {
		u32 at = st[i].slot[DWCS_HEAP_DEADLINE];

		assert_false(dwcs_time_before(st[i].key_deadline, h.slot[at].key[0]));
		dwcs_heap_update(&h, &st[i]);
	}
	check_heap(&h, st, in, (bool[NSTREAMS]){ [0 ... NSTREAMS - 1] = true });
}

/*
 * The READY keys against dwcs_precedes(), both tables, for every pair of window states a
 * stream can be in with y <= 5 (x' <= y' <= y, and after violations x' = 0 with y' up to
 * U32_MAX), equal or different deadlines and arrivals: the heap's top must be the stream the
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
		struct dwcs_heap *ready = &h->sched.heap[DWCS_HEAP_READY];

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
					dwcs_heap_update(ready, s0);
					dwcs_heap_update(ready, s1);
					first = dwcs_precedes((u8)o, s1, s0) ? s1 : s0;
					assert_ptr_equal(dwcs_heap_top(ready), first);
					dwcs_heap_remove(ready, s0);
					dwcs_heap_remove(ready, s1);
				}
	}
	h_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_heap_random_against_reference),
		cmocka_unit_test(test_heap_update_if_earlier),
		cmocka_unit_test(test_ready_keys_follow_precedence),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
