// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_events.c — `qsock events [DEV] [-s SOCKET] [-i MS] [-b PKTS] [-e EVENTS] [-n COUNT]`:
 * one line per event of qsockd's streams (those `qsock status` shows), the events qnotify(3)
 * raises, decided by the same code (lib/notify_detect.c, linked from libqsock.a, the one
 * exception to "tools use qsock.h only": two copies of it would drift). Its samples are
 * qsockd STATUS replies, one request per interval for every stream, so the default interval
 * is longer than qnotify's. A stream that leaves the listing is one "gone" line.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../lib/notify_detect.h"
#include "../../proto/proto.h"

#include "../../conf/printable.h"
#include "commands.h"

/* cmd_status.c */
int qsock_status_fetch(const char *sock, struct qsockd_stream **out, unsigned int *n,
		       struct qsockd_device **devs, unsigned int *n_devs, char *msg, size_t msglen);
const char *qsock_user_name(uint32_t uid, char *buf, size_t len);

#define EVENTS_INTERVAL_DEFAULT_MS 100	/* one STATUS of every stream per interval */
#define EVENTS_INTERVAL_MIN_MS	   10
#define EVENTS_INTERVAL_MAX_MS	   60000

static const char usage[] =
	"usage: qsock [-j] events [DEV] [-s SOCKET] [-i MS] [-b PKTS] [-e EVENTS] [-n COUNT]\n"
	"  One line per event of qsockd's streams (those qsock status shows), as qnotify(3)\n"
	"  raises them: window violations, late drops, drops, a backlog above -b; and a stream\n"
	"  gone. DEV: only the streams on DEV.\n"
	"  -s, --socket SOCKET    qsockd's socket ($QSOCKD_SOCKET, else " QSOCKD_DEFAULT_SOCKET ")\n"
	"  -i, --interval MS      between samples (one STATUS request each), 10..60000 (default 100)\n"
	"  -b, --backlog PKTS     also signal a backlog above PKTS packets\n"
	"  -e, --events LIST      of violation,late-drop,drop,backlog (default: the first three,\n"
	"                         and backlog with -b)\n"
	"  -n, --count COUNT      stop after COUNT events\n"
	"  With -j: one JSON object per event, one per line.\n";

static const struct {
	const char *name;
	uint32_t bit;
} names[] = {
	{ "violation", QNOTIFY_WINDOW_VIOLATION },
	{ "late-drop", QNOTIFY_LATE_DROP },
	{ "drop", QNOTIFY_DROP },
	{ "backlog", QNOTIFY_BACKLOG },
	{ "gone", QNOTIFY_GONE },
};

struct tracked {
	struct qsockd_stream last;
	struct qsock_notify_track track;
	bool seen;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = sig;
}

static int parse_events(const char *s, uint32_t *mask)
{
	char buf[128], *save, *tok;

	*mask = 0;
	snprintf(buf, sizeof(buf), "%s", s);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		size_t i;

		for (i = 0; i < sizeof(names) / sizeof(names[0]) - 1; i++)
			if (!strcmp(tok, names[i].name))
				break;
		if (i == sizeof(names) / sizeof(names[0]) - 1)
			return -1;
		*mask |= names[i].bit;
	}
	return *mask ? 0 : -1;
}

static void event_names(uint32_t ev, bool json, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]) && off < len; i++)
		if (ev & names[i].bit)
			off += (size_t)snprintf(buf + off, len - off, json ? "%s\"%s\"" : "%s%s",
						off ? "," : "", names[i].name);
}

static void print_event(const struct qsock_cli *cli, const struct qsockd_stream *s, uint32_t ev,
			const struct qnotify_event *d)
{
	char evs[96], user[64], when[32], cls[16];
	char pdev[QSOCK_PRINTABLE_SIZE(QSOCKD_NAME_LEN)], pc[QSOCK_PRINTABLE_SIZE(QSOCKD_COMM_LEN)];
	struct timespec now;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &now);
	event_names(ev, cli->json, evs, sizeof(evs));
	if (cli->json) {
		printf("{\"time\":%lld.%03ld,\"dev\":", (long long)now.tv_sec, now.tv_nsec / 1000000);
		json_string(stdout, s->params.dev);
		json_stream_who(s);
		printf("},\"events\":[%s],\"drops\":%llu,\"drop_late\":%llu,\"violations\":%llu,"
		       "\"backlog_pkts\":%u}\n",
		       evs, (unsigned long long)d->drops, (unsigned long long)d->drop_late,
		       (unsigned long long)d->violations, d->backlog_pkts);
	} else {
		localtime_r(&now.tv_sec, &tm);
		strftime(when, sizeof(when), "%H:%M:%S", &tm);
		snprintf(cls, sizeof(cls), "%x:%x", s->classid >> 16, s->classid & 0xffff);
		printf("%s.%03ld %s %s %s %u %s %s drops=+%llu late=+%llu violations=+%llu "
		       "backlog=%u\n",
		       when, now.tv_nsec / 1000000, qsock_printable(pdev, sizeof(pdev), s->params.dev),
		       cls, qsock_user_name(s->owner_uid, user, sizeof(user)), s->owner_pid,
		       qsock_printable(pc, sizeof(pc), s->owner_comm), evs,
		       (unsigned long long)d->drops, (unsigned long long)d->drop_late,
		       (unsigned long long)d->violations, d->backlog_pkts);
	}
	fflush(stdout);
}

static struct tracked *find(struct tracked *v, unsigned int n, uint64_t cookie)
{
	for (unsigned int i = 0; i < n; i++)
		if (v[i].last.cookie == cookie)
			return &v[i];
	return NULL;
}

int do_events(const struct qsock_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "interval", required_argument, NULL, 'i' },
		{ "backlog", required_argument, NULL, 'b' },
		{ "events", required_argument, NULL, 'e' },
		{ "count", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint32_t mask = QNOTIFY_WINDOW_VIOLATION | QNOTIFY_LATE_DROP | QNOTIFY_DROP, backlog = 0;
	long interval = EVENTS_INTERVAL_DEFAULT_MS, count = -1, n_t = 0;
	struct sigaction sa = { .sa_handler = on_signal };
	char msg[QSOCKD_MSG_LEN + 64], *end;
	bool have_b = false, have_e = false;
	struct tracked *t = NULL;
	const char *sock = NULL, *dev = NULL;
	int opt, status = 0;

	optind = 1;
	/* DEV may come before the options as well as after: getopt stops at it (main.c parses
	 * in order, without permuting), so it is taken here and the parsing goes on */
	while ((opt = getopt_long(argc, argv, ":s:i:b:e:n:h", opts, NULL)) != -1 ||
	       (optind < argc && !dev)) {
		if (opt == -1) {
			dev = argv[optind++];
			continue;
		}
		switch (opt) {
		case 's':
			sock = optarg;
			break;
		case 'i':
			interval = strtol(optarg, &end, 10);
			if (end == optarg || *end || interval < EVENTS_INTERVAL_MIN_MS ||
			    interval > EVENTS_INTERVAL_MAX_MS)
				return cli_usage_error(cli, usage,
						       "-i %s: milliseconds between 10 and 60000",
						       optarg);
			break;
		case 'b': {
			unsigned long v = strtoul(optarg, &end, 10);

			if (end == optarg || *end || *optarg == '-' || v > UINT32_MAX)
				return cli_usage_error(cli, usage, "-b %s: a number of packets",
						       optarg);
			backlog = (uint32_t)v;
			have_b = true;
			break;
		}
		case 'e':
			if (parse_events(optarg, &mask))
				return cli_usage_error(cli, usage,
						       "-e %s: a list of violation, late-drop, drop, "
						       "backlog",
						       optarg);
			have_e = true;
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
	if (have_b && !have_e)
		mask |= QNOTIFY_BACKLOG;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	while (!stop && count) {
		struct qsockd_stream *v = NULL;
		unsigned int n = 0;

		if (qsock_status_fetch(sock, &v, &n, NULL, NULL, msg, sizeof(msg))) {
			status = cli_error(cli, 1, "%s", msg);
			break;
		}
		for (long i = 0; i < n_t; i++)
			t[i].seen = false;
		for (unsigned int i = 0; i < n && count; i++) {
			const struct qsockd_stream *s = &v[i];
			struct qsock_notify_sample smp = {
				.sent_pkts = s->stats.sent_pkts, .drops = s->stats.drops,
				.drop_late = s->stats.drop_late, .violations = s->stats.violations,
				.backlog_pkts = s->stats.backlog_pkts,
			};
			struct qnotify_event d = { 0 };
			struct tracked *tr;
			uint32_t ev;

			if (dev && strcmp(s->params.dev, dev))
				continue;
			tr = find(t, (unsigned int)n_t, s->cookie);
			if (!tr) {
				struct tracked *nt = realloc(t, (size_t)(n_t + 1) * sizeof(*t));

				if (!nt) {
					free(v);
					free(t);
					return cli_error(cli, 1, "no memory");
				}
				t = nt;
				tr = &t[n_t++];
				memset(tr, 0, sizeof(*tr));
			}
			tr->seen = true;
			tr->last = *s;
			ev = qsock_notify_step(&tr->track, &smp, mask, backlog, &d);
			if (ev & QNOTIFY_GONE) /* re-attached: counted afresh from this sample */
				memset(&tr->track, 0, sizeof(tr->track));
			if (ev) {
				print_event(cli, s, ev, &d);
				if (count > 0)
					count--;
			}
		}
		free(v);
		/* the streams that left the listing: one line each */
		for (long i = 0; i < n_t && count; i++) {
			if (t[i].seen)
				continue;
			print_event(cli, &t[i].last, QNOTIFY_GONE, &(struct qnotify_event){ 0 });
			if (count > 0)
				count--;
			t[i--] = t[--n_t];
		}
		if (count)
			nanosleep(&(struct timespec){ interval / 1000, (interval % 1000) * 1000000L },
				  NULL);
	}
	free(t);
	return status;
}
