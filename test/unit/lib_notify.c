// SPDX-License-Identifier: GPL-2.0
/*
 * qnotify's pure part (lib/notify_detect.c), sample by sample, and the argument checks of
 * qnotify/qnotify_read that need no stream: each failure is -1 with its errno and a message
 * naming what is wrong, and nothing is left open (the sampler never starts).
 */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "qsock.h"
#include "lib_api_assert.h"
#include "notify.h"
#include "notify_detect.h"

static struct qsock_notify_sample smp(uint64_t drops, uint64_t late, uint64_t viol,
				      uint32_t backlog)
{
	return (struct qsock_notify_sample){ .sent_pkts = 100, .drops = drops, .drop_late = late,
					     .violations = viol, .backlog_pkts = backlog };
}

static void first_sample_is_the_baseline(void **state)
{
	struct qsock_notify_track t = { 0 };
	struct qnotify_event acc = { 0 };
	struct qsock_notify_sample s = smp(7, 3, 2, 0);

	(void)state;
	/* counters already non-zero at qnotify: no event, no increment */
	assert_int_equal(qsock_notify_step(&t, &s, QNOTIFY_ALL, 0, &acc), 0);
	assert_int_equal(acc.drops, 0);
	assert_int_equal(acc.samples, 1);
	/* the same counters again: nothing */
	assert_int_equal(qsock_notify_step(&t, &s, QNOTIFY_ALL, 0, &acc), 0);
	assert_int_equal(acc.samples, 2);
}

static void increments_raise_their_events_and_add_up(void **state)
{
	struct qsock_notify_track t = { 0 };
	struct qnotify_event acc = { 0 };
	struct qsock_notify_sample s = smp(0, 0, 0, 0);

	(void)state;
	qsock_notify_step(&t, &s, QNOTIFY_ALL, 0, &acc);
	s = smp(5, 2, 0, 0);
	assert_int_equal(qsock_notify_step(&t, &s, QNOTIFY_ALL, 0, &acc),
			 QNOTIFY_DROP | QNOTIFY_LATE_DROP);
	s = smp(9, 2, 1, 0);
	assert_int_equal(qsock_notify_step(&t, &s, QNOTIFY_ALL, 0, &acc),
			 QNOTIFY_DROP | QNOTIFY_WINDOW_VIOLATION);
	assert_int_equal(acc.drops, 9);
	assert_int_equal(acc.drop_late, 2);
	assert_int_equal(acc.violations, 1);
}

static void only_the_mask_is_signalled(void **state)
{
	struct qsock_notify_track t = { 0 };
	struct qnotify_event acc = { 0 };
	struct qsock_notify_sample s = smp(0, 0, 0, 0);

	(void)state;
	qsock_notify_step(&t, &s, QNOTIFY_LATE_DROP, 0, &acc);
	s = smp(4, 0, 3, 50);
	/* drops, violations and a backlog, none of them asked for */
	assert_int_equal(qsock_notify_step(&t, &s, QNOTIFY_LATE_DROP, 0, &acc), 0);
	/* but counted all the same */
	assert_int_equal(acc.drops, 4);
	s = smp(5, 1, 3, 50);
	assert_int_equal(qsock_notify_step(&t, &s, QNOTIFY_LATE_DROP, 0, &acc), QNOTIFY_LATE_DROP);
}

static void backlog_is_edge_triggered(void **state)
{
	static const uint32_t backlog[] = { 0, 3, 4, 5, 9, 12, 4, 4, 6, 2 };
	static const uint32_t want[] = { 0, 0, 0, QNOTIFY_BACKLOG, 0, 0, 0, 0, QNOTIFY_BACKLOG, 0 };
	struct qsock_notify_track t = { 0 };
	struct qnotify_event acc = { 0 };

	(void)state;
	/* threshold 4: above at 5 (once, however long it stays), again at 6 after 4 */
	for (size_t i = 0; i < sizeof(backlog) / sizeof(backlog[0]); i++) {
		struct qsock_notify_sample s = smp(0, 0, 0, backlog[i]);

		assert_int_equal(qsock_notify_step(&t, &s, QNOTIFY_BACKLOG, 4, &acc), want[i]);
	}
	assert_int_equal(acc.backlog_max, 12);
	assert_int_equal(acc.backlog_pkts, 2);
	/* a backlog already above at the first sample is an event */
	memset(&t, 0, sizeof(t));
	{
		struct qsock_notify_sample s = smp(0, 0, 0, 8);

		assert_int_equal(qsock_notify_step(&t, &s, QNOTIFY_BACKLOG, 4, &acc),
				 QNOTIFY_BACKLOG);
	}
}

static void counters_going_back_are_a_new_class(void **state)
{
	struct qsock_notify_track t = { 0 };
	struct qnotify_event acc = { 0 };
	struct qsock_notify_sample s = smp(10, 0, 0, 0);

	(void)state;
	qsock_notify_step(&t, &s, QNOTIFY_DROP, 0, &acc);
	s = smp(2, 0, 0, 0);
	assert_int_equal(qsock_notify_step(&t, &s, QNOTIFY_DROP, 0, &acc), QNOTIFY_GONE);
	assert_int_equal(acc.drops, 0);
	s = smp(10, 0, 0, 0);
	s.sent_pkts = 1;
	assert_int_equal(qsock_notify_step(&t, &s, QNOTIFY_DROP, 0, &acc), QNOTIFY_GONE);
}

static void bad_arguments_are_named(void **state)
{
	struct qnotify_params ok = { .size = sizeof(ok), .mask = QNOTIFY_DROP }, p;
	struct qnotify_event ev = { .size = sizeof(ev) };
	int fd = socket(AF_INET, SOCK_DGRAM, 0), before = open_fds();
	uint64_t samples;

	(void)state;
	assert_true(fd >= 0);
	assert_fails(qnotify(fd, NULL), EINVAL, "qnotify: struct qnotify_params is NULL");
	p = ok, p.size = 0;
	assert_fails(qnotify(fd, &p), EINVAL, "qnotify_params.size 0: this libqsock knows size 16");
	p = ok, p.size = sizeof(p) + 8;
	assert_fails(qnotify(fd, &p), EINVAL, "qnotify_params.size 24");
	p = ok, p.mask = 0;
	assert_fails(qnotify(fd, &p), EINVAL, "mask is 0: name at least one QNOTIFY_* event");
	p = ok, p.mask = QNOTIFY_GONE;
	assert_fails(qnotify(fd, &p), EINVAL, "unknown bits 0x80000000 (known: 0xf)");
	p = ok, p.interval_us = QNOTIFY_INTERVAL_MIN_US - 1;
	assert_fails(qnotify(fd, &p), ERANGE, "interval_us 999: out of range 1000..10000000");
	p = ok, p.interval_us = QNOTIFY_INTERVAL_MAX_US + 1;
	assert_fails(qnotify(fd, &p), ERANGE, "(0: the default, 10000)");
	/* the arguments are fine, the socket has no stream */
	assert_fails(qnotify(fd, &ok), ENOENT, "has no stream (qattach it first)");
	assert_fails(qnotify(-1, &ok), EBADF, "fd -1 is not an open file descriptor");
	assert_fails(qnotify_read(fd, &ev), EBADF, "is not a qnotify descriptor of this process");
	assert_fails(qnotify_read(-5, &ev), EBADF, "fd -5 is not a qnotify descriptor");
	assert_fails(qnotify_read(fd, NULL), EINVAL, "struct qnotify_event is NULL");
	ev.size = 8;
	assert_fails(qnotify_read(fd, &ev), EINVAL, "qnotify_event.size 8: at least");
	assert_int_equal(open_fds(), before);
	assert_false(qsock_notify_sampler(&samples, NULL));
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(first_sample_is_the_baseline),
		cmocka_unit_test(increments_raise_their_events_and_add_up),
		cmocka_unit_test(only_the_mask_is_signalled),
		cmocka_unit_test(backlog_is_edge_triggered),
		cmocka_unit_test(counters_going_back_are_a_new_class),
		cmocka_unit_test(bad_arguments_are_named),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
