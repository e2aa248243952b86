/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * client.h — the client side of qsockd's protocol (proto.h): connect, one request (with the
 * socket by SCM_RIGHTS), its replies. Used by libqsock's qsock_daemon_call()
 * (lib/daemon_client.c, the manager hook for callers without CAP_NET_ADMIN) and by the
 * `qsock status/top` tool.
 *
 * Every call is bounded, so a stuck, stopped or full daemon turns into ETIMEDOUT, never a
 * hung program (the shim then sends unclassified): the connect, within
 * QSOCKD_CLIENT_TIMEOUT_MS even when the daemon's backlog is full; the request and the first
 * reply, within QSOCKD_CLIENT_TIMEOUT_MS of sending; each further reply of a listing, within
 * QSOCKD_CLIENT_TIMEOUT_MS of the previous one.
 */
#ifndef QSOCK_PROTO_CLIENT_H
#define QSOCK_PROTO_CLIENT_H

#include <stddef.h>

#include "proto.h"

#define QSOCKD_CLIENT_TIMEOUT_MS 2000
#define QSOCKD_CLIENT_TIMEOUT_TEXT "2 s"	/* the same, for messages */

/* The socket path: $QSOCKD_SOCKET (ignored in setuid programs), else the default. */
const char *qsockd_client_path(void);

/* Connect to qsockd at path (NULL: qsockd_client_path()). fd or -errno, msg says why. */
int qsockd_client_connect(const char *path, char *msg, size_t msglen);

/*
 * qsockd_client_call() - send req (with passfd when >= 0) on fd and read replies until the
 * last one (no QSOCKD_REPLY_F_MORE). on_reply, if not NULL, sees every reply before the last
 * (a stream or a device: see its flags); the final reply is copied into *last. Returns 0 when the transport worked (the
 * daemon's verdict is last->error) or -errno for a transport/protocol failure (msg says
 * which).
 */
int qsockd_client_call(int fd, struct qsockd_request *req, int passfd,
		       int (*on_reply)(const struct qsockd_reply *rep, void *arg), void *arg,
		       struct qsockd_reply *last, char *msg, size_t msglen);

#endif /* QSOCK_PROTO_CLIENT_H */
