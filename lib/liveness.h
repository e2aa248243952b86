/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* liveness.h — which sockets are still open somewhere: inodes of every fd in /proc. The one
 * /proc/PID/fd scan, for the manager's sweep and qsockd's owner checks. */
#ifndef QSOCK_LIVENESS_H
#define QSOCK_LIVENESS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "manager.h"

struct qsock_inode_set {
	uint64_t *v;
	int *fd;	/* with qsock_proc_socket_fds: the fd of v[i] (then v is left unsorted) */
	size_t n, cap;
};

/*
 * Collect the inode of every socket some process holds open (readlink /proc/PID/fd/N =
 * "socket:[INODE]"), sorted. Fails (-EACCES, ...) when a process's fds cannot be read: then
 * nothing may be concluded from a missing inode. O(open fds of the system).
 */
int qsock_open_socket_inodes(struct qsock_inode_set *set, struct qsock_err *err);
/* The same for one process @pid, added to @set unsorted: -ESRCH when it has exited (qsockd
 * checks its streams' owners one by one). */
int qsock_proc_socket_inodes(pid_t pid, struct qsock_inode_set *set, struct qsock_err *err);
/*
 * The same, recording each socket's fd number too (set->fd), for qsock_inode_set_fd_of: a
 * caller that remembers where a socket was can look there first (qsock_proc_fd_inode) and
 * scan only when it has moved.
 */
int qsock_proc_socket_fds(pid_t pid, struct qsock_inode_set *set, struct qsock_err *err);
/* The fd holding @inode in a set from qsock_proc_socket_fds, or -1. Linear. */
int qsock_inode_set_fd_of(const struct qsock_inode_set *set, uint64_t inode);
/* The inode of the socket @pid holds as @fd: one readlink. 0 and *inode when it is a socket,
 * -ENOENT when the fd (or the process) is not there, -ENOTSOCK when it is something else. */
int qsock_proc_fd_inode(pid_t pid, int fd, uint64_t *inode);
void qsock_inode_set_sort(struct qsock_inode_set *set);
int qsock_inode_set_has(const struct qsock_inode_set *set, uint64_t inode);
void qsock_inode_set_free(struct qsock_inode_set *set);

#endif /* QSOCK_LIVENESS_H */
