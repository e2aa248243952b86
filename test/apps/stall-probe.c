// SPDX-License-Identifier: GPL-2.0
/*
 * stall-probe — how long the CPU leaves a real-time process unscheduled, measured next to an
 * evaluation run. It sleeps in 10 ms steps to absolute times and records how late each wake-up
 * is. On a quiet machine the worst is a few milliseconds; when the test VM (an emulated CPU on
 * a shared host) stalls for hundreds, every timing the run measured is the machine's, not the
 * scheduler's, and the evaluation tests say so instead of judging the claim.
 *
 *   stall-probe --duration SEC [--events FILE [--event-ms MS]]
 *       prints: max_ms=M p99_ms=P over_50ms=N wakeups=W
 *       --events FILE: every wake-up later than --event-ms (default 5) as a CSV row
 *       "at_ns,late_ms": the stall spans [at_ns, at_ns + late_ms] on CLOCK_MONOTONIC, the
 *       clock of the evaluation apps' capture and receive stamps, so that a late frame can be
 *       matched with the stalls during its life (test/scenarios/lib.sh, scen_stall_overlap).
 */
#include "eval-cli.h"
#include "eval-util.h"
#include "gap-stats.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

static const char *prog = "stall-probe";
static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: %s [--duration SEC] [--events FILE [--event-ms MS]]\n", prog);
}

int main(int argc, char **argv)
{
	const uint64_t step = 10 * NSEC_PER_MSEC;
	struct gap_stats late = { 0 };
	uint64_t duration = 60, event_ms = 5, start, t, over = 0;
	const char *events_path = NULL;
	FILE *events = NULL;
	const struct eval_opt opts[] = {
		EVAL_U64("duration", &duration, 1, 86400),
		EVAL_STRING("events", &events_path),
		EVAL_U64("event-ms", &event_ms, 1, 60000),
		EVAL_END,
	};
	int status = eval_parse_args(prog, argc, argv, opts, usage, NULL);

	if (status >= 0)
		return status;
	if (events_path) {
		events = fopen(events_path, "w");
		if (!events) {
			fprintf(stderr, "%s: --events %s: %s\n", prog, events_path, strerror(errno));
			return 1;
		}
		fprintf(events, "at_ns,late_ms\n");
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	start = now_ns();
	for (t = start + step; !stop_requested && t < start + duration * NSEC_PER_SEC; t += step) {
		uint64_t now;
		double ms;

		sleep_until_ns(t);
		now = now_ns();
		ms = (double)(now - t) / NSEC_PER_MSEC;
		if (ms > 50)
			over++;
		if (events && ms > (double)event_ms)
			fprintf(events, "%llu,%.3f\n", (unsigned long long)t, ms);
		if (gap_stats_add(&late, ms)) {
			fprintf(stderr, "%s: out of memory\n", prog);
			return 1;
		}
		/* After a stall, do not replay the missed steps in a burst. */
		if (now > t + step)
			t = now - (now - start) % step;
	}
	if (events && fclose(events)) {
		fprintf(stderr, "%s: --events %s: %s\n", prog, events_path, strerror(errno));
		return 1;
	}
	printf("max_ms=%.1f p99_ms=%.1f over_50ms=%llu wakeups=%zu\n", gap_stats_quantile(&late, 1.0),
	       gap_stats_quantile(&late, 0.99), (unsigned long long)over, late.n);
	return 0;
}
