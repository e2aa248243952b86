/* SPDX-License-Identifier: GPL-2.0 */
/*
 * log.h — qsockd's levelled log: every line goes to stderr (journald picks it up under
 * systemd) and, when enabled, to syslog(3) with the matching priority.
 */
#ifndef QSOCK_DAEMON_LOG_H
#define QSOCK_DAEMON_LOG_H

#include <stdbool.h>
#include <syslog.h>

enum qd_log_level { QD_ERR = LOG_ERR, QD_WARN = LOG_WARNING, QD_INFO = LOG_INFO, QD_DEBUG = LOG_DEBUG };

/* level: the most verbose level printed; use_syslog: also send to syslog as "qsockd". */
void qd_log_setup(enum qd_log_level level, bool use_syslog);
/* "err", "warn", "info", "debug" -> level; -1 if unknown. */
int qd_log_level_parse(const char *name);
void qd_log(enum qd_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define qd_err(...) qd_log(QD_ERR, __VA_ARGS__)
#define qd_warn(...) qd_log(QD_WARN, __VA_ARGS__)
#define qd_info(...) qd_log(QD_INFO, __VA_ARGS__)
#define qd_debug(...) qd_log(QD_DEBUG, __VA_ARGS__)

#endif /* QSOCK_DAEMON_LOG_H */
