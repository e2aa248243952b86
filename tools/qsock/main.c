// SPDX-License-Identifier: GPL-2.0
/*
 * main.c — `qsock`, the operator's command: global options, then a subcommand from the
 * table below (unambiguous prefixes accepted, as bpftool does).
 *
 *	qsock [-j] [-c FILE] COMMAND [ARGS...]
 *
 * -j may also follow the command (`qsock status -j`), anywhere before a "--".
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
	{ "events", do_events, "[DEV] [-s SOCKET] [-i MS] [-b PKTS] [-e EVENTS] [-n COUNT]",
	  "one line per event of qsockd's streams (drops, late drops, window violations, backlog)" },
	{ "run", do_run, "[-c FILE | --ipg DUR --oln N --old N ...] -- PROG [ARGS...]",
	  "run PROG under the shim, with FILE's rules or one built from the options" },
	{ "init", do_init, "DEV SCHED [--rate RATE] [--limit N] [--work-conserving]",
	  "install qsock's SCHED root qdisc on DEV (qsockinit)" },
	{ "fini", do_fini, "DEV", "remove qsock's root qdisc from DEV, and its streams (qsockfini)" },
	{ "help", do_help, "[COMMAND]", "this text, or COMMAND's options" },
	{ NULL, NULL, NULL, NULL },
};

static void usage(FILE *out)
{
	const struct cmd *c;

	fprintf(out, "usage: qsock [-j] [-c FILE] COMMAND [ARGS...]\n"
		     "       qsock --help | --version\n"
		     "  -j, --json         JSON output (errors too, as {\"error\": ...})\n"
		     "  -c, --config FILE  configuration (default: $QSOCK_CONF, else %s)\n"
		     "commands (any unambiguous prefix; COMMAND --help for its options):\n",
		CONF_DEFAULT_PATH);
	for (c = cmds; c->name; c++)
		fprintf(out, "  %-8s %s\n           %s\n", c->name, c->args, c->help);
}

static const struct cmd *find_cmd(const struct qsock_cli *cli, const char *word);

/* `qsock help [COMMAND]`: the list, or COMMAND --help. */
static int do_help(const struct qsock_cli *cli, int argc, char **argv)
{
	const struct cmd *c;
	char *args[] = { NULL, "--help", NULL };
	struct qsock_cli sub = *cli;

	if (argc < 2 || !strcmp(argv[1], "help") || argv[1][0] == '-') {
		usage(stdout);
		return 0;
	}
	c = find_cmd(cli, argv[1]);
	if (!c)
		return 2;
	args[0] = (char *)c->name;
	sub.cmd = c->name;
	optind = 1;
	return c->fn(&sub, 2, args);
}

static const struct cmd *find_cmd(const struct qsock_cli *cli, const char *word)
{
	const struct cmd *c, *found = NULL;
	size_t len = strlen(word);

	for (c = cmds; c->name; c++) {
		if (!strcmp(c->name, word))
			return c;
		if (!strncmp(c->name, word, len)) {
			if (found) {
				cli_error(cli, 2, "\"%s\" is ambiguous (%s, %s, ...)", word,
					  found->name, c->name);
				return NULL;
			}
			found = c;
		}
	}
	if (!found)
		cli_error(cli, 2, "unknown command \"%s\" (try: qsock help)", word);
	return found;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct qsock_cli cli = { .conf_path = NULL };
	bool help = false, version = false;
	const struct cmd *c;
	int opt;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+:jc:hV", opts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			cli.json = true;
			break;
		case 'c':
			cli.conf_path = optarg;
			break;
		case 'h':
			help = true;
			break;
		case 'V':
			version = true;
			break;
		default:
			return cli_bad_option(&cli, "usage: qsock [-j] [-c FILE] COMMAND [ARGS...] (qsock --help)\n",
					      opt, argv);
		}
	}
	if (help) {
		usage(stdout);
		return 0;
	}
	if (version) {
		if (cli.json)
			printf("{\"version\":\"%s\"}\n", QSOCK_VERSION);
		else
			printf("qsock %s\n", QSOCK_VERSION);
		return 0;
	}
	if (!cli.conf_path) {
		cli.conf_path = getenv("QSOCK_CONF");
		if (!cli.conf_path || !*cli.conf_path)
			cli.conf_path = CONF_DEFAULT_PATH;
	}
	if (optind >= argc) {
		if (cli.json)
			cli_error(&cli, 2, "no command (try: qsock help)");
		usage(stderr);
		return 2;
	}
	c = find_cmd(&cli, argv[optind]);
	if (!c)
		return 2;
	cli.cmd = c->name;
	/* -j is global, but `qsock status -j` is what people type: take it anywhere before "--" */
	{
		int i, o = optind + 1;

		for (i = optind + 1; i < argc; i++) {
			if (!strcmp(argv[i], "--")) {
				while (i < argc)
					argv[o++] = argv[i++];
				break;
			}
			if (!strcmp(argv[i], "-j") || !strcmp(argv[i], "--json"))
				cli.json = true;
			else
				argv[o++] = argv[i];
		}
		argc = o;
		argv[argc] = NULL;
	}
	/* the subcommand sees its own name as argv[0], getopt-style */
	optind++;
	return c->fn(&cli, argc - optind + 1, argv + optind - 1);
}
