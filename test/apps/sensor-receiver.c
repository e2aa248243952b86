// SPDX-License-Identifier: GPL-2.0
/*
 * sensor-receiver — the remote data acquisition client (paper §4.2.2, Figure 7).
 *
 * Counts, per interval (default 5 s, from the receiver's start):
 *   on_time  readings that arrived by their deadline (the useful ones)
 *   late     readings that arrived after their deadline (useless, but they cost bandwidth)
 *   lost     readings that never arrived: sequence numbers skipped, counted in the interval
 *            in which a later reading revealed the hole, and taken back if the reading
 *            arrives after all (EDF lets a reading with an earlier deadline overtake it)
 * CSV: interval_start_s,interval_end_s,on_time,late,lost. Totals go to stderr.
 */
#include "eval-cli.h"
#include "eval-summary.h"
#include "eval-util.h"
#include "gap-stats.h"
#include "eval-wire.h"

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

static const char *prog = "sensor-receiver";
static volatile sig_atomic_t stop_requested;

/* How far back a reading that arrives out of order is still recognised as one counted lost. */
#define REORDER_WINDOW 65536

/* hole_at[seq % REORDER_WINDOW]: 1 + the interval in which the missing seq was counted lost,
 * 0 when seq is not missing. 256 KiB, static: a receiver of one stream. */
static uint32_t hole_at[REORDER_WINDOW];

struct interval_counts {
	uint64_t on_time, late, lost;
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
		"  --listen [A.B.C.D:]PORT  where to receive\n"
		"  --duration SEC           stop after SEC seconds (default 60)\n"
		"  --interval SEC           reporting interval (default 5)\n"
		"  --csv FILE               per-interval counts (default: stdout)\n"
		"  --summary FILE           the totals as a CSV row of eval-summary.h\n"
		"  --kind NAME              the row's kind: sensor (default) or audio\n",
		prog);
}

int main(int argc, char **argv)
{
	struct sockaddr_in addr;
	uint64_t duration = 60, interval = 5, nintervals, start, end;
	uint64_t next_seq = 0, total_on_time = 0, total_late = 0, total_lost = 0, reordered = 0;
	const char *csv_path = NULL, *summary_path = NULL, *kind = "sensor";
	const struct eval_opt opts[] = {
		EVAL_LISTEN_ON("listen", &addr),
		EVAL_U64("duration", &duration, 1, 86400),
		EVAL_U64("interval", &interval, 1, 3600),
		EVAL_STRING("csv", &csv_path),
		EVAL_STRING("summary", &summary_path),
		EVAL_STRING("kind", &kind),
		EVAL_END,
	};
	struct interval_counts *counts;
	struct gap_stats delay = { 0 };	/* ms from when a reading was taken to its arrival */
	FILE *csv = stdout;
	unsigned char buf[65536];
	int fd, status;

	status = eval_parse_args(prog, argc, argv, opts, usage, NULL);
	if (status >= 0)
		return status;
	if (strcmp(kind, "sensor") && strcmp(kind, "audio")) {
		fprintf(stderr, "%s: --kind: \"%s\" is neither sensor nor audio\n", prog, kind);
		return 2;
	}
	nintervals = duration / interval;
	if (!nintervals) {
		fprintf(stderr, "%s: --duration %llu is shorter than one --interval (%llu s)\n", prog,
			(unsigned long long)duration, (unsigned long long)interval);
		return 2;
	}
	counts = calloc(nintervals, sizeof(*counts));
	if (!counts) {
		fprintf(stderr, "%s: out of memory\n", prog);
		return 1;
	}
	fd = udp_listen(prog, &addr);
	if (fd < 0)
		return 1;
	if (csv_path && strcmp(csv_path, "-")) {
		csv = fopen(csv_path, "w");
		if (!csv) {
			fprintf(stderr, "%s: cannot write %s: %s\n", prog, csv_path, strerror(errno));
			return 1;
		}
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);

	start = now_ns();
	end = start + nintervals * interval * NSEC_PER_SEC;
	while (!stop_requested) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		const struct sensor_hdr *h = (const void *)buf;
		uint64_t now = now_ns(), seq;
		struct interval_counts *ic;
		ssize_t n;

		if (now >= end)
			break;
		if (poll(&p, 1, (int)((end - now) / NSEC_PER_MSEC) + 1) < 0) {
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
		if ((size_t)n < sizeof(*h) || ntohl(h->magic) != SENSOR_MAGIC || now >= end)
			continue;
		ic = &counts[(now - start) / (interval * NSEC_PER_SEC)];
		seq = ntohl(h->seq);
		if (seq < next_seq) {
			/* EDF sends a later reading with an earlier deadline first: the one
			 * overtaken arrives after its successor and was counted lost when its hole
			 * showed. It is found again, and judged by its own deadline. */
			if (next_seq - seq > REORDER_WINDOW || !hole_at[seq % REORDER_WINDOW])
				continue; /* a duplicate, or older than the window */
			counts[hole_at[seq % REORDER_WINDOW] - 1].lost--;
			total_lost--;
			hole_at[seq % REORDER_WINDOW] = 0;
			reordered++;
		} else {
			for (uint64_t s = seq - next_seq > REORDER_WINDOW ? seq - REORDER_WINDOW : next_seq;
			     s < seq; s++)
				hole_at[s % REORDER_WINDOW] = (uint32_t)(ic - counts) + 1;
			hole_at[seq % REORDER_WINDOW] = 0;
			ic->lost += seq - next_seq;
			total_lost += seq - next_seq;
			next_seq = seq + 1;
		}
		if (now >= be64toh(h->sent_ns) &&
		    gap_stats_add(&delay, (double)(now - be64toh(h->sent_ns)) / NSEC_PER_MSEC)) {
			fprintf(stderr, "%s: out of memory\n", prog);
			return 1;
		}
		if (now > be64toh(h->deadline_ns)) {
			ic->late++;
			total_late++;
		} else {
			ic->on_time++;
			total_on_time++;
		}
	}
	fprintf(csv, "interval_start_s,interval_end_s,on_time,late,lost\n");
	for (uint64_t i = 0; i < nintervals; i++)
		fprintf(csv, "%llu,%llu,%llu,%llu,%llu\n", (unsigned long long)(i * interval),
			(unsigned long long)((i + 1) * interval), (unsigned long long)counts[i].on_time,
			(unsigned long long)counts[i].late, (unsigned long long)counts[i].lost);
	fprintf(stderr, "%s: %llu on time, %llu late, %llu lost, %llu reordered; delay from taken to arrival p50 %.1f ms, p99 %.1f ms, max %.1f ms\n",
		prog, (unsigned long long)total_on_time, (unsigned long long)total_late,
		(unsigned long long)total_lost, (unsigned long long)reordered,
		gap_stats_quantile(&delay, 0.5), gap_stats_quantile(&delay, 0.99),
		gap_stats_quantile(&delay, 1.0));
	if (csv != stdout && fclose(csv)) {
		fprintf(stderr, "%s: writing %s: %s\n", prog, csv_path, strerror(errno));
		return 1;
	}
	if (summary_path) {
		FILE *f = fopen(summary_path, "w");

		if (!f || fprintf(f, "%s\n0,%s,,,,,,,,,,,,,%llu,%llu,%llu,%llu\n", EVAL_SUMMARY_COLUMNS,
				  kind, (unsigned long long)(total_on_time + total_late + total_lost),
				  (unsigned long long)total_on_time, (unsigned long long)total_late,
				  (unsigned long long)total_lost) < 0 ||
		    fclose(f)) {
			fprintf(stderr, "%s: writing %s: %s\n", prog, summary_path, strerror(errno));
			return 1;
		}
	}
	close(fd);
	free(counts);
	free(delay.v);
	return 0;
}
