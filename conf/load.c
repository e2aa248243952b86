// SPDX-License-Identifier: GPL-2.0
/*
 * load.c — qsock.conf → struct conf, validating everything first.
 *
 * Every key is checked for presence, type and range, unknown keys are errors (a typo must
 * not silently disable QoS), and the loader goes on after an error so that one run of
 * `qsock check` lists every problem. Only when the whole file is valid is the result kept:
 * a half-loaded rule set could match sockets the operator never meant to touch.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "ids.h"
#include "readfile.h"
#include "uapi/linux/pkt_sch_dwcs.h"

static const char *const top_keys[] = { "version", "shim", "streams", "policy", NULL };
static const char *const shim_keys[] = { "enabled", "debug", "exec_keep_env", "max_fds", NULL };
static const char *const stream_keys[] = {
	"name", "match",	"scheduler", "dev",  "ipg",	 "oln", "old",
	"lossless", "nondroppable", "limit",	 "rate", "messages", "dscp",
	"dscp_override", "bitrate", "fps", "packet_size", "window", "share", NULL,
};
static const char *const share_names[] = { "socket", "process", NULL };
static const char *const match_keys[] = {
	"protocol", "local_port", "remote_port", "local_address", "remote_address",
	"process",  "user",	  "unit",	 "cgroup",	  NULL,
};
static const char *const msg_keys[] = {
	"name",	    "preset",	     "bytes",	     "length",	    "every",	"continue",
	"nondroppable", "drop_priority", "frame_start", "frame_end", "deadline", "fps", NULL,
};
static const char *const byte_keys[] = { "offset", "value", "mask", NULL };
/* in enum conf_sched order */
static const char *const sched_names[] = { "dwcs", "htb", "dwcs-bpf", "none", NULL };
static const char *const proto_names[] = { "any", "udp", "tcp", NULL };

void conf_init_defaults(struct conf *c)
{
	memset(c, 0, sizeof(*c));
	c->shim.enabled = true;
	c->shim.debug = CONF_DEFAULT_DEBUG;
	c->shim.exec_keep_env = true;
	c->shim.max_fds = CONF_DEFAULT_MAX_FDS;
}

void conf_free(struct conf *c)
{
	unsigned int i, j;

	for (i = 0; i < c->n_streams; i++) {
		for (j = 0; j < c->streams[i].match.n_process; j++)
			free(c->streams[i].match.process[j]);
		for (j = 0; j < c->streams[i].match.n_cgroups; j++)
			free(c->streams[i].match.cgroups[j]);
		for (j = 0; j < c->streams[i].match.n_units; j++)
			free(c->streams[i].match.units[j]);
		conf_msg_prog_free(&c->streams[i]);
	}
	free(c->streams);
	conf_init_defaults(c);
}

/* ------------------------------------------------------------------ value lists */

/* A key that takes one value or a list/array of them: calls PARSE on each element. */
static int for_each_value(struct conf_diag *d, const config_setting_t *group, const char *name,
			  unsigned int *n, void *ctx,
			  int (*parse)(struct conf_diag *, const config_setting_t *, unsigned int, void *))
{
	const config_setting_t *s = config_setting_get_member(group, name);
	int i, len, ret = 0;

	if (!s)
		return 0;
	if (!config_setting_is_array(s) && !config_setting_is_list(s)) {
		*n = 0;
		ret = parse(d, s, 0, ctx);
		if (!ret)
			*n = 1;
		return ret;
	}
	len = config_setting_length(s);
	if (len == 0)
		return conf_diag_error(d, s, NULL, "must not be an empty list");
	if (len > CONF_MAX_LIST)
		return conf_diag_error(d, s, NULL, "has %d entries, at most %d are allowed", len,
				       CONF_MAX_LIST);
	for (i = 0; i < len; i++) {
		int err = parse(d, config_setting_get_elem(s, i), (unsigned int)i, ctx);

		if (err)
			ret = err;
	}
	if (!ret)
		*n = (unsigned int)len;
	return ret;
}

static int parse_port(struct conf_diag *d, const config_setting_t *s, unsigned int i, void *ctx)
{
	struct conf_port_range *r = (struct conf_port_range *)ctx + i;
	long lo, hi;
	char *end;

	switch (config_setting_type(s)) {
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		lo = hi = (long)config_setting_get_int64(s);
		break;
	case CONFIG_TYPE_STRING: {
		const char *v = config_setting_get_string(s);

		lo = strtol(v, &end, 10);
		if (end == v)
			return conf_diag_error(d, s, NULL, "\"%s\" is not a port or range (\"5000-5010\")",
					       v);
		if (*end == '-') {
			const char *h = end + 1;

			hi = strtol(h, &end, 10);
			if (end == h)
				return conf_diag_error(d, s, NULL,
						       "\"%s\" is not a port or range (\"5000-5010\")", v);
		} else {
			hi = lo;
		}
		if (*end)
			return conf_diag_error(d, s, NULL, "\"%s\" is not a port or range (\"5000-5010\")",
					       v);
		if (lo > hi)
			return conf_diag_error(d, s, NULL, "range \"%s\" ends before it starts", v);
		break;
	}
	default:
		return conf_diag_error(d, s, NULL, "must be a port, a \"lo-hi\" range or a list of them, not %s",
				       conf_type_name(config_setting_type(s)));
	}
	if (lo < 1 || hi > 65535)
		return conf_diag_error(d, s, NULL, "port %ld is out of range 1..65535", lo < 1 ? lo : hi);
	r->lo = (uint16_t)lo;
	r->hi = (uint16_t)hi;
	return 0;
}

static int parse_prefix(struct conf_diag *d, const config_setting_t *s, unsigned int i, void *ctx)
{
	struct conf_prefix *pf = (struct conf_prefix *)ctx + i;
	char addr[INET6_ADDRSTRLEN + 8];
	const char *v, *slash;
	unsigned int max;
	long len;
	char *end;

	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		return conf_diag_error(d, s, NULL, "must be an address string (\"10.0.0.0/8\", \"::1\"), not %s",
				       conf_type_name(config_setting_type(s)));
	v = config_setting_get_string(s);
	slash = strchr(v, '/');
	if ((slash ? (size_t)(slash - v) : strlen(v)) >= sizeof(addr))
		return conf_diag_error(d, s, NULL, "\"%s\" is not an IPv4 or IPv6 address", v);
	snprintf(addr, sizeof(addr), "%.*s", slash ? (int)(slash - v) : (int)strlen(v), v);
	memset(pf, 0, sizeof(*pf));
	if (inet_pton(AF_INET, addr, pf->addr) == 1) {
		pf->family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, addr, pf->addr) == 1) {
		pf->family = AF_INET6;
		max = 128;
	} else {
		return conf_diag_error(d, s, NULL, "\"%s\" is not an IPv4 or IPv6 address", v);
	}
	len = max;
	if (slash) {
		len = strtol(slash + 1, &end, 10);
		if (end == slash + 1 || *end || len < 0 || len > (long)max)
			return conf_diag_error(d, s, NULL, "prefix length in \"%s\" must be 0..%u", v,
					       max);
	}
	pf->len = (uint8_t)len;
	return 0;
}

/* fnmatch() accepts anything; catch what is surely a mistake: an unclosed '[' or a
 * trailing backslash. */
static const char *glob_error(const char *g)
{
	const char *p;

	for (p = g; *p; p++) {
		if (*p == '\\') {
			if (!p[1])
				return "ends with a lone backslash";
			p++;
		} else if (*p == '[') {
			const char *q = p + 1;

			if (*q == '!' || *q == '^')
				q++;
			if (*q == ']')
				q++;
			while (*q && *q != ']')
				q++;
			if (!*q)
				return "has a '[' that is never closed";
			p = q;
		}
	}
	return NULL;
}

static int parse_glob(struct conf_diag *d, const config_setting_t *s, unsigned int i, void *ctx)
{
	char **globs = ctx;
	const char *v, *why;

	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		return conf_diag_error(d, s, NULL, "must be a glob string (\"ffmpeg*\"), not %s",
				       conf_type_name(config_setting_type(s)));
	v = config_setting_get_string(s);
	if (!*v)
		return conf_diag_error(d, s, NULL, "must not be empty");
	if (strlen(v) > CONF_GLOB_MAX)
		return conf_diag_error(d, s, NULL, "glob is longer than %d characters", CONF_GLOB_MAX);
	why = glob_error(v);
	if (why)
		return conf_diag_error(d, s, NULL, "glob \"%s\" %s", v, why);
	globs[i] = strdup(v);
	if (!globs[i])
		return conf_diag_error(d, s, NULL, "out of memory");
	return 0;
}

static bool has_glob(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

/* A cgroup v2 path ("/system.slice/janus.service") or a glob of one: absolute, no empty,
 * "." or ".." component. */
static int parse_cgroup(struct conf_diag *d, const config_setting_t *s, unsigned int i, void *ctx)
{
	char **globs = ctx;
	const char *v, *why;

	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		return conf_diag_error(d, s, NULL, "must be a cgroup path or glob (\"/system.slice/janus.service\"), not %s",
				       conf_type_name(config_setting_type(s)));
	v = config_setting_get_string(s);
	if (v[0] != '/')
		return conf_diag_error(d, s, NULL,
				       "\"%s\" is not a cgroup path: those start with / (\"/%s\")", v, v);
	if (strlen(v) > CONF_GLOB_MAX)
		return conf_diag_error(d, s, NULL, "is longer than %d characters", CONF_GLOB_MAX);
	if (strstr(v, "//") || strstr(v, "/./") || strstr(v, "/../") ||
	    (strlen(v) > 1 && v[strlen(v) - 1] == '/') || !strcmp(v + strlen(v) - 2, "/.") ||
	    (strlen(v) >= 3 && !strcmp(v + strlen(v) - 3, "/..")))
		return conf_diag_error(d, s, NULL,
				       "\"%s\" has an empty, \".\" or \"..\" component or a trailing /", v);
	why = glob_error(v);
	if (why)
		return conf_diag_error(d, s, NULL, "glob \"%s\" %s", v, why);
	globs[i] = strdup(v);
	if (!globs[i])
		return conf_diag_error(d, s, NULL, "out of memory");
	return 0;
}

/* A systemd unit name ("janus.service") or a glob of them. */
static int parse_unit(struct conf_diag *d, const config_setting_t *s, unsigned int i, void *ctx)
{
	static const char *const types[] = { ".service", ".scope", ".slice", ".socket", ".mount",
					     ".swap", NULL };
	char **globs = ctx;
	const char *v, *why, *const *t;

	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		return conf_diag_error(d, s, NULL, "must be a unit name (\"janus.service\"), not %s",
				       conf_type_name(config_setting_type(s)));
	v = config_setting_get_string(s);
	if (!*v || strchr(v, '/'))
		return conf_diag_error(d, s, NULL, "\"%s\" is not a unit name (\"janus.service\")", v);
	if (strlen(v) > CONF_GLOB_MAX)
		return conf_diag_error(d, s, NULL, "is longer than %d characters", CONF_GLOB_MAX);
	why = glob_error(v);
	if (why)
		return conf_diag_error(d, s, NULL, "glob \"%s\" %s", v, why);
	if (!has_glob(v)) {
		for (t = types; *t; t++)
			if (strlen(v) > strlen(*t) && !strcmp(v + strlen(v) - strlen(*t), *t))
				break;
		if (!*t)
			return conf_diag_error(d, s, NULL,
					       "\"%s\" is not a unit name: those end in .service, .scope, .slice, .socket, .mount or .swap (\"%s.service\"?)",
					       v, v);
	}
	globs[i] = strdup(v);
	if (!globs[i])
		return conf_diag_error(d, s, NULL, "out of memory");
	return 0;
}

static int parse_user(struct conf_diag *d, const config_setting_t *s, unsigned int i, void *ctx)
{
	uid_t *users = ctx;
	long long uid;
	const char *v;

	switch (config_setting_type(s)) {
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		uid = config_setting_get_int64(s);
		if (uid < 0 || uid >= (long long)UINT32_MAX)
			return conf_diag_error(d, s, NULL, "uid %lld is out of range 0..%u", uid,
					       UINT32_MAX - 1);
		users[i] = (uid_t)uid;
		return 0;
	case CONFIG_TYPE_STRING:
		v = config_setting_get_string(s);
		if (conf_user_id(v, &users[i]))
			return conf_diag_error(d, s, NULL, "no user named \"%s\"", v);
		return 0;
	default:
		return conf_diag_error(d, s, NULL, "must be a user name or uid, not %s",
				       conf_type_name(config_setting_type(s)));
	}
}

/* ------------------------------------------------------------------ groups */

static int load_match(struct conf_diag *d, const config_setting_t *g, struct conf_stream_match *m)
{
	int ret = 0, idx = CONF_PROTO_ANY;

	if (conf_diag_check_keys(d, g, match_keys))
		ret = -EINVAL;
	if (!config_setting_is_group(g))
		return -EINVAL;
	if (conf_get_enum(d, g, "protocol", proto_names, &idx) < 0)
		ret = -EINVAL;
	m->protocol = (enum conf_proto)idx;
	if (for_each_value(d, g, "local_port", &m->n_local_ports, m->local_ports, parse_port))
		ret = -EINVAL;
	if (for_each_value(d, g, "remote_port", &m->n_remote_ports, m->remote_ports, parse_port))
		ret = -EINVAL;
	if (for_each_value(d, g, "local_address", &m->n_local_addrs, m->local_addrs, parse_prefix))
		ret = -EINVAL;
	if (for_each_value(d, g, "remote_address", &m->n_remote_addrs, m->remote_addrs,
			   parse_prefix))
		ret = -EINVAL;
	if (for_each_value(d, g, "process", &m->n_process, m->process, parse_glob))
		ret = -EINVAL;
	if (for_each_value(d, g, "user", &m->n_users, m->users, parse_user))
		ret = -EINVAL;
	if (for_each_value(d, g, "cgroup", &m->n_cgroups, m->cgroups, parse_cgroup))
		ret = -EINVAL;
	if (for_each_value(d, g, "unit", &m->n_units, m->units, parse_unit))
		ret = -EINVAL;
	return ret;
}

/* A byte pattern: an integer (one byte) or a string of hex bytes ("80 e0", "0x47"). */
static int parse_pattern(struct conf_diag *d, const config_setting_t *s, uint8_t *out,
			 uint8_t *len)
{
	const char *v, *p;
	unsigned int n = 0;

	if (config_setting_type(s) == CONFIG_TYPE_INT || config_setting_type(s) == CONFIG_TYPE_INT64) {
		long long b = config_setting_get_int64(s);

		if (b < 0 || b > 255)
			return conf_diag_error(d, s, NULL, "%lld is not a byte (0..255)", b);
		out[0] = (uint8_t)b;
		*len = 1;
		return 0;
	}
	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		return conf_diag_error(d, s, NULL, "must be a byte (0..255) or a hex string (\"80 e0\"), not %s",
				       conf_type_name(config_setting_type(s)));
	v = config_setting_get_string(s);
	p = v;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		p += 2;
	while (*p) {
		char hex[3];
		char *end;

		if (*p == ' ' || *p == ':') {
			p++;
			continue;
		}
		if (!p[1] || p[1] == ' ' || p[1] == ':')
			return conf_diag_error(d, s, NULL, "\"%s\": hex digits come in pairs", v);
		hex[0] = p[0];
		hex[1] = p[1];
		hex[2] = '\0';
		if (n == CONF_MAX_PATTERN)
			return conf_diag_error(d, s, NULL, "\"%s\" is longer than %d bytes", v,
					       CONF_MAX_PATTERN);
		out[n] = (uint8_t)strtoul(hex, &end, 16);
		if (*end)
			return conf_diag_error(d, s, NULL, "\"%s\" is not hexadecimal", v);
		n++;
		p += 2;
	}
	if (!n)
		return conf_diag_error(d, s, NULL, "must not be empty");
	*len = (uint8_t)n;
	return 0;
}

static int load_byte_test(struct conf_diag *d, const config_setting_t *g, struct conf_byte_test *b)
{
	const config_setting_t *v, *m;
	long long off = 0;
	uint8_t mlen = 0;
	unsigned int i;
	int ret = 0;

	if (conf_diag_check_keys(d, g, byte_keys))
		return -EINVAL;
	if (conf_get_int(d, g, "offset", 0, CONF_PAYLOAD_VISIBLE - 1, &off) == 0)
		ret = conf_diag_error(d, g, NULL, "needs an \"offset\"");
	v = config_setting_get_member(g, "value");
	if (!v)
		return conf_diag_error(d, g, NULL, "needs a \"value\"");
	if (parse_pattern(d, v, b->value, &b->len))
		return -EINVAL;
	memset(b->mask, 0xff, sizeof(b->mask));
	m = config_setting_get_member(g, "mask");
	if (m) {
		if (parse_pattern(d, m, b->mask, &mlen))
			return -EINVAL;
		if (mlen != b->len)
			return conf_diag_error(d, m, NULL, "has %u bytes but value has %u", mlen,
					       b->len);
	}
	if (off + b->len > CONF_PAYLOAD_VISIBLE)
		ret = conf_diag_error(d, g, NULL, "tests bytes beyond the first %d of a message",
				      CONF_PAYLOAD_VISIBLE);
	b->offset = (uint16_t)off;
	for (i = 0; i < b->len; i++) {
		if (b->value[i] & ~b->mask[i])
			ret = conf_diag_error(d, v, NULL,
					      "byte %u (0x%02x) has bits outside mask 0x%02x: it can never match",
					      i, b->value[i], b->mask[i]);
		b->value[i] &= b->mask[i];
	}
	return ret;
}

static int load_length(struct conf_diag *d, const config_setting_t *g, struct conf_msg_rule *r)
{
	const config_setting_t *s = config_setting_get_member(g, "length");
	struct conf_port_range tmp;
	long long v;

	r->min_len = 0;
	r->max_len = UINT32_MAX;
	if (!s)
		return 0;
	if (config_setting_type(s) == CONFIG_TYPE_INT || config_setting_type(s) == CONFIG_TYPE_INT64) {
		v = config_setting_get_int64(s);
		if (v < 0 || v > 65535)
			return conf_diag_error(d, s, NULL, "%lld is out of range 0..65535", v);
		r->min_len = r->max_len = (uint32_t)v;
		return 0;
	}
	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		return conf_diag_error(d, s, NULL, "must be a length or a \"min-max\" range, not %s",
				       conf_type_name(config_setting_type(s)));
	{
		const char *str = config_setting_get_string(s);
		char *end;
		long lo, hi;

		lo = strtol(str, &end, 10);
		if (end == str || *end != '-')
			return conf_diag_error(d, s, NULL, "\"%s\" is not a \"min-max\" range", str);
		str = end + 1;
		hi = strtol(str, &end, 10);
		if (end == str || *end || lo < 0 || hi > 65535 || lo > hi)
			return conf_diag_error(d, s, NULL,
					       "\"%s\" is not a \"min-max\" range within 0..65535",
					       config_setting_get_string(s));
		tmp.lo = (uint16_t)lo;
		tmp.hi = (uint16_t)hi;
	}
	r->min_len = tmp.lo;
	r->max_len = tmp.hi;
	return 0;
}

static int load_msg_rule(struct conf_diag *d, const config_setting_t *g, unsigned int idx,
			 struct conf_msg_rule *r)
{
	const config_setting_t *bytes;
	bool nondrop = false, fstart = false, fend = false, any_action = false;
	long long prio = -1, every = 0;
	unsigned long long deadline = 0;
	const char *name = NULL;
	int preset = -1, ret = 0, got;

	if (conf_diag_check_keys(d, g, msg_keys))
		ret = -EINVAL;
	if (!config_setting_is_group(g))
		return -EINVAL;
	r->line = config_setting_source_line(g);
	if (conf_get_string(d, g, "name", CONF_NAME_MAX, &name) < 0)
		ret = -EINVAL;
	snprintf(r->name, sizeof(r->name), "%s", name ? name : "");
	if (!name)
		snprintf(r->name, sizeof(r->name), "messages[%u]", idx);
	if (conf_get_enum(d, g, "preset", conf_preset_names, &preset) < 0)
		ret = -EINVAL;
	r->preset = preset >= 0 ? (enum conf_preset)(preset + 1) : CONF_PRESET_NONE;

	bytes = config_setting_get_member(g, "bytes");
	if (bytes) {
		int i, n;

		if (!config_setting_is_list(bytes)) {
			ret = conf_diag_error(d, bytes, NULL,
					      "must be a list ( { offset = ...; value = ...; }, ... ), not %s",
					      conf_type_name(config_setting_type(bytes)));
		} else if ((n = config_setting_length(bytes)) > CONF_MAX_BYTE_TESTS || n == 0) {
			ret = conf_diag_error(d, bytes, NULL, "needs 1..%d byte tests, not %d",
					      CONF_MAX_BYTE_TESTS, n);
		} else {
			for (i = 0; i < n; i++)
				if (load_byte_test(d, config_setting_get_elem(bytes, i), &r->bytes[i]))
					ret = -EINVAL;
			r->n_bytes = (unsigned int)n;
		}
	}
	if (load_length(d, g, r))
		ret = -EINVAL;
	if (conf_get_int(d, g, "every", 1, 1000000, &every) < 0)
		ret = -EINVAL;
	r->every = (uint32_t)every;
	if (conf_get_bool(d, g, "continue", &r->cont) < 0)
		ret = -EINVAL;

	/* actions */
	got = conf_get_bool(d, g, "nondroppable", &nondrop);
	any_action |= got > 0;
	if (got < 0)
		ret = -EINVAL;
	got = conf_get_int(d, g, "drop_priority", 0, 3, &prio);
	any_action |= got > 0;
	if (got < 0)
		ret = -EINVAL;
	got = conf_get_bool(d, g, "frame_start", &fstart);
	any_action |= got > 0;
	if (got < 0)
		ret = -EINVAL;
	got = conf_get_bool(d, g, "frame_end", &fend);
	any_action |= got > 0;
	if (got < 0)
		ret = -EINVAL;
	got = conf_get_duration_ns(d, g, "deadline", 1000000, 1000, DWCS_MAX_IPG_NS, &deadline);
	any_action |= got > 0;
	if (got < 0)
		ret = -EINVAL;
	{
		uint32_t fps_milli = 0;

		got = conf_get_fps_milli(d, g, "fps", &fps_milli);
		any_action |= got != 0;
		if (got < 0)
			ret = -EINVAL;
		else if (got > 0 && deadline)
			ret = conf_diag_error(d, config_setting_get_member(g, "fps"), NULL,
					      "give either deadline or fps, not both");
		else if (got > 0)
			deadline = (unsigned long long)(1e12 / fps_milli + 0.5);
	}
	if (ret)
		return ret;

	if (any_action) {
		r->action.mark = (nondrop ? DWCS_MARK_NONDROPPABLE : 0) |
				 (fstart ? DWCS_MARK_FRAME_START : 0) |
				 (fend ? DWCS_MARK_FRAME_END : 0);
		if (prio >= 0) {
			r->action.mark |= (uint8_t)(prio << DWCS_MARK_DROPPRIO_SHIFT);
			r->action.has_drop_priority = true;
		}
		r->action.deadline_ns = deadline;
	} else if (r->preset != CONF_PRESET_NONE) {
		conf_preset_default_action(r->preset, &r->action);
	} else {
		return conf_diag_error(d, g, NULL,
				       "does nothing: give a preset or at least one of nondroppable, drop_priority, frame_start, frame_end, deadline, fps");
	}
	return 0;
}

static bool ifname_ok(const char *s)
{
	if (!strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (; *s; s++)
		if (*s == '/' || *s == ':' || *s <= ' ' || *s == 0x7f)
			return false;
	return true;
}

static int load_stream(struct conf_diag *d, const config_setting_t *g, unsigned int idx,
		       struct conf_stream *st)
{
	const config_setting_t *m, *msgs;
	const char *name = NULL, *dev = NULL;
	long long oln = 0, old = 0, limit = DWCS_DEFAULT_CLASS_LIMIT;
	bool lossless = false, nondrop = false;
	unsigned long long ipg = 0, rate = 0;
	int sched = CONF_SCHED_DWCS, ret = 0, got_ipg, got_rate, i, dscp = -1, share = 0;
	bool got_bitrate = config_setting_get_member(g, "bitrate") != NULL;

	if (conf_diag_check_keys(d, g, stream_keys))
		ret = -EINVAL;
	if (!config_setting_is_group(g))
		return -EINVAL;
	st->line = config_setting_source_line(g);
	if (conf_get_string(d, g, "name", CONF_NAME_MAX, &name) < 0)
		ret = -EINVAL;
	if (name)
		snprintf(st->name, sizeof(st->name), "%s", name);
	else
		snprintf(st->name, sizeof(st->name), "streams[%u]", idx);

	m = config_setting_get_member(g, "match");
	if (!m)
		ret = conf_diag_error(d, g, NULL,
				      "needs a \"match\" group (use match = {}; to match every socket)");
	else if (load_match(d, m, &st->match))
		ret = -EINVAL;

	if (conf_get_enum(d, g, "scheduler", sched_names, &sched) < 0)
		ret = -EINVAL;
	st->sched = (enum conf_sched)sched;
	switch (conf_get_string(d, g, "dev", CONF_DEV_MAX, &dev)) {
	case 0:
		if (st->sched != CONF_SCHED_NONE) /* marking needs no device */
			ret = conf_diag_error(d, g, NULL,
					      "needs \"dev\", the egress interface (\"eth0\")");
		break;
	case 1:
		if (!ifname_ok(dev))
			ret = conf_diag_error(d, config_setting_get_member(g, "dev"), NULL,
					      "\"%s\" is not an interface name", dev);
		else
			snprintf(st->dev, sizeof(st->dev), "%s", dev);
		break;
	default:
		ret = -EINVAL;
	}

	/* scheduler parameters: read all, then check they fit the scheduler */
	/* each getter on its own, so that every bad key is reported, not just the first */
	got_ipg = conf_get_duration_ns(d, g, "ipg", 1000000, DWCS_MIN_IPG_NS, DWCS_MAX_IPG_NS, &ipg);
	if (got_ipg < 0)
		ret = -EINVAL;
	if (conf_get_int(d, g, "oln", 0, DWCS_MAX_WINDOW, &oln) < 0)
		ret = -EINVAL;
	if (conf_get_int(d, g, "old", 0, DWCS_MAX_WINDOW, &old) < 0)
		ret = -EINVAL;
	if (conf_get_bool(d, g, "lossless", &lossless) < 0)
		ret = -EINVAL;
	if (conf_get_bool(d, g, "nondroppable", &nondrop) < 0)
		ret = -EINVAL;
	if (conf_get_int(d, g, "limit", 1, DWCS_MAX_LIMIT, &limit) < 0)
		ret = -EINVAL;
	got_rate = conf_get_rate_Bps(d, g, "rate", 125, 12500000000ULL, &rate);
	if (got_rate < 0)
		ret = -EINVAL;
	switch (conf_get_dscp(d, g, "dscp", &dscp)) {
	case 1:
		st->has_dscp = true;
		st->dscp = (uint8_t)dscp;
		break;
	case 0:
		break;
	default:
		ret = -EINVAL;
	}
	if (conf_get_enum(d, g, "share", share_names, &share) < 0)
		ret = -EINVAL;
	st->share = (enum conf_share)share;
	if (st->share == CONF_SHARE_PROCESS && st->sched == CONF_SCHED_DWCS_BPF)
		ret = conf_diag_error(d, config_setting_get_member(g, "share"), NULL,
				      "\"process\" needs a class to share: scheduler \"dwcs-bpf\" "
				      "keeps its state per socket (use \"dwcs\" or \"htb\")");
	if (conf_get_bool(d, g, "dscp_override", &st->dscp_override) < 0)
		ret = -EINVAL;
	else if (config_setting_get_member(g, "dscp_override") && !config_setting_get_member(g, "dscp"))
		ret = conf_diag_error(d, config_setting_get_member(g, "dscp_override"), NULL,
				      "needs \"dscp\": without one the shim never touches the TOS");

	if (st->sched == CONF_SCHED_NONE) { /* mark only: no class, so no class parameters */
		static const char *const class_keys[] = {
			"ipg",	   "oln",	  "old",	 "lossless", "nondroppable", "limit",
			"rate",	   "messages",	  "bitrate",	 "fps",	     "packet_size",  "window",
			"share",   NULL,
		};
		const char *const *k;

		for (k = class_keys; *k; k++)
			if (config_setting_get_member(g, *k))
				ret = conf_diag_error(d, config_setting_get_member(g, *k), NULL,
						      "needs a scheduler: scheduler \"none\" only marks packets (dscp)");
		if (!config_setting_get_member(g, "dscp"))
			ret = conf_diag_error(d, g, NULL,
					      "scheduler \"none\" needs \"dscp\": marking is all it does");
	} else if (st->sched != CONF_SCHED_HTB) { /* dwcs and dwcs-bpf take the same parameters */
		static const char *const htb_only[] = { "rate", NULL };
		const char *const *k;

		for (k = htb_only; *k; k++)
			if (config_setting_get_member(g, *k))
				ret = conf_diag_error(d, config_setting_get_member(g, *k), NULL,
						      "belongs to scheduler \"htb\", this stream uses \"dwcs\"");
		if (got_ipg == 0 && !got_bitrate)
			ret = conf_diag_error(d, g, NULL,
					      "needs \"bitrate\" (\"2mbit\") or \"ipg\", the dwcs "
					      "request period (\"10ms\")");
		if (oln > old)
			ret = conf_diag_error(d, config_setting_get_member(g, "oln"), NULL,
					      "loss tolerance %lld/%lld: oln must not exceed old", oln,
					      old);
	} else {
		static const char *const dwcs_only[] = { "ipg",		 "oln",	  "old", "lossless",
							 "nondroppable", "limit", "window", NULL };
		const char *const *k;

		for (k = dwcs_only; *k; k++)
			if (config_setting_get_member(g, *k))
				ret = conf_diag_error(d, config_setting_get_member(g, *k), NULL,
						      "belongs to scheduler \"dwcs\", this stream uses \"htb\"");
		if (!got_rate && !got_bitrate)
			ret = conf_diag_error(d, g, NULL,
					      "needs \"rate\" or \"bitrate\" for scheduler \"htb\" "
					      "(\"5mbit\")");
	}
	st->ipg_ns = ipg;
	st->oln = (uint32_t)oln;
	st->old = (uint32_t)old;
	st->limit = (uint32_t)limit;
	st->rate_Bps = rate;
	if (st->sched != CONF_SCHED_NONE && conf_load_stream_rate(d, g, st))
		ret = -EINVAL;

	msgs = config_setting_get_member(g, "messages");
	if (msgs) {
		int n;

		if (!config_setting_is_list(msgs)) {
			ret = conf_diag_error(d, msgs, NULL, "must be a list ( { ... }, ... ), not %s",
					      conf_type_name(config_setting_type(msgs)));
		} else if ((n = config_setting_length(msgs)) > CONF_MAX_MSG_RULES) {
			ret = conf_diag_error(d, msgs, NULL, "has %d rules, at most %d are allowed", n,
					      CONF_MAX_MSG_RULES);
		} else {
			for (i = 0; i < n; i++) {
				if (load_msg_rule(d, config_setting_get_elem(msgs, i), (unsigned int)i,
						  &st->msgs[i]))
					ret = -EINVAL;
				st->needs_seq |= st->msgs[i].every != 0;
			}
			st->n_msgs = (unsigned int)n;
		}
	}
	/* dwcs classes always honour per-message deadlines (libqsock sets DWCS_CLASS_F_EDF) */
	if (st->sched == CONF_SCHED_HTB)
		for (i = 0; i < (int)st->n_msgs; i++)
			if (st->msgs[i].action.deadline_ns)
				ret = conf_diag_error(d, config_setting_get_elem(msgs, i), NULL,
						      "per-message deadlines need scheduler \"dwcs\"");
	st->class_flags = (nondrop ? DWCS_CLASS_F_NONDROPPABLE : 0) |
			  (lossless ? DWCS_CLASS_F_LOSSLESS : 0);
	return ret;
}

static int load_shim(struct conf_diag *d, const config_setting_t *g, struct conf_shim *sh)
{
	long long debug = sh->debug, max_fds = sh->max_fds;
	int ret = 0;

	if (conf_diag_check_keys(d, g, shim_keys))
		ret = -EINVAL;
	if (!config_setting_is_group(g))
		return -EINVAL;
	if (conf_get_bool(d, g, "enabled", &sh->enabled) < 0)
		ret = -EINVAL;
	if (conf_get_int(d, g, "debug", 0, 3, &debug) < 0)
		ret = -EINVAL;
	if (conf_get_bool(d, g, "exec_keep_env", &sh->exec_keep_env) < 0)
		ret = -EINVAL;
	if (conf_get_int(d, g, "max_fds", CONF_MIN_MAX_FDS, CONF_MAX_MAX_FDS, &max_fds) < 0)
		ret = -EINVAL;
	sh->debug = (int)debug;
	sh->max_fds = (unsigned int)max_fds;
	return ret;
}

/* The explicit names of LIST's groups must differ: `qsock explain --stream NAME`, the shim's
 * log and qsockd's status name a rule by it. */
static int check_unique_names(struct conf_diag *d, const config_setting_t *list, const char *what,
			      const char *list_key)
{
	int i, j, n = config_setting_length(list), ret = 0;

	for (i = 1; i < n; i++) {
		const config_setting_t *g = config_setting_get_elem(list, i), *ni, *nj;
		const char *name;

		if (!config_setting_is_group(g))
			continue;
		ni = config_setting_get_member(g, "name");
		if (!ni || config_setting_type(ni) != CONFIG_TYPE_STRING)
			continue;
		name = config_setting_get_string(ni);
		for (j = 0; j < i; j++) {
			const config_setting_t *h = config_setting_get_elem(list, j);

			if (!config_setting_is_group(h))
				continue;
			nj = config_setting_get_member(h, "name");
			if (nj && config_setting_type(nj) == CONFIG_TYPE_STRING &&
			    !strcmp(name, config_setting_get_string(nj))) {
				ret = conf_diag_error(d, ni, NULL,
						      "\"%s\" already names %s %s[%d] (line %d): names must differ",
						      name, what, list_key, j,
						      config_setting_source_line(h));
				break;
			}
		}
	}
	return ret;
}

static int load_root(struct conf *c, const config_t *cfg, struct conf_diag *d)
{
	const config_setting_t *root = config_root_setting(cfg), *s;
	long long version = CONF_VERSION;
	int ret = 0;

	if (conf_diag_check_keys(d, root, top_keys))
		ret = -EINVAL;
	if (conf_get_int(d, root, "version", CONF_VERSION, CONF_VERSION, &version) < 0)
		ret = -EINVAL;
	s = config_setting_get_member(root, "shim");
	if (s && load_shim(d, s, &c->shim))
		ret = -EINVAL;
	/* `policy` is qsockd's (conf/policy.c): only its shape is ours to check. */
	s = config_setting_get_member(root, "policy");
	if (s && !config_setting_is_group(s))
		ret = conf_diag_error(d, s, NULL, "must be a group { ... } (see qsockd(8)), not %s",
				      conf_type_name(config_setting_type(s)));
	s = config_setting_get_member(root, "streams");
	if (s) {
		int i, n;

		if (!config_setting_is_list(s))
			return conf_diag_error(d, s, NULL, "must be a list ( { ... }, ... ), not %s",
					       conf_type_name(config_setting_type(s)));
		n = config_setting_length(s);
		if (n > CONF_MAX_STREAMS)
			return conf_diag_error(d, s, NULL, "has %d rules, at most %d are allowed", n,
					       CONF_MAX_STREAMS);
		c->streams = calloc((size_t)n + 1, sizeof(*c->streams));
		if (!c->streams)
			return -ENOMEM;
		c->n_streams = (unsigned int)n;
		for (i = 0; i < n; i++) {
			if (load_stream(d, config_setting_get_elem(s, i), (unsigned int)i,
					&c->streams[i]))
				ret = -EINVAL;
			c->needs_cgroup |= c->streams[i].match.n_cgroups || c->streams[i].match.n_units;
		}
		if (check_unique_names(d, s, "stream rule", "streams"))
			ret = -EINVAL;
		for (i = 0; i < n; i++) {
			const config_setting_t *m =
				config_setting_get_member(config_setting_get_elem(s, i), "messages");

			if (m && config_setting_is_list(m) &&
			    check_unique_names(d, m, "message rule", "messages"))
				ret = -EINVAL;
		}
	}
	return ret;
}

static int load_common(struct conf *c, config_t *cfg, bool ok, int read_errno,
		       struct conf_diag *d)
{
	unsigned int i;
	int ret;

	conf_init_defaults(c);
	if (!ok) {
		ret = conf_diag_read_error(d, cfg, read_errno);
		config_destroy(cfg);
		return ret;
	}
	ret = load_root(c, cfg, d);
	config_destroy(cfg);
	/* the rules are valid: compile the message rules for the send path */
	for (i = 0; !ret && i < c->n_streams; i++)
		ret = conf_msg_prog_compile(&c->streams[i]);
	if (ret) {
		conf_free(c);
		return ret == -ENOMEM ? ret : -EINVAL;
	}
	return 0;
}

int conf_load(struct conf *c, const char *path, struct conf_diag *d)
{
	char *text;
	int err;

	/* Read it ourselves (readfile.h): libconfig's own reader exits or blocks on a bad file. */
	err = conf_read_file(d, path, &text);
	if (err) {
		conf_init_defaults(c);
		return err;
	}
	err = conf_load_string(c, text, path, d);
	free(text);
	return err;
}

int conf_load_string(struct conf *c, const char *text, const char *name, struct conf_diag *d)
{
	config_t cfg;
	int ok;

	if (!d->file)
		d->file = name;
	if (conf_check_text(d, d->file ? d->file : "(config)", text)) {
		conf_init_defaults(c);
		return -EINVAL;
	}
	config_init(&cfg);
	ok = config_read_string(&cfg, text);
	return load_common(c, &cfg, ok, errno, d);
}
