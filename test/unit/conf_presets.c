// SPDX-License-Identifier: GPL-2.0
/*
 * conf_presets.c — every media preset against packets built here byte by byte from the
 * specifications (RFC 3550 RTP, RFC 6184 H.264 payload, ISO 13818-1 TS, ISO 13818-2 picture
 * header), plus near misses that must not match.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "../../conf/conf.h"
#include "uapi/linux/pkt_sch_dwcs.h"

/* RTP v2 fixed header; returns its length. */
static size_t rtp(uint8_t *b, bool marker, uint8_t pt, uint16_t seq, unsigned int csrcs)
{
	unsigned int i;

	b[0] = 0x80 | (uint8_t)csrcs;
	b[1] = (uint8_t)((marker ? 0x80 : 0) | pt);
	b[2] = seq >> 8;
	b[3] = seq & 0xff;
	memset(b + 4, 0x11, 4);		/* timestamp */
	memcpy(b + 8, "\xde\xad\xbe\xef", 4); /* SSRC */
	for (i = 0; i < csrcs; i++)
		memset(b + 12 + 4 * i, 0x22, 4);
	return 12 + 4 * csrcs;
}

static bool m(enum conf_preset p, const uint8_t *b, size_t len)
{
	return conf_preset_matches(p, b, len);
}

static void test_rtp_marker(void **state)
{
	uint8_t b[200];
	size_t h;

	memset(b, 0xaa, sizeof(b));
	rtp(b, true, 96, 1, 0);
	assert_true(m(CONF_PRESET_RTP_MARKER, b, 100));
	rtp(b, false, 96, 2, 0);
	assert_false(m(CONF_PRESET_RTP_MARKER, b, 100));
	/* version 1 with the bit set is not RTP v2 */
	h = rtp(b, true, 96, 3, 0);
	b[0] = 0x40;
	assert_false(m(CONF_PRESET_RTP_MARKER, b, 100));
	/* too short for an RTP header */
	rtp(b, true, 96, 3, 0);
	assert_false(m(CONF_PRESET_RTP_MARKER, b, h - 1));
}

static void test_h264_single_nal(void **state)
{
	static const struct {
		uint8_t nal;
		bool key;
	} cases[] = {
		{ 0x65, true },	 /* IDR slice, nal_ref_idc 3 */
		{ 0x67, true },	 /* SPS */
		{ 0x68, true },	 /* PPS */
		{ 0x41, false }, /* non-IDR slice */
		{ 0x06, false }, /* SEI */
		{ 0x09, false }, /* access unit delimiter */
	};
	uint8_t b[300];
	unsigned int i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t h = rtp(b, false, 96, (uint16_t)i, i % 2); /* with and without CSRCs */

		b[h] = cases[i].nal;
		memset(b + h + 1, 0x9a, 50);
		assert_int_equal(m(CONF_PRESET_H264_KEY, b, h + 51), cases[i].key);
	}
}

static void test_h264_stap_a(void **state)
{
	uint8_t b[300];
	size_t h = rtp(b, false, 96, 7, 0), o = h;

	b[o++] = 0x78; /* STAP-A */
	/* an SEI of 5 bytes, then an SPS of 4 */
	b[o++] = 0;
	b[o++] = 5;
	b[o++] = 0x06;
	memset(b + o, 0x01, 4);
	o += 4;
	b[o++] = 0;
	b[o++] = 4;
	b[o++] = 0x67;
	memset(b + o, 0x42, 3);
	o += 3;
	assert_true(m(CONF_PRESET_H264_KEY, b, o));
	/* the same aggregate with only the SEI is not a key unit */
	assert_false(m(CONF_PRESET_H264_KEY, b, h + 1 + 2 + 5));
}

static void test_h264_fu_a(void **state)
{
	uint8_t b[1400];
	size_t h = rtp(b, false, 96, 9, 0);

	memset(b + h + 2, 0x33, 1000);
	b[h] = 0x7c;		/* FU indicator: NRI 3, type 28 */
	b[h + 1] = 0x85;	/* start bit, type 5 (IDR) */
	assert_true(m(CONF_PRESET_H264_KEY, b, h + 1002));
	b[h + 1] = 0x05;	/* a middle fragment of the same IDR NAL unit */
	assert_true(m(CONF_PRESET_H264_KEY, b, h + 1002));
	b[h + 1] = 0x41;	/* end fragment of a non-IDR slice */
	assert_false(m(CONF_PRESET_H264_KEY, b, h + 1002));
	/* not RTP at all: a bare 0x65 byte must not be taken for an IDR */
	b[0] = 0x65;
	assert_false(m(CONF_PRESET_H264_KEY, b, 100));
}

/* N TS packets at B; packet K gets PUSI when pusi_at == K, an adaptation field with
 * random_access_indicator when rai_at == K. */
static void ts_packets(uint8_t *b, unsigned int n, int pusi_at, int rai_at)
{
	unsigned int k;

	for (k = 0; k < n; k++) {
		uint8_t *p = b + 188 * k;

		memset(p, 0xff, 188);
		p[0] = 0x47;
		p[1] = (uint8_t)(((int)k == pusi_at ? 0x40 : 0) | 0x01); /* PID 0x100 */
		p[2] = 0x00;
		p[3] = (uint8_t)(0x10 | (k & 0x0f)); /* payload only, continuity counter */
		if ((int)k == rai_at) {
			p[3] = (uint8_t)(0x30 | (k & 0x0f)); /* adaptation field + payload */
			p[4] = 7;
			p[5] = 0x40 | 0x10; /* random_access_indicator, PCR flag */
		}
	}
}

static void test_mpegts(void **state)
{
	uint8_t b[12 + 7 * 188];

	ts_packets(b, 7, 3, -1);
	assert_true(m(CONF_PRESET_MPEGTS_PUSI, b, 7 * 188));
	assert_false(m(CONF_PRESET_MPEGTS_RAI, b, 7 * 188));
	ts_packets(b, 7, -1, 5);
	assert_false(m(CONF_PRESET_MPEGTS_PUSI, b, 7 * 188));
	assert_true(m(CONF_PRESET_MPEGTS_RAI, b, 7 * 188));
	/* an adaptation field of length 0 has no flags byte */
	b[5 * 188 + 4] = 0;
	assert_false(m(CONF_PRESET_MPEGTS_RAI, b, 7 * 188));
	/* RTP/MP2T (RFC 2250, payload type 33) */
	rtp(b, false, 33, 1, 0);
	ts_packets(b + 12, 7, 0, 0);
	assert_true(m(CONF_PRESET_MPEGTS_PUSI, b, sizeof(b)));
	assert_true(m(CONF_PRESET_MPEGTS_RAI, b, sizeof(b)));
	/* lost sync: not TS */
	ts_packets(b, 7, 2, -1);
	b[188] = 0x46;
	assert_false(m(CONF_PRESET_MPEGTS_PUSI, b, 7 * 188));
	/* shorter than one TS packet */
	ts_packets(b, 1, 0, -1);
	assert_false(m(CONF_PRESET_MPEGTS_PUSI, b, 187));
}

/* An MPEG-2 video elementary-stream chunk: sequence header, GOP, picture header. */
static size_t mpegv(uint8_t *b, unsigned int type)
{
	static const uint8_t seq[] = { 0, 0, 1, 0xb3, 0x2d, 0x01, 0xe0, 0x24, 0xff, 0xff, 0xe0, 0x18 };
	size_t o = 0;

	memcpy(b, seq, sizeof(seq));
	o += sizeof(seq);
	memcpy(b + o, "\x00\x00\x01\xb8\x00\x08\x00\x00", 8); /* GOP */
	o += 8;
	/* picture header: temporal_reference 5 (10 bits), picture_coding_type, vbv_delay */
	b[o++] = 0;
	b[o++] = 0;
	b[o++] = 1;
	b[o++] = 0;
	b[o++] = 5 >> 2;
	b[o++] = (uint8_t)(((5 & 3) << 6) | (type << 3) | 0x07);
	b[o++] = 0xff;
	b[o++] = 0xf8;
	memset(b + o, 0x5a, 64); /* slice data without start codes */
	return o + 64;
}

static void test_mpeg_video(void **state)
{
	static const enum conf_preset presets[] = { CONF_PRESET_MPEGV_I, CONF_PRESET_MPEGV_P,
						    CONF_PRESET_MPEGV_B };
	uint8_t b[400], ts[188 * 2];
	unsigned int type, k;

	for (type = 1; type <= 3; type++) {
		size_t len = mpegv(b, type);

		for (k = 0; k < 3; k++)
			assert_int_equal(m(presets[k], b, len), k + 1 == type);
		/* the same picture inside a TS packet's payload */
		ts_packets(ts, 2, 0, -1);
		memcpy(ts + 4, b, 120);
		for (k = 0; k < 3; k++)
			assert_int_equal(m(presets[k], ts, sizeof(ts)), k + 1 == type);
	}
	/* a sequence header alone begins an I picture (a GOP header is followed by one): the
	 * datagram that carries it is the I frame's first */
	mpegv(b, 1);
	assert_true(m(CONF_PRESET_MPEGV_I, b, 20));
	assert_false(m(CONF_PRESET_MPEGV_P, b, 20));
	/* slice data alone, as the first message of a socket: no picture known */
	assert_false(m(CONF_PRESET_MPEGV_I, b + 40, 60));
}

/* A PES start in TS packet P, its payload at byte AT: a video PES header, then ES bytes ES. */
static void ts_pes(uint8_t *p, size_t at, const uint8_t *es, size_t n)
{
	static const uint8_t pes[] = { 0, 0, 1, 0xe0, 0, 0, 0x80, 0x80, 5, 0x21, 0, 1, 0, 1 };

	p[1] |= 0x40;
	memcpy(p + at, pes, sizeof(pes));
	memcpy(p + at + sizeof(pes), es, n);
}

/* A socket's datagrams: the frame presets follow each picture to the next one's start. */
static void test_frames_ts(void **state)
{
	struct conf_frame fs;
	struct conf_frame_seen seen;
	uint8_t b[7 * 188], es[200];
	size_t n;

	memset(&fs, 0, sizeof(fs));
	/* 1: an I picture starts (sequence, GOP and picture headers after the PES header),
	 * its first packet with an adaptation field setting random_access_indicator */
	ts_packets(b, 7, -1, -1);
	b[3] = 0x30;
	b[4] = 1;
	b[5] = 0x40;
	n = mpegv(es, 1);
	ts_pes(b, 6, es, n); /* after the adaptation field */
	conf_frame_scan(&fs, b, sizeof(b), &seen);
	assert_int_equal(seen.pics, CONF_PICS_RAI | 1 << CONF_PIC_I);
	assert_int_equal(seen.mark, DWCS_MARK_FRAME_START);
	assert_int_equal(fs.pid, 0x100);
	/* 2: the rest of it, no header anywhere: still I (alone, nothing) */
	ts_packets(b, 7, -1, -1);
	assert_false(m(CONF_PRESET_MPEGV_I, b, sizeof(b)));
	conf_frame_scan(&fs, b, sizeof(b), &seen);
	assert_int_equal(seen.pics, CONF_PICS_RAI | 1 << CONF_PIC_I);
	assert_int_equal(seen.mark, 0);
	/* another PID's packets (audio, with its own RAI) do not end it */
	b[2 * 188 + 1] = 0x41;
	b[2 * 188 + 2] = 0x01; /* PID 0x101, PUSI */
	conf_frame_scan(&fs, b, sizeof(b), &seen);
	assert_int_equal(seen.pics, CONF_PICS_RAI | 1 << CONF_PIC_I);
	assert_int_equal(seen.mark, 0);
	/* 3: its last packet, stuffed, alone: frame_end */
	ts_packets(b, 7, -1, -1);
	b[6 * 188 + 3] = 0x30;
	b[6 * 188 + 4] = 20;
	b[6 * 188 + 5] = 0;
	conf_frame_scan(&fs, b, sizeof(b), &seen);
	assert_int_equal(seen.pics, CONF_PICS_RAI | 1 << CONF_PIC_I);
	assert_int_equal(seen.mark, DWCS_MARK_FRAME_END);
	/* 4: the I's last packet, then a B picture starts: both pictures, frame_start only */
	ts_packets(b, 7, -1, -1);
	b[3] = 0x30;
	b[4] = 20;
	b[5] = 0;
	n = mpegv(es, 3);
	ts_pes(b + 188, 4, es + 20, n - 20); /* the picture header alone */
	conf_frame_scan(&fs, b, sizeof(b), &seen);
	assert_int_equal(seen.pics, CONF_PICS_RAI | 1 << CONF_PIC_I | 1 << CONF_PIC_B);
	assert_int_equal(seen.mark, DWCS_MARK_FRAME_START);
	/* 5: the B continues, not random access */
	ts_packets(b, 7, -1, -1);
	conf_frame_scan(&fs, b, sizeof(b), &seen);
	assert_int_equal(seen.pics, 1 << CONF_PIC_B);
	assert_int_equal(seen.mark, 0);
}

/* A bare elementary stream whose picture header is cut by the datagram boundary. */
static void test_frames_es(void **state)
{
	struct conf_frame fs;
	struct conf_frame_seen seen;
	uint8_t b[300], pic[6] = { 0, 0, 1, 0, 0x01, 2 << 3 };
	unsigned int cut;

	for (cut = 1; cut < sizeof(pic); cut++) {
		memset(&fs, 0, sizeof(fs));
		mpegv(b, 1);
		conf_frame_scan(&fs, b, 100, &seen);
		assert_int_equal(seen.pics, 1 << CONF_PIC_I);
		assert_int_equal(seen.mark, DWCS_MARK_FRAME_START);
		/* I slices, then the first CUT bytes of a P picture header */
		memset(b, 0x5a, 200);
		memcpy(b + 200 - cut, pic, cut);
		conf_frame_scan(&fs, b, 200, &seen);
		assert_int_equal(seen.pics, 1 << CONF_PIC_I);
		assert_int_equal(seen.mark, 0);
		/* the rest of it */
		memset(b, 0x5a, 200);
		memcpy(b, pic + cut, sizeof(pic) - cut);
		conf_frame_scan(&fs, b, 200, &seen);
		assert_int_equal(seen.pics, 1 << CONF_PIC_P);
		assert_int_equal(seen.mark, DWCS_MARK_FRAME_START);
	}
}

static void test_default_actions(void **state)
{
	struct conf_msg_action a;

	conf_preset_default_action(CONF_PRESET_H264_KEY, &a);
	assert_int_equal(a.mark, DWCS_MARK_NONDROPPABLE);
	conf_preset_default_action(CONF_PRESET_RTP_MARKER, &a);
	assert_int_equal(a.mark, DWCS_MARK_FRAME_END);
	conf_preset_default_action(CONF_PRESET_MPEGTS_PUSI, &a);
	assert_int_equal(a.mark, DWCS_MARK_FRAME_START);
	conf_preset_default_action(CONF_PRESET_MPEGV_B, &a);
	assert_true(a.has_drop_priority);
	assert_int_equal((a.mark & DWCS_MARK_DROPPRIO_MASK) >> DWCS_MARK_DROPPRIO_SHIFT, 3);
	assert_string_equal(conf_preset_name(CONF_PRESET_MPEGTS_RAI), "mpegts-random-access");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rtp_marker),   cmocka_unit_test(test_h264_single_nal),
		cmocka_unit_test(test_h264_stap_a),  cmocka_unit_test(test_h264_fu_a),
		cmocka_unit_test(test_mpegts),	     cmocka_unit_test(test_mpeg_video),
		cmocka_unit_test(test_frames_ts),	     cmocka_unit_test(test_frames_es),
		cmocka_unit_test(test_default_actions),
	};

	return cmocka_run_group_tests_name("conf_presets", tests, NULL, NULL);
}
