// SPDX-License-Identifier: GPL-2.0
/* gap-stats.c — samples and nearest-rank quantiles. */
#include "gap-stats.h"

#include <math.h>
#include <stdlib.h>

int gap_stats_add(struct gap_stats *g, double sample)
{
	if (g->n == g->cap) {
		size_t cap = g->cap ? 2 * g->cap : 1024;
		double *v = realloc(g->v, cap * sizeof(*v));

		if (!v)
			return -1;
		g->v = v;
		g->cap = cap;
	}
	g->v[g->n++] = sample;
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double gap_stats_quantile(struct gap_stats *g, double q)
{
	size_t rank;

	if (!g->n)
		return 0;
	qsort(g->v, g->n, sizeof(*g->v), cmp_double);
	rank = (size_t)ceil(q * (double)g->n);
	if (rank < 1)
		rank = 1;
	return g->v[rank - 1];
}
