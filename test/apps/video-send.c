// SPDX-License-Identifier: GPL-2.0
/*
 * video-send.c — the send path of video-server: the socket, and either sendto() or the
 * Q.Sockets path of video-qsock.c.
 */
#include "video-send.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct video_sender {
	int fd;
	struct sockaddr_in to;
	int managed;
	uint64_t deadline_ns, droppable_deadline_ns;
	const char *protect;
};

struct video_sender *video_sender_open(const char *prog, const struct sockaddr_in *to,
				       const struct video_send_opts *opts)
{
	struct video_sender *s = calloc(1, sizeof(*s));

	if (!s) {
		fprintf(stderr, "%s: out of memory\n", prog);
		return NULL;
	}
	s->to = *to;
	s->deadline_ns = opts->deadline_ns;
	s->droppable_deadline_ns = opts->droppable_deadline_ns ? opts->droppable_deadline_ns :
								  opts->deadline_ns;
	s->protect = opts->protect;
	s->fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (s->fd < 0) {
		fprintf(stderr, "%s: socket(AF_INET, SOCK_DGRAM): %s\n", prog, strerror(errno));
		free(s);
		return NULL;
	}
	if (eval_sockopts_apply(prog, s->fd, &opts->sockopts)) {
		video_sender_close(s);
		return NULL;
	}
	if (opts->qsock_dev) {
#ifdef HAVE_QSOCK
		if (video_qsock_attach(prog, s->fd, opts)) {
			video_sender_close(s);
			return NULL;
		}
		s->managed = 1;
#else
		fprintf(stderr, "%s: --qsock: this build has no libqsock\n", prog);
		video_sender_close(s);
		return NULL;
#endif
	}
	return s;
}

int video_sender_send(struct video_sender *s, const void *buf, size_t len, char type,
		      unsigned int frag, unsigned int nfrags, uint64_t capture_ns)
{
#ifdef HAVE_QSOCK
	if (s->managed) {
		int protect = !!strchr(s->protect, type);

		return video_qsock_send(s->fd, buf, len, &s->to, protect, frag, nfrags,
					capture_ns + (protect ? s->deadline_ns :
								s->droppable_deadline_ns));
	}
#endif
	(void)type;
	(void)frag;
	(void)nfrags;
	(void)capture_ns;
	return sendto(s->fd, buf, len, 0, (const struct sockaddr *)&s->to, sizeof(s->to)) < 0 ? -1 :
												 0;
}

const char *video_sender_mode(const struct video_sender *s)
{
	return s->managed ? "qsock" : "sendto";
}

void video_sender_close(struct video_sender *s)
{
	if (s->fd >= 0)
		close(s->fd);
	free(s);
}
