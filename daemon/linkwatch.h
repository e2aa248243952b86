/* SPDX-License-Identifier: GPL-2.0 */
/*
 * linkwatch.h — network devices appearing while qsockd runs: an rtnetlink socket subscribed
 * to link events, so that the policy's `setup` reaches a device created (or deleted and
 * created again) after qsockd started, not only the ones present at its start.
 */
#ifndef QSOCK_DAEMON_LINKWATCH_H
#define QSOCK_DAEMON_LINKWATCH_H

/* The socket (non-blocking, close-on-exec), or -errno. */
int qd_linkwatch_open(void);

/*
 * Read every pending link event on @fd and call @fn with the name of each device added or
 * changed (RTM_NEWLINK), or with NULL once when events were lost (the kernel's buffer
 * overran): then every device of interest must be looked at again. 0 or -errno.
 */
int qd_linkwatch_read(int fd, void (*fn)(const char *ifname, void *arg), void *arg);

#endif /* QSOCK_DAEMON_LINKWATCH_H */
