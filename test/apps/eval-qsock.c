// SPDX-License-Identifier: GPL-2.0
/* eval-qsock.c — see eval-qsock.h. */
#include "eval-qsock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int eval_qattach_dwcs(const char *prog, int fd, const char *dev, struct q_dwcs_attr *attrs,
		      const char *what)
{
	/* the scenarios' choice (test/scenarios/lib.sh), the paper's scheduler by default */
	const char *sched = getenv("SCEN_QSOCK_SCHED");
	struct qos_params params;

	if (!sched || !*sched)
		sched = "dwcs";
	memset(&params, 0, sizeof(params));
	if (strlen(dev) >= sizeof(params.dev)) {
		fprintf(stderr, "%s: --qsock: device name \"%s\" is too long\n", prog, dev);
		return -1;
	}
	strcpy(params.dev, dev);
	if (strlen(sched) >= sizeof(params.name)) {
		fprintf(stderr, "%s: SCEN_QSOCK_SCHED \"%s\" is too long\n", prog, sched);
		return -1;
	}
	strcpy(params.name, sched);
	attrs->stream_flags |= QSOCK_STREAM_EXT;
	attrs->size = sizeof(*attrs);
	params.attributes = attrs;
	if (qattach(fd, &params)) {
		fprintf(stderr, "%s: qattach on %s (%s %s): %s\n", prog, dev, sched, what,
			qsock_strerror());
		return -1;
	}
	return 0;
}
