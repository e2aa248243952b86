/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dwcs_traces.h — the random traces of the DWCS property tests, drawn one way for every
 * scheduler they are replayed through: dwcs_core (dwcs_property_test.c) and dwcs-bpf's rules
 * (dwcs_bpf_model_test.c). Fixed seeds and an xorshift generator, so that a failure
 * reproduces and both schedulers see the same packets at the same instants. Nothing here
 * asserts: the tests decide what must hold.
 *
 *  - Random stream sets (property 1 and bookkeeping): 2..24 streams, any x/y with y <= 5,
 *    any flags, periods 0.1..2 ms; 4000 steps, each offering 0..2 packets (random stream,
 *    per-packet deadline -0.2..+2.8 ms on edf streams half of the time, random mark), then one
 *    decision, then 0..0.3 ms pass.
 *  - Feasible sets of the proven case (property 2): equal periods q slots, x/y with y <= 5,
 *    Σ(1 − x/y) <= q, slotted simulation; the misses of each stream recorded per deadline.
 */
#ifndef _DWCS_TRACES_H
#define _DWCS_TRACES_H

#include <stdbool.h>
#include <string.h>
#include "../../kmod/dwcs_types.h"
#include <uapi/linux/pkt_sch_dwcs.h>

#define DWCS_TRACE_US 1000ULL

struct dwcs_rng {
	u64 state;
};

static inline u32 dwcs_rnd(struct dwcs_rng *r, u32 n)
{
	r->state ^= r->state << 13;
	r->state ^= r->state >> 7;
	r->state ^= r->state << 17;
	return n ? (u32)(r->state % n) : 0;
}

/* ---------------------------------------------------------------- random stream sets */

#define DWCS_TRACE_SEEDS	40	/* seeds 1 .. 40, each in the four modes */
#define DWCS_TRACE_STEPS	4000
#define DWCS_TRACE_MAX_STREAMS	24

struct dwcs_trace_stream {
	u64 period;
	u32 x, y, flags;
};

struct dwcs_trace {
	struct dwcs_rng rng;
	u64 now;
	u32 n;
	struct dwcs_trace_stream st[DWCS_TRACE_MAX_STREAMS];
};

struct dwcs_trace_pkt {
	u64 deadline;	/* 0: none */
	u8 mark;	/* DWCS_MARK_* */
};

/* The stream set of @seed; the clock starts at 1 ms. */
static inline void dwcs_trace_init(struct dwcs_trace *t, u64 seed)
{
	u32 i;

	memset(t, 0, sizeof(*t));
	t->n = 2 + (u32)(seed % 23);
	t->now = 1000 * DWCS_TRACE_US;
	t->rng.state = seed * 2654435761ULL + 1;
	for (i = 0; i < t->n; i++) {
		struct dwcs_trace_stream *s = &t->st[i];

		s->y = dwcs_rnd(&t->rng, 6);
		s->x = s->y ? dwcs_rnd(&t->rng, s->y + 1) : 0;
		s->flags = dwcs_rnd(&t->rng, 8) & DWCS_CLASS_F_ALL;
		s->period = (1 + dwcs_rnd(&t->rng, 20)) * 100 * DWCS_TRACE_US;
	}
}

/* How many packets this step offers. */
static inline u32 dwcs_trace_arrivals(struct dwcs_trace *t)
{
	return dwcs_rnd(&t->rng, 3);
}

/* Which stream the next one goes to (the caller may then skip it: a full queue). */
static inline u32 dwcs_trace_stream(struct dwcs_trace *t)
{
	return dwcs_rnd(&t->rng, t->n);
}

/* The packet offered to stream @j now. */
static inline struct dwcs_trace_pkt dwcs_trace_packet(struct dwcs_trace *t, u32 j)
{
	struct dwcs_trace_pkt p;

	p.deadline = (t->st[j].flags & DWCS_CLASS_F_EDF) && dwcs_rnd(&t->rng, 2) ?
			     t->now + dwcs_rnd(&t->rng, 3000) * DWCS_TRACE_US - 200 * DWCS_TRACE_US :
			     0;
	p.mark = (u8)dwcs_rnd(&t->rng, 32);
	return p;
}

/* Time passes after the step's decision. */
static inline void dwcs_trace_advance(struct dwcs_trace *t)
{
	t->now += dwcs_rnd(&t->rng, 300) * DWCS_TRACE_US;
}

/* ---------------------------------------------------------------- the proven case */

#define DWCS_GUARANTEE_SEED		12345
#define DWCS_GUARANTEE_DRAWS		400
#define DWCS_GUARANTEE_SLOTS		600
#define DWCS_GUARANTEE_MAX_STREAMS	12
#define DWCS_GUARANTEE_HIST		4096
#define DWCS_GUARANTEE_SLOT_NS		(10 * DWCS_TRACE_US)	/* C: one packet's time */

struct dwcs_guarantee_set {
	u32 n, q;	/* streams; period T = q slots */
	u32 x[DWCS_GUARANTEE_MAX_STREAMS], y[DWCS_GUARANTEE_MAX_STREAMS];
};

static inline void dwcs_guarantee_draw(struct dwcs_rng *r, struct dwcs_guarantee_set *g)
{
	u32 i;

	g->n = 2 + dwcs_rnd(r, DWCS_GUARANTEE_MAX_STREAMS - 1);
	g->q = 1 + dwcs_rnd(r, g->n);
	for (i = 0; i < g->n; i++) {
		g->y[i] = 1 + dwcs_rnd(r, 5);
		g->x[i] = dwcs_rnd(r, g->y[i] + 1);
	}
}

/* Σ (y_i - x_i)/y_i <= q, in integers: Σ (y_i - x_i)·L/y_i <= q·L, L = Π y_i */
static inline bool dwcs_guarantee_feasible(const struct dwcs_guarantee_set *g)
{
	u64 num = 0, den = 1;
	u32 i;

	for (i = 0; i < g->n; i++)
		den *= g->y[i];
	for (i = 0; i < g->n; i++)
		num += (u64)(g->y[i] - g->x[i]) * (den / g->y[i]);
	return num <= (u64)g->q * den;
}

/* One stream's deadlines in order: 1 = missed, 0 = met. */
struct dwcs_outcome {
	u8 hist[DWCS_GUARANTEE_HIST];
	u32 len;
};

static inline void dwcs_outcome_record(struct dwcs_outcome *o, u64 n, u8 missed)
{
	while (n-- && o->len < DWCS_GUARANTEE_HIST)
		o->hist[o->len++] = missed;
}

/*
 * The worst "misses in a window of y consecutive deadlines minus x" of @o (<= 0: the
 * constraint held): DWCS's own windows, back to back from the start, or with @sliding every
 * run of y consecutive deadlines. @worst is the worst so far.
 */
static inline long dwcs_outcome_excess(const struct dwcs_outcome *o, u32 x, u32 y, bool sliding,
				       long worst)
{
	u32 w, j;

	for (w = 0; w + y <= o->len; w += sliding ? 1 : y) {
		long m = 0;

		for (j = w; j < w + y; j++)
			m += o->hist[j];
		if (m - (long)x > worst)
			worst = m - (long)x;
	}
	return worst;
}

/*
 * The cases of the window guarantee, each run by both the core's and the BPF model's test:
 * where it is proven (RTSS'00) it must hold; elsewhere it is measured and printed.
 */
struct dwcs_guarantee_run {
	u8 order;
	bool wc;
	bool sliding;
	bool asserted;	/* the proven case: must hold */
	const char *what;
};

static const struct dwcs_guarantee_run dwcs_guarantee_runs[] = {
	{ DWCS_ORDER_DEADLINE_FIRST, false, false, true, "table A, non-work-conserving" },
	{ DWCS_ORDER_WINDOW_FIRST, false, false, true, "table B, non-work-conserving" },
	{ DWCS_ORDER_DEADLINE_FIRST, true, false, true, "table A, work-conserving" },
	{ DWCS_ORDER_WINDOW_FIRST, true, false, false, "table B, work-conserving" },
	{ DWCS_ORDER_DEADLINE_FIRST, false, true, false, "table A, sliding windows" },
	{ DWCS_ORDER_WINDOW_FIRST, false, true, false, "table B, sliding windows" },
};

#endif /* _DWCS_TRACES_H */
