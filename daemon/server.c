// SPDX-License-Identifier: GPL-2.0
/*
 * server.c — see server.h.
 *
 * Framing on a stream socket: a request is exactly sizeof(struct qsockd_request) bytes. The
 * server reads at most what the current request still needs, checks the header as soon as
 * its 16 bytes are in (a bad magic, version or size closes the connection after an error
 * reply: the byte stream cannot be resynchronised), and decodes the rest when complete (a bad
 * field gets an error reply and the connection stays usable). At most one fd may come with a
 * request; any other is closed at once. At most one fd waits to go out with a reply (an
 * ATTACH's send slot: one request at a time per connection, libqsock's one call each); it is
 * sent with the first byte of its reply, so that the client takes it with that reply.
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

struct client {
	int fd;
	struct qd_peer peer;
	unsigned char in[sizeof(struct qsockd_request)];
	size_t have;
	bool hdr_ok;
	int passed_fd;
	unsigned char *out;
	size_t out_len, out_cap;
	int out_fd;			/* goes with the queued byte at out_fd_at; -1: none */
	size_t out_fd_at;
	bool counted;			/* in its uid's struct uid_use */
	bool closing;			/* close once the output is flushed */
	long long last_ms;		/* last byte in or out */
	long long req_start_ms;		/* first byte of the request being read */
	long long out_progress_ms;	/* output queued and nothing taken since then */
};

/*
 * What each charged uid holds: connections and queued reply bytes. One entry per uid with a
 * connection; QD_MAX_CLIENTS bounds them.
 */
struct uid_use {
	uid_t uid;
	unsigned int conns;
	size_t out;
};

static struct uid_use uses[QD_MAX_CLIENTS];
static unsigned int n_uses;

static struct uid_use *use_of(uid_t uid, bool create)
{
	for (unsigned int i = 0; i < n_uses; i++)
		if (uses[i].uid == uid)
			return &uses[i];
	if (!create || n_uses == QD_MAX_CLIENTS)
		return NULL;
	uses[n_uses] = (struct uid_use){ .uid = uid };
	return &uses[n_uses++];
}

static void use_put(uid_t uid)
{
	struct uid_use *u = use_of(uid, false);

	if (u && !--u->conns)
		*u = uses[--n_uses];
}

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
		struct stat st;

		*slash = '\0';
		if (cfg->create_dir && mkdir(dir, 0755) < 0 && errno != EEXIST) {
			err = -errno;
			qd_err("socket directory %s: %s", dir, strerror(errno));
			return err;
		}
		/* never a missing parent created for a path we were given */
		err = stat(dir, &st) < 0 ? -errno : !S_ISDIR(st.st_mode) ? -ENOTDIR : 0;
		if (err) {
			qd_err("socket directory %s: %s (qsockd creates only the default's, %s)",
			       dir, strerror(-err), QSOCKD_DEFAULT_SOCKET);
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
	    listen(fd, QD_LISTEN_BACKLOG) < 0) {
		err = -errno;
		qd_err("%s: %s", cfg->path, strerror(errno));
		close(fd);
		return err;
	}
	return fd;
}

static void set_out_len(struct client *c, size_t len)
{
	struct uid_use *u = use_of(c->peer.charge_uid, false);

	if (u)
		u->out = u->out - c->out_len + len;
	c->out_len = len;
}

/* The fd waiting to go out is not sent after all (the client is dropped or gone). */
static void drop_out_fd(struct client *c)
{
	if (c->out_fd >= 0)
		close(c->out_fd);
	c->out_fd = -1;
}

static void queue_reply(struct client *c, const struct qsockd_reply *rep)
{
	struct uid_use *u = use_of(c->peer.charge_uid, false);

	if (c->closing && !c->out_len)
		return; /* dropped already (see below): nothing more for it */
	/* Root's listing of every stream may be long; anyone else's queue is bounded per
	 * connection and per charged uid, so connections that never read cannot grow us. */
	if ((c->peer.charge_uid != 0 && u && u->out + sizeof(*rep) > QD_OUT_MAX_PER_UID) ||
	    c->out_len + sizeof(*rep) > QD_OUT_MAX) {
		qd_warn("client pid %d uid %u: more than %zu bytes of replies unread, dropping the "
			"client", (int)c->peer.pid, (unsigned int)c->peer.charge_uid,
			c->out_len + sizeof(*rep) > QD_OUT_MAX ? (size_t)QD_OUT_MAX :
			(size_t)QD_OUT_MAX_PER_UID);
		c->closing = true;
		set_out_len(c, 0);
		drop_out_fd(c);
		return;
	}
	if (c->out_len + sizeof(*rep) > c->out_cap) {
		size_t cap = c->out_cap ? c->out_cap * 2 : 4 * sizeof(*rep);
		unsigned char *p;

		while (cap < c->out_len + sizeof(*rep))
			cap *= 2;
		if (!(p = realloc(c->out, cap))) {
			qd_warn("client pid %d: out of memory for its replies, dropping the client",
				(int)c->peer.pid);
			c->closing = true;
			set_out_len(c, 0);
			drop_out_fd(c);
			return;
		}
		c->out = p;
		c->out_cap = cap;
	}
	if (!c->out_len)
		c->out_progress_ms = now_ms();
	memcpy(c->out + c->out_len, rep, sizeof(*rep));
	set_out_len(c, c->out_len + sizeof(*rep));
}

/* qd_emit_fn: queue @rep, and @fd to go with its first byte. */
static void client_queue(void *arg, const struct qsockd_reply *rep, int fd)
{
	struct client *c = arg;
	size_t at = c->out_len;

	if (fd < 0) {
		queue_reply(c, rep);
		return;
	}
	if (c->out_fd >= 0) {
		/* cannot happen with one request at a time; if it did, the reply must not
		 * promise an fd the client will not get */
		struct qsockd_reply copy = *rep;

		copy.flags &= ~QSOCKD_REPLY_F_SLOT;
		close(fd);
		queue_reply(c, &copy);
		return;
	}
	queue_reply(c, rep);
	if (c->out_len == at + sizeof(*rep)) {
		c->out_fd = fd;
		c->out_fd_at = at;
	} else {
		close(fd); /* the reply was not queued: the client is being dropped */
	}
}

/* Send up to @len queued bytes, with the waiting fd when they start at its byte. */
static ssize_t send_out(struct client *c, size_t len)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { c->out, len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n;

	if (c->out_fd >= 0 && c->out_fd_at == 0) {
		struct cmsghdr *cm;

		memset(&ctl, 0, sizeof(ctl));
		mh.msg_control = ctl.buf;
		mh.msg_controllen = sizeof(ctl.buf);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &c->out_fd, sizeof(int));
	}
	n = sendmsg(c->fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
	if (n > 0 && mh.msg_control)
		drop_out_fd(c); /* the client holds its own reference now */
	return n;
}

/* Write what the client's socket takes now; -errno if the client is gone. */
static int client_flush(struct client *c)
{
	while (c->out_len) {
		/* bytes before the fd's reply go first, on their own */
		size_t len = c->out_fd >= 0 && c->out_fd_at > 0 ? c->out_fd_at : c->out_len;
		ssize_t n = send_out(c, len);

		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return 0;
			return -errno;
		}
		memmove(c->out, c->out + n, c->out_len - (size_t)n);
		set_out_len(c, c->out_len - (size_t)n);
		if (c->out_fd >= 0)
			c->out_fd_at -= (size_t)n;
		c->out_progress_ms = c->last_ms = now_ms();
	}
	/* a long listing done: give the memory back */
	if (c->out_cap > 64 * sizeof(struct qsockd_reply)) {
		free(c->out);
		c->out = NULL;
		c->out_cap = 0;
	}
	return 0;
}

static void client_error(struct client *c, uint16_t op, uint32_t seq, int err, const char *msg,
			 bool fatal)
{
	struct qsockd_reply rep;

	qsockd_reply_init(&rep, op, seq);
	qsockd_reply_error(&rep, err, "%s", msg);
	queue_reply(c, &rep);
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
	drop_out_fd(c);
	set_out_len(c, 0);
	if (c->counted)
		use_put(c->peer.charge_uid);
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
	c->last_ms = now_ms();
	if (!c->have)
		c->req_start_ms = c->last_ms; /* the half-request limit counts from here */
	c->have += (size_t)n;
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
	c->out_fd = -1;
	c->last_ms = now_ms();
	if (qd_peer_from_socket(fd, &c->peer) < 0) {
		qd_warn("SO_PEERCRED on a new client: %s", strerror(errno));
		client_free(c);
		return NULL;
	}
	return c;
}

/* The connection of UID that gives its slot up: one with nothing in progress first, then the
 * one quiet the longest. */
static int idlest_of(struct client **clients, unsigned int n, uid_t uid)
{
	int best = -1;

	for (unsigned int i = 0; i < n; i++) {
		const struct client *c = clients[i], *b = best < 0 ? NULL : clients[best];
		bool busy = c->have || c->out_len, b_busy = b && (b->have || b->out_len);

		if (c->peer.charge_uid != uid)
			continue;
		if (!b || (b_busy && !busy) || (busy == b_busy && c->last_ms < b->last_ms))
			best = (int)i;
	}
	return best;
}

/*
 * Admit C, or refuse it (-1). A uid other than root has at most QD_MAX_CLIENTS_PER_UID
 * connections. When the table is full, the uid holding the most connections gives one up
 * (its idlest) to a newcomer holding fewer, and always to root: so however many uids fill the
 * table, another uid or root still gets in, and nobody's share falls below an even one.
 */
static int admit(struct client **clients, unsigned int *n, struct client *c)
{
	static long long last_log_ms;
	struct uid_use *mine = use_of(c->peer.charge_uid, false), *heavy = NULL;
	unsigned int held = mine ? mine->conns : 0;
	long long now = now_ms();
	int victim;

	if (c->peer.charge_uid != 0 && held >= QD_MAX_CLIENTS_PER_UID) {
		/* a loop of refused connects must not flood the log: once a second at most */
		if (now - last_log_ms >= 1000) {
			qd_warn("uid %u has %u connections open: refusing pid %d",
				(unsigned int)c->peer.charge_uid, held, (int)c->peer.pid);
			last_log_ms = now;
		}
		return -1;
	}
	if (*n == QD_MAX_CLIENTS) {
		for (unsigned int i = 0; i < n_uses; i++)
			if (uses[i].uid != 0 && (!heavy || uses[i].conns > heavy->conns))
				heavy = &uses[i];
		if (!heavy || (c->peer.charge_uid != 0 && held + 1 >= heavy->conns))
			return -1;
		victim = idlest_of(clients, *n, heavy->uid);
		if (victim < 0)
			return -1;
		if (now - last_log_ms >= 1000) {
			qd_warn("%u connections: uid %u gives one (pid %d) up to uid %u",
				QD_MAX_CLIENTS, (unsigned int)heavy->uid,
				(int)clients[victim]->peer.pid, (unsigned int)c->peer.charge_uid);
			last_log_ms = now;
		}
		client_free(clients[victim]);
		clients[victim] = clients[--*n];
	}
	mine = use_of(c->peer.charge_uid, true);
	if (!mine)
		return -1;
	mine->conns++;
	c->counted = true;
	clients[(*n)++] = c;
	return 0;
}

/* pfd[]: the listening socket, the signalfd, the link events, then the clients */
#define PFD_CLIENTS 3

int qd_serve(int lfd, struct qd_ctx *ctx, const struct qd_serve_hooks *hooks)
{
	static struct client *clients[QD_MAX_CLIENTS];
	static struct pollfd pfd[QD_MAX_CLIENTS + PFD_CLIENTS];
	unsigned int n = 0;
	long long next_sweep = now_ms() + QD_SWEEP_MS;
	int stop = 0;

	while (!stop) {
		long long now = now_ms();
		int timeout = next_sweep > now ? (int)(next_sweep - now) : 0, ready;

		/* Always accept: a full table makes room fairly (admit()); a backlog left to fill
		 * would hold every new client in connect(). */
		pfd[0] = (struct pollfd){ .fd = lfd, .events = POLLIN };
		pfd[1] = (struct pollfd){ .fd = hooks->sigfd, .events = POLLIN };
		pfd[2] = (struct pollfd){ .fd = hooks->linkfd, .events = POLLIN }; /* -1: ignored */
		/* No next request is read while replies wait: a client that sends and never reads
		 * gets one request's worth of replies queued, not one per request it sends. */
		for (unsigned int i = 0; i < n; i++)
			pfd[i + PFD_CLIENTS] = (struct pollfd){
				.fd = clients[i]->fd,
				.events = (clients[i]->closing || clients[i]->out_len ? 0 : POLLIN) |
					  (clients[i]->out_len ? POLLOUT : 0),
			};
		ready = poll(pfd, n + PFD_CLIENTS, timeout);
		if (ready < 0 && errno != EINTR) {
			qd_err("poll: %s", strerror(errno));
			return -errno;
		}
		now = now_ms();
		for (unsigned int i = 0; i < n; i++) {
			struct client *c = clients[i];
			short re = pfd[i + PFD_CLIENTS].revents;
			bool drop = false;

			if (ready > 0 && (re & (POLLIN | POLLHUP | POLLERR)) && !c->out_len)
				drop = client_read(ctx, c) < 0;
			else if (ready > 0 && (re & (POLLHUP | POLLERR)))
				drop = true; /* gone with replies unread */
			if (!drop && client_flush(c) < 0)
				drop = true;
			if (!drop && c->closing && !c->out_len)
				drop = true;
			/* from the request's first byte, not its last: one byte every few seconds
			 * must not hold a connection forever */
			if (!drop && c->have && now - c->req_start_ms > QD_CLIENT_IDLE_MS) {
				qd_info("client pid %d: half a request for %d ms, dropped",
					(int)c->peer.pid, QD_CLIENT_IDLE_MS);
				drop = true;
			}
			if (!drop && c->out_len && now - c->out_progress_ms > QD_CLIENT_IDLE_MS) {
				qd_info("client pid %d: took none of its replies for %d ms, dropped",
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
				pfd[i + PFD_CLIENTS] = pfd[n - 1 + PFD_CLIENTS];
				n--;
				i--;
			}
		}
		if (ready > 0 && (pfd[0].revents & POLLIN)) {
			struct client *c;

			/* at most one backlog's worth per turn: the clients in the table come too */
			for (int k = 0; k < QD_LISTEN_BACKLOG && (c = client_new(lfd)); k++)
				if (admit(clients, &n, c) < 0)
					client_free(c);
		}
		if (ready > 0 && (pfd[1].revents & POLLIN)) {
			struct signalfd_siginfo si;

			while (read(hooks->sigfd, &si, sizeof(si)) == sizeof(si))
				stop = hooks->on_signal((int)si.ssi_signo, hooks->arg);
		}
		if (ready > 0 && (pfd[2].revents & POLLIN) && hooks->on_link)
			hooks->on_link(hooks->arg);
		if (now >= next_sweep) {
			qd_streams_sweep(&ctx->streams, ctx->be);
			next_sweep = now + QD_SWEEP_MS;
		}
	}
	for (unsigned int i = 0; i < n; i++)
		client_free(clients[i]);
	return 0;
}
