// SPDX-License-Identifier: GPL-2.0
/*
 * ops.c — the request dispatcher (see ops.h).
 *
 * Order of checks for a stream request, cheapest and least revealing first: the passed fd is a
 * socket the peer's uid created; the stream exists; the peer owns it (uid match, or root); the
 * policy allows what it asks. A refused request changes nothing in the kernel or the table.
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <uapi/linux/pkt_sch_dwcs.h>

#include "../lib/sockinfo.h"
#include "log.h"
#include "ops.h"

/* The policy sees the charged uid (peer.h): a user's subordinate uids get that user's rule
 * and count against that user's quota. */
static void who_from_peer(const struct qd_peer *peer, struct policy_who *who)
{
	who->uid = peer->charge_uid;
	who->gid = peer->gid;
	who->groups = peer->groups;
	who->n_groups = peer->n_groups;
	who->comm = peer->comm;
}

/* The passed fd must be a socket created by the peer's uid (root may pass any). */
static int check_socket_fd(int fd, const struct qd_peer *peer, struct qsockd_reply *rep,
			   ino_t *ino)
{
	struct stat sb;

	if (fd < 0) {
		qsockd_reply_error(rep, EBADF, "%s needs the socket passed with SCM_RIGHTS",
				   qsockd_op_name(rep->hdr.op));
		return -EBADF;
	}
	if (fstat(fd, &sb) < 0) {
		qsockd_reply_error(rep, errno, "passed fd: fstat: %s", strerror(errno));
		return -EBADF;
	}
	if (!S_ISSOCK(sb.st_mode)) {
		qsockd_reply_error(rep, ENOTSOCK, "passed fd is not a socket");
		return -ENOTSOCK;
	}
	if (peer->uid != 0 && sb.st_uid != peer->uid) {
		qsockd_reply_error(rep, EPERM, "passed socket belongs to uid %u, not to uid %u",
				   (unsigned int)sb.st_uid, (unsigned int)peer->uid);
		return -EPERM;
	}
	if (ino)
		*ino = sb.st_ino;
	return 0;
}

/* The stream a CHANGE/INFO/DETACH names, by passed fd or by cookie, if the peer owns it. */
static struct qd_stream *find_owned(struct qd_ctx *ctx, const struct qsockd_request *req,
				    int fd, const struct qd_peer *peer, struct qsockd_reply *rep)
{
	struct qd_stream *s;
	uint64_t cookie = req->cookie;

	if (fd >= 0) {
		if (check_socket_fd(fd, peer, rep, NULL))
			return NULL;
		qsock_sock_cookie(fd, &cookie); /* 0 on failure: refused below */
	}
	if (!cookie) {
		qsockd_reply_error(rep, EINVAL, "%s needs the socket (SCM_RIGHTS) or its cookie",
				   qsockd_op_name(req->hdr.op));
		return NULL;
	}
	s = qd_streams_find(&ctx->streams, cookie);
	/* Another uid's stream gets the same answer as no stream: do not reveal it exists. */
	if (!s || (peer->uid != 0 && s->st.owner_uid != peer->uid)) {
		qsockd_reply_error(rep, ENOENT, "no stream with cookie %llu of uid %u",
				   (unsigned long long)cookie, (unsigned int)peer->uid);
		return NULL;
	}
	return s;
}

/*
 * A stream without rate or pkt_bytes reserves one MTU per period (the manager's rule). Fix the
 * MTU into the request before the policy sees it, so the quota counts what the kernel will
 * really reserve: 65536-byte packets on lo are not 1500-byte ones. The device is looked up in
 * the daemon's network namespace, the callers' (the manager works there too).
 */
static void pin_packet_size(struct qsockd_params *p)
{
	uint32_t mtu;

	if (p->rate || p->pkt_bytes || qsock_dev_mtu(p->dev, &mtu))
		return;
	p->pkt_bytes = mtu > 65535 ? 65535 : mtu;
}

static int policy_allows(struct qd_ctx *ctx, const struct qd_peer *peer,
			 const struct qsockd_params *p, uint64_t except, bool new_stream,
			 struct qsockd_reply *rep)
{
	struct policy_who who;
	struct policy_ask ask = {
		.device = p->dev,
		.scheduler = p->sched,
		.rate_bps = qsockd_params_rate(p),
		.nondroppable = p->flags & QSOCKD_F_NONDROPPABLE,
		.lossless = p->flags & QSOCKD_F_LOSSLESS,
		.has_dscp = p->dscp & QSOCKD_DSCP_SET,
		.dscp = (uint8_t)(p->dscp & 0x3f),
		.new_stream = new_stream,
	};
	int err;

	who_from_peer(peer, &who);
	qd_streams_usage(&ctx->streams, peer->charge_uid, except, &ask.held_streams,
			 &ask.held_rate_bps);
	err = policy_check(&ctx->policy, &who, &ask, rep->message, sizeof(rep->message));
	if (err) {
		rep->error = -err;
		qd_info("refused %s from uid %u pid %d (%s): %s", qsockd_op_name(rep->hdr.op),
			(unsigned int)peer->uid, (int)peer->pid, peer->comm, rep->message);
	}
	return err;
}

/* The per-message flags the peer's packets may carry: all of them, except non-droppable
 * when its policy rule does not allow non-droppable streams (a per-packet non-droppable mark
 * would otherwise get around that rule). */
static uint32_t allowed_marks(struct qd_ctx *ctx, const struct qd_peer *peer)
{
	struct policy_who who;

	if (peer->charge_uid == 0 && ctx->policy.root_unlimited)
		return DWCS_MARK_FIELD_MASK;
	who_from_peer(peer, &who);
	if (policy_match(&ctx->policy, &who)->lim.nondroppable)
		return DWCS_MARK_FIELD_MASK;
	return DWCS_MARK_FIELD_MASK & ~DWCS_MARK_NONDROPPABLE;
}

/* The owner the backend records for a stream the peer makes (attach, join). */
static void owner_of(struct qd_ctx *ctx, const struct qd_peer *peer, struct qd_owner *owner)
{
	memset(owner, 0, sizeof(*owner));
	owner->uid = peer->uid;
	owner->gid = peer->gid;
	owner->pid = (uint32_t)peer->pid;
	memcpy(owner->comm, peer->comm, sizeof(owner->comm));
	owner->allowed_flags = allowed_marks(ctx, peer);
}

static void do_init(struct qd_ctx *ctx, const struct qsockd_request *req,
		    const struct qd_peer *peer, struct qsockd_reply *rep)
{
	struct qsockd_device dev;
	int err;

	/*
	 * The paper's programs call qsockinit before qsocket. For a user that is not root, INIT
	 * succeeds without touching anything when the administrator already installed that
	 * scheduler there and the user's policy allows the device and scheduler; anything else
	 * that would change a device is root's.
	 */
	if (peer->uid != 0 && req->hdr.op == QSOCKD_OP_INIT && ctx->be->device &&
	    ctx->be->device(req->params.dev, &dev, rep->message, sizeof(rep->message)) == 0 &&
	    !strcmp(dev.sched, req->params.sched) && dev.classifier) {
		struct qsockd_params p = { 0 };

		memcpy(p.dev, req->params.dev, sizeof(p.dev));
		memcpy(p.sched, req->params.sched, sizeof(p.sched));
		rep->message[0] = '\0';
		if (policy_allows(ctx, peer, &p, 0, false, rep))
			return;
		snprintf(rep->message, sizeof(rep->message), "%s root already installed on %s",
			 req->params.sched, req->params.dev);
		return;
	}
	rep->message[0] = '\0';
	if (peer->uid != 0) {
		qsockd_reply_error(
			rep, EPERM,
			"%s of a root qdisc is reserved to root: list %s in policy.setup so "
			"qsockd installs it at start",
			qsockd_op_name(req->hdr.op), req->params.dev);
		return;
	}
	if (req->hdr.op == QSOCKD_OP_INIT)
		err = ctx->be->init_root(&req->params, rep->message, sizeof(rep->message));
	else
		err = ctx->be->fini_root(req->params.dev, rep->message, sizeof(rep->message));
	rep->error = -err;
	if (err)
		return;
	if (req->hdr.op == QSOCKD_OP_DEINIT) {
		/* The kernel dropped the classes with the root: forget them too. */
		for (unsigned int i = 0; i < ctx->streams.n;) {
			if (!strcmp(ctx->streams.v[i].st.params.dev, req->params.dev))
				qd_streams_remove(&ctx->streams, &ctx->streams.v[i]);
			else
				i++;
		}
	}
	qd_info("%s %s on %s by uid %u", qsockd_op_name(req->hdr.op), req->params.sched,
		req->params.dev, (unsigned int)peer->uid);
}

/*
 * A stream the backend just made for *fd (attach or join) goes into the table, owned by the
 * peer, and into the reply; the table then holds *fd (set to -1). Out of memory: the backend's
 * stream is removed again, the reply says so, -ENOMEM.
 */
static int record_stream(struct qd_ctx *ctx, const struct qd_peer *peer, struct qd_stream *s,
			 int *fd, int slot_fd, struct qsockd_reply *rep)
{
	s->st.owner_uid = peer->uid;
	s->st.owner_gid = peer->gid;
	s->st.owner_pid = (uint32_t)peer->pid;
	memcpy(s->st.owner_comm, peer->comm, sizeof(s->st.owner_comm));
	s->fd = *fd;
	/* the start time verified at accept (peer.c), not read now: the pid may be another
	 * process's by now */
	s->starttime = peer->starttime;
	s->charge_uid = peer->charge_uid;
	if (qd_streams_add(&ctx->streams, s)) {
		ctx->be->detach(*fd, s->st.params.dev, rep->message, sizeof(rep->message));
		qsockd_reply_error(rep, ENOMEM, "qsockd is out of memory");
		return -ENOMEM;
	}
	*fd = -1;
	rep->stream = s->st;
	rep->flags |= QSOCKD_REPLY_F_STREAM;
	if (slot_fd >= 0)
		rep->flags |= QSOCKD_REPLY_F_SLOT;
	return 0;
}

/* *slot_fd: the new stream's send slot, for the reply (-1: none) */
static void do_attach(struct qd_ctx *ctx, const struct qsockd_request *req_in, int *fd,
		      const struct qd_peer *peer, struct qsockd_reply *rep, int *slot_fd)
{
	struct qsockd_request copy = *req_in, *req = &copy;
	struct qd_stream s = { .fd = -1 };
	struct qd_owner owner;
	uint64_t cookie;
	int err;

	if (check_socket_fd(*fd, peer, rep, &s.ino))
		return;
	qsock_sock_cookie(*fd, &cookie); /* 0 on failure, which no stream has */
	if (qd_streams_find(&ctx->streams, cookie)) {
		qsockd_reply_error(rep, EEXIST, "the socket already has a stream: use change");
		return;
	}
	pin_packet_size(&req->params);
	if (policy_allows(ctx, peer, &req->params, 0, true, rep))
		return;
	owner_of(ctx, peer, &owner);
	err = ctx->be->attach(*fd, &req->params, &owner, &s.st, slot_fd, rep->message,
			      sizeof(rep->message));
	if (err) {
		rep->error = -err;
		return;
	}
	if (record_stream(ctx, peer, &s, fd, *slot_fd, rep))
		return;
	qd_info("attach: uid %u pid %d (%s) stream %llu on %s class %x:%x", (unsigned int)peer->uid,
		(int)peer->pid, peer->comm, (unsigned long long)s.st.cookie, s.st.params.dev,
		s.st.classid >> 16, s.st.classid & 0xffff);
}

/*
 * JOIN (share = "process"): the passed socket goes into the class of a stream the SAME
 * process attached — pid and start time as verified at accept, so neither another program of
 * the same user nor a process that reused the pid can ride on a class it did not set up.
 * The class's rate is already counted; the policy is asked again all the same (a SIGHUP may
 * have narrowed it since the attach), with that class's rate in place of what it holds.
 */
static void do_join(struct qd_ctx *ctx, const struct qsockd_request *req, int *fd,
		    const struct qd_peer *peer, struct qsockd_reply *rep, int *slot_fd)
{
	struct qd_stream s = { .fd = -1 }, *member;
	struct qd_owner owner;
	struct qsockd_params mp;
	uint64_t cookie;
	int err;

	if (check_socket_fd(*fd, peer, rep, &s.ino))
		return;
	qsock_sock_cookie(*fd, &cookie);
	if (qd_streams_find(&ctx->streams, cookie)) {
		qsockd_reply_error(rep, EEXIST, "the socket already has a stream");
		return;
	}
	member = qd_streams_find(&ctx->streams, req->cookie);
	/* another process's stream gets the same answer as none: do not reveal it exists */
	if (!member || member->st.owner_uid != peer->uid ||
	    member->st.owner_pid != (uint32_t)peer->pid || member->starttime != peer->starttime) {
		qsockd_reply_error(rep, ENOENT, "no stream with cookie %llu of this process (pid %d)",
				   (unsigned long long)req->cookie, (int)peer->pid);
		return;
	}
	if (!ctx->be->join) {
		qsockd_reply_error(rep, EOPNOTSUPP, "this qsockd's backend cannot share a class");
		return;
	}
	mp = member->st.params;
	if (policy_allows(ctx, peer, &mp, member->st.cookie, false, rep))
		return;
	owner_of(ctx, peer, &owner);
	err = ctx->be->join(*fd, req->cookie, mp.dev, &owner, &s.st, slot_fd, rep->message,
			    sizeof(rep->message));
	if (err) {
		rep->error = -err;
		return;
	}
	s.st.params = mp; /* as qsockd knows them: what the policy counted */
	if (record_stream(ctx, peer, &s, fd, *slot_fd, rep))
		return;
	qd_info("join: uid %u pid %d (%s) stream %llu into %llu's class %x:%x on %s",
		(unsigned int)peer->uid, (int)peer->pid, peer->comm,
		(unsigned long long)s.st.cookie, (unsigned long long)req->cookie,
		s.st.classid >> 16, s.st.classid & 0xffff, mp.dev);
}

static void do_change(struct qd_ctx *ctx, const struct qsockd_request *req_in, int *fd,
		      const struct qd_peer *peer, struct qsockd_reply *rep)
{
	struct qsockd_request copy = *req_in, *req = &copy;
	struct qd_stream *s = find_owned(ctx, req, *fd, peer, rep);
	struct qsockd_stream out;
	int err, use_fd;

	if (!s)
		return;
	if (strcmp(req->params.sched, s->st.params.sched)) {
		qsockd_reply_error(rep, EINVAL,
				   "stream uses scheduler %s, not %s: detach and attach to switch",
				   s->st.params.sched, req->params.sched);
		return;
	}
	if (strcmp(req->params.dev, s->st.params.dev)) {
		qsockd_reply_error(rep, EINVAL,
				   "stream is on %s, not %s: detach and attach to move it",
				   s->st.params.dev, req->params.dev);
		return;
	}
	pin_packet_size(&req->params);
	if (policy_allows(ctx, peer, &req->params, s->st.cookie, false, rep))
		return;
	use_fd = *fd >= 0 ? *fd : s->fd;
	if (use_fd < 0) {
		qsockd_reply_error(
			rep, EBADF,
			"stream adopted after a restart without its socket: pass the socket");
		return;
	}
	out = s->st;
	err = ctx->be->change(use_fd, &req->params, &out, rep->message, sizeof(rep->message));
	if (err == -ENOENT) {
		/* The kernel no longer has it (its root qdisc was replaced or removed): forget it
		 * too, so that the attach this message asks for is not refused as a duplicate. */
		qd_info("stream %llu on %s: gone from the kernel, forgotten",
			(unsigned long long)s->st.cookie, s->st.params.dev);
		qsockd_reply_error(rep, ENOENT,
				   "the stream is gone from %s (its root qdisc was replaced or "
				   "removed): qattach the socket again",
				   s->st.params.dev);
		qd_streams_remove(&ctx->streams, s);
		return;
	}
	if (err) {
		rep->error = -err;
		return;
	}
	s->st.params = req->params;
	if (out.classid)
		s->st.classid = out.classid;
	/* the class's other sockets (JOIN) have its new parameters too */
	for (unsigned int i = 0; i < ctx->streams.n; i++)
		if (&ctx->streams.v[i] != s && qd_streams_same_class(&ctx->streams.v[i], s))
			ctx->streams.v[i].st.params = req->params;
	if (s->fd < 0 && *fd >= 0) {
		/* Re-take the socket of a stream adopted without it. */
		s->fd = *fd;
		*fd = -1;
	}
	rep->stream = s->st;
	rep->flags |= QSOCKD_REPLY_F_STREAM;
}

static void do_info(struct qd_ctx *ctx, const struct qsockd_request *req, int *fd,
		    const struct qd_peer *peer, struct qsockd_reply *rep)
{
	struct qd_stream *s = find_owned(ctx, req, *fd, peer, rep);
	int err;

	if (!s)
		return;
	rep->stream = s->st;
	err = ctx->be->stats(&s->st, &rep->stream.stats, rep->message, sizeof(rep->message));
	if (err) {
		rep->error = -err;
		return;
	}
	rep->flags |= QSOCKD_REPLY_F_STREAM;
}

static void do_detach(struct qd_ctx *ctx, const struct qsockd_request *req, int *fd,
		      const struct qd_peer *peer, struct qsockd_reply *rep)
{
	struct qd_stream *s = find_owned(ctx, req, *fd, peer, rep);
	int err, use_fd;

	if (!s)
		return;
	use_fd = *fd >= 0 ? *fd : s->fd;
	if (use_fd >= 0)
		err = ctx->be->detach(use_fd, s->st.params.dev, rep->message, sizeof(rep->message));
	else if (ctx->be->detach_cookie)
		err = ctx->be->detach_cookie(s->st.params.dev, s->st.cookie, rep->message,
					     sizeof(rep->message));
	else
		err = -EBADF;
	/* ENODEV: the device went, and its classes with it; the stream is gone either way */
	if (err && err != -ENOENT && err != -ENODEV) {
		rep->error = -err;
		if (!rep->message[0])
			snprintf(rep->message, sizeof(rep->message), "detach: %s", strerror(-err));
		return;
	}
	rep->message[0] = '\0';
	qd_info("detach: uid %u stream %llu on %s", (unsigned int)peer->uid,
		(unsigned long long)s->st.cookie, s->st.params.dev);
	qd_streams_remove(&ctx->streams, s);
}

/* Streams the kernel has that qsockd does not manage: attached in-process by a program with
 * CAP_NET_ADMIN (libqsock's manager), after qsockd started. */
struct unmanaged {
	struct qd_ctx *ctx;
	struct qsockd_stream *v;
	unsigned int n, cap;
};

static int collect_unmanaged(const struct qsockd_stream *st, uint64_t inode, void *arg)
{
	struct unmanaged *u = arg;

	(void)inode;
	if (qd_streams_find(&u->ctx->streams, st->cookie))
		return 0;
	if (u->n == u->cap) {
		unsigned int cap = u->cap ? u->cap * 2 : 16;
		struct qsockd_stream *v = realloc(u->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		u->v = v;
		u->cap = cap;
	}
	u->v[u->n++] = *st;
	return 0;
}

static void emit_stream(struct qd_ctx *ctx, const struct qsockd_request *req,
			const struct qsockd_stream *st, qd_emit_fn emit, void *client)
{
	struct qsockd_reply one;
	char msg[QSOCKD_MSG_LEN];

	qsockd_reply_init(&one, req->hdr.op, req->hdr.seq);
	one.flags = QSOCKD_REPLY_F_MORE | QSOCKD_REPLY_F_STREAM;
	one.stream = *st;
	/* A stream whose statistics cannot be read is still listed, with zeros. */
	if (ctx->be->stats(st, &one.stream.stats, msg, sizeof(msg)) < 0)
		memset(&one.stream.stats, 0, sizeof(one.stream.stats));
	emit(client, &one, -1);
}

/*
 * Every stream the kernel has on qsock's devices, as the devices' STREAMS count them: those
 * qsockd manages and those programs attached in-process (which it adopts only at a restart).
 * Without the latter a device said "1 stream" above a list of none.
 */
static void do_status(struct qd_ctx *ctx, const struct qsockd_request *req,
		      const struct qd_peer *peer, struct qsockd_reply *rep, qd_emit_fn emit,
		      void *client)
{
	struct unmanaged u = { .ctx = ctx };
	unsigned int shown = 0;
	char seen[POLICY_MAX_SETUP + 64][QSOCKD_NAME_LEN];
	unsigned int n_seen = 0, n_dev;
	char msg[QSOCKD_MSG_LEN];

	/* one walk of the kernel's records; a failure leaves the list to qsockd's own */
	if (ctx->be->walk && ctx->be->walk(collect_unmanaged, &u, msg, sizeof(msg)) < 0)
		qd_warn("status: listing the kernel's streams: %s", msg);
	/* Devices first: those qsockd sets up, then those with streams; each once. Not secret:
	 * tc shows the same to anyone. */
	n_dev = ctx->policy.n_setup + ctx->streams.n + u.n;
	for (unsigned int i = 0; i < n_dev; i++) {
		const char *dev = i < ctx->policy.n_setup ? ctx->policy.setup[i].device :
				  i < ctx->policy.n_setup + ctx->streams.n ?
							    ctx->streams.v[i - ctx->policy.n_setup].st.params.dev :
							    u.v[i - ctx->policy.n_setup - ctx->streams.n].params.dev;
		struct qsockd_reply one;
		bool dup = false;

		for (unsigned int k = 0; k < n_seen && !dup; k++)
			dup = !strncmp(seen[k], dev, QSOCKD_NAME_LEN);
		if (dup || n_seen == sizeof(seen) / sizeof(seen[0]) || !ctx->be->device)
			continue;
		snprintf(seen[n_seen++], QSOCKD_NAME_LEN, "%s", dev);
		qsockd_reply_init(&one, req->hdr.op, req->hdr.seq);
		one.flags = QSOCKD_REPLY_F_MORE | QSOCKD_REPLY_F_DEVICE;
		if (ctx->be->device(dev, &one.device, msg, sizeof(msg)) < 0) {
			memset(&one.device, 0, sizeof(one.device));
			snprintf(one.device.dev, sizeof(one.device.dev), "%s", dev);
		}
		emit(client, &one, -1);
	}
	for (unsigned int i = 0; i < ctx->streams.n; i++) {
		const struct qd_stream *s = &ctx->streams.v[i];

		if (peer->uid != 0 && s->st.owner_uid != peer->uid)
			continue;
		emit_stream(ctx, req, &s->st, emit, client);
		shown++;
	}
	for (unsigned int i = 0; i < u.n; i++) {
		if (peer->uid != 0 && u.v[i].owner_uid != peer->uid)
			continue;
		emit_stream(ctx, req, &u.v[i], emit, client);
		shown++;
	}
	free(u.v);
	snprintf(rep->message, sizeof(rep->message), "%u stream%s", shown, shown == 1 ? "" : "s");
}

void qd_ops_handle(struct qd_ctx *ctx, const struct qsockd_request *req, int *passed_fd,
		   const struct qd_peer *peer, qd_emit_fn emit, void *client)
{
	struct qsockd_reply rep;
	int slot_fd = -1;

	qsockd_reply_init(&rep, req->hdr.op, req->hdr.seq);
	switch (req->hdr.op) {
	case QSOCKD_OP_INIT:
	case QSOCKD_OP_DEINIT:
		do_init(ctx, req, peer, &rep);
		break;
	case QSOCKD_OP_ATTACH:
		do_attach(ctx, req, passed_fd, peer, &rep, &slot_fd);
		break;
	case QSOCKD_OP_JOIN:
		do_join(ctx, req, passed_fd, peer, &rep, &slot_fd);
		break;
	case QSOCKD_OP_CHANGE:
		do_change(ctx, req, passed_fd, peer, &rep);
		break;
	case QSOCKD_OP_INFO:
		do_info(ctx, req, passed_fd, peer, &rep);
		break;
	case QSOCKD_OP_DETACH:
		do_detach(ctx, req, passed_fd, peer, &rep);
		break;
	case QSOCKD_OP_STATUS:
		do_status(ctx, req, peer, &rep, emit, client);
		break;
	default:
		/* The decoder refuses unknown ops; this is the privops default all the same. */
		qsockd_reply_error(&rep, EOPNOTSUPP, "unexpected operation %u", req->hdr.op);
		break;
	}
	if (rep.error && !rep.message[0])
		snprintf(rep.message, sizeof(rep.message), "%s: %s", qsockd_op_name(req->hdr.op),
			 strerror(rep.error));
	if (slot_fd >= 0 && !(rep.flags & QSOCKD_REPLY_F_SLOT)) {
		close(slot_fd); /* made, but the attach failed after all */
		slot_fd = -1;
	}
	emit(client, &rep, slot_fd);
}

static int adopt_one(const struct qsockd_stream *st, uint64_t inode, void *arg)
{
	struct qd_ctx *ctx = arg;
	/* The socket's inode from the record: without the socket itself, liveness is "the
	 * owner pid holds this inode", which a process that reused the pid does not. */
	struct qd_stream s = { .st = *st, .fd = -1, .ino = (ino_t)inode,
			       .charge_uid = st->owner_uid };
	int err;

	if (qd_streams_find(&ctx->streams, st->cookie))
		return 0;
	err = qd_stream_reacquire(&s);
	if (err)
		qd_warn("adopted stream %llu on %s (pid %u %s) without its socket: %s",
			(unsigned long long)st->cookie, st->params.dev, st->owner_pid,
			st->owner_comm, strerror(-err));
	err = qd_streams_add(&ctx->streams, &s);
	if (err && s.fd >= 0)
		close(s.fd);
	return err;
}

int qd_ops_adopt(struct qd_ctx *ctx)
{
	char msg[QSOCKD_MSG_LEN] = "";
	unsigned int before = ctx->streams.n;
	int err;

	if (!ctx->be->walk)
		return 0;
	err = ctx->be->walk(adopt_one, ctx, msg, sizeof(msg));
	if (err) {
		qd_err("adopting the kernel's streams: %s", msg[0] ? msg : strerror(-err));
		return err;
	}
	return (int)(ctx->streams.n - before);
}
