/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sensor-send.h — how sensor-sender puts a message on the wire: plain sendto() (sensor-send.c)
 * or, with --qsock, an EDF stream through libqsock (sensor-qsock.c, built only with libqsock).
 */
#ifndef QSOCK_SENSOR_SEND_H
#define QSOCK_SENSOR_SEND_H

#include "eval-sockopts.h"

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

struct sensor_send_opts {
	const char *qsock_dev;	/* NULL: unmanaged sendto() */
	int lossy;		/* drop late messages at the source instead of sending them */
	struct eval_sockopts sockopts;	/* a stock contender's socket options */
};

struct sensor_sender;

struct sensor_sender *sensor_sender_open(const char *prog, const struct sockaddr_in *to,
					 const struct sensor_send_opts *opts);
/* Sends one message due by deadline_ns (CLOCK_MONOTONIC); -1 with errno on failure. */
int sensor_sender_send(struct sensor_sender *s, const void *buf, size_t len,
		       uint64_t deadline_ns);
const char *sensor_sender_mode(const struct sensor_sender *s);
void sensor_sender_close(struct sensor_sender *s);

#ifdef HAVE_QSOCK
int sensor_qsock_attach(const char *prog, int fd, const struct sensor_send_opts *opts);
int sensor_qsock_send(int fd, const void *buf, size_t len, const struct sockaddr_in *to,
		      uint64_t deadline_ns);
#endif

#endif /* QSOCK_SENSOR_SEND_H */
