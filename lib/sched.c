// SPDX-License-Identifier: LGPL-2.1-or-later
/* sched.c — the registry of scheduler modules (see sched_ops.h) and what their class
 * requests share. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <netlink/route/class.h>
#include <netlink/route/qdisc.h>
#include <netlink/route/tc.h>

#include "errors.h"
#include "sched_ops.h"
#include "tcstats.h"

static const struct qsock_sched_ops *const scheds[] = {
	&qsock_sched_dwcs,
	&qsock_sched_dwcs_bpf,
	&qsock_sched_htb,
};

#define N_SCHEDS (sizeof(scheds) / sizeof(scheds[0]))

const struct qsock_sched_ops *qsock_sched_find(const char *name)
{
	for (size_t i = 0; i < N_SCHEDS; i++)
		if (!strcmp(scheds[i]->name, name))
			return scheds[i];
	return NULL;
}

const struct qsock_sched_ops *qsock_sched_by_kind(const char *kind)
{
	for (size_t i = 0; i < N_SCHEDS; i++)
		if (!strcmp(scheds[i]->kind, kind))
			return scheds[i];
	return NULL;
}

bool qsock_sched_serves(const char *cur, const char *asked)
{
	const struct qsock_sched_ops *ops = qsock_sched_find(cur);

	return !strcmp(cur, asked) || (ops && !strcmp(ops->discipline, asked));
}

const struct qsock_sched_ops *qsock_sched_alternative(const struct qsock_sched_ops *ops)
{
	for (size_t i = 0; i < N_SCHEDS; i++)
		if (scheds[i] != ops && !strcmp(scheds[i]->discipline, ops->discipline))
			return scheds[i];
	return NULL;
}

const char *qsock_sched_names(void)
{
	return "dwcs, dwcs-bpf, htb";
}

int qsock_sched_root_request(int ifindex, uint32_t handle, const char *kind,
			     int (*setup)(struct rtnl_qdisc *q), struct nl_msg **msg,
			     struct qsock_err *err)
{
	struct rtnl_qdisc *q = rtnl_qdisc_alloc();
	int rc;

	*msg = NULL;
	if (!q)
		return qsock_errf(err, -ENOMEM, "out of memory");
	rtnl_tc_set_ifindex(TC_CAST(q), ifindex);
	rtnl_tc_set_parent(TC_CAST(q), TC_H_ROOT);
	rtnl_tc_set_handle(TC_CAST(q), handle);
	rc = rtnl_tc_set_kind(TC_CAST(q), kind);
	if (!rc && setup)
		rc = setup(q);
	if (!rc)
		rc = rtnl_qdisc_build_add_request(q, NLM_F_CREATE | NLM_F_EXCL, msg);
	rtnl_qdisc_put(q);
	if (rc < 0)
		return qsock_errf(err, -ENOMEM, "building the %s root request: %s", kind,
				  nl_geterror(rc));
	return 0;
}

int qsock_sched_class_request(const struct qsock_class_ref *ref, const char *kind, bool replace,
			      int (*setup)(struct rtnl_class *cls, const void *arg),
			      const void *arg, struct nl_msg **msg, struct qsock_err *err)
{
	struct rtnl_class *cls = rtnl_class_alloc();
	int rc;

	*msg = NULL;
	if (!cls)
		return qsock_errf(err, -ENOMEM, "out of memory");
	rtnl_tc_set_ifindex(TC_CAST(cls), ref->ifindex);
	rtnl_tc_set_parent(TC_CAST(cls), ref->handle);
	rtnl_tc_set_handle(TC_CAST(cls), ref->classid);
	rc = rtnl_tc_set_kind(TC_CAST(cls), kind);
	if (!rc && setup && (rc = setup(cls, arg)) < 0) {
		rtnl_class_put(cls);
		return qsock_errf(err, -EINVAL, "building the %s class request: %s", kind,
				  nl_geterror(rc));
	}
	if (!rc)
		rc = rtnl_class_build_add_request(cls, NLM_F_CREATE | (replace ? 0 : NLM_F_EXCL),
						  msg);
	rtnl_class_put(cls);
	if (rc < 0)
		return qsock_errf(err, -ENOMEM, "building the %s class request: %s", kind,
				  nl_geterror(rc));
	return 0;
}

int qsock_sched_class_send(struct qsock_nl *nl, struct nl_msg *msg, const char *kind,
			   const struct qsock_class_ref *ref, bool replace, const char *detail,
			   struct qsock_err *err)
{
	char what[128];

	if (!replace && qsock_tc_put_rate_estimator(msg)) {
		nlmsg_free(msg);
		return qsock_errf(err, -ENOMEM, "building the %s class request: no room", kind);
	}
	snprintf(what, sizeof(what), "%s %s class %x:%x (%s)", replace ? "changing" : "creating",
		 kind, ref->classid >> 16, ref->classid & 0xffff, detail);
	return qsock_nl_request(nl, msg, what, NULL, NULL, err);
}
