// SPDX-License-Identifier: GPL-2.0
/* lib/carrier.c: which carrier, which control messages, appended after the caller's. */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/net_tstamp.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <bpf/bpf.h>
#include <uapi/linux/pkt_sch_dwcs.h>

#include "bpf/qsock_cls.h"
#include "carrier.h"
#include "qsock_cls.skel.h"

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void state_init(struct qsock_fd_state *st, enum qsock_carrier carrier)
{
	memset(st, 0, sizeof(*st));
	st->carrier = carrier;
	st->txtime = 1;
	st->markmask = DWCS_DEFAULT_MARKMASK;
	st->mark_shift = 24;
	st->mark_base = 0x42;
	st->flags_map_fd = -1;
	atomic_store(&st->active, 1);
}

static void selection(void **state)
{
	/* htb: no per-packet notions, nothing is carried */
	assert_int_equal(qsock_carrier_select(0, true, false), QSOCK_CARRIER_NONE);
	assert_int_equal(qsock_carrier_select(0, false, false), QSOCK_CARRIER_NONE);
	/* dwcs: SO_MARK cmsg when allowed, else the flags word */
	assert_int_equal(qsock_carrier_select(DWCS_MARK_FIELD_MASK, true, false),
			 QSOCK_CARRIER_MARK_CMSG);
	assert_int_equal(qsock_carrier_select(DWCS_MARK_FIELD_MASK, false, false),
			 QSOCK_CARRIER_SOCK_STORAGE);
	/* TCP ignores a per-message mark: always the flags word */
	assert_int_equal(qsock_carrier_select(DWCS_MARK_FIELD_MASK, true, true),
			 QSOCK_CARRIER_SOCK_STORAGE);
}

static void mark_and_txtime_cmsgs(void **state)
{
	char buf[QSOCK_CARRIER_CMSG_SPACE] __attribute__((aligned(8)));
	struct packet_flags pf;
	struct qsock_fd_state st;
	struct qsock_err e = { "" };
	struct msghdr m = { .msg_control = buf };
	struct cmsghdr *c;
	uint32_t mark;
	uint64_t when;
	size_t len;

	state_init(&st, QSOCK_CARRIER_MARK_CMSG);
	pf.drop_flag = DWCS_NON_DROPPABLE | QSOCK_FRAME_END; /* size left as garbage */
	pf.size = 0xdeadbeef;
	pf.deadline = 123456789;
	assert_int_equal(qsock_carrier_build(&st, 3, &pf, buf, &len, &e), 0);
	assert_int_equal(len, QSOCK_CARRIER_CMSG_SPACE);
	m.msg_controllen = len;
	c = CMSG_FIRSTHDR(&m);
	assert_int_equal(c->cmsg_level, SOL_SOCKET);
	assert_int_equal(c->cmsg_type, SO_MARK);
	memcpy(&mark, CMSG_DATA(c), sizeof(mark));
	assert_int_equal(mark, 0x42 | ((DWCS_MARK_NONDROPPABLE | DWCS_MARK_FRAME_END) << 24));
	c = CMSG_NXTHDR(&m, c);
	assert_non_null(c);
	assert_int_equal(c->cmsg_type, SCM_TXTIME);
	memcpy(&when, CMSG_DATA(c), sizeof(when));
	assert_int_equal(when, 123456789);
	assert_null(CMSG_NXTHDR(&m, c));
}

/* A root whose mark mask `tc qdisc change` moved (bits 15-19): the SO_MARK cmsg puts the
 * flags there and keeps the rest of the socket's mark, including bits 24-28. */
static void mark_follows_the_qdisc_mask(void **state)
{
	char buf[QSOCK_CARRIER_CMSG_SPACE] __attribute__((aligned(8)));
	struct packet_flags pf = { .drop_flag = DWCS_NON_DROPPABLE | QSOCK_FRAME_START };
	struct qsock_fd_state st;
	struct qsock_err e = { "" };
	struct msghdr m = { .msg_control = buf };
	uint32_t mark;
	size_t len;

	state_init(&st, QSOCK_CARRIER_MARK_CMSG);
	qsock_carrier_set_markmask(&st, 0x000f8000);
	assert_int_equal(st.mark_shift, 15);
	qsock_carrier_arm_mark(&st, 0x1f000042);
	assert_int_equal(qsock_carrier_build(&st, 3, &pf, buf, &len, &e), 0);
	m.msg_controllen = len;
	assert_int_equal(CMSG_FIRSTHDR(&m)->cmsg_type, SO_MARK);
	memcpy(&mark, CMSG_DATA(CMSG_FIRSTHDR(&m)), sizeof(mark));
	assert_int_equal(mark, 0x1f000042 | ((DWCS_MARK_NONDROPPABLE | DWCS_MARK_FRAME_START) << 15));
	/* a qdisc that ignores marks (markmask 0): nothing of ours in the mark */
	qsock_carrier_set_markmask(&st, 0);
	qsock_carrier_arm_mark(&st, 0x42);
	assert_int_equal(qsock_carrier_build(&st, 3, &pf, buf, &len, &e), 0);
	memcpy(&mark, CMSG_DATA(CMSG_FIRSTHDR(&m)), sizeof(mark));
	assert_int_equal(mark, 0x42);
}

/* The caller's control data is copied into a fixed array: longer than the bound is refused. */
static void merge_is_bounded(void **state)
{
	_Alignas(struct cmsghdr) char buf[64 + QSOCK_CARRIER_CMSG_SPACE];
	char ours[QSOCK_CARRIER_CMSG_SPACE] __attribute__((aligned(8))) = { 0 };
	_Alignas(struct cmsghdr) char theirs[128] = { 0 };
	struct msghdr in = { .msg_control = theirs }, out;

	in.msg_controllen = 64;
	assert_true(qsock_carrier_merge(&in, ours, 16, 64, &out, buf));
	assert_int_equal(out.msg_controllen, 64 + 16);
	in.msg_controllen = 65;
	assert_false(qsock_carrier_merge(&in, ours, 16, 64, &out, buf));
}

static void nothing_to_add(void **state)
{
	char buf[QSOCK_CARRIER_CMSG_SPACE] __attribute__((aligned(8)));
	struct packet_flags pf = { 0 };
	struct qsock_fd_state st;
	struct qsock_err e = { "" };
	size_t len = 99;

	state_init(&st, QSOCK_CARRIER_MARK_CMSG);
	assert_int_equal(qsock_carrier_build(&st, 3, NULL, buf, &len, &e), 0);
	assert_int_equal(len, 0);
	assert_int_equal(qsock_carrier_build(&st, 3, &pf, buf, &len, &e), 0);
	assert_int_equal(len, 0); /* no flags, no deadline: no cmsg */
	/* htb (carrier none, no txtime): flags and deadline are accepted and carry nothing */
	state_init(&st, QSOCK_CARRIER_NONE);
	st.txtime = 0;
	pf.drop_flag = DWCS_NON_DROPPABLE;
	pf.deadline = 5;
	assert_int_equal(qsock_carrier_build(&st, 3, &pf, buf, &len, &e), 0);
	assert_int_equal(len, 0);
}

static void relative_deadline(void **state)
{
	char buf[QSOCK_CARRIER_CMSG_SPACE] __attribute__((aligned(8)));
	struct packet_flags pf = { .drop_flag = QSOCK_DEADLINE_RELATIVE, .deadline = 5000000 };
	struct qsock_fd_state st;
	struct qsock_err e = { "" };
	struct msghdr m = { .msg_control = buf };
	uint64_t when, before = now_ns();
	size_t len;

	state_init(&st, QSOCK_CARRIER_MARK_CMSG);
	assert_int_equal(qsock_carrier_build(&st, 3, &pf, buf, &len, &e), 0);
	m.msg_controllen = len;
	assert_int_equal(CMSG_FIRSTHDR(&m)->cmsg_type, SCM_TXTIME);
	memcpy(&when, CMSG_DATA(CMSG_FIRSTHDR(&m)), sizeof(when));
	assert_true(when >= before + 5000000 && when <= now_ns() + 5000000);
}

static void bad_flags_refused(void **state)
{
	char buf[QSOCK_CARRIER_CMSG_SPACE] __attribute__((aligned(8)));
	struct packet_flags pf = { .drop_flag = 0x200 };
	struct qsock_fd_state st;
	struct qsock_err e = { "" };
	size_t len;

	state_init(&st, QSOCK_CARRIER_MARK_CMSG);
	assert_int_equal(qsock_carrier_build(&st, 3, &pf, buf, &len, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "unknown bits 0x200"));
	pf.drop_flag = QSOCK_PF_EXT;
	pf.size = 3;
	assert_int_equal(qsock_carrier_build(&st, 3, &pf, buf, &len, &e), -EINVAL);
	pf.size = sizeof(pf);
	assert_int_equal(qsock_carrier_build(&st, 3, &pf, buf, &len, &e), 0);
}

/* The caller's cmsgs come first, untouched, even with an unaligned msg_controllen. */
static void appended_after_callers(void **state)
{
	char theirs[CMSG_SPACE(sizeof(int))] __attribute__((aligned(8)));
	char ours[QSOCK_CARRIER_CMSG_SPACE] __attribute__((aligned(8)));
	struct msghdr in = { .msg_control = theirs }, out;
	struct packet_flags pf = { .drop_flag = DWCS_NON_DROPPABLE, .deadline = 77 };
	struct qsock_fd_state st;
	struct qsock_err e = { "" };
	struct cmsghdr *c;
	int tos = 0x10, n = 0;
	size_t len;

	memset(theirs, 0, sizeof(theirs));
	c = (struct cmsghdr *)theirs;
	c->cmsg_level = IPPROTO_IP;
	c->cmsg_type = IP_TOS;
	c->cmsg_len = CMSG_LEN(sizeof(tos));
	memcpy(CMSG_DATA(c), &tos, sizeof(tos));
	in.msg_controllen = CMSG_LEN(sizeof(tos)); /* not padded: callers do this */
	state_init(&st, QSOCK_CARRIER_MARK_CMSG);
	assert_int_equal(qsock_carrier_build(&st, 3, &pf, ours, &len, &e), 0);
	{
		_Alignas(struct cmsghdr) char buf[QSOCK_CALLER_CONTROL_MAX + QSOCK_CARRIER_CMSG_SPACE];

		assert_true(qsock_carrier_merge(&in, ours, len, QSOCK_CALLER_CONTROL_MAX, &out, buf));
		for (c = CMSG_FIRSTHDR(&out); c; c = CMSG_NXTHDR(&out, c), n++) {
			static const int types[] = { IP_TOS, SO_MARK, SCM_TXTIME };

			assert_int_equal(c->cmsg_type, types[n]);
		}
		assert_int_equal(n, 3);
		assert_ptr_equal(in.msg_control, theirs); /* the caller's msghdr is not changed */
	}
}

/* The kernel accepts what we build: a real UDP send with SO_TXTIME and both cmsgs. */
static void kernel_accepts_the_cmsgs(void **state)
{
	struct sock_txtime txt = { .clockid = CLOCK_MONOTONIC };
	char ours[QSOCK_CARRIER_CMSG_SPACE] __attribute__((aligned(8)));
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(9) };
	struct packet_flags pf = { .drop_flag = DWCS_NON_DROPPABLE };
	struct iovec iov = { .iov_base = "x", .iov_len = 1 };
	struct msghdr in = { .msg_name = &to,
			     .msg_namelen = sizeof(to),
			     .msg_iov = &iov,
			     .msg_iovlen = 1 },
		      out;
	struct qsock_fd_state st;
	struct qsock_err e = { "" };
	size_t len;
	int fd;

	if (geteuid())
		skip(); /* SO_MARK cmsgs need CAP_NET_RAW/ADMIN */
	inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	assert_true(fd >= 0);
	assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_TXTIME, &txt, sizeof(txt)), 0);
	state_init(&st, QSOCK_CARRIER_MARK_CMSG);
	pf.deadline = now_ns() + 1000000;
	assert_int_equal(qsock_carrier_build(&st, fd, &pf, ours, &len, &e), 0);
	{
		_Alignas(struct cmsghdr) char buf[QSOCK_CALLER_CONTROL_MAX + QSOCK_CARRIER_CMSG_SPACE];

		assert_true(qsock_carrier_merge(&in, ours, len, QSOCK_CALLER_CONTROL_MAX, &out, buf));
		assert_int_equal(sendmsg(fd, &out, 0), 1);
	}
	close(fd);
}

/* Unprivileged carrier: one bpf() update per flags *change*, keyed by the caller's fd. */
static void flags_word_written_on_change_only(void **state)
{
	char ours[QSOCK_CARRIER_CMSG_SPACE] __attribute__((aligned(8)));
	struct packet_flags pf = { .drop_flag = DWCS_NON_DROPPABLE };
	struct qsock_fd_state st;
	struct qsock_err e = { "" };
	uint32_t v[2];
	size_t len;
	int fd, map;

	struct qsock_cls *skel;

	/* SK_STORAGE maps need BTF: take the classifier's own, from its skeleton */
	skel = qsock_cls__open_and_load();
	if (!skel)
		skip(); /* needs CAP_BPF (run as root) */
	map = bpf_map__fd(skel->maps.flags);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	state_init(&st, QSOCK_CARRIER_SOCK_STORAGE);
	st.flags_map_fd = map;
	st.txtime = 0;
	assert_int_equal(qsock_carrier_build(&st, fd, &pf, ours, &len, &e), 0);
	assert_int_equal(len, 0); /* nothing in the message itself */
	assert_int_equal(bpf_map_lookup_elem(map, &fd, v), 0);
	assert_int_equal(v[0], DWCS_MARK_NONDROPPABLE);
	/* same flags again: no write (the word is changed behind its back to prove it) */
	v[0] = 0x1f;
	assert_int_equal(bpf_map_update_elem(map, &fd, v, BPF_ANY), 0);
	assert_int_equal(qsock_carrier_build(&st, fd, &pf, ours, &len, &e), 0);
	assert_int_equal(bpf_map_lookup_elem(map, &fd, v), 0);
	assert_int_equal(v[0], 0x1f);
	/* new flags: written */
	pf.drop_flag = QSOCK_DROP_PRIO(2) | QSOCK_FRAME_START;
	assert_int_equal(qsock_carrier_build(&st, fd, &pf, ours, &len, &e), 0);
	assert_int_equal(bpf_map_lookup_elem(map, &fd, v), 0);
	assert_int_equal(v[0], (2 << DWCS_MARK_DROPPRIO_SHIFT) | DWCS_MARK_FRAME_START);
	/* no packet_flags: back to an ordinary message */
	assert_int_equal(qsock_carrier_build(&st, fd, NULL, ours, &len, &e), 0);
	assert_int_equal(bpf_map_lookup_elem(map, &fd, v), 0);
	assert_int_equal(v[0], 0);
	close(fd);
	qsock_cls__destroy(skel);
}

/* The fd table: concurrent first use of a chunk allocates it once; every thread sees the
 * same slot for an fd; inactive slots are invisible to the send path. */
#define RACERS 8
static struct qsock_fd_state *seen[RACERS];

static void *race_slot(void *arg)
{
	int rc;

	seen[(long)arg] = qsock_fd_slot(500123, &rc);	/* a chunk nobody else uses */
	return NULL;
}

static void fd_table_is_shared_and_lock_free(void **state)
{
	pthread_t t[RACERS];
	struct qsock_fd_state *st;
	int rc;

	for (long i = 0; i < RACERS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, race_slot, (void *)i), 0);
	for (int i = 0; i < RACERS; i++)
		pthread_join(t[i], NULL);
	for (int i = 1; i < RACERS; i++)
		assert_ptr_equal(seen[i], seen[0]);
	assert_non_null(seen[0]);
	assert_int_equal(seen[0]->flags_map_fd, -1);
	assert_null(qsock_fd_get(500123));	/* allocated, not active */
	atomic_store(&seen[0]->active, 1);
	assert_ptr_equal(qsock_fd_get(500123), seen[0]);
	atomic_store(&seen[0]->active, 0);
	assert_null(qsock_fd_get(500123));
	assert_null(qsock_fd_slot(-1, &rc));
	assert_int_equal(rc, -EBADF);
	st = qsock_fd_slot(1 << 20, &rc);	/* beyond the table */
	assert_null(st);
	assert_null(qsock_fd_get(1 << 20));
}

/* --- qsendto/qsendmsg's SO_MARK carrier: a repeating field is left on the socket's mark --- */

static uint32_t sock_mark(int fd)
{
	uint32_t mark = 0;
	socklen_t len = sizeof(mark);

	assert_int_equal(getsockopt(fd, SOL_SOCKET, SO_MARK, &mark, &len), 0);
	return mark;
}

/* The SO_MARK value among @len bytes of cmsgs, or -1 if none. */
static int64_t cmsg_mark(void *cmsgs, size_t len)
{
	struct msghdr m = { .msg_control = cmsgs, .msg_controllen = len };

	for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c))
		if (c->cmsg_type == SO_MARK) {
			uint32_t v;

			memcpy(&v, CMSG_DATA(c), sizeof(v));
			return v;
		}
	return -1;
}

/* A privileged UDP socket with SO_TXTIME and mark 0x42, armed as at attach. */
static int mark_socket(struct qsock_fd_state *st)
{
	struct sock_txtime txt = { .clockid = CLOCK_MONOTONIC };
	uint32_t mark = 0x42;
	int fd;

	fd = socket(AF_INET, SOCK_DGRAM, 0);
	assert_true(fd >= 0);
	assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_TXTIME, &txt, sizeof(txt)), 0);
	assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_MARK, &mark, sizeof(mark)), 0);
	state_init(st, QSOCK_CARRIER_MARK_CMSG);
	qsock_carrier_arm_mark(st, sock_mark(fd));
	return fd;
}

static void mark_left_on_socket_when_repeated(void **state)
{
	char ours[QSOCK_CARRIER_CMSG_SPACE] __attribute__((aligned(8)));
	struct packet_flags pf = { .drop_flag = DWCS_NON_DROPPABLE, .deadline = 1000 };
	struct packet_flags other = { .drop_flag = QSOCK_FRAME_START };
	const uint32_t nd = 0x42 | DWCS_MARK_NONDROPPABLE << 24;
	struct qsock_fd_state st;
	struct qsock_err e = { "" };
	unsigned int held, held2;
	size_t len;
	int fd;

	if (geteuid())
		skip(); /* SO_MARK needs CAP_NET_RAW/ADMIN */
	fd = mark_socket(&st);
	/* first message with these flags: the cmsg, the socket's mark untouched */
	assert_int_equal(qsock_carrier_begin(&st, fd, &pf, false, ours, &len, &held, &e), 0);
	assert_false(held);
	assert_int_equal(len, CMSG_SPACE(4) + CMSG_SPACE(8));
	assert_int_equal(cmsg_mark(ours, len), nd);
	qsock_carrier_end(&st, held);
	assert_int_equal(sock_mark(fd), 0x42);
	/* second: set on the socket, only the deadline travels in the message */
	assert_int_equal(qsock_carrier_begin(&st, fd, &pf, false, ours, &len, &held, &e), 0);
	assert_true(held);
	assert_int_equal(len, CMSG_SPACE(8));
	assert_int_equal(cmsg_mark(ours, len), -1);
	assert_int_equal(sock_mark(fd), nd);
	/* while a send relies on it, another field never changes it: the cmsg is used */
	for (int i = 0; i < 3; i++) {
		assert_int_equal(qsock_carrier_begin(&st, fd, &other, false, ours, &len, &held2,
						     &e), 0);
		assert_false(held2);
		assert_int_equal(cmsg_mark(ours, len), 0x42 | DWCS_MARK_FRAME_START << 24);
		qsock_carrier_end(&st, held2);
	}
	assert_int_equal(sock_mark(fd), nd);
	qsock_carrier_end(&st, held);
	/* no flags while the socket has ours: an explicit cmsg restores the plain mark... */
	assert_int_equal(qsock_carrier_begin(&st, fd, NULL, false, ours, &len, &held, &e), 0);
	assert_false(held);
	assert_int_equal(cmsg_mark(ours, len), 0x42);
	/* ...also on the shim's path, which never relies on the socket's mark */
	assert_int_equal(qsock_carrier_build(&st, fd, NULL, ours, &len, &e), 0);
	assert_int_equal(cmsg_mark(ours, len), 0x42);
	assert_int_equal(qsock_carrier_build(&st, fd, &pf, ours, &len, &e), 0);
	assert_int_equal(cmsg_mark(ours, len), nd);
	/* the caller's own SO_MARK cmsg would override the socket's: ours goes in the message,
	 * and a message without flags keeps the caller's */
	for (int i = 0; i < 3; i++) {
		assert_int_equal(qsock_carrier_begin(&st, fd, &pf, true, ours, &len, &held, &e),
				 0);
		assert_false(held);
		assert_int_equal(cmsg_mark(ours, len), nd);
	}
	assert_int_equal(qsock_carrier_begin(&st, fd, NULL, true, ours, &len, &held, &e), 0);
	assert_int_equal(len, 0);
	/* detach restores the socket's own mark */
	assert_int_equal(qsock_carrier_begin(&st, fd, &pf, false, ours, &len, &held, &e), 0);
	assert_true(held);
	qsock_carrier_end(&st, held);
	assert_int_equal(sock_mark(fd), nd);
	qsock_carrier_disarm_mark(&st, fd);
	assert_int_equal(sock_mark(fd), 0x42);
	close(fd);
}

/* After a fork both processes share the socket but not the state: neither changes it. */
static void mark_frozen_after_fork(void **state)
{
	char ours[QSOCK_CARRIER_CMSG_SPACE] __attribute__((aligned(8)));
	struct packet_flags pf = { .drop_flag = DWCS_NON_DROPPABLE };
	struct qsock_fd_state *st;
	struct qsock_err e = { "" };
	unsigned int held;
	size_t len;
	int fd, rc, status;
	pid_t pid;

	if (geteuid())
		skip();
	st = qsock_fd_slot(700000, &rc); /* the fork handler walks the fd table */
	assert_non_null(st);
	fd = mark_socket(st);
	pid = fork();
	assert_true(pid >= 0);
	for (int i = 0; i < 3; i++) {
		if (qsock_carrier_begin(st, fd, &pf, false, ours, &len, &held, &e) || held ||
		    cmsg_mark(ours, len) != (0x42 | DWCS_MARK_NONDROPPABLE << 24)) {
			if (!pid)
				_exit(1);
			fail_msg("parent: the socket's mark was relied on after a fork");
		}
	}
	if (!pid)
		_exit(sock_mark(fd) == 0x42 ? 0 : 2);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(status, 0);
	assert_int_equal(sock_mark(fd), 0x42);
	/* the field already on the socket is still relied on: nobody changes it any more */
	assert_int_equal(qsock_carrier_begin(st, fd, NULL, false, ours, &len, &held, &e), 0);
	assert_true(held);
	qsock_carrier_end(st, held);
	close(fd);
	memset(st, 0, sizeof(*st));
}

/* ---------------------------------------------------------------- the send slot */

static struct qsock_cls_slot slot_page __attribute__((aligned(64)));

/* One message: the slot holds its deadline and flags while the send relies on it, and
 * nothing travels as a control message; the shim's path never uses the slot. */
static void slot_carries_the_message(void **state)
{
	char ours[QSOCK_CARRIER_CMSG_SPACE] __attribute__((aligned(8)));
	struct packet_flags pf = { .drop_flag = DWCS_NON_DROPPABLE | QSOCK_FRAME_START,
				   .deadline = 123456789 };
	struct packet_flags rel = { .drop_flag = QSOCK_DEADLINE_RELATIVE, .deadline = 5000000 };
	struct qsock_fd_state st;
	struct qsock_err e = { "" };
	unsigned int held;
	uint64_t before;
	size_t len;

	for (int c = QSOCK_CARRIER_MARK_CMSG; c <= QSOCK_CARRIER_SOCK_STORAGE; c++) {
		state_init(&st, (enum qsock_carrier)c);
		st.slot = &slot_page;
		memset(&slot_page, 0, sizeof(slot_page));
		assert_int_equal(qsock_carrier_begin(&st, 3, &pf, false, ours, &len, &held, &e), 0);
		assert_int_equal(held, QSOCK_HELD_SLOT);
		assert_int_equal(len, 0);
		assert_int_equal(slot_page.state, QSOCK_SLOT_SET);
		assert_int_equal(slot_page.flags, DWCS_MARK_NONDROPPABLE | DWCS_MARK_FRAME_START);
		assert_int_equal(slot_page.deadline, 123456789);
		qsock_carrier_end(&st, held);
		assert_int_equal(slot_page.state, QSOCK_SLOT_FREE);
		/* the flags word is not rewritten for a message the slot carries */
		assert_int_equal(atomic_load(&st.cur_flags), 0);
	}
	/* a relative deadline is made absolute (CLOCK_MONOTONIC) */
	before = now_ns();
	assert_int_equal(qsock_carrier_begin(&st, 3, &rel, false, ours, &len, &held, &e), 0);
	assert_true(slot_page.deadline >= before + 5000000 &&
		    slot_page.deadline <= now_ns() + 5000000);
	assert_int_equal(slot_page.flags, 0);
	qsock_carrier_end(&st, held);
	/* no packet_flags: the slot says "none", so nothing left by an earlier send applies */
	assert_int_equal(qsock_carrier_begin(&st, 3, NULL, false, ours, &len, &held, &e), 0);
	assert_int_equal(held, QSOCK_HELD_SLOT);
	assert_int_equal(slot_page.flags, 0);
	assert_int_equal(slot_page.deadline, 0);
	qsock_carrier_end(&st, held);
	/* the caller's own SO_MARK and no flags of ours: the caller's mark is left alone */
	assert_int_equal(qsock_carrier_begin(&st, 3, NULL, true, ours, &len, &held, &e), 0);
	assert_int_equal(held & QSOCK_HELD_SLOT, 0);
	assert_int_equal(slot_page.state, QSOCK_SLOT_FREE);
	/* the shim's path always sends control messages */
	state_init(&st, QSOCK_CARRIER_MARK_CMSG);
	st.slot = &slot_page;
	assert_int_equal(qsock_carrier_build(&st, 3, &pf, ours, &len, &e), 0);
	assert_true(len > 0);
	assert_int_equal(slot_page.state, QSOCK_SLOT_FREE);
	/* bad flags are refused before the slot is touched */
	pf.drop_flag = 0x40000000;
	assert_int_equal(qsock_carrier_begin(&st, 3, &pf, false, ours, &len, &held, &e), -EINVAL);
	assert_int_equal(slot_page.state, QSOCK_SLOT_FREE);
}

/* A slot that another send holds (a thread, or a forked process sharing the page) is left
 * alone: the message goes with control messages. */
static void slot_busy_falls_back(void **state)
{
	char ours[QSOCK_CARRIER_CMSG_SPACE] __attribute__((aligned(8)));
	struct packet_flags pf = { .drop_flag = DWCS_NON_DROPPABLE, .deadline = 77 };
	struct qsock_fd_state st;
	struct qsock_err e = { "" };
	unsigned int held;
	size_t len;

	state_init(&st, QSOCK_CARRIER_MARK_CMSG);
	st.slot = &slot_page;
	for (uint32_t busy = QSOCK_SLOT_FILLING; busy <= QSOCK_SLOT_SET; busy++) {
		slot_page = (struct qsock_cls_slot){ .state = busy, .flags = 9, .deadline = 9 };
		assert_int_equal(qsock_carrier_begin(&st, 3, &pf, false, ours, &len, &held, &e), 0);
		assert_int_equal(held & QSOCK_HELD_SLOT, 0);
		assert_int_equal(len, CMSG_SPACE(4) + CMSG_SPACE(8));
		qsock_carrier_end(&st, held);
		assert_int_equal(slot_page.state, busy);
		assert_int_equal(slot_page.flags, 9);
		assert_int_equal(slot_page.deadline, 9);
	}
}

/*
 * Threads sharing the fd with different flags: whatever a send relies on (the socket's mark,
 * checked with getsockopt inside the window, or the slot) carries its own flags, and a send
 * relying on neither carries them in its control message.
 */
#define RACE_ITERS 20000
static struct qsock_fd_state race_st;
static int race_fd;
static _Atomic long race_held, race_wrong;
static pthread_barrier_t race_start;

static bool held_carries(unsigned int held, uint32_t mine)
{
	if (held & QSOCK_HELD_SLOT)
		return slot_page.flags == mine && slot_page.deadline == 1000 + mine &&
		       slot_page.state == QSOCK_SLOT_SET;
	return sock_mark(race_fd) == (0x42 | mine << 24);
}

static void *racer(void *arg)
{
	char ours[QSOCK_CARRIER_CMSG_SPACE] __attribute__((aligned(8)));
	uint32_t mine = (uint32_t)(long)arg;
	struct packet_flags pf = { .drop_flag = mine, .deadline = 1000 + mine };
	struct qsock_err e = { "" };
	unsigned int held;
	size_t len;

	pthread_barrier_wait(&race_start);
	for (int i = 0; i < RACE_ITERS; i++) {
		if (qsock_carrier_begin(&race_st, race_fd, &pf, false, ours, &len, &held, &e))
			atomic_fetch_add(&race_wrong, 1);
		if (held) {
			atomic_fetch_add(&race_held, 1);
			sched_yield(); /* widen the window */
			if (!held_carries(held, mine))
				atomic_fetch_add(&race_wrong, 1);
		} else if (cmsg_mark(ours, len) != (0x42 | mine << 24)) {
			atomic_fetch_add(&race_wrong, 1);
		}
		qsock_carrier_end(&race_st, held);
	}
	return NULL;
}

/* Three racers on race_st and race_fd; none may ever see another's flags. */
static void race(void)
{
	static const uint32_t fields[] = { DWCS_MARK_NONDROPPABLE, DWCS_MARK_FRAME_START,
					   DWCS_MARK_FRAME_END | DWCS_MARK_NONDROPPABLE };
	pthread_t t[3];

	atomic_store(&race_held, 0);
	atomic_store(&race_wrong, 0);
	pthread_barrier_init(&race_start, NULL, 3);
	for (int i = 0; i < 3; i++)
		assert_int_equal(pthread_create(&t[i], NULL, racer, (void *)(long)fields[i]), 0);
	for (int i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&race_start);
	assert_int_equal(atomic_load(&race_wrong), 0);
	assert_true(atomic_load(&race_held) > 0); /* the mark or the slot was used at all */
}

static void mark_threads_never_mixed(void **state)
{
	if (geteuid())
		skip(); /* SO_MARK needs CAP_NET_RAW/ADMIN */
	race_fd = mark_socket(&race_st);
	race();
	assert_int_equal(atomic_load(&race_st.sockmark) & 0xffff, 0); /* nobody left holding */
	close(race_fd);
}

static void slot_threads_never_mixed(void **state)
{
	race_fd = socket(AF_INET, SOCK_DGRAM, 0);
	assert_true(race_fd >= 0);
	state_init(&race_st, QSOCK_CARRIER_MARK_CMSG);
	race_st.slot = &slot_page;
	memset(&slot_page, 0, sizeof(slot_page));
	race();
	assert_int_equal(slot_page.state, QSOCK_SLOT_FREE); /* nobody left holding it */
	close(race_fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(selection),
		cmocka_unit_test(mark_and_txtime_cmsgs),
		cmocka_unit_test(mark_follows_the_qdisc_mask),
		cmocka_unit_test(merge_is_bounded),
		cmocka_unit_test(nothing_to_add),
		cmocka_unit_test(relative_deadline),
		cmocka_unit_test(bad_flags_refused),
		cmocka_unit_test(appended_after_callers),
		cmocka_unit_test(kernel_accepts_the_cmsgs),
		cmocka_unit_test(flags_word_written_on_change_only),
		cmocka_unit_test(fd_table_is_shared_and_lock_free),
		cmocka_unit_test(mark_left_on_socket_when_repeated),
		cmocka_unit_test(mark_frozen_after_fork),
		cmocka_unit_test(mark_threads_never_mixed),
		cmocka_unit_test(slot_carries_the_message),
		cmocka_unit_test(slot_busy_falls_back),
		cmocka_unit_test(slot_threads_never_mixed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
