// SPDX-License-Identifier: GPL-2.0
/*
 * eval-cli.c — the evaluation apps' command lines: getopt_long driven by each app's option
 * table, and the value parsers that name what is wrong.
 */
#include "eval-cli.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* getopt_long's val for table entry i; above any character, so no short option collides. */
#define OPT_VAL(i) (256 + (i))

/* Stores one option's argument; -1 after printing why it is bad. */
static int take_option(const char *prog, const struct eval_opt *o, const char *arg)
{
	char what[64];
	uint64_t v;

	snprintf(what, sizeof(what), "--%s", o->name);
	switch (o->kind) {
	case EVAL_OPT_U64:
		if (parse_u64(prog, what, arg, o->min, o->max, &v))
			return -1;
		*(uint64_t *)o->out = v * o->scale;
		return 0;
	case EVAL_OPT_DOUBLE:
		return parse_double(prog, what, arg, o->dmin, o->dmax, o->out);
	case EVAL_OPT_SEND_TO:
	case EVAL_OPT_LISTEN_ON:
		return parse_ipv4_port(prog, what, arg, o->kind == EVAL_OPT_SEND_TO, o->out);
	case EVAL_OPT_STRING:
		*(const char **)o->out = arg;
		return 0;
	case EVAL_OPT_SET:
		*(int *)o->out = o->value;
		return 0;
	}
	return -1;
}

int eval_parse_args(const char *prog, int argc, char **argv, const struct eval_opt *opts,
		    void (*usage)(FILE *), int *positional)
{
	struct option long_opts[EVAL_MAX_OPTS + 2];
	int seen[EVAL_MAX_OPTS] = { 0 };
	int n, c;

	for (n = 0; opts[n].name; n++) {
		if (n == EVAL_MAX_OPTS)
			abort(); /* a programming error: raise EVAL_MAX_OPTS */
		long_opts[n] = (struct option){ opts[n].name,
						opts[n].kind == EVAL_OPT_SET ? no_argument :
									      required_argument,
						NULL, OPT_VAL(n) };
	}
	long_opts[n] = (struct option){ "help", no_argument, NULL, 'h' };
	long_opts[n + 1] = (struct option){ 0 };

	while ((c = getopt_long(argc, argv, "h", long_opts, NULL)) != -1) {
		if (c == 'h') {
			usage(stdout);
			return 0;
		}
		if (c < OPT_VAL(0) || c >= OPT_VAL(n)) {
			usage(stderr); /* getopt_long has said what it did not recognise */
			return 2;
		}
		if (take_option(prog, &opts[c - OPT_VAL(0)], optarg))
			return 2;
		seen[c - OPT_VAL(0)] = 1;
	}
	if (positional) {
		*positional = optind;
	} else if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument \"%s\"\n", prog, argv[optind]);
		usage(stderr);
		return 2;
	}
	for (int i = 0; i < n; i++) {
		if (seen[i] || (opts[i].kind != EVAL_OPT_SEND_TO && opts[i].kind != EVAL_OPT_LISTEN_ON))
			continue;
		fprintf(stderr, "%s: --%s %s is required\n", prog, opts[i].name,
			opts[i].kind == EVAL_OPT_SEND_TO ? "ADDRESS:PORT" : "[ADDRESS:]PORT");
		usage(stderr);
		return 2;
	}
	return -1;
}

int parse_u64(const char *prog, const char *what, const char *s, uint64_t min, uint64_t max,
	      uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *end || *s == '-') {
		fprintf(stderr, "%s: %s: \"%s\" is not a whole number\n", prog, what, s);
		return -1;
	}
	if (v < min || v > max) {
		fprintf(stderr, "%s: %s: %llu is out of range %llu..%llu\n", prog, what, v,
			(unsigned long long)min, (unsigned long long)max);
		return -1;
	}
	*out = v;
	return 0;
}

int parse_double(const char *prog, const char *what, const char *s, double min, double max,
		 double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || isnan(v)) {
		fprintf(stderr, "%s: %s: \"%s\" is not a number\n", prog, what, s);
		return -1;
	}
	if (v < min || v > max) {
		fprintf(stderr, "%s: %s: %g is out of range %g..%g\n", prog, what, v, min, max);
		return -1;
	}
	*out = v;
	return 0;
}

int parse_ipv4_port(const char *prog, const char *what, const char *s, int address_required,
		    struct sockaddr_in *out)
{
	char host[64];
	const char *colon = strrchr(s, ':');
	const char *port_s = colon ? colon + 1 : s;
	uint64_t port;

	memset(out, 0, sizeof(*out));
	out->sin_family = AF_INET;
	out->sin_addr.s_addr = htonl(INADDR_ANY);
	if (colon) {
		size_t n = (size_t)(colon - s);

		if (n == 0 || n >= sizeof(host) || (memcpy(host, s, n), host[n] = 0,
						     inet_pton(AF_INET, host, &out->sin_addr) != 1)) {
			fprintf(stderr, "%s: %s: \"%.*s\" in \"%s\" is not an IPv4 address\n", prog,
				what, (int)n, s, s);
			return -1;
		}
	} else if (address_required) {
		fprintf(stderr, "%s: %s: \"%s\" needs the form ADDRESS:PORT, e.g. 10.0.0.2:5000\n",
			prog, what, s);
		return -1;
	}
	if (parse_u64(prog, what, port_s, 1, 65535, &port))
		return -1;
	out->sin_port = htons((uint16_t)port);
	return 0;
}
