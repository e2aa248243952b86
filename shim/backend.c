// SPDX-License-Identifier: GPL-2.0
/*
 * backend.c — the shim's link to libqsock (linked in from build/lib/libqsock.a).
 *
 * Attach is qattach() itself, with the parameters a program would pass (struct qos_params
 * and struct q_dwcs_attr from qsock.h). Per-message information travels exactly as
 * qsendmsg() sends it: a struct packet_flags given to libqsock's carrier
 * (qsock_carrier_build, lib/carrier.h), which updates the socket's flags word or builds the
 * SO_MARK / SCM_TXTIME control messages the shim appends after the caller's own.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "qsock.h"
#include "uapi/linux/pkt_sch_dwcs.h"
#include "../lib/carrier.h"
#include "../lib/fdtable.h"
#include "../lib/manager.h"
#include "backend.h"
#include "fdtable.h"
#include "shim.h"

_Static_assert(QSOCK_CARRIER_CMSG_SPACE <= SHIM_CMSG_SPACE, "room for libqsock's cmsgs");

/* htb streams take their rate from attr.rate; libqsock still wants a period. */
#define SHIM_HTB_PERIOD_NS 1000000ULL

/*
 * share = "process": one class for all of this process's sockets a rule matches. The first
 * is attached as qattach() would; each later one joins the class of one still attached
 * (libqsock's qsock_join), which stays until the last of them is removed. The lock keeps two
 * threads matching sockets of one rule at once from making two classes; it is taken only
 * when a shared rule's socket is matched, never on a send.
 */
static pthread_mutex_t share_lock = PTHREAD_MUTEX_INITIALIZER;
static int share_fd[CONF_MAX_STREAMS];	/* fd + 1 of the rule's last attached socket; 0: none */

/* FD is a matched socket of rule INDEX (its number may have been reused since). */
static bool in_rule(int fd, unsigned int index)
{
	const struct shim_fd *f = shim_fd_slot(fd);

	return f && shim_fd_state(f) == SHIM_FD_MATCHED && f->stream == index;
}

/* Another matched socket of rule INDEX, or -1: the fd table's walk (max_fds slots, about
 * 50 us at 65536), paid when the socket share_fd named is gone. */
static int share_member(int fd, unsigned int index)
{
	for (unsigned int i = 0; i < shim_fdtable_size(); i++)
		if ((int)i != fd && in_rule((int)i, index))
			return (int)i;
	return -1;
}

static int attach_one(int fd, const struct conf_stream *st, char *why, size_t why_len);

static int attach_shared(int fd, const struct conf_stream *st, char *why, size_t why_len)
{
	unsigned int index = (unsigned int)(st - shim.conf.streams);
	struct qsock_err e = { "" };
	int member, rc = -ENOENT;

	pthread_mutex_lock(&share_lock);
	member = share_fd[index] - 1;
	if (member >= 0 && member != fd && in_rule(member, index))
		rc = qsock_join(fd, member, &e);
	if (rc == -ENOENT) {
		member = share_member(fd, index);
		if (member >= 0)
			rc = qsock_join(fd, member, &e);
	}
	if (!rc) {
		shim_log(2, "fd %d: in fd %d's class (stream \"%s\", share = \"process\")", fd,
			 member, st->name);
	} else {
		/* no socket to share with, or it cannot be shared (a qsockd from before JOIN, a
		 * classless scheduler): a class of its own */
		if (rc != -ENOENT)
			shim_warn_once("fd %d: stream \"%s\": share = \"process\": %s; the socket "
				       "gets a class of its own",
				       fd, st->name, e.msg);
		rc = attach_one(fd, st, why, why_len);
		if (!rc)
			share_fd[index] = fd + 1;
	}
	pthread_mutex_unlock(&share_lock);
	return rc;
}

int shim_backend_attach(int fd, const struct conf_stream *st, char *why, size_t why_len)
{
	if (st->share == CONF_SHARE_PROCESS && st->sched != CONF_SCHED_NONE)
		return attach_shared(fd, st, why, why_len);
	return attach_one(fd, st, why, why_len);
}

static int attach_one(int fd, const struct conf_stream *st, char *why, size_t why_len)
{
	struct q_dwcs_attr attr = { 0 };
	struct qos_params p = { .attributes = &attr };
	int err;

	if (st->sched == CONF_SCHED_NONE) {
		/* mark only: no class, no qsockd (any program may set its own socket's TOS) */
		struct qsock_err e = { "" };

		err = qsock_mgr_set_dscp(fd, QSOCK_DSCP(st->dscp), &e);
		if (err)
			snprintf(why, why_len, "%s", e.msg);
		return err;
	}
	snprintf(p.dev, sizeof(p.dev), "%s", st->dev);
	snprintf(p.name, sizeof(p.name), "%s", conf_sched_name(st->sched));
	attr.stream_flags = QSOCK_STREAM_EXT;
	attr.size = sizeof(attr);
	if (st->sched == CONF_SCHED_HTB) {
		attr.ipg_ns = SHIM_HTB_PERIOD_NS;
		attr.rate = st->rate_Bps;
	} else {
		attr.oln = st->oln;
		attr.old = st->old;
		attr.ipg_ns = st->ipg_ns;
		attr.limit = st->limit;
		/* a rule given as a bitrate: qsockd's policy charges these bytes per period */
		attr.pkt_bytes = st->pkt_bytes;
		if (st->class_flags & DWCS_CLASS_F_NONDROPPABLE)
			attr.stream_flags |= DWCS_NON_DROPPABLE;
		if (st->class_flags & DWCS_CLASS_F_LOSSLESS)
			attr.stream_flags |= QSOCK_STREAM_LOSSLESS;
	}
	attr.ipg = (uint32_t)((attr.ipg_ns + 999999) / 1000000);
	if (st->has_dscp)
		attr.dscp = QSOCK_DSCP(st->dscp);
	if (!qattach(fd, &p))
		return 0;
	err = errno;
	snprintf(why, why_len, "%s", qsock_strerror());
	return -err;
}

void shim_backend_detach(int fd)
{
	qdetach(fd);
}

int shim_backend_cmsgs(int fd, const struct conf_msg_action *a, void *cmsgs, size_t *len)
{
	struct qsock_fd_state *st = qsock_fd_get(fd);
	struct packet_flags pf = {
		.drop_flag = a->mark | (a->deadline_ns ? QSOCK_DEADLINE_RELATIVE : 0),
		.deadline = a->deadline_ns,
	};
	struct qsock_err err = { "" };
	int rc;

	*len = 0;
	if (!st || !atomic_load_explicit(&st->active, memory_order_relaxed))
		return -ENOENT;
	rc = qsock_carrier_build(st, fd, &pf, cmsgs, len, &err);
	if (rc)
		shim_log(1, "fd %d: %s", fd, err.msg);
	return rc;
}
