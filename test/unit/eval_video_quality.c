// SPDX-License-Identifier: GPL-2.0
/*
 * eval_video_quality.c — unit tests of the viewer model of the comparison (issue #13):
 * test/apps/video-quality.c decides which frames a decoder can show from which arrived on time.
 * Each case loses chosen frames of a short stream and checks exactly which remain decodable.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "../apps/video-quality.h"

#define GOP "IBBPBBPBBPBB"

/* run: frames 0..n-1 on time except those listed in lost (ends with -1); the decodable map
 * as a string of '1'/'0' in frame order. */
static const char *run(size_t n, const int *lost, unsigned int x, unsigned int y,
		       struct video_quality *q)
{
	static uint8_t on_time[64], dec[64];
	static char map[65];

	memset(on_time, 1, sizeof(on_time));
	for (; *lost >= 0; lost++)
		on_time[*lost] = 0;
	video_quality_eval(GOP, on_time, dec, n, x, y, q);
	for (size_t k = 0; k < n; k++)
		map[k] = dec[k] ? '1' : '0';
	map[n] = 0;
	return map;
}

static void all_on_time_all_decodable(void **state)
{
	struct video_quality q;
	const int none[] = { -1 };

	(void)state;
	assert_string_equal(run(24, none, 0, 12, &q), "111111111111111111111111");
	assert_int_equal(q.frames, 24);
	assert_int_equal(q.decodable, 24);
	assert_int_equal(q.i_frames, 2);
	assert_int_equal(q.i_decodable, 2);
	assert_int_equal(q.windows, 2);
	assert_int_equal(q.window_violations, 0);
}

/* A lost I-frame breaks its GOP up to the next I, and the B-frames before it (they reference
 * it as their later anchor). */
static void lost_i_breaks_its_gop(void **state)
{
	struct video_quality q;
	const int lost[] = { 12, -1 };

	(void)state;
	assert_string_equal(run(24, lost, 0, 0, &q), "111111111100000000000000");
	assert_int_equal(q.on_time, 23);
	assert_int_equal(q.decodable, 10);
	assert_int_equal(q.i_decodable, 1);
	assert_int_equal(q.windows, 0);
}

/* A lost P-frame breaks every later frame of the GOP and the two B-frames before it. */
static void lost_p_breaks_the_rest_of_the_gop(void **state)
{
	struct video_quality q;
	const int lost[] = { 6, -1 };

	(void)state;
	assert_string_equal(run(24, lost, 0, 0, &q), "111100000000111111111111");
	assert_int_equal(q.decodable, 16);
}

/* A lost B-frame is the only loss: nothing references it. */
static void lost_b_costs_only_itself(void **state)
{
	struct video_quality q;
	const int lost[] = { 1, 2, 13, -1 };

	(void)state;
	assert_string_equal(run(24, lost, 0, 0, &q), "100111111111101111111111");
	assert_int_equal(q.decodable, 21);
}

/* B-frames at the end of the run, whose later anchor was never sent, need only the earlier. */
static void trailing_b_frames_need_only_the_earlier_anchor(void **state)
{
	struct video_quality q;
	const int none[] = { -1 };

	(void)state;
	assert_string_equal(run(5, none, 0, 0, &q), "11111");
}

/* Windows: fixed, of y frames; a violation is more than x frames not decodable in one. */
static void windows_count_frames_not_decodable(void **state)
{
	struct video_quality q;
	const int lost[] = { 1, 2, 4, 13, 14, -1 };

	(void)state;
	run(24, lost, 2, 12, &q);
	assert_int_equal(q.windows, 2);
	assert_int_equal(q.window_violations, 1); /* 3 in the first window, 2 in the second */
	run(25, lost, 3, 12, &q);
	assert_int_equal(q.windows, 2); /* frame 24 starts a window the run did not finish */
	assert_int_equal(q.window_violations, 0);
}

static void gop_validity(void **state)
{
	(void)state;
	assert_true(video_gop_valid("IBBP"));
	assert_true(video_gop_valid("I"));
	assert_false(video_gop_valid(""));
	assert_false(video_gop_valid("PBBI"));
	assert_false(video_gop_valid("IBX"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(all_on_time_all_decodable),
		cmocka_unit_test(lost_i_breaks_its_gop),
		cmocka_unit_test(lost_p_breaks_the_rest_of_the_gop),
		cmocka_unit_test(lost_b_costs_only_itself),
		cmocka_unit_test(trailing_b_frames_need_only_the_earlier_anchor),
		cmocka_unit_test(windows_count_frames_not_decodable),
		cmocka_unit_test(gop_validity),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
