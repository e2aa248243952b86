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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "errors.h"
#include "liveness.h"

static int add(struct qsock_inode_set *set, uint64_t ino)
{
	if (set->n == set->cap) {
		size_t cap = set->cap ? set->cap * 2 : 1024;
		uint64_t *v = realloc(set->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		set->v = v;
		set->cap = cap;
	}
	set->v[set->n++] = ino;
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

int qsock_proc_socket_inodes(pid_t pid, struct qsock_inode_set *set, struct qsock_err *err)
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
		if (sscanf(link, "socket:[%llu]", &ino) == 1 && add(set, ino))
			rc = qsock_errf(err, -ENOMEM, "out of memory");
	}
	closedir(d);
	return rc;
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
	if (set->n)
		qsort(set->v, set->n, sizeof(*set->v), cmp_u64);
}

int qsock_inode_set_has(const struct qsock_inode_set *set, uint64_t inode)
{
	return set->n && bsearch(&inode, set->v, set->n, sizeof(*set->v), cmp_u64) != NULL;
}

void qsock_inode_set_free(struct qsock_inode_set *set)
{
	free(set->v);
	memset(set, 0, sizeof(*set));
}
