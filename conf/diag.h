/* SPDX-License-Identifier: GPL-2.0 */
/*
 * diag.h — configuration diagnostics shared by every qsock.conf reader (the shim's rule
 * loader, qsockd's policy parser, `qsock check`).
 *
 * Every message has one shape, so operators and tests can rely on it:
 *
 *	FILE:LINE: KEY: REASON
 *
 * where KEY is the setting's full path (`streams[2].match.local_port`). A diagnostics sink
 * either prints each message to a FILE (the CLI, the daemon's log) or only keeps the first
 * one (the shim, which may print at most one line per process). Checks return 0 or -EINVAL
 * and never stop at the first error on their own: callers decide whether to go on.
 */
#ifndef QSOCK_CONF_DIAG_H
#define QSOCK_CONF_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <libconfig.h>

#define CONF_DIAG_MSG_MAX 512

/* One message, in parts (kept by a collecting sink, for `qsock check`). */
struct conf_diag_entry {
	char *file;
	unsigned int line;	/* 0: the message is about the whole file */
	char *key;		/* NULL: none (the file cannot be read, or a syntax error) */
	char *reason;
	bool syntax;		/* a syntax error: the text form names the key "(syntax)" */
};

struct conf_diag {
	const char *file;	/* path named in messages when libconfig does not know it */
	FILE *out;		/* each message is printed here; NULL: keep only the first */
	unsigned int errors;	/* messages reported so far */
	char first[CONF_DIAG_MSG_MAX]; /* the first message, without newline */
	/* conf_diag_collect(): every message is kept here instead of printed */
	bool collect;
	struct conf_diag_entry *list;
	unsigned int n_list, cap_list;
};

void conf_diag_init(struct conf_diag *d, const char *file, FILE *out);
/* Keep every message (list, n_list) rather than print it; conf_diag_free() releases them. */
void conf_diag_collect(struct conf_diag *d);
/* Order the kept messages by line (stable: messages of one line stay in report order; those
 * about the whole file first). */
void conf_diag_sort(struct conf_diag *d);
/* "FILE:LINE: KEY: REASON" of one kept message. */
const char *conf_diag_format(const struct conf_diag_entry *e, char *buf, size_t len);
void conf_diag_free(struct conf_diag *d);

/*
 * conf_diag_error() - report REASON about setting S (may be NULL: no line, key as given).
 * KEY overrides the setting's own path when non-NULL (for a key that is missing, name the
 * key it should have been and pass the parent group as S). Returns -EINVAL.
 */
int conf_diag_error(struct conf_diag *d, const config_setting_t *s, const char *key,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Report a failed config_read_file()/config_read_string(): I/O or syntax error. Returns
 * -ENOENT, -EACCES, ... for I/O errors (from errno at the time of the call), -EINVAL for
 * syntax errors. */
int conf_diag_read_error(struct conf_diag *d, const config_t *cfg, int read_errno);

/* "PATH: cannot read: REASON" for a file that cannot be opened. Returns -ERR. */
int conf_diag_file_error(struct conf_diag *d, const char *path, int err);
/* "PATH: cannot read: REASON" for a file refused before parsing. Returns -ERR. */
int conf_diag_file_reason(struct conf_diag *d, const char *path, const char *reason, int err);
/* "PATH:LINE: @include: not supported: ..." Returns -EINVAL. */
int conf_diag_include_error(struct conf_diag *d, const char *path, int line);

/* The setting's path from the root, e.g. "streams[0].messages[1].bytes". */
const char *conf_setting_path(const config_setting_t *s, char *buf, size_t len);

/* A human name of a libconfig type ("an integer", "a group", ...). */
const char *conf_type_name(int type);

/*
 * conf_diag_check_keys() - every member of GROUP must be one of ALLOWED (NULL-terminated).
 * Reports each unknown key (with a "did you mean" hint for near misses). Also reports
 * GROUP itself when it is not a group. Returns 0 or -EINVAL.
 */
int conf_diag_check_keys(struct conf_diag *d, const config_setting_t *group,
			 const char *const *allowed);

/*
 * Typed getters of member NAME of GROUP. They return 1 when the key is present and valid
 * (value stored), 0 when it is absent (value untouched: the caller's default stays), and
 * -EINVAL (reported) when it has the wrong type or is out of range.
 */
int conf_get_int(struct conf_diag *d, const config_setting_t *group, const char *name,
		 long long min, long long max, long long *value);
int conf_get_bool(struct conf_diag *d, const config_setting_t *group, const char *name,
		  bool *value);
int conf_get_string(struct conf_diag *d, const config_setting_t *group, const char *name,
		    size_t max_len, const char **value);
/* One of CHOICES (NULL-terminated); *index receives its position. */
int conf_get_enum(struct conf_diag *d, const config_setting_t *group, const char *name,
		  const char *const *choices, int *index);

/*
 * Units: "10ms", "250us", "1.5s", "40000ns"; a bare integer is in DEFAULT_UNIT_NS
 * (1000000 for milliseconds). Range in nanoseconds, inclusive. Errors speak the user's units:
 * "90s is out of range 1us..60s".
 */
int conf_get_duration_ns(struct conf_diag *d, const config_setting_t *group, const char *name,
			 unsigned long long default_unit_ns, unsigned long long min,
			 unsigned long long max, unsigned long long *ns);
/* "10mbit", "1.5gbit", "64kbit", "500kbyte" or a bare integer (bits per second), in bytes/s.
 * Range in bytes/s; errors give it in bit/s: "200gbit is out of range 1kbit..100gbit". */
int conf_get_rate_Bps(struct conf_diag *d, const config_setting_t *group, const char *name,
		      unsigned long long min, unsigned long long max, unsigned long long *Bps);

/* Parsers behind the getters, for values that do not come from libconfig (CLI arguments).
 * Return 0 or -EINVAL. */
int conf_parse_duration_ns(const char *s, unsigned long long default_unit_ns,
			   unsigned long long *ns);
int conf_parse_rate_Bps(const char *s, unsigned long long *Bps);
/* The shortest exact form in the largest fitting unit: 60000000000 ns -> "60s", 1500000 ns ->
 * "1500us"; 12500000000 bytes/s -> "100gbit". */
const char *conf_format_duration(unsigned long long ns, char *buf, size_t len);
const char *conf_format_rate_Bps(unsigned long long Bps, char *buf, size_t len);

#endif /* QSOCK_CONF_DIAG_H */
