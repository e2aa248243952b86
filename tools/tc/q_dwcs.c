// SPDX-License-Identifier: GPL-2.0
/*
 * q_dwcs.c — tc(8) support for the dwcs queueing discipline (kmod/sch_dwcs.ko).
 *
 * tc loads this file as $TC_LIB_DIR/q_dwcs.so when it meets the kind "dwcs" and uses the
 * struct qdisc_util named dwcs_qdisc_util: parse the qdisc's and the classes' options into
 * TCA_OPTIONS, print them back (text and -j), and print the xstats of `tc -s`.
 *
 * What is checked where. The plugin checks syntax: known words, each given once, numbers that
 * are numbers and fit their attribute, times and rates with known units. Ranges and relations
 * (limit 1..DWCS_MAX_LIMIT, ipg 1us..60s, oln <= old, a contiguous markmask, ...) are the
 * kernel's to check, so that one validator serves tc, libqsock and any netlink user, and tc
 * prints the kernel's extack message for them.
 *
 * Only the options the user wrote are sent; flags go as nla_bitfield32 value + selector, so
 * `tc qdisc change` and `tc class change` touch exactly what was given and keep the rest.
 *
 * Printing is tolerant: an absent, short or unknown attribute is skipped, never misread, so
 * this plugin and the module can be upgraded separately (uapi header: append-only).
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <linux/netlink.h>

#include "uapi/linux/pkt_sch_dwcs.h"
#include "tc_plugin_abi.h"

/* Room tc's request buffer leaves for one attribute; every iproute2 q_*.c passes 1024. */
#define DWCS_ATTR_MAX_LEN 1024

/* ---------------------------------------------------------------- usage */

static void dwcs_explain_qdisc(void)
{
	fprintf(stderr,
		"Usage: ... dwcs [ rate RATE | rate unlimited ] [ limit PACKETS ] [ markmask MASK ]\n"
		"                [ workconserving | nonworkconserving ]\n"
		"                [ order deadline | order window ] [ horizon TIME ]\n"
		"horizon: a packet's deadline further ahead is clamped to it (1ms..1h).\n"
		"Defaults: rate unlimited, limit %u, markmask %#x, nonworkconserving, order deadline,\n"
		"horizon 10s. Classes are streams: tc class add ... dwcs help. See tc-dwcs(8).\n",
		DWCS_DEFAULT_LIMIT, DWCS_DEFAULT_MARKMASK);
}

static void dwcs_explain_class(void)
{
	fprintf(stderr,
		"Usage: ... dwcs [ ipg TIME ] [ oln X ] [ old Y ] [ lossy | lossless ]\n"
		"                [ edf | noedf ] [ nondroppable | droppable ] [ limit PACKETS ]\n"
		"                [ maxrate RATE | maxrate unlimited ]\n"
		"TIME needs a unit: s, ms, us or ns (e.g. ipg 20ms). oln X old Y: at most X of any Y\n"
		"consecutive deadlines may be missed; oln 0 old 0 is pure EDF.\n"
		"maxrate: a byte-rate ceiling, the stream paced to it whatever its packets' size.\n"
		"Defaults: lossy, noedf, droppable, limit %u, maxrate unlimited. See tc-dwcs(8).\n",
		DWCS_DEFAULT_CLASS_LIMIT);
}

/* ---------------------------------------------------------------- value parsing */

struct dwcs_unit {
	const char *name;
	double scale;
};

/* Rates: tc(8)'s units, in bits per second; a bare number is bits per second. */
static const struct dwcs_unit dwcs_rate_units[] = {
	{ "bit", 1. },
	{ "kbit", 1e3 },
	{ "mbit", 1e6 },
	{ "gbit", 1e9 },
	{ "tbit", 1e12 },
	{ "kibit", 1024. },
	{ "mibit", 1048576. },
	{ "gibit", 1073741824. },
	{ "tibit", 1099511627776. },
	{ "bps", 8. },
	{ "kbps", 8e3 },
	{ "mbps", 8e6 },
	{ "gbps", 8e9 },
	{ "tbps", 8e12 },
	{ "kibps", 8. * 1024 },
	{ "mibps", 8. * 1048576 },
	{ "gibps", 8. * 1073741824 },
	{ "tibps", 8. * 1099511627776 },
};

/* Times, in nanoseconds. Deliberately no bare numbers: "ipg 20" is milliseconds in the paper
 * and microseconds in tc(8), so a unit is required rather than guessed.
 */
static const struct dwcs_unit dwcs_time_units[] = {
	{ "s", 1e9 },	  { "sec", 1e9 },   { "secs", 1e9 }, { "ms", 1e6 },
	{ "msec", 1e6 },  { "msecs", 1e6 }, { "us", 1e3 },   { "usec", 1e3 },
	{ "usecs", 1e3 }, { "ns", 1. },	    { "nsec", 1. },  { "nsecs", 1. },
};

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/*
 * Parse "<non-negative decimal><unit>" into value * scale, rounded to an integer that fits in
 * 64 bits. strtod() alone would also take "-1", "inf", "nan", "0x10" and leading blanks, none
 * of which is a rate or a time: the first character must be a digit or a point.
 * Returns 0, or -ERANGE (too big), -EINVAL (malformed), -ENOENT (unit unknown or missing).
 */
static int dwcs_parse_scaled(const char *str, const struct dwcs_unit *units, size_t nunits,
			     bool bare_ok, __u64 *out)
{
	const struct dwcs_unit *unit = NULL;
	double value;
	char *end;
	size_t i;

	if (!isdigit((unsigned char)str[0]) && str[0] != '.')
		return -EINVAL;
	if (strncasecmp(str, "0x", 2) == 0)
		return -EINVAL;
	value = strtod(str, &end);
	if (end == str || !isfinite(value))
		return -EINVAL;
	if (*end == '\0') {
		if (!bare_ok)
			return -ENOENT;
	} else {
		for (i = 0; i < nunits; i++) {
			if (strcasecmp(end, units[i].name) == 0) {
				unit = &units[i];
				break;
			}
		}
		if (!unit)
			return -ENOENT;
		value *= unit->scale;
	}
	/* 2^64 is exactly representable; anything at or above it does not fit. */
	if (value >= 18446744073709551616.0)
		return -ERANGE;
	*out = (__u64)llround(value);
	return 0;
}

/* A u32 in decimal (base 10) or C notation (base 0). tc's get_u32() alone would read
 * "-4294967295" as 1 through strtoul(), so a sign or blank is refused first.
 */
static int dwcs_parse_u32(const char *str, int base, __u32 *out)
{
	if (!isdigit((unsigned char)str[0]))
		return -EINVAL;
	return get_u32(out, str, base) ? -EINVAL : 0;
}

/* ---------------------------------------------------------------- the argument walk */

struct dwcs_args {
	int argc;
	char **argv;
	unsigned int given; /* bit per option: each may appear once */
};

/* The word after the current one, or NULL (and a message) when the line ends. */
static const char *dwcs_value(struct dwcs_args *a)
{
	if (a->argc < 2) {
		fprintf(stderr, "dwcs: \"%s\" needs a value\n", a->argv[0]);
		return NULL;
	}
	a->argc--;
	a->argv++;
	return a->argv[0];
}

/* Mark option @bit seen; refuse a second time (including the other word of a pair such as
 * lossy|lossless, which would otherwise let the last word silently win).
 */
static int dwcs_once(struct dwcs_args *a, unsigned int bit, const char *what)
{
	if (a->given & bit) {
		fprintf(stderr, "dwcs: \"%s\": %s may be given only once\n", a->argv[0], what);
		return -1;
	}
	a->given |= bit;
	return 0;
}

static int dwcs_bad_value(const char *opt, const char *value, const char *expected)
{
	fprintf(stderr, "dwcs: invalid %s \"%s\": expected %s\n", opt, value, expected);
	return -1;
}

/* A u32 option given once: mark @bit seen, then read the value after the word. */
static int dwcs_get_u32(struct dwcs_args *a, unsigned int bit, int base, __u32 *out,
			const char *expected)
{
	const char *opt = a->argv[0];
	const char *value;

	if (dwcs_once(a, bit, opt))
		return -1;
	value = dwcs_value(a);
	if (!value)
		return -1;
	if (dwcs_parse_u32(value, base, out))
		return dwcs_bad_value(opt, value, expected);
	return 0;
}

static int dwcs_put(struct nlmsghdr *n, int type, const void *data, int len)
{
	/* addattr_l() has already said "addattr_l ERROR: message exceeded bound of ..." */
	return addattr_l(n, DWCS_ATTR_MAX_LEN, type, data, len) ? -1 : 0;
}

/* A TIME with its unit for option @name, in nanoseconds; @range names what the kernel takes. */
static int dwcs_parse_time(struct dwcs_args *a, const char *name, const char *range, __u64 *ns)
{
	const char *value = dwcs_value(a);
	char expected[96];
	int err;

	if (!value)
		return -1;
	err = dwcs_parse_scaled(value, dwcs_time_units, ARRAY_LEN(dwcs_time_units), false, ns);
	if (err == -ENOENT)
		return dwcs_bad_value(name, value,
				      "a time with a unit: s, ms, us or ns (e.g. 20ms)");
	if (err == -ERANGE) {
		snprintf(expected, sizeof(expected), "a time below 2^64 ns (the kernel takes %s)",
			 range);
		return dwcs_bad_value(name, value, expected);
	}
	if (err)
		return dwcs_bad_value(name, value, "a non-negative time such as 20ms");
	return 0;
}

/* ---------------------------------------------------------------- qdisc options */

enum {
	QOPT_RATE = 1U << 0,
	QOPT_LIMIT = 1U << 1,
	QOPT_MARKMASK = 1U << 2,
	QOPT_CONSERVING = 1U << 3,
	QOPT_ORDER = 1U << 4,
	QOPT_HORIZON = 1U << 5,
};

static const char *const dwcs_order_names[__DWCS_ORDER_MAX] = {
	[DWCS_ORDER_DEADLINE_FIRST] = "deadline",
	[DWCS_ORDER_WINDOW_FIRST] = "window",
};

struct dwcs_qopt {
	__u64 rate;
	__u64 horizon;
	__u32 limit;
	__u32 markmask;
	__u8 order;
	struct nla_bitfield32 flags;
};

/* RATE or "unlimited" (0) for option @name, in bytes per second as the kernel counts. */
static int dwcs_parse_rate(struct dwcs_args *a, const char *name, __u64 *rate)
{
	const char *value = dwcs_value(a);
	__u64 bits;
	int err;

	if (!value)
		return -1;
	if (strcmp(value, "unlimited") == 0) {
		*rate = 0;
		return 0;
	}
	err = dwcs_parse_scaled(value, dwcs_rate_units, ARRAY_LEN(dwcs_rate_units), true, &bits);
	if (err == -ENOENT)
		return dwcs_bad_value(name, value,
				      "a unit: bit, kbit, mbit, gbit, tbit, bps, kbps, mbps, "
				      "gbps, tbps or their kibit/kibps forms");
	if (err == -ERANGE)
		return dwcs_bad_value(name, value, "a rate below 2^64 bit/s");
	if (err)
		return dwcs_bad_value(name, value, "a rate such as 10mbit, or unlimited");
	/* The kernel counts bytes per second; below 8 bit/s that is 0, which means unlimited. */
	if (bits < 8)
		return dwcs_bad_value(name, value,
				      "at least 8bit (1 byte/s), or unlimited");
	*rate = bits / 8;
	return 0;
}

static int dwcs_parse_order(struct dwcs_args *a, __u8 *order)
{
	const char *value = dwcs_value(a);
	unsigned int i;

	if (!value)
		return -1;
	for (i = 0; i < __DWCS_ORDER_MAX; i++) {
		if (strcmp(value, dwcs_order_names[i]) == 0) {
			*order = i;
			return 0;
		}
	}
	return dwcs_bad_value("order", value, "deadline (Table A) or window (Table B)");
}

static int dwcs_parse_qopt_words(struct dwcs_args *a, struct dwcs_qopt *o)
{
	for (; a->argc > 0; a->argc--, a->argv++) {
		const char *word = a->argv[0];
		int err;

		if (strcmp(word, "rate") == 0) {
			err = dwcs_once(a, QOPT_RATE, "rate") ?: dwcs_parse_rate(a, "rate", &o->rate);
		} else if (strcmp(word, "limit") == 0) {
			err = dwcs_get_u32(a, QOPT_LIMIT, 10, &o->limit, "a number of packets");
		} else if (strcmp(word, "markmask") == 0) {
			err = dwcs_get_u32(a, QOPT_MARKMASK, 0, &o->markmask,
					   "a 32-bit mask such as 0x1f000000, or 0");
		} else if (strcmp(word, "workconserving") == 0 ||
			   strcmp(word, "nonworkconserving") == 0) {
			err = dwcs_once(a, QOPT_CONSERVING, "workconserving|nonworkconserving");
			o->flags.selector |= TCA_DWCS_F_WORK_CONSERVING;
			if (word[0] == 'w')
				o->flags.value |= TCA_DWCS_F_WORK_CONSERVING;
		} else if (strcmp(word, "order") == 0) {
			err = dwcs_once(a, QOPT_ORDER, "order") ?: dwcs_parse_order(a, &o->order);
		} else if (strcmp(word, "horizon") == 0) {
			err = dwcs_once(a, QOPT_HORIZON, "horizon") ?:
			      dwcs_parse_time(a, "horizon", "1ms..1h", &o->horizon);
		} else if (strcmp(word, "help") == 0) {
			dwcs_explain_qdisc();
			return -1;
		} else {
			fprintf(stderr, "dwcs: unknown option \"%s\"\n", word);
			dwcs_explain_qdisc();
			return -1;
		}
		if (err)
			return -1;
	}
	return 0;
}

static int dwcs_parse_qopt(struct qdisc_util *qu, int argc, char **argv, struct nlmsghdr *n,
			   const char *dev)
{
	struct dwcs_args a = { .argc = argc, .argv = argv };
	struct dwcs_qopt o = {};
	struct rtattr *nest;
	int err = 0;

	if (dwcs_parse_qopt_words(&a, &o))
		return -1;

	/* NLA_F_NESTED lets the kernel parse the nest strictly; iproute2's helper omits it. */
	nest = addattr_nest(n, DWCS_ATTR_MAX_LEN, TCA_OPTIONS | NLA_F_NESTED);
	if (a.given & QOPT_RATE)
		err = err ?: dwcs_put(n, TCA_DWCS_RATE64, &o.rate, sizeof(o.rate));
	if (a.given & QOPT_LIMIT)
		err = err ?: dwcs_put(n, TCA_DWCS_LIMIT, &o.limit, sizeof(o.limit));
	if (a.given & QOPT_MARKMASK)
		err = err ?: dwcs_put(n, TCA_DWCS_MARKMASK, &o.markmask, sizeof(o.markmask));
	if (a.given & QOPT_CONSERVING)
		err = err ?: dwcs_put(n, TCA_DWCS_FLAGS, &o.flags, sizeof(o.flags));
	if (a.given & QOPT_ORDER)
		err = err ?: dwcs_put(n, TCA_DWCS_ORDER, &o.order, sizeof(o.order));
	if (a.given & QOPT_HORIZON)
		err = err ?: dwcs_put(n, TCA_DWCS_HORIZON, &o.horizon, sizeof(o.horizon));
	if (err)
		return -1;
	addattr_nest_end(n, nest);
	return 0;
}

/* ---------------------------------------------------------------- class options */

enum {
	COPT_IPG = 1U << 0,
	COPT_OLN = 1U << 1,
	COPT_OLD = 1U << 2,
	COPT_LOSS = 1U << 3,
	COPT_EDF = 1U << 4,
	COPT_DROP = 1U << 5,
	COPT_LIMIT = 1U << 6,
	COPT_MAXRATE = 1U << 7,
};

struct dwcs_copt {
	__u64 ipg;
	__u32 oln;
	__u32 old;
	__u32 limit;
	__u64 maxrate;
	struct nla_bitfield32 flags;
};

/* A class flag given as one word of its pair: the pair's bit goes into the selector, the
 * value bit is set when @word is the pair's "on" word.
 */
struct dwcs_flag_word {
	const char *word;
	unsigned int opt;
	__u32 bit;
	bool on;
	const char *pair;
};

static const struct dwcs_flag_word dwcs_class_flag_words[] = {
	{ "lossless", COPT_LOSS, DWCS_CLASS_F_LOSSLESS, true, "lossy|lossless" },
	{ "lossy", COPT_LOSS, DWCS_CLASS_F_LOSSLESS, false, "lossy|lossless" },
	{ "edf", COPT_EDF, DWCS_CLASS_F_EDF, true, "edf|noedf" },
	{ "noedf", COPT_EDF, DWCS_CLASS_F_EDF, false, "edf|noedf" },
	{ "nondroppable", COPT_DROP, DWCS_CLASS_F_NONDROPPABLE, true, "nondroppable|droppable" },
	{ "droppable", COPT_DROP, DWCS_CLASS_F_NONDROPPABLE, false, "nondroppable|droppable" },
};

static const struct dwcs_flag_word *dwcs_class_flag_word(const char *word)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(dwcs_class_flag_words); i++)
		if (strcmp(word, dwcs_class_flag_words[i].word) == 0)
			return &dwcs_class_flag_words[i];
	return NULL;
}

static int dwcs_parse_copt_words(struct dwcs_args *a, struct dwcs_copt *o)
{
	for (; a->argc > 0; a->argc--, a->argv++) {
		const char *word = a->argv[0];
		const struct dwcs_flag_word *fw;
		int err;

		if (strcmp(word, "ipg") == 0) {
			err = dwcs_once(a, COPT_IPG, "ipg") ?:
			      dwcs_parse_time(a, "ipg", "1us..60s", &o->ipg);
		} else if (strcmp(word, "oln") == 0) {
			err = dwcs_get_u32(a, COPT_OLN, 10, &o->oln,
					   "a number of deadlines (x of x/y)");
		} else if (strcmp(word, "old") == 0) {
			err = dwcs_get_u32(a, COPT_OLD, 10, &o->old,
					   "a window of deadlines (y of x/y)");
		} else if (strcmp(word, "limit") == 0) {
			err = dwcs_get_u32(a, COPT_LIMIT, 10, &o->limit, "a number of packets");
		} else if (strcmp(word, "maxrate") == 0) {
			err = dwcs_once(a, COPT_MAXRATE, "maxrate") ?:
			      dwcs_parse_rate(a, "maxrate", &o->maxrate);
		} else if ((fw = dwcs_class_flag_word(word))) {
			err = dwcs_once(a, fw->opt, fw->pair);
			o->flags.selector |= fw->bit;
			if (fw->on)
				o->flags.value |= fw->bit;
		} else if (strcmp(word, "help") == 0) {
			dwcs_explain_class();
			return -1;
		} else {
			fprintf(stderr, "dwcs: unknown class option \"%s\"\n", word);
			dwcs_explain_class();
			return -1;
		}
		if (err)
			return -1;
	}
	return 0;
}

static int dwcs_parse_copt(struct qdisc_util *qu, int argc, char **argv, struct nlmsghdr *n,
			   const char *dev)
{
	struct dwcs_args a = { .argc = argc, .argv = argv };
	struct dwcs_copt o = {};
	struct rtattr *nest;
	int err = 0;

	if (dwcs_parse_copt_words(&a, &o))
		return -1;

	nest = addattr_nest(n, DWCS_ATTR_MAX_LEN, TCA_OPTIONS | NLA_F_NESTED);
	if (a.given & COPT_IPG)
		err = err ?: dwcs_put(n, TCA_DWCS_CLASS_IPG, &o.ipg, sizeof(o.ipg));
	if (a.given & COPT_OLN)
		err = err ?: dwcs_put(n, TCA_DWCS_CLASS_OLN, &o.oln, sizeof(o.oln));
	if (a.given & COPT_OLD)
		err = err ?: dwcs_put(n, TCA_DWCS_CLASS_OLD, &o.old, sizeof(o.old));
	if (o.flags.selector)
		err = err ?: dwcs_put(n, TCA_DWCS_CLASS_FLAGS, &o.flags, sizeof(o.flags));
	if (a.given & COPT_LIMIT)
		err = err ?: dwcs_put(n, TCA_DWCS_CLASS_LIMIT, &o.limit, sizeof(o.limit));
	if (a.given & COPT_MAXRATE)
		err = err ?: dwcs_put(n, TCA_DWCS_CLASS_MAXRATE64, &o.maxrate, sizeof(o.maxrate));
	if (err)
		return -1;
	addattr_nest_end(n, nest);
	return 0;
}

/* ---------------------------------------------------------------- tolerant attribute reads */

/* Each returns false when the attribute is absent or too short for its type; a longer
 * payload (a future, wider attribute) is read from its start. memcpy: u64 payloads are only
 * 4-byte aligned in netlink messages.
 */
static bool dwcs_rta_u8(const struct rtattr *rta, __u8 *v)
{
	if (!rta || RTA_PAYLOAD(rta) < sizeof(*v))
		return false;
	memcpy(v, RTA_DATA(rta), sizeof(*v));
	return true;
}

static bool dwcs_rta_u32(const struct rtattr *rta, __u32 *v)
{
	if (!rta || RTA_PAYLOAD(rta) < sizeof(*v))
		return false;
	memcpy(v, RTA_DATA(rta), sizeof(*v));
	return true;
}

/* Counters are u64 in the uapi; a u32 one (an older or leaner kernel) is read as well. */
static bool dwcs_rta_u64(const struct rtattr *rta, __u64 *v)
{
	__u32 v32;

	if (rta && RTA_PAYLOAD(rta) >= sizeof(*v)) {
		memcpy(v, RTA_DATA(rta), sizeof(*v));
		return true;
	}
	if (dwcs_rta_u32(rta, &v32)) {
		*v = v32;
		return true;
	}
	return false;
}

/* The flags the kernel reports: the value bits it vouches for (its selector), or all of
 * them when it sends no selector.
 */
static bool dwcs_rta_flags(const struct rtattr *rta, __u32 *value, __u32 *known)
{
	struct nla_bitfield32 bf;

	if (!rta || RTA_PAYLOAD(rta) < sizeof(bf))
		return false;
	memcpy(&bf, RTA_DATA(rta), sizeof(bf));
	*value = bf.value;
	*known = bf.selector ?: ~0U;
	return true;
}

static void dwcs_parse_nest(struct rtattr *tb[], int max, struct rtattr *nest)
{
	parse_rtattr_flags(tb, max, RTA_DATA(nest), RTA_PAYLOAD(nest), NLA_F_NESTED);
}

/* One flag pair: JSON gets a boolean under @key, text the word that is in force. */
static void dwcs_print_flag(__u32 value, __u32 known, __u32 bit, const char *key, const char *on,
			    const char *off)
{
	if (!(known & bit))
		return;
	print_bool(PRINT_JSON, key, NULL, value & bit);
	print_string(PRINT_FP, NULL, "%s ", value & bit ? on : off);
}

static void dwcs_print_time(const char *key, const char *label, __u64 ns)
{
	char buf[SPRINT_BSIZE];
	char fmt[48];

	print_u64(PRINT_JSON, key, NULL, ns);
	snprintf(fmt, sizeof(fmt), "%s %%s ", label);
	print_string(PRINT_FP, NULL, fmt, sprint_time64((__s64)ns, buf));
}

/* ---------------------------------------------------------------- printing options */

static int dwcs_print_qopt(struct qdisc_util *qu, FILE *f, struct rtattr *opt)
{
	struct rtattr *tb[TCA_DWCS_MAX + 1];
	__u32 u32, known;
	__u64 rate, horizon;
	__u8 order;

	if (!opt)
		return 0;
	dwcs_parse_nest(tb, TCA_DWCS_MAX, opt);

	if (dwcs_rta_u64(tb[TCA_DWCS_RATE64], &rate)) {
		if (rate) {
			print_color_rate(use_iec, PRINT_ANY, COLOR_NONE, "rate", "rate %s ", rate);
		} else {
			print_u64(PRINT_JSON, "rate", NULL, 0);
			print_string(PRINT_FP, NULL, "rate %s ", "unlimited");
		}
	}
	if (dwcs_rta_u32(tb[TCA_DWCS_LIMIT], &u32))
		print_uint(PRINT_ANY, "limit", "limit %up ", u32);
	if (dwcs_rta_u32(tb[TCA_DWCS_MARKMASK], &u32))
		print_0xhex(PRINT_ANY, "markmask", "markmask %#llx ", u32);
	if (dwcs_rta_flags(tb[TCA_DWCS_FLAGS], &u32, &known))
		dwcs_print_flag(u32, known, TCA_DWCS_F_WORK_CONSERVING, "work_conserving",
				"workconserving", "nonworkconserving");
	if (dwcs_rta_u8(tb[TCA_DWCS_ORDER], &order)) {
		if (order < __DWCS_ORDER_MAX)
			print_string(PRINT_ANY, "order", "order %s ", dwcs_order_names[order]);
		else
			print_uint(PRINT_ANY, "order", "order %u ", order);
	}
	if (dwcs_rta_u64(tb[TCA_DWCS_HORIZON], &horizon))
		dwcs_print_time("horizon", "horizon", horizon);
	return 0;
}

static int dwcs_print_copt(struct qdisc_util *qu, FILE *f, struct rtattr *opt)
{
	struct rtattr *tb[TCA_DWCS_CLASS_MAX + 1];
	__u32 u32, known;
	__u64 ipg, maxrate;

	if (!opt)
		return 0;
	dwcs_parse_nest(tb, TCA_DWCS_CLASS_MAX, opt);

	if (dwcs_rta_u64(tb[TCA_DWCS_CLASS_IPG], &ipg))
		dwcs_print_time("ipg", "ipg", ipg);
	if (dwcs_rta_u32(tb[TCA_DWCS_CLASS_OLN], &u32))
		print_uint(PRINT_ANY, "oln", "oln %u ", u32);
	if (dwcs_rta_u32(tb[TCA_DWCS_CLASS_OLD], &u32))
		print_uint(PRINT_ANY, "old", "old %u ", u32);
	if (dwcs_rta_flags(tb[TCA_DWCS_CLASS_FLAGS], &u32, &known)) {
		dwcs_print_flag(u32, known, DWCS_CLASS_F_LOSSLESS, "lossless", "lossless", "lossy");
		dwcs_print_flag(u32, known, DWCS_CLASS_F_EDF, "edf", "edf", "noedf");
		dwcs_print_flag(u32, known, DWCS_CLASS_F_NONDROPPABLE, "nondroppable",
				"nondroppable", "droppable");
	}
	if (dwcs_rta_u32(tb[TCA_DWCS_CLASS_LIMIT], &u32))
		print_uint(PRINT_ANY, "limit", "limit %up ", u32);
	/* like the qdisc's rate: 0 is "unlimited" in text, 0 in JSON */
	if (dwcs_rta_u64(tb[TCA_DWCS_CLASS_MAXRATE64], &maxrate)) {
		if (maxrate)
			print_color_rate(use_iec, PRINT_ANY, COLOR_NONE, "maxrate", "maxrate %s ",
					 maxrate);
		else
			print_u64(PRINT_JSON, "maxrate", NULL, 0);
	}
	return 0;
}

/* ---------------------------------------------------------------- printing xstats */

/*
 * The counters of `tc -s`, for the qdisc and for each class alike: the kernel sends the ones
 * that apply (TCA_DWCS_STATS_KIND tells which set, but what is present is what is printed).
 * Text and JSON share the key, so `tc -s` output can be read by a script as "key value" pairs
 * as well as through -j. Fields on the same line number are printed on one text line.
 */
struct dwcs_stat {
	unsigned short attr;
	unsigned char line;
	const char *key;
};

static const struct dwcs_stat dwcs_stats[] = {
	{ TCA_DWCS_STATS_SENT_PKTS, 0, "sent_packets" },
	{ TCA_DWCS_STATS_SENT_BYTES, 0, "sent_bytes" },
	{ TCA_DWCS_STATS_BACKLOG_PKTS, 0, "backlog_packets" },
	{ TCA_DWCS_STATS_BACKLOG_BYTES, 0, "backlog_bytes" },
	{ TCA_DWCS_STATS_STREAMS, 1, "streams" },
	{ TCA_DWCS_STATS_ACTIVE_STREAMS, 1, "active_streams" },
	{ TCA_DWCS_STATS_BE_PKTS, 1, "best_effort_packets" },
	{ TCA_DWCS_STATS_THROTTLED, 1, "throttled" },
	{ TCA_DWCS_STATS_HORIZON_CAPS, 1, "horizon_caps" },
	{ TCA_DWCS_STATS_DROP_LATE, 2, "drop_late" },
	{ TCA_DWCS_STATS_DROP_OVERFLOW, 2, "drop_overflow" },
	{ TCA_DWCS_STATS_DROP_FRAME, 2, "drop_frame" },
	{ TCA_DWCS_STATS_DROP_WINDOW, 2, "drop_window" },
	{ TCA_DWCS_STATS_DROP_NONDROPPABLE, 2, "drop_nondroppable" },
	{ TCA_DWCS_STATS_LATE_SENT, 3, "late_sent" },
	{ TCA_DWCS_STATS_DEADLINE_MISSES, 3, "deadline_misses" },
	{ TCA_DWCS_STATS_VIOLATIONS, 3, "violations" },
	{ TCA_DWCS_STATS_CUR_X, 3, "cur_x" },
	{ TCA_DWCS_STATS_CUR_Y, 3, "cur_y" },
};

#define DWCS_STATS_LINES 5 /* the lines above, then the delays */

/* Start a text line: a newline before every line but the first, one space of indent. */
static void dwcs_stats_line(bool *first_line)
{
	if (!*first_line)
		print_nl();
	*first_line = false;
	print_string(PRINT_FP, NULL, "%s", " ");
}

static void dwcs_print_delays(struct rtattr *st[], bool *first_line)
{
	__u64 sum, max, sent;
	bool have_mean, have_max;

	have_mean = dwcs_rta_u64(st[TCA_DWCS_STATS_DELAY_SUM_NS], &sum) &&
		    dwcs_rta_u64(st[TCA_DWCS_STATS_SENT_PKTS], &sent) && sent;
	have_max = dwcs_rta_u64(st[TCA_DWCS_STATS_DELAY_MAX_NS], &max);
	if (!have_mean && !have_max)
		return;
	dwcs_stats_line(first_line);
	if (have_mean)
		dwcs_print_time("delay_mean_ns", "delay_mean", sum / sent);
	if (have_max)
		dwcs_print_time("delay_max_ns", "delay_max", max);
}

static int dwcs_print_xstats(struct qdisc_util *qu, FILE *f, struct rtattr *xstats)
{
	struct rtattr *st[TCA_DWCS_STATS_MAX + 1];
	bool first_line = true;
	unsigned int line;
	size_t i;
	__u64 v;

	if (!xstats)
		return 0;
	dwcs_parse_nest(st, TCA_DWCS_STATS_MAX, xstats);

	for (line = 0; line < DWCS_STATS_LINES - 1; line++) {
		bool started = false;

		for (i = 0; i < ARRAY_LEN(dwcs_stats); i++) {
			char fmt[48];

			if (dwcs_stats[i].line != line || !dwcs_rta_u64(st[dwcs_stats[i].attr], &v))
				continue;
			if (!started)
				dwcs_stats_line(&first_line);
			started = true;
			snprintf(fmt, sizeof(fmt), "%s %%llu ", dwcs_stats[i].key);
			print_u64(PRINT_ANY, dwcs_stats[i].key, fmt, v);
		}
	}
	dwcs_print_delays(st, &first_line);
	return 0;
}

/* Exported: tc finds it with dlsym(handle, "dwcs_qdisc_util"). */
__attribute__((visibility("default"))) struct qdisc_util dwcs_qdisc_util = {
	.id = "dwcs",
	.parse_qopt = dwcs_parse_qopt,
	.print_qopt = dwcs_print_qopt,
	.print_xstats = dwcs_print_xstats,
	.parse_copt = dwcs_parse_copt,
	.print_copt = dwcs_print_copt,
};
