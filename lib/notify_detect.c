// SPDX-License-Identifier: LGPL-2.1-or-later
/* notify_detect.c — events from two samples of a stream's counters (notify_detect.h). */
#include "notify_detect.h"

uint32_t qsock_notify_step(struct qsock_notify_track *t, const struct qsock_notify_sample *cur,
			   uint32_t mask, uint32_t backlog, struct qnotify_event *acc)
{
	const struct qsock_notify_sample *p = &t->prev;
	uint32_t ev = 0;
	bool above;

	if (t->primed && (cur->sent_pkts < p->sent_pkts || cur->drops < p->drops ||
			  cur->drop_late < p->drop_late || cur->violations < p->violations))
		return QNOTIFY_GONE;
	if (t->primed) {
		if (cur->violations > p->violations)
			ev |= QNOTIFY_WINDOW_VIOLATION;
		if (cur->drop_late > p->drop_late)
			ev |= QNOTIFY_LATE_DROP;
		if (cur->drops > p->drops)
			ev |= QNOTIFY_DROP;
		acc->violations += cur->violations - p->violations;
		acc->drop_late += cur->drop_late - p->drop_late;
		acc->drops += cur->drops - p->drops;
	}
	/* edge-triggered: once per rise above the threshold, not at every sample while above */
	above = cur->backlog_pkts > backlog;
	if (above && !t->above)
		ev |= QNOTIFY_BACKLOG;
	t->above = above;
	acc->backlog_pkts = cur->backlog_pkts;
	if (cur->backlog_pkts > acc->backlog_max)
		acc->backlog_max = cur->backlog_pkts;
	acc->samples++;
	t->prev = *cur;
	t->primed = true;
	return ev & mask;
}
