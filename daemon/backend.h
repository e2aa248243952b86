/* SPDX-License-Identifier: GPL-2.0 */
/*
 * backend.h — what qsockd asks of the kernel side, as a small ops table.
 *
 * The real backend (backend_mgr.c) runs libqsock's manager (lib/manager.h), the same code an
 * application with CAP_NET_ADMIN runs in-process. The table exists so the whole request path
 * — framing, policy, ownership, liveness — is also tested without a kernel (test/unit's fake
 * backend), and so the daemon never includes the manager's header anywhere else.
 *
 * Every op returns 0 or -errno and writes a sentence for the user into msg on failure.
 */
#ifndef QSOCK_DAEMON_BACKEND_H
#define QSOCK_DAEMON_BACKEND_H

#include <stddef.h>

#include "../proto/proto.h"

struct qd_owner {
	uint32_t uid;
	uint32_t gid;
	uint32_t pid;
	char comm[QSOCKD_COMM_LEN];
	uint32_t allowed_flags;		/* DWCS_MARK_* bits its messages may carry (policy) */
};

struct qd_backend {
	const char *name;
	int (*init_root)(const struct qsockd_params *p, char *msg, size_t msglen);
	int (*fini_root)(const char *dev, char *msg, size_t msglen);
	/* Make sockfd a stream; fills out (cookie, classid, params as installed) and *slot_fd
	 * (the send slot map for the owner, the caller's to close; -1: the stream has none). */
	int (*attach)(int sockfd, const struct qsockd_params *p, const struct qd_owner *owner,
		      struct qsockd_stream *out, int *slot_fd, char *msg, size_t msglen);
	/* Record sockfd in the class of the stream with cookie member on dev: fills out and
	 * *slot_fd as attach does. May be NULL: JOIN is then refused (EOPNOTSUPP). */
	int (*join)(int sockfd, uint64_t member, const char *dev, const struct qd_owner *owner,
		    struct qsockd_stream *out, int *slot_fd, char *msg, size_t msglen);
	int (*change)(int sockfd, const struct qsockd_params *p, struct qsockd_stream *out,
		      char *msg, size_t msglen);
	int (*detach)(int sockfd, const char *dev, char *msg, size_t msglen);
	/* Remove a stream whose socket the daemon no longer holds (adopted after a restart, owner
	 * gone). May be NULL: such streams then stay until an operator removes them. */
	int (*detach_cookie)(const char *dev, uint64_t cookie, char *msg, size_t msglen);
	/* The scheduler's statistics of one stream. */
	int (*stats)(const struct qsockd_stream *st, struct qsockd_stats *out, char *msg,
		     size_t msglen);
	/* What is installed on dev. */
	int (*device)(const char *dev, struct qsockd_device *out, char *msg, size_t msglen);
	/* Every stream the kernel has (restart adoption), with its socket's inode (0 if the
	 * record has none); fn's non-zero return stops. */
	int (*walk)(int (*fn)(const struct qsockd_stream *st, uint64_t inode, void *arg), void *arg,
		    char *msg, size_t msglen);
};

/* The backend qsockd is linked with. */
extern const struct qd_backend *qd_backend;

#endif /* QSOCK_DAEMON_BACKEND_H */
