// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * client.c — the client transport of qsockd's protocol (client.h): one bounded connection,
 * one request, its replies, each checked by the codec (proto.c).
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "client.h"

void qsockd_client_use(const struct qsockd_client_sys *s)
{
	qsockd_client_sys = *s;
}

void qsockd_client_close(int fd)
{
	qsockd_client_sys.close(fd);
}

const char *qsockd_client_path(void)
{
	const char *p = secure_getenv("QSOCKD_SOCKET");

	return p && *p ? p : QSOCKD_DEFAULT_SOCKET;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Milliseconds left until DEADLINE (CLOCK_MONOTONIC ms), 0 when it has passed. */
static int left_ms(long long deadline)
{
	long long left = deadline - now_ms();

	return left > 0 ? (int)left : 0;
}

static int wait_fd(int fd, short events, long long deadline)
{
	struct pollfd p = { .fd = fd, .events = events };
	int n;

	do {
		n = poll(&p, 1, left_ms(deadline));
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return n == 0 ? -ETIMEDOUT : 0;
}

/*
 * A UNIX stream connect() does not complete in the background: with O_NONBLOCK it fails with
 * EAGAIN when the listener's backlog is full, and blocking it waits for room for as long as
 * SO_SNDTIMEO allows. So: blocking, with SO_SNDTIMEO set to what is left of the deadline, and
 * again after a signal.
 */
static int connect_bounded(int fd, const struct sockaddr_un *sa, long long deadline)
{
	for (;;) {
		int left = left_ms(deadline);
		struct timeval tv = { .tv_sec = left / 1000, .tv_usec = (left % 1000) * 1000 };

		if (!left)
			return -ETIMEDOUT;
		if (qsockd_client_sys.setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0)
			return -errno;
		if (qsockd_client_sys.connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) == 0)
			return 0;
		if (errno == EAGAIN || errno == EINPROGRESS)
			return -ETIMEDOUT; /* the backlog stayed full until the deadline */
		if (errno != EINTR)
			return -errno;
	}
}

int qsockd_client_connect(const char *path, char *msg, size_t msglen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct timeval none = { 0 };
	int fd, err;

	if (!path)
		path = qsockd_client_path();
	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(msg, msglen, "qsockd socket path %s is too long", path);
		return -ENAMETOOLONG;
	}
	strcpy(sa.sun_path, path);
	fd = qsockd_client_sys.socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		err = -errno;
		snprintf(msg, msglen, "socket(AF_UNIX): %s", strerror(errno));
		return err;
	}
	err = connect_bounded(fd, &sa, now_ms() + QSOCKD_CLIENT_TIMEOUT_MS);
	if (err) {
		snprintf(msg, msglen, "cannot reach qsockd at %s: %s", path,
			 err == -ETIMEDOUT ? "no answer within " QSOCKD_CLIENT_TIMEOUT_TEXT
					   : strerror(-err));
		qsockd_client_sys.close(fd);
		return err;
	}
	/* every later step polls with its own deadline */
	qsockd_client_sys.setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &none, sizeof(none));
	return fd;
}

static int send_request(int fd, const struct qsockd_request *req, int passfd, long long deadline)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = (void *)req, .iov_len = sizeof(*req) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	size_t sent = 0;

	if (passfd >= 0) {
		struct cmsghdr *cm;

		memset(cbuf, 0, sizeof(cbuf));
		mh.msg_control = cbuf;
		mh.msg_controllen = sizeof(cbuf);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &passfd, sizeof(int));
	}
	/* Non-blocking: a daemon that stopped reading must not hold us past the deadline. The
	 * fd travels with the first byte that goes. */
	while (sent < sizeof(*req)) {
		ssize_t n = qsockd_client_sys.sendmsg(fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			int err = wait_fd(fd, POLLOUT, deadline);

			if (err)
				return err;
			continue;
		}
		if (n < 0)
			return -errno;
		sent += (size_t)n;
		iov.iov_base = (char *)req + sent;
		iov.iov_len = sizeof(*req) - sent;
		mh.msg_control = NULL;
		mh.msg_controllen = 0;
	}
	return 0;
}

/* Take the fds of a received control message: the first into *kept (if it holds none yet),
 * every other closed at once. */
static void take_fds(struct msghdr *mh, int *kept)
{
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(mh); cm; cm = CMSG_NXTHDR(mh, cm)) {
		size_t n;
		int *fds;

		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		fds = (int *)CMSG_DATA(cm);
		n = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < n; i++) {
			if (*kept < 0)
				*kept = fds[i];
			else
				qsockd_client_sys.close(fds[i]);
		}
	}
}

/* One reply, and the fd that may come with it (ATTACH's send slot) into *passed. */
static int read_reply(int fd, struct qsockd_reply *raw, int *passed, long long deadline)
{
	size_t have = 0;

	while (have < sizeof(*raw)) {
		union {
			char buf[CMSG_SPACE(2 * sizeof(int))];
			struct cmsghdr align;
		} ctl;
		struct iovec iov = { (char *)raw + have, sizeof(*raw) - have };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
				     .msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf) };
		ssize_t n;
		int err = wait_fd(fd, POLLIN, deadline);

		if (err)
			return err;
		n = recvmsg(fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0)
			return -errno;
		take_fds(&mh, passed);
		if (n == 0)
			return -ECONNRESET;
		have += (size_t)n;
	}
	return 0;
}

static const char *transport_error(int err)
{
	return err == -ETIMEDOUT ? "no answer within " QSOCKD_CLIENT_TIMEOUT_TEXT : strerror(-err);
}

int qsockd_client_call(int fd, struct qsockd_request *req, int passfd,
		       int (*on_reply)(const struct qsockd_reply *rep, void *arg), void *arg,
		       struct qsockd_reply *last, int *slot_fd, char *msg, size_t msglen)
{
	long long deadline = now_ms() + QSOCKD_CLIENT_TIMEOUT_MS;
	struct qsockd_reply raw;
	int err, passed = -1;

	if (slot_fd)
		*slot_fd = -1;
	err = send_request(fd, req, passfd, deadline);
	if (err) {
		snprintf(msg, msglen, "sending to qsockd: %s", transport_error(err));
		return err;
	}
	for (;;) {
		err = read_reply(fd, &raw, &passed, deadline);
		if (err) {
			snprintf(msg, msglen, "reading qsockd's reply: %s", transport_error(err));
			break;
		}
		/* A long listing (STATUS) may take longer as a whole: each reply that arrives
		 * proves progress and gives the next one the full time. */
		deadline = now_ms() + QSOCKD_CLIENT_TIMEOUT_MS;
		err = qsockd_reply_decode(&raw, sizeof(raw), last, msg, msglen);
		if (err)
			break;
		if (last->hdr.seq != req->hdr.seq || last->hdr.op != req->hdr.op) {
			snprintf(msg, msglen, "qsockd answered another request (op %u seq %u)",
				 last->hdr.op, last->hdr.seq);
			err = -EPROTO;
			break;
		}
		if (!(last->flags & QSOCKD_REPLY_F_MORE)) {
			/* an fd is taken only where the reply says it is the send slot */
			if (passed >= 0 && slot_fd && !last->error &&
			    (last->flags & QSOCKD_REPLY_F_SLOT)) {
				*slot_fd = passed;
				passed = -1;
			}
			break;
		}
		if (on_reply) {
			err = on_reply(last, arg);
			if (err)
				break;
		}
	}
	if (passed >= 0)
		qsockd_client_sys.close(passed);
	return err;
}
