// SPDX-License-Identifier: LGPL-2.1-or-later
/* sched.c — the registry of scheduler modules (see sched_ops.h). */
#include <string.h>

#include "sched_ops.h"

static const struct qsock_sched_ops *const scheds[] = {
	&qsock_sched_dwcs,
	&qsock_sched_htb,
};

#define N_SCHEDS (sizeof(scheds) / sizeof(scheds[0]))

const struct qsock_sched_ops *qsock_sched_find(const char *name)
{
	for (size_t i = 0; i < N_SCHEDS; i++)
		if (!strcmp(scheds[i]->name, name))
			return scheds[i];
	return NULL;
}

const struct qsock_sched_ops *qsock_sched_by_kind(const char *kind)
{
	for (size_t i = 0; i < N_SCHEDS; i++)
		if (!strcmp(scheds[i]->kind, kind))
			return scheds[i];
	return NULL;
}

const char *qsock_sched_names(void)
{
	return "dwcs, htb";
}
