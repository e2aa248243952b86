// SPDX-License-Identifier: GPL-2.0
/*
 * streams.c — see streams.h.
 */
#include <dirent.h>
#include <signal.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

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

void qd_streams_usage(const struct qd_streams *t, uint32_t uid, uint64_t except,
		      unsigned int *streams, uint64_t *rate_bps)
{
	*streams = 0;
	*rate_bps = 0;
	for (unsigned int i = 0; i < t->n; i++) {
		const struct qd_stream *s = &t->v[i];

		if (s->st.owner_uid != uid || (except && s->st.cookie == except))
			continue;
		(*streams)++;
		*rate_bps += qsockd_params_rate(&s->st.params);
	}
}

static bool stream_alive(const struct qd_stream *s)
{
	if (!s->st.owner_pid)
		return true; /* adopted without an owner record: nothing to check against */
	if (!s->ino)
		return kill((pid_t)s->st.owner_pid, 0) == 0 || errno == EPERM;
	return qd_proc_has_socket((pid_t)s->st.owner_pid, s->starttime, s->ino);
}

int qd_streams_sweep(struct qd_streams *t, const struct qd_backend *be)
{
	char msg[QSOCKD_MSG_LEN];
	int removed = 0;

	for (unsigned int i = 0; i < t->n;) {
		struct qd_stream *s = &t->v[i];
		int err;

		if (stream_alive(s)) {
			i++;
			continue;
		}
		msg[0] = '\0';
		if (s->fd >= 0)
			err = be->detach(s->fd, s->st.params.dev, msg, sizeof(msg));
		else if (be->detach_cookie)
			err = be->detach_cookie(s->st.params.dev, s->st.cookie, msg, sizeof(msg));
		else
			err = -EBADF;
		if (err && err != -ENOENT) {
			qd_warn("stream %llu on %s (pid %u %s): socket gone but removal failed: %s",
				(unsigned long long)s->st.cookie, s->st.params.dev, s->st.owner_pid,
				s->st.owner_comm, msg[0] ? msg : strerror(-err));
			if (s->fd < 0) {
				/* Cannot ever succeed without the socket: stop tracking it. */
				qd_streams_remove(t, s);
				continue;
			}
			i++;
			continue;
		}
		qd_info("stream %llu on %s class %x:%x removed: pid %u (%s) no longer holds its socket",
			(unsigned long long)s->st.cookie, s->st.params.dev, s->st.classid >> 16,
			s->st.classid & 0xffff, s->st.owner_pid, s->st.owner_comm);
		qd_streams_remove(t, s);
		removed++;
	}
	return removed;
}

int qd_stream_reacquire(struct qd_stream *s)
{
	char path[64], link[64];
	struct dirent *e;
	int pidfd, err = -ENOENT;
	DIR *d;

	if (!s->st.owner_pid)
		return -ESRCH;
	pidfd = (int)syscall(SYS_pidfd_open, (pid_t)s->st.owner_pid, 0);
	if (pidfd < 0)
		return -errno;
	snprintf(path, sizeof(path), "/proc/%u/fd", s->st.owner_pid);
	d = opendir(path);
	if (!d) {
		err = -errno;
		close(pidfd);
		return err;
	}
	while ((e = readdir(d))) {
		char fdpath[384];
		uint64_t cookie = 0;
		socklen_t len = sizeof(cookie);
		struct stat sb;
		ssize_t n;
		int fd;

		snprintf(fdpath, sizeof(fdpath), "%s/%s", path, e->d_name);
		n = readlink(fdpath, link, sizeof(link) - 1);
		if (e->d_name[0] == '.' || n <= 0 || strncmp(link, "socket:[", 8))
			continue;
		fd = (int)syscall(SYS_pidfd_getfd, pidfd, atoi(e->d_name), 0);
		if (fd < 0) {
			err = -errno;
			continue;
		}
		if (getsockopt(fd, SOL_SOCKET, SO_COOKIE, &cookie, &len) == 0 &&
		    cookie == s->st.cookie && fstat(fd, &sb) == 0) {
			s->fd = fd;
			s->ino = sb.st_ino;
			err = 0;
			break;
		}
		close(fd);
	}
	closedir(d);
	close(pidfd);
	if (!err)
		qd_proc_starttime((pid_t)s->st.owner_pid, &s->starttime);
	return err;
}
