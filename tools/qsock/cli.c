// SPDX-License-Identifier: GPL-2.0
/*
 * cli.c — what every qsock subcommand shares: JSON string escaping, errors that are JSON on
 * stdout under -j (and a line on stderr either way), bad options named, and --help.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"

void json_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", out);
		else if (c == '\t')
			fputs("\\t", out);
		else if (c < 0x20)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

static int verror(const struct qsock_cli *cli, int status, const char *fmt, va_list ap)
{
	char msg[1024];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	fprintf(stderr, "qsock%s%s: %s\n", cli->cmd ? " " : "", cli->cmd ? cli->cmd : "", msg);
	if (cli->json) {
		printf("{\"error\":");
		json_string(stdout, msg);
		if (cli->cmd) {
			printf(",\"command\":");
			json_string(stdout, cli->cmd);
		}
		printf(",\"status\":%d}\n", status);
		fflush(stdout);
	}
	return status;
}

int cli_error(const struct qsock_cli *cli, int status, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = verror(cli, status, fmt, ap);
	va_end(ap);
	return ret;
}

int cli_usage_error(const struct qsock_cli *cli, const char *usage, const char *fmt, ...)
{
	int status = cli->usage_status ? cli->usage_status : 2;
	va_list ap;

	va_start(ap, fmt);
	verror(cli, status, fmt, ap);
	va_end(ap);
	fputs(usage, stderr);
	return status;
}

int cli_bad_option(const struct qsock_cli *cli, const char *usage, int opt, char **argv)
{
	const char *word = optind > 0 ? argv[optind - 1] : NULL;

	if (opt == ':')
		return cli_usage_error(cli, usage, "option \"%s\" needs a value",
				       word ? word : "?");
	if (optopt)
		return cli_usage_error(cli, usage, "unknown option \"-%c\"", optopt);
	return cli_usage_error(cli, usage, "unknown option \"%s\"", word ? word : "?");
}

int cli_help(const char *usage)
{
	fputs(usage, stdout);
	return 0;
}

const char *cli_si(double v, char *buf, size_t len)
{
	static const char prefix[] = { 0, 'k', 'M', 'G', 'T', 'P' };
	unsigned int i = 0;

	while (v >= 999.5 && i + 1 < sizeof(prefix)) {
		v /= 1000;
		i++;
	}
	if (!i)
		snprintf(buf, len, "%.0f", v);
	else
		snprintf(buf, len, v < 9.995 ? "%.2f%c" : v < 99.95 ? "%.1f%c" : "%.0f%c", v,
			 prefix[i]);
	return buf;
}
