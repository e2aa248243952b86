/* SPDX-License-Identifier: GPL-2.0 */
/*
 * streams.h — qsockd's table of the streams it manages.
 *
 * Each entry holds a dup of the stream's socket (the manager's change and detach take an fd),
 * so the socket stays open while the daemon holds it: a stream is alive while its OWNER
 * process (pid + start time, so a reused pid does not count) still has the socket's inode in
 * its fd table. qd_streams_sweep() checks that for every entry, one readdir of each owner's
 * /proc/<pid>/fd, and is run four times a second: a closed socket or an exited process loses
 * its stream within 250 ms plus the sweep's own time.
 *
 * Lookups are linear: a few hundred streams per host cost microseconds, next to a netlink
 * round trip per request.
 */
#ifndef QSOCK_DAEMON_STREAMS_H
#define QSOCK_DAEMON_STREAMS_H

#include <stdbool.h>
#include <sys/types.h>

#include "backend.h"
#include "../proto/proto.h"

struct qd_stream {
	struct qsockd_stream st;	/* cookie, classid, owner, params (stats unused) */
	int fd;				/* the daemon's dup of the socket; -1 if adopted without */
	ino_t ino;			/* socket inode; 0 if unknown */
	unsigned long long starttime;	/* owner's start time; 0 if unknown */
	int owner_fd;			/* where the owner held the socket at the last sweep (a
					 * hint: a wrong one costs one scan of the owner's fds) */
	uid_t charge_uid;		/* whose quota it counts against (peer.h) */
};

struct qd_streams {
	struct qd_stream *v;
	unsigned int n, cap;
};

/* Add a copy of *s; the table now owns s->fd. 0 or -ENOMEM. */
int qd_streams_add(struct qd_streams *t, const struct qd_stream *s);
struct qd_stream *qd_streams_find(struct qd_streams *t, uint64_t cookie);
/* Remove entry (closes its fd). Invalidates pointers to later entries. */
void qd_streams_remove(struct qd_streams *t, struct qd_stream *s);
void qd_streams_free(struct qd_streams *t);
/* Whether two entries are sockets of one class (JOIN: share = "process"). */
bool qd_streams_same_class(const struct qd_stream *a, const struct qd_stream *b);
/* What streams charged to uid hold, not counting the class of the one with cookie `except`
 * (0: none); sockets sharing a class count as one stream. */
void qd_streams_usage(const struct qd_streams *t, uint32_t uid, uint64_t except,
		      unsigned int *streams, uint64_t *rate_bps);
/* Remove (through be) every stream whose owner no longer holds its socket; returns how many. */
int qd_streams_sweep(struct qd_streams *t, const struct qd_backend *be);
/* Adoption after a restart: find the socket with this cookie among pid's fds and take a dup
 * of it with pidfd_getfd(2) (needs CAP_SYS_PTRACE over the owner). Fills s->fd and s->ino;
 * -errno when it cannot. */
int qd_stream_reacquire(struct qd_stream *s);

#endif /* QSOCK_DAEMON_STREAMS_H */
