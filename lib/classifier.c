// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * classifier.c — install and remove the socket classifier of a device: the cls_bpf
 * program (embedded skeleton of lib/bpf/qsock_cls.bpf.c, loaded with libbpf) attached in
 * direct-action mode to the qsock root, and its maps pinned in the device's directory:
 *   streams 0600  socket cookie -> stream record: only the manager (root, qsockd) writes it
 *   flags   0666  SK_STORAGE flags word: anyone may open it, but a key is an fd of the caller's
 *                 own, so a process reaches only its own sockets' words
 *   conf    0644  scheduler name, root handle, netns, mark mask
 *   slots   0600  socket cookie -> that socket's slot map: only the manager writes it; the
 *                 slot maps themselves are never pinned (cls_slots.c: their fds go to the
 *                 streams' owners), so nothing here is writable by other users
 * The directory is /sys/fs/bpf/qsock/<dev> for a device of the first network namespace
 * (pid 1's) and /sys/fs/bpf/qsock/<dev>@ns<inode> for others, since device names repeat
 * across namespaces while bpffs is shared; conf records the namespace and is checked.
 * bpffs is mounted at /sys/fs/bpf when absent, as bpftool does.
 *
 * The classifier is four files along its seams: this one loads and attaches the program and
 * pins its maps; cls_pins.c finds and opens the pin directories (cls_pins.h, shared by the
 * four); cls_slots.c gives sockets their send slots; cls_sweep.c removes the directories of
 * classifiers that are gone.
 *
 * Why not libbpf's bpf_tc_attach(BPF_TC_CUSTOM): it cannot set TCA_BPF_CLASSID, and in direct
 * action the program can only write 16 bits (skb->tc_classid is a u16 in qdisc_skb_cb), so
 * cls_bpf's result would be 0:minor, which HTB (and any qdisc with a non-zero major) cannot
 * find. The filter is therefore created here through libnl with TCA_BPF_CLASSID = the root's
 * handle, which gives the major (K:net/sched/cls_bpf.c:108).
 */
#include <errno.h>
#include <limits.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <netlink/route/classifier.h>
#include <netlink/route/tc.h>

#include "bpf/qsock_cls.h"
#include "bpflog.h"
#include "classifier.h"
#include "cls_pins.h"
#include "errors.h"
#include "sched_ops.h"
#include "qsock_cls.skel.h"
#include "sys.h"

_Static_assert(sizeof(struct qsock_stream) == QSOCK_STREAM_REC_SIZE,
	       "struct qsock_stream is the streams map value: keep QSOCK_STREAM_REC_SIZE equal");

#define CLS_PRIO 1
#define CLS_HANDLE 1

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

int qsock_cls_install(struct qsock_nl *nl, const char *dev, int ifindex, uint32_t handle,
		      const char *sched, uint32_t markmask, struct qsock_err *err)
{
	struct qsock_cls_conf conf = {
		.handle_major = handle >> 16,
		.version = QSOCK_CLS_VERSION,
		.netns_ino = qsock_cls_netns_ino("/proc/self/ns/net"),
		.ifindex = (uint32_t)ifindex,
	};
	struct qsock_bpflog log;
	struct qsock_cls *skel;
	char dir[DIR_MAX];
	uint32_t zero = 0;
	int rc;

	snprintf(conf.sched, sizeof(conf.sched), "%s", sched);
	qsock_cls_conf_set_mask(&conf, markmask);
	rc = qsock_cls_ensure_bpffs(err);
	if (!rc)
		rc = qsock_cls_make_dir(qsock_cls_pin_root(), err);
	if (rc)
		return rc;
	qsock_cls_pin_dir_own(dev, dir, sizeof(dir));
	rc = qsock_cls_make_dir(dir, err);
	if (rc)
		return rc;

	qsock_bpflog_begin(&log);
	skel = qsock_cls__open_and_load();
	if (!skel) {
		rc = qsock_errf(err, -errno, "loading the socket classifier: %s%s", strerror(errno),
				qsock_bpflog_text());
		goto out;
	}
	rc = qsock_cls_pin(bpf_map__fd(skel->maps.streams), dir, QSOCK_PIN_STREAMS, 0600, err);
	if (!rc)
		rc = qsock_cls_pin(bpf_map__fd(skel->maps.flags), dir, QSOCK_PIN_FLAGS, 0666, err);
	if (!rc)
		rc = qsock_cls_pin(bpf_map__fd(skel->maps.slots), dir, QSOCK_PIN_SLOTS, 0600, err);
	if (!rc && bpf_map_update_elem(bpf_map__fd(skel->maps.conf), &zero, &conf, BPF_ANY))
		rc = qsock_errf(err, -errno, "writing the classifier's conf: %s", strerror(errno));
	if (!rc)
		rc = qsock_cls_pin(bpf_map__fd(skel->maps.conf), dir, QSOCK_PIN_CONF, 0644, err);
	if (rc)
		goto out;
	/* a classless root (dwcs-bpf) takes no filter: it finds the streams itself */
	if (!(qsock_sched_find(sched) && qsock_sched_find(sched)->classless))
		rc = attach_filter(nl, ifindex, handle, bpf_program__fd(skel->progs.qsock_classify),
				   err);
out:
	qsock_bpflog_end(&log);
	if (rc)
		qsock_cls_unpin_all(dir);
	qsock_cls__destroy(skel); /* the pins and the filter keep what must live on */
	return rc;
}

int qsock_cls_uninstall(const char *dev, struct qsock_err *err)
{
	struct qsock_cls_conf conf;
	char dir[DIR_MAX];
	int fd, rc;

	rc = qsock_cls_find_dir(dev, dir, sizeof(dir), &fd, &conf, err);
	if (rc == -ENOENT)
		return 0;
	if (rc)
		return rc;
	qsock_sys.close(fd);
	qsock_cls_unpin_all(dir);
	return 0;
}

