// SPDX-License-Identifier: GPL-2.0
/*
 * dwcs_replay.c — scenario B of the comparison (test/scenarios/overload.sh, issue #13) without
 * the VM: the frames its senders produced (video-server --frames-csv) go through the real
 * scheduling core (kmod/dwcs_core.c, by the unit tests' harness) on a simulated 10 Mbit/s link,
 * and the viewers' verdict is computed as video-client computes it (test/apps/video-quality.c).
 *
 * Why: B's last miss (docs/evaluation.md, B) is an I-frame a millisecond or so past the
 * playout buffer in about one feasible run in twenty, at collisions of the four streams'
 * I-frames. In the VM each run takes a minute and the guest's timing moves every run; here a
 * run takes milliseconds and is deterministic, so a change of the core can be judged on
 * thousands of alignments of the same frames (--trials: each stream's captures shifted by a
 * random part of its frame period, which is what moves from one VM run to the next), each
 * with the same clairvoyant oracle as overload.sh's (test/apps/frame-oracle.c: the one
 * definition of a feasible run).
 *
 * What is modelled, and what not:
 *   - sch_dwcs as overload.sh configures it: one class per stream (ipg one frame period, x/y
 *     the stream's tolerance, edf, lossy), table A, not work-conserving, the root shaper at
 *     --rate; video-server's datagrams (1400 bytes with its header, plus 42 of UDP, IP and
 *     Ethernet), marked as video-qsock.c marks them (frame start and end, I- and P-frames
 *     non-droppable), a frame's datagrams enqueued --send-gap-us apart from its capture on.
 *   - bulk TCP as an endless best-effort backlog of 1514-byte packets from --bulk-from-ms: it
 *     takes the link only when no stream is selectable (dwcs_dequeue()), and a packet of it
 *     on the link delays the next stream packet.
 *   - not: the VM's stalls, timer slack, the receivers' own latency (--rx-us adds a constant).
 *
 * Usage: dwcs_replay [options] FRAMES-0.csv FRAMES-1.csv ...   (one file per stream, in order)
 *   --tolerances "X/Y ..."   one per stream (default "10/16 11/16 9/16 12/16", overload.sh's)
 *   --gop GOP                (IBBBPBBBPBBBPBBB)
 *   --deadline-ms N          protected (I, P) frames' deadline after capture (150)
 *   --droppable-deadline-ms N  B-frames' (80)
 *   --playout-ms N           the viewers' buffer (200)
 *   --rate BYTES/S           the shaped link (1250000: 10 Mbit/s)
 *   --pace PERCENT           a frame's datagrams spread over this much of its period, as
 *                            scen_video_server paces them (80, SCEN_VIDEO_PACE; 0: none)
 *   --send-gap-us N          between a frame's datagrams without pacing (20)
 *   --bulk-from-ms N         bulk TCP from this long after the first capture (2000; -1: none)
 *   --rx-us N                added to every arrival (0)
 *   --trials N [--seed S] [--spread F]  N alignments instead of the files' own (0): each
 *                            stream's captures later by a random part of F frame periods (1)
 *   --margin-ms N            also count the alignments where the oracle has N ms to spare (5)
 *   --verbose                every protected frame that missed
 *   --trace TRIAL:FROM:TO    the link's schedule in that (feasible) trial, FROM to TO ms after
 *                            the first capture
 * Prints, per alignment the oracle finds feasible (protected frames and windows), whether the
 * core kept every I-frame and every window, then a summary line.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define H_QCAP 1024u	/* a collision's frames fit (a stream's I-frame is 53 datagrams) */
#include "../unit/dwcs_harness.h"
#include "../apps/eval-wire.h"
#include "../apps/frame-oracle.h"
#include "../apps/video-quality.h"

#define MAX_STREAMS	8
#define VIDEO_HDR	((u32)sizeof(struct video_hdr))
#define BULK_LEN	1514u
#define MSEC		1000000ULL
#define PROTECTED	"IP"

/* What the replay adds to a frame of the trace: its datagrams and their fate. */
struct frame_run {
	u32 nfrags;
	u32 sent;		/* datagrams that left */
	u64 done;		/* when its last datagram left */
};

struct opts {
	const char *gop;
	u64 deadline, droppable_deadline, playout, rate, send_gap, rx, margin;
	unsigned int pace;	/* percent of the frame period a frame's datagrams spread over */
	s64 bulk_from;
	unsigned int trials, seed, spread;
	int verbose;
	s64 trace_from, trace_to;	/* ms after the first capture: print the link's schedule */
	unsigned int trace_trial;
};

/* One datagram in flight through the harness: which frame it belongs to. */
struct pkt_ref {
	u32 frame;
	u32 frag;
};

/* The streams' frames as the senders produced them (and the oracle's schedule of them). */
static struct oracle_stream st[MAX_STREAMS];
static struct frame_run *run[MAX_STREAMS];	/* [st[i].n] */
static unsigned int nst;

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "dwcs_replay: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

/* A frame's datagrams, from its bytes on the link (video-server's split of a frame into
 * datagrams of EVAL_MAX_DATAGRAM bytes with their video header). */
static u32 frame_frags(u32 wire, const char *path)
{
	u32 n;

	for (n = 1; n * (VIDEO_HDR + VIDEO_WIRE_HEADERS) < wire; n++) {
		u32 size = wire - n * (VIDEO_HDR + VIDEO_WIRE_HEADERS);

		if ((size + EVAL_MAX_DATAGRAM - VIDEO_HDR - 1) / (EVAL_MAX_DATAGRAM - VIDEO_HDR) == n)
			return n;
	}
	die("%s: a frame's wire_bytes fit no datagram count", path);
}

static u32 frag_len(const struct oracle_frame *f, const struct frame_run *r, u32 frag)
{
	return frag + 1 < r->nfrags ? EVAL_MAX_DATAGRAM + VIDEO_WIRE_HEADERS :
	       f->wire - (r->nfrags - 1) * (EVAL_MAX_DATAGRAM + VIDEO_WIRE_HEADERS);
}

/*
 * Stream @i from @path: frame-oracle's reading of it, each frame's datagrams, and every
 * capture at its nominal instant (the first plus k periods): the replay's senders keep time
 * exactly, and only the alignment (st[i].phase) moves from one trial to the next.
 */
static void load(unsigned int i, const char *path, const char *gop)
{
	struct oracle_stream *s = &st[i];
	char err[512];
	size_t k;

	if (frame_oracle_load(s, path, gop, err, sizeof(err)))
		die("%s", err);
	run[i] = calloc(s->n, sizeof(*run[i]));
	if (!run[i])
		die("%s: out of memory", path);
	for (k = 0; k < s->n; k++) {
		s->f[k].capture = s->f[0].capture + k * s->period;
		run[i][k].nfrags = s->f[k].wire ? frame_frags(s->f[k].wire, path) : 0;
	}
}

/* The first capture of all streams: the origin of --trace and of --verbose's times. */
static u64 first_capture(void)
{
	u64 t0 = U64_MAX;
	unsigned int i;

	for (i = 0; i < nst; i++)
		if (oracle_capture(&st[i], 0) < t0)
			t0 = oracle_capture(&st[i], 0);
	return t0;
}

/* The frames overload.sh's senders mark non-droppable (video-server --protect IP). */
static bool is_protected(char type)
{
	return frame_oracle_protects(PROTECTED, type);
}

/* ---------------------------------------------------------------- the link */

struct arrival {
	u64 at;
	u32 stream, frame, frag;
};

static int arrival_cmp(const void *a, const void *b)
{
	const struct arrival *x = a, *y = b;

	if (x->at != y->at)
		return x->at < y->at ? -1 : 1;
	return x->stream < y->stream ? -1 : x->stream > y->stream;
}

/*
 * When datagram @f of frame @k is enqueued, after the frame's capture: video-server's
 * paced_offset() (evenly over pace % of the frame period, the last one, and a frame's only one,
 * at the end), or --send-gap-us apart without pacing.
 */
static u64 send_offset(const struct opts *o, unsigned int i, size_t k, u32 f)
{
	if (!o->pace)
		return f * o->send_gap;
	return video_paced_offset(st[i].period * o->pace / 100, f, run[i][k].nfrags);
}

/* --trace: whether the link's use at @t is printed (trace_from == trace_to: never). */
static bool tracing(const struct opts *o, u64 t, u64 t0)
{
	return o->trace_to > o->trace_from && t >= t0 + o->trace_from * MSEC &&
	       t < t0 + o->trace_to * MSEC;
}

/* The core's verdict on every frame: sent datagrams and when the last one left. */
static void replay(const struct opts *o, bool trace)
{
	struct h_sched *h = h_new(nst);
	struct pkt_ref (*ref)[H_QCAP] = calloc(nst, sizeof(*ref));
	struct arrival *arr;
	size_t narr = 0, a = 0, i, k;
	u64 t0 = first_capture(), t, bulk_at;

	if (!ref)
		die("out of memory");
	dwcs_sched_set_mode(&h->sched, DWCS_ORDER_DEADLINE_FIRST, false);
	for (i = 0; i < nst; i++) {
		h_add(h, (u32)i, st[i].period, st[i].x, st[i].y, DWCS_CLASS_F_EDF);
		for (k = 0; k < st[i].n; k++) {
			narr += run[i][k].nfrags;
			run[i][k].sent = 0;
			run[i][k].done = 0;
		}
	}
	arr = malloc(narr * sizeof(*arr));
	if (!arr)
		die("out of memory");
	narr = 0;
	for (i = 0; i < nst; i++)
		for (k = 0; k < st[i].n; k++)
			for (u32 f = 0; f < run[i][k].nfrags; f++)
				arr[narr++] = (struct arrival){ oracle_capture(&st[i], k) +
								send_offset(o, (unsigned int)i, k, f),
								(u32)i, (u32)k, f };
	qsort(arr, narr, sizeof(*arr), arrival_cmp);
	bulk_at = o->bulk_from < 0 ? U64_MAX : t0 + (u64)o->bulk_from * MSEC;
	t = t0;
	for (;;) {
		u64 next = U64_MAX;
		struct dwcs_pkt out;
		int who;

		for (; a < narr && arr[a].at <= t; a++) {
			const struct arrival *p = &arr[a];
			const struct oracle_frame *f = &st[p->stream].f[p->frame];
			struct h_stream *hs = &h->st[p->stream];
			u8 mark = 0;
			u64 deadline = oracle_capture(&st[p->stream], p->frame) +
				       (is_protected(f->type) ? o->deadline : o->droppable_deadline);

			if (is_protected(f->type))
				mark |= DWCS_MARK_NONDROPPABLE;
			if (p->frag == 0)
				mark |= DWCS_MARK_FRAME_START;
			if (p->frag + 1 == run[p->stream][p->frame].nfrags)
				mark |= DWCS_MARK_FRAME_END;
			ref[p->stream][hs->tail % H_QCAP] = (struct pkt_ref){ p->frame, p->frag };
			h_send(h, p->stream, t, deadline, mark);
		}
		who = h_step(h, t, &next, &out);
		if (who >= 0) {
			struct h_stream *hs = &h->st[who];
			const struct pkt_ref *r = &ref[who][(hs->head - 1) % H_QCAP];
			const struct oracle_frame *f = &st[who].f[r->frame];
			struct frame_run *fr = &run[who][r->frame];

			if (trace && tracing(o, t, t0))
				printf("    %10.3f ms  stream %d frame %u %c %u/%u  deadline +%.1f\n",
				       (double)(t - t0) / MSEC, who, r->frame, f->type, r->frag + 1,
				       fr->nfrags, (double)((s64)out.deadline - (s64)t) / MSEC);
			t += frag_len(f, fr, r->frag) * 1000000000ULL / o->rate;
			fr->sent++;
			fr->done = t + o->rx;
			continue;
		}
		if (a == narr && next == U64_MAX)
			break;	/* every queue empty, nothing more to come */
		if (t >= bulk_at) {
			if (trace && tracing(o, t, t0))
				printf("    %10.3f ms  bulk\n", (double)(t - t0) / MSEC);
			t += BULK_LEN * 1000000000ULL / o->rate;
			continue;
		}
		if (a < narr && arr[a].at < next)
			next = arr[a].at;
		if (next > bulk_at && t < bulk_at)
			next = bulk_at;
		t = next > t ? next : t + 1;
	}
	free(arr);
	free(ref);
	h_free(h);
}

/* ---------------------------------------------------------------- the viewers */

/* A protected frame the viewer did not get in time: when it came, and when the oracle had it. */
static void print_miss(size_t i, size_t k, u64 t0)
{
	const struct oracle_frame *f = &st[i].f[k];
	const struct frame_run *fr = &run[i][k];
	u64 c = oracle_capture(&st[i], k);

	printf("  stream %zu frame %zu %c (captured at %.3f ms", i, k, f->type,
	       (double)(c - t0) / MSEC);
	if (f->done)
		printf(", the oracle's done at +%.2f", (double)(f->done - c) / MSEC);
	if (!fr->nfrags)
		printf("): skipped by the sender\n");
	else if (fr->sent < fr->nfrags)
		printf("): %u of %u datagrams sent\n", fr->sent, fr->nfrags);
	else
		printf("): complete %.2f ms after its capture\n", (double)(fr->done - c) / MSEC);
}

struct verdict {
	u64 i_frames, i_ok, windows_over, decodable, prot_late;
};

static struct verdict judge(const struct opts *o, bool print)
{
	struct verdict v = { 0 };
	u64 t0 = first_capture();
	size_t i, k;

	for (i = 0; i < nst; i++) {
		const struct oracle_stream *s = &st[i];
		u8 *on_time = calloc(s->n, 1), *dec = calloc(s->n, 1);
		struct video_quality q;

		if (!on_time || !dec)
			die("out of memory");
		for (k = 0; k < s->n; k++) {
			const struct frame_run *fr = &run[i][k];

			on_time[k] = fr->nfrags && fr->sent == fr->nfrags &&
				     fr->done <= oracle_capture(s, k) + o->playout;
			if (is_protected(s->f[k].type) && !on_time[k]) {
				v.prot_late++;
				if (print)
					print_miss(i, k, t0);
			}
		}
		video_quality_eval(o->gop, on_time, dec, s->n, s->x, s->y, &q);
		v.i_frames += q.i_frames;
		v.i_ok += q.i_decodable;
		v.windows_over += q.window_violations;
		v.decodable += q.decodable;
		free(on_time);
		free(dec);
	}
	return v;
}

/* ---------------------------------------------------------------- main */

static u64 xorshift(u64 *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "tolerances", required_argument, NULL, 'T' },
		{ "gop", required_argument, NULL, 'g' },
		{ "deadline-ms", required_argument, NULL, 'd' },
		{ "droppable-deadline-ms", required_argument, NULL, 'D' },
		{ "playout-ms", required_argument, NULL, 'p' },
		{ "rate", required_argument, NULL, 'r' },
		{ "send-gap-us", required_argument, NULL, 's' },
		{ "bulk-from-ms", required_argument, NULL, 'b' },
		{ "rx-us", required_argument, NULL, 'x' },
		{ "trials", required_argument, NULL, 'n' },
		{ "seed", required_argument, NULL, 'S' },
		{ "spread", required_argument, NULL, 'P' },
		{ "margin-ms", required_argument, NULL, 'm' },
		{ "pace", required_argument, NULL, 'a' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "trace", required_argument, NULL, 't' },
		{ 0 }
	};
	struct opts o = { .gop = "IBBBPBBBPBBBPBBB", .deadline = 150 * MSEC,
			  .droppable_deadline = 80 * MSEC, .playout = 200 * MSEC, .rate = 1250000,
			  .send_gap = 20000, .bulk_from = 2000, .seed = 1, .spread = 1,
			  .margin = 5 * MSEC, .pace = 80 };
	const char *tolerances = "10/16 11/16 9/16 12/16";
	unsigned int feasible = 0, kept = 0, trial, i, roomy = 0, roomy_kept = 0;
	double fps_sum = 0, fps_min = 1e9;
	char err[512];
	u64 rng;
	int c;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		char *end;
		unsigned long long v = optarg ? strtoull(optarg, &end, 10) : 0;

		if (optarg && c != 'T' && c != 'g' && c != 'b' && c != 't' && (*end || end == optarg))
			die("an option wants a number, not \"%s\"", optarg);
		switch (c) {
		case 'T': tolerances = optarg; break;
		case 'g': o.gop = optarg; break;
		case 'd': o.deadline = v * MSEC; break;
		case 'D': o.droppable_deadline = v * MSEC; break;
		case 'p': o.playout = v * MSEC; break;
		case 'r': o.rate = v; break;
		case 's': o.send_gap = v * 1000; break;
		case 'b': o.bulk_from = strtoll(optarg, NULL, 10); break;
		case 'x': o.rx = v * 1000; break;
		case 'n': o.trials = (unsigned int)v; break;
		case 'S': o.seed = (unsigned int)v; break;
		case 'P': o.spread = (unsigned int)v; break;
		case 'm': o.margin = v * MSEC; break;
		case 'a': o.pace = (unsigned int)v; break;
		case 'v': o.verbose = 1; break;
		case 't':
			if (sscanf(optarg, "%u:%" SCNd64 ":%" SCNd64, &o.trace_trial,
				   &o.trace_from, &o.trace_to) != 3)
				die("--trace \"%s\": give TRIAL:FROM_MS:TO_MS", optarg);
			break;
		default: return 2;
		}
	}
	if (!video_gop_valid(o.gop))
		die("--gop \"%s\": starts with I, holds only I, P and B", o.gop);
	if (!o.rate)
		die("--rate must be above 0");
	nst = (unsigned int)(argc - optind);
	if (!nst || nst > MAX_STREAMS)
		die("give one --frames-csv file per stream (1 to 8)");
	for (i = 0; i < nst; i++)
		load(i, argv[optind + i], o.gop);
	if (frame_oracle_tolerances(st, nst, tolerances, err, sizeof(err)))
		die("%s", err);
	rng = 0x9e3779b97f4a7c15ULL ^ o.seed;
	for (trial = 0; trial < (o.trials ? o.trials : 1); trial++) {
		struct oracle_verdict ov;
		struct verdict v;
		s64 slack;

		for (i = 0; i < nst; i++)
			st[i].phase = o.trials ? xorshift(&rng) % (o.spread * st[i].period) : 0;
		/* an alignment the oracle cannot meet says nothing of the core: not replayed */
		if (frame_oracle(st, nst, PROTECTED, o.rate, o.playout, &ov))
			die("out of memory");
		if (ov.protected_late || ov.b_late)
			continue;
		slack = ov.slack;
		replay(&o, trial == o.trace_trial);
		v = judge(&o, false);
		feasible++;
		roomy += slack >= (s64)o.margin;
		{
			double secs = (double)(st[0].n * st[0].period) / 1e9,
			       fps = (double)v.decodable / secs;

			fps_sum += fps;
			if (fps < fps_min)
				fps_min = fps;
		}
		if (v.i_ok == v.i_frames && !v.windows_over) {
			kept++;
			roomy_kept += slack >= (s64)o.margin;
			continue;
		}
		printf("trial %u: I-frames %llu of %llu, windows over %llu, protected frames late %llu; "
		       "the oracle's slack %.2f ms\n", trial, (unsigned long long)v.i_ok,
		       (unsigned long long)v.i_frames, (unsigned long long)v.windows_over,
		       (unsigned long long)v.prot_late, (double)slack / MSEC);
		if (o.verbose)
			judge(&o, true);
	}
	printf("feasible alignments %u of %u; every I-frame and window kept in %u, missed in %u; "
	       "decodable fps mean %.2f, lowest %.2f\n", feasible, o.trials ? o.trials : 1, kept,
	       feasible - kept, feasible ? fps_sum / feasible : 0, feasible ? fps_min : 0);
	printf("with the oracle's slack %.1f ms or more: %u, kept in %u, missed in %u\n",
	       (double)o.margin / MSEC, roomy, roomy_kept, roomy - roomy_kept);
	return 0;
}
