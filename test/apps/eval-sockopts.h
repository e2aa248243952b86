/* SPDX-License-Identifier: GPL-2.0 */
/*
 * eval-sockopts.h — the socket options a stock Linux QoS setup asks of a sender (issue #13's
 * contenders, test/scenarios/contenders.sh): the DSCP/TOS byte cake's diffserv tins read, the
 * SO_PRIORITY a prio qdisc's priomap reads, and the SO_MAX_PACING_RATE fq paces by. The
 * senders' options --tos, --priority and --pacing-rate fill one of these; every field left
 * at EVAL_SOCKOPT_UNSET is not set on the socket.
 */
#ifndef QSOCK_EVAL_SOCKOPTS_H
#define QSOCK_EVAL_SOCKOPTS_H

#include <stdint.h>

#define EVAL_SOCKOPT_UNSET UINT64_MAX

struct eval_sockopts {
	uint64_t tos;		/* IP_TOS, 0..255 (DSCP << 2) */
	uint64_t priority;	/* SO_PRIORITY, 0..6 (higher needs CAP_NET_ADMIN) */
	uint64_t pacing_rate;	/* SO_MAX_PACING_RATE, bytes per second */
};

#define EVAL_SOCKOPTS_INIT { EVAL_SOCKOPT_UNSET, EVAL_SOCKOPT_UNSET, EVAL_SOCKOPT_UNSET }

/* The three options for an eval_opt table (eval-cli.h). */
#define EVAL_SOCKOPT_ARGS(o)                                                   \
	EVAL_U64("tos", &(o)->tos, 0, 255),                                    \
	EVAL_U64("priority", &(o)->priority, 0, 6),                            \
	EVAL_U64("pacing-rate", &(o)->pacing_rate, 1, 0xfffffffeULL)

#define EVAL_SOCKOPT_USAGE                                                                  \
	"  --tos N                IP_TOS byte, e.g. 184 (EF), 136 (AF41), 128 (CS4)\n"         \
	"  --priority N           SO_PRIORITY 0..6 (a prio qdisc's band by its priomap)\n"    \
	"  --pacing-rate BYTES    SO_MAX_PACING_RATE in bytes/s (what fq paces the socket to)\n"

/* Sets the options given on fd; 0, or -1 after a message naming the option. */
int eval_sockopts_apply(const char *prog, int fd, const struct eval_sockopts *o);

#endif /* QSOCK_EVAL_SOCKOPTS_H */
