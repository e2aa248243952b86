// SPDX-License-Identifier: GPL-2.0
/*
 * policy.c — load and apply qsockd's policy (the `policy` group of qsock.conf, see policy.h).
 *
 * Loading builds a complete new policy aside and hands it over only when the whole group is
 * valid, so a SIGHUP with a broken file keeps the running policy. User and group names are
 * resolved once, at load: a typo is a load error with its line, not a silent never-match.
 * Checking is a linear walk of the rules (first match wins); rule counts are small and a
 * request is rare next to packets, so nothing cleverer is worth its code.
 */
#include <errno.h>
#include <fnmatch.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "ids.h"
#include "policy.h"
#include "readfile.h"

/* A policy's rates bound what qsockd's wire carries: its own bound (1 Pbit/s), not another */
#include "../proto/proto.h"

static const char *const limit_keys[] = { "devices",	  "schedulers", "max_streams", "max_rate",
					  "nondroppable", "lossless",	"dscp",	       NULL };
static const char *const rule_keys[] = { "user",       "group",	      "process",  "devices",
					 "schedulers", "max_streams", "max_rate", "nondroppable",
					 "lossless",   "dscp",	      NULL };
static const char *const top_keys[] = { "root_unlimited", "on_exit", "default",
					"rules",	  "setup",   NULL };
static const char *const setup_keys[] = { "device", "scheduler", "rate", NULL };
static const char *const on_exit_names[] = { "keep", "restore", NULL };

static void limits_default(struct policy_limits *l)
{
	memset(l, 0, sizeof(*l));
	l->n_devices = 1;
	strcpy(l->devices[0], "*");
	l->n_schedulers = 2;
	strcpy(l->schedulers[0], "dwcs");
	strcpy(l->schedulers[1], "htb");
	l->max_streams = POLICY_DEFAULT_MAX_STREAMS;
	l->max_rate_bps = POLICY_DEFAULT_MAX_RATE_BPS;
	l->dscp_mask = POLICY_DEFAULT_DSCP_MASK;
}

/* `dscp`: one value or a list of them, each a DSCP name (conf/dscp.c), 0..63 or "*". */
static int get_dscp_mask(struct conf_diag *d, const config_setting_t *g, uint64_t *mask)
{
	const config_setting_t *s = config_setting_get_member(g, "dscp");
	uint64_t m = 0;
	int count, err = 0;

	if (!s)
		return 0;
	if (config_setting_is_group(s))
		return conf_diag_error(d, s, NULL, "expected a list of DSCP names or 0..%d, got %s",
				       CONF_DSCP_MAX, conf_type_name(config_setting_type(s)));
	count = config_setting_is_aggregate(s) ? config_setting_length(s) : 1;
	for (int i = 0; i < count; i++) {
		const config_setting_t *e = config_setting_is_aggregate(s) ?
						    config_setting_get_elem(s, (unsigned int)i) : s;
		const char *v = config_setting_get_string(e);
		long long n;
		int value;

		if (v && !strcmp(v, "*")) {
			m = ~0ULL;
		} else if (v) {
			if (conf_dscp_parse(v, &value))
				err = conf_diag_error(d, e, NULL, "\"%s\" is not a DSCP: use %s or \"*\"",
						      v, conf_dscp_names_help());
			else
				m |= 1ULL << value;
		} else if (config_setting_type(e) == CONFIG_TYPE_INT ||
			   config_setting_type(e) == CONFIG_TYPE_INT64) {
			n = config_setting_get_int64(e);
			if (n < 0 || n > CONF_DSCP_MAX)
				err = conf_diag_error(d, e, NULL, "%lld is out of range 0..%d", n,
						      CONF_DSCP_MAX);
			else
				m |= 1ULL << n;
		} else {
			err = conf_diag_error(d, e, NULL, "must be a DSCP name or 0..%d, not %s",
					      CONF_DSCP_MAX, conf_type_name(config_setting_type(e)));
		}
	}
	if (err)
		return err;
	*mask = m;
	return 1;
}

void policy_init_default(struct policy *p)
{
	memset(p, 0, sizeof(*p));
	strcpy(p->file, "(built-in)");
	p->root_unlimited = true;
	p->on_exit = POLICY_EXIT_KEEP;
	limits_default(&p->dflt.lim);
	strcpy(p->dflt.name, "default (built-in)");
}

void policy_free(struct policy *p)
{
	free(p->rules);
	p->rules = NULL;
	p->n_rules = 0;
}

/* A list or array of strings into globs[]; each glob must compile (fnmatch has no compile:
 * check it matches itself sanely by rejecting empty strings and unbalanced brackets). */
static int get_globs(struct conf_diag *d, const config_setting_t *g, const char *name,
		     char globs[][POLICY_NAME_LEN], unsigned int *n)
{
	const config_setting_t *s = config_setting_get_member(g, name);
	int count;

	if (!s)
		return 0;
	if (!config_setting_is_aggregate(s) || config_setting_is_group(s))
		return conf_diag_error(d, s, NULL, "expected a list of strings, got %s",
				       conf_type_name(config_setting_type(s)));
	count = config_setting_length(s);
	if (count > POLICY_MAX_GLOBS)
		return conf_diag_error(d, s, NULL, "%d entries, at most %d", count,
				       POLICY_MAX_GLOBS);
	for (int i = 0; i < count; i++) {
		const config_setting_t *e = config_setting_get_elem(s, i);
		const char *v = config_setting_get_string(e);

		if (!v)
			return conf_diag_error(d, e, NULL, "expected a string, got %s",
					       conf_type_name(config_setting_type(e)));
		if (!*v || strlen(v) >= POLICY_NAME_LEN)
			return conf_diag_error(d, e, NULL, "\"%s\": must be 1..%d characters", v,
					       POLICY_NAME_LEN - 1);
		if (strchr(v, '[') && !strchr(v, ']'))
			return conf_diag_error(d, e, NULL, "\"%s\": unbalanced '[' in glob", v);
		strcpy(globs[i], v);
	}
	*n = (unsigned int)count;
	return 1;
}

static int get_limits(struct conf_diag *d, const config_setting_t *g, struct policy_limits *l)
{
	long long streams;
	unsigned long long bytes;
	int err = 0, r;

	if (get_globs(d, g, "devices", l->devices, &l->n_devices) < 0)
		err = -EINVAL;
	if (get_globs(d, g, "schedulers", l->schedulers, &l->n_schedulers) < 0)
		err = -EINVAL;
	r = conf_get_int(d, g, "max_streams", 0, 100000, &streams);
	if (r < 0)
		err = r;
	else if (r)
		l->max_streams = (unsigned int)streams;
	r = conf_get_rate_Bps(d, g, "max_rate", 0, QSOCKD_MAX_RATE, &bytes);
	if (r < 0)
		err = r;
	else if (r)
		l->max_rate_bps = bytes * 8;
	if (conf_get_bool(d, g, "nondroppable", &l->nondroppable) < 0)
		err = -EINVAL;
	if (conf_get_bool(d, g, "lossless", &l->lossless) < 0)
		err = -EINVAL;
	if (get_dscp_mask(d, g, &l->dscp_mask) < 0)
		err = -EINVAL;
	return err;
}

/* A user or group given as a number (no such name in the databases): the id, or -1. */
static long numeric_id(const char *s)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	return *s && !*end && v < (1UL << 31) ? (long)v : -1;
}
static int get_rule(struct conf_diag *d, const config_setting_t *g, int index,
		    const struct policy_limits *dflt, struct policy_rule *rule)
{
	const char *user = NULL, *group = NULL, *process = NULL;
	int err = 0;

	memset(rule, 0, sizeof(*rule));
	rule->line = config_setting_source_line(g);
	rule->lim = *dflt;
	if (!config_setting_is_group(g))
		return conf_diag_error(d, g, NULL, "a rule must be a group { ... }, got %s",
				       conf_type_name(config_setting_type(g)));
	if (conf_diag_check_keys(d, g, rule_keys) < 0)
		err = -EINVAL;
	if (conf_get_string(d, g, "user", 63, &user) < 0 ||
	    conf_get_string(d, g, "group", 63, &group) < 0 ||
	    conf_get_string(d, g, "process", POLICY_NAME_LEN - 1, &process) < 0)
		return -EINVAL;
	if (!user && !group && !process)
		return conf_diag_error(d, g, NULL,
				       "a rule needs at least one of user, group, process");
	if (user) {
		uid_t uid;
		long id = !conf_user_id(user, &uid) ? (long)uid : numeric_id(user);

		if (id < 0) {
			conf_diag_error(d, config_setting_get_member(g, "user"), NULL,
					"no such user \"%s\"", user);
			err = -EINVAL;
		} else {
			rule->uid = (uid_t)id;
		}
		rule->has_uid = true;
	}
	if (group) {
		gid_t gid;
		long id = !conf_group_id(group, &gid) ? (long)gid : numeric_id(group);

		if (id < 0) {
			conf_diag_error(d, config_setting_get_member(g, "group"), NULL,
					"no such group \"%s\"", group);
			err = -EINVAL;
		} else {
			rule->gid = (gid_t)id;
		}
		rule->has_gid = true;
	}
	if (process)
		snprintf(rule->process, sizeof(rule->process), "%s", process);
	snprintf(rule->name, sizeof(rule->name), "rules[%d]%s%s%s%s%s%s", index,
		 user ? " user " : "", user ? user : "", group ? " group " : "",
		 group ? group : "", process ? " process " : "", process ? process : "");
	if (get_limits(d, g, &rule->lim) < 0)
		err = -EINVAL;
	return err;
}

static int get_setup(struct conf_diag *d, const config_setting_t *g, struct policy_setup *s)
{
	const char *dev = NULL, *sched = "dwcs";
	unsigned long long bytes = 0;
	int err = 0;

	memset(s, 0, sizeof(*s));
	if (!config_setting_is_group(g))
		return conf_diag_error(d, g, NULL, "expected a group { device = ...; }, got %s",
				       conf_type_name(config_setting_type(g)));
	if (conf_diag_check_keys(d, g, setup_keys) < 0)
		err = -EINVAL;
	if (conf_get_string(d, g, "device", 15, &dev) < 0 ||
	    conf_get_string(d, g, "scheduler", 15, &sched) < 0 ||
	    conf_get_rate_Bps(d, g, "rate", 0, QSOCKD_MAX_RATE, &bytes) < 0)
		return -EINVAL;
	if (!dev)
		return conf_diag_error(d, g, "device", "missing: which device to set up");
	snprintf(s->device, sizeof(s->device), "%s", dev);
	snprintf(s->scheduler, sizeof(s->scheduler), "%s", sched);
	s->rate_bps = bytes * 8;
	return err;
}

int policy_from_config(struct policy *p, const config_t *cfg, const char *file,
		       struct conf_diag *d)
{
	const config_setting_t *top = config_lookup(cfg, "policy"), *s;
	struct policy np;
	int err = 0, idx;

	policy_init_default(&np);
	snprintf(np.file, sizeof(np.file), "%s", file ? file : "(string)");
	if (!top)
		goto done;
	if (!config_setting_is_group(top))
		return conf_diag_error(d, top, NULL, "expected a group { ... }, got %s",
				       conf_type_name(config_setting_type(top)));
	if (conf_diag_check_keys(d, top, top_keys) < 0)
		err = -EINVAL;
	if (conf_get_bool(d, top, "root_unlimited", &np.root_unlimited) < 0)
		err = -EINVAL;
	if (conf_get_enum(d, top, "on_exit", on_exit_names, &idx) < 0)
		err = -EINVAL;
	else if (config_setting_get_member(top, "on_exit"))
		np.on_exit = (enum policy_on_exit)idx;

	s = config_setting_get_member(top, "default");
	if (s) {
		np.dflt.line = config_setting_source_line(s);
		if (!config_setting_is_group(s))
			err = conf_diag_error(d, s, NULL, "expected a group { ... }, got %s",
					      conf_type_name(config_setting_type(s)));
		else if (conf_diag_check_keys(d, s, limit_keys) < 0 ||
			 get_limits(d, s, &np.dflt.lim) < 0)
			err = -EINVAL;
		snprintf(np.dflt.name, sizeof(np.dflt.name), "default");
	}

	s = config_setting_get_member(top, "rules");
	if (s) {
		int n = config_setting_length(s);

		if (!config_setting_is_list(s) && !(config_setting_is_array(s) && n == 0)) {
			err = conf_diag_error(d, s, NULL,
					      "expected a list ( { ... }, ... ), got %s",
					      conf_type_name(config_setting_type(s)));
		} else if (n > 0) {
			np.rules = calloc((size_t)n, sizeof(*np.rules));
			if (!np.rules)
				return -ENOMEM;
			np.n_rules = (unsigned int)n;
			for (int i = 0; i < n; i++)
				if (get_rule(d, config_setting_get_elem(s, i), i, &np.dflt.lim,
					     &np.rules[i]) < 0)
					err = -EINVAL;
		}
	}

	s = config_setting_get_member(top, "setup");
	if (s) {
		int n = config_setting_length(s);

		if (!config_setting_is_list(s) && !(config_setting_is_array(s) && n == 0)) {
			err = conf_diag_error(d, s, NULL,
					      "expected a list ( { ... }, ... ), got %s",
					      conf_type_name(config_setting_type(s)));
		} else if (n > POLICY_MAX_SETUP) {
			err = conf_diag_error(d, s, NULL, "%d devices, at most %d", n,
					      POLICY_MAX_SETUP);
		} else {
			np.n_setup = (unsigned int)n;
			for (int i = 0; i < n; i++)
				if (get_setup(d, config_setting_get_elem(s, i), &np.setup[i]) < 0)
					err = -EINVAL;
		}
	}
	if (err) {
		policy_free(&np);
		return err;
	}
done:
	policy_free(p);
	*p = np;
	return 0;
}

int policy_load(struct policy *p, const char *file, struct conf_diag *d)
{
	char *text;
	int err;

	/* Never libconfig's file reader: it exits on a directory and blocks on a FIFO. */
	err = conf_read_file(d, file, &text);
	if (err)
		return err;
	err = policy_load_string(p, text, file, d);
	free(text);
	return err;
}

int policy_load_string(struct policy *p, const char *text, const char *file,
		       struct conf_diag *d)
{
	config_t cfg;
	int err;

	if (conf_check_text(d, file, text))
		return -EINVAL;
	config_init(&cfg);
	errno = 0;
	if (!config_read_string(&cfg, text)) {
		err = conf_diag_read_error(d, &cfg, errno);
		config_destroy(&cfg);
		return err;
	}
	err = policy_from_config(p, &cfg, file, d);
	config_destroy(&cfg);
	return err;
}

static bool in_groups(const struct policy_who *who, gid_t gid)
{
	if (who->gid == gid)
		return true;
	for (unsigned int i = 0; i < who->n_groups; i++)
		if (who->groups[i] == gid)
			return true;
	return false;
}

const struct policy_rule *policy_match(const struct policy *p, const struct policy_who *who)
{
	for (unsigned int i = 0; i < p->n_rules; i++) {
		const struct policy_rule *r = &p->rules[i];

		if (r->has_uid && r->uid != who->uid)
			continue;
		if (r->has_gid && !in_groups(who, r->gid))
			continue;
		if (r->process[0] && fnmatch(r->process, who->comm ? who->comm : "", 0) != 0)
			continue;
		return r;
	}
	return &p->dflt;
}

static bool glob_any(const char globs[][POLICY_NAME_LEN], unsigned int n, const char *s)
{
	for (unsigned int i = 0; i < n; i++)
		if (fnmatch(globs[i], s, 0) == 0)
			return true;
	return false;
}

/* "rules[1] user alice (qsock.conf:12)" or "the default policy" */
static void rule_where(const struct policy *p, const struct policy_rule *r, char *buf,
		       size_t len)
{
	if (r->line)
		snprintf(buf, len, "%s (%s:%d)", r->name, p->file, r->line);
	else
		snprintf(buf, len, "%s", r->name);
}

int policy_check(const struct policy *p, const struct policy_who *who,
		 const struct policy_ask *ask, char *msg, size_t msglen)
{
	const struct policy_rule *r;
	const struct policy_limits *l;
	char where[400];

	if (who->uid == 0 && p->root_unlimited)
		return 0;
	r = policy_match(p, who);
	l = &r->lim;
	rule_where(p, r, where, sizeof(where));
	if (ask->device && !glob_any(l->devices, l->n_devices, ask->device)) {
		snprintf(msg, msglen, "policy %s: device %s is not allowed", where, ask->device);
		return -EPERM;
	}
	if (ask->scheduler && !glob_any(l->schedulers, l->n_schedulers, ask->scheduler)) {
		snprintf(msg, msglen, "policy %s: scheduler %s is not allowed", where,
			 ask->scheduler);
		return -EPERM;
	}
	if (ask->nondroppable && !l->nondroppable) {
		snprintf(msg, msglen, "policy %s: non-droppable streams are not allowed", where);
		return -EPERM;
	}
	if (ask->lossless && !l->lossless) {
		snprintf(msg, msglen, "policy %s: lossless streams are not allowed", where);
		return -EPERM;
	}
	if (ask->has_dscp && ask->dscp <= CONF_DSCP_MAX && !(l->dscp_mask & (1ULL << ask->dscp))) {
		char name[24];

		snprintf(msg, msglen, "policy %s: DSCP %s is not allowed (policy key dscp)", where,
			 conf_dscp_name(ask->dscp, name, sizeof(name)));
		return -EPERM;
	}
	if (ask->new_stream && ask->held_streams + 1 > l->max_streams) {
		snprintf(msg, msglen, "policy %s: max_streams %u reached (uid %u holds %u)", where,
			 l->max_streams, (unsigned int)who->uid, ask->held_streams);
		return -EDQUOT;
	}
	if (ask->held_rate_bps + ask->rate_bps > l->max_rate_bps ||
	    ask->held_rate_bps + ask->rate_bps < ask->held_rate_bps) {
		snprintf(msg, msglen,
			 "policy %s: max_rate %llu bit/s exceeded (uid %u holds %llu, asks %llu)",
			 where, (unsigned long long)l->max_rate_bps, (unsigned int)who->uid,
			 (unsigned long long)ask->held_rate_bps, (unsigned long long)ask->rate_bps);
		return -EDQUOT;
	}
	return 0;
}
