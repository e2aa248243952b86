// SPDX-License-Identifier: GPL-2.0
/*
 * diag.c — `file:line: key: reason` diagnostics and typed, range-checked getters over
 * libconfig. See diag.h for the contract.
 *
 * libconfig silently converts nothing we do not ask for (auto-convert stays off), so a
 * wrong type is always reported rather than coerced: `oln = "3"` is an error, not 3.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"

void conf_diag_init(struct conf_diag *d, const char *file, FILE *out)
{
	d->file = file;
	d->out = out;
	d->errors = 0;
	d->first[0] = '\0';
	d->collect = false;
	d->list = NULL;
	d->n_list = d->cap_list = 0;
}

const char *conf_type_name(int type)
{
	switch (type) {
	case CONFIG_TYPE_GROUP:
		return "a group";
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		return "an integer";
	case CONFIG_TYPE_FLOAT:
		return "a float";
	case CONFIG_TYPE_STRING:
		return "a string";
	case CONFIG_TYPE_BOOL:
		return "a boolean";
	case CONFIG_TYPE_ARRAY:
		return "an array";
	case CONFIG_TYPE_LIST:
		return "a list";
	default:
		return "nothing";
	}
}

/* Build the path recursively so that the root comes first; BUF always stays terminated. */
static size_t path_append(const config_setting_t *s, char *buf, size_t len)
{
	const config_setting_t *parent = config_setting_parent(s);
	size_t used;
	int n;

	if (!parent)
		return 0; /* the root has no name */
	used = path_append(parent, buf, len);
	if (used >= len)
		return used;
	if (config_setting_name(s))
		n = snprintf(buf + used, len - used, "%s%s", used ? "." : "", config_setting_name(s));
	else
		n = snprintf(buf + used, len - used, "[%d]", config_setting_index(s));
	return n < 0 ? used : used + (size_t)n;
}

const char *conf_setting_path(const config_setting_t *s, char *buf, size_t len)
{
	if (!len)
		return buf;
	buf[0] = '\0';
	if (s)
		path_append(s, buf, len);
	if (!buf[0])
		snprintf(buf, len, "(top level)");
	return buf;
}

static const char *setting_file(const struct conf_diag *d, const config_setting_t *s)
{
	const char *f = s ? config_setting_source_file(s) : NULL;

	if (f)
		return f;
	return d->file ? d->file : "(config)";
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

/* Keep one message; out of memory, it is printed instead (never lost). */
static bool keep(struct conf_diag *d, const char *file, unsigned int line, const char *key,
		 const char *reason, bool syntax)
{
	struct conf_diag_entry *e;

	if (d->n_list == d->cap_list) {
		unsigned int cap = d->cap_list ? d->cap_list * 2 : 16;

		e = realloc(d->list, cap * sizeof(*e));
		if (!e)
			return false;
		d->list = e;
		d->cap_list = cap;
	}
	e = &d->list[d->n_list];
	e->file = strdup(file);
	e->key = dup_or_null(key);
	e->reason = strdup(reason);
	e->line = line;
	e->syntax = syntax;
	if (!e->file || !e->reason || (key && !e->key)) {
		free(e->file);
		free(e->key);
		free(e->reason);
		return false;
	}
	d->n_list++;
	return true;
}

const char *conf_diag_format(const struct conf_diag_entry *e, char *buf, size_t len)
{
	const char *key = e->syntax ? "(syntax)" : e->key;
	char at[24] = "";

	if (e->line)
		snprintf(at, sizeof(at), ":%u", e->line);
	if (key)
		snprintf(buf, len, "%s%s: %s: %s", e->file, at, key, e->reason);
	else
		snprintf(buf, len, "%s%s: %s", e->file, at, e->reason);
	return buf;
}

/* Every message goes through here: FILE[:LINE]: [KEY: ]REASON. */
static void emit(struct conf_diag *d, const char *file, unsigned int line, const char *key,
		 const char *reason, bool syntax)
{
	struct conf_diag_entry e = { .file = (char *)file, .line = line, .key = (char *)key,
				     .reason = (char *)reason, .syntax = syntax };
	char msg[1024];

	conf_diag_format(&e, msg, sizeof(msg));
	if (!d->errors) {
		size_t n = strnlen(msg, sizeof(d->first) - 1);

		memcpy(d->first, msg, n);
		d->first[n] = '\0';
	}
	d->errors++;
	if (d->collect && keep(d, file, line, key, reason, syntax))
		return;
	if (d->out)
		fprintf(d->out, "%s\n", msg);
}

void conf_diag_collect(struct conf_diag *d)
{
	d->collect = true;
}

void conf_diag_sort(struct conf_diag *d)
{
	unsigned int i, j;

	/* insertion sort: stable, and files have few errors */
	for (i = 1; i < d->n_list; i++) {
		struct conf_diag_entry e = d->list[i];

		for (j = i; j > 0 && d->list[j - 1].line > e.line; j--)
			d->list[j] = d->list[j - 1];
		d->list[j] = e;
	}
}

void conf_diag_free(struct conf_diag *d)
{
	for (unsigned int i = 0; i < d->n_list; i++) {
		free(d->list[i].file);
		free(d->list[i].key);
		free(d->list[i].reason);
	}
	free(d->list);
	d->list = NULL;
	d->n_list = d->cap_list = 0;
}

int conf_diag_error(struct conf_diag *d, const config_setting_t *s, const char *key,
		    const char *fmt, ...)
{
	char path[256], reason[384];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	if (!key)
		key = conf_setting_path(s, path, sizeof(path));
	emit(d, setting_file(d, s), s ? config_setting_source_line(s) : 0, key, reason, false);
	return -EINVAL;
}

int conf_diag_read_error(struct conf_diag *d, const config_t *cfg, int read_errno)
{
	const char *file = config_error_file(cfg) ? config_error_file(cfg) : d->file;
	int line = config_error_line(cfg);

	if (config_error_type(cfg) == CONFIG_ERR_FILE_IO) {
		int err = read_errno ? read_errno : EIO;

		return conf_diag_file_error(d, file ? file : "(config)", err);
	}
	/* libconfig says "syntax error"; the line is the one its scanner stopped at. */
	emit(d, file ? file : "(config)", line > 0 ? (unsigned int)line : 0, NULL,
	     config_error_text(cfg) ? config_error_text(cfg) : "parse error", true);
	return -EINVAL;
}

int conf_diag_file_error(struct conf_diag *d, const char *path, int err)
{
	return conf_diag_file_reason(d, path, strerror(err), err);
}

int conf_diag_file_reason(struct conf_diag *d, const char *path, const char *reason, int err)
{
	char msg[512];

	snprintf(msg, sizeof(msg), "cannot read: %s", reason);
	emit(d, path, 0, NULL, msg, false);
	return -err;
}

int conf_diag_include_error(struct conf_diag *d, const char *path, int line)
{
	emit(d, path, line > 0 ? (unsigned int)line : 0, "@include",
	     "not supported: qsock.conf is one file", false);
	return -EINVAL;
}

/* Edit distance, bounded: only short keys are compared, so a fixed row is enough. */
static unsigned int edit_distance(const char *a, const char *b)
{
	unsigned int row[33], i, j, la = strlen(a), lb = strlen(b);

	if (la > 32 || lb > 32)
		return 99;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		unsigned int diag = row[0];

		row[0] = i;
		for (j = 1; j <= lb; j++) {
			unsigned int up = row[j];
			unsigned int best = diag + (a[i - 1] != b[j - 1]);

			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

int conf_diag_check_keys(struct conf_diag *d, const config_setting_t *group,
			 const char *const *allowed)
{
	int i, n, ret = 0;

	if (!config_setting_is_group(group))
		return conf_diag_error(d, group, NULL, "must be a group { ... }, not %s",
				       conf_type_name(config_setting_type(group)));
	n = config_setting_length(group);
	for (i = 0; i < n; i++) {
		const config_setting_t *m = config_setting_get_elem(group, i);
		const char *name = config_setting_name(m), *hint = NULL;
		const char *const *a;
		unsigned int best = 3;

		for (a = allowed; *a; a++) {
			unsigned int dist;

			if (!strcmp(*a, name))
				break;
			dist = edit_distance(*a, name);
			if (dist < best) {
				best = dist;
				hint = *a;
			}
		}
		if (*a)
			continue;
		if (hint)
			ret = conf_diag_error(d, m, NULL, "unknown key (did you mean \"%s\"?)", hint);
		else
			ret = conf_diag_error(d, m, NULL, "unknown key");
	}
	return ret;
}

int conf_get_int(struct conf_diag *d, const config_setting_t *group, const char *name,
		 long long min, long long max, long long *value)
{
	const config_setting_t *s = config_setting_get_member(group, name);
	long long v;

	if (!s)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_INT && config_setting_type(s) != CONFIG_TYPE_INT64)
		return conf_diag_error(d, s, NULL, "must be an integer, not %s",
				       conf_type_name(config_setting_type(s)));
	v = config_setting_get_int64(s);
	if (v < min || v > max)
		return conf_diag_error(d, s, NULL, "%lld is out of range %lld..%lld", v, min, max);
	*value = v;
	return 1;
}

int conf_get_bool(struct conf_diag *d, const config_setting_t *group, const char *name,
		  bool *value)
{
	const config_setting_t *s = config_setting_get_member(group, name);

	if (!s)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_BOOL)
		return conf_diag_error(d, s, NULL, "must be true or false, not %s",
				       conf_type_name(config_setting_type(s)));
	*value = config_setting_get_bool(s);
	return 1;
}

int conf_get_string(struct conf_diag *d, const config_setting_t *group, const char *name,
		    size_t max_len, const char **value)
{
	const config_setting_t *s = config_setting_get_member(group, name);
	const char *v;

	if (!s)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		return conf_diag_error(d, s, NULL, "must be a string, not %s",
				       conf_type_name(config_setting_type(s)));
	v = config_setting_get_string(s);
	if (!*v)
		return conf_diag_error(d, s, NULL, "must not be empty");
	if (strlen(v) > max_len)
		return conf_diag_error(d, s, NULL, "\"%s\" is longer than %zu characters", v,
				       max_len);
	*value = v;
	return 1;
}

int conf_get_enum(struct conf_diag *d, const config_setting_t *group, const char *name,
		  const char *const *choices, int *index)
{
	char list[256] = "";
	const char *v;
	size_t used = 0;
	int i, ret;

	ret = conf_get_string(d, group, name, 64, &v);
	if (ret <= 0)
		return ret;
	for (i = 0; choices[i]; i++) {
		if (!strcmp(choices[i], v)) {
			*index = i;
			return 1;
		}
		if (used < sizeof(list))
			used += snprintf(list + used, sizeof(list) - used, "%s%s", i ? ", " : "",
					 choices[i]);
	}
	return conf_diag_error(d, config_setting_get_member(group, name), NULL,
			       "\"%s\" is not one of: %s", v, list);
}

/* Split "1.5ms" into a non-negative number and a suffix. */
static int split_number(const char *s, double *num, const char **suffix)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	if (!isdigit((unsigned char)*s) && *s != '.')
		return -EINVAL;
	errno = 0;
	*num = strtod(s, &end);
	if (errno || end == s || !isfinite(*num) || *num < 0)
		return -EINVAL;
	while (isspace((unsigned char)*end))
		end++;
	*suffix = end;
	return 0;
}

static int to_u64(double v, unsigned long long *out)
{
	if (v >= 18446744073709551615.0)
		return -EINVAL;
	*out = (unsigned long long)(v + 0.5);
	return 0;
}

int conf_parse_duration_ns(const char *s, unsigned long long default_unit_ns,
			   unsigned long long *ns)
{
	static const struct {
		const char *name;
		double ns;
	} units[] = { { "ns", 1 }, { "us", 1e3 }, { "ms", 1e6 }, { "s", 1e9 }, { "", 0 } };
	const char *suffix;
	double v;
	int i;

	if (split_number(s, &v, &suffix))
		return -EINVAL;
	for (i = 0; units[i].name[0]; i++)
		if (!strcmp(suffix, units[i].name))
			return to_u64(v * units[i].ns, ns);
	if (!*suffix)
		return to_u64(v * (double)default_unit_ns, ns);
	return -EINVAL;
}

int conf_parse_rate_Bps(const char *s, unsigned long long *Bps)
{
	static const struct {
		const char *name;
		double bytes; /* bytes per second per unit */
	} units[] = {
		{ "bit", 1.0 / 8 },   { "kbit", 1e3 / 8 },	{ "mbit", 1e6 / 8 },
		{ "gbit", 1e9 / 8 },  { "bps", 1 },	{ "kbps", 1e3 },
		{ "mbps", 1e6 },      { "gbps", 1e9 },	{ "kbyte", 1e3 },
		{ "mbyte", 1e6 },     { "", 0 },
	};
	const char *suffix;
	double v;
	int i;

	if (split_number(s, &v, &suffix))
		return -EINVAL;
	if (!*suffix)
		return to_u64(v / 8, Bps);
	for (i = 0; units[i].name[0]; i++)
		if (!strcasecmp(suffix, units[i].name))
			return to_u64(v * units[i].bytes, Bps);
	return -EINVAL;
}

/* VALUE in the largest of UNITS (largest first) that divides it, else as a decimal in the
 * largest one not above it. */
struct unit {
	const char *name;
	double scale;
};

static const char *format_units(double value, const struct unit *units, char *buf, size_t len)
{
	const struct unit *u;

	for (u = units; u->name; u++) {
		double q = value / u->scale;

		if (value >= u->scale && q == (double)(unsigned long long)q && q < 1e15) {
			snprintf(buf, len, "%llu%s", (unsigned long long)q, u->name);
			return buf;
		}
	}
	for (u = units; u->name && value < u->scale && u[1].name; u++)
		;
	snprintf(buf, len, "%.6g%s", value / u->scale, u->name);
	return buf;
}

const char *conf_format_duration(unsigned long long ns, char *buf, size_t len)
{
	static const struct unit units[] = {
		{ "s", 1e9 }, { "ms", 1e6 }, { "us", 1e3 }, { "ns", 1 }, { NULL, 0 },
	};

	if (!ns) {
		snprintf(buf, len, "0");
		return buf;
	}
	return format_units((double)ns, units, buf, len);
}

const char *conf_format_rate_Bps(unsigned long long Bps, char *buf, size_t len)
{
	static const struct unit units[] = {
		{ "gbit", 1e9 }, { "mbit", 1e6 }, { "kbit", 1e3 }, { "bit", 1 }, { NULL, 0 },
	};

	if (!Bps) {
		snprintf(buf, len, "0bit");
		return buf;
	}
	return format_units((double)Bps * 8, units, buf, len);
}

/* Integer or string setting → unsigned value through PARSE; shared by durations and rates.
 * INT_UNIT names an integer's unit, FORMAT writes values in the user's units. */
static int get_scaled(struct conf_diag *d, const config_setting_t *group, const char *name,
		      unsigned long long int_scale, bool int_divides, const char *int_unit,
		      const char *what, unsigned long long min, unsigned long long max,
		      unsigned long long *out,
		      int (*parse)(const char *, unsigned long long, unsigned long long *),
		      const char *(*format)(unsigned long long, char *, size_t))
{
	const config_setting_t *s = config_setting_get_member(group, name);
	char given[80], lo[32], hi[32];
	unsigned long long v;

	if (!s)
		return 0;
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64: {
		long long i = config_setting_get_int64(s);

		if (i < 0)
			return conf_diag_error(d, s, NULL, "%lld is negative", i);
		v = int_divides ? (unsigned long long)i / int_scale : (unsigned long long)i * int_scale;
		snprintf(given, sizeof(given), "%lld%s", i, int_unit);
		if (!int_divides && i && v / int_scale != (unsigned long long)i)
			v = ULLONG_MAX; /* overflow: surely out of range */
		break;
	}
	case CONFIG_TYPE_STRING: {
		const char *str = config_setting_get_string(s);

		if (parse(str, int_scale, &v))
			return conf_diag_error(d, s, NULL, "\"%s\" is not %s", str, what);
		while (isspace((unsigned char)*str))
			str++;
		snprintf(given, sizeof(given), "%s", str);
		break;
	}
	default:
		return conf_diag_error(d, s, NULL, "must be %s, not %s", what,
				       conf_type_name(config_setting_type(s)));
	}
	if (v < min || v > max)
		return conf_diag_error(d, s, NULL, "%s is out of range %s..%s", given,
				       format(min, lo, sizeof(lo)), format(max, hi, sizeof(hi)));
	*out = v;
	return 1;
}

int conf_get_duration_ns(struct conf_diag *d, const config_setting_t *group, const char *name,
			 unsigned long long default_unit_ns, unsigned long long min,
			 unsigned long long max, unsigned long long *ns)
{
	const char *unit = default_unit_ns == 1000000 ? "ms" : default_unit_ns == 1000 ? "us" : "ns";
	char what[96];

	snprintf(what, sizeof(what), "a duration (\"10ms\", \"250us\", \"1s\", or an integer in %s)",
		 unit);
	return get_scaled(d, group, name, default_unit_ns, false, unit, what, min, max, ns,
			  conf_parse_duration_ns, conf_format_duration);
}

static int parse_rate(const char *s, unsigned long long unused, unsigned long long *Bps)
{
	return conf_parse_rate_Bps(s, Bps);
}

int conf_get_rate_Bps(struct conf_diag *d, const config_setting_t *group, const char *name,
		      unsigned long long min, unsigned long long max, unsigned long long *Bps)
{
	return get_scaled(d, group, name, 8, true, "bit",
			  "a rate (\"10mbit\", \"1gbit\", \"500kbyte\", or bits per second)", min,
			  max, Bps, parse_rate, conf_format_rate_Bps);
}
