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
#include <sys/socket.h>
#include <sys/types.h>

#include "proto.h"

#define QSOCKD_CLIENT_TIMEOUT_MS 2000
#define QSOCKD_CLIENT_TIMEOUT_TEXT "2 s"	/* the same, for messages */

/*
 * The system calls the client makes that an LD_PRELOAD library may interpose; libc's by
 * default. A library that interposes them and links the client (libqsockshim.so, through
 * libqsock's qsock_sys_use, lib/sys.h) passes its own bound libc functions, so that the
 * client never calls back into it. Set once, before the first call.
 */
struct qsockd_client_sys {
	int (*socket)(int domain, int type, int protocol);
	int (*connect)(int fd, const struct sockaddr *sa, socklen_t len);
	ssize_t (*sendmsg)(int fd, const struct msghdr *msg, int flags);
	int (*close)(int fd);
	int (*setsockopt)(int fd, int level, int name, const void *val, socklen_t len);
};
void qsockd_client_use(const struct qsockd_client_sys *sys);
/* The table in use (proto/sys.c: the one file of proto/ that names these functions). */
extern struct qsockd_client_sys qsockd_client_sys;

/* Close a connection of qsockd_client_connect (with the close of qsockd_client_use). */
void qsockd_client_close(int fd);

/* The socket path: $QSOCKD_SOCKET (ignored in setuid programs), else the default. */
const char *qsockd_client_path(void);

/* Connect to qsockd at path (NULL: qsockd_client_path()). fd or -errno, msg says why. */
int qsockd_client_connect(const char *path, char *msg, size_t msglen);

/*
 * qsockd_client_call() - send req (with passfd when >= 0) on fd and read replies until the
 * last one (no QSOCKD_REPLY_F_MORE). on_reply, if not NULL, sees every reply before the last
 * (a stream or a device: see its flags); the final reply is copied into *last. An ATTACH
 * reply with QSOCKD_REPLY_F_SLOT brings the stream's send slot map: its fd (close-on-exec,
 * the caller's to close) goes to *slot_fd when slot_fd is not NULL, else -1; any other fd
 * that arrives is closed. Returns 0 when the transport worked (the daemon's verdict is
 * last->error) or -errno for a transport/protocol failure (msg says which).
 */
int qsockd_client_call(int fd, struct qsockd_request *req, int passfd,
		       int (*on_reply)(const struct qsockd_reply *rep, void *arg), void *arg,
		       struct qsockd_reply *last, int *slot_fd, char *msg, size_t msglen);

#endif /* QSOCK_PROTO_CLIENT_H */
