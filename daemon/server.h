/* SPDX-License-Identifier: GPL-2.0 */
/*
 * server.h — qsockd's UNIX stream socket and its single poll loop.
 *
 * One thread, one poll(2) over the listening socket, a signalfd and every client; each client
 * has its own input buffer (one request at a time), its passed fd and an output queue, so a
 * slow, stuck or dead client never blocks another. Between events, every 250 ms, the stream
 * table is swept for sockets whose owners are gone (streams.h).
 */
#ifndef QSOCK_DAEMON_SERVER_H
#define QSOCK_DAEMON_SERVER_H

#include <sys/types.h>

#include "ops.h"

#define QD_MAX_CLIENTS		1024
#define QD_MAX_CLIENTS_PER_UID	128	/* so one user cannot take every slot */
#define QD_CLIENT_IDLE_MS	5000	/* a half-sent request is dropped after this */
#define QD_CLIENT_QUIET_MS	30000	/* a connection with nothing to do, after this */
#define QD_SWEEP_MS		250

struct qd_listen_cfg {
	const char *path;	/* socket path; its directory is created (0755) if missing */
	mode_t mode;		/* socket file mode, e.g. 0666: who may connect */
	gid_t gid;		/* socket file group; (gid_t)-1 = leave */
};

/* Create, bind and listen; returns the fd or -errno (message logged). An existing socket
 * file is replaced only when nothing answers on it (another qsockd would). */
int qd_listen(const struct qd_listen_cfg *cfg);

/*
 * qd_serve() - run the loop until on_signal returns non-zero. sigfd is a signalfd; for each
 * signal on_signal(signo, arg) runs between requests (so a reload is atomic with respect to
 * them). Returns 0 or -errno.
 */
int qd_serve(int lfd, int sigfd, struct qd_ctx *ctx, int (*on_signal)(int signo, void *arg),
	     void *arg);

#endif /* QSOCK_DAEMON_SERVER_H */
