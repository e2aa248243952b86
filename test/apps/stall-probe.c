// SPDX-License-Identifier: GPL-2.0
/*
 * stall-probe — how long the CPU leaves a real-time process unscheduled, measured next to an
 * evaluation run. It sleeps in 10 ms steps to absolute times and records how late each wake-up
 * is. On a quiet machine the worst is a few milliseconds; when the test VM (an emulated CPU on
 * a shared host) stalls for hundreds, every timing the run measured is the machine's, not the
 * scheduler's, and the evaluation tests say so instead of judging the claim.
 *
 *   stall-probe --duration SEC     prints: max_ms=M p99_ms=P over_50ms=N wakeups=W
 */
#include "eval-cli.h"
#include "eval-util.h"
#include "gap-stats.h"

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
	fprintf(f, "usage: %s [--duration SEC]\n", prog);
}

int main(int argc, char **argv)
{
	const uint64_t step = 10 * NSEC_PER_MSEC;
	struct gap_stats late = { 0 };
	uint64_t duration = 60, start, t, over = 0;
	const struct eval_opt opts[] = {
		EVAL_U64("duration", &duration, 1, 86400),
		EVAL_END,
	};
	int status = eval_parse_args(prog, argc, argv, opts, usage, NULL);

	if (status >= 0)
		return status;
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
		if (gap_stats_add(&late, ms)) {
			fprintf(stderr, "%s: out of memory\n", prog);
			return 1;
		}
		/* After a stall, do not replay the missed steps in a burst. */
		if (now > t + step)
			t = now - (now - start) % step;
	}
	printf("max_ms=%.1f p99_ms=%.1f over_50ms=%llu wakeups=%zu\n", gap_stats_quantile(&late, 1.0),
	       gap_stats_quantile(&late, 0.99), (unsigned long long)over, late.n);
	return 0;
}
