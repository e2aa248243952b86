/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sockinfo.h — what the library and qsockd both ask the kernel about a socket or a device,
 * asked in one place: a socket's cookie (a stream's identity, proto.h) and a device's MTU
 * (the packet size of a stream that names none).
 */
#ifndef QSOCK_SOCKINFO_H
#define QSOCK_SOCKINFO_H

#include <stdint.h>

/* The SO_COOKIE of socket @fd: 0 or -errno (errno kept). */
int qsock_sock_cookie(int fd, uint64_t *cookie);
/* The MTU of device @dev in this network namespace: 0 or -errno. */
int qsock_dev_mtu(const char *dev, uint32_t *mtu);

#endif /* QSOCK_SOCKINFO_H */
