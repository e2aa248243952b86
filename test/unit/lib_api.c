// SPDX-License-Identifier: GPL-2.0
/*
 * The public calls' argument checking: each failure is -1 with a precise errno, a message in
 * qsock_strerror() naming what is wrong, and nothing left behind (no fd, no stream).
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "qsock.h"
#include "lib_api_assert.h"
#include "fdtable.h"

static struct q_dwcs_attr attrs = { .oln = 0, .old = 10, .ipg = 10 };

static struct qos_params params(const char *dev, const char *name)
{
	struct qos_params p;

	memset(&p, 0, sizeof(p));
	strncpy(p.dev, dev, IFNAMSIZ);
	strncpy(p.name, name, IFNAMSIZ);
	p.attributes = &attrs;
	return p;
}

static void attach_checks_the_fd(void **state)
{
	struct qos_params p = params("lo", "htb");
	int pfd[2];

	assert_fails(qattach(-1, &p), EBADF, "qattach: fd -1 is not an open file descriptor");
	assert_fails(qattach(1000, &p), EBADF, "fd 1000 is not an open file descriptor");
	assert_int_equal(pipe(pfd), 0);
	assert_fails(qattach(pfd[0], &p), ENOTSOCK, "is not a socket");
	close(pfd[0]);
	close(pfd[1]);
	assert_fails(qattach(pfd[0], &p), EBADF, "not an open file descriptor"); /* closed */
}

static void attach_checks_the_params(void **state)
{
	struct qos_params p = params("lo", "cbq");
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	assert_fails(qattach(fd, &p), EINVAL, "unknown scheduler \"cbq\" (known: dwcs, dwcs-bpf, htb)");
	assert_fails(qattach(fd, NULL), EINVAL, "qos_params pointer is NULL");
	p = params("lo", "dwcs");
	p.attributes = NULL;
	assert_fails(qattach(fd, &p), EINVAL, "attributes is NULL");
	close(fd);
}

static void privileged_errors(void **state)
{
	struct qos_params p = params("nosuchdev0", "htb");
	struct sockaddr_un un = { .sun_family = AF_UNIX };
	int fd = socket(AF_INET, SOCK_DGRAM, 0), ufd;

	if (geteuid())
		skip(); /* without CAP_NET_ADMIN these go to qsockd */
	assert_fails(qattach(fd, &p), ENODEV, "no network device \"nosuchdev0\"");
	p.attributes = NULL;
	assert_fails(qsockinit(&p), ENODEV, "qsockinit: no network device \"nosuchdev0\"");
	ufd = socket(AF_UNIX, SOCK_DGRAM, 0);
	p = params("lo", "htb");
	assert_fails(qattach(ufd, &p), EAFNOSUPPORT, "never reach a network device");
	(void)un;
	close(ufd);
	close(fd);
}

static void qsocket_leaves_no_fd_on_failure(void **state)
{
	struct qos_params p = params("lo", "nosuch");
	int before = open_fds();

	assert_fails(qsocket(AF_INET, SOCK_DGRAM, 0, &p), EINVAL, "unknown scheduler");
	p = params("nosuchdev0", "htb");
	errno = 0;
	assert_int_equal(qsocket(AF_INET, SOCK_DGRAM, 0, &p), -1);
	assert_int_equal(open_fds(), before);
	assert_fails(qsocket(AF_INET, 12345, 0, NULL), EINVAL, "qos_params pointer is NULL");
}

static void unattached_sockets(void **state)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(9) };
	struct packet_flags pf = { .drop_flag = DWCS_NON_DROPPABLE };
	struct qos_params p = params("lo", "htb");
	struct qos_info info;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
	/* without packet_flags qsendto is sendto */
	assert_int_equal(qsendto(fd, "x", 1, 0, (struct sockaddr *)&to, sizeof(to), NULL), 1);
	assert_fails(qsendto(fd, "x", 1, 0, (struct sockaddr *)&to, sizeof(to), &pf), EBADFD,
		     "has no stream: packet_flags need qattach");
	assert_fails(qinfo(fd, &info), ENOENT, "qinfo: fd");
	assert_fails(qinfo(fd, NULL), EINVAL, "struct qos_info is NULL");
	if (!geteuid())
		assert_fails(qchange(fd, &p), ENOENT, "has no stream");
	assert_fails(qdetach(fd), ENOENT, "qdetach: fd");
	assert_int_equal(qclose(fd), 0); /* an ordinary socket: qclose is close */
	assert_fails(qclose(fd), EBADF, "qclose: fd"); /* twice */
	assert_fails(qsendmsg(fd, NULL, 0, NULL), EINVAL, "msghdr is NULL");
}

/* qsendmsg copies the caller's control data on its stack to append its own: a huge
 * msg_controllen is an error naming the limit, not a 1 GiB stack array. */
static void huge_control_is_refused(void **state)
{
	struct packet_flags pf = { .drop_flag = QSOCK_DEADLINE_RELATIVE, .deadline = 1000000 };
	struct iovec iov = { .iov_base = "x", .iov_len = 1 };
	char ctl[64] = { 0 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
			    .msg_controllen = 1u << 30 };
	int fd = socket(AF_INET, SOCK_DGRAM, 0), rc;
	struct qsock_fd_state *st = qsock_fd_slot(fd, &rc);

	/* a stream as qattach would leave it (no kernel objects needed to reach the check) */
	assert_non_null(st);
	st->txtime = 1;
	atomic_store(&st->active, 1);
	assert_fails(qsendmsg(fd, &m, 0, &pf), ENOBUFS,
		     "qsendmsg: msg_controllen 1073741824: at most 4096 bytes of the caller's own "
		     "control data can go with packet flags");
	atomic_store(&st->active, 0);
	close(fd);
}

static void *fail_in_thread(void *arg)
{
	struct qos_params p = params("lo", "other");

	qattach(-5, &p);
	return (void *)qsock_strerror();
}

static void messages_are_per_thread(void **state)
{
	struct qos_params p = params("lo", "htb");
	pthread_t t;
	void *theirs;

	assert_int_equal(qattach(-1, &p), -1);
	assert_int_equal(pthread_create(&t, NULL, fail_in_thread, NULL), 0);
	pthread_join(t, &theirs);
	assert_non_null(strstr(qsock_strerror(), "fd -1"));
	assert_ptr_not_equal(theirs, qsock_strerror());
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(attach_checks_the_fd),
		cmocka_unit_test(attach_checks_the_params),
		cmocka_unit_test(privileged_errors),
		cmocka_unit_test(qsocket_leaves_no_fd_on_failure),
		cmocka_unit_test(unattached_sockets),
		cmocka_unit_test(huge_control_is_refused),
		cmocka_unit_test(messages_are_per_thread),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
