// SPDX-License-Identifier: GPL-2.0
/*
 * dwcs_bench.c — cost of one DWCS decision (enqueue + select + dequeue) in dwcs_core versus
 * the number of backlogged streams. Every stream stays backlogged (each served packet is
 * replaced), streams differ in period and window, and the served stream is re-keyed on every
 * decision: the steady state of a loaded qdisc. (The deadline tree is re-keyed only when a
 * stale lower bound comes due, see dwcs_core.c: in table A here, with no deadline missed,
 * almost never; in table B, which misses some (4% of them at 10,000 streams), more often.)
 * The trees' depth follows the attached streams, backlogged or not, so a last case measures
 * 100 backlogged streams among 10,000 attached, and another a qdisc whose streams each send
 * less than a queue's worth (BACKLOGGED 0): 1,000 streams take turns sending one packet each,
 * served at once, so every decision activates an idle stream and empties it again (the path
 * of test/bench/vm-flood's 1,000 streams). Two more cases time one tournament tree alone (its top
 * re-keyed, as READY's in table A) at 100 and 10,000 streams: the share of a decision that
 * a tree layout can change.
 *
 * Trust on a shared machine: every round runs every case once (both tables, every size),
 * in an order rotated from round to round, so that a burst of load elsewhere hits all of
 * them alike; the ratio 10,000/100 is taken within each round. Reported: the median over
 * the rounds and the spread (lowest–highest), the CPU model and the load average before and
 * after. Time is the thread's CPU time, so that being preempted does not count, and a case's
 * figure is the median over chunks of 2048 decisions, leaving out every chunk during which
 * the thread was switched out (the caches it finds cold afterwards; their number is printed).
 * Other processes still share the last-level cache. A target is "met" only when every round meets it, "not met" when none does, and
 * "not resolved" when the spread straddles it.
 *
 * Usage: dwcs_bench [decisions [rounds [-raw]]]   (400000, 7). With -raw, every measurement
 * is also printed as "raw ROUND TABLE STREAMS BACKLOGGED NS".
 *
 * Two builds of the core are compared by `make dwcs-bench-ab DWCS_AB_BASE=REV` (dwcs.mk):
 * the same file, compiled once per core and linked into one program that alternates them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>

#ifndef DWCS_BENCH_AB
/* Small queues: the benchmark measures the scheduler, not the cache misses of a harness. */
#define H_QCAP 4u
#include "../unit/dwcs_harness.h"
#else
#include "../../kmod/dwcs_types.h"
#endif

#define MAX_ROUNDS 99
#define ORDER_TREE_ONLY 2	/* a case of one tournament tree alone, not a precedence table */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

#ifndef DWCS_BENCH_AB
static u64 now_ns(void)
{
	struct timespec ts;

	/* this thread's CPU time: the time other processes hold the CPU is not counted */
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (u64)ts.tv_sec * 1000000000ULL + (u64)ts.tv_nsec;
}

/* Context switches of this thread so far, voluntary or not. */
static long switches(void)
{
	struct rusage ru;

	getrusage(RUSAGE_THREAD, &ru);
	return ru.ru_nvcsw + ru.ru_nivcsw;
}

/* Chunks of a measurement: one whose thread was switched out is not counted. */
#define CHUNK 2048u
static u64 chunks_total, chunks_dropped;

/* The tree alone: keys (deadline, id), as DEADLINE's; READY's table A keys decide alike. */
static void tb_key(const struct dwcs_stream *s, const void *arg, u64 key[DWCS_TREE_KEYS])
{
	key[0] = s->key_deadline;
	key[1] = s->id;
	key[2] = 0;
	key[3] = 0;
}

static bool tb_less(const struct dwcs_stream *a, const struct dwcs_stream *b, const void *arg)
{
	return a->id < b->id;
}

static double median_of(double *v, u32 n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/*
 * The figure of one measurement from its @nchunks timed chunks (@all), of which the first
 * @kept, in @ok, ran without a context switch: their median, or, never undisturbed, the
 * median of all, which overstates the cost. Counts the dropped chunks; frees both arrays.
 */
static double chunks_median(double *all, double *ok, u32 nchunks, u32 kept)
{
	double med;

	chunks_total += nchunks;
	chunks_dropped += nchunks - kept;
	med = kept ? median_of(ok, kept) : median_of(all, nchunks);
	free(all);
	free(ok);
	return med;
}

/*
 * One tree of @n streams, its top re-keyed to deadline + period again and again (the
 * bench's periods): what READY costs per decision in table A, without the rest of the core
 * and the harness. It still reads the re-keyed stream (its key and leaf: two cache lines).
 */
static double tree_ns_per_update(u32 n, u32 decisions)
{
	struct dwcs_stream *st;
	struct dwcs_tree_slot *slot = calloc(n, sizeof(*slot));
	u32 *win = calloc(2 * (size_t)n, sizeof(*win));
	u32 nchunks = (decisions + CHUNK - 1) / CHUNK, kept = 0, c, i, k;
	double *all = calloc(nchunks, sizeof(*all)), *ok = calloc(nchunks, sizeof(*ok));
	struct dwcs_tree t;
	void *mem;

	/* on the cache lines the stream's layout is made for (dwcs_core.h) */
	if (posix_memalign(&mem, 64, n * sizeof(*st)))
		abort();
	st = memset(mem, 0, n * sizeof(*st));
	if (!slot || !win || !all || !ok)
		abort();
	dwcs_tree_init(&t, tb_less, tb_key, NULL);
	t.slot = slot;
	t.win = win;
	t.cap = n;
	dwcs_tree_clear(&t);
	for (i = 0; i < n; i++) {
		st[i].id = i;
		st[i].leaf = i;
		st[i].key_deadline = 2000000 + (u64)(i % 97) * 1000;
		dwcs_tree_update(&t, &st[i]);
	}
	for (c = 0; c < n / CHUNK + 1 + nchunks; c++) {
		long sw = switches();
		u64 start = now_ns();

		for (k = 0; k < CHUNK; k++) {
			struct dwcs_stream *s = dwcs_tree_top(&t);

			s->key_deadline += 1000000 + (u64)(s->id % 97) * 1000;
			dwcs_tree_update(&t, s);
		}
		if (c <= n / CHUNK)
			continue; /* warm-up: each stream re-keyed about once */
		all[c - n / CHUNK - 1] = (double)(now_ns() - start) / CHUNK;
		if (switches() == sw)
			ok[kept++] = all[c - n / CHUNK - 1];
	}
	free(win);
	free(slot);
	free(st);
	return chunks_median(all, ok, nchunks, kept);
}

/*
 * The idle case: @n streams attached, none backlogged; each decision is one packet sent to
 * the next stream in turn and served at once (enqueue activates the stream, dequeue empties
 * it). Chunks are timed as in ns_per_decision() below.
 */
static double ns_per_idle_decision(u32 n, u32 decisions, u8 order)
{
	struct h_sched *h = h_new(n);
	u32 nchunks = (decisions + CHUNK - 1) / CHUNK, kept = 0, c, i, k, next = 0;
	double *all = calloc(nchunks, sizeof(*all)), *ok = calloc(nchunks, sizeof(*ok));
	u64 t = 1000000;

	if (!all || !ok)
		abort();
	dwcs_sched_set_mode(&h->sched, order, true);
	for (i = 0; i < n; i++)
		h_add(h, i, 1000000 + (u64)(i % 97) * 1000, i % (1 + i % 7 + 1), 1 + i % 7, 0);
	for (c = 0; c <= nchunks; c++) {	/* chunk 0: the warm-up, not kept */
		long sw = switches();
		u64 start = now_ns();

		for (k = 0; k < CHUNK; k++) {
			h_send(h, next, t, 0, 0);
			if (h_step(h, t, NULL, NULL) != (int)next)
				abort();
			next = next + 1 == n ? 0 : next + 1;
			t += 100;
		}
		if (!c)
			continue;
		all[c - 1] = (double)(now_ns() - start) / CHUNK;
		if (switches() == sw)
			ok[kept++] = all[c - 1];
	}
	h_free(h);
	return chunks_median(all, ok, nchunks, kept);
}

/*
 * @n streams attached, the first @active of them backlogged: the median over chunks of CHUNK
 * decisions that ran without a context switch. A switch costs more than the CPU time of the
 * other process: at 10,000 streams the scheduler's memory (some 4 MB with the harness) is
 * then fetched again, which at load 5 made single 10,000-stream measurements vary 3x.
 */
static double ns_per_decision(u32 n, u32 active, u32 decisions, u8 order)
{
	struct h_sched *h;
	u32 nchunks = (decisions + CHUNK - 1) / CHUNK, kept = 0, c, i, k;
	double *all, *ok;
	u64 t = 1000000;

	if (order == ORDER_TREE_ONLY)
		return tree_ns_per_update(n, decisions);
	if (!active)
		return ns_per_idle_decision(n, decisions, order);
	h = h_new(n);
	all = calloc(nchunks, sizeof(*all));
	ok = calloc(nchunks, sizeof(*ok));
	if (!all || !ok)
		abort();
	dwcs_sched_set_mode(&h->sched, order, true);
	for (i = 0; i < n; i++) {
		u32 y = 1 + i % 7;

		h_add(h, i, 1000000 + (u64)(i % 97) * 1000, i % (y + 1), y, 0);
		if (i >= active)
			continue;
		h_send(h, i, t, 0, 0);
		h_send(h, i, t, 0, 0);
	}
	/* Warm-up, not timed: each stream served about once. */
	for (k = 0; k < active; k++) {
		int who = h_step(h, t, NULL, NULL);

		if (who < 0)
			abort();
		h_send(h, (u32)who, t, 0, 0);
		t += 100;
	}
	for (c = 0; c < nchunks; c++) {
		long sw = switches();
		u64 start = now_ns();

		for (k = 0; k < CHUNK; k++) {
			int who = h_step(h, t, NULL, NULL);

			if (who < 0)
				abort();
			h_send(h, (u32)who, t, 0, 0);
			t += 100; /* faster than the streams' periods: deadlines are met and missed */
		}
		all[c] = (double)(now_ns() - start) / CHUNK;
		if (switches() == sw)
			ok[kept++] = all[c];
	}
	h_free(h);
	return chunks_median(all, ok, nchunks, kept);
}

#ifdef DWCS_BENCH_ONE
/* One side of dwcs-bench-ab (test/bench/dwcs.mk): only the measurement, under that name. */
double DWCS_BENCH_ONE(u32 n, u32 active, u32 decisions, u8 order, u64 *dropped);
double DWCS_BENCH_ONE(u32 n, u32 active, u32 decisions, u8 order, u64 *dropped)
{
	double v = ns_per_decision(n, active, decisions, order);

	*dropped = chunks_dropped;
	return v;
}
#endif
#endif /* !DWCS_BENCH_AB */

#ifndef DWCS_BENCH_ONE

struct stat3 {
	double med, lo, hi;
};

static struct stat3 stat_of(const double *v, int n)
{
	double s[MAX_ROUNDS];
	struct stat3 r;

	memcpy(s, v, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_double);
	r.med = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
	r.lo = s[0];
	r.hi = s[n - 1];
	return r;
}

#ifndef DWCS_BENCH_AB
/* "met" when every round is within @target, "not met" when none is, else "not resolved". */
static const char *verdict(struct stat3 s, double target)
{
	if (s.hi <= target)
		return "met";
	if (s.lo > target)
		return "not met";
	return "not resolved (the spread straddles the target)";
}
#endif

static void print_machine(const char *when)
{
	char line[256], model[256] = "unknown";
	FILE *f = fopen("/proc/cpuinfo", "r");
	double l1 = -1, l5 = -1, l15 = -1;

	while (f && fgets(line, sizeof(line), f)) {
		char *c = strchr(line, ':');

		if (!strncmp(line, "model name", 10) && c) {
			snprintf(model, sizeof(model), "%s", c + 2);
			model[strcspn(model, "\n")] = 0;
			break;
		}
	}
	if (f)
		fclose(f);
	f = fopen("/proc/loadavg", "r");
	if (f) {
		if (fscanf(f, "%lf %lf %lf", &l1, &l5, &l15) != 3)
			l1 = l5 = l15 = -1;
		fclose(f);
	}
	printf("dwcs_bench %s: CPU %s, %ld online, load average %.2f %.2f %.2f\n", when, model,
	       sysconf(_SC_NPROCESSORS_ONLN), l1, l5, l15);
}

struct bench_case {
	u8 order;
	u32 n, active;
};

static const struct bench_case cases[] = {
	{ 0, 100, 100 }, { 0, 1000, 1000 }, { 0, 10000, 10000 },
	{ 1, 100, 100 }, { 1, 1000, 1000 }, { 1, 10000, 10000 },
	{ 0, 10000, 100 },
	{ ORDER_TREE_ONLY, 100, 100 }, { ORDER_TREE_ONLY, 10000, 10000 },
	{ 0, 1000, 0 },	/* each stream idle between its packets (ns_per_idle_decision) */
};

static char case_table(const struct bench_case *c)
{
	return c->order == ORDER_TREE_ONLY ? 'T' : c->order ? 'B' : 'A';
}
#define NCASES (int)(sizeof(cases) / sizeof(cases[0]))

#ifndef DWCS_BENCH_AB
int main(int argc, char **argv)
{
	static double ns[NCASES][MAX_ROUNDS], ratio[3][MAX_ROUNDS], sparse_ratio[MAX_ROUNDS];
	u32 decisions = argc > 1 ? (u32)strtoul(argv[1], NULL, 10) : 400000;
	int rounds = argc > 2 ? atoi(argv[2]) : 7;
	bool raw = argc > 3 && !strcmp(argv[3], "-raw");
	int r, i, o;

	if (rounds < 1 || rounds > MAX_ROUNDS || !decisions) {
		fprintf(stderr, "usage: %s [decisions [rounds (1-%d) [-raw]]]\n", argv[0],
			MAX_ROUNDS);
		return 2;
	}
	print_machine("start");
	printf("dwcs_bench: %d rounds of %u decisions per case, cases interleaved, order rotated"
	       " each round\n", rounds, decisions);
	fflush(stdout);
	for (r = 0; r < rounds; r++) {
		for (i = 0; i < NCASES; i++) {
			/* odd rounds run backwards, and the start rotates */
			int c = (r % 2 ? NCASES - 1 - i + r : i + r) % NCASES;
			const struct bench_case *bc = &cases[c];

			ns[c][r] = ns_per_decision(bc->n, bc->active, decisions, bc->order);
			if (raw)
				printf("raw %d %c %u %u %.2f\n", r, case_table(bc), bc->n,
				       bc->active, ns[c][r]);
		}
		for (o = 0; o < 2; o++)
			ratio[o][r] = ns[3 * o + 2][r] / ns[3 * o][r];
		sparse_ratio[r] = ns[6][r] / ns[0][r];
		ratio[2][r] = ns[8][r] / ns[7][r];
	}
	for (o = 0; o < 2; o++) {
		struct stat3 big = stat_of(ns[3 * o + 2], rounds), q = stat_of(ratio[o], rounds);

		printf("dwcs_core table %c:", o ? 'B' : 'A');
		for (i = 0; i < 3; i++) {
			struct stat3 s = stat_of(ns[3 * o + i], rounds);

			printf("  %u streams %.0f ns (%.0f-%.0f)", cases[3 * o + i].n, s.med, s.lo,
			       s.hi);
		}
		printf("\n  ratio 10000/100 median %.2f (%.2f-%.2f): target <= 1.5 %s;"
		       " 10000 streams <= 60 ns %s\n", q.med, q.lo, q.hi, verdict(q, 1.5),
		       verdict(big, 60));
	}
	{
		struct stat3 s = stat_of(ns[6], rounds), q = stat_of(sparse_ratio, rounds);

		printf("dwcs_core table A: 100 backlogged of 10000 attached streams %.0f ns"
		       " (%.0f-%.0f), %.2f x 100 of 100 (%.2f-%.2f)\n", s.med, s.lo, s.hi, q.med,
		       q.lo, q.hi);
	}
	{
		struct stat3 a = stat_of(ns[7], rounds), b = stat_of(ns[8], rounds);
		struct stat3 q = stat_of(ratio[2], rounds);

		printf("one tree alone, top re-keyed (READY in table A without the rest):"
		       "  100 streams %.0f ns (%.0f-%.0f)  10000 streams %.0f ns (%.0f-%.0f)"
		       "  ratio %.2f (%.2f-%.2f)\n", a.med, a.lo, a.hi, b.med, b.lo, b.hi, q.med,
		       q.lo, q.hi);
	}
	{
		struct stat3 s = stat_of(ns[9], rounds);

		printf("dwcs_core table A: 1000 streams each idle between its packets (one packet"
		       " at a time, in turn) %.0f ns (%.0f-%.0f)\n", s.med, s.lo, s.hi);
	}
	printf("dwcs_bench: %llu of %llu chunks of %u decisions dropped (context switch)\n",
	       (unsigned long long)chunks_dropped, (unsigned long long)chunks_total, CHUNK);
	print_machine("end");
	return 0;
}
#else /* DWCS_BENCH_AB */
/*
 * dwcs-bench-ab: two builds of the core in one process (BASE, a git revision, and WORK, the
 * work tree), measured alternately case by case (base, work; work, base; ...), so that both
 * see the same load. Per case: the median and range of each, and of the per-round ratio
 * work/base with its interquartile range. A difference is called only when every round
 * agrees by more than AB_FLOOR: two copies of one core (DWCS_AB_BASE=HEAD, clean tree)
 * differed by up to 4 % in every round of a case (code and data placement), so a smaller
 * difference is no evidence.
 */
#define AB_FLOOR 0.04

double dwcs_bench_base(u32 n, u32 active, u32 decisions, u8 order, u64 *dropped);
double dwcs_bench_work(u32 n, u32 active, u32 decisions, u8 order, u64 *dropped);

static double quartile(const double *v, int n, int q)
{
	double s[MAX_ROUNDS];

	memcpy(s, v, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_double);
	return s[(n - 1) * q / 4];
}

int main(int argc, char **argv)
{
	static double base[NCASES][MAX_ROUNDS], work[NCASES][MAX_ROUNDS], q[NCASES][MAX_ROUNDS];
	u32 decisions = argc > 1 ? (u32)strtoul(argv[1], NULL, 10) : 200000;
	int rounds = argc > 2 ? atoi(argv[2]) : 21;
	u64 dropped_base = 0, dropped_work = 0;
	int r, i;

	if (rounds < 5 || rounds > MAX_ROUNDS || !decisions) {
		fprintf(stderr, "usage: %s [decisions [rounds (5-%d)]]\n", argv[0], MAX_ROUNDS);
		return 2;
	}
	print_machine("start");
	printf("dwcs_bench_ab: %d rounds of %u decisions per case and build, alternated\n",
	       rounds, decisions);
	fflush(stdout);
	for (r = 0; r < rounds; r++)
		for (i = 0; i < NCASES; i++) {
			int c = (i + r) % NCASES;
			const struct bench_case *bc = &cases[c];

			if (r % 2) {
				work[c][r] = dwcs_bench_work(bc->n, bc->active, decisions, bc->order,
							     &dropped_work);
				base[c][r] = dwcs_bench_base(bc->n, bc->active, decisions, bc->order,
							     &dropped_base);
			} else {
				base[c][r] = dwcs_bench_base(bc->n, bc->active, decisions, bc->order,
							     &dropped_base);
				work[c][r] = dwcs_bench_work(bc->n, bc->active, decisions, bc->order,
							     &dropped_work);
			}
			q[c][r] = work[c][r] / base[c][r];
		}
	for (i = 0; i < NCASES; i++) {
		struct stat3 b = stat_of(base[i], rounds), w = stat_of(work[i], rounds);
		struct stat3 x = stat_of(q[i], rounds);
		double q1 = quartile(q[i], rounds, 1), q3 = quartile(q[i], rounds, 3);

		char who[32];

		if (cases[i].active)
			snprintf(who, sizeof(who), "%5u of %5u", cases[i].active, cases[i].n);
		else	/* ns_per_idle_decision() */
			snprintf(who, sizeof(who), "%5u idle   ", cases[i].n);
		printf("table %c %s streams: base %.0f ns (%.0f-%.0f)  work %.0f ns (%.0f-%.0f)"
		       "  work/base %.3f [%.3f-%.3f] (%.3f-%.3f) %s\n",
		       case_table(&cases[i]), who, b.med, b.lo, b.hi,
		       w.med, w.lo, w.hi, x.med, q1, q3, x.lo, x.hi,
		       x.hi < 1 - AB_FLOOR ? "faster" : x.lo > 1 + AB_FLOOR ? "slower" :
		       q3 < 1 || q1 > 1 ? "not resolved (quartiles on one side)" : "not resolved");
	}
	printf("dwcs_bench_ab: chunks dropped (context switch): base %llu, work %llu\n",
	       (unsigned long long)dropped_base, (unsigned long long)dropped_work);
	print_machine("end");
	return 0;
}
#endif /* DWCS_BENCH_AB */
#endif /* !DWCS_BENCH_ONE */
