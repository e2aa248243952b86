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

int parse_u64(const char *prog, const char *opt, const char *s, uint64_t min, uint64_t max,
	      uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *end || *s == '-') {
		fprintf(stderr, "%s: %s: \"%s\" is not a whole number\n", prog, opt, s);
		return -1;
	}
	if (v < min || v > max) {
		fprintf(stderr, "%s: %s: %llu is out of range %llu..%llu\n", prog, opt, v,
			(unsigned long long)min, (unsigned long long)max);
		return -1;
	}
	*out = v;
	return 0;
}

int parse_double(const char *prog, const char *opt, const char *s, double min, double max,
		 double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || isnan(v)) {
		fprintf(stderr, "%s: %s: \"%s\" is not a number\n", prog, opt, s);
		return -1;
	}
	if (v < min || v > max) {
		fprintf(stderr, "%s: %s: %g is out of range %g..%g\n", prog, opt, v, min, max);
		return -1;
	}
	*out = v;
	return 0;
}

int parse_ipv4_port(const char *prog, const char *opt, const char *s, int address_required,
		    struct sockaddr_in *out)
{
	char host[64];
	const char *colon = strrchr(s, ':');
	const char *port_s = colon ? colon + 1 : s;
	uint64_t port;

	memset(out, 0, sizeof(*out));
	out->sin_family = AF_INET;
	out->sin_addr.s_addr = htonl(INADDR_ANY);
	if (colon) {
		size_t n = (size_t)(colon - s);

		if (n == 0 || n >= sizeof(host) || (memcpy(host, s, n), host[n] = 0,
						     inet_pton(AF_INET, host, &out->sin_addr) != 1)) {
			fprintf(stderr, "%s: %s: \"%.*s\" in \"%s\" is not an IPv4 address\n", prog,
				opt, (int)n, s, s);
			return -1;
		}
	} else if (address_required) {
		fprintf(stderr, "%s: %s: \"%s\" needs the form ADDRESS:PORT, e.g. 10.0.0.2:5000\n",
			prog, opt, s);
		return -1;
	}
	if (parse_u64(prog, opt, port_s, 1, 65535, &port))
		return -1;
	out->sin_port = htons((uint16_t)port);
	return 0;
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
	if (bind(fd, (const struct sockaddr *)addr, sizeof(*addr))) {
		fprintf(stderr, "%s: bind %s:%u: %s\n", prog, inet_ntoa(addr->sin_addr),
			ntohs(addr->sin_port), strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}
