/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tc_plugin_abi.h — the part of iproute2's tc that a qdisc plugin (q_<kind>.so) links against.
 *
 * Debian ships no development headers for tc plugins, so this file declares, by hand, exactly
 * what q_dwcs.c uses, as iproute2 6.1.0 (Debian 12's tc) defines it. tc is linked with
 * -export-dynamic; every function and variable below is in `nm -D /usr/sbin/tc`, and
 * test/bats/tc-dwcs-parse.bats checks that each symbol the plugin imports is exported there.
 *
 * ABI notes (iproute2 6.1.0 tc/tc_util.h, include/json_print.h, include/color.h):
 * - struct qdisc_util's field order is the ABI: tc dlopen()s q_dwcs.so and reads the object
 *   named "dwcs_qdisc_util" through it. Later iproute2 releases only added `const` to the
 *   callbacks' first parameter, which does not change the layout.
 * - The print_<type>() helpers are static inline wrappers in iproute2 around the exported
 *   print_color_<type>(); they are redeclared here the same way.
 * - enum color_attr's COLOR_NONE is its 7th value (6).
 */
#ifndef QSOCK_TC_PLUGIN_ABI_H
#define QSOCK_TC_PLUGIN_ABI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <linux/types.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

struct qdisc_util {
	struct qdisc_util *next;
	const char *id;
	int (*parse_qopt)(struct qdisc_util *qu, int argc, char **argv, struct nlmsghdr *n,
			  const char *dev);
	int (*print_qopt)(struct qdisc_util *qu, FILE *f, struct rtattr *opt);
	int (*print_xstats)(struct qdisc_util *qu, FILE *f, struct rtattr *xstats);
	int (*parse_copt)(struct qdisc_util *qu, int argc, char **argv, struct nlmsghdr *n,
			  const char *dev);
	int (*print_copt)(struct qdisc_util *qu, FILE *f, struct rtattr *opt);
	int (*has_block)(struct qdisc_util *qu, struct rtattr *opt, __u32 block_idx, bool *p_has);
};

/* Netlink message building and parsing (lib/libnetlink.c). */
int addattr_l(struct nlmsghdr *n, int maxlen, int type, const void *data, int alen);
struct rtattr *addattr_nest(struct nlmsghdr *n, int maxlen, int type);
int addattr_nest_end(struct nlmsghdr *n, struct rtattr *nest);
int parse_rtattr_flags(struct rtattr *tb[], int max, struct rtattr *rta, int len,
		       unsigned short flags);

/* Number parsing (lib/utils.c): 0 on success, -1 on a malformed or out-of-range value. */
int get_u32(__u32 *val, const char *arg, int base);

/* Text and JSON output (lib/json_print.c): one call serves `tc` and `tc -j`. */
enum output_type {
	PRINT_FP = 1, /* text only */
	PRINT_JSON = 2, /* JSON only */
	PRINT_ANY = 4, /* whichever tc is producing */
};

enum color_attr {
	COLOR_IFNAME,
	COLOR_MAC,
	COLOR_INET,
	COLOR_INET6,
	COLOR_OPERSTATE_UP,
	COLOR_OPERSTATE_DOWN,
	COLOR_NONE
};

int print_color_uint(enum output_type t, enum color_attr color, const char *key, const char *fmt,
		     unsigned int value);
int print_color_u64(enum output_type t, enum color_attr color, const char *key, const char *fmt,
		    uint64_t value);
int print_color_string(enum output_type t, enum color_attr color, const char *key, const char *fmt,
		       const char *value);
int print_color_bool(enum output_type t, enum color_attr color, const char *key, const char *fmt,
		     bool value);
int print_color_0xhex(enum output_type t, enum color_attr color, const char *key, const char *fmt,
		      unsigned long long value);
/* JSON: bytes per second as a number; text: bits per second with a unit (use_iec: 1024). */
int print_color_rate(bool use_iec, enum output_type t, enum color_attr color, const char *key,
		     const char *fmt, unsigned long long rate);

static inline int print_uint(enum output_type t, const char *key, const char *fmt,
			     unsigned int value)
{
	return print_color_uint(t, COLOR_NONE, key, fmt, value);
}

static inline int print_u64(enum output_type t, const char *key, const char *fmt, uint64_t value)
{
	return print_color_u64(t, COLOR_NONE, key, fmt, value);
}

static inline int print_string(enum output_type t, const char *key, const char *fmt,
			       const char *value)
{
	return print_color_string(t, COLOR_NONE, key, fmt, value);
}

static inline int print_bool(enum output_type t, const char *key, const char *fmt, bool value)
{
	return print_color_bool(t, COLOR_NONE, key, fmt, value);
}

static inline int print_0xhex(enum output_type t, const char *key, const char *fmt,
			      unsigned long long value)
{
	return print_color_0xhex(t, COLOR_NONE, key, fmt, value);
}

void open_json_object(const char *str);
void close_json_object(void);
bool is_json_context(void);
/* A newline in text output, nothing in JSON. */
void print_nl(void);

/* "1.5ms", "20us", "3s": three significant digits, into a buffer of SPRINT_BSIZE bytes. */
#define SPRINT_BSIZE 64
char *sprint_time64(__s64 time, char *buf);

/* tc's command-line switches: -iec. */
extern int use_iec;

#endif /* QSOCK_TC_PLUGIN_ABI_H */
