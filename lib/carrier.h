/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * carrier.h — how one message's struct packet_flags reaches the scheduler (DESIGN §5), shared
 * by qsendmsg (lib/api.c) and the LD_PRELOAD shim so both send exactly alike:
 *   deadline  SCM_TXTIME control message (SO_TXTIME with CLOCK_MONOTONIC is enabled at attach
 *             for datagram and raw sockets; TCP schedules its own departures and gets none)
 *   flags     QSOCK_CARRIER_MARK_CMSG: an SO_MARK control message carrying the flags field
 *             (the process has CAP_NET_RAW or CAP_NET_ADMIN);
 *             QSOCK_CARRIER_SOCK_STORAGE: the socket's flags word in the pinned SK_STORAGE
 *             map, rewritten only when the flags change (one bpf() call per change).
 * Our control messages are appended after the caller's own. Nothing here allocates.
 */
#ifndef QSOCK_CARRIER_H
#define QSOCK_CARRIER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "fdtable.h"

/* Room for every control message the library appends. */
#define QSOCK_CARRIER_CMSG_SPACE (CMSG_SPACE(sizeof(uint64_t)) + CMSG_SPACE(sizeof(uint32_t)))

/*
 * The flags carrier for a stream on a scheduler that reads @sched_mark_flags of the mark
 * field (0: it has no per-packet notions, flags are not carried) by a process that may
 * (@may_mark: CAP_NET_RAW or CAP_NET_ADMIN) or may not set SO_MARK. TCP (@stream) takes the
 * mark from the socket, never from a cmsg, so its flags always go in the flags word.
 */
enum qsock_carrier qsock_carrier_select(uint32_t sched_mark_flags, bool may_mark, bool stream);

/* 0 if @pf is acceptable (NULL is), else -EINVAL with a message. */
int qsock_pf_check(const struct packet_flags *pf, struct qsock_err *err);

/*
 * Apply @pf (may be NULL: no per-message information) for one send on @st: update the flags
 * word if that is the carrier and it changed, and write the control messages to append into
 * @cmsgs (QSOCK_CARRIER_CMSG_SPACE bytes, cmsghdr-aligned); *@len gets their length (0: none).
 * @fd is the caller's fd of the socket (the flags map is keyed by it). 0 or -errno + @err.
 */
int qsock_carrier_build(struct qsock_fd_state *st, int fd, const struct packet_flags *pf,
			void *cmsgs, size_t *len, struct qsock_err *err);

/*
 * @out = @in whose control data is the caller's followed by @cmsgs (@len bytes), laid out in
 * @buf, which must hold qsock_carrier_merged_size(@in, @len) bytes, cmsghdr-aligned.
 */
static inline size_t qsock_carrier_merged_size(const struct msghdr *in, size_t len)
{
	return CMSG_ALIGN(in->msg_controllen) + len;
}
void qsock_carrier_merge(const struct msghdr *in, const void *cmsgs, size_t len,
			 struct msghdr *out, void *buf);

#endif /* QSOCK_CARRIER_H */
