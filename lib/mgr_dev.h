/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * mgr_dev.h — the manager's device context (private to lib/manager.c and lib/mgr_dev.c).
 *
 * Every manager operation works on one device and needs some of the same things of it: its
 * ifindex and MTU, the classifier's pinned maps and what qsockinit recorded in them (which
 * scheduler, which root handle), the thread's netlink socket, the root qdisc as the kernel has
 * it now. Each operation used to gather them by hand, with a cleanup on every exit path and
 * its own order of checks; now it names what it needs and qsock_mgr_dev_open() opens that,
 * in one order, so that the same failure is said the same way by every operation.
 */
#ifndef QSOCK_MGR_DEV_H
#define QSOCK_MGR_DEV_H

#include <net/if.h>
#include <stdint.h>

#include "classifier.h"
#include "sched_ops.h"

/* What an operation needs of its device (qsock_mgr_dev_open's @need), opened in this order. */
/* the name is a device of this network namespace: ifindex, MTU */
#define MGR_DEV_LINK 0x01U
/* its qsock classifier's pinned maps */
#define MGR_DEV_MAPS 0x02U
/* with MAPS, what qsockinit recorded in them: sched, handle, ops (one more map read, which
 * the operations on a stream's own record do without: 3% of an in-process qchange) */
#define MGR_DEV_CONF 0x80U
/* with MAPS, on a device without a qsock root: when its root qdisc is someone else's, say
 * so, since "call qsockinit first" would not help (qsockinit refuses that root) */
#define MGR_DEV_WHY 0x04U
/* this thread's netlink socket */
#define MGR_DEV_NL 0x08U
/* the root qdisc as the kernel has it now: one RTM_GETQDISC (implies LINK and NL) */
#define MGR_DEV_ROOT 0x10U
/* the maps if the device has a qsock classifier; none (maps.streams < 0) and no error when
 * it has none: for the operations that look at whatever is installed (qsockinit, status) */
#define MGR_DEV_MAPS_IF_ANY 0x20U
/* qsock_mgr_dev_each() over every device: one that does not open fails the walk, instead of
 * being skipped as a device whose root went away since the listing */
#define MGR_DEV_EVERY 0x40U

/* A root qdisc as the kernel reports it. */
struct qsock_mgr_root {
	char kind[IFNAMSIZ];
	uint32_t handle;
	/* the flags field of its skb->mark (sched_ops.h root_markmask); a scheduler that reads
	 * no marks has the default, which the classifier has always cleared for it */
	uint32_t markmask;
};

struct qsock_mgr_dev {
	/* MGR_DEV_LINK (and ROOT) */
	int ifindex;
	uint32_t mtu;
	/* MGR_DEV_MAPS (and MAPS_IF_ANY, when installed); MGR_DEV_CONF: what qsockinit
	 * recorded */
	struct qsock_cls_maps maps;
	char sched[IFNAMSIZ];
	uint32_t handle;
	const struct qsock_sched_ops *ops; /* @sched's module, NULL if this library lacks it */
	/* MGR_DEV_NL: the thread's own, which outlives the context */
	struct qsock_nl *nl;
	/* MGR_DEV_ROOT */
	struct qsock_mgr_root root;
};

/*
 * qsock_mgr_dev_open() - open what @need names of @dev into @d and, when @sched is not NULL,
 * check that the root qsockinit installed there serves @sched (which reads the conf). 0, or -errno with @err set and
 * nothing left open. qsock_mgr_dev_close() closes what it opened; the netlink socket is the
 * thread's and stays.
 */
int qsock_mgr_dev_open(const char *dev, const char *sched, unsigned int need,
		       struct qsock_mgr_dev *d, struct qsock_err *err);
void qsock_mgr_dev_close(struct qsock_mgr_dev *d);
/* Hand @from's open maps over to @to (@from then has nothing to close). */
void qsock_mgr_dev_move(struct qsock_mgr_dev *to, struct qsock_mgr_dev *from);
/* Read the root qdisc of @d (opened with LINK and NL) again into d->root. */
int qsock_mgr_dev_read_root(struct qsock_mgr_dev *d, struct qsock_err *err);
/* -EINVAL "@dev runs the @cur scheduler, not @sched" unless @cur serves @sched. */
int qsock_mgr_dev_serves(const char *dev, const char *cur, const char *sched,
			 struct qsock_err *err);

/*
 * qsock_mgr_dev_each() - call @fn on @dev opened with @need, or, when @dev is NULL, on each
 * device of this network namespace with a qsock classifier, until @fn returns non-zero;
 * returns that, 0 when every @fn returned 0, or -errno when @dev (or, with MGR_DEV_EVERY, any
 * device) does not open. The context is closed after @fn; @fn may keep it with
 * qsock_mgr_dev_move().
 */
int qsock_mgr_dev_each(const char *dev, unsigned int need,
		       int (*fn)(struct qsock_mgr_dev *d, void *arg, struct qsock_err *err),
		       void *arg, struct qsock_err *err);

#endif /* QSOCK_MGR_DEV_H */
