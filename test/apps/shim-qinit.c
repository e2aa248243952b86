// SPDX-License-Identifier: GPL-2.0
/*
 * shim-qinit DEV SCHED [RATE_BYTES_PER_S] — install SCHED ("htb" or "dwcs") as the root of DEV
 * with libqsock's qsockinit(), as an operator (or qsockd) does before the shim's streams can
 * attach. A test helper: prints nothing on success, qsock_strerror() on failure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qsock.h"

int main(int argc, char **argv)
{
	struct qsock_root_attr root = { .size = sizeof(root) };
	struct qos_params p = { .attributes = NULL };

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: shim-qinit DEV SCHED [RATE_BYTES_PER_S]\n");
		return 2;
	}
	snprintf(p.dev, sizeof(p.dev), "%s", argv[1]);
	snprintf(p.name, sizeof(p.name), "%s", argv[2]);
	if (argc == 4) {
		root.rate = strtoull(argv[3], NULL, 10);
		p.attributes = &root;
	}
	if (qsockinit(&p)) {
		fprintf(stderr, "shim-qinit: qsockinit(%s, %s): %s\n", argv[1], argv[2],
			qsock_strerror());
		return 1;
	}
	return 0;
}
