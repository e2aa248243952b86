// SPDX-License-Identifier: GPL-2.0
/*
 * dwcs_membership_test.c — dwcs_core keeps, in each stream, a copy of which trees hold it
 * (s->trees) and of its DEADLINE key (s->dl_key), so that the hot path can skip trees it
 * need not touch. The copy must equal the trees at every step: randomized traces through
 * every call that changes membership (arrivals, decisions with misses and drops, ceilings,
 * EDF heads, non-work-conserving waits, detach, purge, live change, mode change).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "dwcs_harness.h"

#define N 48

static u64 rng_state = 0x2545f4914f6cdd1dULL;

static u32 rnd(u32 n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (u32)(rng_state % n);
}

static void check_copies(const struct h_sched *h, const bool *attached)
{
	const struct dwcs_tree *dl = &h->sched.tree[DWCS_TREE_DEADLINE];
	u32 i;
	int k;

	for (i = 0; i < N; i++) {
		const struct dwcs_stream *s = &h->st[i].s;

		if (!attached[i])
			continue;
		for (k = 0; k < DWCS_NR_TREES; k++)
			assert_int_equal(!!(s->trees & (1u << k)),
					 dwcs_tree_contains(&h->sched.tree[k], s));
		if (s->trees & (1u << DWCS_TREE_DEADLINE)) {
			assert_ptr_equal(dl->slot[s->leaf].s, s);
			assert_int_equal(dl->slot[s->leaf].key[0], s->dl_key);
		}
	}
}

static void attach(struct h_sched *h, u32 i)
{
	static const u32 flag_sets[] = { 0, DWCS_CLASS_F_EDF, DWCS_CLASS_F_LOSSLESS,
					 DWCS_CLASS_F_NONDROPPABLE,
					 DWCS_CLASS_F_EDF | DWCS_CLASS_F_LOSSLESS };
	u32 y = rnd(5), x = y ? rnd(y + 1) : 0;
	struct dwcs_stream *s = h_add(h, i, 20000 + rnd(8) * 10000, x, y,
				      flag_sets[rnd(5)]);

	s->p.max_rate = rnd(3) ? 0 : 1000000 + rnd(4) * 1000000;
	h->st[i].pkt_len = 100 + rnd(1400);
	h->st[i].head = h->st[i].tail = 0;
}

static void trace(u8 order, bool work_conserving)
{
	struct h_sched *h = h_new(N);
	bool attached[N] = { 0 };
	u64 now = 1000000, next;
	u32 i, step;

	dwcs_sched_set_mode(&h->sched, order, work_conserving);
	for (i = 0; i < N; i++) {
		attach(h, i);
		attached[i] = true;
	}
	for (step = 0; step < 20000; step++) {
		u32 op = rnd(100);

		i = rnd(N);
		if (op < 45) {
			if (attached[i] && h_backlog(h, i) < H_QCAP - 1)
				h_send(h, i, now, rnd(3) ? 0 : now + rnd(200000), (u8)rnd(256));
		} else if (op < 85) {
			h_step(h, now, &next, NULL);
		} else if (op < 88) {
			if (attached[i]) {
				dwcs_stream_detach(&h->sched, &h->st[i].s);
				attached[i] = false;
			} else {
				attach(h, i);
				attached[i] = true;
			}
		} else if (op < 90) {
			if (attached[i]) {
				h->st[i].head = h->st[i].tail;
				dwcs_stream_purged(&h->sched, &h->st[i].s);
			}
		} else if (op < 92) {
			if (attached[i]) {
				struct dwcs_stream_params p = h->st[i].s.p;

				p.period_ns = 20000 + rnd(8) * 10000;
				dwcs_stream_change(&h->sched, &h->st[i].s, &p, now);
			}
		} else if (op < 93) {
			u32 j;

			dwcs_sched_set_mode(&h->sched, (u8)rnd(2), rnd(2));
			for (j = 0; j < N; j++)
				if (attached[j])
					dwcs_requeue(&h->sched, &h->st[j].s, now);
		} else {
			now += rnd(40000);
		}
		check_copies(h, attached);
	}
	h_free(h);
}

static void test_copies_follow_trees(void **state)
{
	trace(DWCS_ORDER_DEADLINE_FIRST, true);
	trace(DWCS_ORDER_DEADLINE_FIRST, false);
	trace(DWCS_ORDER_WINDOW_FIRST, true);
	trace(DWCS_ORDER_WINDOW_FIRST, false);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_copies_follow_trees),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
