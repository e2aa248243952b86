// SPDX-License-Identifier: GPL-2.0
/* lib/params.c: the public structs are checked and normalised before anything is touched. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "manager.h"
#include "qsock.h"

static struct qos_params params(const char *dev, const char *name, void *attrs)
{
	struct qos_params p;

	memset(&p, 0x5a, sizeof(p)); /* garbage, as on the paper's stack */
	strncpy(p.dev, dev, IFNAMSIZ);
	strncpy(p.name, name, IFNAMSIZ);
	p.attributes = attrs;
	return p;
}

/* The paper's §3.1.2 attributes, the rest of the struct left as garbage. */
static struct q_dwcs_attr paper_attrs(void)
{
	struct q_dwcs_attr a;

	memset(&a, 0xa5, sizeof(a));
	a.oln = 0;
	a.old = 10;
	a.ipg = 10;
	a.stream_flags = DWCS_NON_DROPPABLE;
	return a;
}

static void paper_example_ignores_garbage(void **state)
{
	struct q_dwcs_attr a = paper_attrs();
	struct qos_params p = params("eth0", "dwcs", &a);
	struct qsock_stream_params sp;
	struct qsock_err e = { "" };

	assert_int_equal(qsock_stream_params_from_api(&p, &sp, &e), 0);
	assert_int_equal(sp.ipg_ns, 10000000ULL);
	assert_int_equal(sp.oln, 0);
	assert_int_equal(sp.old, 10);
	assert_int_equal(sp.flags, DWCS_NON_DROPPABLE);
	/* extension fields were garbage: none of them may leak in */
	assert_int_equal(sp.limit, 0);
	assert_int_equal(sp.rate, 0);
	assert_int_equal(sp.pkt_bytes, 0);
}

static void oln_above_old_is_refused_with_reason(void **state)
{
	struct q_dwcs_attr a = paper_attrs();
	struct qos_params p = params("eth0", "dwcs", &a);
	struct qsock_stream_params sp;
	struct qsock_err e = { "" };

	a.oln = 11;
	assert_int_equal(qsock_stream_params_from_api(&p, &sp, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "oln (x=11) must not exceed old (y=10)"));
}

static void zero_ipg_and_limits(void **state)
{
	struct q_dwcs_attr a = paper_attrs();
	struct qos_params p = params("eth0", "htb", &a);
	struct qsock_stream_params sp;
	struct qsock_err e = { "" };

	a.ipg = 0;
	assert_int_equal(qsock_stream_params_from_api(&p, &sp, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "ipg is 0"));
	a.ipg = 61000; /* 61 s > DWCS_MAX_IPG */
	assert_int_equal(qsock_stream_params_from_api(&p, &sp, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "outside"));
	a = paper_attrs();
	a.old = 70000;
	assert_int_equal(qsock_stream_params_from_api(&p, &sp, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "largest window"));
}

static void unknown_flags_and_schedulers(void **state)
{
	struct q_dwcs_attr a = paper_attrs();
	struct qos_params p = params("eth0", "sfq", &a);
	struct qsock_stream_params sp;
	struct qsock_err e = { "" };

	assert_int_equal(qsock_stream_params_from_api(&p, &sp, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "unknown scheduler \"sfq\""));
	p = params("eth0", "dwcs", &a);
	a.stream_flags |= 0x100;
	assert_int_equal(qsock_stream_params_from_api(&p, &sp, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "unknown bits 0x100"));
}

static void names_must_be_terminated_and_present(void **state)
{
	struct q_dwcs_attr a = paper_attrs();
	struct qos_params p = params("eth0", "dwcs", &a);
	struct qsock_err e = { "" };

	memset(p.dev, 'x', sizeof(p.dev));
	assert_int_equal(qsock_check_names(&p, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "qos_params.dev is not NUL-terminated"));
	p = params("", "dwcs", &a);
	assert_int_equal(qsock_check_names(&p, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "qos_params.dev is empty"));
	assert_int_equal(qsock_check_names(NULL, &e), -EINVAL);
}

static void attributes_required_for_streams(void **state)
{
	struct qos_params p = params("eth0", "dwcs", NULL);
	struct qsock_stream_params sp;
	struct qsock_root_params rp;
	struct qsock_err e = { "" };

	assert_int_equal(qsock_stream_params_from_api(&p, &sp, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "attributes is NULL"));
	/* ... but qsockinit takes NULL for defaults (the paper's §3.1.1) */
	assert_int_equal(qsock_root_params_from_api(&p, &rp, &e), 0);
	assert_int_equal(rp.rate, 0);
	assert_int_equal(rp.limit, 0);
}

/* attributes of a caller of this header: the extension announced, with its full size */
static void ext_attrs(struct q_dwcs_attr *a)
{
	memset(a, 0, sizeof(*a));
	a->old = 10;
	a->ipg = 10;
	a->stream_flags = QSOCK_STREAM_EXT;
	a->size = sizeof(*a);
}

static void extension_is_read_only_when_announced(void **state)
{
	struct q_dwcs_attr a = paper_attrs();
	struct qos_params p = params("eth0", "htb", &a);
	struct qsock_stream_params sp;
	struct qsock_err e = { "" };

	ext_attrs(&a);
	a.ipg_ns = 250000;
	a.rate = 125000;
	a.limit = 50;
	assert_int_equal(qsock_stream_params_from_api(&p, &sp, &e), 0);
	assert_int_equal(sp.ipg_ns, 250000);
	assert_int_equal(sp.rate, 125000);
	assert_int_equal(sp.limit, 50);
	assert_int_equal(sp.flags, 0); /* the announcement bit is not a stream flag */
	a.size = 8;
	assert_int_equal(qsock_stream_params_from_api(&p, &sp, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "size 8 is too small"));
	a.size = sizeof(a);
	a.reserved = 1;
	assert_int_equal(qsock_stream_params_from_api(&p, &sp, &e), -EINVAL);
}

/* q_dwcs_attr.dscp (#14): read only from a caller whose size covers it; a caller compiled
 * before it (size = QSOCK_ATTR_SIZE_V1, and whatever lies after) gets no DSCP. */
static void dscp_extension(void **state)
{
	struct q_dwcs_attr a;
	struct qos_params p = params("eth0", "htb", &a);
	struct qsock_stream_params sp;
	struct qsock_err e = { "" };

	ext_attrs(&a);
	a.dscp = QSOCK_DSCP(46);
	assert_int_equal(qsock_stream_params_from_api(&p, &sp, &e), 0);
	assert_int_equal(sp.dscp, QSOCK_DSCP_SET | 46);
	a.size = QSOCK_ATTR_SIZE_V1; /* an old caller: the bytes after its struct are not read */
	assert_int_equal(qsock_stream_params_from_api(&p, &sp, &e), 0);
	assert_int_equal(sp.dscp, 0);
	a.size = sizeof(a);
	a.dscp = 46; /* without QSOCK_DSCP_SET */
	assert_int_equal(qsock_stream_params_from_api(&p, &sp, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "q_dwcs_attr.dscp 0x2e is not QSOCK_DSCP(0..63) or 0"));
	a.dscp = QSOCK_DSCP_SET | 0x40;
	assert_int_equal(qsock_stream_params_from_api(&p, &sp, &e), -EINVAL);
	a.dscp = QSOCK_DSCP(0); /* CS0 is a value, not "unset" */
	assert_int_equal(qsock_stream_params_from_api(&p, &sp, &e), 0);
	assert_int_equal(sp.dscp, QSOCK_DSCP_SET);
	a.reserved2 = 1;
	assert_int_equal(qsock_stream_params_from_api(&p, &sp, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "reserved2 must be 0"));
}

/* bitrate, fps_milli, media_flags (#18): the same grant as qsock.conf's bitrate and fps
 * (lib/rate.h), read only from a caller whose size covers them. */
static void media_extension(void **state)
{
	struct q_dwcs_attr a;
	struct qos_params p = params("eth0", "dwcs", &a);
	struct qsock_stream_params sp;
	struct qsock_err e = { "" };

	ext_attrs(&a);
	a.oln = 1;
	a.bitrate = 2000000;
	a.fps_milli = 25000;
	a.media_flags = QSOCK_WINDOW_FRAMES;
	assert_int_equal(qsock_stream_params_from_api(&p, &sp, &e), 0);
	/* 9 datagrams of 1200 bytes per frame, 225 per second; 1/10 frames = 9/90 datagrams */
	assert_int_equal(sp.ipg_ns, 1000000000ULL / 225);
	assert_int_equal(sp.oln, 9);
	assert_int_equal(sp.old, 90);
	assert_int_equal(sp.pkt_bytes, 1200);
	/* an old caller: ipg as given, oln/old in packets */
	a.size = QSOCK_ATTR_SIZE_DSCP;
	assert_int_equal(qsock_stream_params_from_api(&p, &sp, &e), 0);
	assert_int_equal(sp.ipg_ns, 10000000);
	assert_int_equal(sp.old, 10);
	a.size = sizeof(a);

	/* htb: the datagrams with their headers */
	strcpy(p.name, "htb");
	a.media_flags = 0;
	assert_int_equal(qsock_stream_params_from_api(&p, &sp, &e), 0);
	assert_int_equal(sp.rate, 225 * (1200 + 62));
	a.rate = 1000;
	assert_int_equal(qsock_stream_params_from_api(&p, &sp, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "rate and bitrate both set the htb rate"));
	a.rate = 0;
	strcpy(p.name, "dwcs");

	a.fps_milli = 999;
	assert_int_equal(qsock_stream_params_from_api(&p, &sp, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "fps_milli 999 is outside 1000..1000000"));
	a.fps_milli = 0;
	a.media_flags = QSOCK_WINDOW_FRAMES;
	assert_int_equal(qsock_stream_params_from_api(&p, &sp, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "QSOCK_WINDOW_FRAMES needs fps_milli"));
	a.media_flags = 0x10;
	assert_int_equal(qsock_stream_params_from_api(&p, &sp, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "media_flags has unknown bits 0x10"));
	a.media_flags = 0;
	a.bitrate = 100000000000ULL;
	a.pkt_bytes = 1;
	assert_int_equal(qsock_stream_params_from_api(&p, &sp, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "bitrate 100000000000 bit/s in 1-byte datagrams"));
	a.bitrate = 0;
	a.fps_milli = 25000;
	assert_int_equal(qsock_stream_params_from_api(&p, &sp, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "fps_milli needs bitrate"));
}

static void larger_caller_struct_needs_zero_tail(void **state)
{
	struct {
		struct q_dwcs_attr a;
		uint64_t future;
	} big;
	struct qos_params p = params("eth0", "dwcs", &big);
	struct qsock_stream_params sp;
	struct qsock_err e = { "" };

	memset(&big, 0, sizeof(big));
	big.a.old = 4;
	big.a.ipg = 1;
	big.a.stream_flags = QSOCK_STREAM_EXT;
	big.a.size = sizeof(big);
	assert_int_equal(qsock_stream_params_from_api(&p, &sp, &e), 0);
	big.future = 7;
	assert_int_equal(qsock_stream_params_from_api(&p, &sp, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "unknown to this libqsock"));
}

static void root_attr_checked(void **state)
{
	struct qsock_root_attr ra = { .size = sizeof(ra), .rate = 1250000, .limit = 100 };
	struct qos_params p = params("eth0", "dwcs", &ra);
	struct qsock_root_params rp;
	struct qsock_err e = { "" };

	assert_int_equal(qsock_root_params_from_api(&p, &rp, &e), 0);
	assert_int_equal(rp.rate, 1250000);
	assert_int_equal(rp.limit, 100);
	ra.flags = 0x80;
	assert_int_equal(qsock_root_params_from_api(&p, &rp, &e), -EINVAL);
	ra.flags = 0;
	ra.size = 4;
	assert_int_equal(qsock_root_params_from_api(&p, &rp, &e), -EINVAL);
}

/* A `size` that is garbage (uninitialised, 4 GiB) is refused before it is used as a read
 * length: reading that far past the caller's struct would crash. */
static void garbage_size_is_not_read(void **state)
{
	struct q_dwcs_attr a = { .old = 4, .ipg = 1, .stream_flags = QSOCK_STREAM_EXT,
				 .size = 0xffffffffu };
	struct qsock_root_attr ra = { .size = 0xfffffff0u };
	struct qos_params p = params("eth0", "dwcs", &a);
	struct qsock_stream_params sp;
	struct qsock_root_params rp;
	struct qsock_err e = { "" };

	assert_int_equal(qsock_stream_params_from_api(&p, &sp, &e), -EINVAL);
	assert_string_equal(e.msg, "q_dwcs_attr.size 4294967295 is not a size (at most 4096; set "
				   "it to sizeof)");
	p.attributes = &ra;
	assert_int_equal(qsock_root_params_from_api(&p, &rp, &e), -EINVAL);
	assert_string_equal(e.msg, "qsock_root_attr.size 4294967280 is not a size (at most 4096; "
				   "set it to sizeof)");
}

/* What qsockd hands the manager is checked again: a zero period would divide by zero. */
static void normalised_params_rechecked(void **state)
{
	struct qsock_stream_params sp = { .ipg_ns = 0, .old = 10 };
	struct qsock_err e = { "" };

	assert_int_equal(qsock_stream_params_check("htb", &sp, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "ipg is 0"));
	sp.ipg_ns = 1000000;
	sp.flags = 0x40;
	assert_int_equal(qsock_stream_params_check("htb", &sp, &e), -EINVAL);
	sp.flags = DWCS_NON_DROPPABLE;
	assert_int_equal(qsock_stream_params_check("htb", &sp, &e), 0);
	assert_int_equal(qsock_stream_params_check("nosuch", &sp, &e), -EINVAL);
	assert_int_equal(qsock_stream_params_check(NULL, &sp, &e), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(paper_example_ignores_garbage),
		cmocka_unit_test(oln_above_old_is_refused_with_reason),
		cmocka_unit_test(zero_ipg_and_limits),
		cmocka_unit_test(unknown_flags_and_schedulers),
		cmocka_unit_test(names_must_be_terminated_and_present),
		cmocka_unit_test(attributes_required_for_streams),
		cmocka_unit_test(extension_is_read_only_when_announced),
		cmocka_unit_test(larger_caller_struct_needs_zero_tail),
		cmocka_unit_test(root_attr_checked),
		cmocka_unit_test(dscp_extension),
		cmocka_unit_test(media_extension),
		cmocka_unit_test(garbage_size_is_not_read),
		cmocka_unit_test(normalised_params_rechecked),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
