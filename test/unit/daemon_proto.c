// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of qsockd's wire codec (proto/proto.c): a good request of every op decodes; every
 * way of being malformed — short, long, bad magic, another version, unknown op, an unterminated
 * or dirty name, a field out of range, non-zero reserved bytes — is refused with the right
 * errno and a message naming the field.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "../../proto/client.h"
#include "../../proto/proto.h"

static char msg[QSOCKD_MSG_LEN];

static void good_attach(struct qsockd_request *r)
{
	qsockd_request_init(r, QSOCKD_OP_ATTACH, 7);
	strcpy(r->params.dev, "veth0");
	strcpy(r->params.sched, "dwcs");
	r->params.ipg_ns = 10000000;
	r->params.oln = 1;
	r->params.old = 10;
	r->params.flags = QSOCKD_F_NONDROPPABLE;
}

static int decode(const struct qsockd_request *r, struct qsockd_request *out)
{
	msg[0] = '\0';
	return qsockd_request_decode(r, sizeof(*r), out, msg, sizeof(msg));
}

static void test_every_good_op_decodes(void **state)
{
	struct qsockd_request r, out;

	good_attach(&r);
	assert_int_equal(decode(&r, &out), 0);
	assert_memory_equal(&r, &out, sizeof(r));

	r.hdr.op = QSOCKD_OP_CHANGE;
	assert_int_equal(decode(&r, &out), 0);

	qsockd_request_init(&r, QSOCKD_OP_INIT, 1);
	strcpy(r.params.dev, "eth0");
	strcpy(r.params.sched, "htb");
	r.params.root_rate = 1250000;
	assert_int_equal(decode(&r, &out), 0);
	r.hdr.op = QSOCKD_OP_DEINIT;
	assert_int_equal(decode(&r, &out), 0);

	qsockd_request_init(&r, QSOCKD_OP_INFO, 1);
	r.cookie = 42;
	assert_int_equal(decode(&r, &out), 0);
	assert_int_equal(out.cookie, 42);
	r.hdr.op = QSOCKD_OP_DETACH;
	assert_int_equal(decode(&r, &out), 0);

	qsockd_request_init(&r, QSOCKD_OP_STATUS, 1);
	assert_int_equal(decode(&r, &out), 0);

	qsockd_request_init(&r, QSOCKD_OP_JOIN, 1);
	r.cookie = 43;
	assert_int_equal(decode(&r, &out), 0);
	assert_string_equal(qsockd_op_name(QSOCKD_OP_JOIN), "join");
}

static void test_short_and_long_records_are_eproto(void **state)
{
	struct qsockd_request r, out;
	unsigned char big[sizeof(r) + 8] = { 0 };

	good_attach(&r);
	assert_int_equal(qsockd_request_decode(&r, 3, &out, msg, sizeof(msg)), -EPROTO);
	assert_non_null(strstr(msg, "short"));
	assert_int_equal(qsockd_request_decode(&r, sizeof(r) - 1, &out, msg, sizeof(msg)),
			 -EPROTO);
	memcpy(big, &r, sizeof(r));
	assert_int_equal(qsockd_request_decode(big, sizeof(big), &out, msg, sizeof(msg)),
			 -EPROTO);
	/* A header that announces another size cannot be resynchronised. */
	r.hdr.size = 4096;
	assert_int_equal(decode(&r, &out), -EPROTO);
	assert_non_null(strstr(msg, "size 4096"));
}

static void test_magic_version_op(void **state)
{
	struct qsockd_request r, out;

	good_attach(&r);
	r.hdr.magic = 0x12345678;
	assert_int_equal(decode(&r, &out), -EPROTO);
	assert_non_null(strstr(msg, "magic"));

	good_attach(&r);
	r.hdr.version = 2;
	assert_int_equal(decode(&r, &out), -EPROTONOSUPPORT);
	assert_non_null(strstr(msg, "version 2"));

	good_attach(&r);
	r.hdr.op = 0;
	assert_int_equal(decode(&r, &out), -EOPNOTSUPP);
	r.hdr.op = __QSOCKD_OP_MAX;
	assert_int_equal(decode(&r, &out), -EOPNOTSUPP);
	r.hdr.op = 0xffff;
	assert_int_equal(decode(&r, &out), -EOPNOTSUPP);
	assert_non_null(strstr(msg, "65535"));
}

static void test_names_must_be_clean(void **state)
{
	struct qsockd_request r, out;

	good_attach(&r);
	memset(r.params.dev, 'a', sizeof(r.params.dev)); /* no NUL */
	assert_int_equal(decode(&r, &out), -EINVAL);
	assert_non_null(strstr(msg, "params.dev"));

	good_attach(&r);
	r.params.dev[0] = '\0';
	assert_int_equal(decode(&r, &out), -EINVAL);

	good_attach(&r);
	strcpy(r.params.dev, "../x");
	assert_int_equal(decode(&r, &out), -EINVAL);

	good_attach(&r);
	r.params.dev[10] = 'z'; /* hidden bytes after "veth0\0" */
	assert_int_equal(decode(&r, &out), -EINVAL);
	assert_non_null(strstr(msg, "after the name"));

	good_attach(&r);
	memset(r.params.sched, 0, sizeof(r.params.sched));
	assert_int_equal(decode(&r, &out), -EINVAL);
	assert_non_null(strstr(msg, "params.sched"));
}

static void test_ranges(void **state)
{
	struct qsockd_request r, out;

	good_attach(&r);
	r.params.ipg_ns = 999;
	assert_int_equal(decode(&r, &out), -EINVAL);
	assert_non_null(strstr(msg, "ipg_ns 999"));
	r.params.ipg_ns = DWCS_MAX_IPG_NS + 1;
	assert_int_equal(decode(&r, &out), -EINVAL);

	good_attach(&r);
	r.params.oln = 11;
	assert_int_equal(decode(&r, &out), -EINVAL);
	assert_non_null(strstr(msg, "oln 11"));

	good_attach(&r);
	r.params.oln = 0;
	r.params.old = 0; /* 0/0 = pure EDF: valid */
	assert_int_equal(decode(&r, &out), 0);
	r.params.old = DWCS_MAX_WINDOW + 1;
	assert_int_equal(decode(&r, &out), -EINVAL);

	good_attach(&r);
	r.params.flags = 0x80;
	assert_int_equal(decode(&r, &out), -EINVAL);
	assert_non_null(strstr(msg, "flags"));

	good_attach(&r);
	r.params.limit = DWCS_MAX_LIMIT + 1;
	assert_int_equal(decode(&r, &out), -EINVAL);

	good_attach(&r);
	r.params.rate = ~0ULL;
	assert_int_equal(decode(&r, &out), -EINVAL);

	good_attach(&r);
	r.params.pkt_bytes = 70000;
	assert_int_equal(decode(&r, &out), -EINVAL);

	qsockd_request_init(&r, QSOCKD_OP_INIT, 1);
	strcpy(r.params.dev, "eth0");
	strcpy(r.params.sched, "dwcs");
	r.params.root_flags = 2;
	assert_int_equal(decode(&r, &out), -EINVAL);
	assert_non_null(strstr(msg, "root_flags"));
	r.params.root_flags = QSOCKD_ROOT_F_WORK_CONSERVING;
	r.params.root_limit = DWCS_MAX_LIMIT + 1;
	assert_int_equal(decode(&r, &out), -EINVAL);
}

static void test_reserved_and_unexpected_fields(void **state)
{
	struct qsockd_request r, out;

	good_attach(&r);
	r.reserved[31] = 1;
	assert_int_equal(decode(&r, &out), -EINVAL);

	good_attach(&r);
	r.params.dscp = 1; /* a DSCP without QSOCKD_DSCP_SET */
	assert_int_equal(decode(&r, &out), -EINVAL);
	good_attach(&r);
	r.params.dscp = QSOCKD_DSCP_SET | 64;
	assert_int_equal(decode(&r, &out), -EINVAL);
	good_attach(&r);
	r.params.dscp = QSOCKD_DSCP_SET | 46;
	assert_int_equal(decode(&r, &out), 0);
	assert_int_equal(out.params.dscp, QSOCKD_DSCP_SET | 46);

	good_attach(&r);
	r.cookie = 5; /* attach names its socket by fd */
	assert_int_equal(decode(&r, &out), -EINVAL);

	qsockd_request_init(&r, QSOCKD_OP_STATUS, 1);
	r.params.ipg_ns = 1;
	assert_int_equal(decode(&r, &out), -EINVAL);

	qsockd_request_init(&r, QSOCKD_OP_INFO, 1);
	r.params.oln = 1;
	assert_int_equal(decode(&r, &out), -EINVAL);

	/* join: the stream joined by cookie, nothing else (its parameters are that stream's) */
	qsockd_request_init(&r, QSOCKD_OP_JOIN, 1);
	assert_int_equal(decode(&r, &out), -EINVAL);
	assert_non_null(strstr(msg, "cookie"));
	r.cookie = 43;
	strcpy(r.params.dev, "eth0");
	assert_int_equal(decode(&r, &out), -EINVAL);
	assert_non_null(strstr(msg, "join takes no parameters"));
}

static void test_failed_decode_leaves_output_untouched(void **state)
{
	struct qsockd_request r, out, before;

	memset(&out, 0xa5, sizeof(out));
	before = out;
	good_attach(&r);
	r.params.oln = 99;
	assert_int_equal(decode(&r, &out), -EINVAL);
	assert_memory_equal(&out, &before, sizeof(out));
}

static void test_reply_roundtrip_and_strictness(void **state)
{
	struct qsockd_reply rep, out;

	qsockd_reply_init(&rep, QSOCKD_OP_ATTACH, 9);
	qsockd_reply_error(&rep, -EDQUOT, "rule %d: max_streams %d reached", 3, 4);
	assert_int_equal(rep.error, EDQUOT);
	assert_int_equal(qsockd_reply_decode(&rep, sizeof(rep), &out, msg, sizeof(msg)), 0);
	assert_string_equal(out.message, "rule 3: max_streams 4 reached");
	assert_int_equal(out.hdr.seq, 9);

	rep.error = -1;
	assert_int_equal(qsockd_reply_decode(&rep, sizeof(rep), &out, msg, sizeof(msg)), -EPROTO);
	rep.error = 0;
	rep.hdr.version = 3; /* a newer daemon */
	assert_int_equal(qsockd_reply_decode(&rep, sizeof(rep), &out, msg, sizeof(msg)),
			 -EPROTONOSUPPORT);
	assert_non_null(strstr(msg, "qsockd speaks protocol version 3, this libqsock version 1"));
	rep.hdr.version = QSOCKD_VERSION;
	rep.error = 0;
	memset(rep.message, 'x', sizeof(rep.message));
	assert_int_equal(qsockd_reply_decode(&rep, sizeof(rep), &out, msg, sizeof(msg)), -EPROTO);
	qsockd_reply_init(&rep, QSOCKD_OP_STATUS, 1);
	rep.flags = 0x100;
	assert_int_equal(qsockd_reply_decode(&rep, sizeof(rep), &out, msg, sizeof(msg)), -EPROTO);
	qsockd_reply_init(&rep, QSOCKD_OP_STATUS, 1);
	rep.flags = QSOCKD_REPLY_F_STREAM;
	memset(rep.stream.owner_comm, 'c', sizeof(rep.stream.owner_comm));
	assert_int_equal(qsockd_reply_decode(&rep, sizeof(rep), &out, msg, sizeof(msg)), -EPROTO);
	/* a device record: names terminated; never both a device and a stream */
	qsockd_reply_init(&rep, QSOCKD_OP_STATUS, 1);
	rep.flags = QSOCKD_REPLY_F_DEVICE | QSOCKD_REPLY_F_MORE;
	strcpy(rep.device.dev, "eth0");
	assert_int_equal(qsockd_reply_decode(&rep, sizeof(rep), &out, msg, sizeof(msg)), 0);
	rep.flags |= QSOCKD_REPLY_F_STREAM;
	assert_int_equal(qsockd_reply_decode(&rep, sizeof(rep), &out, msg, sizeof(msg)), -EPROTO);
	rep.flags = QSOCKD_REPLY_F_DEVICE;
	memset(rep.device.root_kind, 'k', sizeof(rep.device.root_kind));
	assert_int_equal(qsockd_reply_decode(&rep, sizeof(rep), &out, msg, sizeof(msg)), -EPROTO);
}

/* Play qsockd on one end of a socket pair: @rep, with @fd (-1: none) on its first byte. */
static void serve_reply(int end, const struct qsockd_reply *rep, int fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl = { { 0 } };
	struct iovec iov = { (void *)rep, sizeof(*rep) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (fd >= 0) {
		struct cmsghdr *cm;

		mh.msg_control = ctl.buf;
		mh.msg_controllen = sizeof(ctl.buf);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	}
	assert_int_equal(sendmsg(end, &mh, 0), (ssize_t)sizeof(*rep));
}

/* The client takes an fd that comes with a reply only as an ATTACH's send slot (F_SLOT, no
 * error) and closes any other; it never keeps one it was not asked for. */
static void test_client_takes_only_a_slot_fd(void **state)
{
	static const struct { uint32_t flags; int32_t error; bool want; bool kept; } cases[] = {
		{ QSOCKD_REPLY_F_STREAM | QSOCKD_REPLY_F_SLOT, 0, true, true },
		{ QSOCKD_REPLY_F_STREAM | QSOCKD_REPLY_F_SLOT, 0, false, false },
		{ QSOCKD_REPLY_F_STREAM, 0, true, false },	/* an fd the reply does not name */
		{ QSOCKD_REPLY_F_SLOT, EDQUOT, true, false },	/* a refusal keeps nothing */
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct qsockd_request req;
		struct qsockd_reply rep, last;
		int sv[2], probe[2], slot = -2;

		assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
		assert_int_equal(pipe(probe), 0);
		qsockd_request_init(&req, QSOCKD_OP_ATTACH, 77);
		qsockd_reply_init(&rep, QSOCKD_OP_ATTACH, 77);
		rep.flags = cases[i].flags;
		if (cases[i].error)
			qsockd_reply_error(&rep, cases[i].error, "refused");
		serve_reply(sv[1], &rep, probe[0]);
		close(probe[0]);
		assert_int_equal(qsockd_client_call(sv[0], &req, -1, NULL, NULL, &last,
						    cases[i].want ? &slot : NULL, msg,
						    sizeof(msg)), 0);
		assert_int_equal(last.error, cases[i].error);
		if (cases[i].want && cases[i].kept) {
			assert_true(slot >= 0);
			assert_true(fcntl(slot, F_GETFD) & FD_CLOEXEC);
			close(slot);
		} else if (cases[i].want) {
			assert_int_equal(slot, -1);
		}
		/* every copy of the pipe's read end is closed: its write end sees EPIPE */
		signal(SIGPIPE, SIG_IGN);
		assert_int_equal(write(probe[1], "x", 1), -1);
		assert_int_equal(errno, EPIPE);
		close(probe[1]);
		close(sv[0]);
		close(sv[1]);
	}
}

static void test_message_truncates_safely(void **state)
{
	struct qsockd_reply rep;
	char big[400];

	memset(big, 'y', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	qsockd_reply_init(&rep, QSOCKD_OP_INFO, 1);
	qsockd_reply_error(&rep, EPERM, "%s", big);
	assert_int_equal(strlen(rep.message), QSOCKD_MSG_LEN - 1);
}

static void test_rate_derivation(void **state)
{
	struct qsockd_params p = { 0 };

	p.ipg_ns = 1000000; /* 1 ms, default 1500-byte packets: 12 Mbit/s */
	assert_int_equal(qsockd_params_rate(&p), 12000000);
	p.pkt_bytes = 100;
	assert_int_equal(qsockd_params_rate(&p), 800000);
	p.rate = 5; /* explicit bytes/s win */
	assert_int_equal(qsockd_params_rate(&p), 40);
	p.rate = 0;
	p.ipg_ns = 0;
	assert_int_equal(qsockd_params_rate(&p), 0);
	p.ipg_ns = DWCS_MIN_IPG_NS;
	p.pkt_bytes = 65535;
	assert_true(qsockd_params_rate(&p) == 65535ULL * 8 * 1000000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_good_op_decodes),
		cmocka_unit_test(test_short_and_long_records_are_eproto),
		cmocka_unit_test(test_magic_version_op),
		cmocka_unit_test(test_names_must_be_clean),
		cmocka_unit_test(test_ranges),
		cmocka_unit_test(test_reserved_and_unexpected_fields),
		cmocka_unit_test(test_failed_decode_leaves_output_untouched),
		cmocka_unit_test(test_reply_roundtrip_and_strictness),
		cmocka_unit_test(test_message_truncates_safely),
		cmocka_unit_test(test_client_takes_only_a_slot_fd),
		cmocka_unit_test(test_rate_derivation),
	};

	return cmocka_run_group_tests_name("daemon_proto", tests, NULL, NULL);
}
