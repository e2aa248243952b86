// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * netlink.c — one rtnetlink round trip: send, collect replies, read the ACK or the error with
 * its extended-ACK message (libnl 3.7 has no extack support, and on error it
 * returns its own code instead of the errno, so both are read from the NLMSG_ERROR here).
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <linux/netlink.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <netlink/attr.h>

#include "errors.h"
#include "netlink.h"
#include "sys.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

int qsock_nl_open(struct qsock_nl *nl, struct qsock_err *err)
{
	int one = 1, rc;

	memset(nl, 0, sizeof(*nl));
	nl->sk = nl_socket_alloc();
	if (!nl->sk)
		return qsock_errf(err, -ENOMEM, "cannot allocate a netlink socket");
	rc = nl_connect(nl->sk, NETLINK_ROUTE);
	if (rc < 0) {
		rc = errno ? -errno : -EIO;
		nl_socket_free(nl->sk);
		nl->sk = NULL;
		return qsock_errf(err, rc, "cannot open a NETLINK_ROUTE socket: %s", strerror(-rc));
	}
	/* Best effort: without them we still get the errno, only not the kernel's text. */
	qsock_sys.setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	qsock_sys.setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	return 0;
}

_Atomic unsigned long qsock_nl_round_trips;

static __thread struct qsock_nl thread_nl;
static __thread pid_t thread_nl_pid;
static pthread_key_t thread_nl_key;
static pthread_once_t thread_nl_once = PTHREAD_ONCE_INIT;

/* A thread that exits closes its cached socket (the key's value is only a trigger). */
static void thread_nl_exit(void *unused)
{
	qsock_nl_close(&thread_nl);
}

static void thread_nl_key_init(void)
{
	pthread_key_create(&thread_nl_key, thread_nl_exit);
}

int qsock_nl_thread(struct qsock_nl **nl, struct qsock_err *err)
{
	pid_t pid = getpid();
	int rc;

	if (thread_nl.sk && thread_nl_pid != pid) {
		/* inherited across fork: close our copy, never the parent's port */
		qsock_nl_close(&thread_nl);
	}
	if (!thread_nl.sk) {
		rc = qsock_nl_open(&thread_nl, err);
		if (rc)
			return rc;
		thread_nl_pid = pid;
		pthread_once(&thread_nl_once, thread_nl_key_init);
		pthread_setspecific(thread_nl_key, &thread_nl);
	}
	*nl = &thread_nl;
	return 0;
}

void qsock_nl_close(struct qsock_nl *nl)
{
	if (nl->sk)
		nl_socket_free(nl->sk);
	nl->sk = NULL;
}

/* The NLMSGERR_ATTR_MSG of an error or ACK message, if the kernel sent one. */
static void read_extack(struct nlmsgerr *e, char *buf, size_t size)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)((char *)e - NLMSG_HDRLEN);
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	size_t off = sizeof(*e), len;

	buf[0] = '\0';
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - NLMSG_HDRLEN;
	len = nlh->nlmsg_len - NLMSG_HDRLEN;
	if (nlh->nlmsg_len < NLMSG_HDRLEN || off >= len)
		return;
	if (nla_parse(tb, NLMSGERR_ATTR_MAX, (struct nlattr *)((char *)e + off), (int)(len - off),
		      NULL) < 0)
		return;
	if (tb[NLMSGERR_ATTR_MSG])
		nla_strlcpy(buf, tb[NLMSGERR_ATTR_MSG], size);
}

static int on_error(struct sockaddr_nl *who, struct nlmsgerr *e, void *arg)
{
	struct qsock_nl *nl = arg;

	nl->error = e->error;
	read_extack(e, nl->ext, sizeof(nl->ext));
	return NL_STOP;
}

struct reply_ctx {
	int (*on_reply)(struct nlmsghdr *nlh, void *arg, struct qsock_err *err);
	void *arg;
	struct qsock_err *err;
	int rc;
	int done;
};

static int on_valid(struct nl_msg *msg, void *arg)
{
	struct reply_ctx *ctx = arg;

	if (!ctx->on_reply || ctx->rc)
		return NL_OK;
	ctx->rc = ctx->on_reply(nlmsg_hdr(msg), ctx->arg, ctx->err);
	return NL_OK;
}

static int on_ack(struct nl_msg *msg, void *arg)
{
	struct reply_ctx *ctx = arg;

	ctx->done = 1;
	return NL_STOP;
}

int qsock_nl_request(struct qsock_nl *nl, struct nl_msg *msg, const char *what,
		     int (*on_reply)(struct nlmsghdr *nlh, void *arg, struct qsock_err *err),
		     void *arg, struct qsock_err *err)
{
	struct reply_ctx ctx = { .on_reply = on_reply, .arg = arg, .err = err };
	struct nl_cb *cb;
	int rc;

	nl->error = 0;
	nl->ext[0] = '\0';
	atomic_fetch_add_explicit(&qsock_nl_round_trips, 1, memory_order_relaxed);
	rc = nl_send_auto(nl->sk, msg);
	nlmsg_free(msg);
	if (rc < 0)
		return qsock_errf(err, -EIO, "%s: cannot send the netlink request: %s", what,
				  nl_geterror(rc));
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb)
		return qsock_errf(err, -ENOMEM, "%s: out of memory", what);
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, nl);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, &ctx);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, &ctx);
	while (!ctx.done && !nl->error) {
		rc = nl_recvmsgs(nl->sk, cb);
		if (rc < 0 && !nl->error) {
			nl_cb_put(cb);
			return qsock_errf(err, -EIO, "%s: reading the kernel's answer: %s", what,
					  nl_geterror(rc));
		}
	}
	nl_cb_put(cb);
	if (nl->error) {
		if (nl->ext[0])
			return qsock_errf(err, nl->error, "%s: %s (kernel: %s)", what,
					  strerror(-nl->error), nl->ext);
		return qsock_errf(err, nl->error, "%s: %s", what, strerror(-nl->error));
	}
	return ctx.rc;
}

int qsock_nl_tc_request(struct qsock_nl *nl, int type, int flags, const struct tcmsg *tcm,
			const char *what,
			int (*on_reply)(struct nlmsghdr *nlh, void *arg, struct qsock_err *err),
			void *arg, struct qsock_err *err)
{
	struct nl_msg *msg = nlmsg_alloc_simple(type, flags);

	if (!msg || nlmsg_append(msg, (void *)tcm, sizeof(*tcm), NLMSG_ALIGNTO) < 0) {
		nlmsg_free(msg);
		return qsock_errf(err, -ENOMEM, "out of memory");
	}
	return qsock_nl_request(nl, msg, what, on_reply, arg, err);
}
