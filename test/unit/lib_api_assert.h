/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lib_api_assert.h — what the unit tests of libqsock's public calls (lib_api.c, lib_notify.c)
 * check alike: a call fails with -1, the errno and a message naming what is wrong, and no
 * file descriptor is left behind. Include after <cmocka.h> and "qsock.h".
 */
#ifndef QSOCK_TEST_LIB_API_ASSERT_H
#define QSOCK_TEST_LIB_API_ASSERT_H

#include <dirent.h>
#include <errno.h>
#include <string.h>

/* How many file descriptors this process holds (one more while the listing is open). */
static inline int open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	while (d && readdir(d))
		n++;
	closedir(d);
	return n;
}

#define assert_fails(call, err, text)                                                      \
	do {                                                                               \
		errno = 0;                                                                 \
		assert_int_equal((call), -1);                                              \
		assert_int_equal(errno, (err));                                            \
		if (!strstr(qsock_strerror(), (text)))                                     \
			fail_msg("message \"%s\" lacks \"%s\"", qsock_strerror(), (text)); \
	} while (0)

#endif /* QSOCK_TEST_LIB_API_ASSERT_H */
