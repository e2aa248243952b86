// SPDX-License-Identifier: GPL-2.0
/*
 * sensor-qsock.c — sensor-sender's Q.Sockets path (paper §4.2.2): an EDF dwcs stream (window
 * 0/0) whose per-message deadlines travel with qsendto(); lossless sends late messages anyway,
 * lossy lets the scheduler drop them at the source.
 *
 * The stream's period is the longest deadline, so that a message is eligible at once
 * (eligibility starts at deadline - period) instead of being held back until just before its
 * deadline.
 */
#include "eval-qsock.h"
#include "sensor-send.h"

#include <qsock.h>
#include <stdio.h>
#include <string.h>

#define SENSOR_STREAM_IPG_NS 1000000000ULL /* >= any --deadline-max-ms in use */

int sensor_qsock_attach(const char *prog, int fd, const struct sensor_send_opts *opts)
{
	struct q_dwcs_attr attrs;

	memset(&attrs, 0, sizeof(attrs));
	attrs.oln = 0;
	attrs.old = 0;
	attrs.stream_flags = opts->lossy ? 0 : QSOCK_STREAM_LOSSLESS;
	attrs.ipg_ns = SENSOR_STREAM_IPG_NS;
	return eval_qattach_dwcs(prog, fd, opts->qsock_dev, &attrs,
				 opts->lossy ? "edf lossy" : "edf lossless");
}

int sensor_qsock_send(int fd, const void *buf, size_t len, const struct sockaddr_in *to,
		      uint64_t deadline_ns)
{
	struct packet_flags pf;

	memset(&pf, 0, sizeof(pf));
	pf.deadline = deadline_ns;
	return qsendto(fd, buf, len, 0, (const struct sockaddr *)to, sizeof(*to), &pf) < 0 ? -1 :
												     0;
}
