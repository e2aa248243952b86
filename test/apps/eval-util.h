/* SPDX-License-Identifier: GPL-2.0 */
/*
 * eval-util.h — what the evaluation apps share: the clock, absolute sleeps, a seeded random
 * generator, and command-line parsing that names the bad argument.
 */
#ifndef QSOCK_EVAL_UTIL_H
#define QSOCK_EVAL_UTIL_H

#include <netinet/in.h>
#include <stdint.h>

#define NSEC_PER_SEC 1000000000ULL
#define NSEC_PER_MSEC 1000000ULL

uint64_t now_ns(void);
/* Sleep until the CLOCK_MONOTONIC instant t; returns at once if t has passed. */
void sleep_until_ns(uint64_t t);

/* xorshift64*: reproducible runs from a --seed, independent of libc's rand(). */
struct eval_rng {
	uint64_t state;
};
void rng_seed(struct eval_rng *r, uint64_t seed);
double rng_uniform(struct eval_rng *r);		/* [0, 1) */
double rng_normal(struct eval_rng *r, double mean, double sd);
double rng_exponential(struct eval_rng *r, double mean);

/*
 * Parsers for option values. On a bad value they print "PROG: OPTION: why" to stderr and
 * return -1, so main() can exit with status 2 (usage error).
 */
int parse_u64(const char *prog, const char *opt, const char *s, uint64_t min, uint64_t max,
	      uint64_t *out);
int parse_double(const char *prog, const char *opt, const char *s, double min, double max,
		 double *out);
/* "A.B.C.D:PORT" (to send to) or "[A.B.C.D:]PORT" (to listen on, any address by default). */
int parse_ipv4_port(const char *prog, const char *opt, const char *s, int address_required,
		    struct sockaddr_in *out);

/*
 * A UDP socket bound to @addr with an 8 MiB receive buffer (SO_RCVBUFFORCE when root): the
 * receivers must never be the bottleneck of what they measure. Returns the socket, or -1
 * after printing "PROG: what failed" to stderr.
 */
int udp_listen(const char *prog, const struct sockaddr_in *addr);

#endif /* QSOCK_EVAL_UTIL_H */
