// SPDX-License-Identifier: GPL-2.0
/* eval-sockopts.c — the contenders' socket options on a sender's socket (eval-sockopts.h). */
#include "eval-sockopts.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

static int set_int(const char *prog, int fd, int level, int name, const char *what, uint64_t v)
{
	int iv = (int)v;

	if (v == EVAL_SOCKOPT_UNSET)
		return 0;
	if (setsockopt(fd, level, name, &iv, sizeof(iv)) == 0)
		return 0;
	fprintf(stderr, "%s: setsockopt(%s, %llu): %s\n", prog, what, (unsigned long long)v,
		strerror(errno));
	return -1;
}

int eval_sockopts_apply(const char *prog, int fd, const struct eval_sockopts *o)
{
	unsigned int rate = (unsigned int)o->pacing_rate;

	if (set_int(prog, fd, IPPROTO_IP, IP_TOS, "IP_TOS", o->tos) ||
	    set_int(prog, fd, SOL_SOCKET, SO_PRIORITY, "SO_PRIORITY", o->priority))
		return -1;
	if (o->pacing_rate != EVAL_SOCKOPT_UNSET &&
	    setsockopt(fd, SOL_SOCKET, SO_MAX_PACING_RATE, &rate, sizeof(rate))) {
		fprintf(stderr, "%s: setsockopt(SO_MAX_PACING_RATE, %u): %s\n", prog, rate,
			strerror(errno));
		return -1;
	}
	return 0;
}
