// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * api.c — the public Q.Sockets calls (qsock.h): check arguments, run the operation through
 * the manager in-process (CAP_NET_ADMIN) or through qsockd (qsock_daemon_call, the one call
 * site below), keep this process's fd table, and send with the per-message carriers.
 * Public calls return -1 and set errno; the text is in qsock_strerror().
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <uapi/linux/pkt_sch_dwcs.h>

#include "api.h"
#include "carrier.h"
#include "classifier.h"
#include "errors.h"
#include "fdtable.h"
#include "manager.h"
#include "sched_ops.h"
#include "sockinfo.h"
#include "stackinfo.h"
#include "sys.h"

#define QSOCK_EXPORT __attribute__((visibility("default")))

/* Whether the calling thread has @cap in its effective set. capget is cheap (no locks) and
 * the answer can change (setuid, capset), so it is asked at every privileged operation, not
 * cached; the send path asks nothing (the carrier was chosen at attach). */
static bool has_cap(int cap)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];

	if (syscall(SYS_capget, &h, d))
		return false;
	return d[cap / 32].effective & (1U << (cap % 32));
}

/* Run one manager operation where the privilege is: here, or in qsockd. */
static int run_op(const struct qsock_request *req, const struct qsock_owner *owner,
		  struct qsock_stream *out, int *slot_fd, struct qsock_err *err)
{
	if (slot_fd)
		*slot_fd = -1;
	if (!has_cap(CAP_NET_ADMIN))
		return qsock_daemon_call(req, out, slot_fd, err);
	switch (req->op) {
	case QSOCK_OP_INIT_ROOT:
		return qsock_mgr_init_root(req->dev, req->sched, &req->root, err);
	case QSOCK_OP_FINI_ROOT:
		return qsock_mgr_fini_root(req->dev, err);
	case QSOCK_OP_ATTACH:
		return qsock_mgr_attach(req->sockfd, req->dev, req->sched, &req->stream, owner, out,
					slot_fd, err);
	case QSOCK_OP_CHANGE:
		return qsock_mgr_change(req->sockfd, req->dev, req->sched, &req->stream, out, err);
	case QSOCK_OP_DETACH:
		return qsock_mgr_detach(req->sockfd, req->dev[0] ? req->dev : NULL, err);
	case QSOCK_OP_JOIN:
		return qsock_mgr_join(req->sockfd, req->member, req->dev[0] ? req->dev : NULL,
				      owner, out, slot_fd, err);
	}
	return qsock_errf(err, -EINVAL, "unknown manager operation %u", req->op);
}

static void fill_owner(struct qsock_owner *o)
{
	memset(o, 0, sizeof(*o));
	o->uid = getuid();
	o->pid = getpid();
	prctl(PR_GET_NAME, o->comm, 0, 0, 0);
	o->allowed_flags = DWCS_MARK_FIELD_MASK;
	o->trust_mark = has_cap(CAP_NET_ADMIN) || has_cap(CAP_NET_RAW);
}

/* @fd must be an open socket: -EBADF / -ENOTSOCK with a message otherwise. */
static int check_socket(int fd, int *type, struct qsock_err *err)
{
	socklen_t len = sizeof(*type);
	struct stat sb;

	if (fd < 0 || fstat(fd, &sb))
		return qsock_errf(err, -EBADF, "fd %d is not an open file descriptor", fd);
	if (!S_ISSOCK(sb.st_mode))
		return qsock_errf(err, -ENOTSOCK, "fd %d is not a socket", fd);
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, type, &len))
		return qsock_errf(err, -errno, "fd %d: reading SO_TYPE: %s", fd, strerror(errno));
	return 0;
}

/* This process's state for @fd, if it still is the socket that was attached. */
static struct qsock_fd_state *attached_state(int fd)
{
	struct qsock_fd_state *st = qsock_fd_get(fd);
	uint64_t cookie;

	if (!st)
		return NULL;
	qsock_sock_cookie(fd, &cookie); /* 0 when fd is no socket any more */
	if (st->stream.cookie != cookie) {
		/* closed with close() and the number reused: forget the old socket */
		atomic_store(&st->active, 0);
		return NULL;
	}
	return st;
}

static void request_init(struct qsock_request *req, enum qsock_op op, int fd,
			 const struct qos_params *p)
{
	memset(req, 0, sizeof(*req));
	req->op = op;
	req->sockfd = fd;
	if (p) {
		memcpy(req->dev, p->dev, sizeof(req->dev));
		memcpy(req->sched, p->name, sizeof(req->sched));
	}
}

QSOCK_EXPORT int qsockinit(struct qos_params *p)
{
	struct qsock_request req;
	struct qsock_err err = { "" };
	int rc;

	request_init(&req, QSOCK_OP_INIT_ROOT, -1, p);
	rc = qsock_root_params_from_api(p, &req.root, &err);
	if (!rc)
		rc = run_op(&req, NULL, NULL, NULL, &err);
	return rc ? qsock_fail("qsockinit", rc, &err) : 0;
}

QSOCK_EXPORT int qsockfini(struct qos_params *p)
{
	struct qsock_request req;
	struct qsock_err err = { "" };
	int rc;

	request_init(&req, QSOCK_OP_FINI_ROOT, -1, p);
	rc = qsock_check_names(p, &err);
	if (!rc)
		rc = run_op(&req, NULL, NULL, NULL, &err);
	return rc ? qsock_fail("qsockfini", rc, &err) : 0;
}

/* Set up this process's send-path state for a freshly attached stream, with the send slot
 * the manager made for it (@slot_fd, -1: none). */
static int arm_fd(int fd, const struct qsock_stream *stream, int slot_fd, struct qsock_err *err)
{
	const struct qsock_sched_ops *ops = qsock_sched_find(stream->sched);
	struct qsock_fd_state *st;
	int rc;

	st = qsock_fd_slot(fd, &rc);
	if (!st)
		return qsock_errf(err, rc, "fd %d: no memory for its stream state", fd);
	atomic_store(&st->active, 0);
	st->stream = *stream;
	st->path = has_cap(CAP_NET_ADMIN) ? QSOCK_PATH_IN_PROCESS : QSOCK_PATH_DAEMON;
	rc = qsock_carrier_arm(st, fd, stream, ops ? ops->mark_flags : 0,
			       has_cap(CAP_NET_ADMIN) || has_cap(CAP_NET_RAW), slot_fd, err);
	if (rc)
		return rc;
	atomic_store(&st->active, 1);
	return 0;
}

/* qattach, reporting errors as @call's (qsocket is socket + this). */
static int attach_as(const char *call, int fd, struct qos_params *p)
{
	struct qsock_request req;
	struct qsock_stream stream;
	struct qsock_owner owner;
	struct qsock_err err = { "" };
	int rc, type, slot_fd;

	request_init(&req, QSOCK_OP_ATTACH, fd, p);
	rc = qsock_stream_params_from_api(p, &req.stream, &err);
	if (!rc)
		rc = check_socket(fd, &type, &err);
	if (!rc && attached_state(fd))
		rc = qsock_errf(&err, -EEXIST, "fd %d already has a stream (use qchange)", fd);
	if (rc)
		return qsock_fail(call, rc, &err);
	fill_owner(&owner);
	rc = run_op(&req, &owner, &stream, &slot_fd, &err);
	if (!rc) {
		rc = arm_fd(fd, &stream, slot_fd, &err);
		if (slot_fd >= 0)
			qsock_sys.close(slot_fd); /* mapped by now, or not to be */
		if (rc) {
			struct qsock_err ignored;

			req.op = QSOCK_OP_DETACH;
			run_op(&req, NULL, NULL, NULL, &ignored);
		}
	}
	return rc ? qsock_fail(call, rc, &err) : 0;
}

QSOCK_EXPORT int qattach(int fd, struct qos_params *p)
{
	return attach_as("qattach", fd, p);
}

int qsock_join(int fd, int member_fd, struct qsock_err *err)
{
	struct qsock_fd_state *mst = attached_state(member_fd);
	struct qsock_request req;
	struct qsock_stream stream;
	struct qsock_owner owner;
	int rc, type, slot_fd;

	rc = check_socket(fd, &type, err);
	if (rc)
		return rc;
	if (!mst)
		return qsock_errf(err, -ENOENT, "fd %d has no stream to share", member_fd);
	if (attached_state(fd))
		return qsock_errf(err, -EEXIST, "fd %d already has a stream", fd);
	request_init(&req, QSOCK_OP_JOIN, fd, NULL);
	req.member = mst->stream.cookie;
	memcpy(req.dev, mst->stream.dev, sizeof(req.dev));
	fill_owner(&owner);
	rc = run_op(&req, &owner, &stream, &slot_fd, err);
	if (rc)
		return rc;
	rc = arm_fd(fd, &stream, slot_fd, err);
	if (slot_fd >= 0)
		qsock_sys.close(slot_fd);
	if (rc) {
		struct qsock_err ignored;

		req.op = QSOCK_OP_DETACH;
		run_op(&req, NULL, NULL, NULL, &ignored);
	}
	return rc;
}

QSOCK_EXPORT int qsocket(int domain, int type, int protocol, struct qos_params *p)
{
	struct qsock_stream_params sp;
	struct qsock_err err = { "" };
	int fd, rc, saved;

	/* Check the parameters before creating anything. */
	rc = qsock_stream_params_from_api(p, &sp, &err);
	if (rc)
		return qsock_fail("qsocket", rc, &err);
	fd = qsock_sys.socket(domain, type, protocol);
	if (fd < 0) {
		rc = -errno;
		qsock_errf(&err, rc, "socket(%d, %d, %d): %s", domain, type, protocol,
			   strerror(errno));
		return qsock_fail("qsocket", rc, &err);
	}
	if (attach_as("qsocket", fd, p)) {
		saved = errno;
		qsock_sys.close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

QSOCK_EXPORT int qchange(int fd, struct qos_params *p)
{
	struct qsock_fd_state *st;
	struct qsock_request req;
	struct qsock_stream stream;
	struct qsock_err err = { "" };
	int rc, type;

	request_init(&req, QSOCK_OP_CHANGE, fd, p);
	rc = qsock_stream_params_from_api(p, &req.stream, &err);
	if (!rc)
		rc = check_socket(fd, &type, &err);
	if (rc)
		return qsock_fail("qchange", rc, &err);
	st = attached_state(fd);
	if (!st && !has_cap(CAP_NET_ADMIN))
		return qsock_fail("qchange",
				  qsock_errf(&err, -ENOENT,
					     "fd %d has no stream (qattach it first)", fd),
				  &err);
	rc = run_op(&req, NULL, &stream, NULL, &err);
	if (rc == -ENOENT && st) {
		/* The stream is gone (its root qdisc was replaced or removed): so is this fd's,
		 * or qattach would refuse the fd as already attached. */
		qsock_carrier_disarm_mark(st, fd);
		atomic_store(&st->active, 0);
	}
	if (rc)
		return qsock_fail("qchange", rc, &err);
	if (st)
		st->stream.params = stream.params;
	return 0;
}

int qsock_api_stream(int fd, struct qsock_stream *out, struct qsock_err *err)
{
	struct qsock_fd_state *st;
	int rc, type;

	rc = check_socket(fd, &type, err);
	if (rc)
		return rc;
	st = attached_state(fd);
	if (st) {
		*out = st->stream;
		return 0;
	}
	if (has_cap(CAP_NET_ADMIN) && !qsock_mgr_lookup(fd, NULL, out, err))
		return 0;
	return qsock_errf(err, -ENOENT, "fd %d has no stream (qattach it first)", fd);
}

QSOCK_EXPORT int qinfo(int fd, struct qos_info *info)
{
	struct qsock_stream lookup;
	const struct qsock_stream *stream;
	struct qsock_fd_state *st;
	struct qsock_err err = { "" };
	int rc, type;

	if (!info)
		return qsock_fail("qinfo", qsock_errf(&err, -EINVAL, "struct qos_info is NULL"),
				  &err);
	rc = check_socket(fd, &type, &err);
	if (rc)
		return qsock_fail("qinfo", rc, &err);
	st = attached_state(fd);
	if (st) {
		stream = &st->stream;
	} else if (has_cap(CAP_NET_ADMIN) && !qsock_mgr_lookup(fd, NULL, &lookup, &err)) {
		stream = &lookup; /* attached by another process (e.g. the shim or qsockd) */
	} else {
		return qsock_fail("qinfo",
				  qsock_errf(&err, -ENOENT,
					     "fd %d has no stream (qattach it first)", fd),
				  &err);
	}
	memset(info, 0, sizeof(*info));
	info->size = sizeof(*info);
	memcpy(info->dev, stream->dev, sizeof(info->dev));
	memcpy(info->name, stream->sched, sizeof(info->name));
	info->classid = stream->classid;
	info->carrier = !st ? QSOCK_CARRIER_NONE : st->slot ? QSOCK_CARRIER_SLOT : st->carrier;
	info->path = st ? st->path : QSOCK_PATH_IN_PROCESS;
	info->oln = stream->params.oln;
	info->old = stream->params.old;
	info->stream_flags = stream->params.flags;
	info->ipg_ns = stream->params.ipg_ns;
	info->rate = stream->params.rate;
	rc = qsock_mgr_stream_stats(stream, info, &err);
	if (rc)
		return qsock_fail("qinfo", rc, &err);
	qsock_stack_info(fd, type, info);
	return 0;
}

/* Detach @fd's stream; -ENOENT when it has none this process knows of. */
static int detach(int fd, struct qsock_err *err)
{
	struct qsock_fd_state *st = attached_state(fd);
	struct qsock_request req;
	int rc;

	if (!st)
		return qsock_errf(err, -ENOENT, "fd %d has no stream", fd);
	request_init(&req, QSOCK_OP_DETACH, fd, NULL);
	memcpy(req.dev, st->stream.dev, sizeof(req.dev));
	memcpy(req.sched, st->stream.sched, sizeof(req.sched));
	rc = run_op(&req, NULL, NULL, NULL, err);
	/* ENODEV: the device was deleted, and its classes and records with it */
	if (rc && rc != -ENOENT && rc != -ENODEV)
		return rc;
	qsock_carrier_disarm_mark(st, fd); /* later plain sends carry no flags of ours */
	atomic_store(&st->active, 0);
	return 0;
}

QSOCK_EXPORT int qdetach(int fd)
{
	struct qsock_err err = { "" };
	int rc, type;

	rc = check_socket(fd, &type, &err);
	if (!rc)
		rc = detach(fd, &err);
	return rc ? qsock_fail("qdetach", rc, &err) : 0;
}

QSOCK_EXPORT int qclose(int fd)
{
	struct qsock_fd_state *st;
	struct qsock_err err = { "" };
	int rc, type;

	rc = check_socket(fd, &type, &err);
	if (rc)
		return qsock_fail("qclose", rc, &err);
	rc = detach(fd, &err);
	if (rc == -ENOENT)
		rc = 0; /* an ordinary socket: qclose is close */
	/* The fd is closed whatever happened (like close(2)): its number must not keep this
	 * socket's send state. A stream the manager could not remove is swept later. */
	st = qsock_fd_get(fd);
	if (st)
		atomic_store(&st->active, 0);
	if (qsock_sys.close(fd) && !rc)
		rc = qsock_errf(&err, -errno, "close(%d): %s", fd, strerror(errno));
	return rc ? qsock_fail("qclose", rc, &err) : 0;
}

QSOCK_EXPORT ssize_t qsendmsg(int fd, const struct msghdr *msg, int flags, struct packet_flags *pf)
{
	char cmsgs[QSOCK_CARRIER_CMSG_SPACE] __attribute__((aligned(8)));
	struct qsock_fd_state *st;
	struct qsock_err err;
	struct msghdr out;
	size_t len;
	unsigned int held;
	ssize_t n;
	int rc;

	if (!msg)
		return qsock_fail("qsendmsg", qsock_errf(&err, -EINVAL, "msghdr is NULL"), &err);
	st = qsock_fd_get(fd);
	if (!st) {
		if (!pf)
			return qsock_sys.sendmsg(fd, msg, flags);
		return qsock_fail("qsendmsg",
				  qsock_errf(&err, -EBADFD,
					     "fd %d has no stream: packet_flags need "
					     "qattach or qsocket first",
					     fd),
				  &err);
	}
	/* The caller's control data is copied on the stack with ours appended: bounded, so a
	 * huge msg_controllen is an error, not a stack overflow (qsock_carrier_merge). */
	if (msg->msg_controllen > QSOCK_CALLER_CONTROL_MAX)
		return qsock_fail("qsendmsg",
				  qsock_errf(&err, -ENOBUFS,
					     "msg_controllen %zu: at most %d bytes of the caller's "
					     "own control data can go with packet flags",
					     (size_t)msg->msg_controllen, QSOCK_CALLER_CONTROL_MAX),
				  &err);
	rc = qsock_carrier_begin(st, fd, pf, msg->msg_controllen && qsock_carrier_has_mark(msg),
				 cmsgs, &len, &held, &err);
	if (rc)
		return qsock_fail("qsendmsg", rc, &err);
	if (!len) {
		n = qsock_sys.sendmsg(fd, msg, flags);
	} else {
		_Alignas(struct cmsghdr) char buf[QSOCK_CALLER_CONTROL_MAX + QSOCK_CARRIER_CMSG_SPACE];

		qsock_carrier_merge(msg, cmsgs, len, QSOCK_CALLER_CONTROL_MAX, &out, buf);
		n = qsock_sys.sendmsg(fd, &out, flags);
	}
	qsock_carrier_end(st, held);
	return n;
}

QSOCK_EXPORT ssize_t qsendto(int fd, const void *buf, size_t len, int flags,
			     const struct sockaddr *to, socklen_t tolen, struct packet_flags *pf)
{
	char cmsgs[QSOCK_CARRIER_CMSG_SPACE] __attribute__((aligned(8)));
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr msg = {
		.msg_name = (void *)to,
		.msg_namelen = to ? tolen : 0,
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = cmsgs,
	};
	struct qsock_fd_state *st;
	struct qsock_err err;
	size_t clen;
	unsigned int held;
	ssize_t n;
	int rc;

	/* The common case costs what sendto costs: without control messages to add (no
	 * packet_flags, or a carrier that needs none for them) the call is sendto itself. */
	st = qsock_fd_get(fd);
	if (!st) {
		if (!pf)
			return qsock_sys.sendto(fd, buf, len, flags, to, tolen);
		return qsock_fail("qsendto",
				  qsock_errf(&err, -EBADFD,
					     "fd %d has no stream: packet_flags need "
					     "qattach or qsocket first",
					     fd),
				  &err);
	}
	rc = qsock_carrier_begin(st, fd, pf, false, cmsgs, &clen, &held, &err);
	if (rc)
		return qsock_fail("qsendto", rc, &err);
	if (!clen) {
		n = qsock_sys.sendto(fd, buf, len, flags, to, tolen);
	} else {
		msg.msg_controllen = clen;
		n = qsock_sys.sendmsg(fd, &msg, flags);
	}
	qsock_carrier_end(st, held);
	return n;
}

QSOCK_EXPORT ssize_t qsend(int fd, const void *buf, size_t len, int flags, struct packet_flags *pf)
{
	return qsendto(fd, buf, len, flags, NULL, 0, pf);
}

QSOCK_EXPORT uint64_t qsock_now_ns(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (uint64_t)now.tv_sec * 1000000000ULL + (uint64_t)now.tv_nsec;
}
