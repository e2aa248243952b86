/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sched_ops.h — scheduler modules. A module turns the manager's normalised parameters into tc
 * objects: a root qdisc, one class per stream, and reads one class's statistics. Adding a
 * scheduler = one new lib/sched_<name>.c defining a `const struct qsock_sched_ops` plus its
 * line in the table of lib/sched.c.
 */
#ifndef QSOCK_SCHED_OPS_H
#define QSOCK_SCHED_OPS_H

#include <stdint.h>

#include "manager.h"
#include "netlink.h"

/* The stream's place in tc, as the manager decided it. */
struct qsock_class_ref {
	int ifindex;
	uint32_t handle;	/* root qdisc handle, major:0 */
	uint32_t classid;	/* major:minor */
	uint32_t mtu;		/* device MTU, for rates derived from packet counts */
	uint64_t cookie;	/* the stream's socket (SO_COOKIE), 0 when not known */
};

struct qsock_sched_ops {
	const char *name;	/* qos_params.name */
	const char *kind;	/* the root qdisc kind the kernel reports */
	/* The discipline it implements, the name a caller may ask for to get it: "dwcs" for the
	 * module and for the BPF qdisc alike, so that programs written to the paper's API (which
	 * names "dwcs") run unchanged on a kernel that has only the BPF qdisc. */
	const char *discipline;
	uint32_t mark_flags;	/* DWCS_MARK_* bits it reads from skb->mark (0: none) */
	/* No tc classes and no filters (a BPF qdisc): streams are the module's own business,
	 * through set_stream / remove_stream, and the socket classifier is not attached. */
	bool classless;
	/* Scheduler-specific limits on top of qsock_stream_params_from_api(). */
	int (*check_stream)(const struct qsock_stream_params *sp, struct qsock_err *err);
	/* Create the root qdisc @handle on @ifindex (it does not exist yet). */
	int (*init_root)(struct qsock_nl *nl, int ifindex, uint32_t handle,
			 const struct qsock_root_params *rp, struct qsock_err *err);
	/* Create (@replace false) or change (@replace true) the class of a stream. */
	int (*set_stream)(struct qsock_nl *nl, const struct qsock_class_ref *ref,
			  const struct qsock_stream_params *sp, bool replace,
			  struct qsock_err *err);
	/* Optional: remove the stream @ref (NULL: the manager deletes the tc class). */
	int (*remove_stream)(struct qsock_nl *nl, const struct qsock_class_ref *ref,
			     struct qsock_err *err);
	/* Optional, for a classless module (no classifier runs under its root, so nothing
	 * else would read a send slot): read the send slot @slot_fd of the stream of socket
	 * @cookie in the qdisc itself, its messages' flags limited to the DWCS_MARK_* bits
	 * @allowed; removed with the stream (remove_stream). Without it such a module's
	 * streams get no slot, and their senders carry deadlines in SCM_TXTIME. */
	int (*set_slot)(uint64_t cookie, int slot_fd, uint32_t allowed, struct qsock_err *err);
	/* Optional: after the root qdisc of @ifindex was deleted (qsockfini). */
	int (*fini_root)(int ifindex, struct qsock_err *err);
	/* Optional, with mark_flags: the mask of the flags field in skb->mark the root qdisc uses
	 * now, from the TCA_OPTIONS of its RTM_NEWQDISC (@opts, NULL when it has none). The
	 * manager reads it at qsockinit and at each attach, since `tc qdisc change ... markmask`
	 * may have moved it, and keeps it in the classifier's conf (lib/carrier.h). */
	uint32_t (*root_markmask)(struct nlattr *opts);
	/* Fill the QSOCK_INFO_SCHED (and _DWCS) fields of @info from the class's statistics. */
	int (*stream_stats)(struct qsock_nl *nl, const struct qsock_class_ref *ref,
			    struct qos_info *info, struct qsock_err *err);
};

extern const struct qsock_sched_ops qsock_sched_htb;
extern const struct qsock_sched_ops qsock_sched_dwcs;
extern const struct qsock_sched_ops qsock_sched_dwcs_bpf;

/* The module named @name, or NULL. */
const struct qsock_sched_ops *qsock_sched_find(const char *name);
/* The module whose root qdisc kind is @kind, or NULL. */
const struct qsock_sched_ops *qsock_sched_by_kind(const char *kind);
/* Does a root run by @cur serve a caller that asks for @asked? The same module, or one
 * implementing the discipline @asked names (a dwcs-bpf root serves "dwcs"). */
bool qsock_sched_serves(const char *cur, const char *asked);
/* The other module implementing @ops's discipline, tried when @ops's root cannot be made on
 * this kernel (-EOPNOTSUPP): dwcs-bpf for dwcs. NULL when there is none. */
const struct qsock_sched_ops *qsock_sched_alternative(const struct qsock_sched_ops *ops);
/* "dwcs, dwcs-bpf, htb": for messages. */
const char *qsock_sched_names(void);

/*
 * For the modules' set_stream: the add (@replace false, exclusive) or change request of the
 * class @ref of @kind, built by libnl after @setup (may be NULL) set the kind's own fields
 * through libnl; the module appends what libnl does not know (TCA_OPTIONS) to *@msg.
 */
/*
 * For the modules' init_root: the exclusive add request of the root qdisc @handle of @kind on
 * @ifindex, built by libnl after @setup (may be NULL) set the kind's own fields; the module
 * appends what libnl does not know (TCA_OPTIONS) to *@msg.
 */
struct rtnl_qdisc;
int qsock_sched_root_request(int ifindex, uint32_t handle, const char *kind,
			     int (*setup)(struct rtnl_qdisc *q), struct nl_msg **msg,
			     struct qsock_err *err);

struct rtnl_class;
int qsock_sched_class_request(const struct qsock_class_ref *ref, const char *kind, bool replace,
			      int (*setup)(struct rtnl_class *cls, const void *arg),
			      const void *arg, struct nl_msg **msg, struct qsock_err *err);
/* Then: a new class gets its rate estimator, and the request is sent (and freed) with
 * "creating|changing KIND class M:N (@detail)" as what the error messages name. */
int qsock_sched_class_send(struct qsock_nl *nl, struct nl_msg *msg, const char *kind,
			   const struct qsock_class_ref *ref, bool replace, const char *detail,
			   struct qsock_err *err);

#endif /* QSOCK_SCHED_OPS_H */
