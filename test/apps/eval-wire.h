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

/* What each datagram carries on the link besides its video header and payload: UDP 8, IPv4 20,
 * Ethernet 14 (a qdisc's packet length on a veth or Ethernet device). */
#define VIDEO_WIRE_HEADERS (8 + 20 + 14)

/*
 * When datagram f of a frame of nfrags leaves, counted from the frame's capture, with pacing
 * over span: evenly spaced, the last one (and a frame's only one) at span. Every frame then
 * completes at capture + span whatever its size, so the receiver's inter-frame gap is the frame
 * period instead of the period plus the difference of two frames' serialisation times (an
 * I-frame holds a 10 Mbit/s link 19 ms, a B-frame 3 ms): the smoothing a real-time video
 * sender does, at the cost of span of latency. Both managed and unmanaged runs get it alike.
 * (video-server; test/bench/dwcs_replay replays it.)
 */
static inline uint64_t video_paced_offset(uint64_t span, unsigned int f, unsigned int nfrags)
{
	if (nfrags < 2)
		return span;
	return span * f / (nfrags - 1);
}

/* One sensor reading; it is useless after deadline_ns. */
struct sensor_hdr {
	uint32_t magic;
	uint32_t seq;		/* from 0, one per message generated, sent or not */
	uint64_t sent_ns;
	uint64_t deadline_ns;	/* absolute, CLOCK_MONOTONIC */
} __attribute__((packed));

#endif /* QSOCK_EVAL_WIRE_H */
