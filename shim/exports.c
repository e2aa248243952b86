// SPDX-License-Identifier: GPL-2.0
/*
 * exports.c — layer 3: the symbols libqsockshim.so exports, one line each. Nothing else in
 * the library is visible (-fvisibility=hidden plus libqsockshim.map). Variadic calls unpack
 * their arguments here and nowhere else.
 *
 * Not interposed, on purpose: sendfile and splice (they carry no per-message information and
 * pass through untouched: the socket keeps its class), the receive side, and syscall().
 */
#include <fcntl.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "shim.h"

#define SHIM_EXPORT __attribute__((visibility("default")))

SHIM_EXPORT int socket(int domain, int type, int protocol)
{
	return shim_socket(domain, type, protocol);
}

SHIM_EXPORT int bind(int fd, const struct sockaddr *addr, socklen_t len)
{
	return shim_bind(fd, addr, len);
}

SHIM_EXPORT int connect(int fd, const struct sockaddr *addr, socklen_t len)
{
	return shim_connect(fd, addr, len);
}

SHIM_EXPORT int listen(int fd, int backlog)
{
	return shim_listen(fd, backlog);
}

SHIM_EXPORT int accept(int fd, struct sockaddr *addr, socklen_t *len)
{
	return shim_accept4(fd, addr, len, 0, false);
}

SHIM_EXPORT int accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags)
{
	return shim_accept4(fd, addr, len, flags, true);
}

SHIM_EXPORT SHIM_HOT ssize_t send(int fd, const void *buf, size_t len, int flags)
{
	return shim_send(fd, buf, len, flags);
}

SHIM_EXPORT SHIM_HOT ssize_t sendto(int fd, const void *buf, size_t len, int flags,
			   const struct sockaddr *to, socklen_t tolen)
{
	return shim_sendto(fd, buf, len, flags, to, tolen);
}

SHIM_EXPORT SHIM_HOT ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
{
	return shim_sendmsg(fd, msg, flags);
}

SHIM_EXPORT int setsockopt(int fd, int level, int name, const void *val, socklen_t len)
{
	return shim_setsockopt(fd, level, name, val, len);
}

SHIM_EXPORT SHIM_HOT int sendmmsg(int fd, struct mmsghdr *vec, unsigned int vlen, int flags)
{
	return shim_sendmmsg(fd, vec, vlen, flags);
}

SHIM_EXPORT SHIM_HOT ssize_t write(int fd, const void *buf, size_t len)
{
	return shim_write(fd, buf, len);
}

SHIM_EXPORT SHIM_HOT ssize_t writev(int fd, const struct iovec *iov, int iovcnt)
{
	return shim_writev(fd, iov, iovcnt);
}

SHIM_EXPORT int close(int fd)
{
	return shim_close(fd);
}

SHIM_EXPORT int close_range(unsigned int first, unsigned int last, int flags)
{
	return shim_close_range(first, last, flags);
}

SHIM_EXPORT int dup(int fd)
{
	return shim_dup(fd);
}

SHIM_EXPORT int dup2(int fd, int fd2)
{
	return shim_dup2(fd, fd2);
}

SHIM_EXPORT int dup3(int fd, int fd2, int flags)
{
	return shim_dup3(fd, fd2, flags);
}

/* fcntl's third argument is an int, a pointer or absent; any of them travels in one register
 * slot, so it is taken as a pointer (and passed on as it came). */
#define FCNTL_ARG(cmd, arg)                                                                  \
	do {                                                                                 \
		va_list ap_;                                                                 \
		va_start(ap_, cmd);                                                          \
		(arg) = va_arg(ap_, void *);                                                 \
		va_end(ap_);                                                                 \
	} while (0)

SHIM_EXPORT int fcntl(int fd, int cmd, ...)
{
	void *arg;

	FCNTL_ARG(cmd, arg);
	return shim_fcntl(fd, cmd, arg, false);
}

SHIM_EXPORT int fcntl64(int fd, int cmd, ...)
{
	void *arg;

	FCNTL_ARG(cmd, arg);
	return shim_fcntl(fd, cmd, arg, true);
}

SHIM_EXPORT pid_t fork(void)
{
	return shim_fork();
}

SHIM_EXPORT int execve(const char *path, char *const argv[], char *const envp[])
{
	return shim_execve(path, argv, envp);
}

SHIM_EXPORT int execvpe(const char *file, char *const argv[], char *const envp[])
{
	return shim_execvpe(file, argv, envp);
}

SHIM_EXPORT int fexecve(int fd, char *const argv[], char *const envp[])
{
	return shim_fexecve(fd, argv, envp);
}

SHIM_EXPORT int execv(const char *path, char *const argv[])
{
	return shim_execv(path, argv);
}

SHIM_EXPORT int execvp(const char *file, char *const argv[])
{
	return shim_execvp(file, argv);
}

SHIM_EXPORT int posix_spawn(pid_t *pid, const char *path, const posix_spawn_file_actions_t *fa,
			    const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
	return shim_posix_spawn(pid, path, fa, attr, argv, envp);
}

SHIM_EXPORT int posix_spawnp(pid_t *pid, const char *file, const posix_spawn_file_actions_t *fa,
			     const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
	return shim_posix_spawnp(pid, file, fa, attr, argv, envp);
}

/*
 * execl*: the NULL-terminated argument list becomes an argv array on the caller's stack (a
 * VLA: exec must not allocate, it may run after vfork). execl_count() sizes it without
 * consuming @ap; execl_fill() then consumes the arguments, leaving @ap at what follows the
 * NULL (execle's envp).
 */
static size_t execl_count(va_list ap)
{
	va_list c;
	size_t n;

	va_copy(c, ap);
	for (n = 1; va_arg(c, char *); n++)
		;
	va_end(c);
	return n;
}

static void execl_fill(char **argv, size_t n, const char *arg, va_list *ap)
{
	size_t i;

	argv[0] = (char *)arg;
	for (i = 1; i <= n; i++)
		argv[i] = va_arg(*ap, char *);
}

SHIM_EXPORT int execl(const char *path, const char *arg, ...)
{
	va_list ap;

	va_start(ap, arg);
	size_t n = execl_count(ap);
	char *argv[n + 1];

	execl_fill(argv, n, arg, &ap);
	va_end(ap);
	return shim_execv(path, argv);
}

SHIM_EXPORT int execlp(const char *file, const char *arg, ...)
{
	va_list ap;

	va_start(ap, arg);
	size_t n = execl_count(ap);
	char *argv[n + 1];

	execl_fill(argv, n, arg, &ap);
	va_end(ap);
	return shim_execvp(file, argv);
}

SHIM_EXPORT int execle(const char *path, const char *arg, ...)
{
	va_list ap;
	char *const *envp;

	va_start(ap, arg);
	size_t n = execl_count(ap);
	char *argv[n + 1];

	execl_fill(argv, n, arg, &ap);
	envp = va_arg(ap, char *const *);
	va_end(ap);
	return shim_execve(path, argv, envp);
}
