// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * errors.c — error text. The text is per thread (like errno) so concurrent callers never see
 * each other's messages; it costs 256 bytes of TLS per thread that uses the library.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "errors.h"

static __thread char last_error[QSOCK_ERRMSG_MAX + 32];

int qsock_errf(struct qsock_err *e, int err, const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return err;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return err;
}

int qsock_fail(const char *call, int err, const struct qsock_err *e)
{
	int n = err < 0 ? -err : err;

	if (!n)
		n = EIO;
	if (e && e->msg[0])
		snprintf(last_error, sizeof(last_error), "%s: %s", call, e->msg);
	else
		snprintf(last_error, sizeof(last_error), "%s: %s", call, strerror(n));
	errno = n;
	return -1;
}

__attribute__((visibility("default"))) const char *qsock_strerror(void)
{
	return last_error;
}
