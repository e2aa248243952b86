// SPDX-License-Identifier: GPL-2.0
/*
 * lifecycle.c — calls that create, name, connect, duplicate and close sockets: they keep the
 * fd table true and trigger matching. Each calls the real function first (so its result and
 * errno are exactly libc's) and updates the table only on success; close is the exception:
 * the slot is forgotten before the fd number can be reused by another thread.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <string.h>
#include <unistd.h>
#include <linux/close_range.h>

#include "backend.h"
#include "fdtable.h"
#include "libc.h"
#include "shim.h"

void shim_track_new_socket(int fd, int domain, int type_and_flags)
{
	int type = type_and_flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (!shim_hot.active)
		return;
	/* The protocol is checked on the first send (probe) when it is not the default; here
	 * only the common cases are recognised without a syscall. */
	if ((domain == AF_INET || domain == AF_INET6) && (type == SOCK_DGRAM || type == SOCK_STREAM))
		shim_fd_set(fd, SHIM_FD_PENDING, type == SOCK_DGRAM ? CONF_PROTO_UDP : CONF_PROTO_TCP);
	else
		shim_fd_set(fd, SHIM_FD_FOREIGN, CONF_PROTO_ANY);
}

int shim_socket(int domain, int type, int protocol)
{
	int fd = libc()->socket(domain, type, protocol);

	if (fd < 0)
		return fd;
	if ((protocol == 0 || protocol == IPPROTO_UDP || protocol == IPPROTO_TCP ||
	     protocol == IPPROTO_UDPLITE))
		shim_track_new_socket(fd, domain, type);
	else if (shim_hot.active)
		shim_fd_set(fd, SHIM_FD_FOREIGN, CONF_PROTO_ANY); /* SCTP, ICMP echo, MPTCP, ... */
	return fd;
}

int shim_bind(int fd, const struct sockaddr *addr, socklen_t len)
{
	int ret = libc()->bind(fd, addr, len);

	if (!ret && shim_hot.active)
		shim_match(fd, NULL, 0, false);
	return ret;
}

int shim_connect(int fd, const struct sockaddr *addr, socklen_t len)
{
	int ret = libc()->connect(fd, addr, len);

	/* a non-blocking TCP connect is under way: the peer is known already */
	if (shim_hot.active && (!ret || errno == EINPROGRESS) && addr &&
	    (addr->sa_family == AF_INET || addr->sa_family == AF_INET6))
		shim_match(fd, addr, len, true);
	return ret;
}

int shim_listen(int fd, int backlog)
{
	int ret = libc()->listen(fd, backlog);

	/* a listener never sends; each accepted socket is matched on its own */
	if (!ret && shim_hot.active)
		shim_fd_set(fd, SHIM_FD_FOREIGN, CONF_PROTO_ANY);
	return ret;
}

int shim_accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags, bool is_accept4)
{
	int nfd = is_accept4 ? libc()->accept4(fd, addr, len, flags) : libc()->accept(fd, addr, len);

	if (nfd < 0 || !shim_hot.active)
		return nfd;
	/* what listens is checked on first send if it is not TCP (probe); accept on UDP fails */
	shim_fd_set(nfd, SHIM_FD_UNKNOWN, CONF_PROTO_ANY);
	{
		int saved = errno, type, proto;
		socklen_t l = sizeof(int);

		if (!getsockopt(nfd, SOL_SOCKET, SO_TYPE, &type, &l) && type == SOCK_STREAM &&
		    !getsockopt(nfd, SOL_SOCKET, SO_PROTOCOL, &proto, &l) && proto == IPPROTO_TCP) {
			shim_fd_set(nfd, SHIM_FD_PENDING, CONF_PROTO_TCP);
			shim_match(nfd, NULL, 0, true);
		}
		errno = saved;
	}
	return nfd;
}

/* Undo FD's attach if it has one; keeps errno. */
static void forget(int fd)
{
	struct shim_fd *f = shim_fd_slot(fd);

	if (!f)
		return;
	if (shim_fd_state(f) == SHIM_FD_MATCHED && !shim_hot.dry_run &&
	    shim.conf.streams[f->stream].sched != CONF_SCHED_NONE) {
		int saved = errno;

		shim_backend_detach(fd);
		errno = saved;
	}
	shim_fd_reset(fd);
}

/*
 * At exit (exit() or a return from main; not _exit() or a fatal signal, which the library's
 * sweep covers): detach every stream the program still holds, as close() would, so that its
 * class does not outlive the program, holding its rate until a sweep, and so that what the
 * program sent last drains first (lib/linger.c). Only in the process the shim was loaded
 * into: a forked child shares its parent's sockets, and its exit must not take the parent's
 * streams away (a child's own streams are left to the sweep, as before).
 */
__attribute__((destructor)) static void shim_destructor(void)
{
	int saved = errno;

	if (shim_hot.active && getpid() == shim.loaded_pid)
		for (unsigned int fd = 0; fd < shim_fdtable_size(); fd++)
			if (shim_fd_state(&shim_hot.fd_table[fd]) == SHIM_FD_MATCHED)
				forget((int)fd);
	errno = saved;
}

int shim_close(int fd)
{
	if (shim_hot.active)
		forget(fd);
	return libc()->close(fd);
}

int shim_close_range(unsigned int first, unsigned int last, int flags)
{
	unsigned int fd, end;

	if (shim_hot.active && !(flags & CLOSE_RANGE_CLOEXEC) && first <= last) {
		end = shim_fdtable_size();
		if (last < end)
			end = last + 1;
		for (fd = first; fd < end; fd++)
			forget((int)fd);
	}
	return libc()->close_range(first, last, flags);
}

int shim_dup(int fd)
{
	int nfd = libc()->dup(fd);

	if (nfd >= 0 && shim_hot.active)
		shim_fd_copy(nfd, fd);
	return nfd;
}

/* dup2/dup3 close FD2 silently: undo its attach first, if FD is really there to replace it. */
static void before_replace(int fd, int fd2)
{
	struct shim_fd *f = shim_fd_slot(fd2);
	int saved = errno;

	if (f && fd != fd2 && shim_fd_state(f) == SHIM_FD_MATCHED &&
	    libc()->fcntl(fd, F_GETFD) >= 0)
		forget(fd2);
	errno = saved;
}

int shim_dup2(int fd, int fd2)
{
	int ret;

	if (shim_hot.active)
		before_replace(fd, fd2);
	ret = libc()->dup2(fd, fd2);
	if (ret >= 0 && fd != fd2 && shim_hot.active)
		shim_fd_copy(ret, fd);
	return ret;
}

int shim_dup3(int fd, int fd2, int flags)
{
	int ret;

	if (shim_hot.active)
		before_replace(fd, fd2);
	ret = libc()->dup3(fd, fd2, flags);
	if (ret >= 0 && shim_hot.active)
		shim_fd_copy(ret, fd);
	return ret;
}

int shim_fcntl(int fd, int cmd, void *arg, bool is64)
{
	int ret = is64 ? libc()->fcntl64(fd, cmd, arg) : libc()->fcntl(fd, cmd, arg);

	if (ret >= 0 && shim_hot.active && (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC))
		shim_fd_copy(ret, fd);
	return ret;
}

/*
 * fork: the shim holds no lock and runs no thread, so the child inherits a consistent
 * table (copy-on-write, only the touched pages). Interposed to say so at QSOCK_DEBUG=2.
 */
pid_t shim_fork(void)
{
	pid_t pid = libc()->fork();

	if (pid == 0)
		shim_log(2, "forked from %d", (int)getppid());
	return pid;
}

/*
 * A matched socket whose rule sets a DSCP keeps it when the program sets its own TOS later
 * (IP_TOS; IPV6_TCLASS): the program's ECN bits are kept, the DSCP bits are the rule's,
 * unless the rule says `dscp_override = true`. A TOS set before the socket was matched is
 * replaced the same way at attach (lib/manager.c). Per-message IP_TOS control messages are
 * not rewritten.
 */
int shim_setsockopt(int fd, int level, int name, const void *val, socklen_t len)
{
	const struct conf_stream *st;
	struct shim_fd *f;
	int v, keep;

	if (!shim_hot.active || shim_hot.dry_run || !val ||
	    !((level == IPPROTO_IP && name == IP_TOS) || (level == IPPROTO_IPV6 && name == IPV6_TCLASS)))
		return libc()->setsockopt(fd, level, name, val, len);
	f = shim_fd_slot(fd);
	if (!f || shim_fd_state(f) != SHIM_FD_MATCHED)
		return libc()->setsockopt(fd, level, name, val, len);
	st = &shim.conf.streams[f->stream];
	if (!st->has_dscp || st->dscp_override)
		return libc()->setsockopt(fd, level, name, val, len);
	/* the kernel's reading: an int, or for IP_TOS a single byte; a bad pointer is the
	 * kernel's to refuse (EFAULT), never ours to crash on */
	if (!shim_readable(val, len >= (socklen_t)sizeof(int) ? sizeof(int) : 1))
		return libc()->setsockopt(fd, level, name, val, len);
	if (len >= (socklen_t)sizeof(int))
		memcpy(&v, val, sizeof(v));
	else if (len >= 1 && level == IPPROTO_IP)
		v = *(const unsigned char *)val;
	else
		return libc()->setsockopt(fd, level, name, val, len); /* let the kernel refuse it */
	if (v < -1 || v > 0xff)
		return libc()->setsockopt(fd, level, name, val, len); /* ditto */
	keep = (st->dscp << 2) | (v < 0 ? 0 : (v & 3));
	if (keep != v)
		shim_log(2, "fd %d: the program's %s 0x%x becomes 0x%x: stream \"%s\" keeps its DSCP",
			 fd, level == IPPROTO_IP ? "IP_TOS" : "IPV6_TCLASS", (unsigned int)v,
			 (unsigned int)keep, st->name);
	return libc()->setsockopt(fd, level, name, &keep, sizeof(keep));
}
