// SPDX-License-Identifier: GPL-2.0
/*
 * send.c — the send path: send, sendto, sendmsg, sendmmsg, write, writev.
 *
 * Cost model: a socket that is not ours costs one atomic load and a compare on top of the
 * real call. A matched datagram socket costs the message-rule evaluation (a few compares on
 * the leading bytes) and, when the message carries flags or a deadline, the copy of the
 * caller's msghdr with our control messages appended after the caller's own, all on the
 * stack: nothing here allocates. Pages count more than instructions: all a send reads is
 * on the hot page (hot.h) and the fd's slot, and the code is in .text.hot (SHIM_HOT).
 * Measured per 1,400-byte UDP send (docs/architecture.md, Cost: one short run, at 14 and 164
 * instructions): unmatched 0.1-0.3 %, matched with 4 numbered rules 1.4 % (sendto) and 1.8 %
 * (write). In user-space instructions over libc's sendto (valgrind, shim-bench's 4 rules,
 * numbered): unmatched 12, matched 157.
 *
 * Counting: a socket whose rules number its messages (`every = N`, or QSOCK_DEBUG=3 naming
 * them) counts the messages that went out. classify() takes the next number (take_number);
 * a send that failed (EAGAIN on a full non-blocking socket, ...) gives it back, so the retry
 * of the same message gets it again. Such sockets therefore look at the result of the real
 * call instead of tail-calling it. Threads sending on one socket at once may share a number.
 *
 * Failing open: if the kernel rejects a send because of what we appended (EINVAL, EPERM,
 * EOPNOTSUPP), nothing was sent, so the caller's own message is sent again untouched and
 * the socket is left alone from then on. errno is always what the real call set, or the
 * caller's own value when the call succeeded.
 */
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "../lib/carrier.h"
#include "backend.h"
#include "fdtable.h"
#include "libc.h"
#include "shim.h"

/* Callers' control data we copy to append ours; larger ones are sent untouched. */
#define SHIM_CALLER_CONTROL_MAX 512
#define SHIM_MMSG_CHUNK 32

static void probe(int fd, struct shim_fd *f)
{
	int domain, type, proto, listening, saved = errno;
	socklen_t len = sizeof(int);
	uint8_t expected = SHIM_FD_UNKNOWN, next = SHIM_FD_FOREIGN, p = CONF_PROTO_ANY;

	if (!getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) &&
	    (domain == AF_INET || domain == AF_INET6) &&
	    !getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) &&
	    !getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &len) &&
	    !getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) && !listening) {
		if (type == SOCK_DGRAM && (proto == IPPROTO_UDP || proto == IPPROTO_UDPLITE))
			p = CONF_PROTO_UDP;
		else if (type == SOCK_STREAM && proto == IPPROTO_TCP)
			p = CONF_PROTO_TCP;
		if (p != CONF_PROTO_ANY)
			next = SHIM_FD_PENDING;
	}
	f->proto = p;
	atomic_compare_exchange_strong(&f->state, &expected, next);
	errno = saved;
}

/* First send on a socket not decided yet: probe it if we never saw it created, match it. */
static __attribute__((noinline)) struct shim_fd *sending_slow(int fd, struct shim_fd *f,
							      uint8_t state,
							      const struct sockaddr *to,
							      socklen_t tolen)
{
	if (state == SHIM_FD_UNKNOWN)
		probe(fd, f);
	/* a destination we cannot read: the call fails (EFAULT); decide at a later send */
	if (to && !shim_readable(to, tolen))
		return NULL;
	if (shim_fd_state(f) == SHIM_FD_PENDING)
		shim_match(fd, to, tolen, true);
	return shim_fd_state(f) == SHIM_FD_MATCHED ? f : NULL;
}

/* The slot of FD if its sends are ours to classify, else NULL. Matches a pending socket on
 * its first send (TO: the destination of a sendto/sendmsg, if any). Inline: for a socket
 * that is not ours this is all the shim costs, a few loads and compares. */
static inline struct shim_fd *sending(int fd, const struct sockaddr *to, socklen_t tolen)
{
	struct shim_fd *f;
	uint8_t state;

	if (!shim_hot.active)
		return NULL;
	f = shim_fd_slot(fd);
	if (!f)
		return NULL;
	state = shim_fd_state(f);
	if (state == SHIM_FD_MATCHED)
		return f;
	if (state == SHIM_FD_NOMATCH || state == SHIM_FD_FOREIGN || state == SHIM_FD_FAILED ||
	    state == SHIM_FD_BUSY)
		return NULL;
	return sending_slow(fd, f, state, to, tolen);
}

/*
 * sending() for the entries of the send calls, which must make no call but tail calls: any
 * other call makes GCC save registers on entry, for every send of every socket (~10
 * instructions). What the entry does with FD's send, and its slot in *FP when it is ours;
 * an UNDECIDED socket goes on to the call's *_undecided function, which reads the caller's
 * memory the match needs and calls sending(). Shaped for instruction count:
 *   - one test of the fd against the table, which also stands for shim_hot.active: the
 *     table has no slots until the constructor is about to set it, and none at all when
 *     the shim stays off (sending() tests active itself); 2 instructions a call;
 *   - no slot pointer tested again for NULL;
 *   - the undecided states told from the others by one compare (they come first in enum
 *     shim_fd_state);
 *   - a matched socket told numbered or not on the state's own branch.
 */
enum shim_send_kind {
	SHIM_SEND_NO_SLOT,	/* beyond the table, or the shim is off: the real call, libc
				 * perhaps not bound yet */
	SHIM_SEND_LIBC,		/* not ours: the real call (a slot's state says the shim is
				 * active: libc is bound) */
	SHIM_SEND_UNDECIDED,	/* not matched yet: the caller's *_undecided (sending_slow) */
	SHIM_SEND_MATCHED,
	SHIM_SEND_NUMBERED,	/* matched, and numbered(): the send's result is needed */
};

static inline enum shim_send_kind sending_fast(int fd, struct shim_fd **fp)
{
	struct shim_fd *f;
	uint8_t state;

	if ((unsigned int)fd >= shim_fdtable_size()) /* negative fds wrap around too */
		return SHIM_SEND_NO_SLOT;
	f = shim_fd_slot_found(fd);
	*fp = f;
	state = shim_fd_state(f);
	if (state == SHIM_FD_MATCHED)
		return f->numbered ? SHIM_SEND_NUMBERED : SHIM_SEND_MATCHED;
	if (state <= SHIM_FD_PENDING)
		return SHIM_SEND_UNDECIDED;
	return SHIM_SEND_LIBC;
}

/* libc()'s check without its call: before libc is bound (only a constructor that runs before
 * ours can send then), the caller tail-calls its *_unbound function, which binds it. */
static inline bool libc_bound(void)
{
	return atomic_load_explicit(&shim_hot.libc_ready, memory_order_acquire);
}

static __attribute__((noinline, cold)) ssize_t send_unbound(int fd, const void *buf, size_t len,
							    int flags)
{
	return libc()->send(fd, buf, len, flags);
}

static __attribute__((noinline, cold)) ssize_t sendto_unbound(int fd, const void *buf, size_t len,
							      int flags, const struct sockaddr *to,
							      socklen_t tolen)
{
	return libc()->sendto(fd, buf, len, flags, to, tolen);
}

static __attribute__((noinline, cold)) ssize_t write_unbound(int fd, const void *buf, size_t len)
{
	return libc()->write(fd, buf, len);
}

static __attribute__((noinline, cold)) ssize_t sendmsg_unbound(int fd, const struct msghdr *msg,
							       int flags)
{
	return libc()->sendmsg(fd, msg, flags);
}

static __attribute__((noinline, cold)) ssize_t writev_unbound(int fd, const struct iovec *iov,
							      int iovcnt)
{
	return libc()->writev(fd, iov, iovcnt);
}

static __attribute__((noinline, cold)) int sendmmsg_unbound(int fd, struct mmsghdr *vec,
							    unsigned int vlen, int flags)
{
	return libc()->sendmmsg(fd, vec, vlen, flags);
}

/* The message classify() numbered last on this thread (QSOCK_DEBUG=3 only), logged by
 * numbered_sent() once the send's result is known. */
static __thread struct shim_msg_note last_note;

/* Out of line and cold: written inline, the note's fields were gathered on every send. */
static __attribute__((noinline, cold)) void note_message(uint64_t seq, size_t len, int rule,
							 const struct conf_msg_action *a)
{
	last_note.seq = seq;
	last_note.len = len;
	last_note.rule = rule;
	if (rule != SHIM_UNREADABLE)
		last_note.a = *a;
}

/*
 * Whether F's messages are numbered: a UDP stream whose message rules count (`every`), or
 * any with message rules under QSOCK_DEBUG=3 (decided when it was matched: match.c). Then
 * classify() takes a number for each message and the caller must report the send's result
 * to numbered_sent().
 */
static inline bool numbered(const struct shim_fd *f)
{
	return f->numbered;
}

/* numbered_sent()'s rare part: a message that did not go out gives its number back, and
 * QSOCK_DEBUG=3 logs each. Out of line and cold: errno is saved only here. */
static __attribute__((noinline, cold)) void numbered_sent_slow(int fd, struct shim_fd *f,
								ssize_t ret)
{
	int saved = errno;

	if (ret < 0)
		atomic_fetch_sub_explicit(&f->seq, 1, memory_order_relaxed);
	if (__builtin_expect(shim_hot.debug >= 3, 0))
		shim_log_message(fd, f, &last_note, ret < 0 ? saved : 0);
	errno = saved;
}

/* A numbered message's send returned RET. Inline: the common case, a message that went out
 * and no per-message log, is one compare and no call, so that the system call returns into
 * one line of ours, not three (measured: the out-of-line version with its errno save cost
 * ~1 % of a 1,400-byte send, docs/architecture.md, Cost). */
static inline void numbered_sent(int fd, struct shim_fd *f, ssize_t ret)
{
	if (__builtin_expect(ret < 0 || shim_hot.debug >= 3, 0))
		numbered_sent_slow(fd, f, ret);
}

/*
 * classify()'s rare messages, out of line so that the common one-buffer message of a stream
 * without frame presets carries none of their state: a stream with a frame preset (the
 * socket's frame state, one word of the slot read and written back whole: no lock, no
 * allocation; two threads sending at once on one socket interleave frames anyway), a
 * message in several buffers, or one shorter than 8 bytes or longer than 4 GiB. Returns the
 * rule as conf_msg_prog_run() or SHIM_UNREADABLE; the message's length in *LEN.
 */
static __attribute__((noinline)) int classify_rare(struct shim_fd *f,
						   const struct conf_msg_prog *pg,
						   const struct iovec *iov, size_t iovcnt,
						   uint64_t seq, struct conf_msg_action *a,
						   size_t *len)
{
	struct conf_frame frame, *fs = NULL;
	int rule;

	if (pg->frames) {
		uint64_t w = atomic_load_explicit(&f->frame, memory_order_relaxed);

		memcpy(&frame, &w, sizeof(frame));
		fs = &frame;
	}
	if (iovcnt == 1) {
		size_t visible;

		*len = iov[0].iov_len;
		visible = *len < CONF_PAYLOAD_VISIBLE ? *len : CONF_PAYLOAD_VISIBLE;
		rule = visible && !shim_readable(iov[0].iov_base, visible) ?
			       SHIM_UNREADABLE :
			       conf_msg_prog_run(pg, iov[0].iov_base, visible, *len, seq, fs, a);
	} else {
		rule = shim_match_scattered(pg, iov, iovcnt, seq, fs, a, len);
	}
	if (fs && rule != SHIM_UNREADABLE) {
		uint64_t w;

		memcpy(&w, &frame, sizeof(w));
		atomic_store_explicit(&f->frame, w, memory_order_relaxed);
	}
	return rule;
}

/* classify()'s answer for a message it must not read: untouched, and the real call says
 * EFAULT. Out of line and cold, with the note QSOCK_DEBUG=3 logs of it. */
static __attribute__((noinline, cold)) int classify_unreadable(uint64_t seq, size_t len)
{
	if (shim_hot.debug >= 3)
		note_message(seq, len, SHIM_UNREADABLE, NULL);
	return -1;
}

/* The message number a message of F takes when COUNTED (numbered(F), as the send's entry
 * read it: the caller that gives the number back on failure decided on the same reading),
 * else 0. A constant in the one-buffer sends, which the entry already sent to a numbered or
 * a matched function: no second test of the slot. The counter is shared by the socket's
 * threads: an atomic add, only if a rule uses it (or the per-message log names it);
 * numbered_sent() takes it back if the send fails. */
static inline uint64_t take_number(struct shim_fd *f, bool counted)
{
	if (!counted)
		return 0;
	return atomic_fetch_add_explicit(&f->seq, 1, memory_order_relaxed) + 1;
}

/* classify()'s end, once message SEQ of LEN bytes matched RULE (A its action): the note of
 * QSOCK_DEBUG=3, and our control messages from the backend unless this is a dry run. The
 * note is for numbered_sent() to log, so only a COUNTED message takes it (under
 * QSOCK_DEBUG=3 every socket with message rules is numbered: match.c); a constant in the
 * one-buffer sends, so a matched socket's message does not test the debug level. */
static inline __attribute__((always_inline)) int
classified(int fd, uint64_t seq, size_t len, int rule, const struct conf_msg_action *a,
	   bool counted, void *cmsgs)
{
	size_t cmsg_len;
	int saved, rc;

	if (__builtin_expect(counted && shim_hot.debug >= 3, 0))
		note_message(seq, len, rule, a);
	if (shim_hot.dry_run)
		return 0;
	saved = errno;
	rc = shim_backend_cmsgs(fd, a, cmsgs, &cmsg_len);
	errno = saved;
	return rc ? -1 : (int)cmsg_len;
}

/*
 * Classify one message of matched socket F, LEN bytes at BUF: fills CMSGS (SHIM_CMSG_SPACE
 * bytes) with our control messages and returns their length (0: none), or -1 when the send
 * must go out untouched. The length is the return value and the buffer two arguments, not
 * an out-parameter and an iovec: the common message stores and reloads neither (12
 * instructions a message with the view's test below). errno is preserved (only the backend
 * makes system calls; it is saved around it).
 *
 * This is the per-message cost of a matched socket, so it is inline, and so is the program
 * conf_load() compiled from the message rules (conf/msg_prog.c): a message runs through one
 * stretch of code on a couple of cache lines of data, straight on the caller's buffer.
 * (Measured: after the kernel's send has evicted the first-level caches, every separate
 * function and scattered structure on this path costs more than its instructions.) A
 * message of 8 bytes to 4 GiB on a program without frame presets is the common one: one
 * test of its length, one compare for its view's readability (shim_readable_view), and the
 * ops (conf_msg_prog_run_whole); any other goes through classify_rare().
 */
static inline __attribute__((always_inline)) int classify_one(int fd, struct shim_fd *f,
							     const void *buf, size_t len,
							     bool counted, void *cmsgs)
{
	const struct conf_msg_prog *pg = f->prog; /* NULL for TCP (match.c) */
	struct conf_msg_action a;
	uint64_t seq;
	int rule;

	if (!pg)
		return 0;
	seq = take_number(f, counted);
	/* 8 bytes to 4 GiB: a window's load needs no padding, the length fits the ops' 32 bits */
	if (__builtin_expect(!pg->frames && len - 8 <= UINT32_MAX - 8, 1)) {
		size_t visible = len < CONF_PAYLOAD_VISIBLE ? len : CONF_PAYLOAD_VISIBLE;

		if (!shim_readable_view(buf, visible))
			return classify_unreadable(seq, len);
		rule = conf_msg_prog_run_whole(pg, buf, visible, (uint32_t)len, seq, &a);
	} else {
		const struct iovec one = { .iov_base = (void *)buf, .iov_len = len };

		rule = classify_rare(f, pg, &one, 1, seq, &a, &len);
		if (rule == SHIM_UNREADABLE)
			return classify_unreadable(seq, len);
	}
	return classified(fd, seq, len, rule, &a, counted, cmsgs);
}

/* classify_one() for a message in IOVCNT buffers (sendmsg, writev, sendmmsg). */
static inline __attribute__((always_inline)) int classify(int fd, struct shim_fd *f,
							 const struct iovec *iov, size_t iovcnt,
							 bool counted, void *cmsgs)
{
	const struct conf_msg_prog *pg = f->prog;
	struct conf_msg_action a;
	uint64_t seq;
	size_t len;
	int rule;

	if (__builtin_expect(iovcnt == 1, 1))
		return classify_one(fd, f, iov[0].iov_base, iov[0].iov_len, counted, cmsgs);
	if (!pg)
		return 0;
	seq = take_number(f, counted);
	rule = classify_rare(f, pg, iov, iovcnt, seq, &a, &len);
	if (rule == SHIM_UNREADABLE)
		return classify_unreadable(seq, len);
	return classified(fd, seq, len, rule, &a, counted, cmsgs);
}

static bool our_cmsg_refused(int err)
{
	return err == EINVAL || err == EPERM || err == EOPNOTSUPP || err == ENOPROTOOPT;
}

/* The caller's control data followed by ours (libqsock's qsock_carrier_merge, as qsendmsg
 * does), in BUF (SHIM_CALLER_CONTROL_MAX + SHIM_CMSG_SPACE bytes, aligned). False when the
 * caller's is too large to copy or unreadable (the real call then reports it). */
static bool merge_control(const struct msghdr *in, const void *ours, size_t ours_len,
			  struct msghdr *out, void *buf)
{
	if (in->msg_controllen > SHIM_CALLER_CONTROL_MAX ||
	    (in->msg_controllen && !shim_readable(in->msg_control, in->msg_controllen)))
		return false;
	return qsock_carrier_merge(in, ours, ours_len, SHIM_CALLER_CONTROL_MAX, out, buf);
}

static void give_up_on(int fd, struct shim_fd *f, int err)
{
	atomic_store_explicit(&f->state, SHIM_FD_FAILED, memory_order_release);
	shim_warn_once("fd %d: the kernel refused the per-message flags (%s): sending without them",
		       fd, strerror(err));
}

/*
 * Send MSG with our control messages OURS appended after the caller's own. When they cannot
 * be appended, or the kernel refused them (see above), *plain is set and the caller makes its
 * own original call instead.
 */
static SHIM_HOT __attribute__((noinline)) ssize_t send_appended(int fd, struct shim_fd *f,
						       const struct msghdr *msg, int flags,
						       const void *ours, size_t ours_len, bool *plain)
{
	_Alignas(struct cmsghdr) char buf[SHIM_CALLER_CONTROL_MAX + SHIM_CMSG_SPACE];
	struct msghdr merged;
	int saved = errno;
	ssize_t ret;

	*plain = true;
	if (!merge_control(msg, ours, ours_len, &merged, buf))
		return 0;
	ret = libc()->sendmsg(fd, &merged, flags);
	if (ret >= 0) {
		errno = saved;
		*plain = false;
		return ret;
	}
	if (!our_cmsg_refused(errno)) {
		*plain = false;
		return ret;
	}
	give_up_on(fd, f, errno);
	errno = saved;
	return 0;
}

/*
 * One message of a matched socket: classify it and, when it carries flags, send it with
 * sendmsg and our control messages appended. When there is nothing to append *plain is set
 * and the caller makes its own original call: a send() stays a send(), which the kernel
 * serves a little faster than a sendmsg().
 */
static SHIM_HOT ssize_t send_classified(int fd, struct shim_fd *f, const struct msghdr *msg,
					int flags, bool counted, bool *plain)
{
	_Alignas(struct cmsghdr) char ours[SHIM_CMSG_SPACE];
	int ours_len;

	*plain = true;
	ours_len = classify(fd, f, msg->msg_iov, msg->msg_iovlen, counted, ours);
	if (ours_len <= 0)
		return 0;
	return send_appended(fd, f, msg, flags, ours, (size_t)ours_len, plain);
}

/*
 * The exported send calls are shaped for the common cases. A socket that is not ours costs
 * a few loads and compares, then a tail call to libc. A matched socket goes on in a
 * function of its own (a tail call too: the unmatched path saves no registers) which calls
 * the out-of-line part to classify the buffer as it is and, when something is to be
 * appended, build a msghdr and send it. When nothing is, that part returns SHIM_PLAIN and
 * the caller's own call is made as one more tail call: no frame of ours is left for the
 * system call to return through (the kernel's send evicts the first-level caches, and each
 * frame returned through is an instruction-cache miss: measured, ~0.4% of a 1,400-byte UDP
 * send each). A numbered socket's send returns through one frame of ours whatever we do
 * (numbered_sent), so it classifies in that same frame: one function, not two nested.
 * The entries of send, sendto and write make no call but tail calls (sending_fast), so
 * they save no registers either: a socket not ours costs 12 instructions over libc's call.
 */
#define SHIM_PLAIN ((ssize_t)-2) /* no real call returns it: "make the caller's own call" */

static inline __attribute__((always_inline)) ssize_t
sendto_classify(int fd, struct shim_fd *f, const void *buf, size_t len, int flags,
		const struct sockaddr *to, socklen_t tolen, bool counted)
{
	_Alignas(struct cmsghdr) char ours[SHIM_CMSG_SPACE];
	/* errno: classify keeps it, and so does send_appended when it leaves the send to us.
	 * (The msghdr and its iovec are made only when they are needed.) */
	int ours_len = classify_one(fd, f, buf, len, counted, ours);

	if (ours_len > 0) {
		struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
		struct msghdr msg = { .msg_name = (void *)to, .msg_namelen = to ? tolen : 0,
				      .msg_iov = &iov, .msg_iovlen = 1 };
		bool plain;
		ssize_t ret = send_appended(fd, f, &msg, flags, ours, (size_t)ours_len, &plain);

		if (!plain)
			return ret;
	}
	return SHIM_PLAIN;
}

/* (six arguments at most, all in registers: a seventh on the stack forbids the tail calls) */
static SHIM_HOT __attribute__((noinline)) ssize_t sendto_classified(int fd, const void *buf, size_t len,
							   int flags, const struct sockaddr *to,
							   socklen_t tolen)
{
	return sendto_classify(fd, shim_fd_slot_found(fd), buf, len, flags, to, tolen, false);
}

static SHIM_HOT __attribute__((noinline)) ssize_t send_matched(int fd, const void *buf, size_t len,
						      int flags)
{
	ssize_t ret = sendto_classified(fd, buf, len, flags, NULL, 0);

	return ret != SHIM_PLAIN ? ret : libc()->send(fd, buf, len, flags);
}

/*
 * send/sendto of a numbered socket: the real call's result is needed (numbered_sent), so
 * the system call returns into a frame of ours anyway; classifying in that same frame saves
 * a second one (its register saves and the arguments kept across it: ~30 instructions a
 * message). Only after sending() found a socket of ours: the shim is active, so the
 * constructor has bound libc (shim_hot.libc without libc()'s check).
 */
static inline __attribute__((always_inline)) ssize_t
sendto_numbered(int fd, const void *buf, size_t len, int flags, const struct sockaddr *to,
		socklen_t tolen, bool is_send)
{
	struct shim_fd *f = shim_fd_slot_found(fd);
	ssize_t ret = sendto_classify(fd, f, buf, len, flags, to, tolen, true);

	if (ret == SHIM_PLAIN)
		ret = is_send ? shim_hot.libc.send(fd, buf, len, flags) :
				shim_hot.libc.sendto(fd, buf, len, flags, to, tolen);
	numbered_sent(fd, f, ret);
	return ret;
}

static SHIM_HOT __attribute__((noinline)) ssize_t send_numbered(int fd, const void *buf, size_t len,
						       int flags)
{
	return sendto_numbered(fd, buf, len, flags, NULL, 0, true);
}

/* The first sends on a socket not matched yet (sending_fast: SHIM_UNDECIDED). */
static __attribute__((noinline)) ssize_t send_undecided(int fd, const void *buf, size_t len,
							int flags)
{
	struct shim_fd *f = sending(fd, NULL, 0);

	if (!f)
		return libc()->send(fd, buf, len, flags);
	if (numbered(f))
		return send_numbered(fd, buf, len, flags);
	return send_matched(fd, buf, len, flags);
}

SHIM_HOT ssize_t shim_send(int fd, const void *buf, size_t len, int flags)
{
	struct shim_fd *f;

	switch (__builtin_expect(sending_fast(fd, &f), SHIM_SEND_LIBC)) {
	case SHIM_SEND_NUMBERED:
		return send_numbered(fd, buf, len, flags);
	case SHIM_SEND_MATCHED:
		return send_matched(fd, buf, len, flags);
	case SHIM_SEND_UNDECIDED:
		return send_undecided(fd, buf, len, flags);
	case SHIM_SEND_LIBC:
		return shim_hot.libc.send(fd, buf, len, flags);
	default:
		return libc_bound() ? shim_hot.libc.send(fd, buf, len, flags) :
				      send_unbound(fd, buf, len, flags);
	}
}

static SHIM_HOT __attribute__((noinline)) ssize_t sendto_matched(int fd, const void *buf, size_t len,
							int flags, const struct sockaddr *to,
							socklen_t tolen)
{
	ssize_t ret = sendto_classified(fd, buf, len, flags, to, tolen);

	return ret != SHIM_PLAIN ? ret : libc()->sendto(fd, buf, len, flags, to, tolen);
}

static SHIM_HOT __attribute__((noinline)) ssize_t sendto_numbered_call(int fd, const void *buf,
							       size_t len, int flags,
							       const struct sockaddr *to,
							       socklen_t tolen)
{
	return sendto_numbered(fd, buf, len, flags, to, tolen, false);
}

static __attribute__((noinline)) ssize_t sendto_undecided(int fd, const void *buf, size_t len,
							  int flags, const struct sockaddr *to,
							  socklen_t tolen)
{
	struct shim_fd *f = sending(fd, to, tolen);

	if (!f)
		return libc()->sendto(fd, buf, len, flags, to, tolen);
	if (numbered(f))
		return sendto_numbered_call(fd, buf, len, flags, to, tolen);
	return sendto_matched(fd, buf, len, flags, to, tolen);
}

SHIM_HOT ssize_t shim_sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *to,
		    socklen_t tolen)
{
	struct shim_fd *f;

	switch (__builtin_expect(sending_fast(fd, &f), SHIM_SEND_LIBC)) {
	case SHIM_SEND_NUMBERED:
		return sendto_numbered_call(fd, buf, len, flags, to, tolen);
	case SHIM_SEND_MATCHED:
		return sendto_matched(fd, buf, len, flags, to, tolen);
	case SHIM_SEND_UNDECIDED:
		return sendto_undecided(fd, buf, len, flags, to, tolen);
	case SHIM_SEND_LIBC:
		return shim_hot.libc.sendto(fd, buf, len, flags, to, tolen);
	default:
		return libc_bound() ? shim_hot.libc.sendto(fd, buf, len, flags, to, tolen) :
				      sendto_unbound(fd, buf, len, flags, to, tolen);
	}
}

/* The iovec array of MSG may be read (an unreadable one: the real call says EFAULT). */
static inline bool iov_readable(const struct msghdr *msg)
{
	return !msg->msg_iovlen ||
	       (msg->msg_iovlen <= IOV_MAX &&
		shim_readable(msg->msg_iov, msg->msg_iovlen * sizeof(struct iovec)));
}

static SHIM_HOT __attribute__((noinline)) ssize_t sendmsg_classified(int fd, struct shim_fd *f,
							    const struct msghdr *msg, int flags)
{
	bool plain = true;
	ssize_t ret = 0;

	if (iov_readable(msg))
		ret = send_classified(fd, f, msg, flags, false, &plain);
	return plain ? SHIM_PLAIN : ret;
}

static SHIM_HOT __attribute__((noinline)) ssize_t sendmsg_numbered(int fd, struct shim_fd *f,
							  const struct msghdr *msg, int flags)
{
	bool plain = true;
	ssize_t ret;

	if (!iov_readable(msg))
		return libc()->sendmsg(fd, msg, flags); /* not classified, not numbered */
	ret = send_classified(fd, f, msg, flags, true, &plain);
	if (plain)
		ret = libc()->sendmsg(fd, msg, flags);
	numbered_sent(fd, f, ret);
	return ret;
}

static SHIM_HOT __attribute__((noinline)) ssize_t sendmsg_matched(int fd, struct shim_fd *f,
							 const struct msghdr *msg, int flags)
{
	ssize_t ret = sendmsg_classified(fd, f, msg, flags);

	return ret != SHIM_PLAIN ? ret : libc()->sendmsg(fd, msg, flags);
}

/* The first sendmsg()s on a socket not matched yet (sending_fast: SHIM_SEND_UNDECIDED). */
static __attribute__((noinline)) ssize_t sendmsg_undecided(int fd, const struct msghdr *msg,
							   int flags)
{
	struct shim_fd *f = shim_readable(msg, sizeof(*msg)) ?
				    sending(fd, msg->msg_name, msg->msg_namelen) : NULL;

	if (!f)
		return libc()->sendmsg(fd, msg, flags);
	if (numbered(f))
		return sendmsg_numbered(fd, f, msg, flags);
	return sendmsg_matched(fd, f, msg, flags);
}

/* As shim_sendto: the state first, then the msghdr's readability for a socket of ours
 * only (an unreadable one is the real call's to refuse, EFAULT). */
SHIM_HOT ssize_t shim_sendmsg(int fd, const struct msghdr *msg, int flags)
{
	struct shim_fd *f;

	switch (__builtin_expect(sending_fast(fd, &f), SHIM_SEND_LIBC)) {
	case SHIM_SEND_NUMBERED:
		if (!shim_readable(msg, sizeof(*msg)))
			return shim_hot.libc.sendmsg(fd, msg, flags);
		return sendmsg_numbered(fd, f, msg, flags);
	case SHIM_SEND_MATCHED:
		if (!shim_readable(msg, sizeof(*msg)))
			return shim_hot.libc.sendmsg(fd, msg, flags);
		return sendmsg_matched(fd, f, msg, flags);
	case SHIM_SEND_UNDECIDED:
		return sendmsg_undecided(fd, msg, flags);
	case SHIM_SEND_LIBC:
		return shim_hot.libc.sendmsg(fd, msg, flags);
	default:
		return libc_bound() ? shim_hot.libc.sendmsg(fd, msg, flags) :
				      sendmsg_unbound(fd, msg, flags);
	}
}

/*
 * write()/writev() carry no control data, so a message that gets flags becomes the
 * equivalent sendmsg() (on a socket, write is send with no flags). A zero-length write stays
 * a write: on a datagram socket it would otherwise become an empty datagram. If the fd is no
 * longer a socket (closed inside libc and reused behind our back: ENOTSOCK), the write goes
 * out as a write and the slot is forgotten.
 */
static inline __attribute__((always_inline)) ssize_t
write_classified(int fd, struct shim_fd *f, const struct iovec *iov, int iovcnt, bool counted)
{
	_Alignas(struct cmsghdr) char ours[SHIM_CMSG_SPACE];
	int ours_len = classify(fd, f, iov, (size_t)iovcnt, counted, ours);

	if (ours_len > 0) {
		struct msghdr msg = { .msg_iov = (struct iovec *)iov, .msg_iovlen = (size_t)iovcnt };
		int saved = errno;
		bool plain;
		ssize_t ret = send_appended(fd, f, &msg, 0, ours, (size_t)ours_len, &plain);

		if (!plain) {
			if (ret >= 0 || errno != ENOTSOCK)
				return ret;
			atomic_store_explicit(&f->state, SHIM_FD_FOREIGN, memory_order_release);
			errno = saved;
		}
	}
	return SHIM_PLAIN;
}

static SHIM_HOT __attribute__((noinline)) ssize_t write_one_classified(int fd, struct shim_fd *f,
							      const void *buf, size_t len)
{
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };

	return write_classified(fd, f, &iov, 1, false);
}

static SHIM_HOT __attribute__((noinline)) ssize_t write_matched(int fd, struct shim_fd *f,
						       const void *buf, size_t len)
{
	ssize_t ret = write_one_classified(fd, f, buf, len);

	return ret != SHIM_PLAIN ? ret : libc()->write(fd, buf, len);
}

/* (as sendto_numbered: one frame for the classification and the real call) */
static SHIM_HOT __attribute__((noinline)) ssize_t write_numbered(int fd, struct shim_fd *f,
							const void *buf, size_t len)
{
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	ssize_t ret = write_classified(fd, f, &iov, 1, true);

	if (ret == SHIM_PLAIN)
		ret = shim_hot.libc.write(fd, buf, len);
	numbered_sent(fd, f, ret);
	return ret;
}

static __attribute__((noinline)) ssize_t write_undecided(int fd, const void *buf, size_t len)
{
	struct shim_fd *f = sending(fd, NULL, 0);

	if (!f || f->proto != CONF_PROTO_UDP)
		return libc()->write(fd, buf, len);
	if (numbered(f))
		return write_numbered(fd, f, buf, len);
	return write_matched(fd, f, buf, len);
}

/* A zero-length write stays a write (see above), and is tested only on a socket that is
 * ours, not on every write. A numbered socket is a UDP one (match.c gives a program only to
 * UDP sockets, and numbers only sockets with a program): no protocol test for it. */
SHIM_HOT ssize_t shim_write(int fd, const void *buf, size_t len)
{
	struct shim_fd *f;

	switch (__builtin_expect(sending_fast(fd, &f), SHIM_SEND_LIBC)) {
	case SHIM_SEND_NUMBERED:
		if (!len)
			return shim_hot.libc.write(fd, buf, len);
		return write_numbered(fd, f, buf, len);
	case SHIM_SEND_MATCHED:
		if (!len || f->proto != CONF_PROTO_UDP)
			return shim_hot.libc.write(fd, buf, len);
		return write_matched(fd, f, buf, len);
	case SHIM_SEND_UNDECIDED:
		if (!len)
			return shim_hot.libc.write(fd, buf, len);
		return write_undecided(fd, buf, len);
	case SHIM_SEND_LIBC:
		return shim_hot.libc.write(fd, buf, len);
	default:
		return libc_bound() ? shim_hot.libc.write(fd, buf, len) :
				      write_unbound(fd, buf, len);
	}
}

static SHIM_HOT __attribute__((noinline)) ssize_t writev_matched(int fd, struct shim_fd *f,
							const struct iovec *iov, int iovcnt)
{
	size_t total = 0;
	ssize_t ret = SHIM_PLAIN;
	bool counts = false;
	int i;

	for (i = 0; i < iovcnt; i++)
		total += iov[i].iov_len;
	if (total) {
		counts = numbered(f);
		ret = write_classified(fd, f, iov, iovcnt, counts);
	}
	if (!counts)
		return ret != SHIM_PLAIN ? ret : libc()->writev(fd, iov, iovcnt);
	if (ret == SHIM_PLAIN)
		ret = libc()->writev(fd, iov, iovcnt);
	numbered_sent(fd, f, ret);
	return ret;
}

/* IOV (IOVCNT buffers) may be read; a count or array the kernel refuses is its to refuse. */
static inline bool writev_iov_readable(const struct iovec *iov, int iovcnt)
{
	return iovcnt > 0 && iovcnt <= IOV_MAX && shim_readable(iov, (size_t)iovcnt * sizeof(*iov));
}

static __attribute__((noinline)) ssize_t writev_undecided(int fd, const struct iovec *iov,
							  int iovcnt)
{
	struct shim_fd *f = writev_iov_readable(iov, iovcnt) ? sending(fd, NULL, 0) : NULL;

	if (!f || f->proto != CONF_PROTO_UDP)
		return libc()->writev(fd, iov, iovcnt);
	return writev_matched(fd, f, iov, iovcnt);
}

/* As shim_write; the iovec array's readability for a socket of ours only. */
SHIM_HOT ssize_t shim_writev(int fd, const struct iovec *iov, int iovcnt)
{
	struct shim_fd *f;

	switch (__builtin_expect(sending_fast(fd, &f), SHIM_SEND_LIBC)) {
	case SHIM_SEND_NUMBERED:
	case SHIM_SEND_MATCHED:
		if (f->proto != CONF_PROTO_UDP || !writev_iov_readable(iov, iovcnt))
			return shim_hot.libc.writev(fd, iov, iovcnt);
		return writev_matched(fd, f, iov, iovcnt);
	case SHIM_SEND_UNDECIDED:
		return writev_undecided(fd, iov, iovcnt);
	case SHIM_SEND_LIBC:
		return shim_hot.libc.writev(fd, iov, iovcnt);
	default:
		return libc_bound() ? shim_hot.libc.writev(fd, iov, iovcnt) :
				      writev_unbound(fd, iov, iovcnt);
	}
}

/* The numbered messages TOOK[0..N) of a sendmmsg chunk, of which RET went out (or -1): the
 * others give their numbers back (the last ones taken), and each is logged. */
static __attribute__((noinline)) void mmsg_numbered_sent(int fd, struct shim_fd *f,
							 const bool *took,
							 const struct shim_msg_note *notes,
							 unsigned int n, int ret)
{
	unsigned int sent = ret < 0 ? 0 : (unsigned int)ret, back = 0;
	int err = ret < 0 ? errno : -1, saved = errno;

	for (unsigned int i = 0; i < n; i++) {
		if (!took[i])
			continue;
		back += i >= sent;
		if (__builtin_expect(shim_hot.debug >= 3, 0))
			shim_log_message(fd, f, &notes[i], i < sent ? 0 : err);
	}
	if (back)
		atomic_fetch_sub_explicit(&f->seq, back, memory_order_relaxed);
	errno = saved;
}

/*
 * sendmmsg: each message is classified on its own. Copies are made on the stack in chunks
 * of SHIM_MMSG_CHUNK messages; the kernel's contract is kept: the number of messages sent
 * if any was, else -1 and the first message's error, and each msg_len filled in.
 */
static __attribute__((noinline)) int sendmmsg_classified(int fd, struct shim_fd *f,
							 struct mmsghdr *vec, unsigned int vlen,
							 int flags)
{
	_Alignas(struct cmsghdr) char ctl[SHIM_MMSG_CHUNK][SHIM_CALLER_CONTROL_MAX + SHIM_CMSG_SPACE];
	_Alignas(struct cmsghdr) char ours[SHIM_CMSG_SPACE];
	struct mmsghdr copy[SHIM_MMSG_CHUNK];
	/* numbered sockets: which messages of the chunk took a number, and their log notes */
	bool took[SHIM_MMSG_CHUNK];
	struct shim_msg_note notes[SHIM_MMSG_CHUNK];
	bool counts = numbered(f);
	unsigned int done = 0, n, i;
	int saved = errno, ret;

	if (vlen > UIO_MAXIOV)
		vlen = UIO_MAXIOV; /* what the kernel does */
	while (done < vlen) {
		bool any = false;

		n = vlen - done < SHIM_MMSG_CHUNK ? vlen - done : SHIM_MMSG_CHUNK;
		for (i = 0; i < n; i++) {
			const struct msghdr *m = &vec[done + i].msg_hdr;
			int ours_len;

			copy[i] = vec[done + i];
			took[i] = false;
			if (m->msg_iovlen && (m->msg_iovlen > IOV_MAX ||
					      !shim_readable(m->msg_iov, m->msg_iovlen *
								     sizeof(struct iovec))))
				continue;
			took[i] = counts;
			ours_len = classify(fd, f, m->msg_iov, m->msg_iovlen, counts, ours);
			if (__builtin_expect(shim_hot.debug >= 3, 0) && counts)
				notes[i] = last_note;
			if (ours_len <= 0)
				continue;
			if (merge_control(m, ours, (size_t)ours_len, &copy[i].msg_hdr, ctl[i]))
				any = true;
		}
		ret = libc()->sendmmsg(fd, any ? copy : vec + done, n, flags);
		if (ret < 0 && any && our_cmsg_refused(errno)) {
			give_up_on(fd, f, errno);
			errno = saved;
			ret = libc()->sendmmsg(fd, vec + done, n, flags);
			any = false;
		}
		if (counts)
			mmsg_numbered_sent(fd, f, took, notes, n, ret);
		if (ret < 0) {
			if (!done)
				return ret;
			break;
		}
		if (any)
			for (i = 0; i < (unsigned int)ret; i++)
				vec[done + i].msg_len = copy[i].msg_len;
		done += (unsigned int)ret;
		if ((unsigned int)ret < n)
			break;
		if (done < vlen && shim_fd_state(f) != SHIM_FD_MATCHED) {
			/* flags were refused midway: the rest goes out untouched */
			ret = libc()->sendmmsg(fd, vec + done, vlen - done, flags);
			if (ret > 0)
				done += (unsigned int)ret;
			break;
		}
	}
	errno = saved;
	return (int)done;
}

/* VEC (VLEN messages, as many as the kernel reads) may be read. */
static inline bool mmsg_vec_readable(const struct mmsghdr *vec, unsigned int vlen)
{
	return vlen && shim_readable(vec, (vlen < UIO_MAXIOV ? vlen : UIO_MAXIOV) * sizeof(*vec));
}

static __attribute__((noinline)) int sendmmsg_undecided(int fd, struct mmsghdr *vec,
							unsigned int vlen, int flags)
{
	struct shim_fd *f = mmsg_vec_readable(vec, vlen) ?
				    sending(fd, vec[0].msg_hdr.msg_name, vec[0].msg_hdr.msg_namelen) :
				    NULL;

	if (!f)
		return libc()->sendmmsg(fd, vec, vlen, flags);
	return sendmmsg_classified(fd, f, vec, vlen, flags);
}

/* As shim_sendto: the copies and their 18 KiB of stack only for a socket of ours (a socket
 * not ours paid that frame's set-up on every call: 61 instructions over libc's, now 14). */
int shim_sendmmsg(int fd, struct mmsghdr *vec, unsigned int vlen, int flags)
{
	struct shim_fd *f;

	switch (__builtin_expect(sending_fast(fd, &f), SHIM_SEND_LIBC)) {
	case SHIM_SEND_NUMBERED:
	case SHIM_SEND_MATCHED:
		if (!mmsg_vec_readable(vec, vlen))
			return shim_hot.libc.sendmmsg(fd, vec, vlen, flags);
		return sendmmsg_classified(fd, f, vec, vlen, flags);
	case SHIM_SEND_UNDECIDED:
		return sendmmsg_undecided(fd, vec, vlen, flags);
	case SHIM_SEND_LIBC:
		return shim_hot.libc.sendmmsg(fd, vec, vlen, flags);
	default:
		return libc_bound() ? shim_hot.libc.sendmmsg(fd, vec, vlen, flags) :
				      sendmmsg_unbound(fd, vec, vlen, flags);
	}
}
