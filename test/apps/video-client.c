// SPDX-License-Identifier: GPL-2.0
/*
 * video-client — the viewer of video-server (paper §4.2.1, Figures 4-6).
 *
 * Reassembles frames from their datagrams (a frame counts only when every fragment arrived)
 * and reports, per stream:
 *   --fps-csv   frames completed per second in each interval (default 5 s, like the paper),
 *               and of those the decodable ones (video-quality.h: on time for playout, their
 *               references decodable), counted in the interval the frame completed in:
 *               interval_start_s,interval_end_s,stream,frames,fps,decodable_fps
 *   --gaps-csv  every inter-frame gap, the time between two consecutive completed frames:
 *               time_s,stream,frame,type,gap_ms,latency_ms
 * Times count from the capture time of the first frame received (the clocks are shared, see
 * eval-wire.h), so interval 0 is a full one even when the server starts a moment after the
 * client, and frame k of an undisturbed stream lands in interval k / (fps * interval);
 * --duration runs from there too, or from the client's start when nothing arrives.
 * The frames judged are those captured within --duration, each until its playout deadline:
 * after the duration the client listens one --playout-ms more (the drain) for the rest of
 * frames captured before its end, and ignores frames captured later. Without the drain a
 * frame captured in the last playout interval was judged before its deadline, and a large
 * one (an I-frame) whose datagrams were still arriving counted as lost. Frames completed in
 * the drain count in the summary and the gaps, not in --fps-csv's intervals. A summary
 * (frames, decodable, gap p50/p99/max) goes to stderr; --summary FILE also writes it as the
 * CSV rows of eval-summary.h.
 *
 * What the viewer can play is judged here, from the datagrams' headers alone: --playout-ms is
 * the viewer's buffer (a frame completing later than its capture plus that is useless), --gop
 * the sender's pattern (frame k has type gop[k % len]), --tolerance X/Y the loss the stream
 * accepts (window violations: fixed windows of Y frames with more than X not decodable).
 */
#include "eval-cli.h"
#include "eval-summary.h"
#include "eval-util.h"
#include "eval-wire.h"
#include "gap-stats.h"
#include "video-quality.h"

#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_STREAMS 16
#define FRAME_SLOTS 4096	/* frames in reassembly at once, per stream */
#define MAX_FRAGS 128		/* 128 * 1376 bytes: larger than any frame the server makes */
#define MAX_FPS 1000		/* video-server's --fps bound: frames per stream and second */

static const char *prog = "video-client";
static volatile sig_atomic_t stop_requested;

struct frame_slot {
	uint32_t frame;
	uint16_t nfrags, have;
	uint8_t done, used;
	uint64_t got[MAX_FRAGS / 64];
};

struct stream_state {
	int seen;
	struct frame_slot slots[FRAME_SLOTS];
	uint64_t last_done_ns;	/* 0: no frame completed yet */
	uint64_t *per_interval, *per_decodable;
	uint64_t frames, datagrams;
	/* By frame number (below max_frames): completed before its playout deadline, and when
	 * it completed (ns after start), for the decodable count per interval. */
	uint8_t *on_time;
	uint64_t *done_at;
	uint64_t frames_seen;	/* highest frame number seen, plus one */
	struct gap_stats gaps;
};

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: %s --listen [ADDRESS:]PORT [options]\n"
		"  --listen [A.B.C.D:]PORT  where to receive (any address by default)\n"
		"  --duration SEC           stop after SEC seconds (default 60)\n"
		"  --interval SEC           length of a reporting interval (default 5)\n"
		"  --fps-csv FILE           frames per second per interval (default: stdout)\n"
		"  --gaps-csv FILE          every inter-frame gap (default: not written)\n"
		"  --summary FILE           one CSV row per stream: frames, decodable, gaps, windows\n"
		"  --playout-ms MS          the viewer's buffer: a frame is useless later than its\n"
		"                           capture plus MS (default 200)\n"
		"  --gop PATTERN            the sender's frame types (default IBBPBBPBBPBB)\n"
		"  --tolerance X/Y          the stream may lose X frames of every Y (default: none)\n",
		prog);
}

static FILE *open_csv(const char *path)
{
	FILE *f;

	if (!path || !strcmp(path, "-"))
		return stdout;
	f = fopen(path, "w");
	if (!f)
		fprintf(stderr, "%s: cannot write %s: %s\n", prog, path, strerror(errno));
	return f;
}

/* The per-frame records of a stream, allocated when its first datagram arrives: 9 bytes per
 * frame of the run (0.5 MB for 60 s at the 1,000 fps bound); 0, or -1 after a message. */
static int stream_alloc(struct stream_state *st, uint64_t max_frames)
{
	st->on_time = calloc(max_frames + 1, 1);
	st->done_at = calloc(max_frames + 1, sizeof(*st->done_at));
	if (st->on_time && st->done_at)
		return 0;
	fprintf(stderr, "%s: out of memory\n", prog);
	return -1;
}

/* parse_tolerance: "X/Y" with 0 <= X < Y <= 1000; 0, or -1 when it is not that. */
static int parse_tolerance(const char *s, unsigned int *x, unsigned int *y)
{
	unsigned int a, b;
	int end = 0;

	if (sscanf(s, "%u/%u%n", &a, &b, &end) != 2 || s[end] || a >= b || b > 1000)
		return -1;
	*x = a;
	*y = b;
	return 0;
}

/* Records datagram h; returns 1 when it completes its frame. */
static int add_fragment(struct stream_state *st, const struct video_hdr *h)
{
	uint32_t frame = ntohl(h->frame);
	uint16_t frag = ntohs(h->frag), nfrags = ntohs(h->nfrags);
	struct frame_slot *s = &st->slots[frame % FRAME_SLOTS];

	if (!nfrags || nfrags > MAX_FRAGS || frag >= nfrags)
		return 0;
	if (!s->used || s->frame != frame) {
		/* A newer frame reuses the slot of one that never completed: that one is lost. */
		memset(s, 0, sizeof(*s));
		s->used = 1;
		s->frame = frame;
		s->nfrags = nfrags;
	}
	if (s->done || nfrags != s->nfrags || s->got[frag / 64] & (1ULL << (frag % 64)))
		return 0;
	s->got[frag / 64] |= 1ULL << (frag % 64);
	if (++s->have < s->nfrags)
		return 0;
	s->done = 1;
	return 1;
}

int main(int argc, char **argv)
{
	static struct stream_state streams[MAX_STREAMS];
	struct sockaddr_in addr;
	uint64_t duration = 60, interval = 5, nintervals, start, end, span, captured;
	uint64_t playout = 200 * NSEC_PER_MSEC, max_frames;
	const char *fps_path = NULL, *gaps_path = NULL, *summary_path = NULL, *tolerance = NULL;
	const char *gop = "IBBPBBPBBPBB";
	unsigned int tol_x = 0, tol_y = 0;
	const struct eval_opt opts[] = {
		EVAL_LISTEN_ON("listen", &addr),
		EVAL_U64("duration", &duration, 1, 86400),
		EVAL_U64("interval", &interval, 1, 3600),
		EVAL_STRING("fps-csv", &fps_path),
		EVAL_STRING("gaps-csv", &gaps_path),
		EVAL_STRING("summary", &summary_path),
		EVAL_U64_SCALED("playout-ms", &playout, 1, 60000, NSEC_PER_MSEC),
		EVAL_STRING("gop", &gop),
		EVAL_STRING("tolerance", &tolerance),
		EVAL_END,
	};
	int started = 0, fd, status;
	FILE *fps_csv, *gaps_csv = NULL, *summary_csv = NULL;
	unsigned char buf[65536];

	status = eval_parse_args(prog, argc, argv, opts, usage, NULL);
	if (status >= 0)
		return status;
	nintervals = duration / interval;
	if (!nintervals) {
		fprintf(stderr, "%s: --duration %llu is shorter than one --interval (%llu s)\n", prog,
			(unsigned long long)duration, (unsigned long long)interval);
		return 2;
	}
	if (!video_gop_valid(gop)) {
		fprintf(stderr, "%s: --gop: \"%s\" must start with I and hold only I, P, B\n", prog,
			gop);
		return 2;
	}
	if (tolerance && parse_tolerance(tolerance, &tol_x, &tol_y)) {
		fprintf(stderr, "%s: --tolerance: \"%s\" is not X/Y with 0 <= X < Y <= 1000\n", prog,
			tolerance);
		return 2;
	}
	max_frames = duration * MAX_FPS;

	fd = udp_listen(prog, &addr);
	if (fd < 0)
		return 1;
	fps_csv = open_csv(fps_path);
	if (!fps_csv)
		return 1;
	if (gaps_path) {
		gaps_csv = open_csv(gaps_path);
		if (!gaps_csv)
			return 1;
		fprintf(gaps_csv, "time_s,stream,frame,type,gap_ms,latency_ms\n");
	}
	for (int i = 0; i < MAX_STREAMS; i++) {
		streams[i].per_interval = calloc(nintervals, sizeof(uint64_t));
		streams[i].per_decodable = calloc(nintervals, sizeof(uint64_t));
		if (!streams[i].per_interval || !streams[i].per_decodable) {
			fprintf(stderr, "%s: out of memory\n", prog);
			return 1;
		}
	}
	if (summary_path) {
		summary_csv = open_csv(summary_path);
		if (!summary_csv)
			return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);

	span = nintervals * interval * NSEC_PER_SEC;
	start = now_ns();
	end = start + span;
	while (!stop_requested) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		uint64_t now = now_ns();
		const struct video_hdr *h = (const void *)buf;
		struct stream_state *st;
		uint32_t frame;
		ssize_t n;
		int wait_ms;

		if (now >= end + playout)
			break;
		wait_ms = (int)((end + playout - now) / NSEC_PER_MSEC) + 1;
		if (poll(&p, 1, wait_ms) < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "%s: poll: %s\n", prog, strerror(errno));
			return 1;
		}
		if (!(p.revents & POLLIN))
			continue;
		n = udp_recv_stamped(fd, buf, sizeof(buf), &now);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			fprintf(stderr, "%s: recv: %s\n", prog, strerror(errno));
			return 1;
		}
		if ((size_t)n < sizeof(*h) || ntohl(h->magic) != VIDEO_MAGIC ||
		    ntohs(h->stream) >= MAX_STREAMS)
			continue;
		captured = be64toh(h->sent_ns);
		/* only frames captured within the duration; in the drain, the rest of them */
		if (started ? captured >= end : now >= end)
			continue;
		if (!started) {
			started = 1;
			start = captured <= now && captured > start ? captured : now;
			end = start + span;
		}
		st = &streams[ntohs(h->stream)];
		if (!st->seen && stream_alloc(st, max_frames))
			return 1;
		st->seen = 1;
		st->datagrams++;
		frame = ntohl(h->frame);
		if (frame < max_frames && frame >= st->frames_seen)
			st->frames_seen = frame + 1;
		if (!add_fragment(st, h))
			continue;
		st->frames++;
		if (now < end)
			st->per_interval[(now - start) / (interval * NSEC_PER_SEC)]++;
		if (frame < max_frames) {
			st->on_time[frame] = now <= captured + playout;
			st->done_at[frame] = now - start;
		}
		if (st->last_done_ns) {
			double gap_ms = (double)(now - st->last_done_ns) / NSEC_PER_MSEC;

			if (gap_stats_add(&st->gaps, gap_ms)) {
				fprintf(stderr, "%s: out of memory\n", prog);
				return 1;
			}
			if (gaps_csv)
				fprintf(gaps_csv, "%.4f,%u,%u,%c,%.3f,%.3f\n",
					(double)(now - start) / NSEC_PER_SEC, ntohs(h->stream),
					ntohl(h->frame), h->type, gap_ms,
					((double)now - (double)captured) / NSEC_PER_MSEC);
		}
		st->last_done_ns = now;
	}

	fprintf(fps_csv, "interval_start_s,interval_end_s,stream,frames,fps,decodable_fps\n");
	if (summary_csv)
		fprintf(summary_csv, "%s\n", EVAL_SUMMARY_COLUMNS);
	for (int s = 0; s < MAX_STREAMS; s++) {
		struct stream_state *st = &streams[s];
		struct video_quality q;
		double secs = (double)span / NSEC_PER_SEC;
		uint8_t *decodable;

		if (!st->seen)
			continue;
		decodable = calloc(st->frames_seen + 1, 1);
		if (!decodable) {
			fprintf(stderr, "%s: out of memory\n", prog);
			return 1;
		}
		video_quality_eval(gop, st->on_time, decodable, st->frames_seen, tol_x, tol_y, &q);
		/* Decodable frames per interval, by when each completed. */
		memset(st->per_decodable, 0, nintervals * sizeof(uint64_t));
		for (uint64_t k = 0; k < st->frames_seen; k++)
			if (decodable[k] && st->done_at[k] < span)
				st->per_decodable[st->done_at[k] / (interval * NSEC_PER_SEC)]++;
		free(decodable);
		for (uint64_t i = 0; i < nintervals; i++)
			fprintf(fps_csv, "%llu,%llu,%d,%llu,%.2f,%.2f\n",
				(unsigned long long)(i * interval),
				(unsigned long long)((i + 1) * interval), s,
				(unsigned long long)st->per_interval[i],
				(double)st->per_interval[i] / (double)interval,
				(double)st->per_decodable[i] / (double)interval);
		fprintf(stderr,
			"%s: stream %d: %llu datagrams, %llu frames complete, gap p50 %.1f ms p99 %.1f ms max %.1f ms\n"
			"%s: stream %d: %llu frames generated, %llu on time for a %llu ms playout, %llu decodable (%.2f fps), I-frames %llu of %llu, window violations %llu of %llu\n",
			prog, s, (unsigned long long)st->datagrams, (unsigned long long)st->frames,
			gap_stats_quantile(&st->gaps, 0.50), gap_stats_quantile(&st->gaps, 0.99),
			gap_stats_quantile(&st->gaps, 1.0), prog, s, (unsigned long long)q.frames,
			(unsigned long long)q.on_time, (unsigned long long)(playout / NSEC_PER_MSEC),
			(unsigned long long)q.decodable, (double)q.decodable / secs,
			(unsigned long long)q.i_decodable, (unsigned long long)q.i_frames,
			(unsigned long long)q.window_violations, (unsigned long long)q.windows);
		if (summary_csv) {
			fprintf(summary_csv, "%d,video,%llu,%llu,%.2f,%.2f,%.1f,%.1f,%llu,%llu,", s,
				(unsigned long long)q.frames, (unsigned long long)q.decodable,
				(double)q.decodable / secs, (double)st->frames / secs,
				gap_stats_quantile(&st->gaps, 0.99), gap_stats_quantile(&st->gaps, 1.0),
				(unsigned long long)q.i_frames, (unsigned long long)q.i_decodable);
			if (tol_y)
				fprintf(summary_csv, "%u,%u,%llu,%llu", tol_x, tol_y,
					(unsigned long long)q.windows,
					(unsigned long long)q.window_violations);
			else
				fprintf(summary_csv, ",,,");
			fprintf(summary_csv, ",,,,\n");
		}
	}
	if (summary_csv && summary_csv != stdout && fclose(summary_csv)) {
		fprintf(stderr, "%s: writing %s: %s\n", prog, summary_path, strerror(errno));
		return 1;
	}
	if ((fps_csv != stdout && fclose(fps_csv)) || (gaps_csv && gaps_csv != stdout && fclose(gaps_csv))) {
		fprintf(stderr, "%s: writing the CSV files: %s\n", prog, strerror(errno));
		return 1;
	}
	fflush(stdout);
	close(fd);
	return 0;
}
