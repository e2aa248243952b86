// SPDX-License-Identifier: GPL-2.0
/* eval-qsock.c — see eval-qsock.h. */
#include "eval-qsock.h"

#include <stdio.h>
#include <string.h>

int eval_qattach_dwcs(const char *prog, int fd, const char *dev, struct q_dwcs_attr *attrs,
		      const char *what)
{
	struct qos_params params;

	memset(&params, 0, sizeof(params));
	if (strlen(dev) >= sizeof(params.dev)) {
		fprintf(stderr, "%s: --qsock: device name \"%s\" is too long\n", prog, dev);
		return -1;
	}
	strcpy(params.dev, dev);
	strcpy(params.name, "dwcs");
	attrs->stream_flags |= QSOCK_STREAM_EXT;
	attrs->size = sizeof(*attrs);
	params.attributes = attrs;
	if (qattach(fd, &params)) {
		fprintf(stderr, "%s: qattach on %s (dwcs %s): %s\n", prog, dev, what,
			qsock_strerror());
		return -1;
	}
	return 0;
}
