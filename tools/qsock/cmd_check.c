// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_check.c — `qsock check [FILE]`: load and validate a qsock.conf the way the shim does
 * (conf/) and its `policy` group the way qsockd does (conf/policy.c), report every problem as `file:line: key: reason` (stderr, or the "errors" array with -j),
 * exit 0 when the file is valid, 1 when it is not, 2 on bad usage.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../conf/conf.h"
#include "../../conf/policy.h"
#include "../../conf/readfile.h"
#include "commands.h"

static unsigned int count_msg_rules(const struct conf *c)
{
	unsigned int i, n = 0;

	for (i = 0; i < c->n_streams; i++)
		n += c->streams[i].n_msgs;
	return n;
}

static void print_json(const char *path, int rc, const struct conf *c, const char *errors)
{
	const char *line = errors;
	bool first = true;

	printf("{\"file\":");
	json_string(stdout, path);
	printf(",\"valid\":%s,\"streams\":%u,\"message_rules\":%u,\"errors\":[",
	       rc ? "false" : "true", c->n_streams, count_msg_rules(c));
	while (line && *line) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		char buf[1024];

		snprintf(buf, sizeof(buf), "%.*s", (int)len, line);
		if (!first)
			putchar(',');
		json_string(stdout, buf);
		first = false;
		line += len + (nl ? 1 : 0);
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
	const char *path = cli->conf_path;
	char *errors = NULL, *text = NULL;
	size_t errors_len = 0;
	struct conf_diag d;
	struct conf c;
	FILE *out = stderr;
	int rc;

	if (argc > 2) {
		fprintf(stderr, "usage: qsock check [FILE]\n");
		return 2;
	}
	if (argc == 2)
		path = argv[1];
	if (cli->json) {
		out = open_memstream(&errors, &errors_len);
		if (!out) {
			perror("qsock check: open_memstream");
			return 1;
		}
	}
	conf_diag_init(&d, path, out);
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
	if (cli->json) {
		fclose(out);
		print_json(path, rc, &c, errors);
		free(errors);
	} else if (!rc) {
		printf("%s: valid: %u stream rule(s), %u message rule(s)\n", path, c.n_streams,
		       count_msg_rules(&c));
	} else {
		fprintf(stderr, "%s: %u error(s)\n", path, d.errors);
	}
	conf_free(&c);
	return rc ? 1 : 0;
}
