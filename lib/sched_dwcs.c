// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * sched_dwcs.c — the "dwcs" scheduler module: kmod/sch_dwcs.ko as root (handle major:0),
 * one class per stream with ipg/oln/old and its flags, statistics from the class's DWCS
 * xstats. The contract is include/uapi/linux/pkt_sch_dwcs.h. libnl knows no "dwcs" kind, so
 * it builds the request (tcmsg + TCA_KIND) and the TCA_OPTIONS nest is appended here.
 * Every class gets DWCS_CLASS_F_EDF: a packet without a deadline (skb->tstamp 0) is scheduled
 * by its stream's period, so per-message deadlines work on every stream, as in the paper.
 */
#include <errno.h>
#include <linux/netlink.h>
#include <linux/pkt_sched.h>
#include <string.h>

#include <netlink/route/class.h>
#include <netlink/route/qdisc.h>
#include <netlink/route/tc.h>
#include <uapi/linux/pkt_sch_dwcs.h>

#include "errors.h"
#include "sched_ops.h"
#include "tcstats.h"

static int dwcs_check_stream(const struct qsock_stream_params *sp, struct qsock_err *err)
{
	return 0; /* params.c already applied the uapi limits */
}

/* The kernel answers ENOENT for a qdisc kind it cannot find or autoload. */
static int explain_missing_module(int rc, struct qsock_err *err)
{
	if (rc != -ENOENT)
		return rc;
	return qsock_errf(
		err, -EOPNOTSUPP,
		"this kernel has no dwcs qdisc: load the module first (modprobe sch_dwcs, "
		"or insmod kmod/sch_dwcs.ko), or use the htb scheduler");
}

static int dwcs_init_root(struct qsock_nl *nl, int ifindex, uint32_t handle,
			  const struct qsock_root_params *rp, struct qsock_err *err)
{
	struct nla_bitfield32 flags = { 0, TCA_DWCS_F_ALL };
	struct nl_msg *msg;
	struct nlattr *opts;
	int rc;

	rc = qsock_sched_root_request(ifindex, handle, "dwcs", NULL, &msg, err);
	if (rc)
		return rc;
	if (rp->flags & QSOCK_ROOT_WORK_CONSERVING)
		flags.value |= TCA_DWCS_F_WORK_CONSERVING;
	/* no markmask: the qdisc's own default, read back by dwcs_root_markmask */
	opts = nla_nest_start(msg, TCA_OPTIONS);
	if (!opts || nla_put(msg, TCA_DWCS_FLAGS, sizeof(flags), &flags) < 0 ||
	    (rp->rate && nla_put_u64(msg, TCA_DWCS_RATE64, rp->rate) < 0) ||
	    (rp->limit && nla_put_u32(msg, TCA_DWCS_LIMIT, rp->limit) < 0)) {
		nlmsg_free(msg);
		return qsock_errf(err, -ENOMEM, "building the dwcs root request: no room");
	}
	nla_nest_end(msg, opts);
	rc = qsock_nl_request(nl, msg, "creating the dwcs root qdisc", NULL, NULL, err);
	return explain_missing_module(rc, err);
}

static uint32_t dwcs_root_markmask(struct nlattr *opts)
{
	struct nlattr *tb[TCA_DWCS_MAX + 1];

	if (opts && !nla_parse_nested(tb, TCA_DWCS_MAX, opts, NULL) && tb[TCA_DWCS_MARKMASK] &&
	    nla_len(tb[TCA_DWCS_MARKMASK]) >= (int)sizeof(uint32_t))
		return nla_get_u32(tb[TCA_DWCS_MARKMASK]);
	return DWCS_DEFAULT_MARKMASK; /* a module that does not dump it uses the default */
}

static int dwcs_set_stream(struct qsock_nl *nl, const struct qsock_class_ref *ref,
			   const struct qsock_stream_params *sp, bool replace,
			   struct qsock_err *err)
{
	struct nla_bitfield32 flags = { DWCS_CLASS_F_EDF, DWCS_CLASS_F_ALL };
	struct nl_msg *msg;
	struct nlattr *opts;
	char detail[64];
	int rc;

	rc = qsock_sched_class_request(ref, "dwcs", replace, NULL, NULL, &msg, err);
	if (rc)
		return rc;
	if (sp->flags & DWCS_NON_DROPPABLE)
		flags.value |= DWCS_CLASS_F_NONDROPPABLE;
	if (sp->flags & QSOCK_STREAM_LOSSLESS)
		flags.value |= DWCS_CLASS_F_LOSSLESS;
	opts = nla_nest_start(msg, TCA_OPTIONS);
	if (!opts || nla_put_u64(msg, TCA_DWCS_CLASS_IPG, sp->ipg_ns) < 0 ||
	    nla_put_u32(msg, TCA_DWCS_CLASS_OLN, sp->oln) < 0 ||
	    nla_put_u32(msg, TCA_DWCS_CLASS_OLD, sp->old) < 0 ||
	    nla_put(msg, TCA_DWCS_CLASS_FLAGS, sizeof(flags), &flags) < 0 ||
	    (sp->limit && nla_put_u32(msg, TCA_DWCS_CLASS_LIMIT, sp->limit) < 0) ||
	    /* only when set: a module older than the attribute refuses what it does not know */
	    (sp->max_rate && nla_put_u64(msg, TCA_DWCS_CLASS_MAXRATE64, sp->max_rate) < 0)) {
		nlmsg_free(msg);
		return qsock_errf(err, -ENOMEM, "building the dwcs class request: no room");
	}
	nla_nest_end(msg, opts);
	snprintf(detail, sizeof(detail), "ipg %llu ns, %u/%u", (unsigned long long)sp->ipg_ns,
		 sp->oln, sp->old);
	return qsock_sched_class_send(nl, msg, "dwcs", ref, replace, detail, err);
}

static uint64_t get_u64ish(struct nlattr *a)
{
	if (nla_len(a) >= 8)
		return nla_get_u64(a);
	if (nla_len(a) >= 4)
		return nla_get_u32(a);
	return 0;
}

/* The class's DWCS xstats (nested TCA_DWCS_STATS_*); unknown attributes are skipped. */
static void dwcs_parse_app(struct nlattr *app, struct qos_info *info)
{
	struct nlattr *tb[TCA_DWCS_STATS_MAX + 1];
	uint64_t sent;

	if (nla_parse_nested(tb, TCA_DWCS_STATS_MAX, app, NULL) < 0)
		return;
	if (!tb[TCA_DWCS_STATS_KIND] ||
	    nla_get_u32(tb[TCA_DWCS_STATS_KIND]) != DWCS_STATS_KIND_CLASS)
		return;
#define GET(attr, field)                                    \
	do {                                                \
		if (tb[attr])                               \
			info->field = get_u64ish(tb[attr]); \
	} while (0)
	GET(TCA_DWCS_STATS_DROP_LATE, drop_late);
	GET(TCA_DWCS_STATS_DROP_OVERFLOW, drop_overflow);
	GET(TCA_DWCS_STATS_DROP_FRAME, drop_frame);
	GET(TCA_DWCS_STATS_DROP_WINDOW, drop_window);
	GET(TCA_DWCS_STATS_DROP_NONDROPPABLE, drop_nondroppable);
	GET(TCA_DWCS_STATS_LATE_SENT, late_sent);
	GET(TCA_DWCS_STATS_DEADLINE_MISSES, deadline_misses);
	GET(TCA_DWCS_STATS_VIOLATIONS, violations);
	GET(TCA_DWCS_STATS_CUR_X, cur_x);
	GET(TCA_DWCS_STATS_CUR_Y, cur_y);
	GET(TCA_DWCS_STATS_DELAY_MAX_NS, delay_max_ns);
#undef GET
	sent = tb[TCA_DWCS_STATS_SENT_PKTS] ? get_u64ish(tb[TCA_DWCS_STATS_SENT_PKTS]) : 0;
	if (sent && tb[TCA_DWCS_STATS_DELAY_SUM_NS])
		info->delay_avg_ns = get_u64ish(tb[TCA_DWCS_STATS_DELAY_SUM_NS]) / sent;
	info->valid |= QSOCK_INFO_DWCS;
}

static int dwcs_stream_stats(struct qsock_nl *nl, const struct qsock_class_ref *ref,
			     struct qos_info *info, struct qsock_err *err)
{
	return qsock_tc_class_stats(nl, ref, info, dwcs_parse_app, err);
}

const struct qsock_sched_ops qsock_sched_dwcs = {
	.name = "dwcs",
	.kind = "dwcs",
	.discipline = "dwcs",
	.mark_flags = DWCS_MARK_FIELD_MASK,
	.check_stream = dwcs_check_stream,
	.init_root = dwcs_init_root,
	.root_markmask = dwcs_root_markmask,
	.set_stream = dwcs_set_stream,
	.stream_stats = dwcs_stream_stats,
};
