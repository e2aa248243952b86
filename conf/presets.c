// SPDX-License-Identifier: GPL-2.0
/*
 * presets.c — named message patterns for the media our users stream. Each detector reads
 * only the leading bytes of one message (what the sender hands to one send call) and never
 * allocates; each bails out as soon as the bytes cannot be its format, so a preset costs a
 * few compares on foreign traffic.
 *
 *   rtp-marker        RTP v2 (RFC 3550) with M set: the last packet of a video frame.
 *   h264-keyframe     RTP carrying H.264 (RFC 6184): a single NAL unit, a STAP-A holding one,
 *                     or an FU-A fragment of one, whose type is IDR (5), SPS (7) or PPS (8).
 *   mpegts-pusi       MPEG-TS (ISO 13818-1) packets, bare or after an RTP header (RFC 2250):
 *                     any packet with payload_unit_start_indicator (a PES, i.e. frame, starts).
 *
 * The frame presets follow a whole frame, not one message: a socket's frame state
 * (frames.c, which says what is marked where and why) tells which picture each datagram's
 * bytes belong to, and a matching frame preset adds frame_start (the datagram where the frame
 * starts) and frame_end (where its end is visible in the same datagram) to its flags.
 *
 *   mpegts-random-access  a datagram carrying bytes of a video frame whose first TS packet
 *                     set random_access_indicator, or any packet that sets it.
 *   mpeg-video-i/p/b  a datagram carrying bytes of an MPEG-1/2 picture of type I, P or B:
 *                     from its picture start (the PES start in TS, the sequence, GOP or
 *                     picture start code in an elementary stream) to the next picture's.
 *                     A datagram holding the end of one picture and the start of another
 *                     matches both presets: the first rule wins, so list mpeg-video-i first.
 *
 * Called without a socket (conf_preset_matches(): qsock explain, the tests), a message is
 * judged as the first of its socket: only the pictures that start in it are seen.
 */
#include <string.h>

#include "conf.h"
#include "uapi/linux/pkt_sch_dwcs.h"

#define RTP_MIN_HDR 12
#define TS_PACKET 188
#define TS_SYNC 0x47

const char *const conf_preset_names[] = {
	"rtp-marker",	"h264-keyframe", "mpegts-pusi",	 "mpegts-random-access",
	"mpeg-video-i", "mpeg-video-p",	 "mpeg-video-b", NULL,
};

const char *conf_preset_name(enum conf_preset preset)
{
	if (preset <= CONF_PRESET_NONE || preset >= __CONF_PRESET_MAX)
		return "none";
	return conf_preset_names[preset - 1];
}

void conf_preset_default_action(enum conf_preset preset, struct conf_msg_action *a)
{
	memset(a, 0, sizeof(*a));
	switch (preset) {
	case CONF_PRESET_RTP_MARKER:
		a->mark = DWCS_MARK_FRAME_END;
		break;
	case CONF_PRESET_MPEGTS_PUSI:
		a->mark = DWCS_MARK_FRAME_START;
		break;
	case CONF_PRESET_H264_KEY:
	case CONF_PRESET_MPEGTS_RAI:
	case CONF_PRESET_MPEGV_I:
		a->mark = DWCS_MARK_NONDROPPABLE;
		break;
	case CONF_PRESET_MPEGV_P: /* references for B frames: dropped after B, before I */
		a->mark = 1 << DWCS_MARK_DROPPRIO_SHIFT;
		a->has_drop_priority = true;
		break;
	case CONF_PRESET_MPEGV_B: /* nothing depends on a B frame: the first to go */
		a->mark = 3 << DWCS_MARK_DROPPRIO_SHIFT;
		a->has_drop_priority = true;
		break;
	default:
		break;
	}
}

/* Offset of the RTP payload, or 0 when BUF is not a plausible RTP v2 packet. */
static size_t rtp_payload_offset(const uint8_t *buf, size_t len)
{
	size_t off;

	if (len < RTP_MIN_HDR || (buf[0] & 0xc0) != 0x80)
		return 0;
	off = RTP_MIN_HDR + 4 * (buf[0] & 0x0f); /* CSRC list */
	if (buf[0] & 0x10) { /* header extension: 4 bytes + length words */
		if (off + 4 > len)
			return 0;
		off += 4 + 4 * (((size_t)buf[off + 2] << 8) | buf[off + 3]);
	}
	return off < len ? off : 0;
}

static bool h264_key_type(uint8_t nal)
{
	uint8_t type = nal & 0x1f;

	return type == 5 || type == 7 || type == 8;
}

static bool h264_key(const uint8_t *buf, size_t len)
{
	size_t off = rtp_payload_offset(buf, len);
	uint8_t type;

	if (!off)
		return false;
	type = buf[off] & 0x1f;
	if (type >= 1 && type <= 23)
		return h264_key_type(buf[off]);
	if (type == 24) { /* STAP-A: (16-bit size, NAL unit)* */
		off++;
		while (off + 3 <= len) {
			size_t size = ((size_t)buf[off] << 8) | buf[off + 1];

			if (!size)
				return false;
			if (h264_key_type(buf[off + 2]))
				return true;
			off += 2 + size;
		}
		return false;
	}
	if (type == 28 && off + 2 <= len) /* FU-A: indicator, then header with the NAL type */
		return h264_key_type(buf[off + 1]);
	return false;
}

/* Where the TS packets start: 0 for bare TS, after the RTP header for RTP/MP2T; -1 if not TS. */
static long ts_start(const uint8_t *buf, size_t len)
{
	size_t off;

	if (len >= TS_PACKET && buf[0] == TS_SYNC)
		return 0;
	off = rtp_payload_offset(buf, len);
	if (off && len - off >= TS_PACKET && buf[off] == TS_SYNC)
		return (long)off;
	return -1;
}

static bool mpegts_pusi(const uint8_t *buf, size_t len)
{
	long start = ts_start(buf, len);
	size_t off;

	if (start < 0)
		return false;
	for (off = (size_t)start; off + TS_PACKET <= len; off += TS_PACKET) {
		const uint8_t *ts = buf + off;

		if (ts[0] != TS_SYNC)
			return false;
		if (ts[1] & 0x40)
			return true;
	}
	return false;
}

bool conf_preset_matches(enum conf_preset preset, const uint8_t *buf, size_t len)
{
	if (conf_frame_preset(preset)) {
		/* this message alone, as the first of a socket (frames.c follows a socket's) */
		struct conf_frame fs;
		struct conf_frame_seen seen;

		memset(&fs, 0, sizeof(fs));
		conf_frame_scan(&fs, buf, len, &seen);
		return conf_frame_matches(preset, &seen);
	}
	switch (preset) {
	case CONF_PRESET_RTP_MARKER:
		return len >= RTP_MIN_HDR && (buf[0] & 0xc0) == 0x80 && (buf[1] & 0x80);
	case CONF_PRESET_H264_KEY:
		return h264_key(buf, len);
	case CONF_PRESET_MPEGTS_PUSI:
		return mpegts_pusi(buf, len);
	default:
		return false;
	}
}
