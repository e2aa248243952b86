// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_check.c — `qsock check [FILE]`: load and validate a qsock.conf the way the shim does
 * (conf/) and its `policy` group the way qsockd does (conf/policy.c), report every problem,
 * sorted by line, as `file:line: key: reason` (stderr), or with -j as {file, line, key,
 * reason} objects in the "errors" array; exit 0 when the file is valid, 1 when it is not,
 * 2 on bad usage.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../conf/conf.h"
#include "../../conf/policy.h"
#include "../../conf/readfile.h"
#include "commands.h"

static const char usage[] =
	"usage: qsock [-j] [-c FILE] check [FILE]\n"
	"  Validate FILE (default: the -c file, $QSOCK_CONF, else " CONF_DEFAULT_PATH ") as the\n"
	"  shim and qsockd read it. Every error, sorted by line, as FILE:LINE: KEY: REASON;\n"
	"  with -j as {\"file\",\"line\",\"key\",\"reason\"} objects. Exit 0 valid, 1 not, 2 usage.\n"
	"  (A file named like an option: qsock check -- FILE.)\n";

static unsigned int count_msg_rules(const struct conf *c)
{
	unsigned int i, n = 0;

	for (i = 0; i < c->n_streams; i++)
		n += c->streams[i].n_msgs;
	return n;
}

static void print_json(const char *path, int rc, const struct conf *c, const struct conf_diag *d)
{
	printf("{\"file\":");
	json_string(stdout, path);
	printf(",\"valid\":%s,\"streams\":%u,\"message_rules\":%u,\"errors\":[",
	       rc ? "false" : "true", c->n_streams, count_msg_rules(c));
	for (unsigned int i = 0; i < d->n_list; i++) {
		const struct conf_diag_entry *e = &d->list[i];

		printf("%s{\"file\":", i ? "," : "");
		json_string(stdout, e->file);
		if (e->line)
			printf(",\"line\":%u", e->line);
		else
			printf(",\"line\":null");
		printf(",\"key\":");
		if (e->syntax)
			json_string(stdout, "(syntax)");
		else if (e->key)
			json_string(stdout, e->key);
		else
			printf("null");
		printf(",\"reason\":");
		json_string(stdout, e->reason);
		printf("}");
	}
	printf("]}\n");
}

/* TEXT is syntactically valid (conf_load_string() has reported it when not). */
static bool parses(const char *text)
{
	struct conf_diag quiet;
	config_t cfg;
	bool ok;

	conf_diag_init(&quiet, NULL, NULL);
	if (conf_check_text(&quiet, "", text))
		return false;
	config_init(&cfg);
	ok = config_read_string(&cfg, text);
	config_destroy(&cfg);
	return ok;
}

int do_check(const struct qsock_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = cli->conf_path;
	char *text = NULL;
	struct conf_diag d;
	struct conf c;
	int rc, opt;

	optind = 1;
	while ((opt = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (opt == 'h')
			return cli_help(usage);
		return cli_bad_option(cli, usage, opt, argv);
	}
	if (argc - optind > 1)
		return cli_usage_error(cli, usage, "one file at most, not %d", argc - optind);
	if (optind < argc)
		path = argv[optind];
	conf_diag_init(&d, path, NULL);
	conf_diag_collect(&d);
	/* Read once, with the shim's limits (conf/readfile.h), and check both parts of it. */
	rc = conf_read_file(&d, path, &text);
	if (rc)
		conf_init_defaults(&c);
	else
		rc = conf_load_string(&c, text, path, &d);
	/* qsockd's part of the same file, unless it does not even parse (reported once) */
	if (text && (!rc || rc == -EINVAL) && parses(text)) {
		struct policy pol;
		int prc;

		policy_init_default(&pol);
		prc = policy_load_string(&pol, text, path, &d);
		policy_free(&pol);
		if (prc && !rc)
			rc = prc;
	}
	free(text);
	conf_diag_sort(&d);
	if (cli->json) {
		print_json(path, rc, &c, &d);
	} else {
		char line[CONF_DIAG_MSG_MAX + 512];

		for (unsigned int i = 0; i < d.n_list; i++)
			fprintf(stderr, "%s\n", conf_diag_format(&d.list[i], line, sizeof(line)));
		if (!rc)
			printf("%s: valid: %u stream rule(s), %u message rule(s)\n", path,
			       c.n_streams, count_msg_rules(&c));
		else
			fprintf(stderr, "%s: %u error(s)\n", path, d.errors);
	}
	conf_diag_free(&d);
	conf_free(&c);
	return rc ? 1 : 0;
}
