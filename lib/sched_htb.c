// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * sched_htb.c — the "htb" scheduler module: the stock kernel's HTB as root, one class per
 * stream with a guaranteed (and ceiling) rate derived from the stream's parameters:
 * pkt_bytes (default: the device MTU) every ipg, or the explicit rate. Unclassified packets go
 * straight out (default class 0: HTB's direct queue), so best effort is not shaped. oln/old,
 * deadlines and per-packet flags are accepted and have no effect: HTB has no such notions.
 * Built with libnl-route-3's own HTB module; TCA_RATE adds a rate estimator (250 ms samples,
 * 1 s time constant) so qinfo can report the rate over the last second.
 */
#include <errno.h>
#include <linux/gen_stats.h>
#include <linux/pkt_sched.h>
#include <string.h>

#include <netlink/route/class.h>
#include <netlink/route/qdisc.h>
#include <netlink/route/qdisc/htb.h>
#include <netlink/route/tc.h>

#include "errors.h"
#include "sched_ops.h"
#include "tcstats.h"

#define NSEC_PER_SEC 1000000000ULL
/* HTB keeps rates in u32 bytes/s unless TCA_HTB_RATE64; libnl's setter covers both. */
#define HTB_MAX_RATE (~0ULL >> 4)

static uint64_t stream_rate(const struct qsock_stream_params *sp, uint32_t mtu)
{
	uint64_t bytes = sp->pkt_bytes ? sp->pkt_bytes : mtu;

	if (sp->rate)
		return sp->rate;
	/* bytes per ipg, in bytes per second; at least 1 */
	return bytes * NSEC_PER_SEC / sp->ipg_ns ? bytes * NSEC_PER_SEC / sp->ipg_ns : 1;
}

static int htb_check_stream(const struct qsock_stream_params *sp, struct qsock_err *err)
{
	if (sp->rate > HTB_MAX_RATE)
		return qsock_errf(err, -EINVAL,
				  "q_dwcs_attr.rate %llu bytes/s is too large for htb",
				  (unsigned long long)sp->rate);
	return 0;
}

/* libnl's HTB fields of the root: unclassified traffic goes direct, unshaped. */
static int htb_root_setup(struct rtnl_qdisc *q)
{
	int rc = rtnl_htb_set_defcls(q, 0);

	return rc ? rc : rtnl_htb_set_rate2quantum(q, 10);
}

static int htb_init_root(struct qsock_nl *nl, int ifindex, uint32_t handle,
			 const struct qsock_root_params *rp, struct qsock_err *err)
{
	struct nl_msg *msg;
	int rc = qsock_sched_root_request(ifindex, handle, "htb", htb_root_setup, &msg, err);

	if (rc)
		return rc;
	return qsock_nl_request(nl, msg, "creating the htb root qdisc", NULL, NULL, err);
}

/* libnl's HTB fields of a stream's class: @arg is its rate in bytes/s. */
static int htb_class_setup(struct rtnl_class *cls, const void *arg)
{
	uint64_t rate = *(const uint64_t *)arg;
	int rc;

	rc = rtnl_htb_set_rate64(cls, rate);
	if (!rc)
		rc = rtnl_htb_set_ceil64(cls, rate);
	/* quantum: HTB wants 1000..200000 bytes and warns otherwise */
	if (!rc)
		rc = rtnl_htb_set_quantum(cls, rate / 10 < 1514	  ? 1514 :
					       rate / 10 > 200000 ? 200000 :
								    (uint32_t)(rate / 10));
	return rc;
}

static int htb_set_stream(struct qsock_nl *nl, const struct qsock_class_ref *ref,
			  const struct qsock_stream_params *sp, bool replace, struct qsock_err *err)
{
	uint64_t rate = stream_rate(sp, ref->mtu);
	struct nl_msg *msg;
	char detail[48];
	int rc;

	rc = qsock_sched_class_request(ref, "htb", replace, htb_class_setup, &rate, &msg, err);
	if (rc)
		return rc;
	snprintf(detail, sizeof(detail), "rate %llu bytes/s", (unsigned long long)rate);
	return qsock_sched_class_send(nl, msg, "htb", ref, replace, detail, err);
}

static int htb_stream_stats(struct qsock_nl *nl, const struct qsock_class_ref *ref,
			    struct qos_info *info, struct qsock_err *err)
{
	return qsock_tc_class_stats(nl, ref, info, NULL, err);
}

const struct qsock_sched_ops qsock_sched_htb = {
	.name = "htb",
	.kind = "htb",
	.discipline = "htb",
	.mark_flags = 0,
	.check_stream = htb_check_stream,
	.init_root = htb_init_root,
	.set_stream = htb_set_stream,
	.stream_stats = htb_stream_stats,
};
