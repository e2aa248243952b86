/* SPDX-License-Identifier: GPL-2.0 */
/* gap-stats.h — a growable list of samples and its quantiles, for the summaries of the apps. */
#ifndef QSOCK_GAP_STATS_H
#define QSOCK_GAP_STATS_H

#include <stddef.h>

struct gap_stats {
	double *v;
	size_t n, cap;
};

/* 0, or -1 when out of memory. */
int gap_stats_add(struct gap_stats *g, double sample);
/* The q-quantile (0..1, nearest rank); 0 with no samples. Sorts the samples in place. */
double gap_stats_quantile(struct gap_stats *g, double q);

#endif /* QSOCK_GAP_STATS_H */
