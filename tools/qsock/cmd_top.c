// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_top.c — `qsock top [-s SOCKET] [-d SECONDS] [-n COUNT]`: qsockd's streams as a
 * refreshing table, with each stream's send rate and drops over the last interval (from the
 * difference of two STATUS snapshots, so the daemon keeps no history for it).
 *
 * The table fits 80 columns; every rate is in bit/s (SI prefixes); `q` quits when standard
 * input is a terminal (read unbuffered, without echo, restored on any exit). With -j each
 * refresh is one JSON document on its own line.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "../../proto/proto.h"

#include "../../conf/printable.h"
#include "commands.h"

/* cmd_status.c */
int qsock_status_fetch(const char *sock, struct qsockd_stream **out, unsigned int *n,
		       struct qsockd_device **devs, unsigned int *n_devs, char *msg, size_t msglen);
const char *qsock_user_name(uint32_t uid, char *buf, size_t len);

static const char usage[] =
	"usage: qsock [-j] top [-s SOCKET] [-d SECONDS] [-n COUNT]\n"
	"  qsockd's streams, refreshed: reserved and measured rate (bit/s), packets and drops\n"
	"  per second, current x'/y', backlog. q quits (when standard input is a terminal).\n"
	"  -s, --socket SOCKET   qsockd's socket ($QSOCKD_SOCKET, else " QSOCKD_DEFAULT_SOCKET ")\n"
	"  -d, --delay SECONDS   between refreshes, 0.1..3600 (default 1)\n"
	"  -n, --count COUNT     stop after COUNT refreshes\n"
	"  With -j: one JSON document per refresh, one per line.\n";

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

struct rates {
	double bps, pkts, drops;
};

static struct rates rates_of(const struct qsockd_stream *s, const struct qsockd_stream *p,
			     double dt)
{
	struct rates r = { 0 };

	if (p && dt > 0) {
		r.bps = (double)(s->stats.sent_bytes - p->stats.sent_bytes) * 8 / dt;
		r.pkts = (double)(s->stats.sent_pkts - p->stats.sent_pkts) / dt;
		r.drops = (double)(s->stats.drops - p->stats.drops) / dt;
	}
	return r;
}

/* 79 columns: USER 8, PID 7, PROCESS 10, DEV 8, RSV 7, RATE 7, PKT/s 6, DROP/s 6, X'/Y' 7,
 * BKLOG 5, and the spaces between. */
#define ROW "%-8.8s %7s %-10.10s %-8.8s %7s %7s %6s %6s %7.7s %5s\n"

static void draw_text(const struct qsockd_stream *cur, unsigned int n,
		      const struct qsockd_stream *prev, unsigned int pn, double dt, bool clear)
{
	if (clear)
		printf("\033[H\033[2J");
	printf("qsock top: %u stream%s, every %.1f s, rates in bit/s%s\n", n, n == 1 ? "" : "s", dt,
	       clear ? "; q quits" : "");
	printf(ROW, "USER", "PID", "PROCESS", "DEVICE", "RSV", "RATE", "PKT/s", "DROP/s", "X'/Y'",
	       "BKLOG");
	for (unsigned int i = 0; i < n; i++) {
		const struct qsockd_stream *s = &cur[i];
		struct rates r = rates_of(s, find(prev, pn, s->cookie), dt);
		char user[64], pid[16], rsv[16], rate[16], pkts[16], drops[16], xy[24], bl[16];
		char pdev[QSOCK_PRINTABLE_SIZE(QSOCKD_NAME_LEN)];
		char pcomm[QSOCK_PRINTABLE_SIZE(QSOCKD_COMM_LEN)];

		snprintf(pid, sizeof(pid), "%u", s->owner_pid);
		snprintf(xy, sizeof(xy), "%u/%u", s->stats.cur_x, s->stats.cur_y);
		printf(ROW, qsock_user_name(s->owner_uid, user, sizeof(user)), pid,
		       qsock_printable(pcomm, sizeof(pcomm), s->owner_comm),
		       qsock_printable(pdev, sizeof(pdev), s->params.dev),
		       cli_si((double)qsockd_params_rate(&s->params), rsv, sizeof(rsv)),
		       cli_si(r.bps, rate, sizeof(rate)), cli_si(r.pkts, pkts, sizeof(pkts)),
		       cli_si(r.drops, drops, sizeof(drops)), xy,
		       cli_si((double)s->stats.backlog_pkts, bl, sizeof(bl)));
	}
	fflush(stdout);
}

static void draw_json(const struct qsockd_stream *cur, unsigned int n,
		      const struct qsockd_stream *prev, unsigned int pn, double dt)
{
	printf("{\"interval_s\":%.3f,\"streams\":[", dt);
	for (unsigned int i = 0; i < n; i++) {
		const struct qsockd_stream *s = &cur[i];
		struct rates r = rates_of(s, find(prev, pn, s->cookie), dt);

		printf("%s{\"dev\":", i ? "," : "");
		json_string(stdout, s->params.dev);
		json_stream_who(s);
		printf("},\"reserved_bps\":%llu,\"rate_bps\":%.0f,\"pkts_per_s\":%.1f,"
		       "\"drops_per_s\":%.1f,\"cur_x\":%u,\"cur_y\":%u,\"backlog_pkts\":%u}",
		       (unsigned long long)qsockd_params_rate(&s->params), r.bps, r.pkts,
		       r.drops, s->stats.cur_x, s->stats.cur_y, s->stats.backlog_pkts);
	}
	printf("]}\n");
	fflush(stdout);
}

/* The terminal, while we read it key by key. */
static struct termios saved_tty;
static bool tty_raw;
static volatile sig_atomic_t stop;

static void restore_tty(void)
{
	if (tty_raw) {
		tcsetattr(STDIN_FILENO, TCSANOW, &saved_tty);
		tty_raw = false;
	}
}

static void on_signal(int sig)
{
	stop = sig;
}

static void keys_on(void)
{
	struct termios t;

	if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &saved_tty))
		return;
	t = saved_tty;
	t.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	if (!tcsetattr(STDIN_FILENO, TCSANOW, &t)) {
		tty_raw = true;
		atexit(restore_tty);
	}
}

/* Sleep SECONDS, or less when q is pressed or a signal stops us: true to go on. */
static bool wait_or_quit(double seconds)
{
	double end = now_s() + seconds;

	for (;;) {
		struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
		double left = end - now_s();
		char key;

		if (stop)
			return false;
		if (left <= 0)
			return true;
		if (!tty_raw) {
			struct timespec ts = { (time_t)left, (long)((left - (double)(time_t)left) * 1e9) };

			nanosleep(&ts, NULL); /* EINTR: the loop checks stop */
			continue;
		}
		if (poll(&pfd, 1, (int)(left * 1000) + 1) > 0) {
			ssize_t got = read(STDIN_FILENO, &key, 1);

			if (got == 0 || (got == 1 && (key == 'q' || key == 'Q')))
				return false;
		}
	}
}

int do_top(const struct qsock_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "delay", required_argument, NULL, 'd' },
		{ "count", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct qsockd_stream *prev = NULL, *cur = NULL;
	unsigned int pn = 0, n = 0;
	const char *sock = NULL;
	double delay = 1, t0, t1;
	long count = -1;
	char msg[QSOCKD_MSG_LEN + 64], *end;
	struct sigaction sa = { .sa_handler = on_signal };
	int opt, status = 0;

	optind = 1;
	while ((opt = getopt_long(argc, argv, ":s:d:n:h", opts, NULL)) != -1) {
		switch (opt) {
		case 's':
			sock = optarg;
			break;
		case 'd':
			delay = strtod(optarg, &end);
			if (end == optarg || *end || delay < 0.1 || delay > 3600)
				return cli_usage_error(cli, usage,
						       "-d %s: seconds between 0.1 and 3600", optarg);
			break;
		case 'n':
			count = strtol(optarg, &end, 10);
			if (end == optarg || *end || count < 1)
				return cli_usage_error(cli, usage, "-n %s: a positive count", optarg);
			break;
		case 'h':
			return cli_help(usage);
		default:
			return cli_bad_option(cli, usage, opt, argv);
		}
	}
	if (optind < argc)
		return cli_usage_error(cli, usage, "unexpected argument \"%s\"", argv[optind]);
	if (qsock_status_fetch(sock, &prev, &pn, NULL, NULL, msg, sizeof(msg)))
		return cli_error(cli, 1, "%s", msg);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	if (!cli->json && isatty(STDOUT_FILENO))
		keys_on();
	t0 = now_s();
	while (count < 0 || count-- > 0) {
		if (!wait_or_quit(delay))
			break;
		if (qsock_status_fetch(sock, &cur, &n, NULL, NULL, msg, sizeof(msg))) {
			restore_tty();
			status = cli_error(cli, 1, "%s", msg);
			break;
		}
		t1 = now_s();
		if (cli->json)
			draw_json(cur, n, prev, pn, t1 - t0);
		else
			draw_text(cur, n, prev, pn, t1 - t0, isatty(STDOUT_FILENO));
		free(prev);
		prev = cur;
		pn = n;
		t0 = t1;
	}
	restore_tty();
	free(prev);
	return status;
}
