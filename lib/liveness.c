// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * liveness.c — is a stream's socket still open? A socket lives while some fd refers to it,
 * and every fd shows in /proc/PID/fd as "socket:[INODE]". sock_diag cannot answer this: it
 * does not list sockets that are not bound yet (an attached UDP socket before its first send,
 * a TCP socket before connect), so a sweep based on it would remove live streams.
 * A reused inode number keeps a dead stream alive one sweep longer: the safe direction.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "errors.h"
#include "liveness.h"

static int add(struct qsock_inode_set *set, uint64_t ino, int fd, bool with_fd)
{
	if (set->n == set->cap) {
		size_t cap = set->cap ? set->cap * 2 : 1024;
		uint64_t *v = realloc(set->v, cap * sizeof(*v));
		int *f;

		if (!v)
			return -ENOMEM;
		set->v = v;
		if (with_fd) {
			f = realloc(set->fd, cap * sizeof(*f));
			if (!f)
				return -ENOMEM;
			set->fd = f;
		}
		set->cap = cap;
	}
	if (with_fd)
		set->fd[set->n] = fd;
	set->v[set->n++] = ino;
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int scan(pid_t pid, struct qsock_inode_set *set, bool with_fd, struct qsock_err *err)
{
	char dir[64], path[64 + NAME_MAX + 2], link[64];
	struct dirent *de;
	DIR *d;
	int rc = 0;

	snprintf(dir, sizeof(dir), "/proc/%d/fd", (int)pid);
	d = opendir(dir);
	if (!d)
		return errno == ENOENT ?
			       -ESRCH :
			       qsock_errf(err, -errno, "reading %s: %s", dir, strerror(errno));
	while (!rc && (de = readdir(d))) {
		unsigned long long ino;
		ssize_t n;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		n = readlink(path, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = '\0';
		if (sscanf(link, "socket:[%llu]", &ino) == 1 &&
		    add(set, ino, atoi(de->d_name), with_fd))
			rc = qsock_errf(err, -ENOMEM, "out of memory");
	}
	closedir(d);
	return rc;
}

int qsock_proc_socket_inodes(pid_t pid, struct qsock_inode_set *set, struct qsock_err *err)
{
	return scan(pid, set, false, err);
}

int qsock_proc_socket_fds(pid_t pid, struct qsock_inode_set *set, struct qsock_err *err)
{
	return scan(pid, set, true, err);
}

int qsock_inode_set_fd_of(const struct qsock_inode_set *set, uint64_t inode)
{
	for (size_t i = 0; set->fd && i < set->n; i++)
		if (set->v[i] == inode)
			return set->fd[i];
	return -1;
}

int qsock_proc_fd_inode(pid_t pid, int fd, uint64_t *inode)
{
	char path[64], link[64];
	unsigned long long ino;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)pid, fd);
	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0)
		return -ENOENT;
	link[n] = '\0';
	if (sscanf(link, "socket:[%llu]", &ino) != 1)
		return -ENOTSOCK;
	*inode = ino;
	return 0;
}

int qsock_open_socket_inodes(struct qsock_inode_set *set, struct qsock_err *err)
{
	struct dirent *de;
	DIR *d = opendir("/proc");
	int rc = 0;

	if (!d)
		return qsock_errf(err, -errno, "reading /proc: %s", strerror(errno));
	while (!rc && (de = readdir(d)))
		if (de->d_name[0] >= '1' && de->d_name[0] <= '9') {
			rc = qsock_proc_socket_inodes((pid_t)atoi(de->d_name), set, err);
			if (rc == -ESRCH)
				rc = 0; /* exited meanwhile */
		}
	closedir(d);
	if (!rc)
		qsock_inode_set_sort(set);
	return rc;
}

void qsock_inode_set_sort(struct qsock_inode_set *set)
{
	/* a set with fds (qsock_proc_socket_fds) keeps its pairs in scan order */
	if (set->n && !set->fd)
		qsort(set->v, set->n, sizeof(*set->v), cmp_u64);
}

int qsock_inode_set_has(const struct qsock_inode_set *set, uint64_t inode)
{
	return set->n && bsearch(&inode, set->v, set->n, sizeof(*set->v), cmp_u64) != NULL;
}

void qsock_inode_set_free(struct qsock_inode_set *set)
{
	free(set->v);
	free(set->fd);
	memset(set, 0, sizeof(*set));
}
