// SPDX-License-Identifier: GPL-2.0
/*
 * conf_load.c — loading qsock.conf: a full valid file lands in the model with the right
 * values and defaults; each kind of mistake is reported as `file:line: key: reason` with the
 * line where it is.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "../../conf/conf.h"
#include "../../conf/readfile.h"
#include "uapi/linux/pkt_sch_dwcs.h"

static const char good[] = "version = 1;\n"				 /* 1 */
			   "shim = { debug = 2; max_fds = 4096; };\n"	 /* 2 */
			   "policy = { anything = \"qsockd's\"; };\n"	 /* 3 */
			   "streams = (\n"				 /* 4 */
			   "  {\n"					 /* 5 */
			   "    name = \"video\";\n"			 /* 6 */
			   "    match = { protocol = \"udp\"; remote_port = ( \"5000-5010\", 6000 );\n"
			   "              process = [ \"ffmpeg*\", \"/usr/bin/gst-*\" ]; user = 0;\n"
			   "              remote_address = [ \"10.0.0.0/8\", \"fd00::/8\" ]; };\n"
			   "    dev = \"eth0\"; ipg = \"40ms\"; oln = 1; old = 10; lossless = true; nondroppable = true;\n"
			   "    messages = (\n"				 /* 11 */
			   "      { preset = \"h264-keyframe\"; continue = true; },\n"
			   "      { preset = \"rtp-marker\"; },\n"	 /* 13 */
			   "      { name = \"every-30th\"; every = 30; length = \"100-1500\"; fps = 25;\n"
			   "        bytes = ( { offset = 1; value = \"60\"; mask = \"7f\"; } ); drop_priority = 2; }\n"
			   "    );\n"
			   "  },\n"
			   "  { match = {}; scheduler = \"htb\"; dev = \"veth0\"; rate = \"5mbit\"; }\n"
			   ");\n";

static void test_good_file(void **state)
{
	struct conf_diag d;
	struct conf c;
	const struct conf_stream *v, *h;
	const struct conf_msg_rule *r;

	conf_diag_init(&d, "good.conf", NULL);
	assert_int_equal(conf_load_string(&c, good, "good.conf", &d), 0);
	assert_int_equal(d.errors, 0);
	assert_int_equal(c.shim.debug, 2);
	assert_int_equal(c.shim.max_fds, 4096);
	assert_true(c.shim.enabled);
	assert_true(c.shim.exec_keep_env);
	assert_int_equal(c.n_streams, 2);

	v = &c.streams[0];
	assert_string_equal(v->name, "video");
	assert_int_equal(v->line, 5);
	assert_int_equal(v->match.protocol, CONF_PROTO_UDP);
	assert_int_equal(v->match.n_remote_ports, 2);
	assert_int_equal(v->match.remote_ports[0].lo, 5000);
	assert_int_equal(v->match.remote_ports[0].hi, 5010);
	assert_int_equal(v->match.remote_ports[1].lo, 6000);
	assert_int_equal(v->match.n_process, 2);
	assert_string_equal(v->match.process[1], "/usr/bin/gst-*");
	assert_int_equal(v->match.n_users, 1);
	assert_int_equal(v->match.n_remote_addrs, 2);
	assert_int_equal(v->match.remote_addrs[1].len, 8);
	assert_int_equal(v->sched, CONF_SCHED_DWCS);
	assert_string_equal(v->dev, "eth0");
	assert_int_equal(v->ipg_ns, 40000000ULL);
	assert_int_equal(v->oln, 1);
	assert_int_equal(v->old, 10);
	assert_int_equal(v->limit, DWCS_DEFAULT_CLASS_LIMIT);
	assert_int_equal(v->class_flags, DWCS_CLASS_F_LOSSLESS | DWCS_CLASS_F_NONDROPPABLE);
	assert_int_equal(v->n_msgs, 3);
	assert_int_equal(v->msgs[0].preset, CONF_PRESET_H264_KEY);
	assert_true(v->msgs[0].cont);
	assert_int_equal(v->msgs[0].action.mark, DWCS_MARK_NONDROPPABLE); /* preset default */
	assert_int_equal(v->msgs[1].line, 13);
	assert_int_equal(v->msgs[1].action.mark, DWCS_MARK_FRAME_END);
	r = &v->msgs[2];
	assert_string_equal(r->name, "every-30th");
	assert_int_equal(r->every, 30);
	assert_int_equal(r->min_len, 100);
	assert_int_equal(r->max_len, 1500);
	assert_int_equal(r->action.deadline_ns, 40000000ULL);
	assert_int_equal(r->action.mark, 2 << DWCS_MARK_DROPPRIO_SHIFT);
	assert_int_equal(r->n_bytes, 1);
	assert_int_equal(r->bytes[0].value[0], 0x60);
	assert_int_equal(r->bytes[0].mask[0], 0x7f);

	h = &c.streams[1];
	assert_string_equal(h->name, "streams[1]");
	assert_int_equal(h->sched, CONF_SCHED_HTB);
	assert_int_equal(h->rate_Bps, 625000);
	conf_free(&c);
}

/* Load TEXT and expect exactly the first message EXPECTED (and an -EINVAL). */
static void expect_error(const char *text, const char *expected)
{
	struct conf_diag d;
	struct conf c;

	conf_diag_init(&d, "t.conf", NULL);
	assert_int_equal(conf_load_string(&c, text, "t.conf", &d), -EINVAL);
	assert_true(d.errors >= 1);
	assert_string_equal(d.first, expected);
	/* nothing of a bad file is kept */
	assert_int_equal(c.n_streams, 0);
	conf_free(&c);
}

#define STREAM(body) "streams = (\n  { match = {}; dev = \"eth0\"; " body " }\n);\n"

/* `dscp`: a traffic type, a PHB name (any case) or 0..63, on any scheduler (#14) */
static void test_dscp(void **state)
{
	static const struct { const char *text; int value; } ok[] = {
		{ "\"best-effort\"", 0 }, { "\"background\"", 8 }, { "\"excellent-effort\"", 18 },
		{ "\"audio-video\"", 34 }, { "\"voice\"", 46 },	{ "\"control\"", 48 },
		{ "\"EF\"", 46 },	    { "\"af41\"", 34 },	{ "\"CS4\"", 32 },
		{ "\"AF11\"", 10 },	    { "\"af43\"", 38 },	{ "\"cs0\"", 0 },
		{ "\"le\"", 1 },	    { "0", 0 },		{ "63", 63 },
	};
	char text[256], name[32];
	struct conf_diag d;
	struct conf c;

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		snprintf(text, sizeof(text), STREAM("scheduler = \"htb\"; rate = \"1mbit\"; dscp = %s;"),
			 ok[i].text);
		conf_diag_init(&d, "t.conf", NULL);
		assert_int_equal(conf_load_string(&c, text, "t.conf", &d), 0);
		assert_true(c.streams[0].has_dscp);
		assert_int_equal(c.streams[0].dscp, ok[i].value);
		conf_free(&c);
	}
	conf_diag_init(&d, "t.conf", NULL);
	assert_int_equal(conf_load_string(&c, STREAM("ipg = 10;"), "t.conf", &d), 0);
	assert_false(c.streams[0].has_dscp);
	conf_free(&c);
	/* scheduler "none": mark only, no device needed */
	conf_diag_init(&d, "t.conf", NULL);
	assert_int_equal(conf_load_string(&c, "streams = ( { match = {}; scheduler = \"none\"; dscp = \"voice\"; } );\n",
					  "t.conf", &d), 0);
	assert_int_equal(c.streams[0].sched, CONF_SCHED_NONE);
	assert_int_equal(c.streams[0].dscp, 46);
	assert_string_equal(conf_sched_name(c.streams[0].sched), "none");
	conf_free(&c);
	assert_string_equal(conf_dscp_name(46, name, sizeof(name)), "EF (46)");
	assert_string_equal(conf_dscp_name(34, name, sizeof(name)), "AF41 (34)");
	assert_string_equal(conf_dscp_name(0, name, sizeof(name)), "CS0 (0)");
	assert_string_equal(conf_dscp_name(13, name, sizeof(name)), "13");
}

static void test_errors(void **state)
{
	expect_error(STREAM("ipg = 10; dscp = 64;"),
		     "t.conf:2: streams[0].dscp: 64 is out of range 0..63");
	expect_error(STREAM("ipg = 10; dscp = \"af51\";"),
		     "t.conf:2: streams[0].dscp: \"af51\" is not a DSCP: use best-effort, background, "
		     "excellent-effort, audio-video, voice, control, CS0..CS7, AF11..AF43, EF, VA, LE, DF, or 0..63");
	expect_error(STREAM("ipg = 10; dscp_override = true;"),
		     "t.conf:2: streams[0].dscp_override: needs \"dscp\": without one the shim never touches the TOS");
	expect_error("streams = (\n  { match = {}; scheduler = \"none\"; }\n);\n",
		     "t.conf:2: streams[0]: scheduler \"none\" needs \"dscp\": marking is all it does");
	expect_error("streams = (\n  { match = {}; scheduler = \"none\"; dscp = \"ef\"; ipg = 10; }\n);\n",
		     "t.conf:2: streams[0].ipg: needs a scheduler: scheduler \"none\" only marks packets (dscp)");
	expect_error(STREAM("ipg = 10; dscp = true;"),
		     "t.conf:2: streams[0].dscp: must be a DSCP name or an integer 0..63, not a boolean");
	expect_error("version = 1;\nverison = 2;\n",
		     "t.conf:2: verison: unknown key (did you mean \"version\"?)");
	expect_error("version = 2;\n", "t.conf:1: version: 2 is out of range 1..1");
	expect_error("\n\nshim = { debug = 7; };\n", "t.conf:3: shim.debug: 7 is out of range 0..3");
	expect_error("shim = { debug = \"3\"; };\n",
		     "t.conf:1: shim.debug: must be an integer, not a string");
	expect_error("shim = { enabled = 1; };\n",
		     "t.conf:1: shim.enabled: must be true or false, not an integer");
	expect_error("streams = { };\n", "t.conf:1: streams: must be a list ( { ... }, ... ), not a group");
	expect_error(STREAM("ipg = 10; oln = 3; old = 2;"),
		     "t.conf:2: streams[0].oln: loss tolerance 3/2: oln must not exceed old");
	expect_error(STREAM("oln = 1;"),
		     "t.conf:2: streams[0]: needs \"bitrate\" (\"2mbit\") or \"ipg\", the dwcs request period (\"10ms\")");
	expect_error(STREAM("ipg = \"10 parsecs\";"),
		     "t.conf:2: streams[0].ipg: \"10 parsecs\" is not a duration (\"10ms\", \"250us\", \"1s\", or an integer in ms)");
	/* ranges in the user's units, not in ns or bytes/s */
	expect_error(STREAM("ipg = \"90s\";"),
		     "t.conf:2: streams[0].ipg: 90s is out of range 1us..60s");
	expect_error(STREAM("ipg = 90000;"),
		     "t.conf:2: streams[0].ipg: 90000ms is out of range 1us..60s");
	expect_error(STREAM("scheduler = \"htb\"; rate = \"200gbit\";"),
		     "t.conf:2: streams[0].rate: 200gbit is out of range 1kbit..100gbit");
	expect_error(STREAM("scheduler = \"htb\"; rate = 100;"),
		     "t.conf:2: streams[0].rate: 100bit is out of range 1kbit..100gbit");
	expect_error("streams = (\n  { match = { unit = \"janus\"; }; dev = \"e\"; ipg = 1; }\n);\n",
		     "t.conf:2: streams[0].match.unit: \"janus\" is not a unit name: those end in .service, .scope, .slice, .socket, .mount or .swap (\"janus.service\"?)");
	expect_error("streams = (\n  { match = { cgroup = ( \"/a\", \"system.slice\" ); }; dev = \"e\"; ipg = 1; }\n);\n",
		     "t.conf:2: streams[0].match.cgroup[1]: \"system.slice\" is not a cgroup path: those start with / (\"/system.slice\")");
	expect_error("streams = (\n  { match = { cgroup = \"/a/../b\"; }; dev = \"e\"; ipg = 1; }\n);\n",
		     "t.conf:2: streams[0].match.cgroup: \"/a/../b\" has an empty, \".\" or \"..\" component or a trailing /");
	/* duplicate names: explain --stream and the logs name rules by them */
	expect_error("streams = (\n  { name = \"v\"; match = {}; dev = \"e\"; ipg = 1; },\n"
		     "  { name = \"v\"; match = {}; dev = \"e\"; ipg = 2; }\n);\n",
		     "t.conf:3: streams[1].name: \"v\" already names stream rule streams[0] (line 2): names must differ");
	expect_error(STREAM("ipg = 10;\n messages = ( { name = \"k\"; nondroppable = true; },\n"
			    " { name = \"k\"; frame_end = true; } );"),
		     "t.conf:4: streams[0].messages[1].name: \"k\" already names message rule messages[0] (line 3): names must differ");
	expect_error(STREAM("ipg = 10; rate = \"1mbit\";"),
		     "t.conf:2: streams[0].rate: belongs to scheduler \"htb\", this stream uses \"dwcs\"");
	expect_error(STREAM("scheduler = \"cbq\";"),
		     "t.conf:2: streams[0].scheduler: \"cbq\" is not one of: dwcs, htb, dwcs-bpf, none");
	expect_error("streams = (\n  { match = {}; ipg = 10; }\n);\n",
		     "t.conf:2: streams[0]: needs \"dev\", the egress interface (\"eth0\")");
	expect_error("streams = (\n  { match = {}; ipg = 10; dev = \"a/b\"; }\n);\n",
		     "t.conf:2: streams[0].dev: \"a/b\" is not an interface name");
	expect_error("streams = (\n  { match = { local_port = 70000; }; dev = \"e\"; ipg = 1; }\n);\n",
		     "t.conf:2: streams[0].match.local_port: port 70000 is out of range 1..65535");
	expect_error("streams = (\n  {\n    match = { remote_port = ( 1, \"9-3\" ); };\n"
		     "    dev = \"e\"; ipg = 1; }\n);\n",
		     "t.conf:3: streams[0].match.remote_port[1]: range \"9-3\" ends before it starts");
	expect_error("streams = (\n  { match = { process = \"ffm[peg\"; }; dev = \"e\"; ipg = 1; }\n);\n",
		     "t.conf:2: streams[0].match.process: glob \"ffm[peg\" has a '[' that is never closed");
	expect_error("streams = (\n  { match = { remote_address = \"10.0.0.0/33\"; }; dev = \"e\"; ipg = 1; }\n);\n",
		     "t.conf:2: streams[0].match.remote_address: prefix length in \"10.0.0.0/33\" must be 0..32");
	expect_error("streams = (\n  { match = { user = \"no-such-user-qsock\"; }; dev = \"e\"; ipg = 1; }\n);\n",
		     "t.conf:2: streams[0].match.user: no user named \"no-such-user-qsock\"");
	expect_error("streams = (\n  { match = { protcol = \"udp\"; }; dev = \"e\"; ipg = 1; }\n);\n",
		     "t.conf:2: streams[0].match.protcol: unknown key (did you mean \"protocol\"?)");
	expect_error(STREAM("ipg = 10;\n messages = (\n  { preset = \"h265\"; }\n );"),
		     "t.conf:4: streams[0].messages[0].preset: \"h265\" is not one of: rtp-marker, h264-keyframe, mpegts-pusi, mpegts-random-access, mpeg-video-i, mpeg-video-p, mpeg-video-b");
	expect_error(STREAM("ipg = 10;\n messages = (\n  { every = 2; }\n );"),
		     "t.conf:4: streams[0].messages[0]: does nothing: give a preset or at least one of nondroppable, drop_priority, frame_start, frame_end, deadline, fps");
	expect_error(STREAM("ipg = 10;\n messages = (\n  { drop_priority = 4; }\n );"),
		     "t.conf:4: streams[0].messages[0].drop_priority: 4 is out of range 0..3");
	expect_error(STREAM("ipg = 10;\n messages = (\n  { fps = 30; deadline = 10;\n }\n );"),
		     "t.conf:4: streams[0].messages[0].fps: give either deadline or fps, not both");
	expect_error(STREAM("ipg = 10;\n messages = ( { nondroppable = true;\n bytes = ( { offset = 0;\n"
			    " value = \"8\"; } ); } );"),
		     "t.conf:5: streams[0].messages[0].bytes[0].value: \"8\": hex digits come in pairs");
	expect_error(STREAM("ipg = 10;\n messages = ( { nondroppable = true;\n bytes = ( { offset = 0;\n"
			    " value = 0x81; mask = 0x7f; } ); } );"),
		     "t.conf:5: streams[0].messages[0].bytes[0].value: byte 0 (0x81) has bits outside mask 0x7f: it can never match");
	expect_error(STREAM("scheduler = \"htb\"; rate = \"1mbit\";\n messages = ( { deadline = \"5ms\"; } );"),
		     "t.conf:3: streams[0].messages[0]: per-message deadlines need scheduler \"dwcs\"");
	expect_error("policy = 3;\n", "t.conf:1: policy: must be a group { ... } (see qsockd(8)), not an integer");
	/* a syntax error carries libconfig's line */
	expect_error("version = 1;\nshim = { debug = ; };\n", "t.conf:2: (syntax): syntax error");
}

static void test_all_errors_reported(void **state)
{
	struct conf_diag d;
	struct conf c;
	char buf[4096] = "";
	FILE *out = fmemopen(buf, sizeof(buf), "w");

	assert_non_null(out);
	conf_diag_init(&d, "t.conf", out);
	assert_int_equal(conf_load_string(&c, "a = 1;\nb = 2;\nshim = { debug = -1; };\n", "t.conf", &d),
			 -EINVAL);
	fclose(out);
	assert_int_equal(d.errors, 3);
	assert_string_equal(buf, "t.conf:1: a: unknown key\nt.conf:2: b: unknown key\n"
				 "t.conf:3: shim.debug: -1 is out of range 0..3\n");
	conf_free(&c);
}

static void test_file_errors(void **state)
{
	char path[] = "/tmp/qsock-conf-test-XXXXXX";
	struct conf_diag d;
	struct conf c;
	int fd;

	conf_diag_init(&d, "/nonexistent/qsock.conf", NULL);
	assert_int_equal(conf_load(&c, "/nonexistent/qsock.conf", &d), -ENOENT);
	assert_string_equal(d.first, "/nonexistent/qsock.conf: cannot read: No such file or directory");

	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "\n\n\nstreams = ( { match = {}; dev = 3; ipg = 1; } );\n", 50), 50);
	close(fd);
	conf_diag_init(&d, path, NULL);
	assert_int_equal(conf_load(&c, path, &d), -EINVAL);
	{
		char want[256];

		snprintf(want, sizeof(want), "%s:4: streams[0].dev: must be a string, not an integer",
			 path);
		assert_string_equal(d.first, want);
	}
	unlink(path);
	conf_free(&c);
}

/* What libconfig's own reader could not take: each must be a clean error naming the file and
 * the reason, never exit() (directory, EIO) or a hang (FIFO). */
static void expect_refused(const char *path, int err, const char *want)
{
	struct conf_diag d;
	struct conf c;
	char msg[512];

	snprintf(msg, sizeof(msg), "%s: cannot read: %s", path, want);
	conf_diag_init(&d, path, NULL);
	assert_int_equal(conf_load(&c, path, &d), err);
	assert_string_equal(d.first, msg);
	assert_int_equal(c.n_streams, 0);
	assert_true(c.shim.enabled);
	conf_free(&c);
}

static void test_unreadable_files(void **state)
{
	char dir[] = "/tmp/qsock-conf-test-XXXXXX", path[64];
	struct conf_diag d;
	struct conf c;
	char *big;
	FILE *f;

	assert_non_null(mkdtemp(dir));
	expect_refused(dir, -EISDIR, "a directory, not a regular file");
	snprintf(path, sizeof(path), "%s/fifo", dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	expect_refused(path, -EINVAL, "a FIFO, not a regular file");	/* no writer: no hang */
	unlink(path);
	expect_refused("/dev/null", -EINVAL, "a character device, not a regular file");
	/* a regular file whose read fails: address 0 of our own memory is never mapped */
	expect_refused("/proc/self/mem", -EIO, "Input/output error");

	/* larger than the limit, by its size ... */
	snprintf(path, sizeof(path), "%s/big.conf", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(ftruncate(fileno(f), CONF_FILE_MAX + 1), 0);
	fclose(f);
	expect_refused(path, -EFBIG, "1048577 bytes, more than the 1048576 allowed");
	unlink(path);
	/* ... or at the limit exactly: accepted (a valid file padded with comments) */
	big = malloc(CONF_FILE_MAX);
	assert_non_null(big);
	memset(big, '#', CONF_FILE_MAX);
	memcpy(big, "version = 1;\n", 13);
	big[CONF_FILE_MAX - 1] = '\n';
	f = fopen(path, "w");
	assert_int_equal(fwrite(big, 1, CONF_FILE_MAX, f), CONF_FILE_MAX);
	fclose(f);
	free(big);
	conf_diag_init(&d, path, NULL);
	assert_int_equal(conf_load(&c, path, &d), 0);
	conf_free(&c);
	unlink(path);

	/* a NUL byte would silently cut the text short */
	snprintf(path, sizeof(path), "%s/nul.conf", dir);
	f = fopen(path, "w");
	assert_int_equal(fwrite("version = 1;\0x", 1, 14, f), 14);
	fclose(f);
	expect_refused(path, -EINVAL, "a NUL byte at offset 12: not a text file");
	unlink(path);
	rmdir(dir);
}

/* libconfig opens an @include'd file with its own reader (exit(2) on a directory): refused,
 * from a file and from a string. */
static void test_include_refused(void **state)
{
	struct conf_diag d;
	struct conf c;

	conf_diag_init(&d, "i.conf", NULL);
	assert_int_equal(conf_load_string(&c, "version = 1;\n  \t@include \"/tmp\"\n", "i.conf", &d),
			 -EINVAL);
	assert_string_equal(d.first, "i.conf:2: @include: not supported: qsock.conf is one file");
	/* anywhere else it is libconfig's syntax error, as before */
	conf_diag_init(&d, "i.conf", NULL);
	assert_int_equal(conf_load_string(&c, "version = 1; @include \"/tmp\"\n", "i.conf", &d),
			 -EINVAL);
	assert_string_equal(d.first, "i.conf:1: (syntax): syntax error");
}

/* /proc files have st_size 0: read to EOF, not to the size fstat() gave. */
static void test_size_not_trusted(void **state)
{
	struct conf_diag d;
	char *text;

	conf_diag_init(&d, "/proc/self/status", NULL);
	assert_int_equal(conf_read_file(&d, "/proc/self/status", &text), 0);
	assert_non_null(strstr(text, "Name:"));
	free(text);
}

static void test_units(void **state)
{
	unsigned long long v;

	assert_int_equal(conf_parse_duration_ns("1.5ms", 1000000, &v), 0);
	assert_int_equal(v, 1500000);
	assert_int_equal(conf_parse_duration_ns("20", 1000000, &v), 0);
	assert_int_equal(v, 20000000);
	assert_int_equal(conf_parse_duration_ns("250us", 1000000, &v), 0);
	assert_int_equal(v, 250000);
	assert_int_equal(conf_parse_duration_ns("-3ms", 1000000, &v), -EINVAL);
	assert_int_equal(conf_parse_duration_ns("3 weeks", 1000000, &v), -EINVAL);
	assert_int_equal(conf_parse_rate_Bps("10mbit", &v), 0);
	assert_int_equal(v, 1250000);
	assert_int_equal(conf_parse_rate_Bps("8000", &v), 0);
	assert_int_equal(v, 1000);
	assert_int_equal(conf_parse_rate_Bps("2MByte", &v), 0);
	assert_int_equal(v, 2000000);
	assert_int_equal(conf_parse_rate_Bps("fast", &v), -EINVAL);
}

static void test_format_units(void **state)
{
	char b[32];

	assert_string_equal(conf_format_duration(60000000000ULL, b, sizeof(b)), "60s");
	assert_string_equal(conf_format_duration(1000, b, sizeof(b)), "1us");
	assert_string_equal(conf_format_duration(1500000, b, sizeof(b)), "1500us");
	assert_string_equal(conf_format_duration(40000000, b, sizeof(b)), "40ms");
	assert_string_equal(conf_format_duration(7, b, sizeof(b)), "7ns");
	assert_string_equal(conf_format_rate_Bps(12500000000ULL, b, sizeof(b)), "100gbit");
	assert_string_equal(conf_format_rate_Bps(125, b, sizeof(b)), "1kbit");
	assert_string_equal(conf_format_rate_Bps(1250000, b, sizeof(b)), "10mbit");
	assert_string_equal(conf_format_rate_Bps(0, b, sizeof(b)), "0bit");
}

/* A collecting sink keeps every message in parts, and sorts them by line (stably). */
static void test_collect_sorted(void **state)
{
	struct conf_diag d;
	struct conf c;
	char line[1024];

	conf_diag_init(&d, "t.conf", NULL);
	conf_diag_collect(&d);
	assert_int_equal(conf_load_string(&c, "streams = (\n { match = {}; dev = \"e\"; ipg = 1; oln = 9; old = 1;\n"
					     "   bogus = 1; }\n);\nshim = { debug = 9; };\n", "t.conf", &d),
			 -EINVAL);
	assert_int_equal(d.n_list, 3);
	conf_diag_sort(&d);
	assert_int_equal(d.list[0].line, 2);
	assert_int_equal(d.list[1].line, 3);
	assert_string_equal(d.list[1].key, "streams[0].bogus");
	assert_string_equal(d.list[1].reason, "unknown key");
	assert_int_equal(d.list[2].line, 5);
	assert_string_equal(conf_diag_format(&d.list[2], line, sizeof(line)),
			    "t.conf:5: shim.debug: 9 is out of range 0..3");
	conf_diag_free(&d);
	conf_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_file),	    cmocka_unit_test(test_errors),
		cmocka_unit_test(test_dscp),
		cmocka_unit_test(test_all_errors_reported), cmocka_unit_test(test_file_errors),
		cmocka_unit_test(test_unreadable_files),   cmocka_unit_test(test_include_refused),
		cmocka_unit_test(test_size_not_trusted),   cmocka_unit_test(test_units),
		cmocka_unit_test(test_format_units),	    cmocka_unit_test(test_collect_sorted),
	};

	return cmocka_run_group_tests_name("conf_load", tests, NULL, NULL);
}
