/* SPDX-License-Identifier: GPL-2.0 */
/*
 * video-send.h — how video-server puts a datagram on the wire: plain sendto() (video-send.c)
 * or, with --qsock, through libqsock (video-qsock.c, built only when libqsock is).
 */
#ifndef QSOCK_VIDEO_SEND_H
#define QSOCK_VIDEO_SEND_H

#include "eval-sockopts.h"

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

struct video_send_opts {
	const char *qsock_dev;	/* NULL: unmanaged sendto() */
	uint64_t fps;
	uint64_t ipg_ns;	/* dwcs stream period; 0: derived from fps */
	uint64_t deadline_ns;	/* frame deadline after capture */
	uint64_t droppable_deadline_ns;	/* the same for frames not in protect; 0: deadline_ns */
	const char *protect;	/* frame types sent non-droppable (--qsock), e.g. "I" or "IP" */
	uint64_t oln, old;	/* the stream's loss tolerance (--qsock): oln of every old */
	struct eval_sockopts sockopts;	/* a stock contender's socket options */
};

struct video_sender;

/* Opens the UDP socket (and attaches it to a dwcs stream with --qsock); NULL after a message. */
struct video_sender *video_sender_open(const char *prog, const struct sockaddr_in *to,
				       const struct video_send_opts *opts);
/* Sends one datagram of a frame captured at capture_ns; -1 with errno on failure. */
int video_sender_send(struct video_sender *s, const void *buf, size_t len, char type,
		      unsigned int frag, unsigned int nfrags, uint64_t capture_ns);
const char *video_sender_mode(const struct video_sender *s);
void video_sender_close(struct video_sender *s);

#ifdef HAVE_QSOCK
/* video-qsock.c: attach s->fd through libqsock; 0 or -1 after a message. */
int video_qsock_attach(const char *prog, int fd, const struct video_send_opts *opts);
int video_qsock_send(int fd, const void *buf, size_t len, const struct sockaddr_in *to,
		     int nondroppable, unsigned int frag, unsigned int nfrags, uint64_t deadline_ns);
#endif

#endif /* QSOCK_VIDEO_SEND_H */
