/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * netlink.h — rtnetlink requests through libnl-route-3 with what libnl lacks: the errno of a
 * failed request (libnl maps it to its own codes) and the kernel's extended-ACK message.
 */
#ifndef QSOCK_NETLINK_H
#define QSOCK_NETLINK_H

#include <linux/rtnetlink.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>

#include "manager.h"

struct qsock_nl {
	struct nl_sock *sk;
	int error;			/* -errno of the last NLMSG_ERROR, 0 = ACK */
	char ext[QSOCK_ERRMSG_MAX];	/* its extended-ACK text, "" if none */
};

/* Netlink round trips made by this process (qsock_nl_request calls): benchmarks count them. */
extern _Atomic unsigned long qsock_nl_round_trips;

int qsock_nl_open(struct qsock_nl *nl, struct qsock_err *err);
/* This thread's cached socket, opened on first use and reopened after fork (a child must not
 * share its parent's netlink port). Saves a socket+bind per operation (qinfo's budget). */
int qsock_nl_thread(struct qsock_nl **nl, struct qsock_err *err);
void qsock_nl_close(struct qsock_nl *nl);

/*
 * Send @msg (always consumed) and wait for the kernel's answer: 0, or -errno with err->msg
 * "@what: <strerror>[: <extack>]". With @on_reply, every reply message before the ACK is
 * handed to it (requests sent with NLM_F_ECHO or GET requests); a non-zero return of
 * @on_reply is an error (its message already in @err).
 */
int qsock_nl_request(struct qsock_nl *nl, struct nl_msg *msg, const char *what,
		     int (*on_reply)(struct nlmsghdr *nlh, void *arg, struct qsock_err *err),
		     void *arg, struct qsock_err *err);

/* A request that is only a struct tcmsg (a GET or DEL of one qdisc or class), through
 * qsock_nl_request(). */
int qsock_nl_tc_request(struct qsock_nl *nl, int type, int flags, const struct tcmsg *tcm,
			const char *what,
			int (*on_reply)(struct nlmsghdr *nlh, void *arg, struct qsock_err *err),
			void *arg, struct qsock_err *err);

#endif /* QSOCK_NETLINK_H */
