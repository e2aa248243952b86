// SPDX-License-Identifier: LGPL-2.1-or-later
/* sockinfo.c — a socket's cookie, a device's MTU (sockinfo.h). */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "sockinfo.h"
#include "sys.h"

int qsock_sock_cookie(int fd, uint64_t *cookie)
{
	socklen_t len = sizeof(*cookie);

	*cookie = 0;
	return getsockopt(fd, SOL_SOCKET, SO_COOKIE, cookie, &len) ? -errno : 0;
}

int qsock_dev_mtu(const char *dev, uint32_t *mtu)
{
	struct ifreq ifr;
	int fd, rc = 0;

	fd = qsock_sys.socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", dev);
	if (ioctl(fd, SIOCGIFMTU, &ifr))
		rc = -errno;
	else if (ifr.ifr_mtu <= 0)
		rc = -EINVAL;
	else
		*mtu = (uint32_t)ifr.ifr_mtu;
	qsock_sys.close(fd);
	return rc;
}
