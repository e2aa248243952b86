/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libc.h — layer 1 of the shim: the real libc functions behind the ones we interpose.
 *
 * They are looked up once (dlsym(RTLD_NEXT), under pthread_once), either by the shim's
 * constructor or by the first wrapper that runs before it (another library's constructor
 * may create and use sockets before ours runs). Every call after that is one indirect call:
 * no dlsym per call, no lock.
 */
#ifndef QSOCK_SHIM_LIBC_H
#define QSOCK_SHIM_LIBC_H

#include <stdatomic.h>
#include <spawn.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>

#pragma GCC visibility push(hidden)

struct shim_libc {
	int (*socket)(int, int, int);
	int (*bind)(int, const struct sockaddr *, socklen_t);
	int (*connect)(int, const struct sockaddr *, socklen_t);
	int (*listen)(int, int);
	int (*accept)(int, struct sockaddr *, socklen_t *);
	int (*accept4)(int, struct sockaddr *, socklen_t *, int);
	ssize_t (*send)(int, const void *, size_t, int);
	ssize_t (*sendto)(int, const void *, size_t, int, const struct sockaddr *, socklen_t);
	ssize_t (*sendmsg)(int, const struct msghdr *, int);
	int (*sendmmsg)(int, struct mmsghdr *, unsigned int, int);
	ssize_t (*write)(int, const void *, size_t);
	ssize_t (*writev)(int, const struct iovec *, int);
	int (*close)(int);
	int (*setsockopt)(int, int, int, const void *, socklen_t);
	int (*close_range)(unsigned int, unsigned int, int);
	int (*dup)(int);
	int (*dup2)(int, int);
	int (*dup3)(int, int, int);
	int (*fcntl)(int, int, ...);
	int (*fcntl64)(int, int, ...);
	pid_t (*fork)(void);
	int (*execve)(const char *, char *const[], char *const[]);
	int (*execvpe)(const char *, char *const[], char *const[]);
	int (*fexecve)(int, char *const[], char *const[]);
	int (*posix_spawn)(pid_t *, const char *, const posix_spawn_file_actions_t *,
			   const posix_spawnattr_t *, char *const[], char *const[]);
	int (*posix_spawnp)(pid_t *, const char *, const posix_spawn_file_actions_t *,
			    const posix_spawnattr_t *, char *const[], char *const[]);
};

/* Bind the real functions into shim_hot.libc (hot.h, where libc() reads them). */
void shim_libc_bind(void);

#pragma GCC visibility pop

#include "hot.h"

#endif /* QSOCK_SHIM_LIBC_H */
