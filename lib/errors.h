/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * errors.h — error text for users: a struct qsock_err filled where the failure is found, and
 * the thread's last-error text behind qsock_strerror().
 */
#ifndef QSOCK_ERRORS_H
#define QSOCK_ERRORS_H

#include "manager.h"

/* Format a message into @e (NULL @e is allowed). Returns @err unchanged, for `return`. */
__attribute__((format(printf, 3, 4))) int qsock_errf(struct qsock_err *e, int err,
						     const char *fmt, ...);
/* Public-API exit: store "@call: @e->msg" as the thread's last error, set errno = -err,
 * return -1. */
int qsock_fail(const char *call, int err, const struct qsock_err *e);

#endif /* QSOCK_ERRORS_H */
