// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * sched_dwcs_bpf.c — the "dwcs-bpf" scheduler module: DWCS as a BPF qdisc
 * (lib/bpf/dwcs_qdisc.bpf.c, qdisc kind "dwcs_bpf") on kernels with CONFIG_NET_SCH_BPF
 * (Linux 6.16+, Debian 6.17+), with no kernel module. docs/dwcs-bpf.md.
 *
 * A BPF qdisc has no classes and no tc options, so where "dwcs" sends netlink class requests
 * this module writes maps: the program's dwcs_conf (the root's parameters), dwcs_cfg[minor]
 * (a stream), dwcs_cookies (socket cookie -> minor: how the qdisc finds a socket's stream
 * without the classifier, which a classless qdisc cannot hold; and the flags its send slot
 * may carry) and dwcs_slots (socket cookie -> its send slot). Statistics come back from
 * dwcs_state[minor].
 *
 * The program's state is global, so it is loaded and registered once (the struct_ops map
 * pinned in /sys/fs/bpf/qsock/dwcs_bpf/ keeps the registration after this process exits) and
 * one device at a time runs it; qsockfini unregisters it.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/pkt_sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <netlink/route/qdisc.h>
#include <netlink/route/tc.h>
#include <uapi/linux/pkt_sch_dwcs.h>

#include "bpf/dwcs_qdisc.h"
#include "bpflog.h"
#include "classifier.h"
#include "errors.h"
#include "sched_ops.h"
#include "dwcs_qdisc.skel.h"
#include "sys.h"

#define PIN_SUBDIR "dwcs_bpf"	/* under qsock_cls_pin_root() */
#define PIN_PUBLIC_MODE 0644	/* the statistics' pins: any user reads them */

static int kernel_supports(struct qsock_err *err)
{
	struct utsname u;
	struct btf *btf;
	int id;

	uname(&u);
	btf = btf__load_vmlinux_btf();
	if (!btf)
		return qsock_errf(err, -EOPNOTSUPP,
				  "kernel %s has no BTF (/sys/kernel/btf/vmlinux): dwcs-bpf needs "
				  "Linux 6.16+ with CONFIG_NET_SCH_BPF (Debian 6.17+); use dwcs "
				  "(the module) or htb", u.release);
	id = btf__find_by_name_kind(btf, "bpf_struct_ops_Qdisc_ops", BTF_KIND_STRUCT);
	btf__free(btf);
	if (id < 0)
		return qsock_errf(err, -EOPNOTSUPP,
				  "kernel %s has no BPF qdiscs (CONFIG_NET_SCH_BPF): dwcs-bpf needs "
				  "Linux 6.16+ built with it (Debian 6.17+); use dwcs (the module) "
				  "or htb", u.release);
	return 0;
}

#ifdef DWCS_QDISC_UNAVAILABLE

static int unavailable(struct qsock_err *err)
{
	return qsock_errf(err, -EOPNOTSUPP, "%s", DWCS_QDISC_UNAVAILABLE);
}

static int bpf_init_root(struct qsock_nl *nl, int ifindex, uint32_t handle,
			 const struct qsock_root_params *rp, struct qsock_err *err)
{
	return kernel_supports(err) ?: unavailable(err);
}

static int bpf_fini_root(int ifindex, struct qsock_err *err)
{
	return 0;
}

/* @name's path in the registration's pin directory, or the directory itself for NULL. */
static void pin_path(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s/" PIN_SUBDIR "%s%s", qsock_cls_pin_root(), name ? "/" : "",
		 name ? name : "");
}

static int open_pinned(const char *name, struct qsock_err *err)
{
	return unavailable(err);
}

static int open_pinned_ro(const char *name, struct qsock_err *err)
{
	return unavailable(err);
}

#else

/* @name's path in the registration's pin directory, or the directory itself for NULL. */
static void pin_path(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s/" PIN_SUBDIR "%s%s", qsock_cls_pin_root(), name ? "/" : "",
		 name ? name : "");
}

/* @name's pin, opened with @file_flags (0: read-write; BPF_F_RDONLY). */
static int open_pin(const char *name, uint32_t file_flags, struct qsock_err *err)
{
	LIBBPF_OPTS(bpf_obj_get_opts, o, .file_flags = file_flags);
	char path[PATH_MAX];
	int fd;

	pin_path(path, sizeof(path), name);
	fd = bpf_obj_get_opts(path, &o);
	if (fd < 0)
		return qsock_errf(err, errno == ENOENT ? -ENOENT : -errno,
				  "dwcs-bpf: opening %s: %s%s", path, strerror(errno),
				  errno == ENOENT ? " (no dwcs-bpf root: qsockinit first)" : "");
	return fd;
}

static int open_pinned(const char *name, struct qsock_err *err)
{
	return open_pin(name, 0, err);
}

/* The statistics' maps, which any user may read (PIN_PUBLIC_MODE): qinfo of an unprivileged
 * program's stream reads them itself, as it reads a dwcs class's from tc. */
static int open_pinned_ro(const char *name, struct qsock_err *err)
{
	return open_pin(name, BPF_F_RDONLY, err);
}

static void unpin_all(void)
{
	static const char *const names[] = { DWCS_BPF_PIN_OPS, DWCS_BPF_PIN_CFG,
					     DWCS_BPF_PIN_STATE, DWCS_BPF_PIN_CONF,
					     DWCS_BPF_PIN_COOKIES, DWCS_BPF_PIN_SLOTS };
	char path[PATH_MAX];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		pin_path(path, sizeof(path), names[i]);
		unlink(path);
	}
	pin_path(path, sizeof(path), NULL);
	rmdir(path);
}

static int pin(struct bpf_map *map, const char *name, struct qsock_err *err)
{
	char path[PATH_MAX];

	pin_path(path, sizeof(path), name);
	if (bpf_obj_pin(bpf_map__fd(map), path))
		return qsock_errf(err, -errno, "dwcs-bpf: pinning %s: %s", path, strerror(errno));
	return 0;
}

/* Load the program and register the qdisc kind, unless an earlier qsockinit did. */
/* Let every user read the pin @name (open_pinned_ro). */
static int publish(const char *name, struct qsock_err *err)
{
	char path[PATH_MAX];

	pin_path(path, sizeof(path), name);
	if (chmod(path, PIN_PUBLIC_MODE))
		return qsock_errf(err, -errno, "dwcs-bpf: chmod %s: %s", path, strerror(errno));
	return 0;
}

static int load_register(struct qsock_err *err)
{
	struct dwcs_qdisc *skel;
	struct qsock_bpflog log;
	struct bpf_link *link;
	char path[PATH_MAX];
	int rc, fd;

	fd = open_pinned(DWCS_BPF_PIN_OPS, err);
	if (fd >= 0) {
		qsock_sys.close(fd);
		return 0;
	}
	unpin_all(); /* the leftovers of a half-done earlier attempt */
	rc = qsock_cls_ensure_bpffs(err);
	if (rc)
		return rc;
	if (mkdir(qsock_cls_pin_root(), 0755) && errno != EEXIST)
		return qsock_errf(err, -errno, "creating %s: %s (bpffs mounted?)",
				  qsock_cls_pin_root(), strerror(errno));
	pin_path(path, sizeof(path), NULL);
	if (mkdir(path, 0755) && errno != EEXIST)
		return qsock_errf(err, -errno, "creating %s: %s", path, strerror(errno));

	qsock_bpflog_begin(&log);
	skel = dwcs_qdisc__open_and_load();
	if (!skel) {
		rc = qsock_errf(err, -errno, "dwcs-bpf: loading the BPF qdisc: %s%s",
				strerror(errno), qsock_bpflog_text());
		goto out;
	}
	/* libbpf 1.1 registers by updating the struct_ops map; the registration lives as
	 * long as the map, which the pin keeps: the link object is only let go of */
	link = bpf_map__attach_struct_ops(skel->maps.dwcs_bpf);
	if (!link) {
		rc = qsock_errf(err, -errno,
				"dwcs-bpf: registering the qdisc kind " DWCS_BPF_ID ": %s%s",
				strerror(errno), qsock_bpflog_text());
		goto out;
	}
	bpf_link__disconnect(link);
	bpf_link__destroy(link);
	rc = pin(skel->maps.dwcs_cfg, DWCS_BPF_PIN_CFG, err);
	if (!rc)
		rc = pin(skel->maps.dwcs_state, DWCS_BPF_PIN_STATE, err);
	/* streams' parameters and counters: what `tc -s class show` tells any user of a dwcs
	 * class; the other pins stay root's (0600) */
	if (!rc)
		rc = publish(DWCS_BPF_PIN_CFG, err) ?: publish(DWCS_BPF_PIN_STATE, err);
	if (!rc)
		rc = pin(skel->maps.dwcs_conf, DWCS_BPF_PIN_CONF, err);
	if (!rc)
		rc = pin(skel->maps.dwcs_cookies, DWCS_BPF_PIN_COOKIES, err);
	if (!rc)
		rc = pin(skel->maps.dwcs_slots, DWCS_BPF_PIN_SLOTS, err);
	if (!rc)
		rc = pin(skel->maps.dwcs_bpf, DWCS_BPF_PIN_OPS, err); /* last: "registered" */
	if (rc) {
		uint32_t zero = 0;

		bpf_map_delete_elem(bpf_map__fd(skel->maps.dwcs_bpf), &zero);
	}
out:
	qsock_bpflog_end(&log);
	if (rc)
		unpin_all();
	dwcs_qdisc__destroy(skel);
	return rc;
}

static int bpf_init_root(struct qsock_nl *nl, int ifindex, uint32_t handle,
			 const struct qsock_root_params *rp, struct qsock_err *err)
{
	struct dwcs_bpf_conf conf = {
		.rate = rp->rate,
		.limit = rp->limit ? rp->limit : DWCS_DEFAULT_LIMIT,
		.markmask = DWCS_DEFAULT_MARKMASK,
		.mark_shift = __builtin_ctz(DWCS_DEFAULT_MARKMASK),
		.order = DWCS_ORDER_DEADLINE_FIRST,
		.work_conserving = !!(rp->flags & QSOCK_ROOT_WORK_CONSERVING),
		.handle_major = handle >> 16,
	};
	struct nl_msg *msg = NULL;
	uint32_t zero = 0;
	int rc, fd;

	rc = kernel_supports(err);
	if (!rc)
		rc = load_register(err);
	if (rc)
		return rc;
	fd = open_pinned(DWCS_BPF_PIN_CONF, err);
	if (fd < 0)
		return fd;
	/* before the qdisc exists: its init reads the limit */
	rc = bpf_map_update_elem(fd, &zero, &conf, BPF_ANY);
	qsock_sys.close(fd);
	if (rc)
		return qsock_errf(err, -errno, "dwcs-bpf: writing the root parameters: %s",
				  strerror(errno));

	rc = qsock_sched_root_request(ifindex, handle, DWCS_BPF_ID, NULL, &msg, err);
	if (rc)
		return rc;
	rc = qsock_nl_request(nl, msg, "creating the dwcs_bpf root qdisc", NULL, NULL, err);
	if (rc == -EBUSY)
		rc = qsock_errf(err, -EBUSY, "dwcs-bpf already runs on another device: its state "
				"is global to the program, one device at a time (docs/dwcs-bpf.md)");
	return rc;
}

/* After the root is gone: unregister the kind and drop the maps. */
static int bpf_fini_root(int ifindex, struct qsock_err *err)
{
	uint32_t zero = 0;
	int fd;

	fd = open_pinned(DWCS_BPF_PIN_OPS, err);
	if (fd < 0)
		return fd == -ENOENT ? 0 : fd;
	if (bpf_map_delete_elem(fd, &zero) && errno != ENOENT) {
		int rc = qsock_errf(err, -errno, "dwcs-bpf: unregistering " DWCS_BPF_ID ": %s",
				    strerror(errno));

		qsock_sys.close(fd);
		return rc;
	}
	qsock_sys.close(fd);
	unpin_all();
	return 0;
}

#endif /* DWCS_QDISC_UNAVAILABLE */

static int bpf_check_stream(const struct qsock_stream_params *sp, struct qsock_err *err)
{
	return 0; /* params.c applied the uapi limits, which the program shares */
}

static int bpf_set_stream(struct qsock_nl *nl, const struct qsock_class_ref *ref,
			  const struct qsock_stream_params *sp, bool replace,
			  struct qsock_err *err)
{
	uint32_t minor = ref->classid & 0xffff;
	struct dwcs_bpf_cfg cfg = { 0 };
	int fd, cfd, rc = 0;

	fd = open_pinned(DWCS_BPF_PIN_CFG, err);
	if (fd < 0)
		return fd;
	if (bpf_map_lookup_elem(fd, &minor, &cfg)) {
		rc = qsock_errf(err, -errno, "dwcs-bpf: reading stream %u: %s", minor,
				strerror(errno));
		goto out;
	}
	if (!replace && cfg.period_ns) {
		rc = -EEXIST; /* the manager tries the next minor */
		goto out;
	}
	if (replace && !cfg.period_ns) {
		rc = qsock_errf(err, -ENOENT, "dwcs-bpf: stream %u does not exist", minor);
		goto out;
	}
	cfg.period_ns = sp->ipg_ns;
	cfg.x = sp->oln;
	cfg.y = sp->old;
	cfg.flags = DWCS_CLASS_F_EDF;
	if (sp->flags & DWCS_NON_DROPPABLE)
		cfg.flags |= DWCS_CLASS_F_NONDROPPABLE;
	if (sp->flags & QSOCK_STREAM_LOSSLESS)
		cfg.flags |= DWCS_CLASS_F_LOSSLESS;
	cfg.limit = sp->limit ? sp->limit : DWCS_DEFAULT_CLASS_LIMIT;
	cfg.max_rate = sp->max_rate;
	cfg.gen++;
	if (!replace)
		cfg.epoch++;
	if (bpf_map_update_elem(fd, &minor, &cfg, BPF_ANY)) {
		rc = qsock_errf(err, -errno, "dwcs-bpf: writing stream %u: %s", minor,
				strerror(errno));
		goto out;
	}
	if (ref->cookie) {
		struct dwcs_bpf_sock sock = { 0 };

		cfd = open_pinned(DWCS_BPF_PIN_COOKIES, err);
		if (cfd < 0) {
			rc = cfd;
			goto out;
		}
		bpf_map_lookup_elem(cfd, &ref->cookie, &sock); /* a change keeps its slot flags */
		sock.minor = minor;
		if (bpf_map_update_elem(cfd, &ref->cookie, &sock, BPF_ANY))
			rc = qsock_errf(err, -errno,
					"dwcs-bpf: mapping socket %llu to stream %u: %s%s",
					(unsigned long long)ref->cookie, minor, strerror(errno),
					errno == EINVAL ? " (the registered qdisc is another "
							  "libqsock's: qsockfini, then qsockinit)" :
							  "");
		qsock_sys.close(cfd);
	}
out:
	qsock_sys.close(fd);
	return rc;
}

/* The slot of socket @cookie into the program's dwcs_slots, and the flags it may carry into
 * the socket's dwcs_cookies entry (set_stream made it). */
static int bpf_set_slot(uint64_t cookie, int slot_fd, uint32_t allowed, struct qsock_err *err)
{
	struct dwcs_bpf_sock sock;
	int sfd, cfd, rc = 0;

	sfd = open_pinned(DWCS_BPF_PIN_SLOTS, err);
	if (sfd < 0)
		return sfd;
	cfd = open_pinned(DWCS_BPF_PIN_COOKIES, err);
	if (cfd < 0) {
		qsock_sys.close(sfd);
		return cfd;
	}
	/* the flags first: a slot found without them carries none */
	rc = bpf_map_lookup_elem(cfd, &cookie, &sock);
	if (!rc) {
		sock.slot_flags = allowed;
		rc = bpf_map_update_elem(cfd, &cookie, &sock, BPF_EXIST);
	}
	if (!rc)
		rc = bpf_map_update_elem(sfd, &cookie, &slot_fd, BPF_ANY);
	if (rc)
		rc = qsock_errf(err, -errno, "dwcs-bpf: entering the send slot of socket %llu: %s",
				(unsigned long long)cookie, strerror(errno));
	qsock_sys.close(cfd);
	qsock_sys.close(sfd);
	return rc;
}

static int bpf_remove_stream(struct qsock_nl *nl, const struct qsock_class_ref *ref,
			     struct qsock_err *err)
{
	uint32_t minor = ref->classid & 0xffff;
	struct dwcs_bpf_cfg cfg;
	int fd, rc = 0;

	if (ref->cookie) {
		fd = open_pinned(DWCS_BPF_PIN_COOKIES, err);
		if (fd < 0)
			return fd == -ENOENT ? 0 : fd; /* the root is gone, and the stream with it */
		bpf_map_delete_elem(fd, &ref->cookie); /* with the flags its slot may carry */
		qsock_sys.close(fd);
		fd = open_pinned(DWCS_BPF_PIN_SLOTS, err);
		if (fd >= 0) {
			bpf_map_delete_elem(fd, &ref->cookie);
			qsock_sys.close(fd);
		}
	}
	fd = open_pinned(DWCS_BPF_PIN_CFG, err);
	if (fd < 0)
		return fd == -ENOENT ? 0 : fd;
	/* queued packets drain under the parameters they were queued with (the program keeps
	 * a copy); new ones go best effort */
	if (!bpf_map_lookup_elem(fd, &minor, &cfg) && cfg.period_ns) {
		cfg.period_ns = 0;
		cfg.gen++;
		if (bpf_map_update_elem(fd, &minor, &cfg, BPF_ANY))
			rc = qsock_errf(err, -errno, "dwcs-bpf: removing stream %u: %s", minor,
					strerror(errno));
	}
	qsock_sys.close(fd);
	return rc;
}

/* The dwcs_state value as user space sees it: the program's struct stream_state. */
struct state_view {
	uint32_t lock;
	uint32_t pad0;
	uint64_t q[2];
	struct dwcs_bpf_stats st;
	uint8_t rest[256];	/* the lookup writes the whole value: dwcs_qdisc.bpf.c asserts
				 * that struct stream_state fits (408 bytes) */
};

static int bpf_stream_stats(struct qsock_nl *nl, const struct qsock_class_ref *ref,
			    struct qos_info *info, struct qsock_err *err)
{
	uint32_t minor = ref->classid & 0xffff;
	struct dwcs_bpf_cfg cfg;
	struct state_view sv;
	int fd, sfd;

	fd = open_pinned_ro(DWCS_BPF_PIN_CFG, err);
	if (fd < 0)
		return fd;
	sfd = open_pinned_ro(DWCS_BPF_PIN_STATE, err);
	if (sfd < 0) {
		qsock_sys.close(fd);
		return sfd;
	}
	memset(&sv, 0, sizeof(sv));
	if (bpf_map_lookup_elem(fd, &minor, &cfg) || bpf_map_lookup_elem(sfd, &minor, &sv)) {
		int rc = qsock_errf(err, -errno, "dwcs-bpf: reading stream %u: %s", minor,
				    strerror(errno));

		qsock_sys.close(fd);
		qsock_sys.close(sfd);
		return rc;
	}
	qsock_sys.close(fd);
	qsock_sys.close(sfd);
	if (!cfg.period_ns)
		return qsock_errf(err, -ENOENT, "dwcs-bpf: stream %u does not exist", minor);
	if (sv.st.epoch != cfg.epoch) /* no packet since it was added: nothing counted */
		memset(&sv.st, 0, sizeof(sv.st));
	info->sent_pkts = sv.st.sent_pkts;
	info->sent_bytes = sv.st.sent_bytes;
	info->backlog_pkts = sv.st.backlog;
	info->drop_late = sv.st.drop_late;
	info->drop_window = sv.st.drop_window;
	info->drop_overflow = sv.st.drop_overflow;
	info->drop_nondroppable = sv.st.drop_nondroppable;
	info->drop_frame = sv.st.drop_frame;
	info->drops = sv.st.drop_late + sv.st.drop_window + sv.st.drop_overflow +
		      sv.st.drop_nondroppable + sv.st.drop_frame;
	info->late_sent = sv.st.late_sent;
	info->deadline_misses = sv.st.misses;
	info->violations = sv.st.violations;
	info->cur_x = sv.st.epoch == cfg.epoch && sv.st.sent_pkts ? sv.st.cur_x : cfg.x;
	info->cur_y = sv.st.epoch == cfg.epoch && sv.st.sent_pkts ? sv.st.cur_y : cfg.y;
	info->delay_max_ns = sv.st.delay_max_ns;
	if (sv.st.sent_pkts)
		info->delay_avg_ns = sv.st.delay_sum_ns / sv.st.sent_pkts;
	info->valid |= QSOCK_INFO_SCHED | QSOCK_INFO_DWCS;
	return 0;
}

const struct qsock_sched_ops qsock_sched_dwcs_bpf = {
	.name = "dwcs-bpf",
	.kind = DWCS_BPF_ID,
	.discipline = "dwcs",
	.mark_flags = DWCS_MARK_FIELD_MASK,
	.classless = true,
	.check_stream = bpf_check_stream,
	.init_root = bpf_init_root,
	.fini_root = bpf_fini_root,
	.set_stream = bpf_set_stream,
	.remove_stream = bpf_remove_stream,
	.set_slot = bpf_set_slot,
	.stream_stats = bpf_stream_stats,
};
