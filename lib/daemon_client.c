// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * daemon_client.c — the unprivileged path of libqsock: qsock_daemon_call() sends the manager
 * operation to qsockd (proto/proto.h) through the protocol's client (proto/client.h) instead
 * of running it.
 *
 * One connection per call: a qattach is rare next to sends, a connect costs a few
 * microseconds, and no connection state can then leak across fork() or threads.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../proto/client.h"
#include "manager.h"
#include "sys.h"
#include "wire.h"

/* After a timeout, the manager's calls fail at once for this long. */
#define QSOCKD_CLIENT_BACKOFF_MS 10000

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* CLOCK_MONOTONIC ms until which qsockd is not asked (it timed out); 0: ask. */
static _Atomic long long daemon_quiet_until;

int qsock_daemon_call(const struct qsock_request *req, struct qsock_stream *reply_stream,
		      int *slot_fd, struct qsock_err *err)
{
	static const uint16_t ops[] = {
		[QSOCK_OP_INIT_ROOT] = QSOCKD_OP_INIT, [QSOCK_OP_FINI_ROOT] = QSOCKD_OP_DEINIT,
		[QSOCK_OP_ATTACH] = QSOCKD_OP_ATTACH,  [QSOCK_OP_CHANGE] = QSOCKD_OP_CHANGE,
		[QSOCK_OP_DETACH] = QSOCKD_OP_DETACH, [QSOCK_OP_JOIN] = QSOCKD_OP_JOIN,
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
		qsock_root_to_wire(&req->root, &r.params);
		break;
	case QSOCK_OP_FINI_ROOT:
		break;
	case QSOCK_OP_ATTACH:
	case QSOCK_OP_CHANGE:
		qsock_params_to_wire(&req->stream, &r.params);
		passfd = req->sockfd;
		break;
	case QSOCK_OP_DETACH:
		/* The daemon finds the stream from the socket itself. */
		memset(&r.params, 0, sizeof(r.params));
		passfd = req->sockfd;
		break;
	case QSOCK_OP_JOIN:
		/* the device, class and parameters are the joined stream's, which qsockd has */
		memset(&r.params, 0, sizeof(r.params));
		r.cookie = req->member;
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
	rc = qsockd_client_call(fd, &r, passfd, NULL, NULL, &rep, slot_fd, err->msg,
				sizeof(err->msg));
	qsock_sys.close(fd);
	if (rc == -ETIMEDOUT)
		atomic_store(&daemon_quiet_until, now_ms() + QSOCKD_CLIENT_BACKOFF_MS);
	if (rc)
		return rc;
	if (rep.error) {
		snprintf(err->msg, sizeof(err->msg), "qsockd: %s", rep.message);
		return -rep.error;
	}
	if (reply_stream && (rep.flags & QSOCKD_REPLY_F_STREAM))
		qsock_stream_from_wire(&rep.stream, reply_stream);
	return 0;
}
