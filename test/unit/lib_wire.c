// SPDX-License-Identifier: GPL-2.0
/* lib/wire.c: a stream, its root and its statistics cross qsockd's wire and come back whole. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "wire.h"

/* A record as the manager writes it, every field the wire carries set to a distinct value. */
static struct qsock_stream sample_stream(void)
{
	struct qsock_stream st;

	memset(&st, 0, sizeof(st));
	st.classid = 0x80001234;
	st.cookie = 0x1122334455667788ULL;
	st.owner.uid = 1000;
	st.owner.pid = 4242;
	memcpy(st.owner.comm, "ffmpeg-encoder!", 16); /* 15 characters and the NUL */
	st.allowed_flags = 0x1b;
	st.params.ipg_ns = 40000000;
	st.params.rate = 250000;
	st.params.oln = 2;
	st.params.old = 7;
	st.params.flags = QSOCKD_F_NONDROPPABLE | QSOCKD_F_LOSSLESS;
	st.params.limit = 321;
	st.params.pkt_bytes = 1316;
	st.params.dscp = QSOCK_DSCP(46);
	strcpy(st.dev, "veth-qsock-long");
	strcpy(st.sched, "dwcs");
	st.ifindex = 17;
	st.sock_type = 2;
	return st;
}

static void stream_round_trip_keeps_every_wire_field(void **state)
{
	struct qsock_stream in = sample_stream(), out;
	struct qsockd_stream w;

	(void)state;
	memset(&w, 0xa5, sizeof(w));
	qsock_stream_to_wire(&in, &w);
	/* what the decoder demands of names: NUL-terminated, zero after the NUL */
	assert_string_equal(w.params.dev, "veth-qsock-long");
	assert_int_equal(w.params.sched[4], '\0');
	assert_int_equal(w.params.sched[15], '\0');
	assert_int_equal(w.stats.valid, 0); /* no statistics in a record */
	assert_int_equal(w.params.root_rate, 0);
	qsock_stream_from_wire(&w, &out);
	assert_int_equal(out.classid, in.classid);
	assert_true(out.cookie == in.cookie);
	assert_int_equal(out.owner.uid, 1000);
	assert_int_equal(out.owner.pid, 4242);
	assert_string_equal(out.owner.comm, "ffmpeg-encoder!");
	assert_int_equal(out.allowed_flags, 0x1b);
	assert_memory_equal(&out.params, &in.params, sizeof(in.params));
	assert_string_equal(out.dev, in.dev);
	assert_string_equal(out.sched, in.sched);
	assert_int_equal(out.ifindex, 17);
	assert_int_equal(out.sock_type, 2);
}

static void params_to_wire_keeps_only_wire_flags_and_leaves_the_rest(void **state)
{
	struct qsock_stream_params sp = { .ipg_ns = 1000000, .flags = 0xff, .max_rate = 99 };
	struct qsock_root_params rp = { .rate = 1250000, .limit = 5000, .flags = 1 }, rback;
	struct qsockd_params w;

	(void)state;
	memset(&w, 0, sizeof(w));
	strcpy(w.dev, "eth0");
	qsock_params_to_wire(&sp, &w);
	assert_int_equal(w.flags, QSOCKD_F_ALL);
	assert_string_equal(w.dev, "eth0");
	qsock_root_to_wire(&rp, &w);
	assert_true(w.root_rate == 1250000);
	assert_int_equal(w.ipg_ns, 1000000); /* the stream part is left as it was */
	qsock_params_from_wire(&w, &sp);
	assert_true(sp.max_rate == 0); /* not on the wire: qsockd decides it */
	qsock_root_from_wire(&w, &rback);
	assert_memory_equal(&rback, &rp, sizeof(rp));
}

/* Each statistic lands in its own wire field: filled by hand here, not through the list. */
static void stats_to_wire_maps_each_qos_info_field(void **state)
{
	struct qos_info info;
	struct qsockd_stats w;

	(void)state;
	memset(&info, 0, sizeof(info));
	info.valid = 0x7;
	info.sent_pkts = 1;
	info.sent_bytes = 2;
	info.drops = 3;
	info.overlimits = 4;
	info.rate_bps = 5;
	info.drop_late = 6;
	info.drop_overflow = 7;
	info.drop_frame = 8;
	info.drop_window = 9;
	info.drop_nondroppable = 10;
	info.late_sent = 11;
	info.deadline_misses = 12;
	info.violations = 13;
	info.delay_avg_ns = 14;
	info.delay_max_ns = 15;
	info.cur_x = 16;
	info.cur_y = 17;
	info.backlog_pkts = 18;
	info.backlog_bytes = 19;
	memset(&w, 0xa5, sizeof(w));
	qsock_stats_to_wire(&info, &w);
	assert_int_equal(w.sent_pkts, 1);
	assert_int_equal(w.sent_bytes, 2);
	assert_int_equal(w.drops, 3);
	assert_int_equal(w.overlimits, 4);
	assert_int_equal(w.rate, 5);
	assert_int_equal(w.drop_late, 6);
	assert_int_equal(w.drop_overflow, 7);
	assert_int_equal(w.drop_frame, 8);
	assert_int_equal(w.drop_window, 9);
	assert_int_equal(w.drop_nondroppable, 10);
	assert_int_equal(w.late_sent, 11);
	assert_int_equal(w.deadline_misses, 12);
	assert_int_equal(w.violations, 13);
	assert_int_equal(w.delay_avg_ns, 14);
	assert_int_equal(w.delay_max_ns, 15);
	assert_int_equal(w.cur_x, 16);
	assert_int_equal(w.cur_y, 17);
	assert_int_equal(w.backlog_pkts, 18);
	assert_int_equal(w.backlog_bytes, 19);
	assert_int_equal(w.valid, 0x7);
	assert_int_equal(w.reserved0, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(stream_round_trip_keeps_every_wire_field),
		cmocka_unit_test(params_to_wire_keeps_only_wire_flags_and_leaves_the_rest),
		cmocka_unit_test(stats_to_wire_maps_each_qos_info_field),
	};

	return cmocka_run_group_tests_name("lib wire", tests, NULL, NULL);
}
