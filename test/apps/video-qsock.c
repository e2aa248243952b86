// SPDX-License-Identifier: GPL-2.0
/*
 * video-qsock.c — video-server's Q.Sockets path (paper §3.2, §4.2.1): the existing socket gets
 * a dwcs stream with qattach(), and every datagram goes out with qsendto() carrying its frame's
 * deadline, the frame boundaries (so the scheduler drops whole frames), and the non-droppable
 * flag on the frame types of --protect: I-frames by default, which every other frame of the
 * GOP depends on; "IP" keeps the whole reference chain and leaves only B-frames to drop.
 *
 * The stream's period is one frame period by default: the scheduler then sees one request per
 * frame, and with per-packet deadlines (the library makes every class edf) a frame's packets
 * are eligible from its capture time, since eligibility starts at deadline - period.
 */
#include "eval-qsock.h"
#include "video-send.h"

#include <qsock.h>
#include <stdio.h>
#include <string.h>

#define NSEC_PER_SEC 1000000000ULL

int video_qsock_attach(const char *prog, int fd, const struct video_send_opts *opts)
{
	struct q_dwcs_attr attrs;
	char what[64];

	memset(&attrs, 0, sizeof(attrs));
	/* By default the paper's loss tolerance for video: 1 deadline in 10 may be missed. */
	attrs.oln = (unsigned int)opts->oln;
	attrs.old = (unsigned int)opts->old;
	attrs.ipg_ns = opts->ipg_ns ? opts->ipg_ns : NSEC_PER_SEC / opts->fps;
	snprintf(what, sizeof(what), "ipg %llu ns, %u/%u", (unsigned long long)attrs.ipg_ns,
		 attrs.oln, attrs.old);
	return eval_qattach_dwcs(prog, fd, opts->qsock_dev, &attrs, what);
}

int video_qsock_send(int fd, const void *buf, size_t len, const struct sockaddr_in *to,
		     int nondroppable, unsigned int frag, unsigned int nfrags, uint64_t deadline_ns)
{
	struct packet_flags pf;

	memset(&pf, 0, sizeof(pf));
	if (nondroppable)
		pf.drop_flag |= DWCS_NON_DROPPABLE;
	if (frag == 0)
		pf.drop_flag |= QSOCK_FRAME_START;
	if (frag + 1 == nfrags)
		pf.drop_flag |= QSOCK_FRAME_END;
	pf.deadline = deadline_ns;
	return qsendto(fd, buf, len, 0, (const struct sockaddr *)to, sizeof(*to), &pf) < 0 ? -1 :
												     0;
}
