// SPDX-License-Identifier: LGPL-2.1-or-later
/* bpflog.c — libbpf's warnings into this thread's buffer (bpflog.h). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "bpflog.h"
#include "manager.h"

/* ": " and the warnings, so that an empty one costs the caller no condition */
static __thread char text[QSOCK_ERRMSG_MAX];

static int collect(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	size_t used = strlen(text);

	if (level != LIBBPF_WARN || used >= sizeof(text) - 1)
		return 0;
	if (!used) {
		memcpy(text, ": ", 3);
		used = 2;
	} else {
		snprintf(text + used, sizeof(text) - used, "; ");
		used = strlen(text);
	}
	vsnprintf(text + used, sizeof(text) - used, fmt, ap);
	used = strlen(text);
	while (used && text[used - 1] == '\n')
		text[--used] = '\0';
	return 0;
}

void qsock_bpflog_begin(struct qsock_bpflog *l)
{
	text[0] = '\0';
	l->old = libbpf_set_print(collect);
}

void qsock_bpflog_end(struct qsock_bpflog *l)
{
	libbpf_set_print(l->old);
}

const char *qsock_bpflog_text(void)
{
	return text;
}
