// SPDX-License-Identifier: LGPL-2.1-or-later
/* linger.c — wait for a removed stream's queue to drain before its class goes (linger.h). */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "errors.h"
#include "linger.h"

#define NSEC_PER_MSEC 1000000LL

static _Atomic uint64_t dropped;

unsigned int qsock_linger_ms(void)
{
	static _Atomic int cached = -1;
	int v = atomic_load_explicit(&cached, memory_order_relaxed);

	if (v < 0) {
		const char *s = getenv("QSOCK_LINGER_MS");
		char *end;
		unsigned long n;

		v = (int)QSOCK_LINGER_DEFAULT_MS;
		if (s && *s) {
			n = strtoul(s, &end, 10);
			if (!*end && n <= QSOCK_LINGER_MAX_MS)
				v = (int)n;
		}
		atomic_store_explicit(&cached, v, memory_order_relaxed);
	}
	return (unsigned int)v;
}

static long long mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

uint32_t qsock_linger_drain(struct qsock_nl *nl, const struct qsock_sched_ops *ops,
			    const struct qsock_class_ref *ref, unsigned int bound_ms)
{
	const struct timespec tick = { 0, NSEC_PER_MSEC };
	long long until = mono_ns() + (long long)bound_ms * NSEC_PER_MSEC;
	uint32_t left = 0;

	if (!ops || !ops->stream_stats)
		return 0;
	for (;;) {
		struct qsock_err ignored = { "" };
		struct qos_info info;

		memset(&info, 0, sizeof(info));
		if (ops->stream_stats(nl, ref, &info, &ignored) ||
		    !(info.valid & QSOCK_INFO_SCHED) || !info.backlog_pkts)
			return 0;
		left = info.backlog_pkts;
		if (mono_ns() >= until)
			break;
		nanosleep(&tick, NULL);
	}
	atomic_fetch_add_explicit(&dropped, left, memory_order_relaxed);
	return left;
}

uint64_t qsock_linger_dropped(void)
{
	return atomic_load_explicit(&dropped, memory_order_relaxed);
}
