// SPDX-License-Identifier: GPL-2.0
/*
 * backend_mgr.c — qsockd's backend: libqsock's manager (lib/manager.h), the code a program
 * with CAP_NET_ADMIN runs in-process. Only unit-free field copies happen here: the wire
 * protocol carries the manager's own units (bytes/s, ns, packets).
 */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "manager.h"

#include "backend.h"

/*
 * The manager names a socket by its fd ("fd 7 has no stream ..."): in qsockd that is the
 * daemon's own dup, a number that means nothing to the client. Say "the socket" instead.
 */
static void msg_from(const struct qsock_err *e, char *msg, size_t msglen)
{
	const char *s = e->msg;
	size_t o = 0;

	while (*s && o + 1 < msglen) {
		bool word = s == e->msg || !isalnum((unsigned char)s[-1]);

		if (word && !strncmp(s, "fd ", 3) && isdigit((unsigned char)s[3])) {
			int n = snprintf(msg + o, msglen - o, "the socket");

			o = n < 0 ? o : (size_t)n + o >= msglen ? msglen - 1 : o + (size_t)n;
			for (s += 3; isdigit((unsigned char)*s); s++)
				;
			continue;
		}
		msg[o++] = *s++;
	}
	if (msglen)
		msg[o < msglen ? o : msglen - 1] = '\0';
}

static void stream_params_from_wire(const struct qsockd_params *p, struct qsock_stream_params *sp)
{
	memset(sp, 0, sizeof(*sp));
	sp->ipg_ns = p->ipg_ns;
	sp->rate = p->rate;
	sp->oln = p->oln;
	sp->old = p->old;
	sp->flags = p->flags;
	sp->limit = p->limit;
	sp->pkt_bytes = p->pkt_bytes;
	sp->dscp = p->dscp;
	/*
	 * What the policy counted (qsockd_params_rate) is what the kernel lets through: dwcs
	 * serves one packet of any size per ipg, so without a ceiling a stream stating a tiny
	 * rate would take a link (docs/security.md, "Rate quotas"). htb's class rate is the same
	 * figure already.
	 */
	sp->max_rate = qsockd_params_rate(p) / 8 ?: 1;
}

static void stream_to_wire(const struct qsock_stream *st, struct qsockd_stream *out)
{
	memset(out, 0, sizeof(*out));
	out->cookie = st->cookie;
	out->classid = st->classid;
	out->owner_uid = st->owner.uid;
	out->owner_pid = st->owner.pid;
	memcpy(out->owner_comm, st->owner.comm, sizeof(out->owner_comm));
	out->owner_comm[sizeof(out->owner_comm) - 1] = '\0';
	out->ifindex = st->ifindex;
	out->sock_type = st->sock_type;
	out->allowed_flags = st->allowed_flags;
	snprintf(out->params.dev, sizeof(out->params.dev), "%s", st->dev);
	snprintf(out->params.sched, sizeof(out->params.sched), "%s", st->sched);
	out->params.ipg_ns = st->params.ipg_ns;
	out->params.rate = st->params.rate;
	out->params.oln = st->params.oln;
	out->params.old = st->params.old;
	out->params.flags = st->params.flags & QSOCKD_F_ALL;
	out->params.limit = st->params.limit;
	out->params.pkt_bytes = st->params.pkt_bytes;
	out->params.dscp = st->params.dscp;
}

static int mgr_init_root(const struct qsockd_params *p, char *msg, size_t msglen)
{
	struct qsock_root_params rp = {
		.rate = p->root_rate, .limit = p->root_limit, .flags = p->root_flags };
	struct qsock_err e = { "" };
	int err = qsock_mgr_init_root(p->dev, p->sched, &rp, &e);

	if (err)
		msg_from(&e, msg, msglen);
	return err;
}

static int mgr_fini_root(const char *dev, char *msg, size_t msglen)
{
	struct qsock_err e = { "" };
	int err = qsock_mgr_fini_root(dev, &e);

	if (err)
		msg_from(&e, msg, msglen);
	return err;
}

/* An unprivileged owner never carries its own SO_MARK: trust_mark stays 0. */
static void owner_from_qd(const struct qd_owner *o, struct qsock_owner *owner)
{
	memset(owner, 0, sizeof(*owner));
	owner->uid = o->uid;
	owner->pid = o->pid;
	owner->allowed_flags = o->allowed_flags;
	memcpy(owner->comm, o->comm, sizeof(owner->comm));
}

static int mgr_attach(int fd, const struct qsockd_params *p, const struct qd_owner *o,
		      struct qsockd_stream *out, int *slot_fd, char *msg, size_t msglen)
{
	struct qsock_owner owner;
	struct qsock_stream_params sp;
	struct qsock_stream st;
	struct qsock_err e = { "" };
	int err;

	owner_from_qd(o, &owner);
	stream_params_from_wire(p, &sp);
	err = qsock_mgr_attach(fd, p->dev, p->sched, &sp, &owner, &st, slot_fd, &e);
	if (err) {
		msg_from(&e, msg, msglen);
		return err;
	}
	stream_to_wire(&st, out);
	return 0;
}

static int mgr_join(int fd, uint64_t member, const char *dev, const struct qd_owner *o,
		    struct qsockd_stream *out, int *slot_fd, char *msg, size_t msglen)
{
	struct qsock_owner owner;
	struct qsock_stream st;
	struct qsock_err e = { "" };
	int err;

	owner_from_qd(o, &owner);
	err = qsock_mgr_join(fd, member, dev, &owner, &st, slot_fd, &e);
	if (err) {
		msg_from(&e, msg, msglen);
		return err;
	}
	stream_to_wire(&st, out);
	return 0;
}

static int mgr_change(int fd, const struct qsockd_params *p, struct qsockd_stream *out,
		      char *msg, size_t msglen)
{
	struct qsock_stream_params sp;
	struct qsock_stream st;
	struct qsock_err e = { "" };
	int err;

	stream_params_from_wire(p, &sp);
	err = qsock_mgr_change(fd, p->dev, p->sched, &sp, &st, &e);
	if (err) {
		msg_from(&e, msg, msglen);
		return err;
	}
	stream_to_wire(&st, out);
	return 0;
}

static int mgr_detach(int fd, const char *dev, char *msg, size_t msglen)
{
	struct qsock_err e = { "" };
	int err = qsock_mgr_detach(fd, dev, &e);

	if (err)
		msg_from(&e, msg, msglen);
	return err;
}

static int mgr_detach_cookie(const char *dev, uint64_t cookie, char *msg, size_t msglen)
{
	struct qsock_err e = { "" };
	int err = qsock_mgr_detach_cookie(dev, cookie, &e);

	if (err)
		msg_from(&e, msg, msglen);
	return err;
}

/* The manager's stats take its own record: rebuild the fields it reads. */
static int mgr_stats(const struct qsockd_stream *st, struct qsockd_stats *out, char *msg,
		     size_t msglen)
{
	struct qsock_stream ms;
	struct qos_info info;
	struct qsock_err e = { "" };
	int err;

	memset(&ms, 0, sizeof(ms));
	ms.classid = st->classid;
	ms.cookie = st->cookie;
	ms.ifindex = st->ifindex;
	ms.sock_type = st->sock_type;
	snprintf(ms.dev, sizeof(ms.dev), "%s", st->params.dev);
	snprintf(ms.sched, sizeof(ms.sched), "%s", st->params.sched);
	memset(&info, 0, sizeof(info));
	info.size = sizeof(info);
	err = qsock_mgr_stream_stats(&ms, &info, &e);
	if (err) {
		msg_from(&e, msg, msglen);
		return err;
	}
	memset(out, 0, sizeof(*out));
	out->valid = info.valid;
	out->sent_pkts = info.sent_pkts;
	out->sent_bytes = info.sent_bytes;
	out->drops = info.drops;
	out->overlimits = info.overlimits;
	out->rate = info.rate_bps;
	out->drop_late = info.drop_late;
	out->drop_overflow = info.drop_overflow;
	out->drop_frame = info.drop_frame;
	out->drop_window = info.drop_window;
	out->drop_nondroppable = info.drop_nondroppable;
	out->late_sent = info.late_sent;
	out->deadline_misses = info.deadline_misses;
	out->violations = info.violations;
	out->delay_avg_ns = info.delay_avg_ns;
	out->delay_max_ns = info.delay_max_ns;
	out->cur_x = info.cur_x;
	out->cur_y = info.cur_y;
	out->backlog_pkts = info.backlog_pkts;
	out->backlog_bytes = info.backlog_bytes;
	return 0;
}

static int mgr_device(const char *dev, struct qsockd_device *out, char *msg, size_t msglen)
{
	struct qsock_dev_status ds;
	struct qsock_err e = { "" };
	int err = qsock_mgr_status(dev, &ds, &e);

	if (err) {
		msg_from(&e, msg, msglen);
		return err;
	}
	memset(out, 0, sizeof(*out));
	snprintf(out->dev, sizeof(out->dev), "%s", ds.dev);
	snprintf(out->sched, sizeof(out->sched), "%s", ds.sched);
	snprintf(out->root_kind, sizeof(out->root_kind), "%s", ds.root_kind);
	out->ifindex = ds.ifindex;
	out->streams = ds.streams;
	out->classifier = ds.classifier;
	return 0;
}

struct walk_arg {
	int (*fn)(const struct qsockd_stream *st, uint64_t inode, void *arg);
	void *arg;
};

static int walk_one(const struct qsock_stream *st, void *arg)
{
	struct walk_arg *w = arg;
	struct qsockd_stream ws;

	stream_to_wire(st, &ws);
	return w->fn(&ws, st->inode, w->arg);
}

static int mgr_walk(int (*fn)(const struct qsockd_stream *st, uint64_t inode, void *arg),
		    void *arg, char *msg, size_t msglen)
{
	struct walk_arg w = { fn, arg };
	struct qsock_err e = { "" };
	int err = qsock_mgr_walk(NULL, walk_one, &w, &e);

	if (err)
		msg_from(&e, msg, msglen);
	return err;
}

static const struct qd_backend mgr_backend = {
	.name = "libqsock manager",
	.init_root = mgr_init_root,
	.fini_root = mgr_fini_root,
	.attach = mgr_attach,
	.join = mgr_join,
	.change = mgr_change,
	.detach = mgr_detach,
	.detach_cookie = mgr_detach_cookie,
	.stats = mgr_stats,
	.device = mgr_device,
	.walk = mgr_walk,
};

const struct qd_backend *qd_backend = &mgr_backend;
