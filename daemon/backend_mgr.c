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
#include "wire.h"

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

/* What the policy counted (qsockd_params_rate) is what the kernel lets through: dwcs serves
 * one packet of any size per ipg, so without a ceiling a stream stating a tiny rate would take
 * a link (docs/security.md, "Rate quotas"). htb's class rate is the same figure already. */
static void stream_params_from_request(const struct qsockd_params *p,
				       struct qsock_stream_params *sp)
{
	qsock_params_from_wire(p, sp);
	sp->max_rate = qsockd_params_rate(p) / 8 ?: 1;
}

static int mgr_init_root(const struct qsockd_params *p, char *msg, size_t msglen)
{
	struct qsock_root_params rp;
	struct qsock_err e = { "" };
	int err;

	qsock_root_from_wire(p, &rp);
	err = qsock_mgr_init_root(p->dev, p->sched, &rp, &e);

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
	stream_params_from_request(p, &sp);
	err = qsock_mgr_attach(fd, p->dev, p->sched, &sp, &owner, &st, slot_fd, &e);
	if (err) {
		msg_from(&e, msg, msglen);
		return err;
	}
	qsock_stream_to_wire(&st, out);
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
	qsock_stream_to_wire(&st, out);
	return 0;
}

static int mgr_change(int fd, const struct qsockd_params *p, struct qsockd_stream *out,
		      char *msg, size_t msglen)
{
	struct qsock_stream_params sp;
	struct qsock_stream st;
	struct qsock_err e = { "" };
	int err;

	stream_params_from_request(p, &sp);
	err = qsock_mgr_change(fd, p->dev, p->sched, &sp, &st, &e);
	if (err) {
		msg_from(&e, msg, msglen);
		return err;
	}
	qsock_stream_to_wire(&st, out);
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

/* The manager's stats read its own record: the wire stream gives every field they read. */
static int mgr_stats(const struct qsockd_stream *st, struct qsockd_stats *out, char *msg,
		     size_t msglen)
{
	struct qsock_stream ms;
	struct qos_info info;
	struct qsock_err e = { "" };
	int err;

	qsock_stream_from_wire(st, &ms);
	memset(&info, 0, sizeof(info));
	info.size = sizeof(info);
	err = qsock_mgr_stream_stats(&ms, &info, &e);
	if (err) {
		msg_from(&e, msg, msglen);
		return err;
	}
	qsock_stats_to_wire(&info, out);
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

	qsock_stream_to_wire(st, &ws);
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
