// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_status.c — `qsock status [-s SOCKET]`: every stream on qsock's devices, qsockd's and
 * those attached in-process (root sees all, others their own), with owner, parameters and
 * live statistics; `qsock -j status` as JSON.
 * It talks to qsockd through the protocol's client (proto/client.h), as libqsock does.
 */
#include <errno.h>
#include <getopt.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../proto/client.h"

#include "../../conf/printable.h"
#include "commands.h"

int qsock_status_fetch(const char *sock, struct qsockd_stream **out, unsigned int *n,
		       struct qsockd_device **devs, unsigned int *n_devs, char *msg, size_t msglen);
const char *qsock_user_name(uint32_t uid, char *buf, size_t len);


/* ,"classid":"M:m","cookie":N,"owner":{"uid":U,"user":"NAME","pid":P,"process":"COMM" — the
 * owner object left open for the caller's fields (status -j and top -j alike). */
void json_stream_who(const struct qsockd_stream *s)
{
	char user[64];

	printf(",\"classid\":\"%x:%x\",\"cookie\":%llu,\"owner\":{\"uid\":%u,\"user\":",
	       s->classid >> 16, s->classid & 0xffff, (unsigned long long)s->cookie, s->owner_uid);
	json_string(stdout, qsock_user_name(s->owner_uid, user, sizeof(user)));
	printf(",\"pid\":%u,\"process\":", s->owner_pid);
	json_string(stdout, s->owner_comm);
}
static const char usage[] =
	"usage: qsock [-j] status [-s SOCKET]\n"
	"  Every stream on qsock's devices, through qsockd or attached in-process (root sees all,\n"
	"  others their own): owner, parameters and live statistics; rates in bit/s.\n"
	"  -s, --socket SOCKET  qsockd's socket ($QSOCKD_SOCKET, else " QSOCKD_DEFAULT_SOCKET ")\n";

/* The user's name, else the number (status and top show both). */
const char *qsock_user_name(uint32_t uid, char *buf, size_t len)
{
	struct passwd pw, *res = NULL;
	char tmp[1024];

	if (!getpwuid_r((uid_t)uid, &pw, tmp, sizeof(tmp), &res) && res)
		snprintf(buf, len, "%s", res->pw_name);
	else
		snprintf(buf, len, "%u", uid);
	return buf;
}

struct fetch {
	struct qsockd_stream *v;
	unsigned int n, cap;
	struct qsockd_device *d;
	unsigned int n_d, cap_d;
};

static int collect(const struct qsockd_reply *rep, void *arg)
{
	struct fetch *f = arg;

	if (rep->flags & QSOCKD_REPLY_F_DEVICE) {
		if (f->n_d == f->cap_d) {
			unsigned int cap = f->cap_d ? f->cap_d * 2 : 8;
			struct qsockd_device *d = realloc(f->d, cap * sizeof(*d));

			if (!d)
				return -ENOMEM;
			f->d = d;
			f->cap_d = cap;
		}
		f->d[f->n_d++] = rep->device;
		return 0;
	}
	if (!(rep->flags & QSOCKD_REPLY_F_STREAM))
		return 0;
	if (f->n == f->cap) {
		unsigned int cap = f->cap ? f->cap * 2 : 32;
		struct qsockd_stream *v = realloc(f->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		f->v = v;
		f->cap = cap;
	}
	f->v[f->n++] = rep->stream;
	return 0;
}

/* All devices and the streams the daemon shows this uid, into malloc'd arrays (devs may be
 * NULL). 0 or -errno (msg says). */
int qsock_status_fetch(const char *sock, struct qsockd_stream **out, unsigned int *n,
		       struct qsockd_device **devs, unsigned int *n_devs, char *msg, size_t msglen)
{
	struct qsockd_request req;
	struct qsockd_reply last;
	struct fetch f = { 0 };
	int fd, err;

	fd = qsockd_client_connect(sock, msg, msglen);
	if (fd < 0)
		return fd;
	qsockd_request_init(&req, QSOCKD_OP_STATUS, (uint32_t)getpid());
	err = qsockd_client_call(fd, &req, -1, collect, &f, &last, NULL, msg, msglen);
	close(fd);
	if (!err && last.error) {
		snprintf(msg, msglen, "qsockd: %s", last.message);
		err = -last.error;
	}
	if (err) {
		free(f.v);
		free(f.d);
		return err;
	}
	*out = f.v;
	*n = f.n;
	if (devs) {
		*devs = f.d;
		*n_devs = f.n_d;
	} else {
		free(f.d);
	}
	return 0;
}

static void flags_text(uint32_t flags, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s", flags & QSOCKD_F_NONDROPPABLE ? "nondroppable" : "",
		 (flags & QSOCKD_F_NONDROPPABLE) && (flags & QSOCKD_F_LOSSLESS) ? "," : "",
		 flags & QSOCKD_F_LOSSLESS ? "lossless" : (flags ? "" : "-"));
}

static void print_json(const struct qsockd_stream *v, unsigned int n,
		       const struct qsockd_device *d, unsigned int n_d)
{
	printf("{\"devices\":[");
	for (unsigned int i = 0; i < n_d; i++) {
		printf("%s{\"dev\":", i ? "," : "");
		json_string(stdout, d[i].dev);
		printf(",\"sched\":");
		json_string(stdout, d[i].sched);
		printf(",\"root\":");
		json_string(stdout, d[i].root_kind);
		printf(",\"ifindex\":%u,\"streams\":%u,\"classifier\":%s}", d[i].ifindex,
		       d[i].streams, d[i].classifier ? "true" : "false");
	}
	printf("],\"streams\":[");
	for (unsigned int i = 0; i < n; i++) {
		const struct qsockd_stream *s = &v[i];
		const struct qsockd_stats *t = &s->stats;

		printf("%s{\"dev\":", i ? "," : "");
		json_string(stdout, s->params.dev);
		printf(",\"sched\":");
		json_string(stdout, s->params.sched);
		json_stream_who(s);
		/* every rate in bit/s (the daemon's protocol carries bytes/s) */
		printf("},\"params\":{\"ipg_ns\":%llu,\"oln\":%u,\"old\":%u,\"flags\":%u,"
		       "\"rate_bps\":%llu,\"reserved_bps\":%llu,\"limit\":%u,",
		       (unsigned long long)s->params.ipg_ns, s->params.oln, s->params.old,
		       s->params.flags, (unsigned long long)s->params.rate * 8,
		       (unsigned long long)qsockd_params_rate(&s->params), s->params.limit);
		if (s->params.dscp & QSOCKD_DSCP_SET) /* the DSCP qsock set, 0..63 */
			printf("\"dscp\":%u},", s->params.dscp & 0x3f);
		else
			printf("\"dscp\":null},");
		printf("\"stats\":{\"sent_pkts\":%llu,\"sent_bytes\":%llu,\"drops\":%llu,"
		       "\"overlimits\":%llu,\"rate_bps\":%llu,\"drop_late\":%llu,\"drop_overflow\":%llu,"
		       "\"drop_frame\":%llu,\"drop_window\":%llu,\"late_sent\":%llu,"
		       "\"deadline_misses\":%llu,\"violations\":%llu,\"cur_x\":%u,\"cur_y\":%u,"
		       "\"delay_avg_ns\":%llu,\"delay_max_ns\":%llu,\"backlog_pkts\":%u,"
		       "\"backlog_bytes\":%u}}",
		       (unsigned long long)t->sent_pkts, (unsigned long long)t->sent_bytes,
		       (unsigned long long)t->drops, (unsigned long long)t->overlimits,
		       (unsigned long long)t->rate * 8, (unsigned long long)t->drop_late,
		       (unsigned long long)t->drop_overflow, (unsigned long long)t->drop_frame,
		       (unsigned long long)t->drop_window, (unsigned long long)t->late_sent,
		       (unsigned long long)t->deadline_misses, (unsigned long long)t->violations,
		       t->cur_x, t->cur_y, (unsigned long long)t->delay_avg_ns,
		       (unsigned long long)t->delay_max_ns, t->backlog_pkts, t->backlog_bytes);
	}
	printf("]}\n");
}

static void print_text(const struct qsockd_stream *v, unsigned int n,
		       const struct qsockd_device *d, unsigned int n_d)
{
	char p1[QSOCK_PRINTABLE_SIZE(QSOCKD_NAME_LEN)], p2[sizeof(p1)], p3[sizeof(p1)];
	char pc[QSOCK_PRINTABLE_SIZE(QSOCKD_COMM_LEN)];

	/* names come from other users and the kernel: printed escaped (conf/printable.h) */
	printf("%-10s %-6s %-8s %8s %-10s\n", "DEVICE", "SCHED", "ROOT", "STREAMS", "CLASSIFIER");
	for (unsigned int i = 0; i < n_d; i++)
		printf("%-10s %-6s %-8s %8u %-10s\n", qsock_printable(p1, sizeof(p1), d[i].dev),
		       d[i].sched[0] ? qsock_printable(p2, sizeof(p2), d[i].sched) : "-",
		       d[i].root_kind[0] ? qsock_printable(p3, sizeof(p3), d[i].root_kind) : "-",
		       d[i].streams, d[i].classifier ? "attached" : "no");
	printf("\n");
	printf("%-10s %-5s %-7s %-8s %-8s %7s %-15s %10s %7s %-13s %9s %9s %12s %8s %8s\n",
	       "DEVICE", "SCHED", "CLASS", "COOKIE", "USER", "PID", "PROCESS", "IPG(us)", "X/Y",
	       "FLAGS", "RSV(b/s)", "RATE(b/s)", "SENT(pkts)", "DROPS", "BACKLOG");
	for (unsigned int i = 0; i < n; i++) {
		const struct qsockd_stream *s = &v[i];
		char cls[16], xy[24], fl[32], user[64], rsv[16], rate[16];

		snprintf(cls, sizeof(cls), "%x:%x", s->classid >> 16, s->classid & 0xffff);
		snprintf(xy, sizeof(xy), "%u/%u", s->params.oln, s->params.old);
		flags_text(s->params.flags, fl, sizeof(fl));
		printf("%-10s %-5s %-7s %-8llu %-8.8s %7u %-15s %10llu %7s %-13s %9s %9s %12llu %8llu %8u\n",
		       qsock_printable(p1, sizeof(p1), s->params.dev),
		       qsock_printable(p2, sizeof(p2), s->params.sched), cls,
		       (unsigned long long)s->cookie,
		       qsock_user_name(s->owner_uid, user, sizeof(user)), s->owner_pid,
		       qsock_printable(pc, sizeof(pc), s->owner_comm),
		       (unsigned long long)(s->params.ipg_ns / 1000), xy, fl,
		       cli_si((double)qsockd_params_rate(&s->params), rsv, sizeof(rsv)),
		       cli_si((double)s->stats.rate * 8, rate, sizeof(rate)),
		       (unsigned long long)s->stats.sent_pkts, (unsigned long long)s->stats.drops,
		       s->stats.backlog_pkts);
	}
	printf("%u stream%s\n", n, n == 1 ? "" : "s");
}

int do_status(const struct qsock_cli *cli, int argc, char **argv)
{
	const char *sock = NULL;
	struct qsockd_stream *v = NULL;
	struct qsockd_device *d = NULL;
	unsigned int n = 0, n_d = 0;
	char msg[QSOCKD_MSG_LEN + 64];
	int opt, err;

	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};

	optind = 1;
	while ((opt = getopt_long(argc, argv, ":s:h", opts, NULL)) != -1) {
		if (opt == 'h')
			return cli_help(usage);
		if (opt != 's')
			return cli_bad_option(cli, usage, opt, argv);
		sock = optarg;
	}
	if (optind < argc)
		return cli_usage_error(cli, usage, "unexpected argument \"%s\"", argv[optind]);
	err = qsock_status_fetch(sock, &v, &n, &d, &n_d, msg, sizeof(msg));
	if (err)
		return cli_error(cli, 1, "%s", msg);
	if (cli->json)
		print_json(v, n, d, n_d);
	else
		print_text(v, n, d, n_d);
	free(v);
	free(d);
	return 0;
}
