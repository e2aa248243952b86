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
 *
 * Cost (test/bench/lib-bench.sh): the kernel copies up to 36 bytes of control data on the
 * stack; SO_MARK + SCM_TXTIME is 48 and each cmsg is parsed (SO_MARK with a capability
 * check). A bare sendmsg with one SCM_TXTIME costs 1.04 sendto. Hence, for qsendto/qsendmsg
 * (qsock_carrier_begin), before all of the above:
 *   slot      QSOCK_CARRIER_SLOT: the socket's send slot (lib/bpf/qsock_cls.h), a page the
 *             manager gave this socket's owner and the classifier reads during the send;
 *             the message goes as a plain sendto. A send that finds the slot taken (another
 *             thread's send on the same socket) falls back to the carriers above.
 * Without a slot they leave a flags field that repeats on the socket's own SO_MARK (one
 * setsockopt at the second consecutive message with it) and send no SO_MARK cmsg while it
 * holds. The shim's path (qsock_carrier_build) always sends control messages.
 *
 * This file owns the carrier's facts: which streams get per-message information
 * (qsock_carrier_per_message), the root qdisc's mark mask a sender uses (read from the one
 * place it is kept, the classifier's conf, by qsock_carrier_arm), and the bound on the
 * caller's control data copied to append ours (qsock_carrier_merge).
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
 * The rule: a datagram stream (any type but SOCK_STREAM) on a scheduler that reads
 * per-message flags (@sched_mark_flags non-zero: dwcs) gets SO_TXTIME for its deadlines and a
 * send slot; TCP schedules its own departures and takes its mark from the socket. The
 * manager enables both at attach, the sender maps the slot (qsock_carrier_arm).
 */
static inline bool qsock_carrier_per_message(uint32_t sched_mark_flags, int sock_type)
{
	return sched_mark_flags && sock_type != SOCK_STREAM;
}

/*
 * Arm @st, the state of @fd just attached as @stream on a scheduler reading
 * @sched_mark_flags, for sending: the root's mark mask (from the classifier's conf), the
 * flags carrier (@may_mark: the process has CAP_NET_RAW or CAP_NET_ADMIN), SO_TXTIME's use,
 * the flags map and the send slot @slot_fd (-1: none; the caller keeps and closes the fd).
 * The manager gives a slot only where something reads it: the classifier, or under a
 * classless root (dwcs-bpf) the qdisc itself (sched_ops.h set_slot). 0 or -errno with @err.
 */
int qsock_carrier_arm(struct qsock_fd_state *st, int fd, const struct qsock_stream *stream,
		      uint32_t sched_mark_flags, bool may_mark, int slot_fd, struct qsock_err *err);
/* Use @markmask (0: the qdisc ignores marks) for @st's SO_MARK carrier. */
void qsock_carrier_set_markmask(struct qsock_fd_state *st, uint32_t markmask);

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
 * qsock_carrier_build for qsendto/qsendmsg: with the SO_MARK carrier, a flags field that
 * repeats is set once on the socket (SO_MARK by setsockopt) and then needs no cmsg. *@held
 * tells that this send relies on the socket's mark or slot: the caller must call
 * qsock_carrier_end(@st, *@held) right after the send, whatever its outcome. Threads sharing
 * the fd never send with another's flags: the socket's mark is changed only while no send
 * relies on it, and a send that finds it being changed or different sends the cmsg. After a
 * fork (pthread_atfork) the mark is never changed again by either process. @caller_mark: the
 * caller's own control data has an SO_MARK (it would override the socket's; the cmsg is used).
 */
int qsock_carrier_begin(struct qsock_fd_state *st, int fd, const struct packet_flags *pf,
			bool caller_mark, void *cmsgs, size_t *len, unsigned int *held,
			struct qsock_err *err);
/* What a send relies on between qsock_carrier_begin and _end (*@held). */
#define QSOCK_HELD_MARK 1U	/* the flags field left on the socket's SO_MARK */
#define QSOCK_HELD_SLOT 2U	/* the socket's send slot, filled for this message */
void qsock_carrier_end(struct qsock_fd_state *st, unsigned int held);
/* Arm the SO_MARK carrier's state for @st whose socket's mark is @mark (at attach). */
void qsock_carrier_arm_mark(struct qsock_fd_state *st, uint32_t mark);
/* Restore the socket's mark without our field if no other send can rely on it (detach). */
void qsock_carrier_disarm_mark(struct qsock_fd_state *st, int fd);
/* Whether @msg's control data has an SO_MARK message. */
bool qsock_carrier_has_mark(const struct msghdr *msg);

/* The most control data of the caller's own qsendmsg() copies to append ours (larger is
 * ENOBUFS): a few cmsgs (SCM_RIGHTS of a few fds, IP options). The shim has its own, smaller
 * bound (it sends anything larger untouched). */
#define QSOCK_CALLER_CONTROL_MAX 4096

/*
 * @out = @in whose control data is the caller's followed by @cmsgs (@len bytes), laid out in
 * @buf (cmsghdr-aligned), which holds @max + @len bytes: a fixed array on the caller's stack,
 * never one sized by the caller's msg_controllen. False, with nothing done, when the
 * caller's control data is longer than @max.
 */
bool qsock_carrier_merge(const struct msghdr *in, const void *cmsgs, size_t len, size_t max,
			 struct msghdr *out, void *buf);

#endif /* QSOCK_CARRIER_H */
