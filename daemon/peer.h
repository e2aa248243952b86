/* SPDX-License-Identifier: GPL-2.0 */
/*
 * peer.h — who is on the other end of a client connection, and reading a process's state
 * from /proc (start time against pid reuse, its open sockets).
 *
 * Identity is bound to the connection: uid, gid and pid from SO_PEERCRED and the
 * supplementary groups from SO_PEERGROUPS, both taken by the kernel at connect(), so a
 * connection handed to another process, or a pid reused since, changes nothing. The process
 * name, its start time and its user namespace come from /proc/<pid>, read while a pidfd of
 * the connecting process (SO_PEERPIDFD, or pidfd_open checked against the connection's uid
 * on kernels before 6.5) shows it still running; otherwise they are left unknown. The name
 * is settable by the process itself (prctl PR_SET_NAME), so policy rules on process names
 * can narrow, never safely widen, what a uid may do (qsockd(8) says so).
 *
 * Charging: a request counts against the uid that owns the caller's user-namespace chain
 * (qd_proc_charge_uid), so one user's subordinate uids and containers share that user's
 * quota and connection limits instead of multiplying them.
 */
#ifndef QSOCK_DAEMON_PEER_H
#define QSOCK_DAEMON_PEER_H

#include <stdbool.h>
#include <sys/types.h>

#include "../proto/proto.h"

#define QD_MAX_GROUPS 64

/* SO_PEERPIDFD (Linux 6.5); Debian 12's headers predate it. */
#define QD_SO_PEERPIDFD 77

struct qd_peer {
	uid_t uid;			/* SO_PEERCRED: owner of what it creates, root checks */
	uid_t charge_uid;		/* whose quotas and limits it counts against */
	gid_t gid;
	pid_t pid;
	unsigned long long starttime;	/* of pid, verified at accept; 0 if unknown */
	char comm[QSOCKD_COMM_LEN];	/* "?" if unknown */
	gid_t groups[QD_MAX_GROUPS];
	unsigned int n_groups;
	bool groups_from_socket;	/* SO_PEERGROUPS (else /proc, verified) */
};

/* Fill *p from the connected UNIX socket fd. 0 or -errno. */
int qd_peer_from_socket(int fd, struct qd_peer *p);
/*
 * qd_proc_charge_uid() - the uid a request from process PID (SO_PEERCRED uid UID) is charged
 * to: the owner, in the initial user namespace, of the outermost user namespace of its chain
 * not owned by root; UID itself when the process is in the initial namespace or every
 * namespace of its chain is root's (containers root set up hold uids root gave them).
 * 0 or -errno (*charge is then UID).
 */
int qd_proc_charge_uid(pid_t pid, uid_t uid, uid_t *charge);
/* /proc/<pid>/comm into comm ("?" if the process is gone). */
void qd_proc_comm(pid_t pid, char *comm, size_t len);
/* Field 22 of /proc/<pid>/stat: with the pid, names one process across pid reuse. 0 or -errno
 * (-ENOENT: no such process). */
int qd_proc_starttime(pid_t pid, unsigned long long *starttime);

#endif /* QSOCK_DAEMON_PEER_H */
