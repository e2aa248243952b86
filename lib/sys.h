/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sys.h — the system calls libqsock makes that libqsockshim.so interposes (socket, connect,
 * sendto, sendmsg, close), called through one table so that libqsock linked into the shim
 * never calls back into the shim's exported wrappers (socket_wrapper's libc_* layer, as seen
 * from the library side). By default the table holds libc's functions; the shim points it
 * at its own bound libc functions (qsock_sys_use) before it first calls libqsock, in the
 * same pthread_once that binds them.
 *
 * Everything else libqsock calls (getsockopt, setsockopt, read, open, ioctl, bpf through
 * libbpf's syscall) is not interposed. test/unit/shim_no_reentry.sh checks, on the objects,
 * that no other file of libqsock or proto/ names an interposed function.
 */
#ifndef QSOCK_SYS_H
#define QSOCK_SYS_H

#include <sys/socket.h>
#include <sys/types.h>

struct qsock_sys {
	int (*socket)(int domain, int type, int protocol);
	int (*connect)(int fd, const struct sockaddr *sa, socklen_t len);
	ssize_t (*sendto)(int fd, const void *buf, size_t len, int flags,
			  const struct sockaddr *to, socklen_t tolen);
	ssize_t (*sendmsg)(int fd, const struct msghdr *msg, int flags);
	int (*close)(int fd);
	int (*setsockopt)(int fd, int level, int name, const void *val, socklen_t len);
};

extern struct qsock_sys qsock_sys;

/* Use @fns (every member set) from now on, for libqsock and the protocol's client. */
void qsock_sys_use(const struct qsock_sys *fns);

#endif /* QSOCK_SYS_H */
