/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ops.h — one decoded request in, one or more replies out: the dispatcher `switch` of the
 * privops model. Every request is checked here again, whatever the client library checked:
 * the peer's identity against the policy, the stream's owner against the peer, the passed fd
 * against what it claims to be.
 */
#ifndef QSOCK_DAEMON_OPS_H
#define QSOCK_DAEMON_OPS_H

#include "../conf/policy.h"
#include "backend.h"
#include "peer.h"
#include "../proto/proto.h"
#include "streams.h"

struct qd_ctx {
	struct policy policy;
	struct qd_streams streams;
	const struct qd_backend *be;
};

/* @fd (-1: none) goes with @rep to the client (SCM_RIGHTS); emit owns it and closes it. */
typedef void (*qd_emit_fn)(void *client, const struct qsockd_reply *rep, int fd);

/*
 * qd_ops_handle() - serve req from peer. *passed_fd is the fd that came with the request
 * (-1: none); when the daemon keeps it, *passed_fd becomes -1, else the caller closes it.
 * Replies go to emit(client, reply, fd): exactly one, or for STATUS one per stream and a last
 * one without QSOCKD_REPLY_F_MORE. An ATTACH reply with QSOCKD_REPLY_F_SLOT comes with the
 * stream's send slot map as its fd; every other reply with -1.
 */
void qd_ops_handle(struct qd_ctx *ctx, const struct qsockd_request *req, int *passed_fd,
		   const struct qd_peer *peer, qd_emit_fn emit, void *client);

/* Restart adoption: take every stream the backend reports into the table. Returns the number
 * adopted, or -errno. */
int qd_ops_adopt(struct qd_ctx *ctx);

#endif /* QSOCK_DAEMON_OPS_H */
