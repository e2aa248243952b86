/* SPDX-License-Identifier: GPL-2.0 */
/*
 * shim.h — layer 2 of libqsockshim.so: the logic behind each interposed call, and the
 * process-wide state the constructor fills.
 *
 * Layers (socket_wrapper's model):
 *   libc.c     the real functions, bound once
 *   *.c here   shim_<call>(): pass through whatever is not ours, else match / classify / send
 *   exports.c  one-line exported wrappers: `ssize_t send(...) { return shim_send(...); }`
 *
 * The state below is written only by the constructor (before main, before any thread we
 * could race with is likely to exist) and read-only afterwards; the only mutable shared
 * state is the fd table (fdtable.h), which is lock-free.
 */
#ifndef QSOCK_SHIM_SHIM_H
#define QSOCK_SHIM_SHIM_H

#include <limits.h>
#include <spawn.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "../conf/conf.h"
#include "hot.h"

#pragma GCC visibility push(hidden)

struct shim_state {
	/* active, dry_run and debug are in shim_hot (hot.h): every send reads them */
	bool exec_keep_env;
	pid_t loaded_pid;	/* the process the shim was loaded into (not a forked child) */
	struct conf conf;
	struct conf_process proc;
	char comm[32];
	char exe[PATH_MAX];
	char argv0[256];
	char cgroup[CONF_CGROUP_MAX];	/* cgroup v2 path, read when a rule asks (unit, cgroup) */
	/* what exec*() puts back into a child's environment */
	char env_preload[PATH_MAX + 16];	/* "LD_PRELOAD=..." or "" */
	char env_conf[PATH_MAX + 16];		/* "QSOCK_CONF=..." or "" */
	char env_debug[32];			/* "QSOCK_DEBUG=..." or "" */
	char env_dry_run[32];			/* "QSOCK_DRY_RUN=..." or "" */
	char self_path[PATH_MAX];		/* this library's file */
	/* each stream's rule program as sends read it: on the hot page when it fit */
	const struct conf_msg_prog *placed_prog[CONF_MAX_STREAMS];
};

extern struct shim_state shim;

/*
 * The send path's functions (send.c, and their exported wrappers): GCC puts them in
 * .text.hot, one contiguous stretch of the library, instead of wherever their file and
 * order put them (they were spread over four pages). Each system call evicts the
 * first-level caches; what the shim pays back afterwards is the lines and pages its path
 * touches, so fewer and adjacent ones are the cheap ones.
 */
#define SHIM_HOT __attribute__((hot))

/* init.c */
void shim_init(int argc, char **argv);

/* log.c: "libqsockshim[comm pid]: ..." on stderr through the real write(); errno kept. */
void shim_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The one warning a process may print without QSOCK_DEBUG (later ones need debug >= 1). */
void shim_warn_once(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* match.c: decide a socket's stream at bind/connect/accept/first send. */
void shim_match(int fd, const struct sockaddr *remote, socklen_t remote_len, bool final);
/* The out-of-line parts of classifying a message (send.c's classify()): a message in several
 * buffers, and the per-message log line of QSOCK_DEBUG=3. */
#define SHIM_CMSG_SPACE 64

/*
 * Caller memory. The shim reads some of what a program passes to a send call before the
 * kernel does: the msghdr, the iovecs, the leading bytes of the message, the destination,
 * the control data. A bad pointer must get what libc gives, -1 and EFAULT, not a SIGSEGV in
 * the shim. No load can fail softly in user space, and a system call to check would cost
 * more than all the shim does for a send, so the shim reads only memory in the user part of
 * the address space above page 0: NULL and small offsets from it, kernel addresses and
 * non-canonical garbage are left to the real call, untouched, which fails with EFAULT. (A
 * well-formed address of an unmapped page still faults: docs/security.md.)
 */
#define SHIM_USER_MIN 4096UL
#if defined(__x86_64__)
#define SHIM_USER_END 0x00007ffffffff000UL /* TASK_SIZE, 4-level paging */
#elif defined(__aarch64__)
#define SHIM_USER_END (1UL << 48)
#else
#define SHIM_USER_END UINTPTR_MAX
#endif

static inline bool shim_readable(const void *p, size_t len)
{
	uintptr_t a = (uintptr_t)p;

	return a >= SHIM_USER_MIN && a < SHIM_USER_END && len <= SHIM_USER_END - a;
}
/* shim_readable() for a message's view, 1 <= LEN <= CONF_PAYLOAD_VISIBLE: the same answer
 * in one compare (A - MIN <= END - MIN - LEN, unsigned: below MIN wraps around, and with
 * LEN >= 1 the end within END implies A < END), 4 instructions fewer on every message. */
static inline bool shim_readable_view(const void *p, size_t len)
{
	return (uintptr_t)p - SHIM_USER_MIN <= SHIM_USER_END - SHIM_USER_MIN - len;
}
_Static_assert(CONF_PAYLOAD_VISIBLE <= SHIM_USER_END - SHIM_USER_MIN, "a view fits user space");
struct shim_fd;
#define SHIM_UNREADABLE (-2) /* shim_match_scattered: a buffer the shim must not read */
int shim_match_scattered(const struct conf_msg_prog *pg, const struct iovec *iov,
			 size_t iovcnt, uint64_t seq, struct conf_frame *fs,
			 struct conf_msg_action *a, size_t *len)
	__attribute__((noinline));
/* QSOCK_DEBUG=3: what classify() decided for a message, logged once its send returned. */
struct shim_msg_note {
	uint64_t seq;			/* its number on the socket */
	size_t len;
	int rule;			/* message rule index, -1 none, SHIM_UNREADABLE */
	struct conf_msg_action a;
};
/* ERR: 0 when the message went out, else the send's errno, or -1 for a message of a
 * sendmmsg that stopped before it (not sent, so not counted either way). */
void shim_log_message(int fd, const struct shim_fd *f, const struct shim_msg_note *m, int err)
	__attribute__((cold, noinline));

/* lifecycle.c */
void shim_track_new_socket(int fd, int domain, int type);

/* logic entry points (layer 2), one per interposed call */
int shim_socket(int domain, int type, int protocol);
int shim_bind(int fd, const struct sockaddr *addr, socklen_t len);
int shim_connect(int fd, const struct sockaddr *addr, socklen_t len);
int shim_listen(int fd, int backlog);
int shim_setsockopt(int fd, int level, int name, const void *val, socklen_t len);
int shim_accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags, bool is_accept4);
ssize_t shim_send(int fd, const void *buf, size_t len, int flags);
ssize_t shim_sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *to,
		    socklen_t tolen);
ssize_t shim_sendmsg(int fd, const struct msghdr *msg, int flags);
int shim_sendmmsg(int fd, struct mmsghdr *vec, unsigned int vlen, int flags);
ssize_t shim_write(int fd, const void *buf, size_t len);
ssize_t shim_writev(int fd, const struct iovec *iov, int iovcnt);
int shim_close(int fd);
int shim_close_range(unsigned int first, unsigned int last, int flags);
int shim_dup(int fd);
int shim_dup2(int fd, int fd2);
int shim_dup3(int fd, int fd2, int flags);
int shim_fcntl(int fd, int cmd, void *arg, bool is64);
pid_t shim_fork(void);
/* Fill OUT (n + 5 slots) with ENVP plus what is missing; PRELOAD_BUF receives a rebuilt
 * LD_PRELOAD when the program set its own without us. Returns OUT, or ENVP unchanged. */
char *const *shim_keep_env(char *const envp[], char **out, char *preload_buf, size_t buf_len);
int shim_execve(const char *path, char *const argv[], char *const envp[]);
int shim_execvpe(const char *file, char *const argv[], char *const envp[]);
int shim_fexecve(int fd, char *const argv[], char *const envp[]);
int shim_execv(const char *path, char *const argv[]);
int shim_execvp(const char *file, char *const argv[]);
int shim_posix_spawn(pid_t *pid, const char *path, const posix_spawn_file_actions_t *fa,
		     const posix_spawnattr_t *attr, char *const argv[], char *const envp[]);
int shim_posix_spawnp(pid_t *pid, const char *file, const posix_spawn_file_actions_t *fa,
		      const posix_spawnattr_t *attr, char *const argv[], char *const envp[]);

#pragma GCC visibility pop

#endif /* QSOCK_SHIM_SHIM_H */
