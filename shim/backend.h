/* SPDX-License-Identifier: GPL-2.0 */
/*
 * backend.h — what the shim asks of libqsock: attach a socket to its stream exactly as
 * qattach() would, and build the control messages that carry one message's flags and
 * deadline exactly as qsendmsg() does. Both come from libqsock's own code (linked from
 * build/lib/libqsock.a), never from a copy of it.
 */
#ifndef QSOCK_SHIM_BACKEND_H
#define QSOCK_SHIM_BACKEND_H

#include <stddef.h>

#include "../conf/conf.h"

/* Attach FD to ST's stream. 0, or -errno with a reason in WHY (for the one warning). */
int shim_backend_attach(int fd, const struct conf_stream *st, char *why, size_t why_len);
/* Undo the attach before FD is closed; errors are not reported (the socket is going away). */
void shim_backend_detach(int fd);
/*
 * Control messages for one message of attached FD with action A, into CMSGS (SHIM_CMSG_SPACE
 * bytes, cmsghdr-aligned); *LEN = their length (0: nothing to append). 0 or -errno.
 */
int shim_backend_cmsgs(int fd, const struct conf_msg_action *a, void *cmsgs, size_t *len);

#endif /* QSOCK_SHIM_BACKEND_H */
