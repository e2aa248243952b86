// SPDX-License-Identifier: GPL-2.0
/*
 * daemon_app — an ordinary libqsock program for the daemon's end-to-end tests: whether its
 * calls run in-process or through qsockd is libqsock's choice (CAP_NET_ADMIN or not).
 *
 *   daemon_app init DEV SCHED [RATE_Bps]      qsockinit
 *   daemon_app fini DEV SCHED                 qsockfini
 *   daemon_app run DEST_IP PORT               a UDP socket, then commands from stdin:
 *       attach DEV SCHED IPG_MS [OLN OLD FLAGS [RATE_Bps]]   qattach (RATE: q_dwcs_attr.rate)
 *       attach-dscp DEV SCHED IPG_MS DSCP         qattach with q_dwcs_attr.dscp = QSOCK_DSCP(DSCP)
 *       tos                                       the socket's IP_TOS: `ok tos=N`
 *       change DEV SCHED IPG_MS                   qchange
 *       info                                      qinfo: one line of key=value
 *       send N BYTES                              N datagrams to DEST
 *       detach                                    qdetach
 *       notify MASK BACKLOG                       qnotify (default interval): `ok notifier`
 *       events MS                                 wait up to MS in poll() on the notifier, then
 *                                                 qnotify_read: `ok events=E drops=D ...`
 *       moveto FD                                 the socket moves to FD (dup2, close)
 *       close                                     close(2) the socket behind the library
 *       bench N                                   N x (qchange), prints the median ns
 *       cycle N                                   N x (qattach + qdetach) on fresh sockets
 *
 * Every command prints one line: `ok ...` or `error errno=N msg=...`.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <qsock.h>

static void fail(const char *what)
{
	printf("error errno=%d %s: %s\n", errno, what, qsock_strerror());
	fflush(stdout);
}

static void params(struct qos_params *p, struct q_dwcs_attr *a, const char *dev,
		   const char *sched, unsigned int ipg_ms, unsigned int oln, unsigned int old,
		   unsigned int flags)
{
	memset(p, 0, sizeof(*p));
	memset(a, 0, sizeof(*a));
	snprintf(p->dev, sizeof(p->dev), "%s", dev);
	snprintf(p->name, sizeof(p->name), "%s", sched);
	a->ipg = ipg_ms;
	a->oln = oln;
	a->old = old;
	a->stream_flags = flags;
	p->attributes = a;
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int run(const char *ip, int port)
{
	struct sockaddr_in dst = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	char line[256], dev[32] = "", sched[32] = "";
	int fd = socket(AF_INET, SOCK_DGRAM, 0), nfd = -1;

	inet_pton(AF_INET, ip, &dst.sin_addr);
	while (fgets(line, sizeof(line), stdin)) {
		struct qos_params p;
		struct q_dwcs_attr a;
		struct qos_info info;
		unsigned int ipg = 0, oln = 0, old = 0, flags = 0, n = 0, bytes = 0;
		unsigned long long rate = 0;

		if (sscanf(line, "attach %31s %31s %u %u %u %u %llu", dev, sched, &ipg, &oln, &old,
			   &flags, &rate) >= 3) {
			params(&p, &a, dev, sched, ipg, oln, old, flags);
			if (rate) {
				a.stream_flags |= QSOCK_STREAM_EXT;
				a.size = sizeof(a);
				a.rate = rate;
			}
			if (qattach(fd, &p) < 0)
				fail("qattach");
			else
				printf("ok attached\n");
		} else if (sscanf(line, "attach-dscp %31s %31s %u %u", dev, sched, &ipg, &n) == 4) {
			params(&p, &a, dev, sched, ipg, 0, 0, 0);
			a.stream_flags |= QSOCK_STREAM_EXT;
			a.size = sizeof(a);
			a.dscp = QSOCK_DSCP(n);
			if (qattach(fd, &p) < 0)
				fail("qattach");
			else
				printf("ok attached\n");
		} else if (!strncmp(line, "tos", 3)) {
			int tos = -1;
			socklen_t tlen = sizeof(tos);

			if (getsockopt(fd, IPPROTO_IP, IP_TOS, &tos, &tlen) < 0)
				fail("getsockopt IP_TOS");
			else
				printf("ok tos=%d\n", tos);
		} else if (sscanf(line, "change %31s %31s %u", dev, sched, &ipg) == 3) {
			params(&p, &a, dev, sched, ipg, 0, 0, 0);
			if (qchange(fd, &p) < 0)
				fail("qchange");
			else
				printf("ok changed\n");
		} else if (!strncmp(line, "info", 4)) {
			if (qinfo(fd, &info) < 0)
				fail("qinfo");
			else
				printf("ok dev=%s sched=%s classid=%x path=%u ipg_ns=%llu sent_pkts=%llu "
				       "sent_bytes=%llu\n",
				       info.dev, info.name, info.classid, info.path,
				       (unsigned long long)info.ipg_ns,
				       (unsigned long long)info.sent_pkts,
				       (unsigned long long)info.sent_bytes);
		} else if (sscanf(line, "send %u %u", &n, &bytes) == 2) {
			static char buf[65536];
			unsigned int sent = 0;

			for (unsigned int i = 0; i < n && bytes <= sizeof(buf); i++)
				sent += sendto(fd, buf, bytes, 0, (struct sockaddr *)&dst,
					       sizeof(dst)) == (ssize_t)bytes;
			printf("ok sent=%u\n", sent);
		} else if (sscanf(line, "moveto %u", &n) == 1) {
			if (dup2(fd, (int)n) < 0) {
				fail("dup2");
			} else {
				close(fd);
				fd = (int)n;
				printf("ok moved to %u\n", n);
			}
		} else if (!strcmp(line, "close\n")) {
			close(fd);
			fd = -1;
			printf("ok closed\n");
		} else if (sscanf(line, "notify %u %u", &n, &bytes) == 2) {
			struct qnotify_params np = { .size = sizeof(np), .mask = n,
						     .backlog_pkts = bytes };

			if (nfd >= 0)
				close(nfd);
			nfd = qnotify(fd, &np);
			if (nfd < 0)
				fail("qnotify");
			else
				printf("ok notifier\n");
		} else if (sscanf(line, "events %u", &n) == 1) {
			struct pollfd pfd = { .fd = nfd, .events = POLLIN };
			struct qnotify_event ev = { .size = sizeof(ev) };

			poll(&pfd, 1, (int)n);
			if (qnotify_read(nfd, &ev) < 0)
				fail("qnotify_read");
			else
				printf("ok events=%u drops=%llu backlog_max=%u samples=%llu\n",
				       ev.events, (unsigned long long)ev.drops, ev.backlog_max,
				       (unsigned long long)ev.samples);
		} else if (!strncmp(line, "detach", 6)) {
			if (qdetach(fd) < 0)
				fail("qdetach");
			else
				printf("ok detached\n");
		} else if (sscanf(line, "bench %u", &n) == 1 && n > 0) {
			long long *t = calloc(n, sizeof(*t));

			params(&p, &a, dev, sched, 10, 0, 0, 0);
			for (unsigned int i = 0; i < n; i++) {
				long long t0 = now_ns();

				a.ipg = 10 + (i & 1);
				if (qchange(fd, &p) < 0) {
					fail("qchange");
					break;
				}
				t[i] = now_ns() - t0;
			}
			qsort(t, n, sizeof(*t), cmp_ll);
			printf("ok median_ns=%lld p90_ns=%lld\n", t[n / 2], t[n * 9 / 10]);
			free(t);
		} else if (sscanf(line, "cycle %u", &n) == 1 && n > 0) {
			long long *t = calloc(n, sizeof(*t));

			params(&p, &a, dev, sched, 10, 0, 0, 0);
			for (unsigned int i = 0; i < n; i++) {
				int s = socket(AF_INET, SOCK_DGRAM, 0);
				long long t0 = now_ns();

				if (qattach(s, &p) < 0 || qdetach(s) < 0) {
					fail("qattach/qdetach");
					close(s);
					break;
				}
				t[i] = now_ns() - t0;
				close(s);
			}
			qsort(t, n, sizeof(*t), cmp_ll);
			printf("ok median_ns=%lld p90_ns=%lld\n", t[n / 2], t[n * 9 / 10]);
			free(t);
		} else {
			printf("error errno=22 unknown command: %s", line);
		}
		fflush(stdout);
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct qos_params p = { 0 };
	struct qsock_root_attr ra = { .size = sizeof(ra) };

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 4 && (!strcmp(argv[1], "init") || !strcmp(argv[1], "fini"))) {
		snprintf(p.dev, sizeof(p.dev), "%s", argv[2]);
		snprintf(p.name, sizeof(p.name), "%s", argv[3]);
		if (argc > 4) {
			ra.rate = strtoull(argv[4], NULL, 0);
			p.attributes = &ra;
		}
		if ((!strcmp(argv[1], "init") ? qsockinit(&p) : qsockfini(&p)) < 0) {
			fail(argv[1]);
			return 1;
		}
		printf("ok %s\n", argv[1]);
		return 0;
	}
	if (argc == 4 && !strcmp(argv[1], "run"))
		return run(argv[2], atoi(argv[3]));
	fprintf(stderr, "usage: daemon_app init|fini DEV SCHED [RATE] | run IP PORT\n");
	return 2;
}
