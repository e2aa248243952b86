/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* stackinfo.h — qinfo's view of the network stack for one socket. */
#ifndef QSOCK_STACKINFO_H
#define QSOCK_STACKINFO_H

#include "qsock.h"

/* Fill the QSOCK_INFO_STACK (and, for TCP, QSOCK_INFO_TCP) fields of @info for @fd. */
void qsock_stack_info(int fd, int type, struct qos_info *info);

#endif /* QSOCK_STACKINFO_H */
