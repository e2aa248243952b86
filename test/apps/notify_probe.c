// SPDX-License-Identifier: GPL-2.0
/*
 * notify_probe — qnotify(3) on real streams, for test/bats/lib-notify.bats. The root (qsockinit)
 * must be installed on DEV first (lib_driver init).
 *
 *   notify_probe [-d DEV] [-s SCHED] over RATE IP:PORT SECONDS SIZE INTERVAL_US BACKLOG
 *       Streams A and B at RATE bytes/s, both watched (QNOTIFY_ALL, BACKLOG, INTERVAL_US). A
 *       thread sends SIZE-byte datagrams on A to IP:PORT as fast as it can for SECONDS; B stays
 *       idle. The main thread waits in poll() on both notifiers until A's queue has drained,
 *       and prints per stream: the events, the reads, the samples the first event took, its
 *       delay after the first send, the drops the events added up and the drops qinfo counts;
 *       and the samples the sampler took of both streams meanwhile.
 *   notify_probe gone                 qnotify on a stream, then qdetach: the event it gets
 *   notify_probe errors               bad arguments on a real stream: each must fail with its
 *                                     errno and a message naming what is wrong
 *   notify_probe leak N               N notifiers opened and closed: threads and fds of the
 *                                     process before, during and after
 *   notify_probe cost STREAMS SAMPLES STREAMS idle streams watched every 1 ms until the
 *                                     sampler took SAMPLES samples: its CPU time per 1,000
 *                                     samples, and this thread's for as many qinfo calls
 * Exit status: 0 when every step did what it should, 1 otherwise (with the reason).
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "qsock.h"
#include "../../lib/notify.h"

static const char *dev = "veth0";
static const char *sched = "htb";

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
	fprintf(stderr, "FAILED %s: %s (%s)\n", what, qsock_strerror(), strerror(errno));
	exit(1);
}

static int stream(uint64_t rate)
{
	struct q_dwcs_attr a = { .old = 10, .ipg = 10, .stream_flags = QSOCK_STREAM_EXT,
				 .size = sizeof(a), .rate = rate };
	struct qos_params p = { .attributes = &a };
	int fd;

	snprintf(p.dev, sizeof(p.dev), "%s", dev);
	snprintf(p.name, sizeof(p.name), "%s", sched);
	fd = qsocket(AF_INET, SOCK_DGRAM, 0, &p);
	if (fd < 0)
		die("qsocket");
	return fd;
}

static int notifier(int fd, uint32_t mask, uint32_t backlog, uint32_t interval_us)
{
	struct qnotify_params np = { .size = sizeof(np), .mask = mask, .backlog_pkts = backlog,
				     .interval_us = interval_us };
	int nfd = qnotify(fd, &np);

	if (nfd < 0)
		die("qnotify");
	return nfd;
}

static int count_dir(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d)))
		n += e->d_name[0] != '.';
	if (d)
		closedir(d);
	return n;
}

/* ---------------------------------------------------------------- over */

struct blast {
	int fd;
	struct sockaddr_in to;
	double seconds;
	size_t size;
	double first_send;
	unsigned long sent;
};

static void *blaster(void *arg)
{
	struct blast *b = arg;
	char buf[65536] = { 0 };
	double end;

	b->first_send = now_s();
	end = b->first_send + b->seconds;
	while (now_s() < end)
		if (sendto(b->fd, buf, b->size, 0, (struct sockaddr *)&b->to, sizeof(b->to)) > 0)
			b->sent++;
	return NULL;
}

struct watch {
	const char *name;
	int fd, nfd;
	uint32_t events;
	unsigned int reads;
	double first_at;	/* when poll() first saw it readable */
	uint64_t samples_to_first; /* samples the first event took, from qnotify */
	uint64_t drops, drop_late, violations, samples;
	uint32_t backlog_max;
	int gone_error;
};

static void read_events(struct watch *w, double when)
{
	struct qnotify_event ev = { .size = sizeof(ev) };

	while (!qnotify_read(w->nfd, &ev)) {
		if (!w->reads) {
			w->first_at = when;
			w->samples_to_first = ev.samples;
		}
		w->reads++;
		w->events |= ev.events;
		w->drops += ev.drops;
		w->drop_late += ev.drop_late;
		w->violations += ev.violations;
		w->samples += ev.samples;
		if (ev.backlog_max > w->backlog_max)
			w->backlog_max = ev.backlog_max;
		if (ev.events & QNOTIFY_GONE)
			w->gone_error = ev.error;
		ev.size = sizeof(ev);
	}
	if (errno != EAGAIN)
		die("qnotify_read");
}

static void print_watch(const struct watch *w, double t0, uint64_t qinfo_drops)
{
	struct qos_info info;

	printf("\"%s\":{\"classid\":\"%x:%x\",", w->name,
	       qinfo(w->fd, &info) ? 0 : info.classid >> 16,
	       qinfo(w->fd, &info) ? 0 : info.classid & 0xffff);
	printf("\"events\":%u,\"reads\":%u,\"first_ms\":%.1f,\"samples_to_first\":%llu,"
	       "\"samples\":%llu,\"drops\":%llu,\"drop_late\":%llu,\"violations\":%llu,"
	       "\"backlog_max\":%u,\"qinfo_drops\":%llu}",
	       w->events, w->reads, w->reads ? (w->first_at - t0) * 1000 : -1.0,
	       (unsigned long long)w->samples_to_first, (unsigned long long)w->samples,
	       (unsigned long long)w->drops, (unsigned long long)w->drop_late,
	       (unsigned long long)w->violations, w->backlog_max,
	       (unsigned long long)qinfo_drops);
}

static int do_over(int argc, char **argv)
{
	struct watch w[2] = { { .name = "a" }, { .name = "b" } };
	struct blast b = { 0 };
	struct qos_info ia, ib;
	uint32_t interval_us, backlog;
	char ip[64], *colon;
	pthread_t tid;
	double drained = 0;
	uint64_t s0, s1;

	if (argc != 7)
		return fprintf(stderr, "over RATE IP:PORT SECONDS SIZE INTERVAL_US BACKLOG\n"), 1;
	snprintf(ip, sizeof(ip), "%s", argv[2]);
	colon = strchr(ip, ':');
	if (!colon)
		return fprintf(stderr, "over: %s: IP:PORT\n", argv[2]), 1;
	*colon = '\0';
	b.to.sin_family = AF_INET;
	b.to.sin_port = htons((uint16_t)atoi(colon + 1));
	inet_pton(AF_INET, ip, &b.to.sin_addr);
	b.seconds = atof(argv[3]);
	b.size = (size_t)atoi(argv[4]);
	interval_us = (uint32_t)atoi(argv[5]);
	backlog = (uint32_t)atoi(argv[6]);

	for (int i = 0; i < 2; i++) {
		w[i].fd = stream(strtoull(argv[1], NULL, 0));
		w[i].nfd = notifier(w[i].fd, QNOTIFY_ALL, backlog, interval_us);
	}
	b.fd = w[0].fd;
	qsock_notify_sampler(&s0, NULL);
	if (pthread_create(&tid, NULL, blaster, &b))
		die("pthread_create");
	for (;;) {
		struct pollfd pfd[2] = { { .fd = w[0].nfd, .events = POLLIN },
					 { .fd = w[1].nfd, .events = POLLIN } };

		if (poll(pfd, 2, (int)(interval_us / 1000) + 1) < 0 && errno != EINTR)
			die("poll");
		for (int i = 0; i < 2; i++)
			if (pfd[i].revents & POLLIN)
				read_events(&w[i], now_s());
		if (!b.first_send || now_s() < b.first_send + b.seconds)
			continue;
		/* the blast is over: on until A's queue has drained, and 5 samples more */
		if (qinfo(w[0].fd, &ia))
			die("qinfo a");
		if (!drained && !ia.backlog_pkts)
			drained = now_s();
		if (drained && now_s() > drained + 5.0 * interval_us / 1e6)
			break;
	}
	pthread_join(tid, NULL);
	qsock_notify_sampler(&s1, NULL);
	if (qinfo(w[0].fd, &ia) || qinfo(w[1].fd, &ib))
		die("qinfo");
	/* B's samples, which no read of B counts: the sampler's, less A's */
	printf("{\"interval_us\":%u,\"sent\":%lu,\"sampler_samples\":%llu,", interval_us,
	       b.sent, (unsigned long long)(s1 - s0));
	print_watch(&w[0], b.first_send, ia.drops);
	printf(",");
	print_watch(&w[1], b.first_send, ib.drops);
	printf("}\n");
	return 0;
}

/* ---------------------------------------------------------------- gone */

static int do_gone(void)
{
	struct watch w = { .name = "a" };
	struct pollfd pfd;
	double t0;

	w.fd = stream(125000);
	w.nfd = notifier(w.fd, QNOTIFY_DROP, 0, 0);
	if (qdetach(w.fd))
		die("qdetach");
	t0 = now_s();
	pfd = (struct pollfd){ .fd = w.nfd, .events = POLLIN };
	if (poll(&pfd, 1, 5000) != 1)
		return fprintf(stderr, "FAILED gone: no event within 5 s of qdetach\n"), 1;
	read_events(&w, now_s());
	printf("{");
	print_watch(&w, t0, 0);
	printf(",\"error\":%d}\n", w.gone_error);
	close(w.nfd);
	return 0;
}

/* ---------------------------------------------------------------- errors */

static int failures;

static void expect(const char *what, int rc, int err, const char *text)
{
	if (rc == -1 && errno == err && strstr(qsock_strerror(), text)) {
		printf("ok %s: %s\n", what, qsock_strerror());
		return;
	}
	printf("FAILED %s: rc %d errno %d (%s) \"%s\"; want errno %d and \"%s\"\n", what, rc,
	       errno, strerror(errno), qsock_strerror(), err, text);
	failures++;
}

static int do_errors(void)
{
	struct qnotify_params ok = { .size = sizeof(ok), .mask = QNOTIFY_DROP };
	struct qnotify_params bad;
	struct qnotify_event ev = { .size = sizeof(ev) };
	int fd = stream(125000), plain = socket(AF_INET, SOCK_DGRAM, 0), pfd[2], before, nfd;

	if (pipe(pfd))
		die("pipe");
	before = count_dir("/proc/self/fd");
	expect("closed fd", qnotify(1000, &ok), EBADF, "fd 1000 is not an open file descriptor");
	expect("pipe", qnotify(pfd[0], &ok), ENOTSOCK, "is not a socket");
	expect("socket without a stream", qnotify(plain, &ok), ENOENT,
	       "has no stream (qattach it first)");
	expect("NULL params", qnotify(fd, NULL), EINVAL, "struct qnotify_params is NULL");
	bad = ok, bad.size = 8;
	expect("size", qnotify(fd, &bad), EINVAL, "qnotify_params.size 8: this libqsock knows size 16");
	bad = ok, bad.mask = 0;
	expect("mask 0", qnotify(fd, &bad), EINVAL, "qnotify_params.mask is 0");
	bad = ok, bad.mask = 0x31;
	expect("unknown mask bits", qnotify(fd, &bad), EINVAL, "unknown bits 0x30");
	bad = ok, bad.interval_us = 999;
	expect("interval too short", qnotify(fd, &bad), ERANGE,
	       "qnotify_params.interval_us 999: out of range 1000..10000000");
	bad = ok, bad.interval_us = 10000001;
	expect("interval too long", qnotify(fd, &bad), ERANGE, "interval_us 10000001: out of range");
	if (count_dir("/proc/self/fd") != before) {
		printf("FAILED the failed calls left %d fds open\n", count_dir("/proc/self/fd") - before);
		failures++;
	}
	expect("read: closed fd", qnotify_read(1000, &ev), EBADF, "fd 1000 is not a qnotify descriptor");
	expect("read: a stream's socket", qnotify_read(fd, &ev), EBADF, "is not a qnotify descriptor");
	nfd = qnotify(fd, &ok);
	if (nfd < 0)
		die("qnotify");
	if ((fcntl(nfd, F_GETFD) & FD_CLOEXEC) && (fcntl(nfd, F_GETFL) & O_NONBLOCK)) {
		printf("ok the notifier is close-on-exec and non-blocking\n");
	} else {
		printf("FAILED the notifier's flags: fd %x fl %x\n", fcntl(nfd, F_GETFD),
		       fcntl(nfd, F_GETFL));
		failures++;
	}
	expect("read: NULL event", qnotify_read(nfd, NULL), EINVAL, "struct qnotify_event is NULL");
	ev.size = 4;
	expect("read: size", qnotify_read(nfd, &ev), EINVAL, "qnotify_event.size 4: at least");
	ev.size = sizeof(ev);
	expect("read: nothing happened", qnotify_read(nfd, &ev), EAGAIN, "no event since the last");
	close(nfd);
	return failures ? 1 : 0;
}

/* ---------------------------------------------------------------- leak */

static int do_leak(int n)
{
	int fd = stream(125000), *nfd = calloc((size_t)n, sizeof(int));
	int threads0 = count_dir("/proc/self/task"), fds0 = count_dir("/proc/self/fd");
	int threads1, fds1, threads2 = 0, fds2 = 0;
	uint64_t samples;
	double end;

	for (int i = 0; i < n; i++)
		nfd[i] = notifier(fd, QNOTIFY_ALL, 0, QNOTIFY_INTERVAL_MIN_US);
	usleep(20000);
	threads1 = count_dir("/proc/self/task");
	fds1 = count_dir("/proc/self/fd");
	for (int i = 0; i < n; i++)
		close(nfd[i]);
	/* the sampler sees the hang-ups at once and ends with the last: give it 2 s */
	for (end = now_s() + 2; now_s() < end; usleep(1000)) {
		threads2 = count_dir("/proc/self/task");
		fds2 = count_dir("/proc/self/fd");
		if (threads2 == threads0 && fds2 == fds0 && !qsock_notify_sampler(&samples, NULL))
			break;
	}
	printf("{\"threads\":[%d,%d,%d],\"fds\":[%d,%d,%d],\"sampler_running\":%s,", threads0,
	       threads1, threads2, fds0, fds1, fds2,
	       qsock_notify_sampler(&samples, NULL) ? "true" : "false");
	/* and a notifier made after the sampler ended starts a new one */
	nfd[0] = notifier(fd, QNOTIFY_ALL, 0, 0);
	printf("\"restarted\":%s}\n", qsock_notify_sampler(&samples, NULL) ? "true" : "false");
	close(nfd[0]);
	free(nfd);
	return 0;
}

/* ---------------------------------------------------------------- cost */

static uint64_t thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static int do_cost(int k, uint64_t want)
{
	int *fd = calloc((size_t)k, sizeof(int)), *nfd = calloc((size_t)k, sizeof(int));
	uint64_t s0, s1, c0 = 0, c1 = 0, q0, q1;
	struct qos_info info;

	for (int i = 0; i < k; i++) {
		fd[i] = stream(125000);
		nfd[i] = notifier(fd[i], QNOTIFY_ALL, 0, QNOTIFY_INTERVAL_MIN_US);
	}
	usleep(50000);
	qsock_notify_sampler(&s0, &c0);
	do {
		usleep(100000);
		qsock_notify_sampler(&s1, &c1);
	} while (s1 - s0 < want);
	/* qinfo on the same streams, as many calls, in this thread */
	q0 = thread_cpu_ns();
	for (uint64_t i = 0; i < s1 - s0; i++)
		if (qinfo(fd[i % (uint64_t)k], &info))
			die("qinfo");
	q1 = thread_cpu_ns();
	printf("{\"streams\":%d,\"samples\":%llu,\"sampler_us_per_1000\":%.0f,"
	       "\"qinfo_us_per_1000\":%.0f,\"ratio\":%.3f}\n",
	       k, (unsigned long long)(s1 - s0), (double)(c1 - c0) / (double)(s1 - s0),
	       (double)(q1 - q0) / (double)(s1 - s0),
	       (double)(c1 - c0) / (double)(q1 - q0));
	return 0;
}

int main(int argc, char **argv)
{
	int opt;

	while ((opt = getopt(argc, argv, "+d:s:")) != -1) {
		if (opt == 'd')
			dev = optarg;
		else if (opt == 's')
			sched = optarg;
		else
			return 2;
	}
	argc -= optind;
	argv += optind;
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 1 && !strcmp(argv[0], "over"))
		return do_over(argc, argv);
	if (argc == 1 && !strcmp(argv[0], "gone"))
		return do_gone();
	if (argc == 1 && !strcmp(argv[0], "errors"))
		return do_errors();
	if (argc == 2 && !strcmp(argv[0], "leak"))
		return do_leak(atoi(argv[1]));
	if (argc == 3 && !strcmp(argv[0], "cost"))
		return do_cost(atoi(argv[1]), strtoull(argv[2], NULL, 0));
	fprintf(stderr, "usage: notify_probe [-d DEV] [-s SCHED] over|gone|errors|leak|cost ...\n");
	return 2;
}
