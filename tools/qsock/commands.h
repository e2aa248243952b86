/* SPDX-License-Identifier: GPL-2.0 */
/*
 * commands.h — the `qsock` command's subcommands. Each lives in its own cmd_<name>.c and is
 * listed once in main.c's table (bpftool's model). To add one: declare it here, add a line
 * `{ "name", do_name, "ARGS", "what it does" }` to cmds[] in main.c, and drop cmd_name.c in
 * this directory (build.mk picks up every .c file here).
 */
#ifndef QSOCK_TOOLS_COMMANDS_H
#define QSOCK_TOOLS_COMMANDS_H

#include <stdbool.h>

/* Global options, parsed by main.c before the subcommand. */
struct qsock_cli {
	bool json;		/* -j: JSON on stdout */
	const char *conf_path;	/* -c FILE, else QSOCK_CONF, else /etc/qsock.conf */
};

/* A subcommand gets the arguments after its name; returns the process exit status. */
typedef int (*qsock_cmd_fn)(const struct qsock_cli *cli, int argc, char **argv);

int do_check(const struct qsock_cli *cli, int argc, char **argv);
/* json.c: S as a JSON string literal (quotes included) on OUT. */
#include <stdio.h>
void json_string(FILE *out, const char *s);
int do_explain(const struct qsock_cli *cli, int argc, char **argv);
int do_status(const struct qsock_cli *cli, int argc, char **argv);
int do_top(const struct qsock_cli *cli, int argc, char **argv);

#endif /* QSOCK_TOOLS_COMMANDS_H */
