// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * cls_pins.c — the classifier's pin directories (classifier.h, cls_pins.h): where a device's
 * maps live in bpffs for this network namespace, opening them, their conf (scheduler, root
 * handle, namespace, mark mask), and the devices that have one.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "bpf/qsock_cls.h"
#include "classifier.h"
#include "cls_pins.h"
#include "errors.h"
#include "sys.h"

#define BPFFS "/sys/fs/bpf"
/* The same bpffs seen through pid 1's root: see qsock_cls_pin_root(). */
#define BPFFS_OF_PID1 "/proc/1/root" BPFFS

uint64_t qsock_cls_netns_ino(const char *path)
{
	struct stat sb;

	return stat(path, &sb) ? 0 : (uint64_t)sb.st_ino;
}

static bool is_bpffs(const char *path)
{
	struct statfs sf;

	return !statfs(path, &sf) && sf.f_type == BPF_FS_MAGIC;
}

/*
 * Where qsock pins: QSOCK_PIN_ROOT, on the bpffs at /sys/fs/bpf. `ip netns exec` (like any
 * private mount namespace that remounts /sys) puts a fresh sysfs over /sys, which hides that
 * bpffs: mounting another one there, as we used to, gave the process a private, empty instance
 * whose pins were invisible to everyone else and died with its mount namespace, so qsockd and
 * programs started that way found "no qsock scheduler". The host's bpffs is still reachable
 * through /proc/1/root (the namespace does not remount /proc) for a process allowed to follow
 * pid 1's root, i.e. root: then qsock pins there, and a process inside and one outside see the
 * same pins. Decided once per process: its mount namespace does not change under it.
 */
static char pin_root[sizeof(BPFFS_OF_PID1 "/qsock")];
static pthread_once_t pin_root_once = PTHREAD_ONCE_INIT;

static void pin_root_resolve(void)
{
	const char *base = BPFFS;

	if (!is_bpffs(BPFFS) && is_bpffs(BPFFS_OF_PID1) &&
	    qsock_cls_netns_ino("/proc/self/ns/mnt") != qsock_cls_netns_ino("/proc/1/ns/mnt"))
		base = BPFFS_OF_PID1;
	snprintf(pin_root, sizeof(pin_root), "%s/qsock", base);
}

const char *qsock_cls_pin_root(void)
{
	pthread_once(&pin_root_once, pin_root_resolve);
	return pin_root;
}

/* The pin directory for @dev in this process's network namespace (creation-time rule). */
void qsock_cls_pin_dir_own(const char *dev, char *buf, size_t size)
{
	uint64_t self = qsock_cls_netns_ino("/proc/self/ns/net"), init = qsock_cls_netns_ino("/proc/1/ns/net");

	if (self && self == init)
		snprintf(buf, size, "%s/%s", qsock_cls_pin_root(), dev);
	else
		snprintf(buf, size, "%s/%s@ns%llu", qsock_cls_pin_root(), dev,
			 (unsigned long long)self);
}

int qsock_cls_ensure_bpffs(struct qsock_err *err)
{
	if (strcmp(qsock_cls_pin_root(), QSOCK_PIN_ROOT) || is_bpffs(BPFFS))
		return 0; /* pid 1's, or ours */
	if (mount("bpf", BPFFS, "bpf", 0, "mode=0755"))
		return qsock_errf(err, -errno, "mounting bpffs at %s: %s", BPFFS, strerror(errno));
	return 0;
}

int qsock_cls_make_dir(const char *path, struct qsock_err *err)
{
	if (mkdir(path, 0755) && errno != EEXIST)
		return qsock_errf(err, -errno, "creating %s: %s", path, strerror(errno));
	return 0;
}

int qsock_cls_pin(int fd, const char *dir, const char *name, mode_t mode, struct qsock_err *err)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	unlink(path); /* a stale pin of an earlier root that vanished */
	if (bpf_obj_pin(fd, path))
		return qsock_errf(err, -errno, "pinning %s: %s", path, strerror(errno));
	if (chmod(path, mode))
		return qsock_errf(err, -errno, "chmod %o %s: %s", mode, path, strerror(errno));
	return 0;
}

/* Everything in @dir (a user may have dropped anything into an old root's slot directory). */
static void remove_all(const char *dir)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d = opendir(dir);

	while (d && (de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) < (int)sizeof(path))
			unlink(path);
	}
	if (d)
		closedir(d);
	rmdir(dir);
}

void qsock_cls_unpin_all(const char *dir)
{
	static const char *const names[] = { QSOCK_PIN_STREAMS, QSOCK_PIN_FLAGS, QSOCK_PIN_CONF,
					     QSOCK_PIN_SLOTS };
	char path[PATH_MAX];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/%s", dir, QSOCK_PIN_SLOT_DIR);
	remove_all(path);
	rmdir(dir);
}

/* markmask and mark_shift of a conf: the one place they are derived */
void qsock_cls_conf_set_mask(struct qsock_cls_conf *c, uint32_t markmask)
{
	c->markmask = markmask;
	c->mark_shift = markmask ? (uint32_t)__builtin_ctz(markmask) : 0;
}

/* Find @dev's pin directory from this namespace: the namespaced name first, then the plain
 * one, accepted only if its conf says it belongs to this namespace. Opens conf into *conf_fd.*/
int qsock_cls_find_dir(const char *dev, char *dir, size_t size, int *conf_fd,
		    struct qsock_cls_conf *conf, struct qsock_err *err)
{
	uint64_t self = qsock_cls_netns_ino("/proc/self/ns/net");
	char path[PATH_MAX];
	uint32_t zero = 0;
	int fd, i;
	LIBBPF_OPTS(bpf_obj_get_opts, ro, .file_flags = BPF_F_RDONLY);

	for (i = 0; i < 2; i++) {
		if (i == 0)
			snprintf(dir, size, "%s/%s@ns%llu", qsock_cls_pin_root(), dev,
				 (unsigned long long)self);
		else
			snprintf(dir, size, "%s/%s", qsock_cls_pin_root(), dev);
		snprintf(path, sizeof(path), "%s/%s", dir, QSOCK_PIN_CONF);
		fd = bpf_obj_get_opts(path, &ro);
		if (fd < 0) {
			if (errno == ENOENT)
				continue;
			return qsock_errf(err, -errno, "opening %s: %s", path, strerror(errno));
		}
		if (bpf_map_lookup_elem(fd, &zero, conf) || conf->netns_ino != self) {
			qsock_sys.close(fd);
			continue;
		}
		*conf_fd = fd;
		return 0;
	}
	return qsock_errf(err, -ENOENT, "no qsock scheduler on %s: call qsockinit first", dev);
}

int qsock_cls_open_pin(const char *dir, const char *name, uint32_t flags, int *fd,
		       struct qsock_err *err)
{
	LIBBPF_OPTS(bpf_obj_get_opts, o, .file_flags = flags);
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	*fd = bpf_obj_get_opts(path, &o);
	if (*fd < 0)
		return qsock_errf(err, -errno, "opening %s: %s%s", path, strerror(errno),
				  errno == EACCES || errno == EPERM ? " (root only)" : "");
	return 0;
}

int qsock_cls_open(const char *dev, struct qsock_cls_maps *m, struct qsock_err *err)
{
	struct qsock_cls_conf conf;
	char dir[DIR_MAX];
	int rc;

	m->streams = m->flags = m->conf = m->slots = -1;
	rc = qsock_cls_find_dir(dev, dir, sizeof(dir), &m->conf, &conf, err);
	if (!rc)
		rc = qsock_cls_open_pin(dir, QSOCK_PIN_STREAMS, 0, &m->streams, err);
	if (!rc)
		rc = qsock_cls_open_pin(dir, QSOCK_PIN_FLAGS, 0, &m->flags, err);
	if (!rc) {
		struct qsock_err ignored;

		/* A root installed by a library without send slots has none: senders then use
		 * control messages alone. */
		if (qsock_cls_open_pin(dir, QSOCK_PIN_SLOTS, 0, &m->slots, &ignored))
			m->slots = -1;
		snprintf(m->dir, sizeof(m->dir), "%s", dir);
	}
	if (rc)
		qsock_cls_close(m);
	return rc;
}

void qsock_cls_close(struct qsock_cls_maps *m)
{
	if (m->streams >= 0)
		qsock_sys.close(m->streams);
	if (m->flags >= 0)
		qsock_sys.close(m->flags);
	if (m->conf >= 0)
		qsock_sys.close(m->conf);
	if (m->slots >= 0)
		qsock_sys.close(m->slots);
	m->streams = m->flags = m->conf = m->slots = -1;
}

int qsock_cls_sync_markmask(const struct qsock_cls_maps *m, uint32_t markmask,
			    struct qsock_err *err)
{
	struct qsock_cls_conf conf;
	uint32_t zero = 0;
	int fd, rc = 0;

	if (bpf_map_lookup_elem(m->conf, &zero, &conf))
		return qsock_errf(err, -errno, "reading %s/%s: %s", m->dir, QSOCK_PIN_CONF,
				  strerror(errno));
	if (conf.markmask == markmask)
		return 0;
	/* m->conf is read-only (senders open it too): the writer opens its own */
	rc = qsock_cls_open_pin(m->dir, QSOCK_PIN_CONF, 0, &fd, err);
	if (rc)
		return rc;
	qsock_cls_conf_set_mask(&conf, markmask);
	if (bpf_map_update_elem(fd, &zero, &conf, BPF_ANY))
		rc = qsock_errf(err, -errno, "writing the mark mask 0x%x into %s/%s: %s", markmask,
				m->dir, QSOCK_PIN_CONF, strerror(errno));
	qsock_sys.close(fd);
	return rc;
}

int qsock_cls_markmask(const char *dev, uint32_t *markmask, struct qsock_err *err)
{
	struct qsock_cls_conf conf;
	char dir[DIR_MAX];
	int conf_fd, rc;

	rc = qsock_cls_find_dir(dev, dir, sizeof(dir), &conf_fd, &conf, err);
	if (rc)
		return rc;
	qsock_sys.close(conf_fd);
	*markmask = conf.markmask;
	return 0;
}

int qsock_cls_sender_dir(const char *dev, char dir[DIR_MAX], struct qsock_err *err)
{
	struct qsock_cls_conf conf;
	int conf_fd, rc;

	rc = qsock_cls_find_dir(dev, dir, DIR_MAX, &conf_fd, &conf, err);
	if (!rc)
		qsock_sys.close(conf_fd);
	return rc;
}

/* @dev's pin directory from this namespace, for a sender that needs nothing else of it. */
int qsock_cls_open_flags(const char *dev, int *fd, struct qsock_err *err)
{
	char dir[DIR_MAX];
	int rc = qsock_cls_sender_dir(dev, dir, err);

	return rc ? rc : qsock_cls_open_pin(dir, QSOCK_PIN_FLAGS, 0, fd, err);
}

int qsock_cls_read_conf(const struct qsock_cls_maps *m, char sched[IFNAMSIZ], uint32_t *handle,
			struct qsock_err *err)
{
	struct qsock_cls_conf conf;
	uint32_t zero = 0;

	if (bpf_map_lookup_elem(m->conf, &zero, &conf))
		return qsock_errf(err, -errno, "reading the classifier's conf: %s",
				  strerror(errno));
	snprintf(sched, IFNAMSIZ, "%.*s", IFNAMSIZ - 1, conf.sched);
	*handle = conf.handle_major << 16;
	return 0;
}

int qsock_cls_devices(char *buf, size_t size, struct qsock_err *err)
{
	uint64_t self = qsock_cls_netns_ino("/proc/self/ns/net");
	char suffix[32];
	struct dirent *de;
	size_t used = 0;
	DIR *d;

	if (size < 1)
		return qsock_errf(err, -EINVAL, "no room for device names");
	snprintf(suffix, sizeof(suffix), "@ns%llu", (unsigned long long)self);
	d = opendir(qsock_cls_pin_root());
	if (!d) {
		buf[0] = '\0';
		return errno == ENOENT ? 0 :
					 qsock_errf(err, -errno, "listing %s: %s", qsock_cls_pin_root(),
						    strerror(errno));
	}
	while ((de = readdir(d))) {
		char name[IFNAMSIZ];
		char *at;
		size_t n;

		if (de->d_name[0] == '.')
			continue;
		snprintf(name, sizeof(name), "%.*s", IFNAMSIZ - 1, de->d_name);
		at = strchr(de->d_name, '@');
		if (at) {
			if (strcmp(at, suffix))
				continue; /* another namespace's device */
			name[at - de->d_name < IFNAMSIZ ? at - de->d_name : IFNAMSIZ - 1] = '\0';
		}
		n = strlen(name) + 1;
		if (used + n + 1 > size)
			break;
		memcpy(buf + used, name, n);
		used += n;
	}
	closedir(d);
	buf[used] = '\0';
	return 0;
}
