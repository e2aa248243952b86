/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* api.h — what the public calls outside api.c (qnotify, notify.c) take from it. */
#ifndef QSOCK_API_H
#define QSOCK_API_H

#include "manager.h"

/*
 * The stream of socket @fd, found as qinfo finds it: attached by this process, else (with
 * CAP_NET_ADMIN) by another one (the shim's, qsockd's). 0, or -EBADF / -ENOTSOCK / -ENOENT
 * with a message in @err.
 */
int qsock_api_stream(int fd, struct qsock_stream *out, struct qsock_err *err);

#endif /* QSOCK_API_H */
