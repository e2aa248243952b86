// SPDX-License-Identifier: GPL-2.0
/*
 * conf_prog.c — the compiled message rules (conf/msg_prog.c) against the interpreter
 * (conf_match_message, the reference): random rule sets and random messages built to hit
 * them, then the edges the compiler has to get right (windows at the end of the visible
 * bytes, messages shorter than a window, contradicting tests, presets compiled away).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../conf/conf.h"
#include "uapi/linux/pkt_sch_dwcs.h"

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

static uint32_t below(uint32_t n)
{
	return rnd() % n;
}

/* A byte likely to be one a rule or a preset cares about. */
static uint8_t interesting(void)
{
	static const uint8_t v[] = { 0x00, 0x01, 0x80, 0x47, 0x65, 0x41, 0x67, 0x7c,
				     0x18, 0xff, 0x40, 0x20, 0xe0, 0x08, 0x10 };

	return below(3) ? v[below(sizeof(v))] : (uint8_t)rnd();
}

static void random_rule(struct conf_msg_rule *r, unsigned int i)
{
	unsigned int k, j;

	memset(r, 0, sizeof(*r));
	snprintf(r->name, sizeof(r->name), "r%u", i);
	r->preset = below(2) ? CONF_PRESET_NONE : (enum conf_preset)(1 + below(__CONF_PRESET_MAX - 1));
	r->n_bytes = below(3) ? below(4) : below(CONF_MAX_BYTE_TESTS + 1);
	for (k = 0; k < r->n_bytes; k++) {
		struct conf_byte_test *b = &r->bytes[k];

		/* mostly in the headers, sometimes anywhere up to the last visible byte */
		b->offset = (uint16_t)(below(4) ? below(24) : below(CONF_PAYLOAD_VISIBLE));
		b->len = (uint8_t)(below(3) ? 1 + below(2) : 1 + below(CONF_MAX_PATTERN));
		for (j = 0; j < b->len; j++) {
			b->mask[j] = below(2) ? 0xff : (uint8_t)rnd();
			b->value[j] = interesting() & b->mask[j];
		}
	}
	r->min_len = 0;
	r->max_len = UINT32_MAX;
	if (!below(3)) {
		r->min_len = below(300);
		r->max_len = r->min_len + below(3) * below(2000);
	}
	r->every = below(4) ? 0 : 1 + below(5);
	r->cont = below(2);
	r->action.mark = (uint8_t)(rnd() & (DWCS_MARK_NONDROPPABLE | DWCS_MARK_FRAME_START |
					    DWCS_MARK_FRAME_END));
	if (below(2)) {
		r->action.mark |= (uint8_t)(below(4) << DWCS_MARK_DROPPRIO_SHIFT);
		r->action.has_drop_priority = true;
	}
	r->action.deadline_ns = below(2) ? 0 : 1000 * (1 + below(50000));
}

/* A message that half of the time satisfies one of the rules' byte tests. */
static size_t random_message(const struct conf_stream *st, uint8_t *buf, size_t room)
{
	size_t len = below(4) ? below(400) : below((uint32_t)room), i;
	unsigned int k, j;

	for (i = 0; i < len; i++)
		buf[i] = below(4) ? interesting() : 0x5a;
	if (len >= 12 && below(2))
		buf[0] = (uint8_t)(0x80 | (buf[0] & 0x3f)); /* RTP v2 */
	if (st->n_msgs && below(2)) {
		const struct conf_msg_rule *r = &st->msgs[below(st->n_msgs)];

		for (k = 0; k < r->n_bytes; k++)
			for (j = 0; j < r->bytes[k].len; j++)
				if (r->bytes[k].offset + j < len)
					buf[r->bytes[k].offset + j] =
						(uint8_t)((buf[r->bytes[k].offset + j] &
							   ~r->bytes[k].mask[j]) |
							  r->bytes[k].value[j]);
	}
	return len;
}

static int both(const struct conf_stream *st, const uint8_t *buf, size_t visible, size_t len,
		uint64_t seq, struct conf_msg_action *a)
{
	struct conf_payload p = { .data = buf, .visible = visible, .len = len };
	struct conf_msg_action want, got;
	int w, g;

	w = conf_match_message(st, &p, seq, NULL, &want);
	g = conf_msg_prog_run(st->prog, buf, visible, len, seq, NULL, &got);
	if (w != g || want.mark != got.mark || want.has_drop_priority != got.has_drop_priority ||
	    want.deadline_ns != got.deadline_ns) {
		fprintf(stderr, "# len %zu visible %zu seq %llu: interpreter %d mark %#x/%d %llu, "
				"compiled %d mark %#x/%d %llu\n",
			len, visible, (unsigned long long)seq, w, want.mark, want.has_drop_priority,
			(unsigned long long)want.deadline_ns, g, got.mark, got.has_drop_priority,
			(unsigned long long)got.deadline_ns);
		fail();
	}
	if (a)
		*a = got;
	return g;
}

static struct conf_stream *new_stream(void)
{
	struct conf_stream *st = calloc(1, sizeof(*st));

	assert_non_null(st);
	return st;
}

static void test_random_equivalence(void **state)
{
	static uint8_t buf[CONF_PAYLOAD_VISIBLE + 200];
	static _Alignas(64) unsigned char arena[8192];
	struct conf_stream *st = new_stream();
	const struct conf_msg_prog *original;
	unsigned long matched = 0, unmatched = 0;
	unsigned int set, i, m;

	for (set = 0; set < 3000; set++) {
		st->n_msgs = 1 + below(below(4) ? 6 : CONF_MAX_MSG_RULES);
		for (i = 0; i < st->n_msgs; i++)
			random_rule(&st->msgs[i], i);
		assert_int_equal(conf_msg_prog_compile(st), 0);
		assert_non_null(st->prog);
		/* every other set runs on a copy (conf_msg_prog_copy, as the shim places them):
		 * the same results, further windows included */
		original = st->prog;
		if (set & 1) {
			const struct conf_msg_prog *copy;
			size_t size;

			copy = conf_msg_prog_copy(arena, sizeof(arena), original, &size);
			assert_non_null(copy);
			assert_ptr_equal(copy->more, (const char *)copy + sizeof(*copy) +
							      copy->n_ops * sizeof(copy->ops[0]));
			/* one byte short: no copy; a misaligned place: no copy */
			assert_null(conf_msg_prog_copy(arena, size - 1, original, &size));
			assert_null(conf_msg_prog_copy(arena + 1, sizeof(arena) - 1, original, &size));
			copy = conf_msg_prog_copy(arena, sizeof(arena), original, &size);
			memset((void *)original, 0xa5, sizeof(*original)); /* the copy stands alone */
			st->prog = (struct conf_msg_prog *)copy;
		}
		for (m = 0; m < 60; m++) {
			size_t len = random_message(st, buf, sizeof(buf));
			size_t visible = len < CONF_PAYLOAD_VISIBLE ? len : CONF_PAYLOAD_VISIBLE;
			uint64_t seq = 1 + below(100);

			/* a scattered message's view may hold fewer bytes than the message */
			if (!below(8) && visible)
				visible = below((uint32_t)visible);
			if (both(st, buf, visible, len, seq, NULL) < 0)
				unmatched++;
			else
				matched++;
		}
		st->prog = (struct conf_msg_prog *)original;
	}
	conf_msg_prog_free(st);
	assert_null(st->prog);
	free(st);
	/* the generator must exercise both outcomes, or this test proves nothing */
	assert_true(matched > 10000);
	assert_true(unmatched > 10000);
}

static void byte_rule(struct conf_msg_rule *r, unsigned int off, const char *val, size_t n)
{
	memset(r, 0, sizeof(*r));
	r->max_len = UINT32_MAX;
	r->n_bytes = 1;
	r->bytes[0].offset = (uint16_t)off;
	r->bytes[0].len = (uint8_t)n;
	memcpy(r->bytes[0].value, val, n);
	memset(r->bytes[0].mask, 0xff, n);
	r->action.mark = DWCS_MARK_NONDROPPABLE;
}

static void test_edges(void **state)
{
	struct conf_stream *st = new_stream();
	uint8_t buf[CONF_PAYLOAD_VISIBLE];
	struct conf_msg_action a;

	memset(buf, 0, sizeof(buf));
	/* a 3-byte test at the very end of the visible bytes: its window is moved back */
	st->n_msgs = 1;
	byte_rule(&st->msgs[0], CONF_PAYLOAD_VISIBLE - 3, "\x01\x02\x03", 3);
	assert_int_equal(conf_msg_prog_compile(st), 0);
	assert_int_equal(st->prog->ops[0].offset, CONF_PAYLOAD_VISIBLE - 8);
	assert_int_equal(st->prog->ops[0].n_more, 0);
	memcpy(buf + CONF_PAYLOAD_VISIBLE - 3, "\x01\x02\x03", 3);
	assert_int_equal(both(st, buf, CONF_PAYLOAD_VISIBLE, 5000, 1, &a), 0);
	assert_int_equal(a.mark, DWCS_MARK_NONDROPPABLE);
	assert_int_equal(both(st, buf, CONF_PAYLOAD_VISIBLE - 1, 5000, 1, NULL), -1);
	/* messages shorter than a window */
	byte_rule(&st->msgs[0], 2, "\xab", 1);
	assert_int_equal(conf_msg_prog_compile(st), 0);
	buf[2] = 0xab;
	assert_int_equal(both(st, buf, 3, 3, 1, NULL), 0);
	assert_int_equal(both(st, buf, 2, 2, 1, NULL), -1);
	assert_int_equal(both(st, buf, 0, 0, 1, NULL), -1);
	/* a 16-byte pattern: two windows */
	byte_rule(&st->msgs[0], 5, "0123456789abcdef", 16);
	assert_int_equal(conf_msg_prog_compile(st), 0);
	assert_int_equal(st->prog->ops[0].n_more, 1);
	assert_int_equal(st->prog->more[0].offset, 13);
	memcpy(buf + 5, "0123456789abcdef", 16);
	assert_int_equal(both(st, buf, 21, 21, 1, NULL), 0);
	buf[20] = 'x';
	assert_int_equal(both(st, buf, 21, 21, 1, NULL), -1);
	/* two tests that contradict each other on one bit: never */
	st->msgs[0].n_bytes = 2;
	st->msgs[0].bytes[1] = (struct conf_byte_test){ .offset = 5, .len = 1,
							.value = { 0x01 }, .mask = { 0x01 } };
	assert_int_equal(conf_msg_prog_compile(st), 0);
	assert_int_equal(st->prog->ops[0].need, UINT16_MAX);
	buf[20] = 'f';
	assert_int_equal(both(st, buf, 21, 21, 1, NULL), -1);
	/* rtp-marker is nothing but fixed bits: no detector left to call */
	memset(&st->msgs[0], 0, sizeof(st->msgs[0]));
	st->msgs[0].max_len = UINT32_MAX;
	st->msgs[0].preset = CONF_PRESET_RTP_MARKER;
	conf_preset_default_action(CONF_PRESET_RTP_MARKER, &st->msgs[0].action);
	assert_int_equal(conf_msg_prog_compile(st), 0);
	assert_int_equal(st->prog->ops[0].preset, CONF_PRESET_NONE);
	assert_int_equal(st->prog->ops[0].need, 12);
	buf[0] = 0x80;
	buf[1] = 0x80;
	assert_int_equal(both(st, buf, 12, 12, 1, &a), 0);
	assert_int_equal(a.mark, DWCS_MARK_FRAME_END);
	assert_int_equal(both(st, buf, 11, 11, 1, NULL), -1);
	buf[0] = 0xc0;
	assert_int_equal(both(st, buf, 12, 12, 1, NULL), -1);
	/* no rules: no program */
	st->n_msgs = 0;
	assert_int_equal(conf_msg_prog_compile(st), 0);
	assert_null(st->prog);
	assert_int_equal(conf_msg_prog_run(NULL, buf, 12, 12, 1, NULL, &a), -1);
	assert_int_equal(a.mark, 0);
	free(st);
}

/*
 * The lower length bound holds the bytes a rule needs (msg_prog.c): whatever it folds in must
 * never reject a message the interpreter matches. Each case on full views (the shim's) and on
 * a view one byte short (conf_msg_ops_run_partial).
 */
static void test_need_in_length(void **state)
{
	struct conf_stream *st = new_stream();
	uint8_t buf[CONF_PAYLOAD_VISIBLE];
	struct conf_msg_action a;
	size_t len;

	memset(buf, 0, sizeof(buf));
	/* a rule with no test at all matches every message, the empty one included */
	st->n_msgs = 1;
	memset(&st->msgs[0], 0, sizeof(st->msgs[0]));
	st->msgs[0].max_len = UINT32_MAX;
	st->msgs[0].action.mark = DWCS_MARK_NONDROPPABLE;
	assert_int_equal(conf_msg_prog_compile(st), 0);
	assert_int_equal(both(st, buf, 0, 0, 1, &a), 0);
	assert_int_equal(a.mark, DWCS_MARK_NONDROPPABLE);
	assert_int_equal(both(st, buf, 0, 3000, 1, NULL), 0); /* an empty first buffer */
	/* over 4 GiB: no rule's range reaches it */
	assert_int_equal(both(st, buf, CONF_PAYLOAD_VISIBLE, (size_t)UINT32_MAX + 1, 1, NULL), -1);
	assert_int_equal(both(st, buf, CONF_PAYLOAD_VISIBLE, UINT32_MAX, 1, NULL), 0);
	/* a byte test at 100..101 with a length range from 50: the bound becomes 102 */
	byte_rule(&st->msgs[0], 100, "\x47\x11", 2);
	st->msgs[0].min_len = 50;
	st->msgs[0].max_len = 300;
	assert_int_equal(conf_msg_prog_compile(st), 0);
	memcpy(buf + 100, "\x47\x11", 2);
	for (len = 90; len <= 310; len++)
		assert_int_equal(both(st, buf, len, len, 1, NULL), len >= 102 && len <= 300 ? 0 : -1);
	assert_int_equal(both(st, buf, 101, 200, 1, NULL), -1); /* partial: byte 101 unseen */
	assert_int_equal(both(st, buf, 102, 200, 1, NULL), 0);
	/* a need above the longest length: never */
	st->msgs[0].max_len = 101;
	assert_int_equal(conf_msg_prog_compile(st), 0);
	for (len = 0; len <= 300; len++)
		assert_int_equal(both(st, buf, len, len, 1, NULL), -1);
	/* a multi-window rule ending at the last visible byte, on long messages */
	byte_rule(&st->msgs[0], CONF_PAYLOAD_VISIBLE - 16, "0123456789abcdef", 16);
	assert_int_equal(conf_msg_prog_compile(st), 0);
	assert_int_equal(st->prog->ops[0].n_more, 1);
	memcpy(buf + CONF_PAYLOAD_VISIBLE - 16, "0123456789abcdef", 16);
	assert_int_equal(both(st, buf, CONF_PAYLOAD_VISIBLE, CONF_PAYLOAD_VISIBLE, 1, NULL), 0);
	assert_int_equal(both(st, buf, CONF_PAYLOAD_VISIBLE, 60000, 1, NULL), 0);
	assert_int_equal(both(st, buf, CONF_PAYLOAD_VISIBLE - 1, 60000, 1, NULL), -1);
	/* every: the bound does not touch the count */
	memset(&st->msgs[0], 0, sizeof(st->msgs[0]));
	st->msgs[0].max_len = UINT32_MAX;
	st->msgs[0].every = 3;
	st->msgs[0].action.deadline_ns = 5000000;
	assert_int_equal(conf_msg_prog_compile(st), 0);
	assert_int_equal(both(st, buf, 0, 0, 3, &a), 0);
	assert_int_equal(a.deadline_ns, 5000000);
	assert_int_equal(both(st, buf, 0, 0, 4, NULL), -1);
	/* presets: h264-keyframe needs the 12-byte RTP header and its NAL byte; a frame preset
	 * (mpeg-video-i) needs one byte, and the frame state decides, not the bytes alone */
	memset(&st->msgs[0], 0, sizeof(st->msgs[0]));
	st->msgs[0].max_len = UINT32_MAX;
	st->msgs[0].preset = CONF_PRESET_H264_KEY;
	conf_preset_default_action(CONF_PRESET_H264_KEY, &st->msgs[0].action);
	assert_int_equal(conf_msg_prog_compile(st), 0);
	buf[0] = 0x80;
	buf[12] = 0x65;
	assert_int_equal(both(st, buf, 13, 13, 1, NULL), 0);
	assert_int_equal(both(st, buf, 12, 12, 1, NULL), -1);
	st->msgs[0].preset = CONF_PRESET_MPEGV_I;
	conf_preset_default_action(CONF_PRESET_MPEGV_I, &st->msgs[0].action);
	assert_int_equal(conf_msg_prog_compile(st), 0);
	memset(buf, 0, 16);
	memcpy(buf, "\x00\x00\x01\x00\x00\x08", 6); /* a picture header, type I */
	assert_int_equal(both(st, buf, 6, 6, 1, NULL), 0);
	assert_int_equal(both(st, buf, 0, 0, 1, NULL), -1);
	conf_msg_prog_free(st);
	free(st);
}

/* conf_load() compiles every stream, and conf_free() releases the programs. */
static void test_loaded(void **state)
{
	static const char text[] =
		"streams = ( { match = { protocol = \"udp\"; }; dev = \"lo\"; ipg = 10;\n"
		"  messages = (\n"
		"    { preset = \"h264-keyframe\"; continue = true; },\n"
		"    { preset = \"rtp-marker\"; },\n"
		"    { bytes = ( { offset = 1; value = 0x21; mask = 0x7f; } ); frame_start = true; },\n"
		"    { length = \"1500-1600\"; every = 30; deadline = \"20ms\"; }\n"
		"  ); },\n"
		"  { match = { protocol = \"tcp\"; }; dev = \"lo\"; ipg = 10; } );\n";
	struct conf_diag d;
	struct conf c;
	uint8_t b[1600];

	conf_diag_init(&d, "t", stderr);
	assert_int_equal(conf_load_string(&c, text, "t", &d), 0);
	assert_non_null(c.streams[0].prog);
	assert_int_equal(c.streams[0].prog->n_ops, 4);
	assert_null(c.streams[1].prog);
	memset(b, 0x5a, sizeof(b));
	b[0] = 0x80;
	b[1] = 96;
	b[12] = 0x41;
	assert_int_equal(both(&c.streams[0], b, 1400, 1400, 1, NULL), -1);
	b[12] = 0x65;
	assert_int_equal(both(&c.streams[0], b, 1400, 1400, 1, NULL), 0);
	b[1] = 0xe0;
	assert_int_equal(both(&c.streams[0], b, 1400, 1400, 1, NULL), 0);
	b[0] = 0;
	b[1] = 0x21;
	assert_int_equal(both(&c.streams[0], b, 1400, 1400, 1, NULL), 2);
	assert_int_equal(both(&c.streams[0], b, 1550, 1550, 30, NULL), 2);
	b[1] = 0;
	assert_int_equal(both(&c.streams[0], b, 1550, 1550, 30, NULL), 3);
	conf_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_equivalence),
		cmocka_unit_test(test_edges),
		cmocka_unit_test(test_need_in_length),
		cmocka_unit_test(test_loaded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
