// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * mgr_dev.c — the manager's device context (mgr_dev.h): a device's ifindex and MTU, its
 * classifier's maps and conf, the netlink socket and the root qdisc, opened in one call, and
 * the walk over one device or every qsock device of the namespace.
 */
#include <errno.h>
#include <stdbool.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>

#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <netlink/route/tc.h>

#include <uapi/linux/pkt_sch_dwcs.h>

#include "errors.h"
#include "mgr_dev.h"
#include "sockinfo.h"

/* qsock_cls_devices' list of names: 64 of the longest, far more roots than a host has */
#define DEV_NAMES_MAX 1024

static int resolve_dev(const char *dev, struct qsock_mgr_dev *d, struct qsock_err *err)
{
	if (!dev || !dev[0] || strnlen(dev, IFNAMSIZ) >= IFNAMSIZ)
		return qsock_errf(err, -EINVAL, "bad device name");
	d->ifindex = (int)if_nametoindex(dev);
	if (!d->ifindex)
		return qsock_errf(err, -ENODEV,
				  "no network device \"%s\" in this network namespace", dev);
	if (qsock_dev_mtu(dev, &d->mtu))
		d->mtu = 1500;
	return 0;
}

static int on_root(struct nlmsghdr *nlh, void *arg, struct qsock_err *err)
{
	const struct qsock_sched_ops *ops;
	struct qsock_mgr_root *ri = arg;
	struct nlattr *tb[TCA_MAX + 1];
	struct tcmsg *tcm = nlmsg_data(nlh);

	if (nlh->nlmsg_type != RTM_NEWQDISC || tcm->tcm_parent != TC_H_ROOT)
		return 0;
	if (nlmsg_parse(nlh, sizeof(*tcm), tb, TCA_MAX, NULL) < 0)
		return qsock_errf(err, -EPROTO, "malformed qdisc message from the kernel");
	ri->handle = tcm->tcm_handle;
	if (tb[TCA_KIND])
		nla_strlcpy(ri->kind, tb[TCA_KIND], sizeof(ri->kind));
	ops = qsock_sched_by_kind(ri->kind);
	ri->markmask = ops && ops->root_markmask ? ops->root_markmask(tb[TCA_OPTIONS])
						 : DWCS_DEFAULT_MARKMASK;
	return 0;
}

/* The device's root qdisc (kind, handle): one RTM_GETQDISC for that qdisc only. */
static int read_root(struct qsock_nl *nl, int ifindex, struct qsock_mgr_root *ri,
		     struct qsock_err *err)
{
	struct tcmsg tcm = { .tcm_family = AF_UNSPEC,
			     .tcm_ifindex = ifindex,
			     .tcm_parent = TC_H_ROOT };

	memset(ri, 0, sizeof(*ri));
	return qsock_nl_tc_request(nl, RTM_GETQDISC, NLM_F_ECHO, &tcm, "reading the root qdisc",
				   on_root, ri, err);
}

int qsock_mgr_dev_read_root(struct qsock_mgr_dev *d, struct qsock_err *err)
{
	return read_root(d->nl, d->ifindex, &d->root, err);
}

/*
 * @dev has no qsock scheduler (qsock_cls_open said -ENOENT). When its root qdisc is one the
 * kernel did not give it by default (handle 0), someone installed it by hand: "call qsockinit
 * first" would not help, since qsockinit refuses that root. Say what does. One RTM_GETQDISC,
 * on the failure path only.
 */
static int explain_no_qsock_root(const char *dev, int ifindex, int rc, struct qsock_err *err)
{
	struct qsock_err ignored;
	struct qsock_mgr_root ri;
	struct qsock_nl *nl;

	if (rc != -ENOENT || qsock_nl_thread(&nl, &ignored) ||
	    read_root(nl, ifindex, &ri, &ignored) || ri.handle == 0)
		return rc;
	return qsock_errf(err, -ENOENT,
			  "%s has a root qdisc \"%s\" (handle %x:) that qsock did not install: "
			  "remove it (tc qdisc del dev %s root), then qsock init %s SCHED",
			  dev, ri.kind, ri.handle >> 16, dev, dev);
}

int qsock_mgr_dev_serves(const char *dev, const char *cur, const char *sched, struct qsock_err *err)
{
	if (qsock_sched_serves(cur, sched))
		return 0;
	return qsock_errf(err, -EINVAL, "%s runs the %s scheduler, not %s", dev, cur, sched);
}

/* What qsockinit recorded in @d's maps: its scheduler and root handle. */
static int read_conf(struct qsock_mgr_dev *d, struct qsock_err *err)
{
	int rc = qsock_cls_read_conf(&d->maps, d->sched, &d->handle, err);

	if (!rc)
		d->ops = qsock_sched_find(d->sched);
	return rc;
}

int qsock_mgr_dev_open(const char *dev, const char *sched, unsigned int need,
		       struct qsock_mgr_dev *d, struct qsock_err *err)
{
	int rc = 0;

	memset(d, 0, sizeof(*d));
	d->maps.streams = d->maps.flags = d->maps.conf = d->maps.slots = -1;
	if (need & MGR_DEV_ROOT)
		need |= MGR_DEV_LINK | MGR_DEV_NL;
	if (sched)
		need |= MGR_DEV_CONF;
	/* the name first: a bad one is the caller's mistake, whatever else is missing */
	if (need & MGR_DEV_LINK)
		rc = resolve_dev(dev, d, err);
	if (!rc && (need & MGR_DEV_MAPS)) {
		rc = qsock_cls_open(dev, &d->maps, err);
		if (rc && (need & MGR_DEV_WHY))
			rc = explain_no_qsock_root(dev, d->ifindex, rc, err);
		if (!rc && (need & MGR_DEV_CONF))
			rc = read_conf(d, err);
		if (!rc && sched)
			rc = qsock_mgr_dev_serves(dev, d->sched, sched, err);
	}
	if (!rc && (need & MGR_DEV_NL))
		rc = qsock_nl_thread(&d->nl, err);
	if (!rc && (need & MGR_DEV_ROOT))
		rc = read_root(d->nl, d->ifindex, &d->root, err);
	if (!rc && (need & MGR_DEV_MAPS_IF_ANY) && d->maps.streams < 0 &&
	    !qsock_cls_open(dev, &d->maps, NULL))
		rc = read_conf(d, err);
	if (rc)
		qsock_mgr_dev_close(d);
	return rc;
}

void qsock_mgr_dev_close(struct qsock_mgr_dev *d)
{
	qsock_cls_close(&d->maps);
}

void qsock_mgr_dev_move(struct qsock_mgr_dev *to, struct qsock_mgr_dev *from)
{
	*to = *from;
	from->maps.streams = from->maps.flags = from->maps.conf = from->maps.slots = -1;
}

int qsock_mgr_dev_each(const char *dev, unsigned int need,
		       int (*fn)(struct qsock_mgr_dev *d, void *arg, struct qsock_err *err),
		       void *arg, struct qsock_err *err)
{
	bool every = need & MGR_DEV_EVERY;
	char names[DEV_NAMES_MAX], *name;
	struct qsock_mgr_dev d;
	int rc;

	if (dev) {
		rc = qsock_mgr_dev_open(dev, NULL, need, &d, err);
		if (rc)
			return rc;
		rc = fn(&d, arg, err);
		qsock_mgr_dev_close(&d);
		return rc;
	}
	rc = qsock_cls_devices(names, sizeof(names), err);
	for (name = names; !rc && *name; name += strlen(name) + 1) {
		/* a root removed since the listing is no device of ours any more */
		rc = qsock_mgr_dev_open(name, NULL, need, &d, every ? err : NULL);
		if (rc) {
			if (every)
				return rc;
			rc = 0;
			continue;
		}
		rc = fn(&d, arg, err);
		qsock_mgr_dev_close(&d);
	}
	return rc;
}
