// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_top.c — `qsock top [-s SOCKET] [-d SECONDS] [-n COUNT]`: qsockd's streams as a
 * refreshing table, with each stream's send rate and drops over the last interval (from the
 * difference of two STATUS snapshots, so the daemon keeps no history for it).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../../proto/proto.h"

#include "../../conf/printable.h"
#include "commands.h"

/* cmd_status.c */
int qsock_status_fetch(const char *sock, struct qsockd_stream **out, unsigned int *n,
		       struct qsockd_device **devs, unsigned int *n_devs, char *msg, size_t msglen);

static const struct qsockd_stream *find(const struct qsockd_stream *v, unsigned int n,
					uint64_t cookie)
{
	for (unsigned int i = 0; i < n; i++)
		if (v[i].cookie == cookie)
			return &v[i];
	return NULL;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void draw(const struct qsockd_stream *cur, unsigned int n, const struct qsockd_stream *prev,
		 unsigned int pn, double dt, bool clear)
{
	if (clear)
		printf("\033[H\033[2J");
	printf("qsock top: %u stream%s, interval %.1f s\n", n, n == 1 ? "" : "s", dt);
	printf("%-10s %-7s %7s %-15s %12s %12s %10s %10s %8s %8s\n", "DEVICE", "CLASS", "PID",
	       "PROCESS", "RSV(kbit/s)", "RATE(kbit/s)", "PKTS/s", "DROPS/s", "X'/Y'", "BACKLOG");
	for (unsigned int i = 0; i < n; i++) {
		const struct qsockd_stream *s = &cur[i], *p = find(prev, pn, s->cookie);
		double bytes = 0, pkts = 0, drops = 0;
		char cls[16], xy[24], pdev[QSOCK_PRINTABLE_SIZE(QSOCKD_NAME_LEN)];
		char pcomm[QSOCK_PRINTABLE_SIZE(QSOCKD_COMM_LEN)];

		if (p && dt > 0) {
			bytes = (double)(s->stats.sent_bytes - p->stats.sent_bytes) / dt;
			pkts = (double)(s->stats.sent_pkts - p->stats.sent_pkts) / dt;
			drops = (double)(s->stats.drops - p->stats.drops) / dt;
		}
		snprintf(cls, sizeof(cls), "%x:%x", s->classid >> 16, s->classid & 0xffff);
		snprintf(xy, sizeof(xy), "%u/%u", s->stats.cur_x, s->stats.cur_y);
		printf("%-10s %-7s %7u %-15s %12llu %12.1f %10.1f %10.1f %8s %8u\n",
		       qsock_printable(pdev, sizeof(pdev), s->params.dev), cls, s->owner_pid,
		       qsock_printable(pcomm, sizeof(pcomm), s->owner_comm),
		       (unsigned long long)(qsockd_params_rate(&s->params) / 1000),
		       bytes * 8 / 1000, pkts, drops, xy, s->stats.backlog_pkts);
	}
	fflush(stdout);
}

int do_top(const struct qsock_cli *cli, int argc, char **argv)
{
	struct qsockd_stream *prev = NULL, *cur = NULL;
	unsigned int pn = 0, n = 0;
	const char *sock = NULL;
	double delay = 1, t0, t1;
	long count = -1;
	char msg[QSOCKD_MSG_LEN + 64], *end;
	int opt;

	optind = 1;
	while ((opt = getopt(argc, argv, "s:d:n:")) != -1) {
		switch (opt) {
		case 's':
			sock = optarg;
			break;
		case 'd':
			delay = strtod(optarg, &end);
			if (*end || delay < 0.1 || delay > 3600) {
				fprintf(stderr, "qsock top: -d %s: seconds between 0.1 and 3600\n",
					optarg);
				return 2;
			}
			break;
		case 'n':
			count = strtol(optarg, &end, 10);
			if (*end || count < 1) {
				fprintf(stderr, "qsock top: -n %s: a positive count\n", optarg);
				return 2;
			}
			break;
		default:
			fprintf(stderr, "usage: qsock top [-s SOCKET] [-d SECONDS] [-n COUNT]\n");
			return 2;
		}
	}
	if (qsock_status_fetch(sock, &prev, &pn, NULL, NULL, msg, sizeof(msg))) {
		fprintf(stderr, "qsock top: %s\n", msg);
		return 1;
	}
	t0 = now_s();
	while (count < 0 || count-- > 0) {
		usleep((useconds_t)(delay * 1e6));
		if (qsock_status_fetch(sock, &cur, &n, NULL, NULL, msg, sizeof(msg))) {
			fprintf(stderr, "qsock top: %s\n", msg);
			free(prev);
			return 1;
		}
		t1 = now_s();
		draw(cur, n, prev, pn, t1 - t0, isatty(STDOUT_FILENO) && !cli->json);
		free(prev);
		prev = cur;
		pn = n;
		t0 = t1;
	}
	free(prev);
	return 0;
}
