// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * daemon_client.c — the unprivileged path of libqsock: qsock_daemon_call() sends the manager
 * operation to qsockd (daemon/proto.h) instead of running it, and the plain transport
 * functions of daemon_client.h.
 *
 * One connection per call: a qattach is rare next to sends, a connect costs a few
 * microseconds, and no connection state can then leak across fork() or threads.
 */
#include <errno.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "manager.h"

/* The wire codec, compiled privately into this object (see QSOCKD_API in proto.h). */
#define QSOCKD_PROTO_STATIC
#include "../daemon/proto.c"

#include "daemon_client.h"

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
		if (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0)
			return -errno;
		if (connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) == 0)
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
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
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
		close(fd);
		return err;
	}
	/* every later step polls with its own deadline */
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &none, sizeof(none));
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
		ssize_t n = sendmsg(fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);

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

static int read_reply(int fd, struct qsockd_reply *raw, long long deadline)
{
	size_t have = 0;

	while (have < sizeof(*raw)) {
		ssize_t n;
		int err = wait_fd(fd, POLLIN, deadline);

		if (err)
			return err;
		n = read(fd, (char *)raw + have, sizeof(*raw) - have);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0)
			return -errno;
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
		       struct qsockd_reply *last, char *msg, size_t msglen)
{
	long long deadline = now_ms() + QSOCKD_CLIENT_TIMEOUT_MS;
	struct qsockd_reply raw;
	int err;

	err = send_request(fd, req, passfd, deadline);
	if (err) {
		snprintf(msg, msglen, "sending to qsockd: %s", transport_error(err));
		return err;
	}
	for (;;) {
		err = read_reply(fd, &raw, deadline);
		if (err) {
			snprintf(msg, msglen, "reading qsockd's reply: %s", transport_error(err));
			return err;
		}
		/* A long listing (STATUS) may take longer as a whole: each reply that arrives
		 * proves progress and gives the next one the full time. */
		deadline = now_ms() + QSOCKD_CLIENT_TIMEOUT_MS;
		err = qsockd_reply_decode(&raw, sizeof(raw), last, msg, msglen);
		if (err)
			return err;
		if (last->hdr.seq != req->hdr.seq || last->hdr.op != req->hdr.op) {
			snprintf(msg, msglen, "qsockd answered another request (op %u seq %u)",
				 last->hdr.op, last->hdr.seq);
			return -EPROTO;
		}
		if (!(last->flags & QSOCKD_REPLY_F_MORE))
			return 0;
		if (on_reply) {
			err = on_reply(last, arg);
			if (err)
				return err;
		}
	}
}

static void stream_from_wire(const struct qsockd_stream *w, struct qsock_stream *st)
{
	memset(st, 0, sizeof(*st));
	st->classid = w->classid;
	st->cookie = w->cookie;
	st->owner.uid = w->owner_uid;
	st->owner.pid = w->owner_pid;
	memcpy(st->owner.comm, w->owner_comm, sizeof(st->owner.comm));
	st->allowed_flags = w->allowed_flags;
	st->ifindex = w->ifindex;
	st->sock_type = w->sock_type;
	st->params.ipg_ns = w->params.ipg_ns;
	st->params.rate = w->params.rate;
	st->params.oln = w->params.oln;
	st->params.old = w->params.old;
	st->params.flags = w->params.flags;
	st->params.limit = w->params.limit;
	st->params.pkt_bytes = w->params.pkt_bytes;
	snprintf(st->dev, sizeof(st->dev), "%s", w->params.dev);
	snprintf(st->sched, sizeof(st->sched), "%s", w->params.sched);
}

/* CLOCK_MONOTONIC ms until which qsockd is not asked (it timed out); 0: ask. */
static _Atomic long long daemon_quiet_until;

int qsock_daemon_call(const struct qsock_request *req, struct qsock_stream *reply_stream,
		      struct qsock_err *err)
{
	static const uint16_t ops[] = {
		[QSOCK_OP_INIT_ROOT] = QSOCKD_OP_INIT, [QSOCK_OP_FINI_ROOT] = QSOCKD_OP_DEINIT,
		[QSOCK_OP_ATTACH] = QSOCKD_OP_ATTACH,  [QSOCK_OP_CHANGE] = QSOCKD_OP_CHANGE,
		[QSOCK_OP_DETACH] = QSOCKD_OP_DETACH,
	};
	struct qsockd_request r;
	struct qsockd_reply rep;
	int fd, rc, passfd = -1;

	if (req->op == 0 || req->op >= sizeof(ops) / sizeof(ops[0])) {
		snprintf(err->msg, sizeof(err->msg), "qsockd: unknown manager operation %u",
			 req->op);
		return -EINVAL;
	}
	qsockd_request_init(&r, ops[req->op], (uint32_t)getpid());
	snprintf(r.params.dev, sizeof(r.params.dev), "%s", req->dev);
	if (req->op != QSOCK_OP_DETACH)
		snprintf(r.params.sched, sizeof(r.params.sched), "%s", req->sched);
	switch (req->op) {
	case QSOCK_OP_INIT_ROOT:
		r.params.root_rate = req->root.rate;
		r.params.root_limit = req->root.limit;
		r.params.root_flags = req->root.flags;
		break;
	case QSOCK_OP_FINI_ROOT:
		break;
	case QSOCK_OP_ATTACH:
	case QSOCK_OP_CHANGE:
		r.params.ipg_ns = req->stream.ipg_ns;
		r.params.rate = req->stream.rate;
		r.params.oln = req->stream.oln;
		r.params.old = req->stream.old;
		r.params.flags = req->stream.flags;
		r.params.limit = req->stream.limit;
		r.params.pkt_bytes = req->stream.pkt_bytes;
		passfd = req->sockfd;
		break;
	case QSOCK_OP_DETACH:
		/* The daemon finds the stream from the socket itself. */
		memset(&r.params, 0, sizeof(r.params));
		passfd = req->sockfd;
		break;
	}
	/* A daemon that just timed out is not asked again for a while: a program opening many
	 * sockets (the shim attaches each) must not wait QSOCKD_CLIENT_TIMEOUT_MS for each. */
	if (now_ms() < atomic_load_explicit(&daemon_quiet_until, memory_order_relaxed)) {
		snprintf(err->msg, sizeof(err->msg),
			 "qsockd at %s did not answer within %s a moment ago: not asked again "
			 "for %d s", qsockd_client_path(), QSOCKD_CLIENT_TIMEOUT_TEXT,
			 QSOCKD_CLIENT_BACKOFF_MS / 1000);
		return -ETIMEDOUT;
	}
	fd = qsockd_client_connect(NULL, err->msg, sizeof(err->msg));
	if (fd == -ETIMEDOUT) {
		/* there, but full or stopped: say so, and the caller (the shim) goes on without */
		snprintf(err->msg, sizeof(err->msg),
			 "qsockd at %s did not accept the connection within %s (busy or stopped)",
			 qsockd_client_path(), QSOCKD_CLIENT_TIMEOUT_TEXT);
		atomic_store(&daemon_quiet_until, now_ms() + QSOCKD_CLIENT_BACKOFF_MS);
		return -ETIMEDOUT;
	}
	if (fd < 0) {
		snprintf(err->msg, sizeof(err->msg),
			 "this needs CAP_NET_ADMIN, or qsockd listening at %s (%s): start "
			 "qsockd.service, or run the program with CAP_NET_ADMIN",
			 qsockd_client_path(), strerror(-fd));
		return -EPERM;
	}
	rc = qsockd_client_call(fd, &r, passfd, NULL, NULL, &rep, err->msg, sizeof(err->msg));
	close(fd);
	if (rc == -ETIMEDOUT)
		atomic_store(&daemon_quiet_until, now_ms() + QSOCKD_CLIENT_BACKOFF_MS);
	if (rc)
		return rc;
	if (rep.error) {
		snprintf(err->msg, sizeof(err->msg), "qsockd: %s", rep.message);
		return -rep.error;
	}
	if (reply_stream && (rep.flags & QSOCKD_REPLY_F_STREAM))
		stream_from_wire(&rep.stream, reply_stream);
	return 0;
}
