// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * stackinfo.c — the stack's view of a socket: send buffer, bytes not yet sent, TCP state.
 * Uses the kernel's struct tcp_info (linux/tcp.h), which has fields glibc's copy lacks
 * (tcpi_snd_wnd); that is why this is apart from anything including libnl (netinet/tcp.h).
 */
#include <linux/sockios.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "stackinfo.h"

void qsock_stack_info(int fd, int type, struct qos_info *info)
{
	socklen_t len = sizeof(info->sndbuf);
	struct tcp_info ti;
	int queued;

	if (!getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &info->sndbuf, &len) &&
	    !ioctl(fd, SIOCOUTQ, &queued)) {
		info->queued = queued;
		info->valid |= QSOCK_INFO_STACK;
	}
	if (type != SOCK_STREAM)
		return;
	len = sizeof(ti);
	memset(&ti, 0, sizeof(ti));
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len))
		return;
	info->tcp_rtt_us = ti.tcpi_rtt;
	info->tcp_rttvar_us = ti.tcpi_rttvar;
	info->tcp_snd_cwnd = ti.tcpi_snd_cwnd;
	info->tcp_snd_mss = ti.tcpi_snd_mss;
	info->tcp_rcv_space = ti.tcpi_rcv_space;
	info->tcp_snd_wnd = ti.tcpi_snd_wnd;
	info->valid |= QSOCK_INFO_TCP;
}
