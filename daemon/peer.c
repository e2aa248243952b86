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
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/nsfs.h>

#include "../lib/liveness.h"
#include "peer.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

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

/* Supplementary groups from /proc: only for kernels without SO_PEERGROUPS (before 4.13). */
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

/* The effective uid of /proc/<pid>, or -1. */
static long proc_euid(pid_t pid)
{
	char path[64], line[256];
	long euid = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "Uid:", 4)) {
			unsigned long r, e;

			if (sscanf(line + 4, "%lu %lu", &r, &e) == 2)
				euid = (long)e;
			break;
		}
	fclose(f);
	return euid;
}

int qd_proc_charge_uid(pid_t pid, uid_t uid, uid_t *charge)
{
	struct stat self, st;
	char path[64];
	uid_t outer = (uid_t)-1;
	bool reached = false;
	int fd, err = 0;

	*charge = uid;
	if (stat("/proc/self/ns/user", &self) < 0)
		return -errno;
	snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* Innermost first; the kernel nests 32 levels at most. Each owner is given in our own
	 * (the initial) namespace's terms. */
	for (int depth = 0; depth <= 33 && fd >= 0; depth++) {
		uid_t owner;
		int parent;

		if (fstat(fd, &st) < 0) {
			err = -errno;
			break;
		}
		if (st.st_ino == self.st_ino && st.st_dev == self.st_dev) {
			reached = true;
			break;
		}
		if (ioctl(fd, NS_GET_OWNER_UID, &owner) < 0) {
			err = -errno;
			break;
		}
		/* going outwards, so the last non-root owner seen is the outermost */
		if (owner != 0)
			outer = owner;
		parent = ioctl(fd, NS_GET_PARENT);
		if (parent < 0)
			err = -errno;
		close(fd);
		fd = parent;
	}
	if (fd >= 0)
		close(fd);
	if (!reached)
		return err ? err : -ELOOP;
	if (outer != (uid_t)-1)
		*charge = outer;
	return 0;
}

/* A pidfd for the process at the other end: the one that connected (SO_PEERPIDFD, Linux
 * 6.5), else the one that has its pid now (checked against the connection's uid below). */
static int peer_pidfd(int fd, pid_t pid, bool *exact)
{
	int pidfd = -1;
	socklen_t len = sizeof(pidfd);

	*exact = getsockopt(fd, SOL_SOCKET, QD_SO_PEERPIDFD, &pidfd, &len) == 0 && pidfd >= 0;
	if (*exact)
		return pidfd;
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

/* The process of PIDFD has not exited (so the pid it had names it still). */
static bool pidfd_alive(int pidfd)
{
	struct pollfd p = { .fd = pidfd, .events = POLLIN };

	return poll(&p, 1, 0) == 0;
}

int qd_peer_from_socket(int fd, struct qd_peer *p)
{
	gid_t groups[QD_MAX_GROUPS];
	socklen_t len = sizeof(struct ucred);
	struct ucred cred;
	bool exact, verified = false;
	uid_t charge;
	int pidfd;

	memset(p, 0, sizeof(*p));
	/* uid, gid, pid and groups as the kernel took them at connect(): bound to the
	 * connection, whatever happens to the process or its pid later */
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		return -errno;
	p->uid = cred.uid;
	p->gid = cred.gid;
	p->pid = cred.pid;
	p->charge_uid = cred.uid;
	len = sizeof(groups);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) == 0) {
		p->n_groups = len / sizeof(gid_t);
		memcpy(p->groups, groups, len);
		p->groups_from_socket = true;
	}
	/*
	 * What only /proc tells (name, start time, user namespace) is read between two facts:
	 * a pidfd of the connecting process, and that process still running afterwards, so the
	 * pid cannot have been reused meanwhile. Without SO_PEERPIDFD the pidfd is of whoever
	 * has the pid now: it must also run as the connection's uid. Unverified: no name, no
	 * start time, charged to its own uid, groups only from the socket.
	 */
	pidfd = peer_pidfd(fd, p->pid, &exact);
	if (pidfd >= 0) {
		qd_proc_comm(p->pid, p->comm, sizeof(p->comm));
		if (qd_proc_starttime(p->pid, &p->starttime) < 0)
			p->starttime = 0;
		if (qd_proc_charge_uid(p->pid, p->uid, &charge) == 0)
			p->charge_uid = charge;
		if (!p->groups_from_socket)
			proc_groups(p);
		verified = pidfd_alive(pidfd) && (exact || proc_euid(p->pid) == (long)p->uid);
		close(pidfd);
	}
	if (!verified) {
		snprintf(p->comm, sizeof(p->comm), "?");
		p->starttime = 0;
		p->charge_uid = p->uid;
		if (!p->groups_from_socket)
			p->n_groups = 0;
	}
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
