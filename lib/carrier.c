// SPDX-License-Identifier: LGPL-2.1-or-later
/* carrier.c — per-message carriers; see carrier.h. This is the hot path of qsend*. */
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <uapi/linux/pkt_sch_dwcs.h>

#include "bpf/qsock_cls.h"
#include "carrier.h"
#include "classifier.h"
#include "errors.h"
#include "sys.h"

/* The public flag bits are the qdisc's mark field, so no translation is needed. */
_Static_assert(DWCS_NON_DROPPABLE == DWCS_MARK_NONDROPPABLE, "non-droppable bit");
_Static_assert(QSOCK_DROP_PRIO_MASK == DWCS_MARK_DROPPRIO_MASK, "drop priority bits");
_Static_assert(QSOCK_FRAME_START == DWCS_MARK_FRAME_START, "frame start bit");
_Static_assert(QSOCK_FRAME_END == DWCS_MARK_FRAME_END, "frame end bit");

enum qsock_carrier qsock_carrier_select(uint32_t sched_mark_flags, bool may_mark, bool stream)
{
	if (!sched_mark_flags)
		return QSOCK_CARRIER_NONE;
	return may_mark && !stream ? QSOCK_CARRIER_MARK_CMSG : QSOCK_CARRIER_SOCK_STORAGE;
}

int qsock_pf_check(const struct packet_flags *pf, struct qsock_err *err)
{
	if (!pf)
		return 0;
	if (pf->drop_flag & ~QSOCK_PF_ALL)
		return qsock_errf(err, -EINVAL, "packet_flags.drop_flag has unknown bits 0x%x",
				  pf->drop_flag & ~QSOCK_PF_ALL);
	if ((pf->drop_flag & QSOCK_PF_EXT) && pf->size != sizeof(*pf))
		return qsock_errf(
			err, -EINVAL,
			"packet_flags.size %u is not %zu (QSOCK_PF_EXT announces the size)",
			pf->size, sizeof(*pf));
	return 0;
}

static uint64_t deadline_of(const struct packet_flags *pf)
{
	struct timespec now;

	if (!(pf->drop_flag & QSOCK_DEADLINE_RELATIVE) || !pf->deadline)
		return pf->deadline;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (uint64_t)now.tv_sec * 1000000000ULL + (uint64_t)now.tv_nsec + pf->deadline;
}

static size_t put_cmsg(void *at, int level, int type, const void *data, size_t len)
{
	struct cmsghdr *c = at;

	c->cmsg_level = level;
	c->cmsg_type = type;
	c->cmsg_len = CMSG_LEN(len);
	memcpy(CMSG_DATA(c), data, len);
	return CMSG_SPACE(len);
}

/*
 * st->sockmark: bits 0-15 the sends relying on the socket's mark now, SM_WRITER while one
 * thread changes it (no new reliance meanwhile), SM_FROZEN after a fork (never changed again:
 * the other process shares the socket and not this word), bits 24-28 the field on the socket.
 */
#define SM_READERS 0xffffU
#define SM_WRITER 0x10000U
#define SM_FROZEN 0x20000U
#define SM_FIELD_SHIFT 24
#define SM_FIELD(s) ((s) >> SM_FIELD_SHIFT)
/* The socket's mark changes at the N-th consecutive send of a field: setsockopt costs about
 * 2.4 SO_MARK cmsgs (lib-bench), so a field that alternates every message never pays it. */
#define SOCKMARK_STREAK 2

static bool sockmark_hold(struct qsock_fd_state *st, uint32_t field)
{
	uint32_t s = atomic_load_explicit(&st->sockmark, memory_order_relaxed);

	do {
		if ((s & SM_WRITER) || SM_FIELD(s) != field || (s & SM_READERS) == SM_READERS)
			return false;
	} while (!atomic_compare_exchange_weak_explicit(&st->sockmark, &s, s + 1,
							memory_order_acquire,
							memory_order_relaxed));
	return true;
}

/* Set @field on the socket's mark if nobody relies on it; on success hold it. */
static bool sockmark_set(struct qsock_fd_state *st, int fd, uint32_t field)
{
	uint32_t s = atomic_load_explicit(&st->sockmark, memory_order_relaxed);
	uint32_t mark = st->mark_base | ((field << st->mark_shift) & st->markmask);
	bool ok;

	if (s & (SM_WRITER | SM_FROZEN | SM_READERS))
		return false;
	if (!atomic_compare_exchange_strong_explicit(&st->sockmark, &s, s | SM_WRITER,
						     memory_order_acquire, memory_order_relaxed))
		return false;
	ok = !qsock_sys.setsockopt(fd, SOL_SOCKET, SO_MARK, &mark, sizeof(mark));
	/* only SM_FROZEN can have changed meanwhile (a fork) */
	s = atomic_load_explicit(&st->sockmark, memory_order_relaxed);
	while (!atomic_compare_exchange_weak_explicit(
		&st->sockmark, &s,
		(s & SM_FROZEN) | (ok ? field << SM_FIELD_SHIFT | 1 : s & ~SM_WRITER),
		memory_order_release, memory_order_relaxed))
		;
	return ok;
}

/* Count consecutive sends of @field; true when it is worth setting on the socket. */
static bool sockmark_streak(struct qsock_fd_state *st, uint32_t field)
{
	uint32_t s = atomic_load_explicit(&st->streak, memory_order_relaxed);
	uint32_t n = SM_FIELD(s) == field ? (s & SM_READERS) + 1 : 1;

	if (n > SOCKMARK_STREAK)
		n = SOCKMARK_STREAK;
	atomic_store_explicit(&st->streak, field << SM_FIELD_SHIFT | n, memory_order_relaxed);
	return n >= SOCKMARK_STREAK;
}

void qsock_carrier_end(struct qsock_fd_state *st, unsigned int held)
{
	if (held & QSOCK_HELD_SLOT)
		__atomic_store_n(&st->slot->state, QSOCK_SLOT_FREE, __ATOMIC_RELEASE);
	if (held & QSOCK_HELD_MARK)
		atomic_fetch_sub_explicit(&st->sockmark, 1, memory_order_release);
}

static void freeze(struct qsock_fd_state *st)
{
	atomic_fetch_or(&st->sockmark, SM_FROZEN);
}

static void freeze_all(void)
{
	qsock_fd_foreach(freeze);
}

static void register_fork_handler(void)
{
	pthread_atfork(NULL, freeze_all, freeze_all);
}

void qsock_carrier_arm_mark(struct qsock_fd_state *st, uint32_t mark)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, register_fork_handler);
	st->mark_base = mark & ~st->markmask;
	atomic_store(&st->streak, 0);
	atomic_store(&st->sockmark, ((mark & st->markmask) >> st->mark_shift) << SM_FIELD_SHIFT);
}

void qsock_carrier_set_markmask(struct qsock_fd_state *st, uint32_t markmask)
{
	st->markmask = markmask;
	st->mark_shift = markmask ? (uint32_t)__builtin_ctz(markmask) : 0;
}

int qsock_carrier_arm(struct qsock_fd_state *st, int fd, const struct qsock_stream *stream,
		      uint32_t sched_mark_flags, bool may_mark, int slot_fd, struct qsock_err *err)
{
	uint32_t mark = 0, markmask = DWCS_DEFAULT_MARKMASK;
	socklen_t len = sizeof(mark);
	struct qsock_err ignored;
	int rc;

	/* the manager enabled SO_TXTIME for these */
	st->txtime = qsock_carrier_per_message(sched_mark_flags, (int)stream->sock_type);
	/* what the manager found on the root at this attach; a conf that cannot be read
	 * (pins removed meanwhile) leaves the qdisc's default */
	if (sched_mark_flags)
		qsock_cls_markmask(stream->dev, &markmask, &ignored);
	qsock_carrier_set_markmask(st, markmask);
	atomic_store(&st->cur_flags, 0);
	atomic_store(&st->sockmark, 0);
	st->carrier = qsock_carrier_select(sched_mark_flags, may_mark,
					   stream->sock_type == SOCK_STREAM);
	if (st->carrier == QSOCK_CARRIER_MARK_CMSG &&
	    !getsockopt(fd, SOL_SOCKET, SO_MARK, &mark, &len))
		qsock_carrier_arm_mark(st, mark);
	if (st->flags_map_fd >= 0) { /* of an earlier stream, maybe on another device */
		qsock_sys.close(st->flags_map_fd);
		st->flags_map_fd = -1;
	}
	if (st->carrier == QSOCK_CARRIER_SOCK_STORAGE) {
		rc = qsock_cls_open_flags(stream->dev, &st->flags_map_fd, err);
		if (rc)
			return rc;
	}
	/* The page of an earlier stream of this fd stays mapped until now: a send of another
	 * thread may still be writing it (as the flags map fd above stays open). */
	qsock_cls_slot_unmap(st->slot);
	st->slot = NULL;
	/* none (a root of an older library, no CAP_BPF at attach, a classless module that
	 * cannot read one): control messages */
	if (st->txtime && slot_fd >= 0)
		qsock_cls_slot_map(slot_fd, &st->slot, &ignored);
	return 0;
}

void qsock_carrier_disarm_mark(struct qsock_fd_state *st, int fd)
{
	uint32_t s = atomic_load_explicit(&st->sockmark, memory_order_relaxed);

	if (st->carrier == QSOCK_CARRIER_MARK_CMSG && SM_FIELD(s) && sockmark_set(st, fd, 0))
		qsock_carrier_end(st, QSOCK_HELD_MARK);
}

bool qsock_carrier_has_mark(const struct msghdr *msg)
{
	const struct cmsghdr *c;

	for (c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR((struct msghdr *)msg, (struct cmsghdr *)c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_MARK)
			return true;
	return false;
}

/*
 * Fill the socket's send slot for this message, if it has one and nobody else is filling or
 * relying on it (another thread, or a forked process sharing the socket and the page): then
 * the message needs no control message at all.
 */
static bool slot_fill(struct qsock_fd_state *st, const struct packet_flags *pf, uint32_t field)
{
	struct qsock_cls_slot *sl = st->slot;
	uint32_t expect = QSOCK_SLOT_FREE;

	if (!sl || !__atomic_compare_exchange_n(&sl->state, &expect, QSOCK_SLOT_FILLING, false,
						__ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
		return false;
	sl->flags = field;
	sl->deadline = pf && pf->deadline ? deadline_of(pf) : 0;
	__atomic_store_n(&sl->state, QSOCK_SLOT_SET, __ATOMIC_RELEASE);
	return true;
}

/* @hold: may rely on the socket's mark or slot (qsock_carrier_begin), else never (the shim). */
static int build(struct qsock_fd_state *st, int fd, const struct packet_flags *pf, bool hold,
		 bool caller_mark, void *cmsgs, size_t *len, unsigned int *held,
		 struct qsock_err *err)
{
	uint32_t field = pf ? pf->drop_flag & DWCS_MARK_FIELD_MASK : 0;
	char *at = cmsgs;
	int rc;

	*len = 0;
	*held = 0;
	rc = qsock_pf_check(pf, err);
	if (rc)
		return rc;
	/* The caller's own SO_MARK cmsg keeps its field when it sends no flags of ours. */
	if (hold && !(caller_mark && !field) && slot_fill(st, pf, field)) {
		*held = QSOCK_HELD_SLOT;
		return 0;
	}
	if (st->carrier == QSOCK_CARRIER_SOCK_STORAGE &&
	    atomic_load_explicit(&st->cur_flags, memory_order_relaxed) != field) {
		struct qsock_cls_flags_word {
			uint32_t flags, pad;
		} v = { field, 0 };

		if (bpf_map_update_elem(st->flags_map_fd, &fd, &v, BPF_ANY))
			return qsock_errf(err, -errno,
					  "updating the flags word of fd %d in %s/%s/flags: %s", fd,
					  qsock_cls_pin_root(), st->stream.dev, strerror(errno));
		atomic_store_explicit(&st->cur_flags, field, memory_order_relaxed);
	}
	if (st->carrier == QSOCK_CARRIER_MARK_CMSG) {
		uint32_t s = atomic_load_explicit(&st->sockmark, memory_order_relaxed);

		if (hold && !caller_mark &&
		    (sockmark_hold(st, field) ||
		     (sockmark_streak(st, field) && sockmark_set(st, fd, field))))
			*held = QSOCK_HELD_MARK;
		/* a message without flags takes the caller's SO_MARK cmsg if any, else the
		 * socket's, which must then be restored if we left a field on it */
		if (!*held && (field || (!caller_mark && (SM_FIELD(s) || (s & SM_WRITER))))) {
			uint32_t mark = st->mark_base | ((field << st->mark_shift) & st->markmask);

			at += put_cmsg(at, SOL_SOCKET, SO_MARK, &mark, sizeof(mark));
		}
	}
	if (pf && st->txtime && pf->deadline) {
		uint64_t when = deadline_of(pf);

		at += put_cmsg(at, SOL_SOCKET, SCM_TXTIME, &when, sizeof(when));
	}
	*len = (size_t)(at - (char *)cmsgs);
	return 0;
}

int qsock_carrier_build(struct qsock_fd_state *st, int fd, const struct packet_flags *pf,
			void *cmsgs, size_t *len, struct qsock_err *err)
{
	unsigned int held;

	return build(st, fd, pf, false, false, cmsgs, len, &held, err);
}

int qsock_carrier_begin(struct qsock_fd_state *st, int fd, const struct packet_flags *pf,
			bool caller_mark, void *cmsgs, size_t *len, unsigned int *held,
			struct qsock_err *err)
{
	return build(st, fd, pf, true, caller_mark, cmsgs, len, held, err);
}

bool qsock_carrier_merge(const struct msghdr *in, const void *cmsgs, size_t len, size_t max,
			 struct msghdr *out, void *buf)
{
	size_t own = CMSG_ALIGN(in->msg_controllen);

	if (in->msg_controllen > max || own > max)
		return false;
	*out = *in;
	if (in->msg_controllen) {
		memcpy(buf, in->msg_control, in->msg_controllen);
		memset((char *)buf + in->msg_controllen, 0, own - in->msg_controllen);
	}
	memcpy((char *)buf + own, cmsgs, len);
	out->msg_control = buf;
	out->msg_controllen = own + len;
	return true;
}
