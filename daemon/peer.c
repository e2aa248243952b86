// SPDX-License-Identifier: GPL-2.0
/*
 * peer.c — see peer.h.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "peer.h"

void qd_proc_comm(pid_t pid, char *comm, size_t len)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(comm, len, "?");
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, comm, len - 1);
	close(fd);
	if (n <= 0) {
		snprintf(comm, len, "?");
		return;
	}
	comm[n] = '\0';
	comm[strcspn(comm, "\n")] = '\0';
}

static void proc_groups(struct qd_peer *p)
{
	char path[64], line[1024];
	FILE *f;

	p->n_groups = 0;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)p->pid);
	f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *s, *end;

		if (strncmp(line, "Groups:", 7))
			continue;
		for (s = line + 7; p->n_groups < QD_MAX_GROUPS; s = end) {
			unsigned long g = strtoul(s, &end, 10);

			if (end == s)
				break;
			p->groups[p->n_groups++] = (gid_t)g;
		}
		break;
	}
	fclose(f);
}

int qd_peer_from_socket(int fd, struct qd_peer *p)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	memset(p, 0, sizeof(*p));
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		return -errno;
	p->uid = cred.uid;
	p->charge_uid = cred.uid;
	p->gid = cred.gid;
	p->pid = cred.pid;
	qd_proc_comm(p->pid, p->comm, sizeof(p->comm));
	proc_groups(p);
	return 0;
}

int qd_proc_starttime(pid_t pid, unsigned long long *starttime)
{
	char path[64], buf[1024], *s;
	ssize_t n;
	int fd, field;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -ENOENT;
	buf[n] = '\0';
	/* comm (field 2) may hold spaces and ')': count fields after the last ')'. */
	s = strrchr(buf, ')');
	if (!s)
		return -EINVAL;
	for (field = 2; field < 22 && s; field++)
		s = strchr(s + 1, ' ');
	if (!s)
		return -EINVAL;
	*starttime = strtoull(s + 1, NULL, 10);
	return 0;
}

static int cmp_ino(const void *a, const void *b)
{
	ino_t x = *(const ino_t *)a, y = *(const ino_t *)b;

	return x < y ? -1 : x > y;
}

int qd_proc_socket_inodes(pid_t pid, unsigned long long starttime, ino_t **inodes, size_t *n)
{
	char path[64], link[64];
	unsigned long long now;
	size_t cap = 0;
	struct dirent *e;
	ino_t *v = NULL;
	DIR *d;

	*inodes = NULL;
	*n = 0;
	if (starttime && (qd_proc_starttime(pid, &now) < 0 || now != starttime))
		return -ESRCH;
	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	d = opendir(path);
	if (!d)
		return errno == ENOENT ? -ESRCH : -errno;
	while ((e = readdir(d))) {
		char fdpath[384];
		ssize_t len;

		if (e->d_name[0] == '.')
			continue;
		snprintf(fdpath, sizeof(fdpath), "%s/%s", path, e->d_name);
		len = readlink(fdpath, link, sizeof(link) - 1);
		if (len <= 8 || strncmp(link, "socket:[", 8))
			continue;
		link[len] = '\0';
		if (*n == cap) {
			ino_t *nv = realloc(v, (cap = cap ? cap * 2 : 64) * sizeof(*v));

			if (!nv) {
				free(v);
				closedir(d);
				return -ENOMEM;
			}
			v = nv;
		}
		v[(*n)++] = (ino_t)strtoull(link + 8, NULL, 10);
	}
	closedir(d);
	qsort(v, *n, sizeof(*v), cmp_ino);
	*inodes = v;
	return 0;
}
