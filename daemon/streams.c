// SPDX-License-Identifier: GPL-2.0
/*
 * streams.c — see streams.h.
 */
#include <signal.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../lib/liveness.h"
#include "../lib/sockinfo.h"
#include "log.h"
#include "peer.h"
#include "streams.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif

int qd_streams_add(struct qd_streams *t, const struct qd_stream *s)
{
	if (t->n == t->cap) {
		unsigned int cap = t->cap ? t->cap * 2 : 16;
		struct qd_stream *v = realloc(t->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		t->v = v;
		t->cap = cap;
	}
	t->v[t->n++] = *s;
	return 0;
}

struct qd_stream *qd_streams_find(struct qd_streams *t, uint64_t cookie)
{
	for (unsigned int i = 0; i < t->n; i++)
		if (t->v[i].st.cookie == cookie)
			return &t->v[i];
	return NULL;
}

void qd_streams_remove(struct qd_streams *t, struct qd_stream *s)
{
	unsigned int i = (unsigned int)(s - t->v);

	if (s->fd >= 0)
		close(s->fd);
	memmove(&t->v[i], &t->v[i + 1], (t->n - i - 1) * sizeof(*s));
	t->n--;
}

void qd_streams_free(struct qd_streams *t)
{
	for (unsigned int i = 0; i < t->n; i++)
		if (t->v[i].fd >= 0)
			close(t->v[i].fd);
	free(t->v);
	memset(t, 0, sizeof(*t));
}

bool qd_streams_same_class(const struct qd_stream *a, const struct qd_stream *b)
{
	return a->st.classid && a->st.classid == b->st.classid &&
	       !strncmp(a->st.params.dev, b->st.params.dev, sizeof(a->st.params.dev));
}

/* Sockets that share a class (JOIN) reserve one class's rate: it is counted once, at its
 * first entry. Quadratic in one uid's entries: a few hundred cost microseconds. */
void qd_streams_usage(const struct qd_streams *t, uint32_t uid, uint64_t except,
		      unsigned int *streams, uint64_t *rate_bps)
{
	const struct qd_stream *ex = NULL;

	*streams = 0;
	*rate_bps = 0;
	for (unsigned int i = 0; except && i < t->n && !ex; i++)
		if (t->v[i].st.cookie == except)
			ex = &t->v[i];
	for (unsigned int i = 0; i < t->n; i++) {
		const struct qd_stream *s = &t->v[i];
		unsigned int k;

		if (s->charge_uid != uid || (ex && (s == ex || qd_streams_same_class(s, ex))))
			continue;
		for (k = 0; k < i; k++)
			if (t->v[k].charge_uid == uid && qd_streams_same_class(&t->v[k], s))
				break;
		if (k < i)
			continue;
		(*streams)++;
		*rate_bps += qsockd_params_rate(&s->st.params);
	}
}

/*
 * Which entries are dead. An owner's socket is looked for first where it was at the last
 * sweep (one readlink of /proc/<pid>/fd/<owner_fd>); only when it has moved or gone are the
 * owner's fds scanned, once per owner and sweep: entries are visited in owner-pid order. So a
 * sweep costs one readlink per stream plus one stat read per owner, whatever the owners hold
 * (an owner with 20,000 open fds: 20,000 readlinks per sweep before), and a full scan only
 * for what changed.
 */
static int cmp_pid(const void *a, const void *b, void *arg)
{
	const struct qd_stream *v = arg;
	uint32_t x = v[*(const unsigned int *)a].st.owner_pid;
	uint32_t y = v[*(const unsigned int *)b].st.owner_pid;

	return x < y ? -1 : x > y;
}

/* The owner @pid has exited, or the pid now names a later process. */
static bool owner_gone(pid_t pid, unsigned long long starttime)
{
	unsigned long long now;

	return qd_proc_starttime(pid, &now) < 0 || (starttime && now != starttime);
}

static void mark_dead(struct qd_streams *t, bool *dead)
{
	unsigned int *order = malloc(t->n * sizeof(*order));
	struct qsock_inode_set fds = { 0 };
	uint32_t cur_pid = 0;
	bool gone = false, scanned = false;
	int scan_err = 0;

	if (!order)
		return; /* try again at the next sweep */
	for (unsigned int i = 0; i < t->n; i++)
		order[i] = i;
	qsort_r(order, t->n, sizeof(*order), cmp_pid, t->v);
	for (unsigned int k = 0; k < t->n; k++) {
		struct qd_stream *s = &t->v[order[k]];
		uint64_t ino;
		int fd;

		dead[order[k]] = false;
		if (!s->st.owner_pid)
			continue; /* adopted without an owner record: nothing to check against */
		if (s->st.owner_pid != cur_pid) {
			qsock_inode_set_free(&fds);
			cur_pid = s->st.owner_pid;
			gone = owner_gone((pid_t)cur_pid, s->starttime);
			scanned = false;
		}
		if (gone) {
			dead[order[k]] = true;
			continue;
		}
		if (!s->ino)
			continue; /* no inode (a record from before they were kept): the pid is all */
		if (!qsock_proc_fd_inode((pid_t)cur_pid, s->owner_fd, &ino) && ino == (uint64_t)s->ino)
			continue;
		if (!scanned) {
			scan_err = qsock_proc_socket_fds((pid_t)cur_pid, &fds, NULL);
			scanned = true;
		}
		if (scan_err == -ESRCH) {
			dead[order[k]] = true;
		} else if (!scan_err) {
			fd = qsock_inode_set_fd_of(&fds, (uint64_t)s->ino);
			if (fd < 0)
				dead[order[k]] = true;
			else
				s->owner_fd = fd;
		}
		/* another error (ENOMEM, EACCES): keep the stream, look again next time */
	}
	qsock_inode_set_free(&fds);
	free(order);
}

int qd_streams_sweep(struct qd_streams *t, const struct qd_backend *be)
{
	char msg[QSOCKD_MSG_LEN];
	int removed = 0;
	bool *dead;

	if (!t->n)
		return 0;
	dead = calloc(t->n, sizeof(*dead));
	if (!dead)
		return 0;
	mark_dead(t, dead);
	/* Walk backwards: removing entry i moves only the entries after it. */
	for (unsigned int i = t->n; i-- > 0;) {
		struct qd_stream *s = &t->v[i];
		int err;

		if (!dead[i])
			continue;
		msg[0] = '\0';
		if (s->fd >= 0)
			err = be->detach(s->fd, s->st.params.dev, msg, sizeof(msg));
		else if (be->detach_cookie)
			err = be->detach_cookie(s->st.params.dev, s->st.cookie, msg, sizeof(msg));
		else
			err = -EBADF;
		if (err && err != -ENOENT && err != -ENODEV) {
			qd_warn("stream %llu on %s (pid %u %s): socket gone but removal failed: %s",
				(unsigned long long)s->st.cookie, s->st.params.dev, s->st.owner_pid,
				s->st.owner_comm, msg[0] ? msg : strerror(-err));
			if (s->fd < 0) /* cannot ever succeed without the socket: forget it */
				qd_streams_remove(t, s);
			continue;
		}
		qd_info("stream %llu on %s class %x:%x removed: pid %u (%s) no longer holds its socket",
			(unsigned long long)s->st.cookie, s->st.params.dev, s->st.classid >> 16,
			s->st.classid & 0xffff, s->st.owner_pid, s->st.owner_comm);
		qd_streams_remove(t, s);
		removed++;
	}
	free(dead);
	return removed;
}

int qd_stream_reacquire(struct qd_stream *s)
{
	struct qsock_inode_set socks = { 0 };
	struct qsock_err ignored;
	int pidfd, err;

	if (!s->st.owner_pid)
		return -ESRCH;
	pidfd = (int)syscall(SYS_pidfd_open, (pid_t)s->st.owner_pid, 0);
	if (pidfd < 0)
		return -errno;
	/* the owner's socket fds (the one /proc/PID/fd scan, lib/liveness.c), then a copy of
	 * each through the pidfd until one is the stream's socket */
	err = qsock_proc_socket_fds((pid_t)s->st.owner_pid, &socks, &ignored);
	if (err)
		socks.n = 0; /* nothing to look through */
	else
		err = -ENOENT; /* or why the last copy failed (EPERM: ptrace rules) */
	for (size_t i = 0; err && i < socks.n; i++) {
		uint64_t cookie = 0;
		int fd = (int)syscall(SYS_pidfd_getfd, pidfd, socks.fd[i], 0);

		if (fd < 0) {
			err = -errno;
			continue;
		}
		if (!qsock_sock_cookie(fd, &cookie) && cookie == s->st.cookie) {
			s->fd = fd;
			s->ino = socks.v[i];
			err = 0;
		} else {
			close(fd);
		}
	}
	qsock_inode_set_free(&socks);
	close(pidfd);
	if (!err)
		qd_proc_starttime((pid_t)s->st.owner_pid, &s->starttime);
	return err;
}
