// SPDX-License-Identifier: GPL-2.0
/*
 * qsock-root — install or remove a qsock root scheduler on a device (qsockinit/qsockfini), so
 * the evaluation scenarios set the link up through the API as the paper's §3.1.1 does.
 *
 *   qsock-root init DEV SCHED [--rate BYTES_PER_S] [--limit PACKETS] [--work-conserving]
 *   qsock-root fini DEV SCHED
 */
#include "eval-cli.h"
#include "eval-util.h"

#include <qsock.h>
#include <stdio.h>
#include <string.h>

static const char *prog = "qsock-root";

static void usage(FILE *f)
{
	fprintf(f,
		"usage: %s init DEV SCHED [--rate BYTES_PER_S] [--limit PACKETS] [--work-conserving]\n"
		"       %s fini DEV SCHED\n",
		prog, prog);
}

int main(int argc, char **argv)
{
	struct qsock_root_attr root = { .size = sizeof(root) };
	struct qos_params params;
	uint64_t limit = 0;
	int work_conserving = 0, argi, init, status;
	const struct eval_opt opts[] = {
		EVAL_U64("rate", &root.rate, 1, UINT64_MAX / 8),
		EVAL_U64("limit", &limit, 1, 1000000),
		EVAL_SET("work-conserving", &work_conserving, 1),
		EVAL_END,
	};

	status = eval_parse_args(prog, argc, argv, opts, usage, &argi);
	if (status >= 0)
		return status;
	root.limit = (uint32_t)limit;
	if (work_conserving)
		root.flags |= QSOCK_ROOT_WORK_CONSERVING;
	if (argc - argi != 3 || (strcmp(argv[argi], "init") && strcmp(argv[argi], "fini"))) {
		usage(stderr);
		return 2;
	}
	init = !strcmp(argv[argi], "init");
	memset(&params, 0, sizeof(params));
	if (strlen(argv[argi + 1]) >= sizeof(params.dev) ||
	    strlen(argv[argi + 2]) >= sizeof(params.name)) {
		fprintf(stderr, "%s: device or scheduler name too long\n", prog);
		return 2;
	}
	strcpy(params.dev, argv[argi + 1]);
	strcpy(params.name, argv[argi + 2]);
	params.attributes = init ? &root : NULL;
	if (init ? qsockinit(&params) : qsockfini(&params)) {
		fprintf(stderr, "%s: %s %s on %s: %s\n", prog, init ? "qsockinit" : "qsockfini",
			params.name, params.dev, qsock_strerror());
		return 1;
	}
	return 0;
}
