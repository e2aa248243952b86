// SPDX-License-Identifier: GPL-2.0
/*
 * server.c — see server.h.
 *
 * Framing on a stream socket: a request is exactly sizeof(struct qsockd_request) bytes. The
 * server reads at most what the current request still needs, checks the header as soon as
 * its 16 bytes are in (a bad magic, version or size closes the connection after an error
 * reply: the byte stream cannot be resynchronised), and decodes the rest when complete (a bad
 * field gets an error reply and the connection stays usable). At most one fd may come with a
 * request; any other is closed at once.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "server.h"

#define QD_OUT_MAX (16u << 20) /* a client that reads nothing is dropped past this */

struct client {
	int fd;
	struct qd_peer peer;
	unsigned char in[sizeof(struct qsockd_request)];
	size_t have;
	bool hdr_ok;
	int passed_fd;
	unsigned char *out;
	size_t out_len, out_cap;
	bool closing;			/* close once the output is flushed */
	long long last_ms;
};

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int qd_listen(const struct qd_listen_cfg *cfg)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char dir[sizeof(sa.sun_path)], *slash;
	int fd, err;

	if (strlen(cfg->path) >= sizeof(sa.sun_path)) {
		qd_err("socket path %s: longer than %zu bytes", cfg->path, sizeof(sa.sun_path) - 1);
		return -ENAMETOOLONG;
	}
	strcpy(sa.sun_path, cfg->path);
	strcpy(dir, cfg->path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
			err = -errno;
			qd_err("socket directory %s: %s", dir, strerror(errno));
			return err;
		}
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		err = -errno;
		qd_err("socket(AF_UNIX): %s", strerror(errno));
		return err;
	}
	/* A live daemon answers connect(); a stale file from a crash does not. */
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
		close(fd);
		qd_err("%s: another qsockd is already listening there", cfg->path);
		return -EADDRINUSE;
	}
	close(fd);
	unlink(cfg->path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    chmod(cfg->path, cfg->mode) < 0 ||
	    (cfg->gid != (gid_t)-1 && chown(cfg->path, (uid_t)-1, cfg->gid) < 0) ||
	    listen(fd, 128) < 0) {
		err = -errno;
		qd_err("%s: %s", cfg->path, strerror(errno));
		close(fd);
		return err;
	}
	return fd;
}

static void client_queue(void *arg, const struct qsockd_reply *rep)
{
	struct client *c = arg;

	if (c->out_len + sizeof(*rep) > c->out_cap) {
		size_t cap = c->out_cap ? c->out_cap * 2 : 4 * sizeof(*rep);
		unsigned char *p;

		while (cap < c->out_len + sizeof(*rep))
			cap *= 2;
		if (cap > QD_OUT_MAX || !(p = realloc(c->out, cap))) {
			qd_warn("client pid %d: reply queue full, dropping the client",
				(int)c->peer.pid);
			c->closing = true;
			c->out_len = 0;
			return;
		}
		c->out = p;
		c->out_cap = cap;
	}
	memcpy(c->out + c->out_len, rep, sizeof(*rep));
	c->out_len += sizeof(*rep);
}

/* Write what the client's socket takes now; -errno if the client is gone. */
static int client_flush(struct client *c)
{
	while (c->out_len) {
		ssize_t n = send(c->fd, c->out, c->out_len, MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return 0;
			return -errno;
		}
		memmove(c->out, c->out + n, c->out_len - (size_t)n);
		c->out_len -= (size_t)n;
	}
	return 0;
}

static void client_error(struct client *c, uint16_t op, uint32_t seq, int err, const char *msg,
			 bool fatal)
{
	struct qsockd_reply rep;

	qsockd_reply_init(&rep, op, seq);
	qsockd_reply_error(&rep, err, "%s", msg);
	client_queue(c, &rep);
	if (fatal)
		c->closing = true;
	qd_debug("client pid %d uid %u: %s", (int)c->peer.pid, (unsigned int)c->peer.uid, msg);
}

static void client_reset(struct client *c)
{
	c->have = 0;
	c->hdr_ok = false;
	if (c->passed_fd >= 0)
		close(c->passed_fd);
	c->passed_fd = -1;
}

static void client_free(struct client *c)
{
	client_reset(c);
	close(c->fd);
	free(c->out);
	free(c);
}

/* Take the fds out of a control message: keep the first, close the rest. -EBADMSG if the
 * request carries more than one. */
static int take_fds(struct client *c, struct msghdr *mh)
{
	int extra = 0;

	for (struct cmsghdr *cm = CMSG_FIRSTHDR(mh); cm; cm = CMSG_NXTHDR(mh, cm)) {
		size_t n;
		int *fds;

		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		n = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		fds = (int *)CMSG_DATA(cm);
		for (size_t i = 0; i < n; i++) {
			int fd;

			memcpy(&fd, &fds[i], sizeof(fd));
			if (c->passed_fd < 0) {
				c->passed_fd = fd;
			} else {
				close(fd);
				extra++;
			}
		}
	}
	return extra ? -EBADMSG : 0;
}

static void client_request(struct qd_ctx *ctx, struct client *c)
{
	struct qsockd_request req;
	char msg[QSOCKD_MSG_LEN];
	int err;

	err = qsockd_request_decode(c->in, c->have, &req, msg, sizeof(msg));
	if (err) {
		struct qsockd_hdr h;

		memcpy(&h, c->in, sizeof(h));
		client_error(c, h.op, h.seq, -err, msg, false);
		return;
	}
	qd_debug("uid %u pid %d (%s): %s%s", (unsigned int)c->peer.uid, (int)c->peer.pid,
		 c->peer.comm, qsockd_op_name(req.hdr.op), c->passed_fd >= 0 ? " with fd" : "");
	qd_ops_handle(ctx, &req, &c->passed_fd, &c->peer, client_queue, c);
}

/* Read what the current request still needs. Returns -1 when the client must go. */
static int client_read(struct qd_ctx *ctx, struct client *c)
{
	char cbuf[CMSG_SPACE(sizeof(int) * 8)];
	struct iovec iov;
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
			     .msg_controllen = sizeof(cbuf) };
	ssize_t n;

	iov.iov_base = c->in + c->have;
	iov.iov_len = sizeof(c->in) - c->have;
	n = recvmsg(c->fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -1;
	if (take_fds(c, &mh) < 0 || (mh.msg_flags & MSG_CTRUNC)) {
		client_error(c, 0, 0, EBADMSG, "at most one fd may come with a request", true);
		return 0;
	}
	if (n == 0)
		return -1; /* EOF, possibly mid-request: the client died or gave up */
	c->have += (size_t)n;
	c->last_ms = now_ms();
	if (!c->hdr_ok && c->have >= sizeof(struct qsockd_hdr)) {
		char msg[QSOCKD_MSG_LEN];
		struct qsockd_hdr h;
		int err = qsockd_hdr_check(c->in, c->have, sizeof(struct qsockd_request), msg,
					   sizeof(msg));

		memcpy(&h, c->in, sizeof(h));
		if (err) {
			client_error(c, h.op, h.seq, -err, msg, true);
			return 0;
		}
		c->hdr_ok = true;
	}
	if (c->have == sizeof(c->in)) {
		client_request(ctx, c);
		client_reset(c);
	}
	return 0;
}

static struct client *client_new(int lfd)
{
	struct client *c;
	int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (fd < 0)
		return NULL;
	c = calloc(1, sizeof(*c));
	if (!c) {
		close(fd);
		return NULL;
	}
	c->fd = fd;
	c->passed_fd = -1;
	c->last_ms = now_ms();
	if (qd_peer_from_socket(fd, &c->peer) < 0) {
		qd_warn("SO_PEERCRED on a new client: %s", strerror(errno));
		client_free(c);
		return NULL;
	}
	return c;
}

int qd_serve(int lfd, int sigfd, struct qd_ctx *ctx, int (*on_signal)(int signo, void *arg),
	     void *arg)
{
	static struct client *clients[QD_MAX_CLIENTS];
	static struct pollfd pfd[QD_MAX_CLIENTS + 2];
	unsigned int n = 0;
	long long next_sweep = now_ms() + QD_SWEEP_MS;
	int stop = 0;

	while (!stop) {
		long long now = now_ms();
		int timeout = next_sweep > now ? (int)(next_sweep - now) : 0, ready;

		pfd[0] = (struct pollfd){ .fd = lfd, .events = n < QD_MAX_CLIENTS ? POLLIN : 0 };
		pfd[1] = (struct pollfd){ .fd = sigfd, .events = POLLIN };
		for (unsigned int i = 0; i < n; i++)
			pfd[i + 2] = (struct pollfd){
				.fd = clients[i]->fd,
				.events = (clients[i]->closing ? 0 : POLLIN) |
					  (clients[i]->out_len ? POLLOUT : 0),
			};
		ready = poll(pfd, n + 2, timeout);
		if (ready < 0 && errno != EINTR) {
			qd_err("poll: %s", strerror(errno));
			return -errno;
		}
		now = now_ms();
		for (unsigned int i = 0; i < n; i++) {
			struct client *c = clients[i];
			short re = pfd[i + 2].revents;
			bool drop = false;

			if (ready > 0 && (re & (POLLIN | POLLHUP | POLLERR)))
				drop = client_read(ctx, c) < 0;
			if (!drop && client_flush(c) < 0)
				drop = true;
			if (!drop && c->closing && !c->out_len)
				drop = true;
			if (!drop && c->have && now - c->last_ms > QD_CLIENT_IDLE_MS) {
				qd_info("client pid %d: half a request for %d ms, dropped",
					(int)c->peer.pid, QD_CLIENT_IDLE_MS);
				drop = true;
			}
			/* libqsock opens one connection per call: a silent one only holds a slot */
			if (!drop && !c->out_len && now - c->last_ms > QD_CLIENT_QUIET_MS)
				drop = true;
			if (drop) {
				client_free(c);
				/* Keep pfd[] aligned with clients[]: move the last into i. */
				clients[i] = clients[n - 1];
				pfd[i + 2] = pfd[n + 1];
				n--;
				i--;
			}
		}
		if (ready > 0 && (pfd[0].revents & POLLIN)) {
			struct client *c;

			while (n < QD_MAX_CLIENTS && (c = client_new(lfd))) {
				unsigned int same = 0;

				for (unsigned int i = 0; i < n; i++)
					same += clients[i]->peer.uid == c->peer.uid;
				if (c->peer.uid != 0 && same >= QD_MAX_CLIENTS_PER_UID) {
					qd_warn("uid %u has %u connections open: refusing pid %d",
						(unsigned int)c->peer.uid, same, (int)c->peer.pid);
					client_free(c);
					continue;
				}
				clients[n++] = c;
			}
		}
		if (ready > 0 && (pfd[1].revents & POLLIN)) {
			struct signalfd_siginfo si;

			while (read(sigfd, &si, sizeof(si)) == sizeof(si))
				stop = on_signal((int)si.ssi_signo, arg);
		}
		if (now >= next_sweep) {
			qd_streams_sweep(&ctx->streams, ctx->be);
			next_sweep = now + QD_SWEEP_MS;
		}
	}
	for (unsigned int i = 0; i < n; i++)
		client_free(clients[i]);
	return 0;
}
