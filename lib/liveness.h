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
void qsock_inode_set_sort(struct qsock_inode_set *set);
int qsock_inode_set_has(const struct qsock_inode_set *set, uint64_t inode);
void qsock_inode_set_free(struct qsock_inode_set *set);

#endif /* QSOCK_LIVENESS_H */
