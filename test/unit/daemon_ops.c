// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of qsockd's dispatcher (daemon/ops.c) and stream table (daemon/streams.c) on the
 * fake backend: quotas counted per uid with the changed stream excluded, ownership (another
 * uid sees ENOENT, root sees all), the passed fd checked, STATUS scoped to the caller, and the
 * sweep removing a stream whose owner process has exited.
 */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../daemon/log.h"
#include "../../daemon/ops.h"

static struct qsockd_reply replies[64];
static int reply_fds[64];
static unsigned int n_replies;

/* keeps the replies and the fds that go with them (the tests close those) */
static void emit(void *client, const struct qsockd_reply *rep, int fd)
{
	if (n_replies < 64) {
		reply_fds[n_replies] = fd;
		replies[n_replies++] = *rep;
	} else if (fd >= 0) {
		close(fd);
	}
}

static struct qsockd_reply *last(void)
{
	return &replies[n_replies - 1];
}

static struct qd_ctx ctx;
/* The test's own uid owns the sockets it creates (the daemon checks that); `other` is
 * another uid, used only where no socket is passed. */
static uid_t user, other;

static int setup(void **state)
{
	memset(&ctx, 0, sizeof(ctx));
	policy_init_default(&ctx.policy);
	ctx.policy.root_unlimited = false; /* the tests may run as root: limit it like anyone */
	ctx.be = qd_backend;
	qd_log_setup(QD_ERR, false);
	user = getuid();
	other = user + 4242;
	return 0;
}

static int teardown(void **state)
{
	char msg[QSOCKD_MSG_LEN];

	/* the fake kernel forgets them too: status lists what it holds (in-process streams) */
	for (unsigned int i = 0; i < ctx.streams.n; i++)
		if (ctx.streams.v[i].fd >= 0)
			ctx.be->detach(ctx.streams.v[i].fd, ctx.streams.v[i].st.params.dev, msg,
				       sizeof(msg));
	qd_streams_free(&ctx.streams);
	policy_free(&ctx.policy);
	return 0;
}

/* the peer's pid in call(); 0: this process's */
static pid_t call_pid;

static struct qd_peer peer_of(uid_t uid)
{
	struct qd_peer p = { .uid = uid, .charge_uid = uid, .gid = uid,
			     .pid = call_pid ? call_pid : getpid() };

	strcpy(p.comm, "daemon_ops");
	return p;
}

/* the scheduler ATTACH and CHANGE name: the fake backend gives "dwcs" streams a send slot */
static const char *call_sched = "htb";

/* One request; returns the (last) reply's error. */
static int call(enum qsockd_op op, uint64_t cookie, int fd, uint64_t ipg_ns, uid_t uid)
{
	struct qsockd_request req;
	struct qd_peer peer = peer_of(uid);
	int passed = fd >= 0 ? dup(fd) : -1;

	qsockd_request_init(&req, op, 1);
	req.cookie = cookie;
	if (op == QSOCKD_OP_ATTACH || op == QSOCKD_OP_CHANGE) {
		strcpy(req.params.dev, "eth0");
		strcpy(req.params.sched, call_sched);
		req.params.ipg_ns = ipg_ns;
	}
	n_replies = 0;
	qd_ops_handle(&ctx, &req, &passed, &peer, emit, NULL);
	if (passed >= 0)
		close(passed);
	assert_true(n_replies >= 1);
	return last()->error;
}

/* 1500-byte packets: 12 ms period = 1 Mbit/s, 24 ms = 500 kbit/s */
#define IPG_500K 24000000ULL
#define IPG_900K 13333334ULL
#define IPG_600K 20000000ULL

static void test_quota_counts_other_streams_not_the_changed_one(void **state)
{
	int a = socket(AF_INET, SOCK_DGRAM, 0), b = socket(AF_INET, SOCK_DGRAM, 0);
	uint64_t cookie_a;

	assert_int_equal(call(QSOCKD_OP_ATTACH, 0, a, IPG_500K, user), 0);
	cookie_a = last()->stream.cookie;
	assert_true(cookie_a != 0);
	assert_int_equal(last()->stream.owner_uid, user);
	assert_int_equal(call(QSOCKD_OP_ATTACH, 0, a, IPG_500K, user), EEXIST);
	/* 900 kbit/s replaces 500: under 1 Mbit/s */
	assert_int_equal(call(QSOCKD_OP_CHANGE, cookie_a, -1, IPG_900K, user), 0);
	/* another 600 kbit/s stream: 1.5 Mbit/s in total */
	assert_int_equal(call(QSOCKD_OP_ATTACH, 0, b, IPG_600K, user), EDQUOT);
	assert_non_null(strstr(last()->message, "max_rate 1000000 bit/s exceeded"));
	assert_int_equal(ctx.streams.n, 1);
	/* the same stream, owned by and charged to another uid, no longer counts against ours */
	ctx.streams.v[0].st.owner_uid = other;
	ctx.streams.v[0].charge_uid = other;
	assert_int_equal(call(QSOCKD_OP_ATTACH, 0, b, IPG_600K, user), 0);
	assert_int_equal(ctx.streams.n, 2);
	close(a);
	close(b);
}

static void test_ownership(void **state)
{
	int a = socket(AF_INET, SOCK_DGRAM, 0);
	uint64_t c;

	assert_int_equal(call(QSOCKD_OP_ATTACH, 0, a, IPG_500K, user), 0);
	c = last()->stream.cookie;
	assert_int_equal(call(QSOCKD_OP_INFO, c, -1, 0, other), ENOENT);
	assert_int_equal(call(QSOCKD_OP_CHANGE, c, -1, IPG_600K, other), ENOENT);
	assert_int_equal(call(QSOCKD_OP_DETACH, c, -1, 0, other), ENOENT);
	assert_int_equal(call(QSOCKD_OP_INFO, c, -1, 0, 0), 0);
	assert_int_equal(last()->stream.cookie, c);
	assert_int_equal(call(QSOCKD_OP_INFO, 0, a, 0, user), 0); /* by the socket itself */
	/* a change cannot move the stream to another device or scheduler */
	ctx.streams.v[0].st.params.sched[0] = 'x';
	assert_int_equal(call(QSOCKD_OP_CHANGE, c, -1, IPG_600K, user), EINVAL);
	assert_non_null(strstr(last()->message, "detach and attach to switch"));
	ctx.streams.v[0].st.params.sched[0] = 'h';
	assert_int_equal(call(QSOCKD_OP_DETACH, c, -1, 0, user), 0);
	assert_int_equal(ctx.streams.n, 0);
	assert_int_equal(call(QSOCKD_OP_INFO, c, -1, 0, user), ENOENT);
	close(a);
}

static int open_fds(void)
{
	int n = 0;
	DIR *d = opendir("/proc/self/fd");

	while (d && readdir(d))
		n++;
	if (d)
		closedir(d);
	return n;
}

/* The send slot the backend made goes with the ATTACH reply, marked F_SLOT, and only there;
 * a refused attach passes none and leaks none. */
static void test_attach_reply_carries_the_send_slot(void **state)
{
	int a = socket(AF_INET, SOCK_DGRAM, 0), b = socket(AF_INET, SOCK_DGRAM, 0);
	int before;

	call_sched = "dwcs";
	assert_int_equal(call(QSOCKD_OP_ATTACH, 0, a, IPG_500K, user), 0);
	assert_int_equal(n_replies, 1);
	assert_true(last()->flags & QSOCKD_REPLY_F_SLOT);
	assert_true(reply_fds[0] >= 0);
	close(reply_fds[0]);
	before = open_fds();
	assert_int_equal(call(QSOCKD_OP_ATTACH, 0, a, IPG_500K, user), EEXIST);
	assert_false(last()->flags & QSOCKD_REPLY_F_SLOT);
	assert_int_equal(reply_fds[0], -1);
	assert_int_equal(call(QSOCKD_OP_INFO, 0, a, 0, user), 0);
	assert_int_equal(reply_fds[0], -1);
	assert_int_equal(open_fds(), before);
	call_sched = "htb";
	assert_int_equal(call(QSOCKD_OP_ATTACH, 0, b, IPG_500K, user), 0);
	assert_false(last()->flags & QSOCKD_REPLY_F_SLOT);
	assert_int_equal(reply_fds[0], -1);
	close(a);
	close(b);
}

#define IPG_300K 40000000ULL

/* JOIN (share = "process"): into a stream of the same process only; the shared class counts
 * once against the quota; its sockets follow a change; a dwcs join brings a send slot. */
static void test_join_shares_a_class_within_one_process(void **state)
{
	int a = socket(AF_INET, SOCK_DGRAM, 0), b = socket(AF_INET6, SOCK_DGRAM, 0);
	int c = socket(AF_INET, SOCK_DGRAM, 0), d = socket(AF_INET, SOCK_DGRAM, 0);
	uint64_t ca;
	uint32_t classid;

	call_sched = "dwcs";
	assert_int_equal(call(QSOCKD_OP_ATTACH, 0, a, IPG_600K, user), 0);
	close(reply_fds[0]);
	ca = last()->stream.cookie;
	classid = last()->stream.classid;
	/* another process of the same uid: as if there were no such stream */
	call_pid = getpid() + 1;
	assert_int_equal(call(QSOCKD_OP_JOIN, ca, b, 0, user), ENOENT);
	assert_non_null(strstr(last()->message, "of this process"));
	call_pid = 0;
	assert_int_equal(call(QSOCKD_OP_JOIN, ca + 999, b, 0, user), ENOENT);
	assert_int_equal(call(QSOCKD_OP_JOIN, ca, -1, 0, user), EBADF);
	assert_int_equal(call(QSOCKD_OP_JOIN, ca, b, 0, user), 0);
	assert_int_equal(last()->stream.classid, classid);
	assert_int_equal(last()->stream.params.ipg_ns, IPG_600K);
	assert_true(last()->flags & QSOCKD_REPLY_F_SLOT);
	close(reply_fds[0]);
	assert_int_equal(ctx.streams.n, 2);
	assert_int_equal(call(QSOCKD_OP_JOIN, ca, b, 0, user), EEXIST);
	assert_int_equal(call(QSOCKD_OP_JOIN, ca, a, 0, user), EEXIST);
	/* 600 + 300 kbit/s fit the 1 Mbit/s quota only if the shared class counts once */
	call_sched = "htb";
	assert_int_equal(call(QSOCKD_OP_ATTACH, 0, c, IPG_300K, user), 0);
	assert_int_equal(call(QSOCKD_OP_ATTACH, 0, d, IPG_300K, user), EDQUOT);
	/* a change of the class through one socket is the other's too */
	call_sched = "dwcs";
	assert_int_equal(call(QSOCKD_OP_CHANGE, 0, b, IPG_500K, user), 0);
	assert_int_equal(qd_streams_find(&ctx.streams, ca)->st.params.ipg_ns, IPG_500K);
	/* the first socket goes; the other stays in the class */
	assert_int_equal(call(QSOCKD_OP_DETACH, 0, a, 0, user), 0);
	assert_int_equal(call(QSOCKD_OP_INFO, 0, b, 0, user), 0);
	assert_int_equal(last()->stream.classid, classid);
	call_sched = "htb";
	close(a);
	close(b);
	close(c);
	close(d);
}

static void test_passed_fd_must_be_a_socket(void **state)
{
	int p[2];

	assert_int_equal(pipe(p), 0);
	assert_int_equal(call(QSOCKD_OP_ATTACH, 0, p[0], IPG_500K, user), ENOTSOCK);
	assert_int_equal(call(QSOCKD_OP_ATTACH, 0, -1, IPG_500K, user), EBADF);
	assert_int_equal(ctx.streams.n, 0);
	close(p[0]);
	close(p[1]);
}

static void test_status_is_scoped_to_the_caller(void **state)
{
	int a = socket(AF_INET, SOCK_DGRAM, 0), b = socket(AF_INET, SOCK_DGRAM, 0);
	unsigned int streams = 0;

	assert_int_equal(call(QSOCKD_OP_ATTACH, 0, a, IPG_500K, user), 0);
	assert_int_equal(call(QSOCKD_OP_ATTACH, 0, b, IPG_500K, user), 0);
	ctx.streams.v[0].st.owner_uid = other;
	ctx.streams.v[1].st.owner_uid = other + 1;
	assert_int_equal(call(QSOCKD_OP_STATUS, 0, -1, 0, other), 0);
	for (unsigned int i = 0; i < n_replies; i++) {
		if (replies[i].flags & QSOCKD_REPLY_F_STREAM) {
			streams++;
			assert_int_equal(replies[i].stream.owner_uid, other);
		}
		assert_int_equal(!!(replies[i].flags & QSOCKD_REPLY_F_MORE), i + 1 < n_replies);
	}
	assert_int_equal(streams, 1);
	assert_string_equal(last()->message, "1 stream");
	assert_int_equal(call(QSOCKD_OP_STATUS, 0, -1, 0, 0), 0);
	assert_string_equal(last()->message, "2 streams");
	/* a stream the kernel has and qsockd does not manage (attached in-process): listed too,
	 * to root and to its owner (the kernel's record says `user`) */
	qd_streams_remove(&ctx.streams, &ctx.streams.v[1]);
	assert_int_equal(call(QSOCKD_OP_STATUS, 0, -1, 0, 0), 0);
	assert_string_equal(last()->message, "2 streams");
	assert_int_equal(call(QSOCKD_OP_STATUS, 0, -1, 0, user), 0);
	assert_string_equal(last()->message, user == 0 ? "2 streams" : "1 stream");
	assert_int_equal(call(QSOCKD_OP_STATUS, 0, -1, 0, other + 1), 0);
	assert_string_equal(last()->message, "0 streams");
	{
		char msg[QSOCKD_MSG_LEN];

		assert_int_equal(ctx.be->detach(b, "lo", msg, sizeof(msg)), 0);
	}
	close(a);
	close(b);
}

static void test_sweep_removes_streams_whose_owner_lost_the_socket(void **state)
{
	int a = socket(AF_INET, SOCK_DGRAM, 0), b = socket(AF_INET, SOCK_DGRAM, 0), removed;
	int ready[2];
	pid_t child;
	char c;

	assert_int_equal(pipe(ready), 0);
	child = fork();
	if (child == 0) {
		/* holds none of the test's sockets (says so when done); dies with the test at the
		 * latest */
		for (int fd = 3; fd < 1024; fd++)
			if (fd != ready[1])
				close(fd);
		if (write(ready[1], "r", 1) != 1)
			_exit(1);
		close(ready[1]);
		alarm(30);
		pause();
		_exit(0);
	}
	close(ready[1]);
	assert_int_equal(read(ready[0], &c, 1), 1);
	close(ready[0]);
	assert_int_equal(call(QSOCKD_OP_ATTACH, 0, a, IPG_500K, user), 0);
	assert_int_equal(call(QSOCKD_OP_ATTACH, 0, b, IPG_500K, user), 0);
	/* our own socket is held by us: alive */
	assert_int_equal(qd_streams_sweep(&ctx.streams, ctx.be), 0);
	/* b "belongs" to the child, which does not hold it */
	ctx.streams.v[1].st.owner_pid = (uint32_t)child;
	ctx.streams.v[1].starttime = 0;
	removed = qd_streams_sweep(&ctx.streams, ctx.be);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	assert_int_equal(removed, 1);
	assert_int_equal(ctx.streams.n, 1);
	/* (a closed socket in a live owner is tested in test/bats/daemon-fake.bats: here the
	 * daemon's own dup sits in the owner's fd table) */
	close(a);
	close(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_quota_counts_other_streams_not_the_changed_one,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_ownership, setup, teardown),
		cmocka_unit_test_setup_teardown(test_passed_fd_must_be_a_socket, setup, teardown),
		cmocka_unit_test_setup_teardown(test_join_shares_a_class_within_one_process, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_attach_reply_carries_the_send_slot, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_status_is_scoped_to_the_caller, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_sweep_removes_streams_whose_owner_lost_the_socket, setup, teardown),
	};

	return cmocka_run_group_tests_name("daemon_ops", tests, NULL, NULL);
}
