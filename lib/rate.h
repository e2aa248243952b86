/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rate.h — a stream stated as media users know it (bit rate, frame rate, datagram size)
 * turned into what the schedulers take: a DWCS request period, a window in packets, an htb
 * rate. One definition for libqsock (q_dwcs_attr.bitrate, lib/params.c) and for qsock.conf
 * (`bitrate`, `fps`, conf/load.c): inline, because conf/ does not link libqsock.
 *
 * Every rounding goes the stream's way, so the grant is never below what was asked:
 * packets per frame round up (a frame ends with a part-filled datagram), the period rounds
 * down. The cost is a grant up to one datagram per frame above the bit rate.
 */
#ifndef QSOCK_LIB_RATE_H
#define QSOCK_LIB_RATE_H

#include <errno.h>
#include <stdint.h>

#include "uapi/linux/pkt_sch_dwcs.h"

/* The datagram size a rate is divided into when the caller names none: the payload an RTP
 * sender keeps under (WebRTC's 1200 bytes), so that a 1200..1400-byte stream gets at least
 * the packets it sends. Bigger datagrams get a grant above their bit rate; smaller ones
 * should say `packet_size`. */
#define QSOCK_DEFAULT_PKT_BYTES 1200U
#define QSOCK_MIN_PKT_BYTES 1U
#define QSOCK_MAX_PKT_BYTES 65507U	/* the largest UDP payload over IPv4 */
/* What a UDP datagram carries on an Ethernet wire besides its payload, at most: Ethernet 14
 * + IPv6 40 + UDP 8 (IPv4 is 20 less). htb counts these bytes, so its rate includes them. */
#define QSOCK_WIRE_OVERHEAD 62U
/* fps in thousandths: 25 fps is 25000, 29.97 fps is 29970. */
#define QSOCK_MIN_FPS_MILLI 1000U	/* 1 fps */
#define QSOCK_MAX_FPS_MILLI 1000000U	/* 1000 fps */
#define QSOCK_MAX_BITRATE 100000000000ULL /* 100 gbit/s, as htb's rate */

struct qsock_rate_grant {
	uint64_t ipg_ns;		/* the DWCS period: one datagram each */
	uint32_t pkts_per_frame;	/* datagrams per frame; 0 without a frame rate */
	uint64_t wire_Bps;		/* htb: the period's datagrams with their headers, bytes/s */
};

/*
 * qsock_rate_grant() - the grant for BITRATE bits/s of payload in datagrams of PKT_BYTES
 * (0: QSOCK_DEFAULT_PKT_BYTES), FPS_MILLI frames per 1000 s (0: no frames). Returns 0,
 * -EINVAL (no bitrate, or an argument out of its range) or -ERANGE (the period falls outside
 * DWCS_MIN_IPG_NS..DWCS_MAX_IPG_NS); G holds the period even then, for the message.
 */
static inline int qsock_rate_grant(uint64_t bitrate, uint32_t fps_milli, uint32_t pkt_bytes,
				   struct qsock_rate_grant *g)
{
	uint64_t bits = (uint64_t)(pkt_bytes ? pkt_bytes : QSOCK_DEFAULT_PKT_BYTES) * 8;
	uint64_t pkts_per_ks;	/* datagrams per 1000 s */

	g->ipg_ns = 0;
	g->pkts_per_frame = 0;
	g->wire_Bps = 0;
	if (!bitrate || bitrate > QSOCK_MAX_BITRATE || pkt_bytes > QSOCK_MAX_PKT_BYTES ||
	    (fps_milli && (fps_milli < QSOCK_MIN_FPS_MILLI || fps_milli > QSOCK_MAX_FPS_MILLI)))
		return -EINVAL;
	if (fps_milli) {
		/* bitrate * 1000 <= 1e14, fps_milli * bits <= 5.3e11: no overflow */
		uint64_t per_frame = fps_milli * bits;
		uint64_t ppf = (bitrate * 1000 + per_frame - 1) / per_frame;

		if (ppf > UINT32_MAX)
			ppf = UINT32_MAX;
		g->pkts_per_frame = (uint32_t)ppf;
		pkts_per_ks = fps_milli * ppf;
	} else {
		/* a whole datagram per period: the period's bits may not be fewer than asked */
		pkts_per_ks = (bitrate * 1000 + bits - 1) / bits;
	}
	g->ipg_ns = 1000000000000ULL / pkts_per_ks;
	/* bytes/s of datagrams on the wire, rounded up; pkts_per_ks <= 1e14 / 8 */
	g->wire_Bps = ((bits / 8 + QSOCK_WIRE_OVERHEAD) * pkts_per_ks + 999) / 1000;
	if (g->ipg_ns < DWCS_MIN_IPG_NS || g->ipg_ns > DWCS_MAX_IPG_NS)
		return -ERANGE;
	return 0;
}

/* Datagrams per second a period grants, times 1000 (for messages: 225.000 packets/s). */
static inline uint64_t qsock_rate_pps_milli(uint64_t ipg_ns)
{
	return ipg_ns ? 1000000000000ULL / ipg_ns : 0;
}

#endif /* QSOCK_LIB_RATE_H */
