/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * notify_detect.h — what qnotify's sampler concludes from two samples of a stream's counters:
 * which events were raised and by how much the counters rose. Pure (no I/O, no clock), so the
 * unit tests drive it sample by sample; lib/notify.c does the sampling.
 */
#ifndef QSOCK_NOTIFY_DETECT_H
#define QSOCK_NOTIFY_DETECT_H

#include <stdbool.h>
#include <stdint.h>

#include "qsock.h"

/* The counters a sample reads (struct qos_info's, see qsock.h). */
struct qsock_notify_sample {
	uint64_t sent_pkts;
	uint64_t drops;
	uint64_t drop_late;
	uint64_t violations;
	uint32_t backlog_pkts;
};

struct qsock_notify_track {
	struct qsock_notify_sample prev;
	bool primed;		/* prev holds a sample */
	bool above;		/* the backlog was above the threshold at the last sample */
};

/*
 * Take sample @cur of a stream watched for @mask (QNOTIFY_*) with backlog threshold @backlog:
 * add the counters' increments since the previous sample, the backlog and the sample to
 * @acc, and return the events raised (a subset of @mask, or QNOTIFY_GONE). The first sample
 * is the baseline: it raises nothing but QNOTIFY_BACKLOG. A counter that went backwards
 * means the class was deleted and another made with its number between two samples: that is
 * QNOTIFY_GONE, and @acc is left alone.
 */
uint32_t qsock_notify_step(struct qsock_notify_track *t, const struct qsock_notify_sample *cur,
			   uint32_t mask, uint32_t backlog, struct qnotify_event *acc);

#endif /* QSOCK_NOTIFY_DETECT_H */
