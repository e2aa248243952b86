/* SPDX-License-Identifier: GPL-2.0 */
/*
 * commands.h — the `qsock` command's subcommands. Each lives in its own cmd_<name>.c and is
 * listed once in main.c's table (bpftool's model). To add one: declare it here, add a line
 * `{ "name", do_name, "ARGS", "what it does" }` to cmds[] in main.c, and drop cmd_name.c in
 * this directory (build.mk picks up every .c file here).
 *
 * Conventions every subcommand keeps (cli.c helps): `--help`/`-h` prints its usage on stdout
 * and exits 0 before anything else is read; options are parsed with getopt_long and an
 * optstring starting with ':' (so a missing value is told from an unknown option); every
 * error goes through cli_error()/cli_usage_error(), which under -j also prints
 * {"error": ..., "command": ..., "status": N} on stdout; exit 0 success, 1 failure, 2 usage.
 */
#ifndef QSOCK_TOOLS_COMMANDS_H
#define QSOCK_TOOLS_COMMANDS_H

#include <stdbool.h>
#include <stdio.h>

/* Global options, parsed by main.c before the subcommand. */
struct qsock_cli {
	bool json;		/* -j: JSON on stdout */
	const char *conf_path;	/* -c FILE, else QSOCK_CONF, else /etc/qsock.conf */
	const char *cmd;	/* the subcommand's full name, for messages */
	int usage_status;	/* exit status of a usage error; 0: 2 (qsock run: 125) */
};

/* A subcommand gets the arguments after its name; returns the process exit status. */
typedef int (*qsock_cmd_fn)(const struct qsock_cli *cli, int argc, char **argv);

int do_check(const struct qsock_cli *cli, int argc, char **argv);
int do_explain(const struct qsock_cli *cli, int argc, char **argv);
int do_status(const struct qsock_cli *cli, int argc, char **argv);
int do_top(const struct qsock_cli *cli, int argc, char **argv);
int do_events(const struct qsock_cli *cli, int argc, char **argv);
int do_run(const struct qsock_cli *cli, int argc, char **argv);
int do_init(const struct qsock_cli *cli, int argc, char **argv);
int do_fini(const struct qsock_cli *cli, int argc, char **argv);

/* cmd_status.c */
struct qsockd_stream;
/* ,"classid":..,"cookie":..,"owner":{"uid","user","pid","process" — the owner object left
 * open for the caller's fields: one shape for status -j and top -j. */
void json_stream_who(const struct qsockd_stream *s);

/* cli.c */
/* S as a JSON string literal (quotes included) on OUT. */
void json_string(FILE *out, const char *s);
/* "qsock CMD: MESSAGE" on stderr, and under -j {"error":...} on stdout. Returns STATUS. */
int cli_error(const struct qsock_cli *cli, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The same, then USAGE on stderr. Returns 2 (cli->usage_status when set). */
int cli_usage_error(const struct qsock_cli *cli, const char *usage, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* getopt returned OPT (':' or '?'): name the option. Returns as cli_usage_error(). */
int cli_bad_option(const struct qsock_cli *cli, const char *usage, int opt, char **argv);
/* USAGE on stdout; returns 0. */
int cli_help(const char *usage);
/* "1.2M", "980k", "12" (SI prefixes, 3 significant digits) for rates and counts. */
const char *cli_si(double v, char *buf, size_t len);

#endif /* QSOCK_TOOLS_COMMANDS_H */
