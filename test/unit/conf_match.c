// SPDX-License-Identifier: GPL-2.0
/*
 * conf_match.c — stream rules (first match wins; each criterion; information not known yet)
 * and message rules (bytes with masks, lengths, every Nth, presets, continue, scattered
 * buffers).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "../../conf/conf.h"
#include "uapi/linux/pkt_sch_dwcs.h"

static const char rules[] =
	"streams = (\n"
	"  { name = \"rtp-out\"; match = { protocol = \"udp\"; remote_port = \"5004-5006\";\n"
	"                                  remote_address = \"10.1.0.0/16\"; }; dev = \"e\"; ipg = 10;\n"
	"    messages = (\n"
	"      { preset = \"h264-keyframe\"; continue = true; },\n"
	"      { preset = \"rtp-marker\"; },\n"
	"      { name = \"big\"; length = \"1000-1500\"; drop_priority = 3; },\n"
	"      { name = \"tenth\"; every = 10; deadline = \"5ms\"; },\n"
	"      { name = \"magic\"; bytes = ( { offset = 2; value = \"ca f0\"; mask = \"ff f0\"; },\n"
	"                                    { offset = 0; value = 0x00; mask = 0x80; } );\n"
	"        nondroppable = true; frame_start = true; }\n"
	"    ); },\n"
	"  { name = \"by-name\"; match = { process = ( \"ffmpeg*\", \"/opt/*/sender\" ); user = 1000; };\n"
	"    dev = \"e\"; ipg = 10; },\n"
	"  { name = \"tcp-local\"; match = { protocol = \"tcp\"; local_port = ( 80, 443 );\n"
	"                                    local_address = \"::1\"; }; dev = \"e\"; ipg = 10; },\n"
	"  { name = \"v6\"; match = { remote_address = ( \"2001:db8::/32\" ); }; dev = \"e\"; ipg = 10; }\n"
	");\n";

static struct conf c;

static int setup(void **state)
{
	struct conf_diag d;

	conf_diag_init(&d, "rules", stderr);
	return conf_load_string(&c, rules, "rules", &d);
}

static int teardown(void **state)
{
	conf_free(&c);
	return 0;
}

static void v4(struct sockaddr_storage *ss, const char *a, int port)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	sin->sin_family = AF_INET;
	sin->sin_port = htons(port);
	assert_int_equal(inet_pton(AF_INET, a, &sin->sin_addr), 1);
}

static void v6(struct sockaddr_storage *ss, const char *a, int port)
{
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(port);
	assert_int_equal(inet_pton(AF_INET6, a, &sin6->sin6_addr), 1);
}

static const char *match_name(const struct conf_process *p, const struct conf_socket *s)
{
	const struct conf_stream *st = conf_match_stream(&c, p, s, NULL, 0);

	return st ? st->name : "(none)";
}

static void test_streams(void **state)
{
	struct conf_process p = { .comm = "sender", .argv0 = "./sender", .exe = "/usr/bin/sender",
				  .uid = 1000 };
	struct conf_socket s = { .protocol = CONF_PROTO_UDP, .has_remote = true };
	char why[1024];

	v4(&s.remote, "10.1.2.3", 5005);
	assert_string_equal(match_name(&p, &s), "rtp-out");
	/* port outside the range, address outside the prefix, wrong protocol */
	v4(&s.remote, "10.1.2.3", 5007);
	assert_string_equal(match_name(&p, &s), "(none)");
	v4(&s.remote, "10.2.2.3", 5005);
	assert_string_equal(match_name(&p, &s), "(none)");
	v4(&s.remote, "10.1.2.3", 5005);
	s.protocol = CONF_PROTO_TCP;
	assert_string_equal(match_name(&p, &s), "(none)");
	/* an IPv4 peer of a dual-stack IPv6 socket */
	s.protocol = CONF_PROTO_UDP;
	v6(&s.remote, "::ffff:10.1.9.9", 5004);
	assert_string_equal(match_name(&p, &s), "rtp-out");
	/* the remote end is not known yet: a rule on it cannot match */
	s.has_remote = false;
	assert_string_equal(match_name(&p, &s), "(none)");
	conf_match_stream(&c, &p, &s, why, sizeof(why));
	assert_non_null(strstr(why, "streams[0] \"rtp-out\" (line 2): no: remote port not known yet\n"));
	assert_non_null(strstr(why, "no stream rule matches"));

	/* process globs: comm, argv[0] (basename), the executable as a path */
	p.comm = "ffmpeg";
	assert_string_equal(match_name(&p, &s), "by-name");
	p.comm = "x";
	p.argv0 = "/usr/local/bin/ffmpeg-6";
	assert_string_equal(match_name(&p, &s), "by-name");
	p.argv0 = "x";
	p.exe = "/opt/acme/sender";
	assert_string_equal(match_name(&p, &s), "by-name");
	p.exe = "/usr/opt/acme/sender"; /* a path glob matches the whole path only */
	assert_string_equal(match_name(&p, &s), "(none)");
	/* ... and only for the right user */
	p.exe = "/opt/acme/sender";
	p.uid = 0;
	assert_string_equal(match_name(&p, &s), "(none)");
	conf_match_stream(&c, &p, &s, why, sizeof(why));
	assert_non_null(strstr(why, "streams[1] \"by-name\" (line 13): no: user differs\n"));

	/* local port list and local address */
	s.protocol = CONF_PROTO_TCP;
	s.has_local = true;
	v6(&s.local, "::1", 443);
	assert_string_equal(match_name(&p, &s), "tcp-local");
	v6(&s.local, "::1", 8080);
	assert_string_equal(match_name(&p, &s), "(none)");
	v6(&s.local, "::2", 80);
	assert_string_equal(match_name(&p, &s), "(none)");
	/* an IPv6 prefix */
	s.has_remote = true;
	v6(&s.remote, "2001:db8:ffff::1", 1);
	assert_string_equal(match_name(&p, &s), "v6");
	v6(&s.remote, "2001:db9::1", 1);
	assert_string_equal(match_name(&p, &s), "(none)");
}

static int msg(const uint8_t *b, size_t len, uint64_t seq, struct conf_msg_action *a)
{
	struct iovec iov = { .iov_base = (void *)b, .iov_len = len };
	uint8_t scratch[CONF_PAYLOAD_VISIBLE];
	struct conf_payload p;

	conf_payload_from_iov(&p, &iov, 1, scratch);
	assert_ptr_equal(p.data, b); /* one buffer: never copied */
	return conf_match_message(&c.streams[0], &p, seq, NULL, a);
}

static void test_messages(void **state)
{
	struct conf_msg_action a;
	uint8_t b[1400];

	memset(b, 0, sizeof(b));
	/* nothing matches: no flags */
	b[0] = 0x80; /* RTP v2, no marker, a non-key NAL */
	b[12] = 0x41;
	assert_int_equal(msg(b, 100, 1, &a), -1);
	assert_int_equal(a.mark, 0);
	assert_int_equal(a.deadline_ns, 0);
	/* the marker bit */
	b[1] = 0x80;
	assert_int_equal(msg(b, 100, 1, &a), 1);
	assert_int_equal(a.mark, DWCS_MARK_FRAME_END);
	/* an IDR with the marker: the keyframe rule continues into the marker rule */
	b[12] = 0x65;
	assert_int_equal(msg(b, 100, 1, &a), 0);
	assert_int_equal(a.mark, DWCS_MARK_NONDROPPABLE | DWCS_MARK_FRAME_END);
	/* an IDR without the marker, long: keyframe, then "big" adds its drop priority */
	b[1] = 0;
	assert_int_equal(msg(b, 1200, 1, &a), 0);
	assert_int_equal(a.mark, DWCS_MARK_NONDROPPABLE | (3 << DWCS_MARK_DROPPRIO_SHIFT));
	assert_true(a.has_drop_priority);
	/* every 10th message gets the deadline */
	memset(b, 0, 16);
	assert_int_equal(msg(b, 100, 9, &a), -1);
	assert_int_equal(msg(b, 100, 20, &a), 3);
	assert_int_equal(a.deadline_ns, 5000000);
	/* bytes with masks: ca f? at 2, top bit of byte 0 clear */
	b[2] = 0xca;
	b[3] = 0xf7;
	assert_int_equal(msg(b, 100, 1, &a), 4);
	assert_int_equal(a.mark, DWCS_MARK_NONDROPPABLE | DWCS_MARK_FRAME_START);
	b[3] = 0xe7;
	assert_int_equal(msg(b, 100, 1, &a), -1);
	b[3] = 0xf0;
	b[0] = 0x80;
	assert_int_equal(msg(b, 100, 1, &a), -1);
	/* a message too short for the bytes tested */
	b[0] = 0;
	assert_int_equal(msg(b, 3, 1, &a), -1);
}

static void test_scattered(void **state)
{
	uint8_t hdr[4] = { 0x00, 0x00, 0xca, 0xf1 }, body[3000], scratch[CONF_PAYLOAD_VISIBLE];
	struct iovec iov[3] = { { hdr, 2 }, { hdr + 2, 2 }, { body, sizeof(body) } };
	struct conf_msg_action a;
	struct conf_payload p;

	memset(body, 0x5a, sizeof(body));
	conf_payload_from_iov(&p, iov, 3, scratch);
	assert_ptr_equal(p.data, scratch);
	assert_int_equal(p.len, 3004);
	assert_int_equal(p.visible, CONF_PAYLOAD_VISIBLE);
	assert_memory_equal(p.data, hdr, 4);
	assert_int_equal(p.data[4], 0x5a);
	assert_int_equal(conf_match_message(&c.streams[0], &p, 1, NULL, &a), 4);
	/* empty leading buffers are skipped without copying */
	{
		struct iovec two[2] = { { hdr, 0 }, { body, 100 } };

		conf_payload_from_iov(&p, two, 2, scratch);
		assert_ptr_equal(p.data, body);
		assert_int_equal(p.visible, 100);
	}
}

static void test_describe(void **state)
{
	struct conf_msg_action a = { .mark = DWCS_MARK_NONDROPPABLE | DWCS_MARK_FRAME_END |
					     (2 << DWCS_MARK_DROPPRIO_SHIFT),
				     .has_drop_priority = true,
				     .deadline_ns = 20000000 };
	char buf[128];

	conf_action_describe(&a, buf, sizeof(buf));
	assert_string_equal(buf, "nondroppable,drop-priority=2,frame-end,deadline=20000us");
	memset(&a, 0, sizeof(a));
	conf_action_describe(&a, buf, sizeof(buf));
	assert_string_equal(buf, "no flags");
}

/* unit and cgroup (cgroup v2): a glob over the cgroup or an ancestor; a unit is a component */
static void test_unit_cgroup(void **state)
{
	static const char text[] =
		"streams = (\n"
		"  { name = \"janus\"; match = { unit = \"janus.service\"; }; dev = \"e\"; ipg = 10; },\n"
		"  { name = \"media\"; match = { cgroup = ( \"/system.slice/media-*.service\" ); };\n"
		"    dev = \"e\"; ipg = 10; },\n"
		"  { name = \"user-apps\"; match = { unit = \"app-*.scope\"; user = 1000; }; dev = \"e\"; ipg = 10; }\n"
		");\n";
	struct conf_process p = { .comm = "x", .uid = 1000 };
	struct conf_socket s = { .protocol = CONF_PROTO_UDP };
	struct conf_diag d;
	struct conf cg;
	char out[64];

	conf_diag_init(&d, "cg", stderr);
	assert_int_equal(conf_load_string(&cg, text, "cg", &d), 0);
	assert_true(cg.needs_cgroup);
	/* unknown cgroup (no cgroup v2): no unit or cgroup rule matches */
	assert_null(conf_match_stream(&cg, &p, &s, NULL, 0));
	assert_string_equal(conf_stream_mismatch(&cg.streams[0], &p, &s),
			    "unit not known (no cgroup v2)");
	p.cgroup = "/system.slice/janus.service";
	assert_string_equal(conf_match_stream(&cg, &p, &s, NULL, 0)->name, "janus");
	p.cgroup = "/system.slice/janus.service/worker"; /* below the unit's cgroup */
	assert_string_equal(conf_match_stream(&cg, &p, &s, NULL, 0)->name, "janus");
	p.cgroup = "/system.slice/janus2.service";
	assert_string_equal(conf_stream_mismatch(&cg.streams[0], &p, &s),
			    "not in the unit (no component of its cgroup matches)");
	assert_null(conf_match_stream(&cg, &p, &s, NULL, 0));
	p.cgroup = "/system.slice/media-a.service/sub";
	assert_string_equal(conf_match_stream(&cg, &p, &s, NULL, 0)->name, "media");
	/* FNM_PATHNAME: '*' does not cross a / */
	p.cgroup = "/system.slice/media-a/b.service";
	assert_string_equal(conf_stream_mismatch(&cg.streams[1], &p, &s), "cgroup matches no pattern");
	p.cgroup = "/user.slice/user-1000.slice/user@1000.service/app.slice/app-vlc-1.scope";
	assert_string_equal(conf_match_stream(&cg, &p, &s, NULL, 0)->name, "user-apps");
	p.uid = 1001;
	assert_null(conf_match_stream(&cg, &p, &s, NULL, 0));
	conf_free(&cg);

	/* /proc/self/cgroup: the "0::" line, v1 hierarchies beside it ignored */
	assert_int_equal(conf_cgroup_from_proc("4:memory:/x\n0::/system.slice/a.service\n", out,
					       sizeof(out)), 0);
	assert_string_equal(out, "/system.slice/a.service");
	assert_int_equal(conf_cgroup_from_proc("4:memory:/x\n", out, sizeof(out)), -ENOENT);
	assert_int_equal(conf_cgroup_from_proc("0::/a-very-long-path-that-does-not-fit-in-sixty-four-bytes-of-buffer\n",
					       out, sizeof(out)), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_streams),
		cmocka_unit_test(test_messages),
		cmocka_unit_test(test_scattered),
		cmocka_unit_test(test_describe),
		cmocka_unit_test(test_unit_cgroup),
	};

	return cmocka_run_group_tests_name("conf_match", tests, setup, teardown);
}
