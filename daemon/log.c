// SPDX-License-Identifier: GPL-2.0
/*
 * log.c — see log.h. One formatted line per call, written with a single write(2) so lines
 * from a restarted daemon and its predecessor never interleave mid-line.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../conf/printable.h"
#include "log.h"

static enum qd_log_level max_level = QD_INFO;
static bool to_syslog;

void qd_log_setup(enum qd_log_level level, bool use_syslog)
{
	max_level = level;
	to_syslog = use_syslog;
	if (use_syslog)
		openlog("qsockd", LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

int qd_log_level_parse(const char *name)
{
	if (!strcmp(name, "err") || !strcmp(name, "error"))
		return QD_ERR;
	if (!strcmp(name, "warn") || !strcmp(name, "warning"))
		return QD_WARN;
	if (!strcmp(name, "info"))
		return QD_INFO;
	if (!strcmp(name, "debug"))
		return QD_DEBUG;
	return -1;
}

static const char *level_name(enum qd_log_level level)
{
	switch (level) {
	case QD_ERR:
		return "error";
	case QD_WARN:
		return "warning";
	case QD_INFO:
		return "info";
	default:
		return "debug";
	}
}

void qd_log(enum qd_log_level level, const char *fmt, ...)
{
	char raw[1024], line[1024];
	va_list ap;
	int n;

	if (level > max_level)
		return;
	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	/* Messages carry process names, device names and clients' words: escape what a
	 * terminal or a log viewer would act on (conf/printable.h). */
	n = snprintf(line, sizeof(line), "qsockd[%d]: %s: ", (int)getpid(), level_name(level));
	qsock_printable(line + n, sizeof(line) - (size_t)n - 1, raw);
	if (to_syslog)
		syslog((int)level, "%s", line + n);
	n = (int)strlen(line);
	line[n++] = '\n';
	if (write(STDERR_FILENO, line, (size_t)n) < 0) {
		/* Nowhere left to report it. */
	}
}
