// SPDX-License-Identifier: GPL-2.0
/*
 * lib_driver — runs a script of libqsock calls in one process, for the bats suites
 * (test/bats/lib-*.bats, test/vm/lib-*.bats). Streams belong to sockets, and sockets to a
 * process, so a scenario must run in one process: the commands are separated by "--".
 *
 *   lib_driver [-d DEV] [-s SCHED] CMD ARGS [-- CMD ARGS]...
 *
 *   init [rate=BYTES/S]         qsockinit (attributes NULL unless rate=)
 *   fini                        qsockfini
 *   sock N udp|udp6|tcp|unix|pipe  create fd number N (a slot)
 *   connect N IP:PORT           connect() (TCP streams)
 *   attach N PARAMS             qattach with PARAMS: ipg=MS old=Y oln=X [rate=B] [pkt=B]
 *                               [limit=P] [nd] [lossless] [dev=D] [sched=S] [dscp=N]
 *   qsocket N PARAMS            qsocket(AF_INET, SOCK_DGRAM)
 *   change N PARAMS             qchange
 *   info N                      qinfo, printed as one JSON object
 *   tos N                       the socket's {"ip_tos":..,"ipv6_tclass":..} (-1: no such option)
 *   send N IP:PORT COUNT SIZE [nd] [prio=P] [frames=K] [rel-deadline=NS] [plain]
 *                               (IP may be IPv6 in brackets: [fd00::2]:9)
 *                               qsendto COUNT times (plain: sendto)
 *   blast N IP:PORT SECONDS SIZE  qsendto (no flags) as fast as possible
 *   many COUNT PARAMS           qsocket into slots 0..COUNT-1, check the classes are distinct
 *   qclose-all COUNT            qclose slots 0..COUNT-1
 *   qclose N | detach N | close N (close() behind the library's back)
 *   noslot N                    N's next messages go without its send slot (the control-
 *                               message carriers a send falls back to when the slot is busy)
 *   sink PORT SECONDS [tcp]     receive and print {"bytes":..,"packets":..,"seconds":..}
 *   sleep MS
 *   fail ERRNO TEXT CMD ARGS    CMD must fail with ERRNO (a name: EINVAL, ...) and a
 *                               qsock_strerror() containing TEXT
 * Exit status: 0 when every command did what it should, 1 otherwise (with the reason).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "qsock.h"
#include "../../lib/fdtable.h"

#define SLOTS 1100

static const char *dev = "veth0";
static const char *sched = "htb";
static int fds[SLOTS];

static const struct {
	const char *name;
	int value;
} errnos[] = {
	{ "EINVAL", EINVAL },	  { "EBADF", EBADF },
	{ "ENOTSOCK", ENOTSOCK }, { "EEXIST", EEXIST },
	{ "ENOENT", ENOENT },	  { "ENODEV", ENODEV },
	{ "EPERM", EPERM },	  { "EOPNOTSUPP", EOPNOTSUPP },
	{ "EBADFD", EBADFD },	  { "EAFNOSUPPORT", EAFNOSUPPORT },
	{ "EACCES", EACCES },	  { "ERANGE", ERANGE },
};

static const char *errno_name(int e)
{
	for (size_t i = 0; i < sizeof(errnos) / sizeof(errnos[0]); i++)
		if (errnos[i].value == e)
			return errnos[i].name;
	return strerror(e);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int slot(const char *s)
{
	int n = atoi(s);

	if (n < 0 || n >= SLOTS) {
		fprintf(stderr, "lib_driver: bad slot %s\n", s);
		exit(2);
	}
	return n;
}

/* "IPv4:PORT" or "[IPv6]:PORT" into @ss; *@len gets the address length. */
static int parse_addr(const char *s, struct sockaddr_storage *ss, socklen_t *len)
{
	char ip[64];
	const char *colon = strrchr(s, ':');
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	if (!colon || (size_t)(colon - s) >= sizeof(ip))
		return -1;
	memset(ss, 0, sizeof(*ss));
	if (s[0] == '[' && colon > s + 1 && colon[-1] == ']') {
		memcpy(ip, s + 1, (size_t)(colon - s - 2));
		ip[colon - s - 2] = '\0';
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)atoi(colon + 1));
		*len = sizeof(*sin6);
		return inet_pton(AF_INET6, ip, &sin6->sin6_addr) == 1 ? 0 : -1;
	}
	memcpy(ip, s, (size_t)(colon - s));
	ip[colon - s] = '\0';
	sin->sin_family = AF_INET;
	sin->sin_port = htons((uint16_t)atoi(colon + 1));
	*len = sizeof(*sin);
	return inet_pton(AF_INET, ip, &sin->sin_addr) == 1 ? 0 : -1;
}

/* PARAMS words into @p and @a; returns the words consumed. */
static void parse_params(int argc, char **argv, struct qos_params *p, struct q_dwcs_attr *a)
{
	memset(p, 0, sizeof(*p));
	memset(a, 0, sizeof(*a));
	snprintf(p->dev, sizeof(p->dev), "%s", dev);
	snprintf(p->name, sizeof(p->name), "%s", sched);
	p->attributes = a;
	a->old = 10;
	a->ipg = 10;
	a->size = sizeof(*a);
	for (int i = 0; i < argc; i++) {
		char *v = strchr(argv[i], '=');

		v = v ? v + 1 : "";
		if (!strncmp(argv[i], "ipg=", 4))
			a->ipg = (uint32_t)atoi(v);
		else if (!strncmp(argv[i], "ipg_ns=", 7))
			a->ipg_ns = strtoull(v, NULL, 0), a->stream_flags |= QSOCK_STREAM_EXT;
		else if (!strncmp(argv[i], "old=", 4))
			a->old = (uint32_t)atoi(v);
		else if (!strncmp(argv[i], "oln=", 4))
			a->oln = (uint32_t)atoi(v);
		else if (!strncmp(argv[i], "rate=", 5))
			a->rate = strtoull(v, NULL, 0), a->stream_flags |= QSOCK_STREAM_EXT;
		else if (!strncmp(argv[i], "pkt=", 4))
			a->pkt_bytes = (uint32_t)atoi(v), a->stream_flags |= QSOCK_STREAM_EXT;
		else if (!strncmp(argv[i], "limit=", 6))
			a->limit = (uint32_t)atoi(v), a->stream_flags |= QSOCK_STREAM_EXT;
		else if (!strcmp(argv[i], "nd"))
			a->stream_flags |= DWCS_NON_DROPPABLE;
		else if (!strcmp(argv[i], "lossless"))
			a->stream_flags |= QSOCK_STREAM_LOSSLESS;
		else if (!strncmp(argv[i], "dev=", 4))
			snprintf(p->dev, sizeof(p->dev), "%s", v);
		else if (!strncmp(argv[i], "sched=", 6))
			snprintf(p->name, sizeof(p->name), "%s", v);
		else if (!strncmp(argv[i], "dscp=", 5))
			a->dscp = QSOCK_DSCP(atoi(v)), a->stream_flags |= QSOCK_STREAM_EXT;
		else if (!strncmp(argv[i], "flags=", 6))
			a->stream_flags = (uint32_t)strtoul(v, NULL, 0);
	}
}

static void print_info(int n, const struct qos_info *i)
{
	printf("{\"slot\":%d,\"dev\":\"%s\",\"sched\":\"%s\",\"classid\":\"%x:%x\","
	       "\"carrier\":%u,\"path\":%u,\"valid\":%u,\"ipg_ns\":%llu,\"oln\":%u,\"old\":%u,"
	       "\"sent_pkts\":%llu,\"sent_bytes\":%llu,\"drops\":%llu,\"overlimits\":%llu,"
	       "\"backlog_pkts\":%u,\"rate_bps\":%llu,\"drop_late\":%llu,\"drop_frame\":%llu,"
	       "\"late_sent\":%llu,\"deadline_misses\":%llu,\"cur_x\":%u,\"cur_y\":%u,"
	       "\"delay_avg_ns\":%llu,\"sndbuf\":%d,\"queued\":%d,\"tcp_rtt_us\":%u,"
	       "\"tcp_snd_cwnd\":%u}\n",
	       n, i->dev, i->name, i->classid >> 16, i->classid & 0xffff, i->carrier, i->path,
	       i->valid, (unsigned long long)i->ipg_ns, i->oln, i->old,
	       (unsigned long long)i->sent_pkts, (unsigned long long)i->sent_bytes,
	       (unsigned long long)i->drops, (unsigned long long)i->overlimits, i->backlog_pkts,
	       (unsigned long long)i->rate_bps, (unsigned long long)i->drop_late,
	       (unsigned long long)i->drop_frame, (unsigned long long)i->late_sent,
	       (unsigned long long)i->deadline_misses, i->cur_x, i->cur_y,
	       (unsigned long long)i->delay_avg_ns, i->sndbuf, i->queued, i->tcp_rtt_us,
	       i->tcp_snd_cwnd);
	fflush(stdout);
}

static int do_sink(int port, double seconds, int tcp)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	unsigned long long bytes = 0, packets = 0;
	double start = 0, end = now_s() + seconds, last = 0;
	static char buf[65536];
	int fd, one = 1, c = -1;

	fd = socket(AF_INET, tcp ? SOCK_STREAM : SOCK_DGRAM, 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || (tcp && listen(fd, 4))) {
		perror("lib_driver: sink bind");
		return -1;
	}
	printf("{\"listening\":%d}\n", port);
	fflush(stdout);
	while (now_s() < end) {
		struct pollfd p = { .fd = c >= 0 ? c : fd, .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, 100) <= 0)
			continue;
		if (tcp && c < 0) {
			c = accept(fd, NULL, NULL);
			continue;
		}
		n = recv(p.fd, buf, sizeof(buf), 0);
		if (n <= 0)
			continue;
		if (!start)
			start = now_s();
		last = now_s();
		bytes += (unsigned long long)n;
		packets++;
	}
	printf("{\"bytes\":%llu,\"packets\":%llu,\"seconds\":%.3f,\"rate_bps\":%.0f}\n", bytes,
	       packets, last - start, last > start ? (double)bytes / (last - start) : 0.0);
	return 0;
}

/* Run one command; returns 0/-1 like the library (errno set), or exits on a usage error. */
static int run(int argc, char **argv)
{
	struct qos_params p;
	struct q_dwcs_attr a;
	struct sockaddr_storage to;
	socklen_t tolen = 0;
	const char *cmd = argv[0];

	if (!strcmp(cmd, "init") || !strcmp(cmd, "fini")) {
		struct qsock_root_attr ra = { .size = sizeof(ra) };

		parse_params(argc - 1, argv + 1, &p, &a);
		p.attributes = NULL;
		if (argc > 1 && !strncmp(argv[1], "rate=", 5)) {
			ra.rate = strtoull(argv[1] + 5, NULL, 0);
			p.attributes = &ra;
		}
		return !strcmp(cmd, "init") ? qsockinit(&p) : qsockfini(&p);
	}
	if (!strcmp(cmd, "sock")) {
		int n = slot(argv[1]), pfd[2];

		if (!strcmp(argv[2], "udp"))
			fds[n] = socket(AF_INET, SOCK_DGRAM, 0);
		else if (!strcmp(argv[2], "udp6"))
			fds[n] = socket(AF_INET6, SOCK_DGRAM, 0);
		else if (!strcmp(argv[2], "tcp"))
			fds[n] = socket(AF_INET, SOCK_STREAM, 0);
		else if (!strcmp(argv[2], "unix"))
			fds[n] = socket(AF_UNIX, SOCK_DGRAM, 0);
		else if (!pipe(pfd))
			fds[n] = pfd[0];
		return fds[n] < 0 ? -1 : 0;
	}
	if (!strcmp(cmd, "connect")) {
		if (parse_addr(argv[2], &to, &tolen))
			return errno = EINVAL, -1;
		return connect(fds[slot(argv[1])], (struct sockaddr *)&to, tolen);
	}
	if (!strcmp(cmd, "attach") || !strcmp(cmd, "change") || !strcmp(cmd, "qsocket")) {
		int n = slot(argv[1]);

		parse_params(argc - 2, argv + 2, &p, &a);
		if (!strcmp(cmd, "attach"))
			return qattach(fds[n], &p);
		if (!strcmp(cmd, "change"))
			return qchange(fds[n], &p);
		fds[n] = qsocket(AF_INET, SOCK_DGRAM, 0, &p);
		return fds[n] < 0 ? -1 : 0;
	}
	if (!strcmp(cmd, "tos")) {
		int n = slot(argv[1]), tos = -1, tclass = -1;
		socklen_t len = sizeof(tos);

		if (getsockopt(fds[n], IPPROTO_IP, IP_TOS, &tos, &len))
			tos = -1;
		len = sizeof(tclass);
		if (getsockopt(fds[n], IPPROTO_IPV6, IPV6_TCLASS, &tclass, &len))
			tclass = -1;
		printf("{\"slot\":%d,\"ip_tos\":%d,\"ipv6_tclass\":%d}\n", n, tos, tclass);
		return 0;
	}
	if (!strcmp(cmd, "info")) {
		struct qos_info info;
		int n = slot(argv[1]);

		if (qinfo(fds[n], &info))
			return -1;
		print_info(n, &info);
		return 0;
	}
	if (!strcmp(cmd, "send") || !strcmp(cmd, "blast")) {
		int n = slot(argv[1]), plain = 0, frames = 0;
		struct packet_flags pf;
		long count = atol(argv[3]), i;
		size_t size = (size_t)atol(argv[4]);
		double end = now_s() + atof(argv[3]);
		static char buf[65536];

		if (parse_addr(argv[2], &to, &tolen))
			return errno = EINVAL, -1;
		pf.drop_flag = 0; /* size and the rest left unset, as the paper does */
		pf.deadline = 0;
		for (int k = 5; k < argc; k++) {
			if (!strcmp(argv[k], "nd"))
				pf.drop_flag |= DWCS_NON_DROPPABLE;
			else if (!strncmp(argv[k], "prio=", 5))
				pf.drop_flag |= QSOCK_DROP_PRIO(atoi(argv[k] + 5));
			else if (!strncmp(argv[k], "frames=", 7))
				frames = atoi(argv[k] + 7); /* messages per frame */
			else if (!strncmp(argv[k], "rel-deadline=", 13)) {
				pf.drop_flag |= QSOCK_DEADLINE_RELATIVE;
				pf.deadline = strtoull(argv[k] + 13, NULL, 0);
			} else if (!strcmp(argv[k], "plain"))
				plain = 1;
		}
		for (i = 0; !strcmp(cmd, "send") ? i < count : now_s() < end; i++) {
			ssize_t r;

			if (frames > 0) {
				pf.drop_flag &= ~(QSOCK_FRAME_START | QSOCK_FRAME_END);
				if (i % frames == 0)
					pf.drop_flag |= QSOCK_FRAME_START;
				if (i % frames == frames - 1)
					pf.drop_flag |= QSOCK_FRAME_END;
			}
			r = plain ? sendto(fds[n], buf, size, 0, (struct sockaddr *)&to, tolen) :
				    qsendto(fds[n], buf, size, 0, (struct sockaddr *)&to, tolen,
					    !strcmp(cmd, "send") ? &pf : NULL);

			if (r < 0 && errno != ENOBUFS && errno != EAGAIN)
				return -1;
		}
		return 0;
	}
	if (!strcmp(cmd, "many")) {
		int count = atoi(argv[1]), distinct = 0;
		static uint32_t seen[SLOTS];
		struct qos_info info;

		if (count < 1 || count > SLOTS)
			return errno = EINVAL, -1;
		parse_params(argc - 2, argv + 2, &p, &a);
		for (int k = 0; k < count; k++) {
			fds[k] = qsocket(AF_INET, SOCK_DGRAM, 0, &p);
			if (fds[k] < 0 || qinfo(fds[k], &info))
				return -1;
			seen[k] = info.classid;
			distinct++;
			for (int j = 0; j < k; j++)
				if (seen[j] == info.classid) {
					distinct--;
					break;
				}
		}
		printf("{\"streams\":%d,\"distinct\":%d}\n", count, distinct);
		return 0;
	}
	if (!strcmp(cmd, "qclose-all")) {
		for (int k = 0; k < atoi(argv[1]); k++)
			if (qclose(fds[k]))
				return -1;
		return 0;
	}
	if (!strcmp(cmd, "qclose"))
		return qclose(fds[slot(argv[1])]);
	if (!strcmp(cmd, "detach"))
		return qdetach(fds[slot(argv[1])]);
	if (!strcmp(cmd, "close"))
		return close(fds[slot(argv[1])]);
	if (!strcmp(cmd, "noslot")) {
		struct qsock_fd_state *st = qsock_fd_get(fds[slot(argv[1])]);

		if (!st || !st->slot) {
			fprintf(stderr, "noslot: fd %d has no send slot\n", fds[slot(argv[1])]);
			return -1;
		}
		st->slot = NULL; /* stays mapped: this process ends soon */
		return 0;
	}
	if (!strcmp(cmd, "sink"))
		return do_sink(atoi(argv[1]), atof(argv[2]), argc > 3 && !strcmp(argv[3], "tcp"));
	if (!strcmp(cmd, "sleep")) {
		usleep((useconds_t)atoi(argv[1]) * 1000);
		return 0;
	}
	fprintf(stderr, "lib_driver: unknown command %s\n", cmd);
	exit(2);
}

int main(int argc, char **argv)
{
	int opt, i, start;

	while ((opt = getopt(argc, argv, "+d:s:")) != -1) {
		if (opt == 'd')
			dev = optarg;
		else if (opt == 's')
			sched = optarg;
		else
			return 2;
	}
	for (i = 0; i < SLOTS; i++)
		fds[i] = -1;
	for (start = optind; start < argc; start = i + 1) {
		int n, rc, expect = 0;
		const char *text = NULL;
		char **cmd = argv + start;

		for (i = start; i < argc && strcmp(argv[i], "--"); i++)
			;
		n = i - start;
		if (!n)
			continue;
		if (!strcmp(cmd[0], "fail")) {
			if (n < 4) {
				fprintf(stderr, "lib_driver: fail ERRNO TEXT CMD...\n");
				return 2;
			}
			for (size_t k = 0; k < sizeof(errnos) / sizeof(errnos[0]); k++)
				if (!strcmp(errnos[k].name, cmd[1]))
					expect = errnos[k].value;
			if (!expect) {
				fprintf(stderr, "lib_driver: unknown errno name %s\n", cmd[1]);
				return 2;
			}
			text = cmd[2];
			cmd += 3;
			n -= 3;
		}
		cmd[n] = NULL; /* argv[i] was "--" or the terminating NULL */
		errno = 0;
		rc = run(n, cmd);
		if (!expect && rc) {
			printf("FAILED %s: %s (%s)\n", cmd[0], qsock_strerror(), errno_name(errno));
			return 1;
		}
		if (expect && !rc) {
			printf("FAILED %s: succeeded, expected %s\n", cmd[0], errno_name(expect));
			return 1;
		}
		if (expect && (errno != expect || !strstr(qsock_strerror(), text))) {
			printf("FAILED %s: got %s \"%s\", expected %s \"%s\"\n", cmd[0],
			       errno_name(errno), qsock_strerror(), errno_name(expect), text);
			return 1;
		}
		if (expect)
			printf("failed as expected: %s: %s\n", errno_name(errno), qsock_strerror());
	}
	return 0;
}
