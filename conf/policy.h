/* SPDX-License-Identifier: GPL-2.0 */
/*
 * policy.h — who may do what through qsockd: the `policy` group of qsock.conf.
 *
 *	policy = {
 *		root_unlimited = true;		# uid 0 bypasses every limit (default true)
 *		on_exit = "keep";		# qsockd shutdown: "keep" scheduling | "restore"
 *		default = {			# anyone no rule matches
 *			devices = [ "*" ];	# device-name globs
 *			schedulers = [ "dwcs", "htb" ];
 *			max_streams = 4;	# streams per uid
 *			max_rate = "1mbit";	# sum of the uid's reserved stream rates
 *			nondroppable = false;	# may mark a stream non-droppable
 *			lossless = false;	# may ask for lossless (and lossless EDF)
 *			dscp = [ "cs0", ... ];	# DSCP values a stream may carry: names or
 *						# 0..63, "*" = all; default all below CS5
 *						# (40), so no EF, VA, CS5..CS7
 *		};
 *		rules = (			# first match wins; unset limits come from default
 *			{ user = "alice"; max_streams = 16; max_rate = "20mbit"; },
 *			{ group = "video"; process = "ffmpeg*"; nondroppable = true; }
 *		);
 *		setup = (			# root qdiscs qsockd installs at start
 *			{ device = "eth0"; scheduler = "dwcs"; rate = "10mbit"; }
 *		);
 *	};
 *
 * The built-in default (no file, or no policy group) is the safe one above: an unknown user
 * gets at most 4 streams and 1 Mbit/s in total, droppable and lossy only, so no unprivileged
 * program can reserve a whole link. Quotas are counted per uid over all its streams.
 */
#ifndef QSOCK_CONF_POLICY_H
#define QSOCK_CONF_POLICY_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "diag.h"

#define POLICY_MAX_GLOBS	16
#define POLICY_NAME_LEN		64
#define POLICY_MAX_SETUP	16

#define POLICY_DEFAULT_MAX_STREAMS	4
#define POLICY_DEFAULT_MAX_RATE_BPS	1000000ULL	/* bit/s */

struct policy_limits {
	unsigned int n_devices;
	char devices[POLICY_MAX_GLOBS][POLICY_NAME_LEN];	/* fnmatch globs */
	unsigned int n_schedulers;
	char schedulers[POLICY_MAX_GLOBS][POLICY_NAME_LEN];
	unsigned int max_streams;
	uint64_t max_rate_bps;
	bool nondroppable;
	bool lossless;
	uint64_t dscp_mask;		/* bit n: DSCP n allowed */
};

/* The default `dscp`: CS0 .. AF43 and every value below CS5 (40); EF (46), VA (44) and
 * CS5..CS7 are what networks trust for voice, signalling and network control. */
#define POLICY_DEFAULT_DSCP_MASK	((1ULL << 40) - 1)

struct policy_rule {
	int line;			/* in the file; 0 for the built-in default */
	char name[96];			/* "rules[2] (user alice)", named in refusals */
	bool has_uid, has_gid;
	uid_t uid;
	gid_t gid;
	char process[POLICY_NAME_LEN];	/* glob on the process name; "" = any */
	struct policy_limits lim;
};

struct policy_setup {
	char device[POLICY_NAME_LEN];
	char scheduler[POLICY_NAME_LEN];
	uint64_t rate_bps;		/* root shaper; 0 = none */
};

enum policy_on_exit { POLICY_EXIT_KEEP, POLICY_EXIT_RESTORE };

struct policy {
	char file[256];
	bool root_unlimited;
	enum policy_on_exit on_exit;
	struct policy_rule dflt;
	unsigned int n_rules;
	struct policy_rule *rules;
	unsigned int n_setup;
	struct policy_setup setup[POLICY_MAX_SETUP];
};

/* The requester, as the daemon established it (SO_PEERCRED, /proc/<pid>). */
struct policy_who {
	uid_t uid;
	gid_t gid;
	const gid_t *groups;		/* supplementary groups */
	unsigned int n_groups;
	const char *comm;		/* process name */
};

/* What a request would reserve, and what the uid already holds (excluding the stream being
 * changed, if any). */
struct policy_ask {
	const char *device;
	const char *scheduler;
	uint64_t rate_bps;
	bool nondroppable;
	bool lossless;
	bool has_dscp;			/* the stream asks for DSCP dscp */
	uint8_t dscp;
	unsigned int held_streams;
	uint64_t held_rate_bps;
	bool new_stream;		/* attach: counts against max_streams */
};

/* The built-in default policy. */
void policy_init_default(struct policy *p);

/*
 * policy_load() - read FILE's `policy` group into *p (replaced only on success: a failed load
 * leaves *p as it was). No policy group: the built-in default. Every problem is reported
 * through d as `file:line: key: reason`; returns 0, -EINVAL or the read's -errno.
 */
int policy_load(struct policy *p, const char *file, struct conf_diag *d);
/* The same from FILE's contents, already read (qsock check, tests, fuzzing); FILE names it. */
int policy_load_string(struct policy *p, const char *text, const char *file,
		       struct conf_diag *d);
/* The same from an already parsed config. */
int policy_from_config(struct policy *p, const config_t *cfg, const char *file,
		       struct conf_diag *d);
void policy_free(struct policy *p);

/* The rule that applies to who (never NULL: the default at worst). */
const struct policy_rule *policy_match(const struct policy *p, const struct policy_who *who);

/*
 * policy_check() - may who make this request? 0, or -EPERM (device, scheduler, DSCP or flag not
 * allowed) / -EDQUOT (max_streams or max_rate exceeded) with msg naming the rule and limit.
 */
int policy_check(const struct policy *p, const struct policy_who *who,
		 const struct policy_ask *ask, char *msg, size_t msglen);

#endif /* QSOCK_CONF_POLICY_H */
