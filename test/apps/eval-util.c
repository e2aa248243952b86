// SPDX-License-Identifier: GPL-2.0
/*
 * eval-util.c — clock, sleeps, random numbers and argument parsing for the evaluation apps.
 */
#include "eval-util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

void sleep_until_ns(uint64_t t)
{
	struct timespec ts = { .tv_sec = t / NSEC_PER_SEC, .tv_nsec = t % NSEC_PER_SEC };

	/* EINTR only: a signal handler asked us to stop, and the caller checks for that. */
	clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
}

void rng_seed(struct eval_rng *r, uint64_t seed)
{
	/* xorshift must never hold 0; mix the seed so that 0, 1, 2 give unrelated streams. */
	r->state = (seed + 1) * 0x9e3779b97f4a7c15ULL;
	if (!r->state)
		r->state = 1;
}

double rng_uniform(struct eval_rng *r)
{
	uint64_t x = r->state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	r->state = x;
	return (double)((x * 0x2545f4914f6cdd1dULL) >> 11) / (double)(1ULL << 53);
}

double rng_normal(struct eval_rng *r, double mean, double sd)
{
	/* Box-Muller; 1 - u keeps log() away from 0. */
	double u1 = 1.0 - rng_uniform(r), u2 = rng_uniform(r);

	return mean + sd * sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

double rng_exponential(struct eval_rng *r, double mean)
{
	return -mean * log(1.0 - rng_uniform(r));
}

int udp_listen(const char *prog, const struct sockaddr_in *addr)
{
	int rcvbuf = 8 << 20;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	if (fd < 0) {
		fprintf(stderr, "%s: socket: %s\n", prog, strerror(errno));
		return -1;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	/* Best effort: without it udp_recv_stamped falls back to the time of the read. */
	setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &(int){ 1 }, sizeof(int));
	if (bind(fd, (const struct sockaddr *)addr, sizeof(*addr))) {
		fprintf(stderr, "%s: bind %s:%u: %s\n", prog, inet_ntoa(addr->sin_addr),
			ntohs(addr->sin_port), strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * The kernel stamps a datagram with CLOCK_REALTIME when the receiving device hands it to the
 * stack (SO_TIMESTAMPNS); the apps' clock is CLOCK_MONOTONIC. The offset between the two is
 * read right after the datagram, so only a clock step between the stamp and the read could
 * skew it (the test VM runs no time daemon); a stamp that is not plausible — after the read, or
 * more than a minute before it — is not used.
 */
ssize_t udp_recv_stamped(int fd, void *buf, size_t len, uint64_t *arrival_ns)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(struct timespec))];
	} control;
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = control.buf,
		.msg_controllen = sizeof(control.buf),
	};
	struct timespec real;
	uint64_t mono, stamp_real = 0, real_now;
	struct cmsghdr *c;
	ssize_t n;

	n = recvmsg(fd, &msg, MSG_DONTWAIT);
	mono = now_ns();
	*arrival_ns = mono;
	if (n < 0)
		return n;
	for (c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS &&
		    c->cmsg_len >= CMSG_LEN(sizeof(struct timespec))) {
			struct timespec ts;

			memcpy(&ts, CMSG_DATA(c), sizeof(ts));
			stamp_real = (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
		}
	}
	if (!stamp_real || clock_gettime(CLOCK_REALTIME, &real))
		return n;
	real_now = (uint64_t)real.tv_sec * NSEC_PER_SEC + (uint64_t)real.tv_nsec;
	if (stamp_real <= real_now && real_now - stamp_real < 60 * NSEC_PER_SEC &&
	    real_now - stamp_real < mono)
		*arrival_ns = mono - (real_now - stamp_real);
	return n;
}
