// SPDX-License-Identifier: GPL-2.0
/*
 * linkwatch.c — see linkwatch.h. Plain rtnetlink rather than libnl: one socket, one message
 * type, one attribute, and qsockd's core links no netlink library (the backend does).
 * Cost: one wake-up per link event of qsockd's namespace (a device added, removed, brought up
 * or down), none otherwise.
 */
#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "linkwatch.h"

int qd_linkwatch_open(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = RTMGRP_LINK };
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_ROUTE);

	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

/* The IFLA_IFNAME of one RTM_NEWLINK, or NULL. */
static const char *link_name(struct nlmsghdr *h)
{
	struct ifinfomsg *ifi = NLMSG_DATA(h);
	int len = (int)h->nlmsg_len - (int)NLMSG_LENGTH(sizeof(*ifi));

	if (len < 0)
		return NULL;
	for (struct rtattr *a = IFLA_RTA(ifi); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		const char *name = RTA_DATA(a);
		size_t n = RTA_PAYLOAD(a);

		/* a name the kernel sent is terminated; anything else is not a name */
		if (a->rta_type == IFLA_IFNAME && n && memchr(name, '\0', n))
			return name;
	}
	return NULL;
}

int qd_linkwatch_read(int fd, void (*fn)(const char *ifname, void *arg), void *arg)
{
	/* aligned for nlmsghdr; 8 KiB holds a burst of link messages (about 1 KiB each) */
	static __attribute__((aligned(8))) char buf[8192];

	for (;;) {
		struct sockaddr_nl from;
		socklen_t fromlen = sizeof(from);
		ssize_t n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fromlen);
		int len;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return 0;
		if (n < 0 && errno == ENOBUFS) {
			fn(NULL, arg); /* events lost: look at everything again */
			continue;
		}
		if (n < 0)
			return -errno;
		/* only the kernel's word counts (rtnetlink lets no unprivileged process send to
		 * another socket, but a check costs nothing) */
		if (fromlen != sizeof(from) || from.nl_pid != 0)
			continue;
		len = (int)n;
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, len);
		     h = NLMSG_NEXT(h, len)) {
			const char *name;

			if (h->nlmsg_type != RTM_NEWLINK)
				continue;
			name = link_name(h);
			if (name)
				fn(name, arg);
		}
	}
}
