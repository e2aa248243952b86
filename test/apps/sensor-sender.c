// SPDX-License-Identifier: GPL-2.0
/*
 * sensor-sender — the paper's remote sensor (§4.2.2, Figure 7).
 *
 * Aperiodic readings: exponential gaps around --rate messages per second, each with a random
 * size and a random relative deadline (uniform in --deadline-min-ms..--deadline-max-ms); a
 * reading that reaches the receiver after its deadline is useless. --surge-* make an event the
 * sensor reports in detail: a stretch at a higher rate, which may exceed what the link carries. The host's scheduler is
 * given the instant the message must leave: the reading's deadline less --path-us, the time
 * the network after the host needs (a 1,400-byte frame takes 1.1 ms at 10 Mbit/s). Modes: plain sendto()
 * (unmanaged) and, with --qsock, an EDF dwcs stream through libqsock whose deadlines ride
 * each message (qsendto), lossless (late readings still sent) or lossy (dropped at the source).
 */
#include "eval-cli.h"
#include "eval-util.h"
#include "eval-wire.h"
#include "sensor-send.h"

#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static const char *prog = "sensor-sender";
static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: %s --to ADDRESS:PORT [options]\n"
		"  --to A.B.C.D:PORT      where the receiver listens\n"
		"  --rate N               mean messages per second, Poisson arrivals (default 100)\n"
		"  --surge-at SEC         an event: from SEC s after the start ...\n"
		"  --surge-for SEC        ... for SEC s (default 0: no event) ...\n"
		"  --surge-rate N         ... readings come at N per second (default 2 x --rate)\n"
		"  --deadline-min-ms N    shortest relative deadline (default 20)\n"
		"  --deadline-max-ms N    longest relative deadline (default 100)\n"
		"  --size-min N           smallest message in bytes (default 200)\n"
		"  --size-max N           largest message in bytes, <= 1400 (default 1400)\n"
		"  --duration SEC         stop after SEC seconds (default 60)\n"
		"  --seed N               random seed (default 1)\n"
		"  --periodic             a constant gap of 1/--rate instead of Poisson arrivals\n"
		"                         (an audio codec's frames)\n"
		EVAL_SOCKOPT_USAGE
		"  --path-us N            the path's share of every deadline: the message must leave\n"
		"                         this host N us before the reading is due (default 0)\n"
#ifdef HAVE_QSOCK
		"  --qsock DEV            send through Q.Sockets on DEV: an EDF dwcs stream\n"
		"  --lossy | --lossless   what the stream does with late messages (default lossless)\n"
#endif
		"Prints a summary on stderr when done.\n",
		prog);
}

int main(int argc, char **argv)
{
	struct sensor_send_opts send_opts = { .sockopts = EVAL_SOCKOPTS_INIT };
	int periodic = 0;
	struct sockaddr_in to;
	double rate = 100, surge_rate = 0;
	uint64_t surge_at = 0, surge_for = 0, surge_start, surge_end;
	uint64_t dmin = 20, dmax = 100, smin = 200, smax = EVAL_MAX_DATAGRAM, duration = 60;
	uint64_t seed = 1, path = 0, seq, refused = 0, start, end, t, taken;
	const struct eval_opt opts[] = {
		EVAL_SEND_TO("to", &to),
		EVAL_DOUBLE("rate", &rate, 0.1, 100000),
		EVAL_U64("surge-at", &surge_at, 0, 86400),
		EVAL_U64("surge-for", &surge_for, 0, 86400),
		EVAL_DOUBLE("surge-rate", &surge_rate, 0.1, 100000),
		EVAL_U64("deadline-min-ms", &dmin, 1, 60000),
		EVAL_U64("deadline-max-ms", &dmax, 1, 60000),
		EVAL_U64("size-min", &smin, sizeof(struct sensor_hdr), EVAL_MAX_DATAGRAM),
		EVAL_U64("size-max", &smax, sizeof(struct sensor_hdr), EVAL_MAX_DATAGRAM),
		EVAL_U64("duration", &duration, 1, 86400),
		EVAL_U64("seed", &seed, 0, UINT64_MAX),
		EVAL_U64_SCALED("path-us", &path, 0, 1000000, 1000),
		EVAL_SET("periodic", &periodic, 1),
		EVAL_SOCKOPT_ARGS(&send_opts.sockopts),
		EVAL_STRING("qsock", &send_opts.qsock_dev),
		EVAL_SET("lossy", &send_opts.lossy, 1),
		EVAL_SET("lossless", &send_opts.lossy, 0),
		EVAL_END,
	};
	static unsigned char buf[EVAL_MAX_DATAGRAM];
	struct sensor_sender *sender;
	struct eval_rng rng;
	int status;

	status = eval_parse_args(prog, argc, argv, opts, usage, NULL);
	if (status >= 0)
		return status;
	if (dmin > dmax) {
		fprintf(stderr, "%s: --deadline-min-ms %llu is above --deadline-max-ms %llu\n", prog,
			(unsigned long long)dmin, (unsigned long long)dmax);
		return 2;
	}
	if (!surge_rate)
		surge_rate = 2 * rate;
	if (path >= dmin * NSEC_PER_MSEC) {
		fprintf(stderr, "%s: --path-us %llu leaves nothing of the shortest deadline (%llu ms)\n",
			prog, (unsigned long long)(path / 1000), (unsigned long long)dmin);
		return 2;
	}
	if (smin > smax) {
		fprintf(stderr, "%s: --size-min %llu is above --size-max %llu\n", prog,
			(unsigned long long)smin, (unsigned long long)smax);
		return 2;
	}
	sender = sensor_sender_open(prog, &to, &send_opts);
	if (!sender)
		return 1;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	rng_seed(&rng, seed);
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (unsigned char)(rng_uniform(&rng) * 256);

	start = now_ns();
	end = start + duration * NSEC_PER_SEC;
	surge_start = start + surge_at * NSEC_PER_SEC;
	surge_end = surge_start + surge_for * NSEC_PER_SEC;
	t = start;
	for (seq = 0; !stop_requested; seq++) {
		struct sensor_hdr *h = (struct sensor_hdr *)buf;
		uint64_t rel = (uint64_t)((double)dmin + rng_uniform(&rng) * (double)(dmax - dmin + 1));
		size_t len = smin + (size_t)(rng_uniform(&rng) * (double)(smax - smin + 1));
		int surging = t >= surge_start && t < surge_end;

		double mean_gap = 1.0 / (surging ? surge_rate : rate);

		t += (uint64_t)((periodic ? mean_gap : rng_exponential(&rng, mean_gap)) *
				(double)NSEC_PER_SEC);
		if (t >= end)
			break;
		sleep_until_ns(t);
		if (stop_requested)
			break;
		/* The reading is taken now, not at t: a late wake-up of this process on a busy
		 * machine must not eat into the network's share of the deadline. */
		taken = now_ns();
		h->magic = htonl(SENSOR_MAGIC);
		h->seq = htonl((uint32_t)seq);
		h->sent_ns = htobe64(taken);
		h->deadline_ns = htobe64(taken + rel * NSEC_PER_MSEC);
		if (sensor_sender_send(sender, buf, len, taken + rel * NSEC_PER_MSEC - path) < 0) {
			if (errno == EINTR)
				break;
			if (errno != ENOBUFS && errno != EAGAIN) {
				fprintf(stderr, "%s: sending message %llu to %s:%u: %s\n", prog,
					(unsigned long long)seq, inet_ntoa(to.sin_addr),
					ntohs(to.sin_port), strerror(errno));
				sensor_sender_close(sender);
				return 1;
			}
			refused++;
		}
	}
	fprintf(stderr, "%s (%s): %llu messages generated, %llu refused by the stack\n", prog,
		sensor_sender_mode(sender), (unsigned long long)seq, (unsigned long long)refused);
	sensor_sender_close(sender);
	return 0;
}
