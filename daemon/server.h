/* SPDX-License-Identifier: GPL-2.0 */
/*
 * server.h — qsockd's UNIX stream socket and its single poll loop.
 *
 * One thread, one poll(2) over the listening socket, a signalfd, link events and every client; each client
 * has its own input buffer (one request at a time), its passed fd and an output queue, so a
 * slow, stuck or dead client never blocks another. Between events, every 250 ms, the stream
 * table is swept for sockets whose owners are gone (streams.h).
 */
#ifndef QSOCK_DAEMON_SERVER_H
#define QSOCK_DAEMON_SERVER_H

#include <sys/types.h>

#include "ops.h"

/*
 * Limits that keep qsockd serving everyone while some users misbehave (docs/security.md).
 * Connections and queued replies are counted per charged uid (peer.h): a user's subordinate
 * uids and containers count as that user.
 */
#define QD_MAX_CLIENTS		1024
#define QD_MAX_CLIENTS_PER_UID	128	/* so one user cannot take every slot; root: no limit */
#define QD_LISTEN_BACKLOG	128
#define QD_CLIENT_IDLE_MS	5000	/* a request not complete this long after its first
					 * byte is dropped; so is a client that takes none of
					 * its replies for this long */
#define QD_CLIENT_QUIET_MS	30000	/* a connection with nothing to do, after this */
#define QD_OUT_MAX		(16u << 20) /* replies queued on one connection (root's listing
					     * of every stream: 488 bytes each) */
#define QD_OUT_MAX_PER_UID	(4u << 20) /* replies queued for one charged uid other than
					    * root, over all its connections */
#define QD_SWEEP_MS		250

struct qd_listen_cfg {
	const char *path;	/* socket path */
	bool create_dir;	/* create its directory (0755, one level) when missing: only for
				 * the default /run/qsock; a path given is used as it is */
	mode_t mode;		/* socket file mode, e.g. 0666: who may connect */
	gid_t gid;		/* socket file group; (gid_t)-1 = leave */
};

/* Create, bind and listen; returns the fd or -errno (message logged). An existing socket
 * file is replaced only when nothing answers on it (another qsockd would). */
int qd_listen(const struct qd_listen_cfg *cfg);

/* What the loop watches beside its clients; every callback runs between requests. */
struct qd_serve_hooks {
	int sigfd;				/* a signalfd */
	int (*on_signal)(int signo, void *arg);	/* non-zero: stop the loop */
	int linkfd;				/* linkwatch.h's socket; -1: none */
	void (*on_link)(void *arg);		/* linkfd is readable */
	void *arg;
};

/*
 * qd_serve() - run the loop until on_signal returns non-zero. For each signal
 * on_signal(signo, arg) runs between requests (so a reload is atomic with respect to them),
 * as does on_link(arg) when a device appeared. Returns 0 or -errno.
 */
int qd_serve(int lfd, struct qd_ctx *ctx, const struct qd_serve_hooks *hooks);

#endif /* QSOCK_DAEMON_SERVER_H */
