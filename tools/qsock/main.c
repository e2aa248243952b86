// SPDX-License-Identifier: GPL-2.0
/*
 * main.c — `qsock`, the operator's command: global options, then a subcommand from the
 * table below (unambiguous prefixes accepted, as bpftool does).
 *
 *	qsock [-j] [-c FILE] COMMAND [ARGS...]
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../conf/conf.h"
#include "commands.h"

struct cmd {
	const char *name;
	qsock_cmd_fn fn;
	const char *args;
	const char *help;
};

static int do_help(const struct qsock_cli *cli, int argc, char **argv);

static const struct cmd cmds[] = {
	{ "check", do_check, "[FILE]", "validate a qsock.conf (every error as file:line: key: reason)" },
	{ "explain", do_explain, "[--process NAME] [--proto udp|tcp] [--remote ADDR:PORT] ... [--payload HEX]",
	  "which stream rule a socket would match, and which message rule a payload would" },
	{ "status", do_status, "[-s SOCKET]", "qsockd's streams: owner, parameters, statistics" },
	{ "top", do_top, "[-s SOCKET] [-d SECONDS] [-n COUNT]", "qsockd's streams, refreshing" },
	{ "help", do_help, "", "this text" },
	{ NULL, NULL, NULL, NULL },
};

static void usage(FILE *out)
{
	const struct cmd *c;

	fprintf(out, "usage: qsock [-j] [-c FILE] COMMAND [ARGS...]\n"
		     "  -j        JSON output\n"
		     "  -c FILE   configuration (default: $QSOCK_CONF, else %s)\n"
		     "commands:\n",
		CONF_DEFAULT_PATH);
	for (c = cmds; c->name; c++)
		fprintf(out, "  %-8s %s\n           %s\n", c->name, c->args, c->help);
}

static int do_help(const struct qsock_cli *cli, int argc, char **argv)
{
	usage(stdout);
	return 0;
}

static const struct cmd *find_cmd(const char *word)
{
	const struct cmd *c, *found = NULL;
	size_t len = strlen(word);

	for (c = cmds; c->name; c++) {
		if (!strcmp(c->name, word))
			return c;
		if (!strncmp(c->name, word, len)) {
			if (found) {
				fprintf(stderr, "qsock: \"%s\" is ambiguous (%s, %s, ...)\n", word,
					found->name, c->name);
				return NULL;
			}
			found = c;
		}
	}
	if (!found)
		fprintf(stderr, "qsock: unknown command \"%s\" (try: qsock help)\n", word);
	return found;
}

int main(int argc, char **argv)
{
	struct qsock_cli cli = { .conf_path = NULL };
	const struct cmd *c;
	int opt;

	while ((opt = getopt(argc, argv, "+jc:h")) != -1) {
		switch (opt) {
		case 'j':
			cli.json = true;
			break;
		case 'c':
			cli.conf_path = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (!cli.conf_path) {
		cli.conf_path = getenv("QSOCK_CONF");
		if (!cli.conf_path || !*cli.conf_path)
			cli.conf_path = CONF_DEFAULT_PATH;
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	c = find_cmd(argv[optind]);
	if (!c)
		return 2;
	/* the subcommand sees its own name as argv[0], getopt-style */
	optind++;
	return c->fn(&cli, argc - optind + 1, argv + optind - 1);
}
