// SPDX-License-Identifier: GPL-2.0
/* sensor-send.c — the send path of sensor-sender: sendto(), or the EDF path of sensor-qsock.c. */
#include "sensor-send.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct sensor_sender {
	int fd;
	struct sockaddr_in to;
	const char *mode;
	int managed;	/* attached through libqsock: send with qsendto */
};

struct sensor_sender *sensor_sender_open(const char *prog, const struct sockaddr_in *to,
					 const struct sensor_send_opts *opts)
{
	struct sensor_sender *s = calloc(1, sizeof(*s));

	if (!s) {
		fprintf(stderr, "%s: out of memory\n", prog);
		return NULL;
	}
	s->to = *to;
	s->mode = "sendto";
	s->fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (s->fd < 0) {
		fprintf(stderr, "%s: socket(AF_INET, SOCK_DGRAM): %s\n", prog, strerror(errno));
		free(s);
		return NULL;
	}
	if (eval_sockopts_apply(prog, s->fd, &opts->sockopts)) {
		sensor_sender_close(s);
		return NULL;
	}
	if (opts->qsock_dev) {
#ifdef HAVE_QSOCK
		if (sensor_qsock_attach(prog, s->fd, opts)) {
			sensor_sender_close(s);
			return NULL;
		}
		s->mode = opts->lossy ? "qsock edf lossy" : "qsock edf lossless";
		s->managed = 1;
#else
		fprintf(stderr, "%s: --qsock: this build has no libqsock\n", prog);
		sensor_sender_close(s);
		return NULL;
#endif
	}
	return s;
}

int sensor_sender_send(struct sensor_sender *s, const void *buf, size_t len,
		       uint64_t deadline_ns)
{
#ifdef HAVE_QSOCK
	if (s->managed)
		return sensor_qsock_send(s->fd, buf, len, &s->to, deadline_ns);
#endif
	(void)deadline_ns;
	return sendto(s->fd, buf, len, 0, (const struct sockaddr *)&s->to, sizeof(s->to)) < 0 ? -1 :
												 0;
}

const char *sensor_sender_mode(const struct sensor_sender *s)
{
	return s->mode;
}

void sensor_sender_close(struct sensor_sender *s)
{
	if (s->fd >= 0)
		close(s->fd);
	free(s);
}
