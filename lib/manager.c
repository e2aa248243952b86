// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * manager.c — the Q.Sockets manager (manager.h): root checks, class numbering, the stream
 * records in the pinned streams map, and the calls into the scheduler modules. What each
 * operation opens of its device, and the walk over every qsock device, are mgr_dev.c's.
 *
 * Round trips per call: qsock_mgr_attach/change = 1 netlink request (the class) + bpf()
 * calls on the pinned maps; qsock_mgr_init_root = 3 (read root, create root, attach filter);
 * stream stats = 1.
 */
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <linux/net_tstamp.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <netlink/route/qdisc.h>
#include <netlink/route/tc.h>

#include <bpf/bpf.h>
#include <uapi/linux/pkt_sch_dwcs.h>

#include "bpf/qsock_cls.h"
#include "carrier.h"
#include "classifier.h"
#include "errors.h"
#include "linger.h"
#include "manager.h"
#include "mgr_dev.h"
#include "sched_ops.h"
#include "sockinfo.h"
#include "liveness.h"
#include "sys.h"

/* The root handle every qsock root gets: 1:, like tc's examples. */
#define QSOCK_ROOT_HANDLE 0x00010000U
/* Stream minors are picked by hashing the socket cookie into [2, 0xfff1] and probing with
 * NLM_F_EXCL: no shared counter is needed between processes, and a collision costs a retry. */
#define MINOR_FIRST 2U
#define MINOR_SPAN 0xfff0U
#define MINOR_TRIES 64

static int delete_root(struct qsock_nl *nl, int ifindex, uint32_t handle, struct qsock_err *err)
{
	struct tcmsg tcm = { .tcm_family = AF_UNSPEC,
			     .tcm_ifindex = ifindex,
			     .tcm_parent = TC_H_ROOT,
			     .tcm_handle = handle };

	return qsock_nl_tc_request(nl, RTM_DELQDISC, 0, &tcm, "deleting the root qdisc", NULL,
				   NULL, err);
}

/* The scheduler's name for the stream of the record @rec: its class, and its socket for a
 * module that keeps its state per socket (the MTU is known where a rate is set). */
static struct qsock_class_ref stream_ref(const struct qsock_stream *rec)
{
	return (struct qsock_class_ref){
		.ifindex = (int)rec->ifindex,
		.handle = rec->classid & 0xffff0000U,
		.classid = rec->classid,
		.cookie = rec->cookie,
	};
}

static int delete_class(struct qsock_nl *nl, const struct qsock_class_ref *ref,
			struct qsock_err *err)
{
	struct tcmsg tcm = { .tcm_family = AF_UNSPEC,
			     .tcm_ifindex = ref->ifindex,
			     .tcm_parent = ref->handle,
			     .tcm_handle = ref->classid };
	char what[48];

	snprintf(what, sizeof(what), "deleting class %x:%x", ref->classid >> 16,
		 ref->classid & 0xffff);
	return qsock_nl_tc_request(nl, RTM_DELTCLASS, 0, &tcm, what, NULL, NULL, err);
}

/* Remove the scheduler's object of the stream @ref: its tc class, or what a classless module
 * keeps instead. */
static int delete_stream(struct qsock_nl *nl, const char *sched, const struct qsock_class_ref *ref,
			 struct qsock_err *err)
{
	const struct qsock_sched_ops *ops = qsock_sched_find(sched);

	if (ops && ops->remove_stream)
		return ops->remove_stream(nl, ref, err);
	return delete_class(nl, ref, err);
}

int qsock_mgr_init_root(const char *dev, const char *sched, const struct qsock_root_params *rp,
			struct qsock_err *err)
{
	const struct qsock_sched_ops *ops = qsock_sched_find(sched ? sched : "");
	struct qsock_mgr_dev d;
	int rc;

	if (!ops)
		return qsock_errf(err, -EINVAL, "unknown scheduler \"%s\" (known: %s)",
				  sched ? sched : "", qsock_sched_names());
	rc = qsock_mgr_dev_open(dev, NULL, MGR_DEV_ROOT | MGR_DEV_MAPS_IF_ANY, &d, err);
	if (rc)
		return rc;
	if (d.maps.streams >= 0) {
		if (d.root.handle == d.handle && !strcmp(d.root.kind, d.ops ? d.ops->kind : "")) {
			if (qsock_sched_serves(d.sched, sched)) {
				/* installed: qsockinit is idempotent, and sweeps; a sweep that
				 * cannot read every process's fds (no CAP_SYS_PTRACE) removes
				 * nothing and is not the caller's failure */
				qsock_mgr_dev_close(&d);
				qsock_mgr_gc(dev, NULL, NULL);
				return 0;
			}
			rc = qsock_errf(err, -EEXIST,
					"%s already runs the qsock scheduler %s; qsockfini it "
					"before installing %s",
					dev, d.sched, sched);
			goto out;
		}
		/* The root it belonged to is gone (someone replaced it): forget the pins. */
		qsock_mgr_dev_close(&d);
		qsock_cls_uninstall(dev, NULL);
	}
	if (d.root.handle != 0) { /* handle 0: the kernel's default root, which may be replaced */
		rc = qsock_errf(err, -EEXIST,
				"%s already has a root qdisc \"%s\" (handle %x:) that qsock did not "
				"install; remove it first (tc qdisc del dev %s root)",
				dev, d.root.kind, d.root.handle >> 16, dev);
		goto out;
	}
	rc = ops->init_root(d.nl, d.ifindex, QSOCK_ROOT_HANDLE, rp, err);
	if (rc == -EOPNOTSUPP && qsock_sched_alternative(ops)) {
		/* "dwcs" on a kernel without the module: the BPF qdisc serves the same discipline
		 * (qinfo says which). When it cannot either, the caller hears about the module. */
		const struct qsock_sched_ops *alt = qsock_sched_alternative(ops);

		if (!alt->init_root(d.nl, d.ifindex, QSOCK_ROOT_HANDLE, rp, NULL)) {
			ops = alt;
			sched = alt->name;
			rc = 0;
		}
	}
	if (rc)
		goto out;
	/* the mark mask the new root uses, for the classifier (no round trip without one) */
	d.root.markmask = DWCS_DEFAULT_MARKMASK;
	if (ops->root_markmask) {
		rc = qsock_mgr_dev_read_root(&d, err);
		if (!rc && d.root.handle != QSOCK_ROOT_HANDLE)
			d.root.markmask = DWCS_DEFAULT_MARKMASK; /* not seen: the qdisc's default */
	}
	if (!rc)
		rc = qsock_cls_install(d.nl, dev, d.ifindex, QSOCK_ROOT_HANDLE, sched,
				       d.root.markmask, err);
	if (rc) {
		struct qsock_err ignored;

		delete_root(d.nl, d.ifindex, QSOCK_ROOT_HANDLE, &ignored);
	}
out:
	qsock_mgr_dev_close(&d);
	return rc;
}

int qsock_mgr_fini_root(const char *dev, struct qsock_err *err)
{
	struct qsock_mgr_dev d;
	int rc;

	rc = qsock_mgr_dev_open(dev, NULL, MGR_DEV_LINK | MGR_DEV_MAPS | MGR_DEV_CONF | MGR_DEV_ROOT,
				&d, err);
	if (rc)
		return rc;
	/* the pins go below, and the root only if it is still the one qsockinit installed */
	if (d.root.handle == d.handle && d.ops && !strcmp(d.root.kind, d.ops->kind)) {
		rc = delete_root(d.nl, d.ifindex, d.handle, err);
		if (!rc && d.ops->fini_root)
			rc = d.ops->fini_root(d.ifindex, err);
	}
	qsock_mgr_dev_close(&d);
	return rc ? rc : qsock_cls_uninstall(dev, err);
}

/* What a stream record keeps of its socket, read from the socket itself. */
struct sock_id {
	uint64_t cookie;
	int type;
	int domain;
	int protocol;
};

static int sock_identity(int sockfd, struct sock_id *id, struct qsock_err *err)
{
	socklen_t len;

	if (qsock_sock_cookie(sockfd, &id->cookie))
		return qsock_errf(err, errno == ENOTSOCK ? -ENOTSOCK : -errno,
				  "fd %d: reading its socket cookie: %s", sockfd, strerror(errno));
	len = sizeof(id->type);
	if (getsockopt(sockfd, SOL_SOCKET, SO_TYPE, &id->type, &len))
		return qsock_errf(err, -errno, "fd %d: reading SO_TYPE: %s", sockfd,
				  strerror(errno));
	len = sizeof(id->domain);
	if (getsockopt(sockfd, SOL_SOCKET, SO_DOMAIN, &id->domain, &len))
		return qsock_errf(err, -errno, "fd %d: reading SO_DOMAIN: %s", sockfd,
				  strerror(errno));
	len = sizeof(id->protocol);
	if (getsockopt(sockfd, SOL_SOCKET, SO_PROTOCOL, &id->protocol, &len))
		id->protocol = 0;
	if (id->domain != AF_INET && id->domain != AF_INET6 && id->domain != AF_PACKET)
		return qsock_errf(err, -EAFNOSUPPORT,
				  "fd %d is a socket of family %d, whose packets never reach a "
				  "network device (use AF_INET, AF_INET6 or AF_PACKET)",
				  sockfd, id->domain);
	return 0;
}

static uint64_t sock_inode(int sockfd)
{
	struct stat sb;

	return fstat(sockfd, &sb) ? 0 : (uint64_t)sb.st_ino;
}

/*
 * A new record's socket part, the same whether the socket gets a stream of its own (attach)
 * or a place in another socket's (join): whose it is, what socket it is (the sweep's inode,
 * qsockd's adoption after a restart), and which flags the classifier takes from its packets.
 */
static void record_socket(struct qsock_stream *rec, int sockfd, const struct sock_id *id,
			  const struct qsock_owner *owner)
{
	rec->allowed_flags = (owner ? owner->allowed_flags : DWCS_MARK_FIELD_MASK) &
			     DWCS_MARK_FIELD_MASK;
	/* TCP carries no per-message mark: its flags always come from the flags word */
	if ((!owner || owner->trust_mark) && id->type != SOCK_STREAM)
		rec->allowed_flags |= QSOCK_CLS_TRUST_MARK;
	rec->cookie = id->cookie;
	memset(&rec->owner, 0, sizeof(rec->owner));
	if (owner)
		rec->owner = *owner;
	rec->sock_type = (uint32_t)id->type;
	rec->family = (uint32_t)id->domain;
	rec->protocol = (uint32_t)id->protocol;
	rec->inode = sock_inode(sockfd);
}

/* A socket has one stream: its record on @d refuses a second (attach or join). */
static int refuse_second_stream(const struct qsock_mgr_dev *d, int sockfd, uint64_t cookie,
				struct qsock_err *err)
{
	struct qsock_stream have;

	if (bpf_map_lookup_elem(d->maps.streams, &cookie, &have))
		return 0;
	return qsock_errf(err, -EEXIST, "fd %d already has a stream (class %x:%x on %s)", sockfd,
			  have.classid >> 16, have.classid & 0xffff, have.dev);
}

/*
 * The send slot of the socket of the new record @rec, for a caller that takes one (@slot_fd)
 * when its messages carry deadlines. Without a slot (no CAP_BPF for the map, say) the owner's
 * messages carry their deadline and flags in control messages instead: slower, not wrong.
 */
static void give_slot(const struct qsock_mgr_dev *d, const struct qsock_sched_ops *ops,
		      const struct qsock_stream *rec, int *slot_fd)
{
	uint32_t allowed = rec->allowed_flags & QSOCK_CLS_TRUST_MARK ?
				   DWCS_MARK_FIELD_MASK :
				   rec->allowed_flags & DWCS_MARK_FIELD_MASK;
	struct qsock_err ignored;

	if (!slot_fd || !qsock_carrier_per_message(ops->mark_flags, (int)rec->sock_type))
		return;
	/* under a classless root only the module itself can read the slot */
	if (ops->classless && !ops->set_slot)
		return;
	qsock_cls_slot_create(&d->maps, rec->cookie, slot_fd, &ignored);
	if (*slot_fd >= 0 && ops->set_slot &&
	    ops->set_slot(rec->cookie, *slot_fd, allowed, &ignored)) {
		/* the module could not enter it: without a reader, no slot */
		qsock_cls_slot_remove(&d->maps, rec->cookie);
		qsock_sys.close(*slot_fd);
		*slot_fd = -1;
	}
}

/* What a socket needs of its own before it sends in a stream: SO_TXTIME where its messages
 * carry deadlines (a datagram socket on a scheduler that reads them), and the rule's DSCP. */
static int prepare_socket(int sockfd, const struct qsock_sched_ops *ops, int type, uint32_t dscp,
			  struct qsock_err *err)
{
	struct sock_txtime txt = { .clockid = CLOCK_MONOTONIC, .flags = 0 };

	if (qsock_carrier_per_message(ops->mark_flags, type) &&
	    qsock_sys.setsockopt(sockfd, SOL_SOCKET, SO_TXTIME, &txt, sizeof(txt)))
		return qsock_errf(err, -errno, "fd %d: enabling SO_TXTIME for deadlines: %s",
				  sockfd, strerror(errno));
	return qsock_mgr_set_dscp(sockfd, dscp, err);
}

int qsock_mgr_attach(int sockfd, const char *dev, const char *sched,
		     const struct qsock_stream_params *sp, const struct qsock_owner *owner,
		     struct qsock_stream *out, int *slot_fd, struct qsock_err *err)
{
	const struct qsock_sched_ops *ops;
	struct qsock_class_ref ref;
	struct qsock_stream rec;
	struct qsock_mgr_dev d;
	struct sock_id id;
	int rc, i;

	if (slot_fd)
		*slot_fd = -1;
	rc = qsock_stream_params_check(sched, sp, err);
	if (!rc)
		rc = sock_identity(sockfd, &id, err);
	if (!rc)
		rc = qsock_mgr_dev_open(dev, sched,
					MGR_DEV_LINK | MGR_DEV_MAPS | MGR_DEV_CONF | MGR_DEV_WHY |
						MGR_DEV_NL,
					&d, err);
	if (rc)
		return rc;
	/* asked for the discipline ("dwcs"), served by another module (dwcs-bpf): its limits */
	if (sched && strcmp(sched, d.sched) && qsock_stream_params_check(d.sched, sp, err)) {
		rc = -EINVAL;
		goto out;
	}
	ops = d.ops;
	rc = refuse_second_stream(&d, sockfd, id.cookie, err);
	if (rc)
		goto out;
	if (ops->root_markmask) {
		/* `tc qdisc change ... markmask` may have moved the field since qsockinit; a
		 * root that is not ours any more fails below, at the class */
		rc = qsock_mgr_dev_read_root(&d, err);
		if (!rc && d.root.handle == d.handle && !strcmp(d.root.kind, ops->kind))
			rc = qsock_cls_sync_markmask(&d.maps, d.root.markmask, err);
		if (rc)
			goto out;
	}
	ref.ifindex = d.ifindex;
	ref.mtu = d.mtu;
	ref.handle = d.handle;
	ref.cookie = id.cookie;
	for (i = 0; i < MINOR_TRIES; i++) {
		ref.classid = ref.handle | (MINOR_FIRST + (uint32_t)((id.cookie + i) % MINOR_SPAN));
		rc = ops->set_stream(d.nl, &ref, sp, false, err);
		if (rc != -EEXIST)
			break;
	}
	if (rc)
		goto out;
	rc = prepare_socket(sockfd, ops, id.type, sp->dscp, err);
	if (rc)
		goto undo_class;
	/* the new class and these parameters, this socket's identity */
	memset(&rec, 0, sizeof(rec));
	rec.classid = ref.classid;
	rec.params = *sp;
	snprintf(rec.dev, sizeof(rec.dev), "%s", dev);
	snprintf(rec.sched, sizeof(rec.sched), "%s", d.sched);
	rec.ifindex = (uint32_t)d.ifindex;
	record_socket(&rec, sockfd, &id, owner);
	if (bpf_map_update_elem(d.maps.streams, &id.cookie, &rec, BPF_NOEXIST)) {
		rc = qsock_errf(err, -errno, "recording the stream of fd %d: %s", sockfd,
				strerror(errno));
		goto undo_class;
	}
	give_slot(&d, ops, &rec, slot_fd);
	if (out)
		*out = rec;
	goto out;
undo_class : {
	struct qsock_err ignored;

	delete_stream(d.nl, d.sched, &ref, &ignored);
}
out:
	qsock_mgr_dev_close(&d);
	return rc;
}

/*
 * The socket's DSCP, from @dscp (QSOCK_DSCP_SET | 0..63; nothing without the bit): IP_TOS
 * on IPv4, IPV6_TCLASS on IPv6 and IP_TOS too on a dual-stack socket (its IPv4-mapped
 * traffic takes the IPv4 option); the two ECN bits stay as they are. Any user may set either
 * option, so this runs where the stream is made: in qsockd only once its policy allowed it.
 */
/* One of the two options: the DSCP in the upper six bits, the socket's ECN bits kept. */
static int set_tos_opt(int sockfd, int level, int opt, const char *name, uint32_t dscp,
		       struct qsock_err *err)
{
	socklen_t len = sizeof(int);
	int tos = 0;

	if (getsockopt(sockfd, level, opt, &tos, &len))
		tos = 0;
	tos = (int)(QSOCK_DSCP_VALUE(dscp) << 2) | (tos & 3);
	if (qsock_sys.setsockopt(sockfd, level, opt, &tos, sizeof(tos)))
		return qsock_errf(err, -errno, "fd %d: setting %s 0x%x: %s", sockfd, name,
				  (unsigned int)tos, strerror(errno));
	return 0;
}

int qsock_mgr_set_dscp(int sockfd, uint32_t dscp, struct qsock_err *err)
{
	int domain, v6only = 0, rc;
	socklen_t len = sizeof(domain);

	if (!(dscp & QSOCK_DSCP_SET))
		return 0;
	if (getsockopt(sockfd, SOL_SOCKET, SO_DOMAIN, &domain, &len))
		return qsock_errf(err, -errno, "fd %d: reading SO_DOMAIN: %s", sockfd,
				  strerror(errno));
	if (domain == AF_INET6) {
		rc = set_tos_opt(sockfd, IPPROTO_IPV6, IPV6_TCLASS, "IPV6_TCLASS", dscp, err);
		len = sizeof(v6only);
		if (rc || getsockopt(sockfd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, &len) || v6only)
			return rc;
	} else if (domain != AF_INET) {
		return qsock_errf(err, -EAFNOSUPPORT,
				  "fd %d: a DSCP needs an IPv4 or IPv6 socket, not family %d", sockfd,
				  domain);
	}
	return set_tos_opt(sockfd, IPPROTO_IP, IP_TOS, "IP_TOS", dscp, err);
}

struct find_arg {
	uint64_t cookie;
	struct qsock_stream *rec;
	struct qsock_mgr_dev *found;
};

static int find_on(struct qsock_mgr_dev *d, void *arg, struct qsock_err *err)
{
	struct find_arg *f = arg;

	if (bpf_map_lookup_elem(d->maps.streams, &f->cookie, f->rec))
		return 0;
	qsock_mgr_dev_move(f->found, d);
	return 1;
}

/* Find the record of @cookie on @dev, or on any qsock device when @dev is NULL; on success
 * @d is its device, opened with MGR_DEV_MAPS | @need, for the caller to close. */
static int find_stream(uint64_t cookie, const char *dev, unsigned int need, struct qsock_mgr_dev *d,
		       struct qsock_stream *rec, struct qsock_err *err)
{
	struct find_arg f = { .cookie = cookie, .rec = rec, .found = d };
	int rc = qsock_mgr_dev_each(dev, MGR_DEV_MAPS | need, find_on, &f, err);

	if (rc > 0)
		return 0;
	if (rc)
		return rc;
	if (dev)
		return qsock_errf(err, -ENOENT, "the socket has no stream on %s", dev);
	return qsock_errf(err, -ENOENT, "the socket has no stream");
}

/*
 * Another record than @cookie's names @rec's class: the class is shared (qsock_mgr_join) and
 * stays for its other sockets. A walk over the device's records, paid only when a stream is
 * removed (10,000 records: a few milliseconds), so that the records stay as they are: no
 * count to keep right across processes, daemon restarts and sweeps.
 */
static bool class_shared(const struct qsock_cls_maps *m, uint64_t cookie,
			 const struct qsock_stream *rec)
{
	struct qsock_stream other;
	uint64_t key, next;
	int rc;

	for (rc = bpf_map_get_next_key(m->streams, NULL, &next); !rc;
	     rc = bpf_map_get_next_key(m->streams, &key, &next)) {
		key = next;
		if (key != cookie && !bpf_map_lookup_elem(m->streams, &key, &other) &&
		    other.classid == rec->classid && other.ifindex == rec->ifindex)
			return true;
	}
	return false;
}

int qsock_mgr_join(int sockfd, uint64_t member, const char *dev, const struct qsock_owner *owner,
		   struct qsock_stream *out, int *slot_fd, struct qsock_err *err)
{
	const struct qsock_sched_ops *ops;
	struct qsock_stream rec;
	struct qsock_mgr_dev d;
	struct sock_id id;
	int rc;

	if (slot_fd)
		*slot_fd = -1;
	rc = sock_identity(sockfd, &id, err);
	if (!rc)
		rc = find_stream(member, dev, 0, &d, &rec, err);
	if (rc)
		return rc;
	ops = qsock_sched_find(rec.sched);
	if (!ops || ops->classless) {
		/* a classless module keeps its state per socket, not per class */
		rc = qsock_errf(err, -EOPNOTSUPP, "scheduler \"%s\" has no class to share",
				rec.sched);
		goto out;
	}
	rc = refuse_second_stream(&d, sockfd, id.cookie, err);
	if (!rc)
		rc = prepare_socket(sockfd, ops, id.type, rec.params.dscp, err);
	if (rc)
		goto out;
	/* the member's class and parameters, this socket's identity */
	record_socket(&rec, sockfd, &id, owner);
	if (bpf_map_update_elem(d.maps.streams, &id.cookie, &rec, BPF_NOEXIST)) {
		rc = qsock_errf(err, -errno, "recording fd %d in class %x:%x: %s", sockfd,
				rec.classid >> 16, rec.classid & 0xffff, strerror(errno));
		goto out;
	}
	give_slot(&d, ops, &rec, slot_fd);
	if (out)
		*out = rec;
out:
	qsock_mgr_dev_close(&d);
	return rc;
}

int qsock_mgr_change(int sockfd, const char *dev, const char *sched,
		     const struct qsock_stream_params *sp, struct qsock_stream *out,
		     struct qsock_err *err)
{
	const struct qsock_sched_ops *ops;
	struct qsock_class_ref ref;
	struct qsock_stream rec;
	struct qsock_mgr_dev d;
	struct sock_id id;
	int rc;

	rc = sock_identity(sockfd, &id, err);
	if (!rc)
		rc = qsock_mgr_dev_open(dev, NULL, MGR_DEV_LINK | MGR_DEV_MAPS | MGR_DEV_NL, &d,
					err);
	if (rc == -ENOENT)
		goto no_stream;
	if (rc)
		return rc;
	if (bpf_map_lookup_elem(d.maps.streams, &id.cookie, &rec)) {
		qsock_mgr_dev_close(&d);
		goto no_stream;
	}
	if (qsock_stream_params_check(rec.sched, sp, err)) {
		rc = -EINVAL;
		goto out;
	}
	/* the stream's own scheduler, which qsockinit recorded for the device it was made on */
	if (sched) {
		rc = qsock_mgr_dev_serves(dev, rec.sched, sched, err);
		if (rc)
			goto out;
	}
	ops = qsock_sched_find(rec.sched);
	ref = stream_ref(&rec);
	ref.mtu = d.mtu;
	rc = ops->set_stream(d.nl, &ref, sp, true, err);
	if (!rc)
		rc = qsock_mgr_set_dscp(sockfd, sp->dscp, err);
	if (rc)
		goto out;
	{
		uint32_t dscp = sp->dscp ? sp->dscp : rec.params.dscp; /* unset: as it was */

		rec.params = *sp;
		rec.params.dscp = dscp;
	}
	if (bpf_map_update_elem(d.maps.streams, &id.cookie, &rec, BPF_EXIST))
		rc = qsock_errf(err, -errno, "updating the stream record of fd %d: %s", sockfd,
				strerror(errno));
	else if (out)
		*out = rec;
out:
	qsock_mgr_dev_close(&d);
	return rc;
no_stream:
	/* no qsock root on @dev, or no record of the socket there: the same to the caller */
	return qsock_errf(err, -ENOENT, "fd %d has no stream on %s (qattach it first)", sockfd,
			  dev);
}

/* Remove the stream @rec of @cookie found on @d (opened with MGR_DEV_NL): first stop
 * classifying into its class, then let its queue drain (linger.h: bounded by QSOCK_LINGER_MS),
 * then remove the class. */
static int remove_stream(struct qsock_mgr_dev *d, uint64_t cookie, const struct qsock_stream *rec,
			 struct qsock_err *err)
{
	struct qsock_class_ref ref = stream_ref(rec);
	int rc;

	if (bpf_map_delete_elem(d->maps.streams, &cookie) && errno != ENOENT)
		return qsock_errf(err, -errno, "removing the stream record %llu on %s: %s",
				  (unsigned long long)cookie, rec->dev, strerror(errno));
	qsock_cls_slot_remove(&d->maps, cookie);
	if (class_shared(&d->maps, cookie, rec))
		return 0; /* the last of its sockets removes the class */
	qsock_linger_drain(d->nl, qsock_sched_find(rec->sched), &ref, qsock_linger_ms());
	rc = delete_stream(d->nl, rec->sched, &ref, err);
	return rc == -ENOENT ? 0 : rc; /* the class is already gone (root removed) */
}

int qsock_mgr_detach(int sockfd, const char *dev, struct qsock_err *err)
{
	struct qsock_stream rec;
	struct qsock_mgr_dev d;
	struct sock_id id;
	int rc;

	rc = sock_identity(sockfd, &id, err);
	if (!rc)
		rc = find_stream(id.cookie, dev, MGR_DEV_NL, &d, &rec, err);
	if (rc)
		return rc;
	bpf_map_delete_elem(d.maps.flags, &sockfd); /* its flags word, if it ever had one */
	rc = remove_stream(&d, id.cookie, &rec, err);
	qsock_mgr_dev_close(&d);
	return rc;
}

int qsock_mgr_detach_cookie(const char *dev, uint64_t cookie, struct qsock_err *err)
{
	struct qsock_stream rec;
	struct qsock_mgr_dev d;
	int rc;

	if (!cookie)
		return qsock_errf(err, -EINVAL, "socket cookie 0 names no socket");
	rc = find_stream(cookie, dev && *dev ? dev : NULL, MGR_DEV_NL, &d, &rec, err);
	if (rc == -ENOENT)
		return qsock_errf(err, -ENOENT, "no stream with socket cookie %llu%s%s",
				  (unsigned long long)cookie, dev && *dev ? " on " : "",
				  dev && *dev ? dev : "");
	if (rc)
		return rc;
	/* The socket's flags word (SK_STORAGE) goes with the socket itself. */
	rc = remove_stream(&d, cookie, &rec, err);
	qsock_mgr_dev_close(&d);
	return rc;
}

int qsock_mgr_lookup(int sockfd, const char *dev, struct qsock_stream *out, struct qsock_err *err)
{
	struct qsock_mgr_dev d;
	struct sock_id id;
	int rc;

	rc = sock_identity(sockfd, &id, err);
	if (!rc)
		rc = find_stream(id.cookie, dev, 0, &d, out, err);
	if (!rc)
		qsock_mgr_dev_close(&d);
	return rc;
}

int qsock_mgr_stream_stats(const struct qsock_stream *st, struct qos_info *info,
			   struct qsock_err *err)
{
	const struct qsock_sched_ops *ops = qsock_sched_find(st->sched);
	struct qsock_class_ref ref = stream_ref(st);
	struct qsock_nl *nl;
	int rc;

	if (!ops)
		return qsock_errf(err, -EINVAL, "stream record names unknown scheduler \"%.*s\"",
				  IFNAMSIZ, st->sched);
	rc = qsock_nl_thread(&nl, err);
	if (!rc)
		rc = ops->stream_stats(nl, &ref, info, err);
	if (rc == -ENOENT)
		return qsock_errf(
			err, -ENOENT,
			"class %x:%x of the stream no longer exists on %s (root removed?)",
			st->classid >> 16, st->classid & 0xffff, st->dev);
	return rc;
}

int qsock_mgr_status(const char *dev, struct qsock_dev_status *out, struct qsock_err *err)
{
	struct qsock_mgr_dev d;
	uint64_t key, next;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = qsock_mgr_dev_open(dev, NULL, MGR_DEV_ROOT | MGR_DEV_MAPS_IF_ANY, &d, err);
	if (rc)
		return rc;
	snprintf(out->dev, sizeof(out->dev), "%s", dev);
	memcpy(out->root_kind, d.root.kind, sizeof(out->root_kind));
	out->ifindex = (uint32_t)d.ifindex;
	if (d.maps.streams >= 0) {
		memcpy(out->sched, d.sched, sizeof(out->sched));
		out->classifier = d.root.handle == d.handle;
		for (rc = bpf_map_get_next_key(d.maps.streams, NULL, &next); !rc;
		     rc = bpf_map_get_next_key(d.maps.streams, &key, &next)) {
			out->streams++;
			key = next;
		}
	}
	qsock_mgr_dev_close(&d);
	return 0;
}

struct walk_arg {
	int (*fn)(const struct qsock_stream *st, void *arg);
	void *arg;
};

static int walk_on(struct qsock_mgr_dev *d, void *arg, struct qsock_err *err)
{
	struct walk_arg *w = arg;
	struct qsock_stream rec;
	uint64_t key, next;
	int rc, ret = 0;

	for (rc = bpf_map_get_next_key(d->maps.streams, NULL, &next); !rc && !ret;
	     rc = bpf_map_get_next_key(d->maps.streams, &key, &next)) {
		key = next;
		if (!bpf_map_lookup_elem(d->maps.streams, &key, &rec))
			ret = w->fn(&rec, w->arg);
	}
	return ret;
}

int qsock_mgr_walk(const char *dev, int (*fn)(const struct qsock_stream *st, void *arg), void *arg,
		   struct qsock_err *err)
{
	struct walk_arg w = { .fn = fn, .arg = arg };

	return qsock_mgr_dev_each(dev, MGR_DEV_MAPS, walk_on, &w, err);
}

/* Remove @d's records whose socket is closed (by its inode): each an orphan of a process
 * that died without detaching, or of a qsockd that lost its state. */
static int gc_dev(struct qsock_mgr_dev *d, void *arg, struct qsock_err *err)
{
	struct qsock_inode_set live = { 0 };
	unsigned int *removed = arg;
	struct qsock_stream rec;
	uint64_t key, next, *cand = NULL;
	size_t ncand = 0, cap = 0;
	int rc;

	/* Records first, open sockets second: a record seen here belongs to a socket opened
	 * before the scan, so if that socket is still open the scan sees it. */
	for (rc = bpf_map_get_next_key(d->maps.streams, NULL, &next); !rc;
	     rc = bpf_map_get_next_key(d->maps.streams, &key, &next)) {
		key = next;
		if (ncand == cap) {
			uint64_t *v = realloc(cand, (cap = cap ? cap * 2 : 64) * sizeof(*v));

			if (!v) {
				rc = qsock_errf(err, -ENOMEM, "out of memory");
				goto out;
			}
			cand = v;
		}
		cand[ncand++] = key;
	}
	rc = qsock_open_socket_inodes(&live, err);
	for (size_t i = 0; !rc && i < ncand; i++) {
		struct qsock_err ignored;

		if (bpf_map_lookup_elem(d->maps.streams, &cand[i], &rec) || !rec.inode ||
		    qsock_inode_set_has(&live, rec.inode))
			continue;
		if (bpf_map_delete_elem(d->maps.streams, &cand[i]))
			continue; /* someone else removed it */
		qsock_cls_slot_remove(&d->maps, cand[i]);
		if (!class_shared(&d->maps, cand[i], &rec)) {
			struct qsock_class_ref ref = stream_ref(&rec);

			delete_stream(d->nl, rec.sched, &ref, &ignored);
		}
		if (removed)
			(*removed)++;
	}
out:
	free(cand);
	qsock_inode_set_free(&live);
	return rc;
}

int qsock_mgr_gc(const char *dev, unsigned int *removed, struct qsock_err *err)
{
	int rc;

	if (removed)
		*removed = 0;
	/* the pin directories of classifiers that are gone (with their namespace, device or
	 * root); without CAP_SYS_ADMIN this removes nothing and is not the caller's failure */
	rc = qsock_cls_sweep_dead(NULL, err);
	if (rc && rc != -EPERM)
		return rc;
	/* every device, or the sweep would report as clean one it could not open */
	return qsock_mgr_dev_each(dev, MGR_DEV_MAPS | MGR_DEV_NL | MGR_DEV_EVERY, gc_dev, removed,
				  err);
}
