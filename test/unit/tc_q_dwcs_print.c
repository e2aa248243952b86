// SPDX-License-Identifier: GPL-2.0
/*
 * tc_q_dwcs_print.c — unit tests of the tc plugin's printing (tools/tc/q_dwcs.c), without tc
 * and without a kernel.
 *
 * A kernel dump can only show what the running module sends; these tests feed the plugin
 * hand-made TCA_OPTIONS and xstats instead, including the short, unknown and missing
 * attributes an older or newer module could send, and check what it prints in text and in
 * JSON. The plugin's object is linked in (its dwcs_qdisc_util is all the test calls), and the
 * tc functions it calls are replaced by doubles that record the output: text as tc would
 * print it (fmt applied to the value), JSON as "key=value" pairs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <linux/netlink.h>

#include "uapi/linux/pkt_sch_dwcs.h"
#include "../../tools/tc/tc_plugin_abi.h"

extern struct qdisc_util dwcs_qdisc_util;

/* ---------------------------------------------------------------- tc doubles */

static char printed[4096]; /* what the plugin printed */
static bool json_mode; /* as `tc -j`: PRINT_ANY goes to JSON */
int use_iec;

static void emit(const char *fmt, ...)
{
	size_t len = strlen(printed);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(printed + len, sizeof(printed) - len, fmt, ap);
	va_end(ap);
}

/* As in tc: PRINT_FP is for text output only, PRINT_JSON for JSON only, PRINT_ANY for both. */
static bool to_text(enum output_type t)
{
	return !json_mode && (t == PRINT_FP || t == PRINT_ANY);
}

static bool to_json(enum output_type t)
{
	return json_mode && (t == PRINT_JSON || t == PRINT_ANY);
}

/* The plugin's formats are its own literals; the doubles apply them as tc does. */
#pragma GCC diagnostic ignored "-Wformat-nonliteral"

int print_color_uint(enum output_type t, enum color_attr c, const char *key, const char *fmt,
		     unsigned int v)
{
	if (to_json(t))
		emit("%s=%u;", key, v);
	else if (to_text(t))
		emit(fmt, v);
	return 0;
}

int print_color_u64(enum output_type t, enum color_attr c, const char *key, const char *fmt,
		    uint64_t v)
{
	if (to_json(t))
		emit("%s=%llu;", key, (unsigned long long)v);
	else if (to_text(t))
		emit(fmt, (unsigned long long)v);
	return 0;
}

int print_color_string(enum output_type t, enum color_attr c, const char *key, const char *fmt,
		       const char *v)
{
	if (to_json(t))
		emit("%s=\"%s\";", key, v);
	else if (to_text(t))
		emit(fmt, v);
	return 0;
}

int print_color_bool(enum output_type t, enum color_attr c, const char *key, const char *fmt,
		     bool v)
{
	if (to_json(t))
		emit("%s=%s;", key, v ? "true" : "false");
	else if (to_text(t))
		emit(fmt, v ? "true" : "false");
	return 0;
}

int print_color_0xhex(enum output_type t, enum color_attr c, const char *key, const char *fmt,
		      unsigned long long v)
{
	if (to_json(t))
		emit("%s=\"%#llx\";", key, v);
	else if (to_text(t))
		emit(fmt, v);
	return 0;
}

/* tc prints "10Mbit"; this double prints the bytes per second it is given. */
int print_color_rate(bool iec, enum output_type t, enum color_attr c, const char *key,
		     const char *fmt, unsigned long long rate)
{
	char buf[32];

	if (to_json(t)) {
		emit("%s=%llu;", key, rate);
	} else if (to_text(t)) {
		snprintf(buf, sizeof(buf), "%lluB/s", rate);
		emit(fmt, buf);
	}
	return 0;
}

void print_nl(void)
{
	if (!json_mode)
		emit("\n");
}

char *sprint_time64(__s64 time, char *buf)
{
	snprintf(buf, SPRINT_BSIZE, "%lldns", (long long)time);
	return buf;
}

int parse_rtattr_flags(struct rtattr *tb[], int max, struct rtattr *rta, int len,
		       unsigned short flags)
{
	memset(tb, 0, sizeof(*tb) * (max + 1));
	for (; RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
		unsigned short type = rta->rta_type & ~flags;

		if (type <= max && !tb[type])
			tb[type] = rta;
	}
	return 0;
}

/* Parsing is tested through tc itself (test/bats/tc-dwcs-parse.bats); not reached here. */
int addattr_l(struct nlmsghdr *n, int maxlen, int type, const void *data, int alen)
{
	fail_msg("addattr_l called by a print test");
	return -1;
}

struct rtattr *addattr_nest(struct nlmsghdr *n, int maxlen, int type)
{
	fail_msg("addattr_nest called by a print test");
	return NULL;
}

int addattr_nest_end(struct nlmsghdr *n, struct rtattr *attrs)
{
	return 0;
}

int get_u32(__u32 *val, const char *arg, int base)
{
	return -1;
}

/* ---------------------------------------------------------------- attribute building */

static union {
	struct rtattr rta;
	char bytes[2048];
} attrs;

static void nest_start(void)
{
	memset(&attrs, 0, sizeof(attrs));
	attrs.rta.rta_type = TCA_OPTIONS | NLA_F_NESTED;
	attrs.rta.rta_len = RTA_LENGTH(0);
	printed[0] = '\0';
}

static void put(unsigned short type, const void *data, size_t len)
{
	struct rtattr *a = (struct rtattr *)(attrs.bytes + RTA_ALIGN(attrs.rta.rta_len));

	a->rta_type = type;
	a->rta_len = RTA_LENGTH(len);
	memcpy(RTA_DATA(a), data, len);
	attrs.rta.rta_len = RTA_ALIGN(attrs.rta.rta_len) + RTA_ALIGN(a->rta_len);
}

static void put_u8(unsigned short type, __u8 v)
{
	put(type, &v, sizeof(v));
}

static void put_u32(unsigned short type, __u32 v)
{
	put(type, &v, sizeof(v));
}

static void put_u64(unsigned short type, __u64 v)
{
	put(type, &v, sizeof(v));
}

static void put_flags(unsigned short type, __u32 value, __u32 selector)
{
	struct nla_bitfield32 bf = { .value = value, .selector = selector };

	put(type, &bf, sizeof(bf));
}

static void print_qopt(void)
{
	dwcs_qdisc_util.print_qopt(&dwcs_qdisc_util, stdout, &attrs.rta);
}

static void print_copt(void)
{
	dwcs_qdisc_util.print_copt(&dwcs_qdisc_util, stdout, &attrs.rta);
}

static void print_xstats(void)
{
	dwcs_qdisc_util.print_xstats(&dwcs_qdisc_util, stdout, &attrs.rta);
}

/* ---------------------------------------------------------------- qdisc options */

static void qopt_every_option_text(void **state)
{
	json_mode = false;
	nest_start();
	put_u64(TCA_DWCS_RATE64, 1250000);
	put_u32(TCA_DWCS_LIMIT, 500);
	put_u32(TCA_DWCS_MARKMASK, 0xf8);
	put_flags(TCA_DWCS_FLAGS, TCA_DWCS_F_WORK_CONSERVING, TCA_DWCS_F_ALL);
	put_u8(TCA_DWCS_ORDER, DWCS_ORDER_WINDOW_FIRST);
	print_qopt();
	assert_string_equal(printed, "rate 1250000B/s limit 500p markmask 0xf8 workconserving "
				     "order window ");
}

static void qopt_every_option_json(void **state)
{
	json_mode = true;
	nest_start();
	put_u64(TCA_DWCS_RATE64, 0);
	put_u32(TCA_DWCS_LIMIT, 10000);
	put_u32(TCA_DWCS_MARKMASK, DWCS_DEFAULT_MARKMASK);
	put_flags(TCA_DWCS_FLAGS, 0, TCA_DWCS_F_ALL);
	put_u8(TCA_DWCS_ORDER, DWCS_ORDER_DEADLINE_FIRST);
	print_qopt();
	assert_string_equal(printed, "rate=0;limit=10000;markmask=\"0x1f000000\";"
				     "work_conserving=false;order=\"deadline\";");
}

static void qopt_rate_zero_is_unlimited(void **state)
{
	json_mode = false;
	nest_start();
	put_u64(TCA_DWCS_RATE64, 0);
	print_qopt();
	assert_string_equal(printed, "rate unlimited ");
}

/* An attribute shorter than its type is skipped, never read past its end. */
static void qopt_short_attributes_are_skipped(void **state)
{
	__u16 half = 7;

	json_mode = false;
	nest_start();
	put(TCA_DWCS_LIMIT, &half, sizeof(half));
	put(TCA_DWCS_FLAGS, &half, sizeof(half));
	put(TCA_DWCS_ORDER, "", 0);
	put_u32(TCA_DWCS_MARKMASK, 0x1f);
	print_qopt();
	assert_string_equal(printed, "markmask 0x1f ");
}

/* Attributes of a newer module (unknown types) are ignored; the known ones still print. */
static void qopt_unknown_attributes_are_ignored(void **state)
{
	json_mode = false;
	nest_start();
	put_u32(__TCA_DWCS_MAX + 3, 99);
	put_u32(TCA_DWCS_LIMIT, 3);
	put_u32(TCA_DWCS_PAD, 0);
	print_qopt();
	assert_string_equal(printed, "limit 3p ");
}

static void qopt_unknown_order_prints_its_number(void **state)
{
	json_mode = false;
	nest_start();
	put_u8(TCA_DWCS_ORDER, 7);
	print_qopt();
	assert_string_equal(printed, "order 7 ");
}

/* A u64 sent as u32 (an older or leaner module) is still read. */
static void qopt_rate_as_u32_is_read(void **state)
{
	json_mode = false;
	nest_start();
	put_u32(TCA_DWCS_RATE64, 125000);
	print_qopt();
	assert_string_equal(printed, "rate 125000B/s ");
}

static void qopt_empty_or_absent_prints_nothing(void **state)
{
	json_mode = false;
	nest_start();
	print_qopt();
	assert_string_equal(printed, "");
	dwcs_qdisc_util.print_qopt(&dwcs_qdisc_util, stdout, NULL);
	dwcs_qdisc_util.print_copt(&dwcs_qdisc_util, stdout, NULL);
	dwcs_qdisc_util.print_xstats(&dwcs_qdisc_util, stdout, NULL);
	assert_string_equal(printed, "");
}

/* ---------------------------------------------------------------- class options */

static void copt_every_option_text(void **state)
{
	json_mode = false;
	nest_start();
	put_u64(TCA_DWCS_CLASS_IPG, 20000000);
	put_u32(TCA_DWCS_CLASS_OLN, 1);
	put_u32(TCA_DWCS_CLASS_OLD, 4);
	put_flags(TCA_DWCS_CLASS_FLAGS, DWCS_CLASS_F_LOSSLESS | DWCS_CLASS_F_EDF, DWCS_CLASS_F_ALL);
	put_u32(TCA_DWCS_CLASS_LIMIT, 9);
	print_copt();
	assert_string_equal(printed, "ipg 20000000ns oln 1 old 4 lossless edf droppable limit 9p ");
}

static void copt_every_option_json(void **state)
{
	json_mode = true;
	nest_start();
	put_u64(TCA_DWCS_CLASS_IPG, 1000);
	put_u32(TCA_DWCS_CLASS_OLN, 0);
	put_u32(TCA_DWCS_CLASS_OLD, 0);
	put_flags(TCA_DWCS_CLASS_FLAGS, DWCS_CLASS_F_NONDROPPABLE, DWCS_CLASS_F_ALL);
	put_u32(TCA_DWCS_CLASS_LIMIT, 1000);
	print_copt();
	assert_string_equal(printed, "ipg=1000;oln=0;old=0;lossless=false;edf=false;"
				     "nondroppable=true;limit=1000;");
}

/* Only the flags the kernel vouches for (its selector) are printed. */
static void copt_flags_outside_selector_are_not_printed(void **state)
{
	json_mode = false;
	nest_start();
	put_flags(TCA_DWCS_CLASS_FLAGS, DWCS_CLASS_F_LOSSLESS | DWCS_CLASS_F_EDF,
		  DWCS_CLASS_F_LOSSLESS);
	print_copt();
	assert_string_equal(printed, "lossless ");
}

/* A module that sends no selector means every bit of the value. */
static void copt_flags_without_selector_use_the_value(void **state)
{
	json_mode = false;
	nest_start();
	put_flags(TCA_DWCS_CLASS_FLAGS, DWCS_CLASS_F_EDF, 0);
	print_copt();
	assert_string_equal(printed, "lossy edf droppable ");
}

/* ---------------------------------------------------------------- xstats */

static void xstats_class_text_lines(void **state)
{
	json_mode = false;
	nest_start();
	put_u32(TCA_DWCS_STATS_KIND, DWCS_STATS_KIND_CLASS);
	put_u64(TCA_DWCS_STATS_SENT_PKTS, 4);
	put_u64(TCA_DWCS_STATS_SENT_BYTES, 568);
	put_u32(TCA_DWCS_STATS_BACKLOG_PKTS, 1);
	put_u64(TCA_DWCS_STATS_DROP_LATE, 2);
	put_u64(TCA_DWCS_STATS_DEADLINE_MISSES, 3);
	put_u32(TCA_DWCS_STATS_CUR_X, 1);
	put_u32(TCA_DWCS_STATS_CUR_Y, 4);
	put_u64(TCA_DWCS_STATS_DELAY_SUM_NS, 4000);
	put_u64(TCA_DWCS_STATS_DELAY_MAX_NS, 2500);
	print_xstats();
	assert_string_equal(printed, " sent_packets 4 sent_bytes 568 backlog_packets 1 \n"
				     " drop_late 2 \n"
				     " deadline_misses 3 cur_x 1 cur_y 4 \n"
				     " delay_mean 1000ns delay_max 2500ns ");
}

static void xstats_qdisc_json(void **state)
{
	json_mode = true;
	nest_start();
	put_u32(TCA_DWCS_STATS_KIND, DWCS_STATS_KIND_QDISC);
	put_u64(TCA_DWCS_STATS_SENT_PKTS, 10);
	put_u32(TCA_DWCS_STATS_STREAMS, 2);
	put_u64(TCA_DWCS_STATS_BE_PKTS, 6);
	put_u64(TCA_DWCS_STATS_DELAY_SUM_NS, 100);
	print_xstats();
	assert_string_equal(printed, "sent_packets=10;streams=2;best_effort_packets=6;"
				     "delay_mean_ns=10;");
}

/* No packet sent: no mean (no division by zero), the maximum still shows. */
static void xstats_no_mean_without_packets(void **state)
{
	json_mode = false;
	nest_start();
	put_u64(TCA_DWCS_STATS_SENT_PKTS, 0);
	put_u64(TCA_DWCS_STATS_DELAY_SUM_NS, 50);
	put_u64(TCA_DWCS_STATS_DELAY_MAX_NS, 0);
	print_xstats();
	assert_string_equal(printed, " sent_packets 0 \n delay_max 0ns ");
}

static void xstats_short_and_unknown_are_skipped(void **state)
{
	__u16 half = 5;

	json_mode = false;
	nest_start();
	put(TCA_DWCS_STATS_DROP_OVERFLOW, &half, sizeof(half));
	put_u64(__TCA_DWCS_STATS_MAX + 1, 77);
	put_u64(TCA_DWCS_STATS_VIOLATIONS, 1);
	print_xstats();
	assert_string_equal(printed, " violations 1 ");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(qopt_every_option_text),
		cmocka_unit_test(qopt_every_option_json),
		cmocka_unit_test(qopt_rate_zero_is_unlimited),
		cmocka_unit_test(qopt_short_attributes_are_skipped),
		cmocka_unit_test(qopt_unknown_attributes_are_ignored),
		cmocka_unit_test(qopt_unknown_order_prints_its_number),
		cmocka_unit_test(qopt_rate_as_u32_is_read),
		cmocka_unit_test(qopt_empty_or_absent_prints_nothing),
		cmocka_unit_test(copt_every_option_text),
		cmocka_unit_test(copt_every_option_json),
		cmocka_unit_test(copt_flags_outside_selector_are_not_printed),
		cmocka_unit_test(copt_flags_without_selector_use_the_value),
		cmocka_unit_test(xstats_class_text_lines),
		cmocka_unit_test(xstats_qdisc_json),
		cmocka_unit_test(xstats_no_mean_without_packets),
		cmocka_unit_test(xstats_short_and_unknown_are_skipped),
	};

	return cmocka_run_group_tests_name("tc plugin q_dwcs printing", tests, NULL, NULL);
}
