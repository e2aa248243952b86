// SPDX-License-Identifier: GPL-2.0
/*
 * dwcs_core_test.c — unit tests of the DWCS state machine (kmod/dwcs_core.c) in user space:
 * every branch of the window adjustment, every precedence rule of both tables, 0/0 = EDF,
 * eligibility, misses per period, deadline wrap-around, lossy / lossless / frame decisions,
 * overflow victims and parameter checks. Property tests live in dwcs_property_test.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "dwcs_harness.h"

#define US 1000ULL
#define MS 1000000ULL

static struct dwcs_stream mk(u32 x, u32 y, u32 xc, u32 yc)
{
	struct dwcs_stream s;

	memset(&s, 0, sizeof(s));
	s.p.x = x;
	s.p.y = y;
	s.p.period_ns = MS;
	s.xc = xc;
	s.yc = yc;
	return s;
}

/* ---------------------------------------------------------------- window adjustment */

static void test_on_time_y_above_x(void **state)
{
	struct dwcs_stream s = mk(1, 3, 1, 3);

	dwcs_window_on_time(&s);
	assert_int_equal(s.xc, 1);
	assert_int_equal(s.yc, 2);
}

static void test_on_time_y_equals_x(void **state)
{
	struct dwcs_stream s = mk(2, 5, 2, 2);

	dwcs_window_on_time(&s);
	assert_int_equal(s.xc, 1);
	assert_int_equal(s.yc, 1);
}

static void test_on_time_window_reset(void **state)
{
	struct dwcs_stream s = mk(1, 3, 1, 1);

	dwcs_window_on_time(&s); /* (1,1) -> (0,0) -> reset */
	assert_int_equal(s.xc, 1);
	assert_int_equal(s.yc, 3);
}

static void test_on_time_tagged_resets(void **state)
{
	struct dwcs_stream s = mk(1, 4, 0, 6);

	s.tagged = true;
	dwcs_window_on_time(&s);
	assert_int_equal(s.xc, 1);
	assert_int_equal(s.yc, 4);
	assert_false(s.tagged);
}

static void test_miss_decrements(void **state)
{
	struct dwcs_stream s = mk(2, 5, 2, 5);

	dwcs_window_missed(&s, 1);
	assert_int_equal(s.xc, 1);
	assert_int_equal(s.yc, 4);
	assert_int_equal(s.st.misses, 1);
	assert_int_equal(s.st.violations, 0);
	assert_false(s.tagged);
}

static void test_miss_reset(void **state)
{
	struct dwcs_stream s = mk(2, 5, 1, 1);

	dwcs_window_missed(&s, 1);
	assert_int_equal(s.xc, 2);
	assert_int_equal(s.yc, 5);
}

static void test_miss_violation(void **state)
{
	struct dwcs_stream s = mk(1, 3, 0, 2);

	dwcs_window_missed(&s, 1);
	assert_int_equal(s.xc, 0);
	assert_int_equal(s.yc, 3);
	assert_true(s.tagged);
	assert_int_equal(s.st.violations, 1);
	dwcs_window_on_time(&s); /* tagged: the next on-time service resets */
	assert_int_equal(s.xc, 1);
	assert_int_equal(s.yc, 3);
}

/* n misses at once must equal n single misses, whatever the state. */
static void test_miss_bulk_equals_singles(void **state)
{
	u32 x, y, xc, yc, n;

	for (y = 0; y <= 6; y++)
		for (x = 0; x <= y; x++)
			for (yc = 0; yc <= y + 2; yc++)
				for (xc = 0; xc <= x && xc <= yc; xc++)
					for (n = 0; n <= 20; n++) {
						struct dwcs_stream a = mk(x, y, xc, yc);
						struct dwcs_stream b = a;
						u32 i;

						if (xc == 0 && yc == 0 && (x || y))
							continue; /* never a resting state */
						dwcs_window_missed(&a, n);
						for (i = 0; i < n; i++)
							dwcs_window_missed(&b, 1);
						assert_int_equal(a.xc, b.xc);
						assert_int_equal(a.yc, b.yc);
						assert_int_equal(a.tagged, b.tagged);
						assert_int_equal(a.st.misses, b.st.misses);
						assert_int_equal(a.st.violations, b.st.violations);
					}
}

static void test_miss_huge_run(void **state)
{
	struct dwcs_stream s = mk(3, 3, 3, 3);
	struct dwcs_stream v = mk(0, 2, 0, 2);

	dwcs_window_missed(&s, 1000000007ULL); /* x = y: cycles, never violates */
	assert_int_equal(s.st.misses, 1000000007ULL);
	assert_int_equal(s.st.violations, 0);
	assert_int_equal(s.xc, 3 - (1000000007ULL % 3));
	dwcs_window_missed(&v, 1ULL << 40); /* y' saturates instead of wrapping */
	assert_int_equal(v.yc, U32_MAX);
	assert_int_equal(v.st.violations, 1ULL << 40);
}

static void test_zero_zero_is_edf(void **state)
{
	struct dwcs_stream s = mk(0, 0, 0, 0);

	dwcs_window_on_time(&s);
	assert_int_equal(s.xc, 0);
	assert_int_equal(s.yc, 0);
	dwcs_window_missed(&s, 1);
	assert_int_equal(s.yc, 1);
	assert_true(s.tagged);
	dwcs_window_on_time(&s);
	assert_int_equal(s.xc, 0);
	assert_int_equal(s.yc, 0);
	assert_false(s.tagged);
}

/* ---------------------------------------------------------------- precedence */

static struct dwcs_stream key(u64 d, u32 xc, u32 yc, u64 arrival, u32 id)
{
	struct dwcs_stream s = mk(xc, yc > xc ? yc : xc, xc, yc);

	s.key_deadline = d;
	s.key_arrival = arrival;
	s.id = id;
	return s;
}

#define A DWCS_ORDER_DEADLINE_FIRST
#define B DWCS_ORDER_WINDOW_FIRST

static void test_table_a(void **state)
{
	/* 1. earliest deadline first, whatever the windows */
	struct dwcs_stream a = key(10, 5, 6, 0, 1), b = key(11, 0, 6, 0, 2);

	assert_true(dwcs_precedes(A, &a, &b));
	assert_false(dwcs_precedes(A, &b, &a));
	/* 2. equal deadlines: lowest x'/y' (1/4 < 1/3), by cross-multiplication */
	a = key(10, 1, 4, 5, 1);
	b = key(10, 1, 3, 0, 2);
	assert_true(dwcs_precedes(A, &a, &b));
	/* 3. equal deadlines, both zero: highest y' */
	a = key(10, 0, 7, 5, 1);
	b = key(10, 0, 3, 0, 2);
	assert_true(dwcs_precedes(A, &a, &b));
	/* 4. equal deadlines, equal non-zero windows (2/6 = 1/3): lowest x' */
	a = key(10, 1, 3, 5, 1);
	b = key(10, 2, 6, 0, 2);
	assert_true(dwcs_precedes(A, &a, &b));
	assert_false(dwcs_precedes(A, &b, &a));
	/* 5. otherwise first come first served, then the id */
	a = key(10, 1, 3, 4, 9);
	b = key(10, 1, 3, 5, 1);
	assert_true(dwcs_precedes(A, &a, &b));
	b.key_arrival = 4;
	assert_false(dwcs_precedes(A, &a, &b));
	assert_true(dwcs_precedes(A, &b, &a));
	/* zero beats non-zero; 0/y' is zero for every y' (0/0 included) */
	a = key(10, 0, 0, 9, 1);
	b = key(10, 1, 65535, 0, 2);
	assert_true(dwcs_precedes(A, &a, &b));
}

static void test_table_a_cross_multiplication_precision(void **state)
{
	/* 65534/65535 < 65535/65535 = 1: a division in floating point could tie. */
	struct dwcs_stream a = key(10, 65534, 65535, 9, 1), b = key(10, 65535, 65535, 0, 2);
	struct dwcs_stream c = key(10, 65535, U32_MAX, 9, 3), d = key(10, 65534, U32_MAX - 1, 0, 4);

	assert_true(dwcs_precedes(A, &a, &b));
	assert_false(dwcs_precedes(A, &b, &a));
	/* 65535/(2^32-1) vs 65534/(2^32-2): the products need 48 bits */
	assert_true(dwcs_precedes(A, &d, &c) != dwcs_precedes(A, &c, &d));
	assert_true(dwcs_precedes(A, &d, &c)); /* 65534*(2^32-1) < 65535*(2^32-2) */
}

static void test_table_b(void **state)
{
	/* 1. lowest window constraint first, whatever the deadlines */
	struct dwcs_stream a = key(99, 1, 4, 0, 1), b = key(10, 1, 3, 0, 2);

	assert_true(dwcs_precedes(B, &a, &b));
	/* 2. same non-zero windows: EDF */
	a = key(11, 1, 3, 0, 1);
	b = key(10, 2, 6, 5, 2);
	assert_true(dwcs_precedes(B, &b, &a));
	/* 3. same non-zero windows and deadlines: lowest x' */
	a = key(10, 1, 3, 9, 1);
	b = key(10, 2, 6, 0, 2);
	assert_true(dwcs_precedes(B, &a, &b));
	/* 4. zero windows, equal denominators: EDF */
	a = key(12, 0, 3, 0, 1);
	b = key(11, 0, 3, 9, 2);
	assert_true(dwcs_precedes(B, &b, &a));
	/* 5. zero windows: highest denominator, even with a later deadline */
	a = key(50, 0, 4, 9, 1);
	b = key(11, 0, 3, 0, 2);
	assert_true(dwcs_precedes(B, &a, &b));
	/* 6. everything equal: FCFS */
	a = key(10, 0, 3, 1, 2);
	b = key(10, 0, 3, 2, 1);
	assert_true(dwcs_precedes(B, &a, &b));
}

static void test_deadline_wraparound(void **state)
{
	/* deadlines either side of 2^64 still order by time */
	struct dwcs_stream a = key(U64_MAX - 5, 1, 2, 0, 1), b = key(4, 1, 2, 0, 2);
	struct h_sched *h = h_new(1);
	u64 t0 = U64_MAX - 3 * MS / 2, next = 0;

	assert_true(dwcs_precedes(A, &a, &b));
	assert_false(dwcs_precedes(A, &b, &a));
	assert_true(dwcs_time_before(U64_MAX, 0));

	/* a stream whose period crosses the wrap: eligible at d - T, not before */
	h_add(h, 0, MS, 0, 1, 0);
	h_send(h, 0, t0, 0, 0);
	assert_int_equal(h_step(h, t0, &next, NULL), 0); /* first packet: d = t0 + T */
	h_send(h, 0, t0, 0, 0);
	assert_int_equal(h_step(h, t0 + MS / 2, &next, NULL), -1);
	assert_int_equal(next, t0 + MS); /* wrapped value */
	assert_int_equal(h_step(h, t0 + MS, &next, NULL), 0);
	assert_int_equal(h->st[0].s.st.misses, 0);
	h_free(h);
}

/* ---------------------------------------------------------------- eligibility, misses */

static void test_non_work_conserving_eligibility(void **state)
{
	struct h_sched *h = h_new(1);
	u64 next;
	int i;

	h_add(h, 0, 10 * MS, 1, 2, 0);
	for (i = 0; i < 3; i++)
		h_send(h, 0, 0, 0, 0);
	/* d = 10ms: eligible at 0 */
	assert_int_equal(h_step(h, 0, &next, NULL), 0);
	/* d = 20ms: not before 10ms */
	assert_int_equal(h_step(h, 1 * MS, &next, NULL), -1);
	assert_int_equal(next, 10 * MS);
	assert_int_equal(h_step(h, 10 * MS - 1, &next, NULL), -1);
	assert_int_equal(h_step(h, 10 * MS, &next, NULL), 0);
	assert_int_equal(h->st[0].s.st.misses, 0);
	assert_int_equal(h->st[0].s.st.sent, 2);
	h_free(h);
}

static void test_work_conserving_sends_early(void **state)
{
	struct h_sched *h = h_new(1);
	int i;

	dwcs_sched_set_mode(&h->sched, A, true);
	h_add(h, 0, 10 * MS, 1, 2, 0);
	for (i = 0; i < 3; i++)
		h_send(h, 0, 0, 0, 0);
	for (i = 0; i < 3; i++)
		assert_int_equal(h_step(h, 1, NULL, NULL), 0);
	/* served three times in one period: its deadline ran three periods ahead */
	assert_int_equal(h->st[0].s.deadline, 40 * MS);
	h_free(h);
}

static void test_one_miss_per_period_never_twice(void **state)
{
	struct h_sched *h = h_new(2);
	u64 next;

	h_add(h, 0, 10 * MS, 5, 10, DWCS_CLASS_F_LOSSLESS);
	h_send(h, 0, 0, 0, 0); /* d = 10ms */
	/* at 35ms the deadlines 10, 20 and 30 ms have passed: three misses, d = 40ms */
	assert_int_equal(dwcs_select(&h->sched, 35 * MS, &next), &h->st[0].s);
	assert_int_equal(h->st[0].s.st.misses, 3);
	assert_int_equal(h->st[0].s.deadline, 40 * MS);
	/* asking again at the same instant accounts nothing more */
	assert_int_equal(dwcs_select(&h->sched, 35 * MS, &next), &h->st[0].s);
	assert_int_equal(h->st[0].s.st.misses, 3);
	assert_int_equal(h->st[0].s.xc, 2);
	assert_int_equal(h->st[0].s.yc, 7);
	/* lossless: the late head is sent, counted as late, on time for its new deadline */
	assert_int_equal(h_step(h, 35 * MS, &next, NULL), 0);
	assert_int_equal(h->st[0].s.st.late_sent, 1);
	assert_int_equal(h->st[0].s.yc, 6);
	assert_int_equal(h->st[0].dropped[DWCS_DROP_WINDOW], 0);
	h_free(h);
}

static void test_deadline_exactly_now_is_on_time(void **state)
{
	struct h_sched *h = h_new(1);

	h_add(h, 0, 10 * MS, 0, 1, 0);
	h_send(h, 0, 0, 0, 0);
	assert_int_equal(h_step(h, 10 * MS, NULL, NULL), 0);
	assert_int_equal(h->st[0].s.st.misses, 0);
	assert_int_equal(h->st[0].s.st.late_sent, 0);
	h_free(h);
}

static void test_lossy_period_miss_drops_one_per_period(void **state)
{
	struct h_sched *h = h_new(1);
	int i;

	h_add(h, 0, 10 * MS, 2, 4, 0);
	for (i = 0; i < 5; i++)
		h_send(h, 0, 0, 0, 0);
	/* at 25ms: deadlines 10 and 20 missed: two heads dropped, the third goes */
	assert_int_equal(h_step(h, 25 * MS, NULL, NULL), 0);
	assert_int_equal(h->st[0].dropped[DWCS_DROP_WINDOW], 2);
	assert_int_equal(h->st[0].s.st.drops[DWCS_DROP_WINDOW], 2);
	assert_int_equal(h->st[0].s.st.misses, 2);
	assert_int_equal(h->st[0].s.st.late_sent, 0);
	assert_int_equal(h_backlog(h, 0), 2);
	/* the two misses used up x = 2 of this window: (2,4) -> (0,2) -> on time (0,1) */
	assert_int_equal(h->st[0].s.xc, 0);
	assert_int_equal(h->st[0].s.yc, 1);
	h_free(h);
}

static void test_idle_stream_accrues_no_miss(void **state)
{
	struct h_sched *h = h_new(1);

	h_add(h, 0, 10 * MS, 0, 4, 0);
	h_send(h, 0, 0, 0, 0);
	assert_int_equal(h_step(h, 0, NULL, NULL), 0);
	/* silent for a second, then one packet: a fresh period, no miss */
	h_send(h, 0, 1000 * MS, 0, 0);
	assert_int_equal(h_step(h, 1000 * MS, NULL, NULL), 0);
	assert_int_equal(h->st[0].s.st.misses, 0);
	assert_int_equal(h->st[0].s.deadline, 1020 * MS);
	h_free(h);
}

/*
 * An idle stream keeps its DEADLINE entry (dwcs_stream_idle): in table B, which looks at
 * DEADLINE's top every decision, the entry comes due while the stream is idle and must go
 * without a miss, and a fresh activation is keyed anew.
 */
static void test_idle_stream_stale_deadline_entry(void **state)
{
	struct h_sched *h = h_new(2);
	struct dwcs_stream *s0 = h_add(h, 0, 10 * MS, 0, 4, 0);
	u64 t;

	h_add(h, 1, 10 * MS, 0, 4, 0);
	dwcs_sched_set_mode(&h->sched, B, true);
	h_send(h, 0, 0, 0, 0);
	assert_int_equal(h_step(h, 0, NULL, NULL), 0);
	for (t = 0; t < 1000 * MS; t += 10 * MS) {
		h_send(h, 1, t, 0, 0);
		assert_int_equal(h_step(h, t, NULL, NULL), 1);
	}
	assert_int_equal(s0->st.misses, 0);
	assert_int_equal(s0->st.violations, 0);
	h_send(h, 0, 1000 * MS, 0, 0);
	assert_int_equal(s0->deadline, 1010 * MS);
	assert_int_equal(h_step(h, 1000 * MS, NULL, NULL), 0);
	assert_int_equal(s0->st.misses, 0);
	h_free(h);
}

/*
 * ...and an activation whose head's deadline is earlier than the stale key re-keys the entry:
 * the miss is found when it comes due, although another stream keeps READY's top.
 */
static void test_idle_stream_earlier_deadline_rekeyed(void **state)
{
	struct h_sched *h = h_new(2);
	struct dwcs_stream *s0 = h_add(h, 0, MS, 1, 2, DWCS_CLASS_F_EDF);

	h_add(h, 1, MS, 0, 4, DWCS_CLASS_F_EDF);
	dwcs_sched_set_mode(&h->sched, B, true);
	h_send(h, 0, 0, 100 * MS, 0);
	assert_int_equal(h_step(h, 0, NULL, NULL), 0);
	/* idle, its entry keyed at 100 ms; now a head due at 5 ms, behind stream 1's window */
	h_send(h, 0, MS, 5 * MS, 0);
	h_send(h, 1, MS, 50 * MS, 0);
	h_send(h, 1, MS, 50 * MS, 0);
	assert_int_equal(h_step(h, MS, NULL, NULL), 1);
	assert_int_equal(h_step(h, 10 * MS, NULL, NULL), 1);
	assert_int_equal(h->st[0].dropped[DWCS_DROP_LATE], 1);
	assert_int_equal(s0->st.misses, 1);
	h_free(h);
}

static void test_stream_ahead_of_rate_is_held(void **state)
{
	struct h_sched *h = h_new(1);
	u64 next;

	h_add(h, 0, 10 * MS, 0, 4, 0);
	h_send(h, 0, 0, 0, 0);
	assert_int_equal(h_step(h, 0, NULL, NULL), 0); /* d: 10 -> 20 ms */
	/* the queue emptied, the next packet comes early: it keeps the earned d = 20ms */
	h_send(h, 0, 1 * MS, 0, 0);
	assert_int_equal(h_step(h, 1 * MS, &next, NULL), -1);
	assert_int_equal(next, 10 * MS);
	h_free(h);
}

/*
 * The ceiling paces even a work-conserving stream: 1000-byte packets at 1000 bytes/s.
 * Lossless, so that the periods it misses while held do not drop its packets.
 */
static void test_ceiling_paces_work_conserving(void **state)
{
	struct h_sched *h = h_new(1);
	struct dwcs_stream_params p = { .period_ns = 10 * MS, .flags = DWCS_CLASS_F_LOSSLESS,
					 .max_rate = 1000 };
	u64 next;
	int i;

	dwcs_sched_set_mode(&h->sched, A, true);
	dwcs_stream_attach(&h->sched, &h->st[0].s, &p, 0);
	h->st[0].pkt_len = 1000;
	for (i = 0; i < 3; i++)
		h_send(h, 0, 0, 0, 0);
	assert_int_equal(h_step(h, 0, &next, NULL), 0);
	/* 1 s of credit used; the bucket holds one period (10 ms) of burst */
	assert_int_equal(h_step(h, 1, &next, NULL), -1);
	assert_int_equal(next, 990 * MS);
	assert_int_equal(h_step(h, 990 * MS - 1, &next, NULL), -1);
	assert_int_equal(h_step(h, 990 * MS, &next, NULL), 0);
	assert_int_equal(h_step(h, 990 * MS, &next, NULL), -1);
	assert_int_equal(next, 1990 * MS);
	h_free(h);
}

/*
 * EDF heads are eligible at once, but not past the ceiling: a burst of one period's worth
 * (plus the packet that opens it) passes, the rest waits, and a lossy packet held past its
 * deadline is dropped at that deadline and counted as a miss.
 */
static void test_ceiling_holds_edf_burst_and_counts_misses(void **state)
{
	struct h_sched *h = h_new(1);
	struct dwcs_stream_params p = { .period_ns = 10 * MS, .flags = DWCS_CLASS_F_EDF,
					 .max_rate = 100000 };
	u64 next;
	int i;

	dwcs_stream_attach(&h->sched, &h->st[0].s, &p, 0);
	h->st[0].pkt_len = 500;	/* 5 ms each at 100,000 bytes/s */
	for (i = 0; i < 4; i++)
		h_send(h, 0, 0, 2 * MS, 0);
	assert_int_equal(h_step(h, 0, &next, NULL), 0);
	assert_int_equal(h_step(h, 0, &next, NULL), 0);
	assert_int_equal(h_step(h, 0, &next, NULL), 0);
	assert_int_equal(h_step(h, 0, &next, NULL), -1);
	assert_int_equal(next, 5 * MS);
	/* held, the last packet still meets its deadline (2 ms) then, not at 5 ms: lossy, it
	 * goes, and nothing is left to wait for */
	assert_int_equal(h_step(h, 3 * MS, &next, NULL), -1);
	assert_int_equal(next, U64_MAX);
	assert_int_equal(h->st[0].s.st.sent, 3);
	assert_int_equal(h->st[0].dropped[DWCS_DROP_LATE], 1);
	assert_int_equal(h->st[0].s.st.misses, 1);
	h_free(h);
}

static void test_precedence_among_streams(void **state)
{
	struct h_sched *h = h_new(3);

	dwcs_sched_set_mode(&h->sched, A, true);
	h_add(h, 0, 30 * MS, 1, 2, 0);
	h_add(h, 1, 20 * MS, 1, 2, 0);
	h_add(h, 2, 20 * MS, 1, 4, 0);
	h_send(h, 0, 0, 0, 0);
	h_send(h, 1, 0, 0, 0);
	h_send(h, 2, 0, 0, 0);
	/* 1 and 2 share d = 20ms; 1/4 < 1/2 wins; then 1; then 0 (d = 30ms) */
	assert_int_equal(h_step(h, 0, NULL, NULL), 2);
	assert_int_equal(h_step(h, 0, NULL, NULL), 1);
	assert_int_equal(h_step(h, 0, NULL, NULL), 0);
	h_free(h);
}

/* ---------------------------------------------------------------- EDF, lossy, lossless */

static void test_edf_orders_by_packet_deadline(void **state)
{
	struct h_sched *h = h_new(2);

	h_add(h, 0, MS, 0, 0, DWCS_CLASS_F_EDF);
	h_add(h, 1, MS, 0, 0, DWCS_CLASS_F_EDF);
	h_send(h, 0, 0, 9 * MS, 0);
	h_send(h, 1, 0, 5 * MS, 0);
	/* eligible at once (no request period) and earliest deadline first */
	assert_int_equal(h_step(h, 0, NULL, NULL), 1);
	assert_int_equal(h_step(h, 0, NULL, NULL), 0);
	h_free(h);
}

static void test_edf_lossy_drops_late_head(void **state)
{
	struct h_sched *h = h_new(1);

	h_add(h, 0, MS, 0, 0, DWCS_CLASS_F_EDF);
	h_send(h, 0, 0, 5 * MS, 0);
	h_send(h, 0, 0, 8 * MS, 0);
	assert_int_equal(h_step(h, 6 * MS, NULL, NULL), 0);
	assert_int_equal(h->st[0].dropped[DWCS_DROP_LATE], 1);
	assert_int_equal(h->st[0].s.st.sent, 1);
	assert_int_equal(h->st[0].s.st.late_sent, 0);
	assert_int_equal(h->st[0].s.st.misses, 1);
	h_free(h);
}

static void test_edf_lossy_drops_at_enqueue_when_late(void **state)
{
	struct h_sched *h = h_new(1);

	h_add(h, 0, MS, 0, 0, DWCS_CLASS_F_EDF);
	assert_int_equal(h_send(h, 0, 10 * MS, 9 * MS, 0), DWCS_ADMIT_DROP_LATE);
	assert_int_equal(h->st[0].s.st.drops[DWCS_DROP_LATE], 1);
	assert_int_equal(h_backlog(h, 0), 0);
	/* a deadline of exactly now can still be met */
	assert_int_equal(h_send(h, 0, 10 * MS, 10 * MS, 0), DWCS_ADMIT_OK);
	h_free(h);
}

static void test_edf_lossless_sends_late(void **state)
{
	struct h_sched *h = h_new(2);

	h_add(h, 0, MS, 0, 0, DWCS_CLASS_F_EDF | DWCS_CLASS_F_LOSSLESS);
	h_add(h, 1, MS, 0, 0, DWCS_CLASS_F_EDF);
	assert_int_equal(h_send(h, 0, 10 * MS, 9 * MS, 0), DWCS_ADMIT_OK);
	h_send(h, 1, 10 * MS, 50 * MS, 0);
	/* the late packet goes first (earliest deadline) and is counted late, once */
	assert_int_equal(h_step(h, 10 * MS, NULL, NULL), 0);
	assert_int_equal(h->st[0].s.st.late_sent, 1);
	assert_int_equal(h->st[0].s.st.misses, 1);
	assert_int_equal(h->st[0].s.st.drops[DWCS_DROP_LATE], 0);
	assert_int_equal(h_step(h, 10 * MS, NULL, NULL), 1);
	h_free(h);
}

static void test_nondroppable_never_dropped_for_lateness(void **state)
{
	struct h_sched *h = h_new(2);

	h_add(h, 0, MS, 0, 0, DWCS_CLASS_F_EDF);
	h_add(h, 1, 10 * MS, 0, 2, DWCS_CLASS_F_NONDROPPABLE);
	assert_int_equal(h_send(h, 0, 10 * MS, 1 * MS, DWCS_MARK_NONDROPPABLE), DWCS_ADMIT_OK);
	h_send(h, 1, 0, 0, 0);
	h_send(h, 1, 0, 0, 0);
	/* stream 1's two periods (10, 20ms) are missed at 25ms but nothing is dropped */
	assert_int_equal(h_step(h, 25 * MS, NULL, NULL), 0);
	assert_int_equal(h_step(h, 25 * MS, NULL, NULL), 1);
	assert_int_equal(h->st[0].s.st.late_sent, 1);
	assert_int_equal(h->st[1].s.st.late_sent, 1);
	assert_int_equal(h->st[1].s.st.misses, 2);
	assert_int_equal(h->st[0].dropped[DWCS_DROP_LATE] + h->st[1].dropped[DWCS_DROP_WINDOW], 0);
	h_free(h);
}

static void test_same_instant_counted_once(void **state)
{
	struct h_sched *h = h_new(1);

	h_add(h, 0, MS, 0, 3, DWCS_CLASS_F_EDF | DWCS_CLASS_F_LOSSLESS);
	h_send(h, 0, 0, 5 * MS, 0);
	h_send(h, 0, 0, 5 * MS, 0);
	h_send(h, 0, 0, 5 * MS, 0);
	assert_int_equal(h_step(h, 7 * MS, NULL, NULL), 0);
	assert_int_equal(h_step(h, 7 * MS, NULL, NULL), 0);
	assert_int_equal(h_step(h, 7 * MS, NULL, NULL), 0);
	assert_int_equal(h->st[0].s.st.late_sent, 3);
	assert_int_equal(h->st[0].s.st.misses, 1);
	h_free(h);
}

/* ---------------------------------------------------------------- frames */

#define FS DWCS_MARK_FRAME_START
#define FE DWCS_MARK_FRAME_END

static void test_frame_dropped_whole(void **state)
{
	struct h_sched *h = h_new(1);

	h_add(h, 0, MS, 0, 0, DWCS_CLASS_F_EDF);
	h_send(h, 0, 0, 5 * MS, FS);
	h_send(h, 0, 0, 5 * MS, 0);
	/* at 6ms the frame's first packet is late: it goes, and so does the queued member */
	assert_int_equal(h_step(h, 6 * MS, NULL, NULL), -1);
	assert_int_equal(h->st[0].dropped[DWCS_DROP_LATE], 1);
	assert_int_equal(h->st[0].dropped[DWCS_DROP_FRAME], 1);
	/* members still to come are dropped at enqueue, up to and including the end */
	assert_int_equal(h_send(h, 0, 6 * MS, 50 * MS, 0), DWCS_ADMIT_DROP_FRAME);
	assert_int_equal(h_send(h, 0, 6 * MS, 50 * MS, FE), DWCS_ADMIT_DROP_FRAME);
	/* the next frame is a new one */
	assert_int_equal(h_send(h, 0, 6 * MS, 50 * MS, FS), DWCS_ADMIT_OK);
	assert_int_equal(h_send(h, 0, 6 * MS, 50 * MS, FE), DWCS_ADMIT_OK);
	assert_int_equal(h->st[0].s.st.drops[DWCS_DROP_FRAME], 3);
	assert_int_equal(h_backlog(h, 0), 2);
	h_free(h);
}

static void test_late_start_dropped_at_enqueue_takes_frame(void **state)
{
	struct h_sched *h = h_new(1);

	h_add(h, 0, MS, 0, 0, DWCS_CLASS_F_EDF);
	assert_int_equal(h_send(h, 0, 9 * MS, 5 * MS, FS), DWCS_ADMIT_DROP_LATE);
	assert_int_equal(h_send(h, 0, 9 * MS, 5 * MS, 0), DWCS_ADMIT_DROP_FRAME);
	assert_int_equal(h_send(h, 0, 9 * MS, 5 * MS, FE), DWCS_ADMIT_DROP_FRAME);
	/* an unframed packet with a good deadline passes */
	assert_int_equal(h_send(h, 0, 9 * MS, 10 * MS, 0), DWCS_ADMIT_OK);
	h_free(h);
}

static void test_frame_in_flight_is_committed(void **state)
{
	struct h_sched *h = h_new(1);

	h_add(h, 0, MS, 0, 0, DWCS_CLASS_F_EDF);
	h_send(h, 0, 0, 5 * MS, FS);
	h_send(h, 0, 0, 5 * MS, 0);
	h_send(h, 0, 0, 5 * MS, FE);
	assert_int_equal(h_step(h, 4 * MS, NULL, NULL), 0);
	/* the rest of a frame that started going out is sent, late, not dropped */
	assert_int_equal(h_step(h, 6 * MS, NULL, NULL), 0);
	assert_int_equal(h_step(h, 6 * MS, NULL, NULL), 0);
	assert_int_equal(h->st[0].s.st.late_sent, 2);
	assert_int_equal(h->st[0].s.st.drops[DWCS_DROP_LATE], 0);
	assert_int_equal(h->st[0].s.frame, DWCS_FRAME_NONE);
	/* after its end, a late unframed packet is droppable again */
	h_send(h, 0, 6 * MS, 7 * MS, 0);
	assert_int_equal(h_step(h, 8 * MS, NULL, NULL), -1);
	assert_int_equal(h->st[0].s.st.drops[DWCS_DROP_LATE], 1);
	h_free(h);
}

/* A frame is one deadline for the window: met at its last packet, missed once. */
static void test_window_counts_frames(void **state)
{
	struct h_sched *h = h_new(1);
	struct dwcs_stream *s = h_add(h, 0, MS, 2, 4, DWCS_CLASS_F_EDF);

	h_send(h, 0, 0, 10 * MS, FS);
	h_send(h, 0, 0, 10 * MS, 0);
	h_send(h, 0, 0, 10 * MS, FE);
	assert_int_equal(h_step(h, 1 * MS, NULL, NULL), 0);
	assert_int_equal(h_step(h, 1 * MS, NULL, NULL), 0);
	assert_int_equal(s->yc, 4);	/* the frame has not ended */
	assert_int_equal(h_step(h, 1 * MS, NULL, NULL), 0);
	assert_int_equal(s->xc, 2);
	assert_int_equal(s->yc, 3);	/* one deadline met, not three */
	/* a frame that began on time and ended late: one miss, not one per late packet */
	h_send(h, 0, 2 * MS, 20 * MS, FS);
	h_send(h, 0, 2 * MS, 20 * MS, 0);
	h_send(h, 0, 2 * MS, 20 * MS, FE);
	assert_int_equal(h_step(h, 19 * MS, NULL, NULL), 0);
	assert_int_equal(h_step(h, 21 * MS, NULL, NULL), 0);
	assert_int_equal(h_step(h, 21 * MS, NULL, NULL), 0);
	assert_int_equal(s->st.misses, 1);
	assert_int_equal(s->st.late_sent, 2);
	assert_int_equal(s->xc, 1);
	assert_int_equal(s->yc, 2);
	/* packets outside frames count one each, as before */
	h_send(h, 0, 22 * MS, 30 * MS, 0);
	assert_int_equal(h_step(h, 22 * MS, NULL, NULL), 0);
	assert_int_equal(s->xc, 1);
	assert_int_equal(s->yc, 1);
	h_free(h);
}

/*
 * Table A: a head its window can lose (own deadline, droppable, a loss to spare) goes after
 * every head that cannot be lost, whatever the deadlines; once the window has no loss to
 * spare, the stream's heads compete by deadline again.
 */
static void test_optional_heads_go_last(void **state)
{
	struct h_sched *h = h_new(3);
	struct dwcs_stream *s0 = h_add(h, 0, MS, 2, 4, DWCS_CLASS_F_EDF);

	h_add(h, 1, MS, 0, 0, DWCS_CLASS_F_EDF);		/* no window: never optional */
	h_add(h, 2, MS, 2, 4, DWCS_CLASS_F_EDF);
	h_send(h, 0, 0, 5 * MS, 0);
	h_send(h, 1, 0, 9 * MS, 0);
	h_send(h, 2, 0, 7 * MS, DWCS_MARK_NONDROPPABLE);	/* cannot be lost */
	assert_true(s0->head_optional);
	assert_int_equal(h_step(h, 0, NULL, NULL), 2);
	assert_int_equal(h_step(h, 0, NULL, NULL), 1);
	assert_int_equal(h_step(h, 0, NULL, NULL), 0);
	/* stream 0 loses a packet (late at 6 ms): x' = 1 of y' = 2, its next head is mandatory */
	h_send(h, 0, 0, 5 * MS, 0);
	h_send(h, 1, 0, 12 * MS, 0);
	assert_int_equal(h_step(h, 6 * MS, NULL, NULL), 1);
	assert_int_equal(h->st[0].dropped[DWCS_DROP_LATE], 1);
	assert_true(s0->xc == 1 && s0->yc == 2);
	h_send(h, 0, 6 * MS, 10 * MS, 0);
	h_send(h, 1, 6 * MS, 11 * MS, 0);
	assert_false(s0->head_optional);
	assert_int_equal(h_step(h, 6 * MS, NULL, NULL), 0);
	assert_int_equal(h_step(h, 6 * MS, NULL, NULL), 1);
	h_free(h);
}

/*
 * A window's last loss is kept while later deadlines of the window must be met: at x' = 1 the
 * head is mandatory unless it is the window's last deadline (y' = 1). An optional head is
 * dropped only at its deadline, and the frame behind it would then have the rest of its life
 * only, mandatory.
 */
static void test_last_loss_kept_for_the_window(void **state)
{
	struct h_sched *h = h_new(2);
	struct dwcs_stream *s0 = h_add(h, 0, MS, 1, 3, DWCS_CLASS_F_EDF);

	h_add(h, 1, MS, 0, 0, DWCS_CLASS_F_EDF);
	h_send(h, 0, 0, 5 * MS, 0);
	h_send(h, 1, 0, 9 * MS, 0);
	/* x' = 1 of y' = 3: mandatory, so by deadline before stream 1 */
	assert_false(s0->head_optional);
	assert_int_equal(h_step(h, 0, NULL, NULL), 0);
	assert_true(s0->xc == 1 && s0->yc == 2);
	h_send(h, 0, 0, 6 * MS, 0);
	assert_false(s0->head_optional);
	assert_int_equal(h_step(h, 0, NULL, NULL), 0);
	/* x' = y' = 1: the window's last deadline may go; it waits behind stream 1 */
	assert_true(s0->xc == 1 && s0->yc == 1);
	h_send(h, 0, 0, 7 * MS, 0);
	assert_true(s0->head_optional);
	assert_int_equal(h_step(h, 0, NULL, NULL), 1);
	/* dropped when late: the window's loss, no violation, and the window starts again */
	assert_int_equal(h_step(h, 8 * MS, NULL, NULL), -1);
	assert_int_equal(h->st[0].dropped[DWCS_DROP_LATE], 1);
	assert_int_equal(s0->st.violations, 0);
	assert_true(s0->xc == 1 && s0->yc == 3);
	h_free(h);
}

/*
 * The rest of a frame in flight that began as a head its window needs is not optional: it goes
 * before optional heads (a frame begun as an optional head: test_begun_optional_frame_rest).
 */
static void test_frame_in_flight_not_optional(void **state)
{
	struct h_sched *h = h_new(2);
	struct dwcs_stream *s0 = h_add(h, 0, MS, 1, 4, DWCS_CLASS_F_EDF);

	h_add(h, 1, MS, 1, 4, DWCS_CLASS_F_EDF);
	h_send(h, 0, 0, 5 * MS, FS);
	h_send(h, 0, 0, 5 * MS, FE);
	h_send(h, 1, 0, 9 * MS, 0);
	/* both optional: the earlier deadline first */
	assert_int_equal(h_step(h, 0, NULL, NULL), 0);
	/* stream 0's frame began: its end precedes even an earlier optional head */
	assert_false(s0->head_optional);
	h_send(h, 1, 0, 3 * MS, 0);
	assert_int_equal(h_step(h, 0, NULL, NULL), 0);
	assert_true(s0->yc == 3 && s0->xc == 1);
	assert_int_equal(h_step(h, 0, NULL, NULL), 1);
	h_free(h);
}

/*
 * Optional heads yield: a non-droppable packet that joins behind frames its window can lose
 * has them given up at once (each a miss, drop_late, with the rest of its frame), so it does
 * not wait for them to expire. Not a frame already begun, not a head the window needs, and a
 * droppable arrival changes nothing.
 */
static void test_optional_heads_yield_to_nondroppable(void **state)
{
	struct h_sched *h = h_new(2);
	struct dwcs_stream *s0 = h_add(h, 0, MS, 3, 8, DWCS_CLASS_F_EDF);

	h_add(h, 1, MS, 0, 0, DWCS_CLASS_F_EDF);
	/* two optional frames of two packets, then a droppable packet: nothing yields */
	h_send(h, 0, 0, 50 * MS, FS);
	h_send(h, 0, 0, 50 * MS, FE);
	h_send(h, 0, 0, 51 * MS, FS);
	h_send(h, 0, 0, 51 * MS, FE);
	h_send(h, 0, 0, 52 * MS, 0);
	assert_true(s0->head_optional);
	assert_int_equal(s0->backlog, 5);
	/*
	 * A non-droppable packet: both frames go (x' 3 -> 1); the packet after them stays, since
	 * the window's last loss is kept while later deadlines of it must be met
	 */
	h_send(h, 0, 0, 90 * MS, DWCS_MARK_NONDROPPABLE);
	assert_int_equal(s0->backlog, 2);
	assert_int_equal(h->st[0].dropped[DWCS_DROP_LATE], 2);
	assert_int_equal(h->st[0].dropped[DWCS_DROP_FRAME], 2);
	assert_int_equal(s0->st.misses, 2);
	assert_int_equal(s0->st.violations, 0);
	assert_true(s0->xc == 1 && s0->yc == 6);
	assert_false(s0->head_optional);
	assert_int_equal(s0->key_deadline, 52 * MS);
	/* served in order, the mandatory head first */
	assert_int_equal(h_step(h, 0, NULL, NULL), 0);
	assert_int_equal(s0->key_deadline, 90 * MS);
	h_free(h);

	/* a frame already begun is committed: its rest stays ahead of the arrival */
	h = h_new(1);
	s0 = h_add(h, 0, MS, 3, 8, DWCS_CLASS_F_EDF);
	h_send(h, 0, 0, 50 * MS, FS);
	h_send(h, 0, 0, 50 * MS, FE);
	assert_int_equal(h_step(h, 0, NULL, NULL), 0);
	h_send(h, 0, 0, 90 * MS, DWCS_MARK_NONDROPPABLE);
	assert_int_equal(s0->backlog, 2);
	assert_int_equal(h->st[0].dropped[DWCS_DROP_LATE], 0);
	h_free(h);
}

/* Stream 0 (x/8, edf) has sent the first packet of an optional frame; stream 1 (no window). */
static struct h_sched *optional_frame_begun(u32 x, struct dwcs_stream **s0)
{
	struct h_sched *h = h_new(2);

	*s0 = h_add(h, 0, MS, x, 8, DWCS_CLASS_F_EDF);
	h_add(h, 1, MS, 0, 0, DWCS_CLASS_F_EDF);
	h_send(h, 0, 0, 50 * MS, FS);
	assert_true((*s0)->head_optional);
	assert_int_equal(h_step(h, 0, NULL, NULL), 0);
	return h;
}

/*
 * The rest of a frame begun as an optional head (dwcs_rest_optional): served after every
 * other head, however early its deadline, while nothing non-droppable waits behind it. When a
 * non-droppable packet joins its stream it goes (a miss, drop_late, with the rest of the
 * frame) if another stream's non-droppable packets are queued and the window can lose it;
 * otherwise it stays, committed for good, and is ranked by its deadline again.
 */
static void test_begun_optional_frame_rest(void **state)
{
	struct dwcs_stream *s0;
	struct h_sched *h = optional_frame_begun(3, &s0);

	/* its rest arrives, with later protected packets of stream 1 */
	h_send(h, 0, 0, 50 * MS, 0);
	h_send(h, 0, 0, 50 * MS, FE);
	h_send(h, 1, 0, 60 * MS, DWCS_MARK_NONDROPPABLE);
	h_send(h, 1, 0, 60 * MS, DWCS_MARK_NONDROPPABLE);
	assert_true(s0->head_optional);
	/* deadline 60 ms before the rest's 50: the rest is optional */
	assert_int_equal(h_step(h, MS, NULL, NULL), 1);
	/* stream 1 still has one queued; a protected packet joins stream 0: the rest goes */
	h_send(h, 0, MS, 90 * MS, DWCS_MARK_NONDROPPABLE);
	assert_int_equal(s0->backlog, 1);
	assert_int_equal(h->st[0].dropped[DWCS_DROP_LATE], 1);
	assert_int_equal(h->st[0].dropped[DWCS_DROP_FRAME], 1);
	assert_int_equal(s0->st.misses, 1);
	assert_true(s0->xc == 2 && s0->yc == 7);
	assert_int_equal(s0->frame, DWCS_FRAME_NONE);
	assert_false(s0->head_optional);
	assert_int_equal(s0->key_deadline, 90 * MS);
	h_free(h);

	/* no other stream's protected packet waiting: committed, ranked by its deadline */
	h = optional_frame_begun(3, &s0);
	h_send(h, 0, 0, 50 * MS, 0);
	h_send(h, 0, 0, 50 * MS, FE);
	h_send(h, 1, 0, 40 * MS, 0);	/* droppable, no window: not optional, earlier */
	h_send(h, 0, 0, 90 * MS, DWCS_MARK_NONDROPPABLE);
	assert_int_equal(s0->backlog, 3);
	assert_false(s0->head_optional);
	assert_int_equal(s0->key_deadline, 50 * MS);
	/* for good: stream 1's protected packets, then stream 0's, change nothing */
	h_send(h, 1, 0, 60 * MS, DWCS_MARK_NONDROPPABLE);
	h_send(h, 0, 0, 91 * MS, DWCS_MARK_NONDROPPABLE);
	assert_int_equal(s0->backlog, 4);
	assert_int_equal(h->st[0].dropped[DWCS_DROP_LATE], 0);
	assert_int_equal(h_step(h, 0, NULL, NULL), 1);
	assert_int_equal(h_step(h, 0, NULL, NULL), 0);
	h_free(h);

	/* the window cannot lose it (x' = 1 of y' > 1 kept): committed */
	h = optional_frame_begun(2, &s0);
	h_send(h, 0, 0, 50 * MS, FE);
	h_send(h, 1, 0, 60 * MS, DWCS_MARK_NONDROPPABLE);
	s0->xc = 1;	/* as if the window had lost one since */
	h_send(h, 0, 0, 90 * MS, DWCS_MARK_NONDROPPABLE);
	assert_int_equal(s0->backlog, 2);
	assert_int_equal(h->st[0].dropped[DWCS_DROP_LATE], 0);
	h_free(h);
}

/* ---------------------------------------------------------------- overflow, params */

static void test_overflow_victims(void **state)
{
	struct dwcs_stream s = mk(0, 0, 0, 0);
	struct dwcs_pkt in = { 0 };

	/* nothing droppable queued: the arriving packet */
	s.backlog_nondrop = 3;
	assert_int_equal(dwcs_overflow_victim(&s, &in), DWCS_VICTIM_INCOMING);
	/* queued priority 2, arriving 1: a queued priority-2 packet goes */
	s.backlog_prio[2] = 1;
	in.mark = 1 << DWCS_MARK_DROPPRIO_SHIFT;
	assert_int_equal(dwcs_overflow_victim(&s, &in), 2);
	/* arriving 3 ranks highest: it goes */
	in.mark = 3 << DWCS_MARK_DROPPRIO_SHIFT;
	assert_int_equal(dwcs_overflow_victim(&s, &in), DWCS_VICTIM_INCOMING);
	/* equal priority: the arriving one (tail drop, no reordering) */
	in.mark = 2 << DWCS_MARK_DROPPRIO_SHIFT;
	assert_int_equal(dwcs_overflow_victim(&s, &in), DWCS_VICTIM_INCOMING);
	/* a non-droppable arrival pushes out the highest droppable priority queued */
	in.mark = DWCS_MARK_NONDROPPABLE | (3 << DWCS_MARK_DROPPRIO_SHIFT);
	s.backlog_prio[0] = 4;
	assert_int_equal(dwcs_overflow_victim(&s, &in), 2);
}

static void test_backlog_counts_follow_marks(void **state)
{
	struct h_sched *h = h_new(1);

	h_add(h, 0, MS, 0, 0, 0);
	h_send(h, 0, 0, 0, DWCS_MARK_NONDROPPABLE);
	h_send(h, 0, 0, 0, 3 << DWCS_MARK_DROPPRIO_SHIFT);
	h_send(h, 0, 0, 0, 0);
	assert_int_equal(h->st[0].s.backlog, 3);
	assert_int_equal(h->st[0].s.backlog_nondrop, 1);
	assert_int_equal(h->st[0].s.backlog_prio[3], 1);
	assert_int_equal(h->st[0].s.backlog_prio[0], 1);
	h_step(h, 0, NULL, NULL);
	assert_int_equal(h->st[0].s.backlog_nondrop, 0);
	h_free(h);
}

static void test_params_check(void **state)
{
	struct dwcs_stream_params p = { .period_ns = MS, .x = 1, .y = 2 };
	const char *why = NULL;

	assert_int_equal(dwcs_params_check(&p, &why), 0);
	p.period_ns = DWCS_MIN_IPG_NS - 1;
	assert_int_equal(dwcs_params_check(&p, &why), -ERANGE);
	assert_non_null(strstr(why, "ipg"));
	p.period_ns = DWCS_MAX_IPG_NS + 1;
	assert_int_equal(dwcs_params_check(&p, &why), -ERANGE);
	p.period_ns = DWCS_MAX_IPG_NS;
	p.x = 3;
	assert_int_equal(dwcs_params_check(&p, &why), -EINVAL);
	assert_non_null(strstr(why, "oln"));
	p.x = 0;
	p.y = DWCS_MAX_WINDOW + 1;
	assert_int_equal(dwcs_params_check(&p, &why), -ERANGE);
	assert_non_null(strstr(why, "old"));
	p.y = 0;
	assert_int_equal(dwcs_params_check(&p, &why), 0); /* 0/0 */
	p.flags = 1U << 7;
	assert_int_equal(dwcs_params_check(&p, &why), -EINVAL);
	assert_non_null(strstr(why, "flag"));
}

static void test_change_keeps_queue(void **state)
{
	struct h_sched *h = h_new(1);
	struct dwcs_stream_params p = { .period_ns = 2 * MS, .x = 1, .y = 5 };

	h_add(h, 0, 100 * MS, 0, 1, 0);
	h_send(h, 0, 0, 0, 0);
	h_send(h, 0, 0, 0, 0);
	assert_int_equal(h_step(h, 0, NULL, NULL), 0);
	dwcs_stream_change(&h->sched, &h->st[0].s, &p, 1 * MS);
	assert_int_equal(h_backlog(h, 0), 1);
	assert_int_equal(h->st[0].s.xc, 1);
	assert_int_equal(h->st[0].s.yc, 5);
	/* new period from now: d = 3ms, eligible at 1ms instead of 100ms */
	assert_int_equal(h_step(h, 1 * MS, NULL, NULL), 0);
	h_free(h);
}

static void test_mode_change_requeues(void **state)
{
	struct h_sched *h = h_new(2);
	u32 i;

	h_add(h, 0, 10 * MS, 0, 1, 0);
	h_add(h, 1, 10 * MS, 0, 1, 0);
	for (i = 0; i < 2; i++) {
		h_send(h, i, 0, 0, 0);
		h_send(h, i, 0, 0, 0);
	}
	assert_true(h_step(h, 0, NULL, NULL) >= 0);
	assert_true(h_step(h, 0, NULL, NULL) >= 0);
	assert_int_equal(h_step(h, 0, NULL, NULL), -1); /* both wait for d - T */
	dwcs_sched_set_mode(&h->sched, B, true);
	for (i = 0; i < 2; i++)
		dwcs_requeue(&h->sched, &h->st[i].s, 0);
	assert_true(h_step(h, 0, NULL, NULL) >= 0); /* work-conserving now */
	assert_true(h_step(h, 0, NULL, NULL) >= 0);
	assert_int_equal(h_step(h, 0, NULL, NULL), -1);
	h_free(h);
}

static void test_detach_and_purge(void **state)
{
	struct h_sched *h = h_new(2);
	u64 next;

	h_add(h, 0, MS, 0, 1, 0);
	h_add(h, 1, MS, 0, 1, 0);
	h_send(h, 0, 0, 0, 0);
	h_send(h, 1, 0, 0, 0);
	h->st[1].head = h->st[1].tail; /* the owner freed the packets */
	dwcs_stream_purged(&h->sched, &h->st[1].s);
	dwcs_stream_detach(&h->sched, &h->st[0].s);
	assert_int_equal(h->sched.streams, 1);
	assert_int_equal(h_step(h, 0, &next, NULL), -1);
	assert_int_equal(next, U64_MAX);
	h_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_on_time_y_above_x),
		cmocka_unit_test(test_on_time_y_equals_x),
		cmocka_unit_test(test_on_time_window_reset),
		cmocka_unit_test(test_on_time_tagged_resets),
		cmocka_unit_test(test_miss_decrements),
		cmocka_unit_test(test_miss_reset),
		cmocka_unit_test(test_miss_violation),
		cmocka_unit_test(test_miss_bulk_equals_singles),
		cmocka_unit_test(test_miss_huge_run),
		cmocka_unit_test(test_zero_zero_is_edf),
		cmocka_unit_test(test_table_a),
		cmocka_unit_test(test_table_a_cross_multiplication_precision),
		cmocka_unit_test(test_table_b),
		cmocka_unit_test(test_deadline_wraparound),
		cmocka_unit_test(test_non_work_conserving_eligibility),
		cmocka_unit_test(test_work_conserving_sends_early),
		cmocka_unit_test(test_one_miss_per_period_never_twice),
		cmocka_unit_test(test_deadline_exactly_now_is_on_time),
		cmocka_unit_test(test_lossy_period_miss_drops_one_per_period),
		cmocka_unit_test(test_idle_stream_accrues_no_miss),
		cmocka_unit_test(test_stream_ahead_of_rate_is_held),
		cmocka_unit_test(test_ceiling_paces_work_conserving),
		cmocka_unit_test(test_ceiling_holds_edf_burst_and_counts_misses),
		cmocka_unit_test(test_precedence_among_streams),
		cmocka_unit_test(test_edf_orders_by_packet_deadline),
		cmocka_unit_test(test_edf_lossy_drops_late_head),
		cmocka_unit_test(test_edf_lossy_drops_at_enqueue_when_late),
		cmocka_unit_test(test_edf_lossless_sends_late),
		cmocka_unit_test(test_nondroppable_never_dropped_for_lateness),
		cmocka_unit_test(test_same_instant_counted_once),
		cmocka_unit_test(test_frame_dropped_whole),
		cmocka_unit_test(test_late_start_dropped_at_enqueue_takes_frame),
		cmocka_unit_test(test_frame_in_flight_is_committed),
		cmocka_unit_test(test_window_counts_frames),
		cmocka_unit_test(test_optional_heads_go_last),
		cmocka_unit_test(test_last_loss_kept_for_the_window),
		cmocka_unit_test(test_idle_stream_stale_deadline_entry),
		cmocka_unit_test(test_idle_stream_earlier_deadline_rekeyed),
		cmocka_unit_test(test_frame_in_flight_not_optional),
		cmocka_unit_test(test_optional_heads_yield_to_nondroppable),
		cmocka_unit_test(test_begun_optional_frame_rest),
		cmocka_unit_test(test_overflow_victims),
		cmocka_unit_test(test_backlog_counts_follow_marks),
		cmocka_unit_test(test_params_check),
		cmocka_unit_test(test_change_keeps_queue),
		cmocka_unit_test(test_mode_change_requeues),
		cmocka_unit_test(test_detach_and_purge),
	};

	return cmocka_run_group_tests_name("dwcs_core", tests, NULL, NULL);
}
