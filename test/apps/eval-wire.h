/* SPDX-License-Identifier: GPL-2.0 */
/*
 * eval-wire.h — the datagram headers of the evaluation apps (paper §4.2).
 *
 * Every field is in network byte order. Times are CLOCK_MONOTONIC nanoseconds: the sender and
 * the receiver run in two network namespaces of one kernel, so they share that clock and a
 * latency is a plain subtraction, with no clock synchronisation to get wrong.
 */
#ifndef QSOCK_EVAL_WIRE_H
#define QSOCK_EVAL_WIRE_H

#include <stdint.h>

#define VIDEO_MAGIC 0x51535646U /* "QSVF" */
#define SENSOR_MAGIC 0x5153534dU /* "QSSM" */

/* Datagrams stay below a 1500-byte MTU after IP and UDP headers: no IP fragmentation. */
#define EVAL_MAX_DATAGRAM 1400

/* One fragment of a video frame; a frame is usable only when all nfrags fragments arrived. */
struct video_hdr {
	uint32_t magic;
	uint16_t stream;	/* lets one client tell several servers apart (Figure 6) */
	uint8_t type;		/* 'I', 'P' or 'B' */
	uint8_t reserved;
	uint32_t frame;		/* frame number, from 0, counting frames the source skipped */
	uint16_t frag;		/* 0 .. nfrags - 1 */
	uint16_t nfrags;
	uint64_t sent_ns;	/* when the frame was captured (its nominal time) */
} __attribute__((packed));

/* One sensor reading; it is useless after deadline_ns. */
struct sensor_hdr {
	uint32_t magic;
	uint32_t seq;		/* from 0, one per message generated, sent or not */
	uint64_t sent_ns;
	uint64_t deadline_ns;	/* absolute, CLOCK_MONOTONIC */
} __attribute__((packed));

#endif /* QSOCK_EVAL_WIRE_H */
