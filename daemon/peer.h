/* SPDX-License-Identifier: GPL-2.0 */
/*
 * peer.h — who is on the other end of a client connection, and reading a process's state
 * from /proc (start time against pid reuse, its open sockets).
 *
 * Identity is SO_PEERCRED, taken by the kernel at connect(): uid and gid cannot be forged.
 * The process name and supplementary groups come from /proc/<pid> and are only as good as
 * that pid is still the connecting process; the name is also settable by the process itself
 * (prctl PR_SET_NAME), so policy rules on process names can narrow, never safely widen, what
 * a uid may do (qsockd(8) says so).
 */
#ifndef QSOCK_DAEMON_PEER_H
#define QSOCK_DAEMON_PEER_H

#include <stdbool.h>
#include <sys/types.h>

#include "proto.h"

#define QD_MAX_GROUPS 64

struct qd_peer {
	uid_t uid;
	uid_t charge_uid;
	gid_t gid;
	pid_t pid;
	char comm[QSOCKD_COMM_LEN];
	gid_t groups[QD_MAX_GROUPS];
	unsigned int n_groups;
};

/* Fill *p from the connected UNIX socket fd. 0 or -errno. */
int qd_peer_from_socket(int fd, struct qd_peer *p);
/* /proc/<pid>/comm into comm ("?" if the process is gone). */
void qd_proc_comm(pid_t pid, char *comm, size_t len);
/* Field 22 of /proc/<pid>/stat: with the pid, names one process across pid reuse. 0 or -errno
 * (-ENOENT: no such process). */
int qd_proc_starttime(pid_t pid, unsigned long long *starttime);
/* The socket inodes process pid (started at starttime, unless 0) has open, sorted, in a
 * malloc'd array. 0, -ESRCH (gone or another process now), or -errno. One readlink per fd. */
int qd_proc_socket_inodes(pid_t pid, unsigned long long starttime, ino_t **inodes, size_t *n);

#endif /* QSOCK_DAEMON_PEER_H */
