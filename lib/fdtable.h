/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fdtable.h — what this process knows about its attached sockets, indexed by fd, read on
 * every qsend* without locks or allocation. Entries are allocated at attach (in chunks of
 * 1024 fds) and never freed, only marked inactive, so a concurrent sender never reads freed
 * memory; the cost is a few hundred bytes per fd number ever attached.
 */
#ifndef QSOCK_FDTABLE_H
#define QSOCK_FDTABLE_H

#include <stdatomic.h>
#include <stdint.h>

#include "manager.h"

struct qsock_cls_slot;

struct qsock_fd_state {
	_Atomic uint32_t active;	/* 1 while the fd has a stream */
	uint8_t carrier;		/* enum qsock_carrier for the flags */
	uint8_t txtime;			/* SO_TXTIME is on: deadlines go as SCM_TXTIME */
	uint8_t path;			/* enum qsock_path of the attach */
	uint32_t mark_base;		/* SO_MARK carrier: the socket's mark outside the field */
	uint32_t markmask;		/* the qdisc's flags field in skb->mark */
	uint32_t mark_shift;
	int flags_map_fd;		/* SOCK_STORAGE carrier: the device's pinned flags map */
	_Atomic uint32_t cur_flags;	/* the flags word as last written (SOCK_STORAGE) */
	_Atomic uint32_t sockmark;	/* MARK_CMSG: the flags field left on the socket's own
					 * SO_MARK, and who relies on it (lib/carrier.c) */
	_Atomic uint32_t streak;	/* MARK_CMSG: field << 24 | consecutive sends with it */
	struct qsock_cls_slot *slot;	/* the socket's send slot, mapped; NULL: none */
	struct qsock_stream stream;	/* the manager's record (cookie, class, device, ...) */
};

/* The state of @fd if it has a stream attached by this process, else NULL. */
struct qsock_fd_state *qsock_fd_get(int fd);
/* The slot for @fd, allocated if needed (attach path only); NULL with -ENOMEM/-EBADF. */
struct qsock_fd_state *qsock_fd_slot(int fd, int *rc);
/* Call @fn on every slot ever allocated (active or not); for the fork handler. */
void qsock_fd_foreach(void (*fn)(struct qsock_fd_state *));

#endif /* QSOCK_FDTABLE_H */
