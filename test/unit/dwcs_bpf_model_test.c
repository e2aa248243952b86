// SPDX-License-Identifier: GPL-2.0
/*
 * dwcs_bpf_model_test.c — dwcs-bpf's decisions on dwcs_core's property traces (issue 16).
 * The BPF qdisc's rules (lib/bpf/dwcs_bpf_rules.h, _impl.h) run on the host under the model
 * of dwcs_bpf_model.h, beside dwcs_core under dwcs_harness.h, on the traces of
 * dwcs_traces.h (the ones dwcs_property_test.c checks the core on):
 *   1. same answers: on every random stream set (40 seeds, both tables, both modes) each
 *      enqueue verdict, each decision (the stream served, or none and the instant the first
 *      waiting head becomes eligible) and every stream's counters and window after it are
 *      those of dwcs_core. What may legitimately differ, and why it cannot here:
 *        - the pick is the first of an ordered set (READY), the core's the top of a
 *          tournament tree: both keep the first stream by one strict total order (the
 *          table, then head arrival, then the stream number, which is the core's id), so
 *          they choose the same stream; the sets themselves are checked after every pick
 *          (bm_check_trees: each backlogged stream where dwcs_rules_place puts it, under
 *          the keys it was added with, nothing late left in DUE, none lost);
 *        - overflow: the default limits are never reached on these traces; the same traces
 *          under small limits (1..4 packets a stream, about one a stream in the qdisc) are
 *          replayed again, the core under h_send_limited() (sch_dwcs's overflow path), and
 *          the victims compared too (test_same_overflow_victims_as_dwcs_core);
 *        - best effort, the link shaper, the horizon clamp and the ceiling are the qdisc's,
 *          not the core's (the traces have no best effort, rate, far deadline or max_rate);
 *   2. the same properties as dwcs_core on its own decisions: each serves an eligible head
 *      and no eligible head has precedence over it (brute force over every stream with
 *      dwcs_rules_precedes), and the window guarantee where it is proven (equal sizes and
 *      periods, backlogged lossy streams, Σ(1 − x/y)·C/T <= 1: no window violation; Table A
 *      both modes and Table B non-work-conserving), the rest measured and printed;
 *   3. bookkeeping: packets in = sent + dropped + queued, for every stream, always.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "dwcs_harness.h"
#include "dwcs_bpf_model.h"
#include "dwcs_traces.h"

/* ---------------------------------------------------------------- 2. decisions */

static bool bm_eligible(const struct bm_qdisc *q, const struct bm_stream *s, u64 now)
{
	return q->wc || s->r.head.deadline || s->r.deadline - s->r.period <= now;
}

static void bm_keys(const struct bm_stream *s, u32 minor, struct dwcs_rules_keys *k)
{
	k->deadline = s->r.head.deadline ? s->r.head.deadline : s->r.deadline;
	k->arrival = s->r.head.enq;
	k->xc = s->r.xc;
	k->yc = s->r.yc;
	k->minor = minor;
	k->optional = dwcs_rules_ranked_optional(&s->r);
}

static bool keys_equal(const struct dwcs_rules_keys *a, const struct dwcs_rules_keys *b)
{
	return a->deadline == b->deadline && a->arrival == b->arrival && a->xc == b->xc &&
	       a->yc == b->yc && a->minor == b->minor && a->optional == b->optional;
}

/* @t holds @k (the key a node was added with), and its order is strict throughout. */
static bool bm_tree_holds(const struct bm_qdisc *q, const struct bm_tree *t,
			  const struct dwcs_rules_keys *k)
{
	bool found = false;
	u32 i;

	for (i = 0; i < t->n; i++) {
		if (i + 1 < t->n)
			assert_true(bm_tree_less(q, t, &t->k[i], &t->k[i + 1]));
		found |= keys_equal(&t->k[i], k);
	}
	return found;
}

/*
 * The trees after a pick: every backlogged stream in READY or WAIT where dwcs_rules_place()
 * puts it now, and in DUE unless accounted late, under the keys it was added with; nothing
 * else in them; none lost.
 */
static void bm_check_trees(const struct bm_qdisc *q, u64 now)
{
	u32 i, in_set = 0, in_due = 0;

	assert_int_equal(q->tree_lost, 0);
	for (i = 0; i < q->n; i++) {
		const struct bm_stream *s = &q->st[i];
		struct dwcs_rules_place pl;

		dwcs_rules_place(&s->r, s->st.backlog, i, q->wc, now, &pl);
		assert_int_equal(s->in_set, pl.set);
		assert_int_equal(s->in_due, pl.due);
		if (pl.set) {
			assert_true(keys_equal(&s->set_k, &pl.k));
			assert_true(bm_tree_holds(q, pl.set == DWCS_RULES_SET_READY ? &q->ready :
						  &q->wait, &s->set_k));
			in_set++;
		}
		if (pl.due) {
			assert_true(keys_equal(&s->due_k, &pl.due_k));
			assert_true(bm_tree_holds(q, &q->due, &s->due_k));
			/* what passed was accounted by the pick */
			assert_false(dwcs_rules_due(pl.due_k.deadline, now));
			in_due++;
		}
		if (pl.set == DWCS_RULES_SET_WAIT)
			assert_false(dwcs_rules_woken(pl.k.deadline, now));
	}
	assert_int_equal(q->ready.n + q->wait.n, in_set);
	assert_int_equal(q->due.n, in_due);
}

/* The model's pick at @now, checked against every stream; returns it (or -1). */
static int bm_checked_pick(struct bm_qdisc *q, u64 now, __u64 *next,
			   struct dwcs_rules_keys *best)
{
	int who = bm_pick(q, now, next, best);
	u32 i;

	bm_check_trees(q, now);
	for (i = 0; i < q->n; i++) {
		const struct bm_stream *s = &q->st[i];
		struct dwcs_rules_keys k;

		assert_int_equal(s->st.backlog, bm_backlog(q, i));
		if (!s->st.backlog)
			continue;
		/* after the pick, no eligible head is late and unaccounted */
		if (bm_eligible(q, s, now) && !(s->r.head.deadline && s->r.head_late))
			assert_false((s->r.head.deadline ? s->r.head.deadline : s->r.deadline) < now);
		if (who < 0) {
			assert_false(bm_eligible(q, s, now));
			assert_true(*next <= s->r.deadline - s->r.period);
			continue;
		}
		bm_keys(s, i, &k);
		if ((int)i != who && bm_eligible(q, s, now))
			assert_false(dwcs_rules_precedes(q->order, &k, best));
	}
	if (who >= 0)
		assert_true(bm_eligible(q, &q->st[who], now));
	return who;
}

/* ---------------------------------------------------------------- 1. same answers */

/* What was compared, over all runs. */
struct agreement {
	u64 runs, runs_agreed;
	u64 verdicts, decisions, decisions_agreed, served;
	char first[160];	/* the first disagreement seen */
};

static enum bm_verdict core_verdict(int v)
{
	return v == DWCS_ADMIT_DROP_LATE ? BM_DROP_LATE :
	       v == DWCS_ADMIT_DROP_FRAME ? BM_DROP_FRAME :
	       v == H_DROP_OVERFLOW ? BM_DROP_OVERFLOW : BM_QUEUED;
}

/*
 * Limits small enough that the traces overflow: each stream holds 1 to 4 packets, the qdisc
 * about one per stream, so that both a full stream and a full qdisc choose victims; 0: the
 * defaults (never full on these traces).
 */
struct limits {
	u32 qdisc;
	u32 stream[DWCS_TRACE_MAX_STREAMS];
};

static void small_limits(u64 seed, u32 n, struct limits *l)
{
	u32 i;

	l->qdisc = n + (u32)(seed % 3) * n / 2;
	for (i = 0; i < n; i++)
		l->stream[i] = 1 + (u32)((seed * 7 + i * 3) % 4);
}

/* The overflows compared (in the runs with small limits, up to a run's first disagreement). */
struct overflows {
	u64 incoming;		/* the arriving packet went */
	u64 incoming_nondrop;	/* ... marked non-droppable */
	u64 victims;		/* a queued packet went */
	u64 victims_head;	/* ... the head */
	u64 victims_inside;	/* ... neither the head nor the newest */
	u64 qdisc_full;		/* the stream was within its limit, the qdisc full */
};

/* The stream's counters and window: the name of the first that differs, or NULL. */
static const char *stream_differs(const struct h_stream *c, const struct bm_stream *b)
{
	const struct dwcs_stream_stats *cs = &c->s.st;
	const struct dwcs_bpf_stats *bs = &b->st;

	if (cs->sent != bs->sent_pkts)
		return "sent";
	if (cs->drops[DWCS_DROP_LATE] != bs->drop_late)
		return "drop_late";
	if (cs->drops[DWCS_DROP_WINDOW] != bs->drop_window)
		return "drop_window";
	if (cs->drops[DWCS_DROP_FRAME] != bs->drop_frame)
		return "drop_frame";
	if (cs->drops[DWCS_DROP_OVERFLOW] != bs->drop_overflow)
		return "drop_overflow";
	if (cs->drops[DWCS_DROP_NONDROPPABLE] != bs->drop_nondroppable)
		return "drop_nondroppable";
	if (memcmp(c->s.backlog_prio, b->r.backlog_prio, sizeof(c->s.backlog_prio)))
		return "backlog by drop priority";
	if (cs->late_sent != bs->late_sent)
		return "late_sent";
	if (cs->misses != bs->misses)
		return "misses";
	if (cs->violations != bs->violations)
		return "violations";
	if (c->s.xc != b->r.xc || c->s.yc != b->r.yc)
		return "x'/y'";
	if (c->s.backlog != bs->backlog)
		return "backlog";
	return NULL;
}

static void disagree(struct agreement *a, bool *agreed, u64 seed, u8 order, bool wc, u32 step,
		     const char *what, u32 stream)
{
	if (!*agreed)
		return;
	*agreed = false;
	if (!a->first[0])
		snprintf(a->first, sizeof(a->first),
			 "seed %llu table %c %s step %u: %s of stream %u",
			 (unsigned long long)seed, order == DWCS_ORDER_WINDOW_FIRST ? 'B' : 'A',
			 wc ? "wc" : "nwc", step, what, stream);
}

/*
 * One random stream set through both. Once they disagree the states part, so the comparison
 * of that run stops there (it is counted as disagreeing, the first disagreement is printed)
 * and the model goes on alone, checked for the properties.
 */
static void replay(u64 seed, u8 order, bool wc, const struct limits *lim, struct agreement *a,
		   struct overflows *o)
{
	struct dwcs_trace t;
	struct h_sched *h;
	struct bm_qdisc *q = bm_new(order, wc);
	u64 offered[DWCS_TRACE_MAX_STREAMS] = { 0 };
	bool agreed = true;
	u32 i, step;

	dwcs_trace_init(&t, seed);
	h = h_new(t.n);
	dwcs_sched_set_mode(&h->sched, order, wc);
	for (i = 0; i < t.n; i++) {
		h_add(h, i, t.st[i].period, t.st[i].x, t.st[i].y, t.st[i].flags);
		bm_add(q, i, t.st[i].period, t.st[i].x, t.st[i].y, t.st[i].flags);
		if (lim)
			q->st[i].r.limit = lim->stream[i];
	}
	if (lim)
		q->limit = lim->qdisc;
	for (step = 0; step < DWCS_TRACE_STEPS; step++) {
		u32 k = dwcs_trace_arrivals(&t);
		struct dwcs_rules_keys best;
		u64 next_core = 0;
		__u64 next_bpf;
		int core, bpf;

		while (k--) {
			u32 j = dwcs_trace_stream(&t);
			struct dwcs_trace_pkt pkt = dwcs_trace_packet(&t, j);
			struct h_victim victim;
			bool qdisc_full = false;
			enum bm_verdict vb;
			int vc;

			/* dwcs_property_test.c's rule, for both: the same packets */
			if (h_backlog(h, j) >= H_QCAP - 1)
				continue;
			offered[j]++;
			if (lim) {
				qdisc_full = q->qlen >= lim->qdisc && bm_backlog(q, j) < lim->stream[j];
				vc = h_send_limited(h, j, t.now, pkt.deadline, pkt.mark,
						    lim->stream[j], lim->qdisc, &victim);
			} else {
				vc = h_send(h, j, t.now, pkt.deadline, pkt.mark);
				victim.pos = -1;
			}
			vb = bm_enqueue(q, j, t.now, pkt.deadline, pkt.mark, 100);
			if (!lim) /* the default limits are never reached: see the top */
				assert_int_not_equal(vb, BM_DROP_OVERFLOW);
			a->verdicts++;
			if (agreed && core_verdict(vc) != vb)
				disagree(a, &agreed, seed, order, wc, step, "enqueue verdict", j);
			else if (agreed && victim.pos != q->victim_pos)
				disagree(a, &agreed, seed, order, wc, step, "overflow victim", j);
			else if (agreed && victim.pos >= 0 &&
				 (victim.pkt.enqueued != q->victim.enq ||
				  victim.pkt.mark != (q->victim.mark & DWCS_MARK_FIELD_MASK) ||
				  victim.pkt.deadline != q->victim.deadline))
				disagree(a, &agreed, seed, order, wc, step, "overflow victim packet", j);
			if (!agreed || !o)
				continue;
			if (vb == BM_DROP_OVERFLOW) {
				o->incoming++;
				o->incoming_nondrop += !!(pkt.mark & DWCS_MARK_NONDROPPABLE);
			}
			if (victim.pos >= 0) {
				o->victims++;
				o->victims_head += victim.pos == 0;
				o->victims_inside += victim.pos > 0 &&
						     (u32)victim.pos + 1 < bm_backlog(q, j);
			}
			o->qdisc_full += qdisc_full && (vb == BM_DROP_OVERFLOW || victim.pos >= 0);
		}
		bpf = bm_checked_pick(q, t.now, &next_bpf, &best);
		if (bpf >= 0)
			bm_serve(q, &best, t.now, &(struct bm_pkt){ 0 });
		core = h_step(h, t.now, &next_core, NULL);
		if (agreed) {
			a->decisions++;
			if (core != bpf)
				disagree(a, &agreed, seed, order, wc, step, "decision", core);
			else if (core < 0 && next_core != next_bpf)
				disagree(a, &agreed, seed, order, wc, step, "next eligible", 0);
			for (i = 0; agreed && i < t.n; i++) {
				const char *what = stream_differs(&h->st[i], &q->st[i]);

				if (what)
					disagree(a, &agreed, seed, order, wc, step, what, i);
			}
			if (agreed) {
				a->decisions_agreed++;
				a->served += core >= 0;
			}
		}
		dwcs_trace_advance(&t);
	}
	/* 3. bookkeeping */
	for (i = 0; i < t.n; i++) {
		const struct dwcs_bpf_stats *st = &q->st[i].st;

		assert_int_equal(offered[i], st->sent_pkts + st->drop_late + st->drop_window +
						     st->drop_frame + st->drop_overflow +
						     st->drop_nondroppable + bm_backlog(q, i));
		assert_true(q->st[i].r.xc <= q->st[i].r.yc);
	}
	a->runs++;
	a->runs_agreed += agreed;
	h_free(h);
	free(q);
}

static void print_agreement(const char *what, const struct agreement *a)
{
	print_message("# %s: %llu of %llu runs agreed with dwcs_core throughout: %llu of %llu "
		      "decisions compared agreed (%llu served a packet), %llu enqueue verdicts%s%s\n",
		      what, (unsigned long long)a->runs_agreed, (unsigned long long)a->runs,
		      (unsigned long long)a->decisions_agreed, (unsigned long long)a->decisions,
		      (unsigned long long)a->served, (unsigned long long)a->verdicts,
		      a->first[0] ? "; first disagreement: " : "", a->first);
}

static void test_same_answers_as_dwcs_core(void **state)
{
	struct agreement a = { 0 };
	u64 seed;

	for (seed = 1; seed <= DWCS_TRACE_SEEDS; seed++) {
		replay(seed, DWCS_ORDER_DEADLINE_FIRST, false, NULL, &a, NULL);
		replay(seed, DWCS_ORDER_DEADLINE_FIRST, true, NULL, &a, NULL);
		replay(seed, DWCS_ORDER_WINDOW_FIRST, false, NULL, &a, NULL);
		replay(seed, DWCS_ORDER_WINDOW_FIRST, true, NULL, &a, NULL);
	}
	print_agreement("default limits", &a);
	/* the disagreements this found were fixed in the shared rules: docs/dwcs-bpf.md */
	assert_int_equal(a.runs_agreed, a.runs);
}

/*
 * The same traces under small limits, so that queues overflow: same verdicts (the arriving
 * packet dropped or queued), the same victim (its position in the queue and the packet),
 * the same counters (drop_overflow, drop_nondroppable, the backlog by drop priority) and,
 * since a victim changes what is queued, the same decisions after it.
 */
static void test_same_overflow_victims_as_dwcs_core(void **state)
{
	struct agreement a = { 0 };
	struct overflows o = { 0 };
	struct dwcs_trace t;
	struct limits lim;
	u64 seed;

	for (seed = 1; seed <= DWCS_TRACE_SEEDS; seed++) {
		dwcs_trace_init(&t, seed);
		memset(&lim, 0, sizeof(lim));
		small_limits(seed, t.n, &lim);
		replay(seed, DWCS_ORDER_DEADLINE_FIRST, false, &lim, &a, &o);
		replay(seed, DWCS_ORDER_DEADLINE_FIRST, true, &lim, &a, &o);
		replay(seed, DWCS_ORDER_WINDOW_FIRST, false, &lim, &a, &o);
		replay(seed, DWCS_ORDER_WINDOW_FIRST, true, &lim, &a, &o);
	}
	print_agreement("small limits", &a);
	print_message("# overflows compared: %llu arriving packets dropped (%llu marked "
		      "non-droppable), %llu queued victims (%llu the head, %llu inside the queue), "
		      "%llu of all with the stream within its limit and the qdisc full\n",
		      (unsigned long long)o.incoming, (unsigned long long)o.incoming_nondrop,
		      (unsigned long long)o.victims, (unsigned long long)o.victims_head,
		      (unsigned long long)o.victims_inside, (unsigned long long)o.qdisc_full);
	assert_int_equal(a.runs_agreed, a.runs);
	/* the comparison means something only if every kind of overflow happened */
	assert_true(o.incoming > 1000 && o.incoming_nondrop > 100 && o.victims > 1000);
	assert_true(o.victims_head > 100 && o.victims_inside > 100 && o.qdisc_full > 100);
}

/* ---------------------------------------------------------------- 2. the proven case */

static long bm_guarantee_excess(const struct dwcs_guarantee_set *g, u8 order, bool wc,
				bool sliding, u64 *violations)
{
	const u64 C = DWCS_GUARANTEE_SLOT_NS, T = g->q * C;
	static struct dwcs_outcome out[DWCS_GUARANTEE_MAX_STREAMS];
	struct bm_qdisc *q = bm_new(order, wc);
	long worst = -1000;
	u64 now = 0;
	u32 i, slot;

	memset(out, 0, sizeof(out));
	for (i = 0; i < g->n; i++) {
		bm_add(q, i, T, g->x[i], g->y[i], 0);
		while (bm_backlog(q, i) < 4)
			bm_enqueue(q, i, now, 0, 0, 100);
	}
	for (slot = 0; slot < DWCS_GUARANTEE_SLOTS; slot++, now += C) {
		u64 misses[DWCS_GUARANTEE_MAX_STREAMS], on_time[DWCS_GUARANTEE_MAX_STREAMS];
		__u64 next;
		struct dwcs_rules_keys best;

		for (i = 0; i < g->n; i++) {
			misses[i] = q->st[i].st.misses;
			on_time[i] = q->st[i].st.sent_pkts - q->st[i].st.late_sent;
		}
		if (bm_checked_pick(q, now, &next, &best) >= 0)
			bm_serve(q, &best, now, &(struct bm_pkt){ 0 });
		for (i = 0; i < g->n; i++) {
			const struct dwcs_bpf_stats *st = &q->st[i].st;

			dwcs_outcome_record(&out[i], st->misses - misses[i], 1);
			dwcs_outcome_record(&out[i], st->sent_pkts - st->late_sent - on_time[i], 0);
			while (bm_backlog(q, i) < 4)
				bm_enqueue(q, i, now, 0, 0, 100);
		}
	}
	for (i = 0; i < g->n; i++) {
		*violations += q->st[i].st.violations;
		worst = dwcs_outcome_excess(&out[i], g->x[i], g->y[i], sliding, worst);
	}
	free(q);
	return worst;
}

static void test_window_guarantee_when_proven(void **state)
{
	u32 r;

	for (r = 0; r < sizeof(dwcs_guarantee_runs) / sizeof(dwcs_guarantee_runs[0]); r++) {
		const struct dwcs_guarantee_run *run = &dwcs_guarantee_runs[r];
		struct dwcs_rng rng = { DWCS_GUARANTEE_SEED };
		u32 trial, checked = 0, broken = 0, i;
		u64 violations = 0;

		for (trial = 0; trial < DWCS_GUARANTEE_DRAWS; trial++) {
			struct dwcs_guarantee_set g;
			u64 v = 0;
			long excess;

			dwcs_guarantee_draw(&rng, &g);
			if (!dwcs_guarantee_feasible(&g))
				continue;
			checked++;
			excess = bm_guarantee_excess(&g, run->order, run->wc, run->sliding, &v);
			violations += v;
			if (excess <= 0 && (run->sliding || !v))
				continue;
			broken++;
			if (!run->asserted)
				continue;
			print_message("guarantee broken (%s): n=%u q=%u excess %ld\n", run->what,
				      g.n, g.q, excess);
			for (i = 0; i < g.n; i++)
				print_message("  stream %u: %u/%u\n", i, g.x[i], g.y[i]);
			fail();
		}
		assert_true(checked >= 100);
		print_message("# dwcs-bpf, %s: %u of %u feasible sets broke a window "
			      "(%llu violations)%s\n", run->what, broken, checked,
			      (unsigned long long)violations,
			      run->asserted ? "" : " - measured, not guaranteed");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_answers_as_dwcs_core),
		cmocka_unit_test(test_same_overflow_victims_as_dwcs_core),
		cmocka_unit_test(test_window_guarantee_when_proven),
	};

	return cmocka_run_group_tests_name("dwcs_bpf_model", tests, NULL, NULL);
}
