// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_init.c — `qsock init DEV SCHED [--rate RATE] [--limit N] [--work-conserving]` and
 * `qsock fini DEV`: install or remove qsock's root qdisc, its socket classifier and pinned
 * maps on a device. They are the C calls qsockinit and qsockfini (libqsock, linked in), so
 * they behave as a program's would: in-process with CAP_NET_ADMIN, else through qsockd
 * (which lets root do it, and others only find the scheduler already there).
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qsock.h>

#include "../../conf/diag.h"
#include "commands.h"

static const char init_usage[] =
	"usage: qsock [-j] init DEV SCHED [--rate RATE] [--limit N] [--work-conserving]\n"
	"  Install SCHED (dwcs, dwcs-bpf or htb) as DEV's root qdisc with qsock's socket\n"
	"  classifier: what qsockinit does, in-process with CAP_NET_ADMIN, else through qsockd.\n"
	"  Nothing changes when SCHED is installed there already; a root qdisc qsock did not\n"
	"  install is refused (remove it with tc first).\n"
	"  --rate RATE        dwcs: the link shaper (\"10mbit\"; default none)\n"
	"  --limit N          dwcs: packets queued in the whole qdisc (default: the qdisc's)\n"
	"  --work-conserving  dwcs: send before a packet's deadline - T when the link is idle\n";

static const char fini_usage[] =
	"usage: qsock [-j] fini DEV\n"
	"  Remove qsock's root qdisc from DEV, with every stream on it and the socket\n"
	"  classifier: what qsockfini does. A root qdisc qsock did not install is left alone.\n";

/* The library's text without the name of the C call it starts with ("qsockinit: ..."). */
static const char *lib_error(const char *call)
{
	const char *s = qsock_strerror();
	size_t n = strlen(call);

	if (!strncmp(s, call, n) && !strncmp(s + n, ": ", 2))
		s += n + 2;
	return s;
}

static int check_dev(const struct qsock_cli *cli, const char *usage, const char *dev)
{
	if (!*dev || strlen(dev) >= IFNAMSIZ)
		return cli_usage_error(cli, usage, "\"%s\" is not a device name (1..%d characters)",
				       dev, IFNAMSIZ - 1);
	return 0;
}

int do_init(const struct qsock_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "rate", required_argument, NULL, 'r' },
		{ "limit", required_argument, NULL, 'l' },
		{ "work-conserving", no_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct qsock_root_attr ra = { .size = sizeof(ra) };
	struct qos_params p;
	unsigned long long rate;
	unsigned long n;
	char *end;
	int opt, rc;

	optind = 0; /* 0: glibc starts over, and permutes (options may follow DEV SCHED) */
	while ((opt = getopt_long(argc, argv, ":r:l:wh", opts, NULL)) != -1) {
		switch (opt) {
		case 'h':
			return cli_help(init_usage);
		case 'r':
			if (conf_parse_rate_Bps(optarg, &rate) || !rate)
				return cli_usage_error(cli, init_usage,
						       "--rate \"%s\": not a rate (\"10mbit\", "
						       "\"1.5gbit\", \"64kbit\", bits per second)",
						       optarg);
			ra.rate = rate;
			break;
		case 'l':
			errno = 0;
			n = strtoul(optarg, &end, 10);
			if (errno || *end || !*optarg || optarg[0] == '-' || !n || n > UINT32_MAX)
				return cli_usage_error(cli, init_usage,
						       "--limit \"%s\": not a packet count (1..%u)",
						       optarg, UINT32_MAX);
			ra.limit = (uint32_t)n;
			break;
		case 'w':
			ra.flags |= QSOCK_ROOT_WORK_CONSERVING;
			break;
		default:
			return cli_bad_option(cli, init_usage, opt, argv);
		}
	}
	if (argc - optind < 2)
		return cli_usage_error(cli, init_usage, "%s", argc - optind ? "no scheduler (SCHED)" :
								       "no device and scheduler (DEV SCHED)");
	if (argc - optind > 2)
		return cli_usage_error(cli, init_usage, "unexpected argument \"%s\"", argv[optind + 2]);
	rc = check_dev(cli, init_usage, argv[optind]);
	if (rc)
		return rc;
	if (!*argv[optind + 1] || strlen(argv[optind + 1]) >= IFNAMSIZ)
		return cli_usage_error(cli, init_usage, "\"%s\" is not a scheduler name (dwcs, "
				       "dwcs-bpf, htb)", argv[optind + 1]);
	memset(&p, 0, sizeof(p));
	snprintf(p.dev, sizeof(p.dev), "%s", argv[optind]);
	snprintf(p.name, sizeof(p.name), "%s", argv[optind + 1]);
	p.attributes = &ra;
	rc = qsockinit(&p);
	if (rc < 0)
		/* an unknown scheduler is the user's word, but only the library knows the list */
		return cli_error(cli, 1, "%s", lib_error("qsockinit"));
	if (cli->json) {
		printf("{\"dev\":");
		json_string(stdout, p.dev);
		printf(",\"sched\":");
		json_string(stdout, p.name);
		printf(",\"root\":\"installed\"}\n");
	} else {
		printf("%s: qsock's %s root in place\n", p.dev, p.name);
	}
	return 0;
}

int do_fini(const struct qsock_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct qos_params p;
	int opt, rc;

	optind = 0; /* 0: glibc starts over (see do_init) */
	while ((opt = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (opt == 'h')
			return cli_help(fini_usage);
		return cli_bad_option(cli, fini_usage, opt, argv);
	}
	if (argc - optind < 1)
		return cli_usage_error(cli, fini_usage, "no device (DEV)");
	if (argc - optind > 1)
		return cli_usage_error(cli, fini_usage, "unexpected argument \"%s\"", argv[optind + 1]);
	rc = check_dev(cli, fini_usage, argv[optind]);
	if (rc)
		return rc;
	memset(&p, 0, sizeof(p));
	snprintf(p.dev, sizeof(p.dev), "%s", argv[optind]);
	/* qsockfini removes whichever qsock root the device has; it only checks that the name
	 * is a scheduler's, so any will do */
	snprintf(p.name, sizeof(p.name), "htb");
	if (qsockfini(&p) < 0) {
		if (errno == ENOENT)
			return cli_error(cli, 1, "%s has no root qdisc of qsock's: nothing removed",
					 p.dev);
		return cli_error(cli, 1, "%s", lib_error("qsockfini"));
	}
	if (cli->json) {
		printf("{\"dev\":");
		json_string(stdout, p.dev);
		printf(",\"root\":\"removed\"}\n");
	} else {
		printf("%s: qsock's root removed\n", p.dev);
	}
	return 0;
}
