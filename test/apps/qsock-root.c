// SPDX-License-Identifier: GPL-2.0
/*
 * qsock-root — install or remove a qsock root scheduler on a device (qsockinit/qsockfini), so
 * the evaluation scenarios set the link up through the API as the paper's §3.1.1 does.
 *
 *   qsock-root init DEV SCHED [--rate BYTES_PER_S] [--limit PACKETS] [--work-conserving]
 *   qsock-root fini DEV SCHED
 */
#include "eval-util.h"

#include <getopt.h>
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
	static const struct option opts[] = {
		{ "rate", required_argument, NULL, 'r' },
		{ "limit", required_argument, NULL, 'l' },
		{ "work-conserving", no_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct qsock_root_attr root = { .size = sizeof(root) };
	struct qos_params params;
	uint64_t v;
	int c, init;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			if (parse_u64(prog, "--rate", optarg, 1, UINT64_MAX / 8, &root.rate))
				return 2;
			break;
		case 'l':
			if (parse_u64(prog, "--limit", optarg, 1, 1000000, &v))
				return 2;
			root.limit = (uint32_t)v;
			break;
		case 'w':
			root.flags |= QSOCK_ROOT_WORK_CONSERVING;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (argc - optind != 3 || (strcmp(argv[optind], "init") && strcmp(argv[optind], "fini"))) {
		usage(stderr);
		return 2;
	}
	init = !strcmp(argv[optind], "init");
	memset(&params, 0, sizeof(params));
	if (strlen(argv[optind + 1]) >= sizeof(params.dev) ||
	    strlen(argv[optind + 2]) >= sizeof(params.name)) {
		fprintf(stderr, "%s: device or scheduler name too long\n", prog);
		return 2;
	}
	strcpy(params.dev, argv[optind + 1]);
	strcpy(params.name, argv[optind + 2]);
	params.attributes = init ? &root : NULL;
	if (init ? qsockinit(&params) : qsockfini(&params)) {
		fprintf(stderr, "%s: %s %s on %s: %s\n", prog, init ? "qsockinit" : "qsockfini",
			params.name, params.dev, qsock_strerror());
		return 1;
	}
	return 0;
}
