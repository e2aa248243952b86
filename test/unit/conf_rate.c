// SPDX-License-Identifier: GPL-2.0
/*
 * conf_rate.c — a stream's rate in media terms (#18): the arithmetic of lib/rate.h (the grant
 * is never below the bit rate asked, and not a datagram per frame more than needed), the
 * values `bitrate`, `fps`, `packet_size` and `window` give a rule, `share`, and each mistake
 * reported in the user's units with its line.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "../../conf/conf.h"
#include "../../lib/rate.h"

#define STREAM(body) "streams = (\n  { match = {}; dev = \"eth0\";\n    " body " }\n);\n"

static void test_grant_examples(void **state)
{
	struct qsock_rate_grant g;

	/* the stream: 2 Mbit/s at 25 fps is 8.33 datagrams of 1200 bytes per frame */
	assert_int_equal(qsock_rate_grant(2000000, 25000, 0, &g), 0);
	assert_int_equal(g.pkts_per_frame, 9);
	assert_int_equal(g.ipg_ns, 1000000000ULL / 225);
	assert_int_equal(g.wire_Bps, (1200 + QSOCK_WIRE_OVERHEAD) * 225);
	/* without frames: 208.33 datagrams/s, rounded up to 208.334 */
	assert_int_equal(qsock_rate_grant(2000000, 0, 1200, &g), 0);
	assert_int_equal(g.pkts_per_frame, 0);
	assert_int_equal(g.ipg_ns, 1000000000000ULL / 208334);
	/* out of the period's range: reported, with the period for the message */
	assert_int_equal(qsock_rate_grant(100000000000ULL, 0, 1, &g), -ERANGE);
	assert_int_equal(qsock_rate_grant(1000, 0, 65507, &g), -ERANGE);
	assert_true(g.ipg_ns > DWCS_MAX_IPG_NS);
	/* arguments out of range */
	assert_int_equal(qsock_rate_grant(0, 25000, 1200, &g), -EINVAL);
	assert_int_equal(qsock_rate_grant(QSOCK_MAX_BITRATE + 1, 0, 1200, &g), -EINVAL);
	assert_int_equal(qsock_rate_grant(2000000, 999, 1200, &g), -EINVAL);
	assert_int_equal(qsock_rate_grant(2000000, 1000001, 1200, &g), -EINVAL);
	assert_int_equal(qsock_rate_grant(2000000, 0, 65508, &g), -EINVAL);
}

/* Over a sweep: the datagrams a period grants carry at least the bit rate; with frames, a
 * frame's datagrams carry the frame, and one datagram fewer would not. */
static void test_grant_never_below(void **state)
{
	static const uint64_t rates[] = { 1000, 64000, 128000, 999999, 2000000, 2500000,
					  8000000, 25000000, 1000000000ULL };
	static const uint32_t fps[] = { 0, 1000, 12500, 23976, 25000, 29970, 30000, 60000 };
	static const uint32_t sizes[] = { 0, 188, 200, 1200, 1316, 1400, 1472 };
	struct qsock_rate_grant g;

	for (size_t r = 0; r < sizeof(rates) / sizeof(rates[0]); r++)
		for (size_t f = 0; f < sizeof(fps) / sizeof(fps[0]); f++)
			for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
				uint64_t bits = (sizes[s] ? sizes[s] : QSOCK_DEFAULT_PKT_BYTES) * 8ULL;
				int rc = qsock_rate_grant(rates[r], fps[f], sizes[s], &g);

				if (rc == -ERANGE)
					continue;
				assert_int_equal(rc, 0);
				/* bits per second granted: bits * 1e9 / ipg */
				assert_true((long double)bits * 1e9L / g.ipg_ns >= (long double)rates[r]);
				if (fps[f]) {
					assert_true((uint64_t)g.pkts_per_frame * bits * fps[f] >=
						    rates[r] * 1000);
					assert_true((uint64_t)(g.pkts_per_frame - 1) * bits * fps[f] <
						    rates[r] * 1000);
				}
			}
}

static void expect_stream(const char *text, struct conf *c)
{
	struct conf_diag d;

	conf_diag_init(&d, "t.conf", NULL);
	assert_int_equal(conf_load_string(c, text, "t.conf", &d), 0);
	assert_int_equal(d.errors, 0);
	assert_int_equal(c->n_streams, 1);
}

static void test_rule_values(void **state)
{
	struct conf c;
	const struct conf_stream *st;

	/* dwcs, windows in frames: 1/10 frames of 9 datagrams are 9/90 datagrams */
	expect_stream(STREAM("bitrate = \"2mbit\"; fps = 25; oln = 1; old = 10; window = \"frames\";"),
		      &c);
	st = &c.streams[0];
	assert_int_equal(st->bitrate_bps, 2000000);
	assert_int_equal(st->fps_milli, 25000);
	assert_int_equal(st->pkt_bytes, QSOCK_DEFAULT_PKT_BYTES);
	assert_int_equal(st->pkts_per_frame, 9);
	assert_int_equal(st->ipg_ns, 1000000000ULL / 225);
	assert_int_equal(st->oln, 9);
	assert_int_equal(st->old, 90);
	assert_true(st->window_frames);
	assert_int_equal(st->share, CONF_SHARE_SOCKET);
	conf_free(&c);

	/* windows in packets stay as given; a fractional frame rate; a packet size */
	expect_stream(STREAM("bitrate = 4000000; fps = 29.97; packet_size = 1316; oln = 2; old = 20;"),
		      &c);
	st = &c.streams[0];
	assert_int_equal(st->fps_milli, 29970);
	assert_int_equal(st->pkt_bytes, 1316);
	assert_int_equal(st->pkts_per_frame, 13); /* 4e6 / 29.97 / 10528 = 12.68 */
	assert_int_equal(st->oln, 2);
	assert_int_equal(st->old, 20);
	assert_false(st->window_frames);
	conf_free(&c);

	/* htb: the grant's datagrams with their headers, shared per process */
	expect_stream(STREAM("scheduler = \"htb\"; bitrate = \"2mbit\"; fps = 25; share = \"process\";"),
		      &c);
	st = &c.streams[0];
	assert_int_equal(st->rate_Bps, (1200 + QSOCK_WIRE_OVERHEAD) * 225);
	assert_int_equal(st->share, CONF_SHARE_PROCESS);
	conf_free(&c);

	/* the period alone, as before: nothing derived */
	expect_stream(STREAM("ipg = \"40ms\";"), &c);
	assert_int_equal(c.streams[0].ipg_ns, 40000000);
	assert_int_equal(c.streams[0].bitrate_bps, 0);
	assert_int_equal(c.streams[0].pkt_bytes, 0);
	conf_free(&c);
}

static void expect_error(const char *text, const char *expected)
{
	struct conf_diag d;
	struct conf c;

	conf_diag_init(&d, "t.conf", NULL);
	assert_int_equal(conf_load_string(&c, text, "t.conf", &d), -EINVAL);
	assert_true(d.errors >= 1);
	assert_string_equal(d.first, expected);
	assert_int_equal(c.n_streams, 0);
	conf_free(&c);
}

static void test_rule_errors(void **state)
{
	expect_error(STREAM("bitrate = \"200gbit\";"),
		     "t.conf:3: streams[0].bitrate: 200gbit is out of range 1kbit..100gbit");
	expect_error(STREAM("bitrate = \"2mbit\"; ipg = \"40ms\";"),
		     "t.conf:3: streams[0].ipg: conflicts with \"bitrate\" (line 3), which sets the "
		     "period: give one of them");
	expect_error(STREAM("scheduler = \"htb\"; bitrate = \"2mbit\"; rate = \"2mbit\";"),
		     "t.conf:3: streams[0].rate: conflicts with \"bitrate\" (line 3), which sets "
		     "htb's rate: give one of them");
	expect_error(STREAM("bitrate = \"100gbit\"; packet_size = 1;"),
		     "t.conf:3: streams[0].bitrate: 100gbit in 1-byte datagrams is a datagram every "
		     "1ns, outside the 1us..60s a period may be");
	expect_error(STREAM("ipg = 10; fps = 25;"),
		     "t.conf:3: streams[0].fps: needs \"bitrate\": it describes how the stream's "
		     "bit rate is sent");
	expect_error(STREAM("bitrate = \"2mbit\"; window = \"frames\"; oln = 1; old = 2;"),
		     "t.conf:3: streams[0].window: \"frames\" needs \"fps\": a frame's datagrams "
		     "follow from bitrate / fps");
	expect_error(STREAM("bitrate = \"2mbit\"; fps = 2000;"),
		     "t.conf:3: streams[0].fps: 2000 is out of range 1..1000");
	expect_error(STREAM("bitrate = \"2mbit\"; packet_size = 70000;"),
		     "t.conf:3: streams[0].packet_size: 70000 is out of range 1..65507");
	expect_error(STREAM("bitrate = \"100mbit\"; fps = 1; window = \"frames\"; oln = 1; old = 10;"),
		     "t.conf:3: streams[0].old: 10 frames of 10417 datagrams are 104170, more than "
		     "the largest window (65535 datagrams)");
	expect_error(STREAM("bitrate = \"2mbit\"; window = \"slices\";"),
		     "t.conf:3: streams[0].window: \"slices\" is not one of: packets, frames");
	expect_error(STREAM("scheduler = \"htb\"; bitrate = \"2mbit\"; fps = 25; window = \"frames\";"),
		     "t.conf:3: streams[0].window: belongs to scheduler \"dwcs\", this stream uses "
		     "\"htb\"");
	expect_error(STREAM("ipg = 10; share = \"thread\";"),
		     "t.conf:3: streams[0].share: \"thread\" is not one of: socket, process");
	expect_error(STREAM("scheduler = \"none\"; dscp = \"EF\"; share = \"process\";"),
		     "t.conf:3: streams[0].share: needs a scheduler: scheduler \"none\" only marks "
		     "packets (dscp)");
	expect_error(STREAM("scheduler = \"dwcs-bpf\"; ipg = 10; share = \"process\";"),
		     "t.conf:3: streams[0].share: \"process\" needs a class to share: scheduler "
		     "\"dwcs-bpf\" keeps its state per socket (use \"dwcs\" or \"htb\")");
	expect_error(STREAM("oln = 1;"),
		     "t.conf:2: streams[0]: needs \"bitrate\" (\"2mbit\") or \"ipg\", the dwcs "
		     "request period (\"10ms\")");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grant_examples),
		cmocka_unit_test(test_grant_never_below),
		cmocka_unit_test(test_rule_values),
		cmocka_unit_test(test_rule_errors),
	};

	return cmocka_run_group_tests_name("conf_rate", tests, NULL, NULL);
}
