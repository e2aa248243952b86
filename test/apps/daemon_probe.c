// SPDX-License-Identifier: GPL-2.0
/*
 * daemon_probe — a test client of qsockd that can also misbehave on purpose.
 *
 *   daemon_probe SOCKET attach DEV SCHED IPG_NS [OLN OLD FLAGS RATE_Bps] [hold]
 *   daemon_probe SOCKET attachfd FD DEV SCHED IPG_NS   (pass inherited fd FD instead)
 *   daemon_probe SOCKET attachmany N DEV SCHED IPG_NS  N sockets, one connection; then holds
 *   daemon_probe SOCKET halffd      half a request with an fd, then exits
 *   daemon_probe SOCKET handoff DEV SCHED IPG_NS GOFILE
 *                                   connect, fork, print "parent PID" and exit; the child
 *                                   asks for a non-droppable stream once GOFILE exists
 *   daemon_probe SOCKET change COOKIE DEV SCHED IPG_NS [OLN OLD FLAGS RATE_Bps]
 *   daemon_probe SOCKET info|detach COOKIE
 *   daemon_probe SOCKET status | init DEV SCHED | deinit DEV SCHED
 *   daemon_probe SOCKET garbage N | short | version V | oversize | badfield | notsock |
 *                       twofds | halfhang | flood N
 *   daemon_probe SOCKET hold N SECS     N idle connections (non-blocking connects, retried
 *                                       for 3 s at most while the backlog is full), prints
 *                                       "holding K of N", then keeps them SECS seconds
 *   daemon_probe SOCKET slowloris MS    one request, one byte every MS ms; prints how long
 *                                       the daemon let it go on ("dropped after N ms")
 *   daemon_probe SOCKET noread N REQS   N connections each sending up to REQS STATUS
 *                                       requests and reading nothing; prints how many were
 *                                       sent, then how many the daemon dropped within 10 s
 *
 * Each reply is printed as one line: `error=N msg="..." [cookie=C classid=X uid=U pid=P
 * comm=S dev=D ipg_ns=T rate=R]`. With `hold` the probe keeps its attached socket open and
 * waits until its stdin closes (a test then closes the socket by ending the probe). Exit
 * status: 0 when the last reply had error 0, 1 for an error reply, 2 for a transport failure.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "../../proto/proto.h"

static const char *sock_path;

static int dial(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock_path);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		fprintf(stderr, "daemon_probe: connect %s: %s\n", sock_path, strerror(errno));
		exit(2);
	}
	return fd;
}

static void send_with_fds(int fd, const void *buf, size_t len, const int *fds, int nfds)
{
	char cbuf[CMSG_SPACE(sizeof(int) * 4)] = { 0 };
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (nfds) {
		struct cmsghdr *cm;

		mh.msg_control = cbuf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)nfds);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)nfds);
		memcpy(CMSG_DATA(cm), fds, sizeof(int) * (size_t)nfds);
	}
	if (sendmsg(fd, &mh, MSG_NOSIGNAL) != (ssize_t)len) {
		fprintf(stderr, "daemon_probe: send: %s\n", strerror(errno));
		exit(2);
	}
}

/* Read replies until one without MORE; print each. Returns the last reply's error. */
static int read_replies(int fd)
{
	struct qsockd_reply raw, rep;
	char msg[QSOCKD_MSG_LEN];
	int last = -1;

	for (;;) {
		size_t have = 0;

		while (have < sizeof(raw)) {
			ssize_t n = read(fd, (char *)&raw + have, sizeof(raw) - have);

			if (n <= 0) {
				printf("eof after %zu bytes\n", have);
				return last < 0 ? -2 : last;
			}
			have += (size_t)n;
		}
		if (qsockd_reply_decode(&raw, sizeof(raw), &rep, msg, sizeof(msg))) {
			printf("bad reply: %s\n", msg);
			return -2;
		}
		printf("error=%d msg=\"%s\"", rep.error, rep.message);
		if (rep.flags & QSOCKD_REPLY_F_DEVICE)
			printf(" device=%s sched=%s root=%s streams=%u", rep.device.dev,
			       rep.device.sched, rep.device.root_kind, rep.device.streams);
		if (rep.flags & QSOCKD_REPLY_F_STREAM)
			printf(" cookie=%llu classid=%x uid=%u pid=%u comm=%s dev=%s ipg_ns=%llu rate=%llu",
			       (unsigned long long)rep.stream.cookie, rep.stream.classid,
			       rep.stream.owner_uid, rep.stream.owner_pid, rep.stream.owner_comm,
			       rep.stream.params.dev, (unsigned long long)rep.stream.params.ipg_ns,
			       (unsigned long long)rep.stream.params.rate);
		printf("\n");
		fflush(stdout);
		last = rep.error;
		if (!(rep.flags & QSOCKD_REPLY_F_MORE))
			return last;
	}
}

static void fill_params(struct qsockd_params *p, char **a, int n)
{
	snprintf(p->dev, sizeof(p->dev), "%s", a[0]);
	snprintf(p->sched, sizeof(p->sched), "%s", a[1]);
	if (n > 2)
		p->ipg_ns = strtoull(a[2], NULL, 0);
	if (n > 3)
		p->oln = (uint32_t)strtoul(a[3], NULL, 0);
	if (n > 4)
		p->old = (uint32_t)strtoul(a[4], NULL, 0);
	if (n > 5)
		p->flags = (uint32_t)strtoul(a[5], NULL, 0);
	if (n > 6)
		p->rate = strtoull(a[6], NULL, 0);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int hold(int n, int secs)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	long long until = now_ms() + 3000;
	int ok = 0;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock_path);
	for (int i = 0; i < n; i++) {
		int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

		if (fd < 0)
			break;
		/* a full backlog: try again while the 3 s budget lasts, then count it failed */
		while (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
			if (errno != EAGAIN || now_ms() >= until) {
				close(fd);
				fd = -1;
				break;
			}
			usleep(1000);
		}
		ok += fd >= 0;
	}
	printf("holding %d of %d\n", ok, n);
	fflush(stdout);
	sleep((unsigned int)secs);
	return 0;
}

/* Whether the daemon closed FD: EOF (or an error) within WAIT_MS. */
static bool closed_within(int fd, int wait_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char buf[4096];

	if (poll(&p, 1, wait_ms) <= 0)
		return false;
	/* replies may come before the EOF: read them off */
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);

		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
			return true;
		if (n < 0 && errno == EAGAIN && poll(&p, 1, wait_ms) <= 0)
			return false;
	}
}

static int slowloris(int ms)
{
	struct qsockd_request req;
	long long start = now_ms();
	int fd = dial();

	qsockd_request_init(&req, QSOCKD_OP_STATUS, 1);
	for (size_t i = 0; i < sizeof(req); i++) {
		if (send(fd, (char *)&req + i, 1, MSG_NOSIGNAL) != 1 || closed_within(fd, ms)) {
			printf("dropped after %lld ms, %zu bytes sent\n", now_ms() - start, i + 1);
			return 0;
		}
	}
	printf("never dropped: the whole request went out in %lld ms\n", now_ms() - start);
	return 1;
}

static int noread(int n, int reqs)
{
	struct qsockd_request req;
	int *fds = calloc((size_t)n, sizeof(int)), *sent = calloc((size_t)n, sizeof(int));
	long long total = 0, until = now_ms() + 2000;
	int dropped = 0;

	qsockd_request_init(&req, QSOCKD_OP_STATUS, 1);
	for (int i = 0; i < n; i++) {
		fds[i] = dial();
		fcntl(fds[i], F_SETFL, O_NONBLOCK);
	}
	/* as many requests as the daemon takes, for 2 s */
	while (now_ms() < until) {
		bool more = false;

		for (int i = 0; i < n; i++)
			while (sent[i] < reqs &&
			       send(fds[i], &req, sizeof(req), MSG_NOSIGNAL) == (ssize_t)sizeof(req)) {
				sent[i]++;
				more = true;
			}
		if (!more)
			usleep(10000);
	}
	for (int i = 0; i < n; i++)
		total += sent[i];
	printf("sent %lld requests on %d connections\n", total, n);
	fflush(stdout);
	for (int i = 0; i < n; i++) {
		/* read nothing until the daemon gives up on us (or 10 s pass) */
		struct pollfd p = { .fd = fds[i], .events = POLLRDHUP };

		if (poll(&p, 1, 10000) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR)))
			dropped++;
	}
	printf("dropped %d of %d\n", dropped, n);
	return dropped == n ? 0 : 1;
}

static int status_of(int err)
{
	return err == 0 ? 0 : err == -2 ? 2 : 1;
}

static int flood(int n)
{
	struct qsockd_request req;
	int *fds = calloc((size_t)n, sizeof(int)), ok = 0;

	qsockd_request_init(&req, QSOCKD_OP_STATUS, 1);
	for (int i = 0; i < n; i++)
		fds[i] = dial();
	/* A connection the daemon refused (per-uid limit) fails here or reads EOF below. */
	for (int i = 0; i < n; i++)
		if (send(fds[i], &req, sizeof(req), MSG_NOSIGNAL) != (ssize_t)sizeof(req)) {
			close(fds[i]);
			fds[i] = -1;
		}
	for (int i = 0; i < n; i++) {
		struct qsockd_reply rep;
		size_t have = 0;

		if (fds[i] < 0)
			continue;
		/* STATUS of an empty daemon for this uid: possibly several replies; read until
		 * the final one. */
		for (;;) {
			ssize_t r = read(fds[i], (char *)&rep + have, sizeof(rep) - have);

			if (r <= 0)
				break;
			have += (size_t)r;
			if (have < sizeof(rep))
				continue;
			have = 0;
			if (!(rep.flags & QSOCKD_REPLY_F_MORE)) {
				ok += rep.error == 0;
				break;
			}
		}
		close(fds[i]);
	}
	printf("flood: %d of %d clients served\n", ok, n);
	free(fds);
	return ok == n ? 0 : 1;
}

int main(int argc, char **argv)
{
	struct qsockd_request req;
	const char *cmd;
	int fd, err;

	if (argc < 3) {
		fprintf(stderr, "usage: daemon_probe SOCKET COMMAND [ARGS]\n");
		return 2;
	}
	sock_path = argv[1];
	cmd = argv[2];
	argc -= 3;
	argv += 3;
	if (!strcmp(cmd, "flood"))
		return flood(argc ? atoi(argv[0]) : 100);
	if (!strcmp(cmd, "hold") && argc == 2)
		return hold(atoi(argv[0]), atoi(argv[1]));
	if (!strcmp(cmd, "slowloris") && argc == 1)
		return slowloris(atoi(argv[0]));
	if (!strcmp(cmd, "noread") && argc == 2)
		return noread(atoi(argv[0]), atoi(argv[1]));
	fd = dial();

	if (!strcmp(cmd, "attach") && argc >= 3) {
		int hold = !strcmp(argv[argc - 1], "hold");
		int s = socket(AF_INET, SOCK_DGRAM, 0);
		char c;

		qsockd_request_init(&req, QSOCKD_OP_ATTACH, 1);
		fill_params(&req.params, argv, argc - hold);
		send_with_fds(fd, &req, sizeof(req), &s, 1);
		err = read_replies(fd);
		if (hold) {
			while (read(STDIN_FILENO, &c, 1) > 0)
				;
		}
		return status_of(err);
	}
	if (!strcmp(cmd, "attachmany") && argc == 4) {
		int n = atoi(argv[0]), ok = 0;
		char c;

		qsockd_request_init(&req, QSOCKD_OP_ATTACH, 1);
		fill_params(&req.params, argv + 1, argc - 1);
		for (int i = 0; i < n; i++) {
			int s = socket(AF_INET, SOCK_DGRAM, 0);
			struct qsockd_reply rep;
			size_t have = 0;
			ssize_t r = 1;

			send_with_fds(fd, &req, sizeof(req), &s, 1);
			while (have < sizeof(rep) && r > 0) {
				r = read(fd, (char *)&rep + have, sizeof(rep) - have);
				have += r > 0 ? (size_t)r : 0;
			}
			ok += have == sizeof(rep) && rep.error == 0;
		}
		printf("attached %d of %d\n", ok, n);
		fflush(stdout);
		while (read(STDIN_FILENO, &c, 1) > 0)
			;
		return ok == n ? 0 : 1;
	}
	if (!strcmp(cmd, "handoff") && argc == 4) {
		/* connect, hand the connection to a child, exit: the child attaches once GOFILE
		 * exists (by then another process may have this process's pid) */
		pid_t child = fork();

		if (child < 0)
			return 2;
		if (child > 0) {
			printf("parent %d\n", (int)getpid());
			return 0;
		}
		for (int i = 0; i < 3000 && access(argv[3], F_OK); i++)
			usleep(10000);
		int s = socket(AF_INET, SOCK_DGRAM, 0);

		qsockd_request_init(&req, QSOCKD_OP_ATTACH, 1);
		fill_params(&req.params,
			    (char *[]){ argv[0], argv[1], argv[2], "0", "0", "1" }, 6);
		send_with_fds(fd, &req, sizeof(req), &s, 1);
		return status_of(read_replies(fd));
	}
	if (!strcmp(cmd, "halffd")) {
		int s = socket(AF_INET, SOCK_DGRAM, 0);

		qsockd_request_init(&req, QSOCKD_OP_ATTACH, 1);
		send_with_fds(fd, &req, 20, &s, 1);
		return 0; /* exit with the request half sent and the fd in flight */
	}
	if (!strcmp(cmd, "attachfd") && argc >= 4) {
		int s = atoi(argv[0]);

		qsockd_request_init(&req, QSOCKD_OP_ATTACH, 1);
		fill_params(&req.params, argv + 1, argc - 1);
		send_with_fds(fd, &req, sizeof(req), &s, 1);
		return status_of(read_replies(fd));
	}
	if (!strcmp(cmd, "change") && argc >= 4) {
		qsockd_request_init(&req, QSOCKD_OP_CHANGE, 1);
		req.cookie = strtoull(argv[0], NULL, 0);
		fill_params(&req.params, argv + 1, argc - 1);
	} else if ((!strcmp(cmd, "info") || !strcmp(cmd, "detach")) && argc == 1) {
		qsockd_request_init(&req, !strcmp(cmd, "info") ? QSOCKD_OP_INFO : QSOCKD_OP_DETACH,
				    1);
		req.cookie = strtoull(argv[0], NULL, 0);
	} else if (!strcmp(cmd, "status")) {
		qsockd_request_init(&req, QSOCKD_OP_STATUS, 1);
	} else if ((!strcmp(cmd, "init") || !strcmp(cmd, "deinit")) && argc == 2) {
		qsockd_request_init(&req, !strcmp(cmd, "init") ? QSOCKD_OP_INIT : QSOCKD_OP_DEINIT,
				    1);
		fill_params(&req.params, argv, 2);
	} else if (!strcmp(cmd, "garbage") && argc == 1) {
		size_t n = strtoul(argv[0], NULL, 0);
		unsigned char *buf = malloc(n);

		for (size_t i = 0; i < n; i++)
			buf[i] = (unsigned char)(i * 37 + 11);
		send_with_fds(fd, buf, n, NULL, 0);
		free(buf);
		shutdown(fd, SHUT_WR); /* nothing more is coming */
		return status_of(read_replies(fd));
	} else if (!strcmp(cmd, "short")) {
		qsockd_request_init(&req, QSOCKD_OP_STATUS, 1);
		send_with_fds(fd, &req, 10, NULL, 0);
		shutdown(fd, SHUT_WR); /* then gives up: the daemon sees EOF mid-request */
		return status_of(read_replies(fd));
	} else if (!strcmp(cmd, "halfhang")) {
		qsockd_request_init(&req, QSOCKD_OP_STATUS, 1);
		send_with_fds(fd, &req, 20, NULL, 0);
		return status_of(read_replies(fd)); /* the daemon drops us after its idle limit */
	} else if (!strcmp(cmd, "version") && argc == 1) {
		qsockd_request_init(&req, QSOCKD_OP_STATUS, 1);
		req.hdr.version = (uint16_t)atoi(argv[0]);
	} else if (!strcmp(cmd, "oversize")) {
		qsockd_request_init(&req, QSOCKD_OP_STATUS, 1);
		req.hdr.size = 1u << 20;
	} else if (!strcmp(cmd, "badfield")) {
		qsockd_request_init(&req, QSOCKD_OP_ATTACH, 1);
		fill_params(&req.params, (char *[]){ "lo", "dwcs", "1000000", "5", "2" }, 5);
	} else if (!strcmp(cmd, "notsock") || !strcmp(cmd, "twofds")) {
		int p[2], s[2];

		if (pipe(p) < 0 || socketpair(AF_UNIX, SOCK_DGRAM, 0, s) < 0)
			return 2;
		qsockd_request_init(&req, QSOCKD_OP_ATTACH, 1);
		fill_params(&req.params, (char *[]){ "lo", "htb", "1000000" }, 3);
		if (!strcmp(cmd, "notsock"))
			send_with_fds(fd, &req, sizeof(req), p, 1);
		else
			send_with_fds(fd, &req, sizeof(req), s, 2);
		return status_of(read_replies(fd));
	} else {
		fprintf(stderr, "daemon_probe: unknown command or arguments: %s\n", cmd);
		return 2;
	}
	send_with_fds(fd, &req, sizeof(req), NULL, 0);
	return status_of(read_replies(fd));
}
