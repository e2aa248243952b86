// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * classifier.c — install, find and remove the socket classifier of a device: the cls_bpf
 * program (embedded skeleton of lib/bpf/qsock_cls.bpf.c, loaded with libbpf) attached in
 * direct-action mode to the qsock root, and its maps pinned in the device's directory:
 *   streams 0600  socket cookie -> stream record: only the manager (root, qsockd) writes it
 *   flags   0666  SK_STORAGE flags word: anyone may open it, but a key is an fd of the caller's
 *                 own, so a process reaches only its own sockets' words
 *   conf    0644  scheduler name, root handle, netns, mark mask
 *   slots   0600  socket cookie -> that socket's slot map: only the manager writes it
 *   slot/   01777 the send slots (qsock_cls.h): slot/<cookie> is a socket's one-page map,
 *                 pinned 0600 for the stream's owner, who maps it and unlinks the pin, so
 *                 that no other process (of the same user either) can open it afterwards;
 *                 the sticky bit lets the owner unlink its own pin and nothing else
 * The directory is /sys/fs/bpf/qsock/<dev> for a device of the first network namespace
 * (pid 1's) and /sys/fs/bpf/qsock/<dev>@ns<inode> for others, since device names repeat
 * across namespaces while bpffs is shared; conf records the namespace and is checked.
 * bpffs is mounted at /sys/fs/bpf when absent, as bpftool does.
 *
 * Why not libbpf's bpf_tc_attach(BPF_TC_CUSTOM): it cannot set TCA_BPF_CLASSID, and in direct
 * action the program can only write 16 bits (skb->tc_classid is a u16 in qdisc_skb_cb), so
 * cls_bpf's result would be 0:minor, which HTB (and any qdisc with a non-zero major) cannot
 * find. The filter is therefore created here through libnl with TCA_BPF_CLASSID = the root's
 * handle, which gives the major (K:net/sched/cls_bpf.c:108).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <linux/magic.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <netlink/route/classifier.h>
#include <netlink/route/tc.h>

#include "bpf/qsock_cls.h"
#include "bpflog.h"
#include "classifier.h"
#include "sched_ops.h"
#include "errors.h"
#include "qsock_cls.skel.h"
#include "sys.h"

_Static_assert(sizeof(struct qsock_stream) == QSOCK_STREAM_REC_SIZE,
	       "struct qsock_stream is the streams map value: keep QSOCK_STREAM_REC_SIZE equal");

#define BPFFS "/sys/fs/bpf"
#define CLS_PRIO 1
#define CLS_HANDLE 1
#define DIR_MAX QSOCK_CLS_DIR_MAX

static uint64_t netns_ino(const char *path)
{
	struct stat sb;

	return stat(path, &sb) ? 0 : (uint64_t)sb.st_ino;
}

/* The pin directory for @dev in this process's network namespace (creation-time rule). */
static void pin_dir_own(const char *dev, char *buf, size_t size)
{
	uint64_t self = netns_ino("/proc/self/ns/net"), init = netns_ino("/proc/1/ns/net");

	if (self && self == init)
		snprintf(buf, size, "%s/%s", QSOCK_PIN_ROOT, dev);
	else
		snprintf(buf, size, "%s/%s@ns%llu", QSOCK_PIN_ROOT, dev, (unsigned long long)self);
}

int qsock_cls_ensure_bpffs(struct qsock_err *err)
{
	struct statfs sf;

	if (!statfs(BPFFS, &sf) && sf.f_type == BPF_FS_MAGIC)
		return 0;
	if (mount("bpf", BPFFS, "bpf", 0, "mode=0755"))
		return qsock_errf(err, -errno, "mounting bpffs at %s: %s", BPFFS, strerror(errno));
	return 0;
}

static int make_dir(const char *path, struct qsock_err *err)
{
	if (mkdir(path, 0755) && errno != EEXIST)
		return qsock_errf(err, -errno, "creating %s: %s", path, strerror(errno));
	return 0;
}

static int pin(int fd, const char *dir, const char *name, mode_t mode, struct qsock_err *err)
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

/* Everything in @dir (a user may have dropped anything into the slot directory). */
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

static void unpin_all(const char *dir)
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

/* RTM_NEWTFILTER: cls_bpf, direct action, TCA_BPF_CLASSID = @handle (see the top). */
static int attach_filter(struct qsock_nl *nl, int ifindex, uint32_t handle, int prog_fd,
			 struct qsock_err *err)
{
	struct rtnl_cls *cls = rtnl_cls_alloc();
	struct nl_msg *msg = NULL;
	struct nlattr *opts;
	int rc;

	if (!cls)
		return qsock_errf(err, -ENOMEM, "out of memory");
	rtnl_tc_set_ifindex(TC_CAST(cls), ifindex);
	rtnl_tc_set_parent(TC_CAST(cls), handle);
	rtnl_tc_set_handle(TC_CAST(cls), CLS_HANDLE);
	rc = rtnl_tc_set_kind(TC_CAST(cls), "bpf"); /* no libnl module: no options of its own */
	rtnl_cls_set_prio(cls, CLS_PRIO);
	rtnl_cls_set_protocol(cls, ETH_P_ALL);
	if (!rc)
		rc = rtnl_cls_build_add_request(cls, NLM_F_CREATE | NLM_F_EXCL, &msg);
	rtnl_cls_put(cls);
	if (rc < 0)
		return qsock_errf(err, -ENOMEM, "building the filter request: %s", nl_geterror(rc));
	opts = nla_nest_start(msg, TCA_OPTIONS);
	if (!opts || nla_put_u32(msg, TCA_BPF_FD, (uint32_t)prog_fd) < 0 ||
	    nla_put_string(msg, TCA_BPF_NAME, "qsock_classify") < 0 ||
	    nla_put_u32(msg, TCA_BPF_FLAGS, TCA_BPF_FLAG_ACT_DIRECT) < 0 ||
	    nla_put_u32(msg, TCA_BPF_CLASSID, handle) < 0) {
		nlmsg_free(msg);
		return qsock_errf(err, -ENOMEM, "building the filter request: no room");
	}
	nla_nest_end(msg, opts);
	return qsock_nl_request(nl, msg, "attaching the socket classifier (cls_bpf)", NULL, NULL,
				err);
}

/* markmask and mark_shift of a conf: the one place they are derived */
static void conf_set_mask(struct qsock_cls_conf *c, uint32_t markmask)
{
	c->markmask = markmask;
	c->mark_shift = markmask ? (uint32_t)__builtin_ctz(markmask) : 0;
}

int qsock_cls_install(struct qsock_nl *nl, const char *dev, int ifindex, uint32_t handle,
		      const char *sched, uint32_t markmask, struct qsock_err *err)
{
	struct qsock_cls_conf conf = {
		.handle_major = handle >> 16,
		.version = QSOCK_CLS_VERSION,
		.netns_ino = netns_ino("/proc/self/ns/net"),
		.ifindex = (uint32_t)ifindex,
	};
	struct qsock_bpflog log;
	struct qsock_cls *skel;
	char dir[DIR_MAX];
	uint32_t zero = 0;
	int rc;

	snprintf(conf.sched, sizeof(conf.sched), "%s", sched);
	conf_set_mask(&conf, markmask);
	rc = qsock_cls_ensure_bpffs(err);
	if (!rc)
		rc = make_dir(QSOCK_PIN_ROOT, err);
	if (rc)
		return rc;
	pin_dir_own(dev, dir, sizeof(dir));
	rc = make_dir(dir, err);
	if (!rc) {
		char slots[PATH_MAX];

		snprintf(slots, sizeof(slots), "%s/%s", dir, QSOCK_PIN_SLOT_DIR);
		rc = make_dir(slots, err);
		if (!rc && chmod(slots, 01777))
			rc = qsock_errf(err, -errno, "chmod 1777 %s: %s", slots, strerror(errno));
	}
	if (rc)
		return rc;

	qsock_bpflog_begin(&log);
	skel = qsock_cls__open_and_load();
	if (!skel) {
		rc = qsock_errf(err, -errno, "loading the socket classifier: %s%s", strerror(errno),
				qsock_bpflog_text());
		goto out;
	}
	rc = pin(bpf_map__fd(skel->maps.streams), dir, QSOCK_PIN_STREAMS, 0600, err);
	if (!rc)
		rc = pin(bpf_map__fd(skel->maps.flags), dir, QSOCK_PIN_FLAGS, 0666, err);
	if (!rc)
		rc = pin(bpf_map__fd(skel->maps.slots), dir, QSOCK_PIN_SLOTS, 0600, err);
	if (!rc && bpf_map_update_elem(bpf_map__fd(skel->maps.conf), &zero, &conf, BPF_ANY))
		rc = qsock_errf(err, -errno, "writing the classifier's conf: %s", strerror(errno));
	if (!rc)
		rc = pin(bpf_map__fd(skel->maps.conf), dir, QSOCK_PIN_CONF, 0644, err);
	if (rc)
		goto out;
	/* a classless root (dwcs-bpf) takes no filter: it finds the streams itself */
	if (!(qsock_sched_find(sched) && qsock_sched_find(sched)->classless))
		rc = attach_filter(nl, ifindex, handle, bpf_program__fd(skel->progs.qsock_classify),
				   err);
out:
	qsock_bpflog_end(&log);
	if (rc)
		unpin_all(dir);
	qsock_cls__destroy(skel); /* the pins and the filter keep what must live on */
	return rc;
}

/* Find @dev's pin directory from this namespace: the namespaced name first, then the plain
 * one, accepted only if its conf says it belongs to this namespace. Opens conf into *conf_fd.*/
static int find_dir(const char *dev, char *dir, size_t size, int *conf_fd,
		    struct qsock_cls_conf *conf, struct qsock_err *err)
{
	uint64_t self = netns_ino("/proc/self/ns/net");
	char path[PATH_MAX];
	uint32_t zero = 0;
	int fd, i;
	LIBBPF_OPTS(bpf_obj_get_opts, ro, .file_flags = BPF_F_RDONLY);

	for (i = 0; i < 2; i++) {
		if (i == 0)
			snprintf(dir, size, "%s/%s@ns%llu", QSOCK_PIN_ROOT, dev,
				 (unsigned long long)self);
		else
			snprintf(dir, size, "%s/%s", QSOCK_PIN_ROOT, dev);
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

int qsock_cls_uninstall(const char *dev, struct qsock_err *err)
{
	struct qsock_cls_conf conf;
	char dir[DIR_MAX];
	int fd, rc;

	rc = find_dir(dev, dir, sizeof(dir), &fd, &conf, err);
	if (rc == -ENOENT)
		return 0;
	if (rc)
		return rc;
	qsock_sys.close(fd);
	unpin_all(dir);
	return 0;
}

static int open_pin(const char *dir, const char *name, __u32 flags, int *fd, struct qsock_err *err)
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
	rc = find_dir(dev, dir, sizeof(dir), &m->conf, &conf, err);
	if (!rc)
		rc = open_pin(dir, QSOCK_PIN_STREAMS, 0, &m->streams, err);
	if (!rc)
		rc = open_pin(dir, QSOCK_PIN_FLAGS, 0, &m->flags, err);
	if (!rc) {
		struct qsock_err ignored;

		/* A root installed by a library without send slots has none: senders then use
		 * control messages alone. */
		if (open_pin(dir, QSOCK_PIN_SLOTS, 0, &m->slots, &ignored))
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
	rc = open_pin(m->dir, QSOCK_PIN_CONF, 0, &fd, err);
	if (rc)
		return rc;
	conf_set_mask(&conf, markmask);
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

	rc = find_dir(dev, dir, sizeof(dir), &conf_fd, &conf, err);
	if (rc)
		return rc;
	qsock_sys.close(conf_fd);
	*markmask = conf.markmask;
	return 0;
}

static void slot_path(const char *dir, uint64_t cookie, char *path, size_t size)
{
	snprintf(path, size, "%s/%s/%llu", dir, QSOCK_PIN_SLOT_DIR, (unsigned long long)cookie);
}

int qsock_cls_slot_create(const struct qsock_cls_maps *m, uint64_t cookie, uint32_t uid,
			  struct qsock_err *err)
{
	LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = BPF_F_MMAPABLE);
	char path[PATH_MAX];
	int fd, rc = 0;

	if (m->slots < 0)
		return 0;
	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "qsock_slot", sizeof(uint32_t),
			    sizeof(struct qsock_cls_slot), 1, &o);
	if (fd < 0)
		return qsock_errf(err, -errno, "creating the send slot of socket %llu: %s",
				  (unsigned long long)cookie, strerror(errno));
	slot_path(m->dir, cookie, path, sizeof(path));
	unlink(path); /* a socket cookie is never reused: only a leftover of a crash */
	if (bpf_obj_pin(fd, path))
		rc = qsock_errf(err, -errno, "pinning %s: %s", path, strerror(errno));
	else if (chown(path, uid, (gid_t)-1) || chmod(path, 0600))
		rc = qsock_errf(err, -errno, "giving %s to uid %u: %s", path, uid, strerror(errno));
	else if (bpf_map_update_elem(m->slots, &cookie, &fd, BPF_ANY))
		rc = qsock_errf(err, -errno, "entering the send slot of socket %llu: %s",
				(unsigned long long)cookie, strerror(errno));
	if (rc)
		unlink(path);
	qsock_sys.close(fd);
	return rc;
}

void qsock_cls_slot_remove(const struct qsock_cls_maps *m, uint64_t cookie)
{
	char path[PATH_MAX];

	if (m->slots < 0)
		return;
	bpf_map_delete_elem(m->slots, &cookie);
	slot_path(m->dir, cookie, path, sizeof(path));
	unlink(path);
}

static int sender_dir(const char *dev, char dir[DIR_MAX], struct qsock_err *err)
{
	struct qsock_cls_conf conf;
	int conf_fd, rc;

	rc = find_dir(dev, dir, DIR_MAX, &conf_fd, &conf, err);
	if (!rc)
		qsock_sys.close(conf_fd);
	return rc;
}

int qsock_cls_slot_map(const char *dev, uint64_t cookie, struct qsock_cls_slot **slot,
		       struct qsock_err *err)
{
	char dir[DIR_MAX], path[PATH_MAX];
	int fd, rc;
	void *mem;

	*slot = NULL;
	rc = sender_dir(dev, dir, err);
	if (rc)
		return rc;
	slot_path(dir, cookie, path, sizeof(path));
	fd = bpf_obj_get(path);
	if (fd < 0)
		return qsock_errf(err, -errno, "opening %s: %s", path, strerror(errno));
	mem = mmap(NULL, QSOCK_CLS_SLOT_MAP_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	rc = mem == MAP_FAILED ? -errno : 0;
	qsock_sys.close(fd);
	if (rc)
		return qsock_errf(err, rc, "mapping %s: %s", path, strerror(-rc));
	/* Mapped: the map lives on in this mapping and in the classifier's slots map, and
	 * without its pin nobody else can open it. (A root of an earlier version has no
	 * sticky directory: the pin then stays, still 0600.) */
	unlink(path);
	*slot = mem;
	return 0;
}

void qsock_cls_slot_unmap(struct qsock_cls_slot *slot)
{
	if (slot)
		munmap(slot, QSOCK_CLS_SLOT_MAP_SIZE);
}

/* @dev's pin directory from this namespace, for a sender that needs nothing else of it. */
int qsock_cls_open_flags(const char *dev, int *fd, struct qsock_err *err)
{
	char dir[DIR_MAX];
	int rc = sender_dir(dev, dir, err);

	return rc ? rc : open_pin(dir, QSOCK_PIN_FLAGS, 0, fd, err);
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
	uint64_t self = netns_ino("/proc/self/ns/net");
	char suffix[32];
	struct dirent *de;
	size_t used = 0;
	DIR *d;

	if (size < 1)
		return qsock_errf(err, -EINVAL, "no room for device names");
	snprintf(suffix, sizeof(suffix), "@ns%llu", (unsigned long long)self);
	d = opendir(QSOCK_PIN_ROOT);
	if (!d) {
		buf[0] = '\0';
		return errno == ENOENT ? 0 :
					 qsock_errf(err, -errno, "listing %s: %s", QSOCK_PIN_ROOT,
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

struct pin_dir {
	char name[256];
	uint32_t map_id;
	bool used;
};

/* Mark the pin dirs whose streams map program @pfd uses. */
static void mark_used(int pfd, struct pin_dir *v, size_t n)
{
	uint32_t ids[64], *map_ids = ids, len, cnt = 64;
	struct bpf_prog_info pi;

	for (int pass = 0; pass < 2; pass++) {
		memset(&pi, 0, sizeof(pi));
		pi.nr_map_ids = cnt;
		pi.map_ids = (uint64_t)(uintptr_t)map_ids;
		len = sizeof(pi);
		if (bpf_obj_get_info_by_fd(pfd, &pi, &len))
			break;
		if (pi.nr_map_ids <= cnt) {
			for (uint32_t i = 0; i < pi.nr_map_ids; i++)
				for (size_t k = 0; k < n; k++)
					v[k].used |= v[k].map_id == map_ids[i];
			break;
		}
		/* a program with more maps than we asked for: ask again for all of them */
		cnt = pi.nr_map_ids;
		map_ids = malloc(cnt * sizeof(*map_ids));
		if (!map_ids) {
			for (size_t k = 0; k < n; k++)
				v[k].used = true; /* cannot tell: keep everything */
			return;
		}
	}
	if (map_ids != ids)
		free(map_ids);
}

int qsock_cls_sweep_dead(unsigned int *removed, struct qsock_err *err)
{
	LIBBPF_OPTS(bpf_obj_get_opts, ro, .file_flags = BPF_F_RDONLY);
	struct pin_dir *v = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	uint32_t id = 0;
	int rc = 0;
	DIR *d;

	if (removed)
		*removed = 0;
	d = opendir(QSOCK_PIN_ROOT);
	if (!d)
		return errno == ENOENT ? 0 :
					 qsock_errf(err, -errno, "listing %s: %s", QSOCK_PIN_ROOT,
						    strerror(errno));
	/* First the maps pinned now, then the programs loaded now (see classifier.h). */
	while ((de = readdir(d))) {
		struct bpf_map_info mi;
		char path[PATH_MAX];
		uint32_t len = sizeof(mi);
		int fd;

		if (de->d_name[0] == '.' || strlen(de->d_name) >= sizeof(v->name))
			continue;
		snprintf(path, sizeof(path), "%s/%s/%s", QSOCK_PIN_ROOT, de->d_name,
			 QSOCK_PIN_STREAMS);
		fd = bpf_obj_get_opts(path, &ro);
		if (fd < 0)
			continue; /* being created or removed, or not ours */
		memset(&mi, 0, sizeof(mi));
		if (bpf_obj_get_info_by_fd(fd, &mi, &len)) {
			qsock_sys.close(fd);
			continue;
		}
		qsock_sys.close(fd);
		if (n == cap) {
			struct pin_dir *w = realloc(v, (cap = cap ? cap * 2 : 16) * sizeof(*w));

			if (!w) {
				rc = qsock_errf(err, -ENOMEM, "out of memory");
				goto out;
			}
			v = w;
		}
		snprintf(v[n].name, sizeof(v[n].name), "%s", de->d_name);
		v[n].map_id = mi.id;
		v[n].used = false;
		n++;
	}
	if (!n)
		goto out;
	while (!bpf_prog_get_next_id(id, &id)) {
		int pfd = bpf_prog_get_fd_by_id(id);

		if (pfd < 0) {
			if (errno == ENOENT)
				continue; /* unloaded meanwhile */
			break;
		}
		mark_used(pfd, v, n);
		qsock_sys.close(pfd);
	}
	if (errno != ENOENT) {
		rc = qsock_errf(err, -errno, "listing the loaded BPF programs: %s%s",
				strerror(errno),
				errno == EPERM ? " (needs CAP_SYS_ADMIN); no pin directory removed" :
						 "");
		goto out;
	}
	for (size_t k = 0; k < n; k++) {
		char dir[sizeof(QSOCK_PIN_ROOT) + sizeof(v->name)];

		if (v[k].used)
			continue;
		snprintf(dir, sizeof(dir), "%s/%s", QSOCK_PIN_ROOT, v[k].name);
		unpin_all(dir);
		if (removed)
			(*removed)++;
	}
out:
	closedir(d);
	free(v);
	return rc;
}
