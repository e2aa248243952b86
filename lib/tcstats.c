// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * tcstats.c — read one tc class's statistics. A non-dump RTM_GETTCLASS answers only with
 * NLM_F_ECHO; the kernel finds the class by hash, so qinfo's cost is flat in
 * the number of streams. libnl's cache API is not used: it dumps every class of the device.
 */
#include <errno.h>
#include <linux/gen_stats.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <string.h>

#include "errors.h"
#include "tcstats.h"

struct stats_ctx {
	struct qos_info *info;
	void (*parse_app)(struct nlattr *app, struct qos_info *info);
	int seen;
};

static int on_class(struct nlmsghdr *nlh, void *arg, struct qsock_err *err)
{
	struct stats_ctx *ctx = arg;
	struct qos_info *info = ctx->info;
	struct nlattr *tb[TCA_MAX + 1], *st[TCA_STATS_MAX + 1];

	if (nlh->nlmsg_type != RTM_NEWTCLASS)
		return 0;
	if (nlmsg_parse(nlh, sizeof(struct tcmsg), tb, TCA_MAX, NULL) < 0 || !tb[TCA_STATS2] ||
	    nla_parse_nested(st, TCA_STATS_MAX, tb[TCA_STATS2], NULL) < 0)
		return qsock_errf(err, -EPROTO, "the kernel's class statistics are malformed");
	ctx->seen = 1;
	if (st[TCA_STATS_BASIC]) {
		struct gnet_stats_basic b = { 0 };

		memcpy(&b, nla_data(st[TCA_STATS_BASIC]),
		       nla_len(st[TCA_STATS_BASIC]) < (int)sizeof(b) ?
			       nla_len(st[TCA_STATS_BASIC]) :
			       (int)sizeof(b));
		info->sent_bytes = b.bytes;
		info->sent_pkts = b.packets;
	}
	if (st[TCA_STATS_PKT64] && nla_len(st[TCA_STATS_PKT64]) >= 8)
		info->sent_pkts = nla_get_u64(st[TCA_STATS_PKT64]);
	if (st[TCA_STATS_QUEUE]) {
		struct gnet_stats_queue q = { 0 };

		memcpy(&q, nla_data(st[TCA_STATS_QUEUE]),
		       nla_len(st[TCA_STATS_QUEUE]) < (int)sizeof(q) ?
			       nla_len(st[TCA_STATS_QUEUE]) :
			       (int)sizeof(q));
		info->backlog_pkts = q.qlen;
		info->backlog_bytes = q.backlog;
		info->drops = q.drops;
		info->overlimits = q.overlimits;
	}
	if (st[TCA_STATS_RATE_EST64] && nla_len(st[TCA_STATS_RATE_EST64]) >= 8)
		info->rate_bps =
			((struct gnet_stats_rate_est64 *)nla_data(st[TCA_STATS_RATE_EST64]))->bps;
	else if (st[TCA_STATS_RATE_EST] && nla_len(st[TCA_STATS_RATE_EST]) >= 4)
		info->rate_bps =
			((struct gnet_stats_rate_est *)nla_data(st[TCA_STATS_RATE_EST]))->bps;
	info->valid |= QSOCK_INFO_SCHED;
	if (ctx->parse_app && st[TCA_STATS_APP])
		ctx->parse_app(st[TCA_STATS_APP], info);
	return 0;
}

int qsock_tc_class_stats(struct qsock_nl *nl, const struct qsock_class_ref *ref,
			 struct qos_info *info,
			 void (*parse_app)(struct nlattr *app, struct qos_info *info),
			 struct qsock_err *err)
{
	struct stats_ctx ctx = { .info = info, .parse_app = parse_app };
	struct tcmsg tcm = {
		.tcm_family = AF_UNSPEC,
		.tcm_ifindex = ref->ifindex,
		.tcm_handle = ref->classid,
		.tcm_parent = ref->handle,
	};
	char what[64];
	int rc;

	snprintf(what, sizeof(what), "reading class %x:%x", ref->classid >> 16,
		 ref->classid & 0xffff);
	rc = qsock_nl_tc_request(nl, RTM_GETTCLASS, NLM_F_ECHO, &tcm, what, on_class, &ctx, err);
	if (!rc && !ctx.seen)
		rc = qsock_errf(err, -ENOENT, "%s: the kernel sent no statistics", what);
	return rc;
}

int qsock_tc_put_rate_estimator(struct nl_msg *msg)
{
	struct tc_estimator est = { .interval = -2, .ewma_log = 2 };

	return nla_put(msg, TCA_RATE, sizeof(est), &est) < 0 ? -ENOMEM : 0;
}
