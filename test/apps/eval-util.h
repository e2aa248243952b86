/* SPDX-License-Identifier: GPL-2.0 */
/*
 * eval-util.h — what the evaluation apps share: the clock, absolute sleeps, a seeded random
 * generator, and the receivers' socket. (Command lines: eval-cli.h.)
 */
#ifndef QSOCK_EVAL_UTIL_H
#define QSOCK_EVAL_UTIL_H

#include <netinet/in.h>
#include <stdint.h>
#include <sys/types.h>

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
 * A UDP socket bound to @addr with an 8 MiB receive buffer (SO_RCVBUFFORCE when root): the
 * receivers must never be the bottleneck of what they measure. Returns the socket, or -1
 * after printing "PROG: what failed" to stderr.
 */
int udp_listen(const char *prog, const struct sockaddr_in *addr);

/*
 * recv(MSG_DONTWAIT) from a udp_listen socket that also says when the datagram arrived: the
 * kernel's receive stamp on the CLOCK_MONOTONIC scale of now_ns(), or the time of the read
 * when the kernel gave none. What a receiver judges (late, on time, a frame's completion) is
 * then the network's doing, not how soon its own process was scheduled to read.
 */
ssize_t udp_recv_stamped(int fd, void *buf, size_t len, uint64_t *arrival_ns);

#endif /* QSOCK_EVAL_UTIL_H */
