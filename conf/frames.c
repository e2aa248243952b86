// SPDX-License-Identifier: GPL-2.0
/*
 * frames.c — which MPEG video frame each datagram of a socket belongs to, so that the frame
 * presets (mpeg-video-i/p/b, mpegts-random-access) mark every datagram of a picture, not
 * only the one that happens to carry its picture header or random-access flag.
 *
 * An I picture is tens of datagrams; its picture header is in the first. A detector that
 * looks at one datagram alone protected 1 of them and left the rest to chance (measured under
 * overload: 67 % of I-frame datagrams arrived against 71 % of the others). Here a small state
 * kept per socket (struct conf_frame, 8 bytes, in the shim's fd slot) remembers the picture
 * in progress, and each datagram is scanned once, in the bytes the rules already read:
 *
 *   MPEG-TS (bare or after an RTP header): one video PID is followed, the first whose PES
 *     header says video (stream_id 0xE0..0xEF) or in whose payload a picture header is seen.
 *     A frame runs from its PES start (payload_unit_start_indicator) to the next one; its
 *     type is the first picture header in the PES (the rest of the PES is not scanned: one
 *     picture per PES, as muxers write video), its random-access flag the adaptation field
 *     of the PES's first packet. Other PIDs (audio, PAT/PMT) are skipped.
 *   MPEG-1/2 elementary stream (anything else): a frame starts at a sequence header (B3) or
 *     GOP header (B8), which precede an I picture (ISO 13818-2: the first picture after a GOP
 *     header is an I picture), or at a picture start code not preceded by those; its type is
 *     its picture header's.
 *
 * Start codes cut by a packet or datagram boundary are completed with the next one (the
 * progress through 00 00 01 00 xx type is carried), and so are TS packets cut by the end of
 * a datagram (ffmpeg's udp output sends 1,472-byte datagrams, 7.8 TS packets): the rest of
 * the packet opens the next datagram, after which the packets are in step again.
 *
 * Frame boundaries, and what cannot be known without holding a datagram back:
 *   frame_start  on the datagram where a frame starts (the PES start, or the first start code
 *                of the frame). The scheduler ends the previous frame there too.
 *   frame_end    only where the end is visible in the datagram itself: the followed PID's
 *                packet padded with adaptation-field stuffing (a PES ends at a packet
 *                boundary, and the muxer pads its last packet), with no new frame after it in
 *                the same datagram. A datagram that also starts the next frame gets only
 *                frame_start: with frame_end as well the scheduler would close the new frame
 *                at its first datagram. A bare elementary stream has no end marker: its frames
 *                end where the next starts.
 *
 * What it costs and what it misses: on the sockets whose program has a frame preset (nothing
 * on others), TS costs a look at each packet header and a scan of a PES's first bytes up to
 * its picture header; a bare elementary stream, a pass over the visible bytes (memchr for
 * 0x01), since only start codes delimit its frames. Measured on ffmpeg's MPEG-2 (640x360,
 * 4 Mbit/s) on a shared machine, outside the shim: about 85 ns a TS datagram of 1,472 bytes,
 * 190-280 ns an ES one (a 1,400-byte UDP send is a few microseconds). A datagram is followed
 * on its first CONF_PAYLOAD_VISIBLE bytes only. A datagram that starts a TS frame whose picture
 * header is in the next datagram has no picture type yet (the sequence and GOP headers of an
 * I picture do give it I). A send that fails is not taken back from the state (a retried
 * datagram may then count the tail of the previous picture as the new one's). Two threads
 * sending on one socket at once interleave their datagrams, and so their frames, anyway.
 */
#include <string.h>

#include "conf.h"
#include "uapi/linux/pkt_sch_dwcs.h"

#define RTP_MIN_HDR 12
#define TS_PACKET 188
#define TS_SYNC 0x47

_Static_assert(sizeof(struct conf_frame) == 8, "the frame state fits the fd slot's word");

/* progress through a start code at the end of a chunk */
enum {
	SC_NONE,
	SC_Z1,		/* 00 */
	SC_Z2,		/* 00 00 */
	SC_ONE,		/* 00 00 01 */
	SC_PIC0,	/* 00 00 01 00 */
	SC_PIC1,	/* 00 00 01 00 tref */
};

static const uint8_t sc_bytes[] = { 0, 0, 1, 0, 0 };

static inline uint8_t pic_bit(uint8_t type)
{
	return type >= CONF_PIC_I && type <= CONF_PIC_B ? (uint8_t)(1u << type) : 0;
}

static void frame_begin(struct conf_frame *fs, struct conf_frame_seen *out)
{
	out->mark |= DWCS_MARK_FRAME_START;
	out->mark &= (uint8_t)~DWCS_MARK_FRAME_END;
	fs->flags |= CONF_FRAME_F_OPEN;
	fs->flags &= (uint8_t)~CONF_FRAME_F_RAI;
}

/* One start code: CODE is the byte after 00 00 01; TYPE_BYTE the picture header's second
 * byte after the code (its picture_coding_type), valid for CODE 00 only. */
static void start_code(struct conf_frame *fs, struct conf_frame_seen *out, uint8_t code,
		       uint8_t type_byte)
{
	if (code == 0xb3 || code == 0xb8) {
		/* headers that come before an I picture: the frame starts here */
		if (!(fs->flags & CONF_FRAME_F_HDR)) {
			if (!(fs->flags & CONF_FRAME_F_PES))
				frame_begin(fs, out);
			fs->flags |= CONF_FRAME_F_HDR;
		}
		fs->type = CONF_PIC_I;
		fs->flags |= CONF_FRAME_F_GUESS;
	} else if (code == 0x00) {
		if (!(fs->flags & (CONF_FRAME_F_HDR | CONF_FRAME_F_PES)))
			frame_begin(fs, out);
		fs->flags &= (uint8_t)~(CONF_FRAME_F_HDR | CONF_FRAME_F_PES | CONF_FRAME_F_GUESS);
		fs->type = (type_byte >> 3) & 0x07;
		out->pics |= pic_bit(fs->type);
	}
}

/*
 * Elementary-stream bytes [p, end) of the frame in progress. Returns whether a picture header
 * was seen (used to choose the video PID).
 */
static bool es_feed(struct conf_frame *fs, struct conf_frame_seen *out, const uint8_t *p,
		    const uint8_t *end)
{
	const uint8_t *q;
	bool pic = false, joined = false;
	size_t n = (size_t)(end - p);

	if (!n)
		return false;
	/* a start code begun in the previous chunk: join the two, look only at codes that
	 * begin in the carried part */
	if (fs->sc != SC_NONE) {
		uint8_t tmp[5 + 6];
		size_t have = fs->sc, take = n < 6 ? n : 6, k;

		memcpy(tmp, sc_bytes, have);
		memcpy(tmp + have, p, take);
		for (k = 0; k < have; k++) {
			const uint8_t *c = tmp + k;
			size_t left = have + take - k;

			if (left >= 4 && !c[0] && !c[1] && c[2] == 1 &&
			    (c[3] != 0x00 || left >= 6)) {
				if (c[3] != 0xb3 && c[3] != 0xb8 && c[3] != 0x00)
					break;
				start_code(fs, out, c[3], c[3] ? 0 : c[5]);
				pic |= !c[3];
				joined = true;
				break;
			}
		}
		fs->sc = SC_NONE;
	}
	/* the bytes before the first start code belong to the frame in progress, unless the
	 * chunk opens with one that starts a frame */
	if (!joined && !(n >= 4 && !p[0] && !p[1] && p[2] == 1 &&
			 (p[3] == 0x00 || p[3] == 0xb3 || p[3] == 0xb8)))
		out->pics |= pic_bit(fs->type);
	if (fs->flags & CONF_FRAME_F_RAI)
		out->pics |= CONF_PICS_RAI;
	while ((size_t)(end - p) >= 4) {
		const uint8_t *one = memchr(p + 2, 0x01, (size_t)(end - p - 2));

		if (!one || end - one < 2)
			break;
		if (one[-1] || one[-2]) {
			p = one - 1;
			continue;
		}
		if (one[1] == 0x00 && end - one < 4)
			break; /* the type byte is in the next chunk */
		if (one[1] == 0xb3 || one[1] == 0xb8 || one[1] == 0x00) {
			start_code(fs, out, one[1], one[1] ? 0 : one[3]);
			pic |= !one[1];
		}
		p = one + 2;
	}
	/* what of a start code the chunk ends in */
	q = end;
	if (n >= 5 && !q[-5] && !q[-4] && q[-3] == 1 && !q[-2])
		fs->sc = SC_PIC1;
	else if (n >= 4 && !q[-4] && !q[-3] && q[-2] == 1 && !q[-1])
		fs->sc = SC_PIC0;
	else if (n >= 3 && !q[-3] && !q[-2] && q[-1] == 1)
		fs->sc = SC_ONE;
	else if (n >= 2 && !q[-2] && !q[-1])
		fs->sc = SC_Z2;
	else if (!q[-1])
		fs->sc = SC_Z1;
	/* the provisional I of headers whose picture header is still to come */
	if (fs->flags & CONF_FRAME_F_GUESS)
		out->pics |= pic_bit(CONF_PIC_I);
	return pic;
}

/* Where the TS packets start: 0 for bare TS, after the RTP header for RTP/MP2T; -1 if not. */
static long ts_start(const uint8_t *buf, size_t len)
{
	size_t off;

	if (len >= TS_PACKET && buf[0] == TS_SYNC)
		return 0;
	if (len < RTP_MIN_HDR || (buf[0] & 0xc0) != 0x80)
		return -1;
	off = RTP_MIN_HDR + 4 * (buf[0] & 0x0f);
	if (buf[0] & 0x10) {
		if (off + 4 > len)
			return -1;
		off += 4 + 4 * (((size_t)buf[off + 2] << 8) | buf[off + 3]);
	}
	if (off < len && len - off >= TS_PACKET && buf[off] == TS_SYNC)
		return (long)off;
	return -1;
}

/* The adaptation field of TS packet TS (one exists, of length L > 0) pads with stuffing: the
 * packet ends its PES. Only the optional fields whose size is fixed are understood. */
static bool ts_stuffed(const uint8_t *ts)
{
	unsigned int l = ts[4], flags = ts[5], used = 1;

	if (!l || (flags & 0x03)) /* private data or an extension: sizes not worth parsing here */
		return false;
	used += (flags & 0x10) ? 6 : 0;	/* PCR */
	used += (flags & 0x08) ? 6 : 0;	/* OPCR */
	used += (flags & 0x04) ? 1 : 0;	/* splice countdown */
	return l > used;
}

static void ts_scan(struct conf_frame *fs, const uint8_t *buf, size_t len, size_t off,
		    struct conf_frame_seen *out)
{
	for (; off < len; off += TS_PACKET) {
		const uint8_t *ts = buf + off, *pl, *end;
		unsigned int pid;
		bool pusi, af, rai = false, ours;

		if (ts[0] != TS_SYNC)
			return;
		end = len - off >= TS_PACKET ? ts + TS_PACKET : buf + len;
		fs->flags &= (uint8_t)~CONF_FRAME_F_CUT;
		fs->end_cut = false;
		fs->ts_left = end == ts + TS_PACKET ? 0 : (uint8_t)(TS_PACKET - (len - off));
		if (end - ts < 6)
			return; /* a header cut short: its rest is skipped as another PID's */
		pid = ((unsigned int)(ts[1] & 0x1f) << 8) | ts[2];
		pusi = ts[1] & 0x40;
		af = ts[3] & 0x20;
		pl = ts + 4;
		if (af) {
			rai = ts[4] > 0 && (ts[5] & 0x40);
			pl += 1 + ts[4];
		}
		if (rai)
			out->pics |= CONF_PICS_RAI;
		if (!(ts[3] & 0x10))
			continue; /* no payload */
		ours = (fs->flags & CONF_FRAME_F_PID) && pid == fs->pid;
		if (pl >= end) {
			/* cut inside the adaptation field: the payload is all in the next
			 * datagram (a PES start there is not seen: rare, and only its first) */
			if (ours && !pusi && pl < ts + TS_PACKET) {
				fs->cut_skip = (uint8_t)(pl - end);
				fs->flags |= CONF_FRAME_F_CUT;
				fs->end_cut = af && ts_stuffed(ts);
			}
			continue;
		}
		if (!(fs->flags & CONF_FRAME_F_PID) && pusi && end - pl >= 9 && !pl[0] && !pl[1] &&
		    pl[2] == 1 && (pl[3] & 0xf0) == 0xe0) {
			fs->pid = (uint16_t)pid; /* a video PES */
			fs->flags |= CONF_FRAME_F_PID;
			ours = true;
		}
		if (!ours) {
			struct conf_frame probe;

			if (fs->flags & CONF_FRAME_F_PID)
				continue;
			/* no video PID yet: a picture header in any payload names it */
			memset(&probe, 0, sizeof(probe));
			if (!es_feed(&probe, out, pl, end))
				continue;
			probe.flags |= fs->flags & CONF_FRAME_F_TS;
			probe.ts_left = fs->ts_left;
			*fs = probe;
			fs->pid = (uint16_t)pid;
			fs->flags |= CONF_FRAME_F_PID;
			continue;
		}
		if (pusi) {
			frame_begin(fs, out);
			fs->type = CONF_PIC_NONE;
			fs->sc = SC_NONE;
			fs->flags &= (uint8_t)~(CONF_FRAME_F_HDR | CONF_FRAME_F_GUESS);
			fs->flags |= CONF_FRAME_F_PES;
			if (rai) {
				fs->flags |= CONF_FRAME_F_RAI;
				out->pics |= CONF_PICS_RAI;
			}
			/* skip the PES header: 9 bytes and its header data */
			if (end - pl >= 9 && !pl[0] && !pl[1] && pl[2] == 1)
				pl = end - pl > 9 + pl[8] ? pl + 9 + pl[8] : end;
		}
		if (fs->type && !(fs->flags & CONF_FRAME_F_GUESS) && !pusi) {
			/* the PES's picture is known: its further packets need no scan */
			out->pics |= pic_bit(fs->type);
			if (fs->flags & CONF_FRAME_F_RAI)
				out->pics |= CONF_PICS_RAI;
		} else {
			es_feed(fs, out, pl, end);
		}
		if (fs->ts_left) {
			fs->flags |= CONF_FRAME_F_CUT; /* its rest is in the next datagram */
			fs->cut_skip = 0;
		}
		if (af && ts_stuffed(ts)) {
			/* on the datagram with its last byte; cleared if a frame starts after it */
			if (fs->ts_left)
				fs->end_cut = true;
			else
				out->mark |= DWCS_MARK_FRAME_END;
			fs->flags &= (uint8_t)~CONF_FRAME_F_OPEN;
		}
	}
}

void conf_frame_scan(struct conf_frame *fs, const uint8_t *buf, size_t len,
		     struct conf_frame_seen *out)
{
	size_t left = fs->ts_left;
	long start;

	out->pics = 0;
	out->mark = 0;
	/* TS whose packets run across datagrams (ffmpeg's udp output: 1,472-byte datagrams,
	 * and a short one where a PES ends): the rest of the packet cut by the last one comes
	 * first */
	if ((fs->flags & CONF_FRAME_F_TS) && left && (left >= len || buf[left] == TS_SYNC)) {
		size_t n = left < len ? left : len;

		if ((fs->flags & CONF_FRAME_F_CUT) && fs->cut_skip < n) {
			if (fs->type && !(fs->flags & CONF_FRAME_F_GUESS))
				out->pics |= pic_bit(fs->type) |
					     (fs->flags & CONF_FRAME_F_RAI ? CONF_PICS_RAI : 0);
			else
				es_feed(fs, out, buf + fs->cut_skip, buf + n);
		}
		fs->cut_skip = fs->cut_skip < n ? 0 : (uint8_t)(fs->cut_skip - n);
		fs->ts_left = (uint8_t)(left - n);
		if (fs->ts_left)
			return; /* still inside it */
		if (fs->end_cut)
			out->mark |= DWCS_MARK_FRAME_END;
		fs->end_cut = false;
		fs->flags &= (uint8_t)~CONF_FRAME_F_CUT;
		if (n < len)
			ts_scan(fs, buf, len, n, out);
		return;
	}
	fs->end_cut = false;
	fs->ts_left = 0;
	fs->flags &= (uint8_t)~CONF_FRAME_F_CUT;
	start = ts_start(buf, len);
	if (start >= 0) {
		fs->flags |= CONF_FRAME_F_TS;
		ts_scan(fs, buf, len, (size_t)start, out);
	} else if (!(fs->flags & CONF_FRAME_F_TS)) {
		es_feed(fs, out, buf, buf + len);
	}
}

bool conf_frame_preset(enum conf_preset preset)
{
	return preset == CONF_PRESET_MPEGTS_RAI || preset == CONF_PRESET_MPEGV_I ||
	       preset == CONF_PRESET_MPEGV_P || preset == CONF_PRESET_MPEGV_B;
}

bool conf_frame_matches(enum conf_preset preset, const struct conf_frame_seen *seen)
{
	switch (preset) {
	case CONF_PRESET_MPEGTS_RAI:
		return seen->pics & CONF_PICS_RAI;
	case CONF_PRESET_MPEGV_I:
		return seen->pics & pic_bit(CONF_PIC_I);
	case CONF_PRESET_MPEGV_P:
		return seen->pics & pic_bit(CONF_PIC_P);
	case CONF_PRESET_MPEGV_B:
		return seen->pics & pic_bit(CONF_PIC_B);
	default:
		return false;
	}
}
