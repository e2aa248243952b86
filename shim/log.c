// SPDX-License-Identifier: GPL-2.0
/*
 * log.c — the shim's only output: lines on stderr, written with the real write() so that
 * logging never re-enters the shim, never allocates and never touches stdio buffers the
 * program owns. errno is preserved. Never stdout: a program's output must stay its own.
 *
 * Levels (QSOCK_DEBUG or shim_hot.debug): 0 = at most one warning per process; 1 = every
 * warning; 2 = + one line per socket decision; 3 = + one line per classified message.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <unistd.h>

#include "libc.h"
#include "shim.h"

static atomic_bool warned;

static void vlog(const char *fmt, va_list ap)
{
	char line[768];
	int saved = errno, n, m;

	n = snprintf(line, sizeof(line), "libqsockshim[%s %d]: ", shim.comm, (int)getpid());
	if (n < 0 || (size_t)n >= sizeof(line))
		n = 0;
	m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	if (m < 0)
		m = 0;
	n += m;
	if ((size_t)n > sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	/* a failed write has nowhere left to be reported */
	(void)!libc()->write(STDERR_FILENO, line, (size_t)n);
	errno = saved;
}

void shim_log(int level, const char *fmt, ...)
{
	va_list ap;

	if (shim_hot.debug < level)
		return;
	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
}

void shim_warn_once(const char *fmt, ...)
{
	va_list ap;

	if (shim_hot.debug < 1 && atomic_exchange(&warned, true))
		return;
	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
}
