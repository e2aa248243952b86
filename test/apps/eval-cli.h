/* SPDX-License-Identifier: GPL-2.0 */
/*
 * eval-cli.h — the command lines of the evaluation apps: each app describes its options in a
 * table (name, kind, where the value goes, its range) and eval_parse_args() does the rest,
 * so every app names a bad argument the same way: "PROG: --OPTION: why".
 */
#ifndef QSOCK_EVAL_CLI_H
#define QSOCK_EVAL_CLI_H

#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>

enum eval_opt_kind {
	EVAL_OPT_U64,		/* uint64_t, whole number in [min, max], then times scale */
	EVAL_OPT_DOUBLE,	/* double in [dmin, dmax] */
	EVAL_OPT_SEND_TO,	/* struct sockaddr_in from "A.B.C.D:PORT"; required */
	EVAL_OPT_LISTEN_ON,	/* struct sockaddr_in from "[A.B.C.D:]PORT"; required */
	EVAL_OPT_STRING,	/* const char *, the argument itself */
	EVAL_OPT_SET,		/* int, no argument: set to value */
};

struct eval_opt {
	const char *name;	/* without the leading "--"; NULL ends the table */
	enum eval_opt_kind kind;
	void *out;
	uint64_t min, max, scale;
	double dmin, dmax;
	int value;
};

#define EVAL_U64(n, p, lo, hi) { .name = (n), .kind = EVAL_OPT_U64, .out = (p), .min = (lo), .max = (hi), .scale = 1 }
/* A value in one unit stored in another, e.g. milliseconds into nanoseconds. */
#define EVAL_U64_SCALED(n, p, lo, hi, mul) \
	{ .name = (n), .kind = EVAL_OPT_U64, .out = (p), .min = (lo), .max = (hi), .scale = (mul) }
#define EVAL_DOUBLE(n, p, lo, hi) { .name = (n), .kind = EVAL_OPT_DOUBLE, .out = (p), .dmin = (lo), .dmax = (hi) }
#define EVAL_SEND_TO(n, p) { .name = (n), .kind = EVAL_OPT_SEND_TO, .out = (p) }
#define EVAL_LISTEN_ON(n, p) { .name = (n), .kind = EVAL_OPT_LISTEN_ON, .out = (p) }
#define EVAL_STRING(n, p) { .name = (n), .kind = EVAL_OPT_STRING, .out = (p) }
#define EVAL_SET(n, p, v) { .name = (n), .kind = EVAL_OPT_SET, .out = (p), .value = (v) }
#define EVAL_END { .name = NULL }

#define EVAL_MAX_OPTS 24

/*
 * Parses argv against opts and --help. With positional NULL, any argument that is not an
 * option is an error; otherwise *positional gets the index of the first one. Returns -1 to go
 * on, or the status main() should exit with: 0 after --help (usage on stdout), 2 after a
 * usage error (the reason, then usage, on stderr).
 */
int eval_parse_args(const char *prog, int argc, char **argv, const struct eval_opt *opts,
		    void (*usage)(FILE *), int *positional);

/*
 * The value parsers behind it, also for values that are not options. On a bad value they
 * print "PROG: WHAT: why" to stderr and return -1.
 */
int parse_u64(const char *prog, const char *what, const char *s, uint64_t min, uint64_t max,
	      uint64_t *out);
int parse_double(const char *prog, const char *what, const char *s, double min, double max,
		 double *out);
/* "A.B.C.D:PORT" (to send to) or "[A.B.C.D:]PORT" (to listen on, any address by default). */
int parse_ipv4_port(const char *prog, const char *what, const char *s, int address_required,
		    struct sockaddr_in *out);

#endif /* QSOCK_EVAL_CLI_H */
