/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tcstats.h — one class's statistics in one netlink round trip (RTM_GETTCLASS + NLM_F_ECHO). */
#ifndef QSOCK_TCSTATS_H
#define QSOCK_TCSTATS_H

#include <netlink/attr.h>

#include "sched_ops.h"

/*
 * Ask the kernel for class @ref->classid only (its cost does not depend on how many classes
 * the qdisc has) and fill the QSOCK_INFO_SCHED fields of @info from TCA_STATS2. @parse_app,
 * if given, reads the scheduler's own TCA_STATS_APP attribute.
 */
int qsock_tc_class_stats(struct qsock_nl *nl, const struct qsock_class_ref *ref,
			 struct qos_info *info,
			 void (*parse_app)(struct nlattr *app, struct qos_info *info),
			 struct qsock_err *err);

/*
 * Append TCA_RATE to a class request: a rate estimator sampling every 250 ms with a 1 s time
 * constant, so qinfo's rate_bps is the rate over about the last second. -ENOMEM if no room.
 */
int qsock_tc_put_rate_estimator(struct nl_msg *msg);

#endif /* QSOCK_TCSTATS_H */
