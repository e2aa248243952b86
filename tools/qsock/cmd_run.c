// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_run.c — `qsock run`: start a program under the shim in one command (as `trickle -d 500
 * prog` does for its shaper).
 *
 *	qsock run [-c FILE] -- PROG [ARGS...]
 *	qsock run --ipg 40ms --oln 1 --old 10 [--dev DEV] [--port N] [...] -- PROG [ARGS...]
 *
 * The first form sets LD_PRELOAD and QSOCK_CONF (an absolute path) and execs PROG. The second
 * builds one stream rule from the options, validates it with the loader the shim uses (its
 * errors named by option: "--ipg: 90s is out of range 1us..60s"), puts it in a sealed memfd
 * that PROG inherits, and points QSOCK_CONF at it (/proc/self/fd/N: the same descriptor in
 * PROG and in the children it starts, as long as it leaves the descriptor open).
 *
 * qsock execs PROG: the process is PROG's, so its exit status and the signals it gets or dies
 * of are PROG's own, with no process in between. qsock's own failures exit 125 (bad options,
 * an invalid file), 126 (PROG cannot be executed) or 127 (PROG not found), as env(1) does.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../../conf/conf.h"
#include "commands.h"

#ifndef QSOCK_SHIM_PATH
#define QSOCK_SHIM_PATH "/usr/local/lib/libqsockshim.so"
#endif

#define EXIT_RUN_FAIL 125
#define EXIT_CANNOT_EXEC 126
#define EXIT_NOT_FOUND 127

static const char usage[] =
	"usage: qsock run [-c FILE] -- PROG [ARGS...]\n"
	"       qsock run --ipg DURATION [--oln N --old N] [RULE OPTIONS] -- PROG [ARGS...]\n"
	"       qsock run --rate RATE [RULE OPTIONS] -- PROG [ARGS...]\n"
	"       qsock run --bitrate RATE [--fps N] [RULE OPTIONS] -- PROG [ARGS...]\n"
	"  Run PROG under the shim (LD_PRELOAD), with FILE's rules (default: the -c file,\n"
	"  $QSOCK_CONF, else " CONF_DEFAULT_PATH ") or with one stream rule built from the options.\n"
	"  PROG's exit status and signals are its own (qsock execs it); qsock's own failures\n"
	"  exit 125, 126 (cannot execute PROG) or 127 (PROG not found).\n"
	"  -c, --config FILE     the rules of FILE\n"
	"  --ipg DURATION        dwcs request period (\"40ms\"; 1us..60s)\n"
	"  --oln X --old Y       loss tolerance: at most X of every Y packets late or lost\n"
	"  --lossless            late packets are sent, not dropped\n"
	"  --nondroppable        every packet of the stream is non-droppable\n"
	"  --limit N             the class's queue length in packets\n"
	"  --rate RATE           htb: guaranteed rate (\"5mbit\"; implies --sched htb)\n"
	"  --bitrate RATE        the stream's payload bit rate (\"2mbit\"): sets the period\n"
	"  --fps N               with --bitrate: frames per second (1..1000, \"29.97\")\n"
	"  --packet-size N       with --bitrate: datagram size in bytes (default 1200)\n"
	"  --window packets|frames  what --oln/--old count (frames: needs --fps)\n"
	"  --share socket|process   a class per socket (default) or per process\n"
	"  --sched NAME          dwcs (default), htb or dwcs-bpf\n"
	"  --dev DEV             egress device (default: the default route's)\n"
	"  --port N|LO-HI        only sockets with this local or remote port (default: all)\n"
	"  --proto udp|tcp|any   only sockets of this protocol (default: any)\n"
	"  --print-conf          print the rule built from the options and exit\n"
	"  Environment: QSOCK_SHIM (the shim to preload), QSOCK_DEBUG (the shim's log level).\n";

struct run_opts {
	const char *conf;
	const char *ipg, *oln, *old, *limit, *rate, *sched, *dev, *port, *proto;
	const char *bitrate, *fps, *packet_size, *window, *share;
	bool lossless, nondroppable, print_conf;
	bool rule;			/* a rule option was given */
};

/* The device of the IPv4 default route (/proc/net/route), for --dev's default. */
static int default_route_dev(char *dev, size_t len)
{
	char line[256], ifname[64];
	unsigned long dest, flags;
	FILE *f = fopen("/proc/net/route", "re");
	int found = -ENOENT;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%63s %lx %*x %lx", ifname, &dest, &flags) != 3)
			continue;
		if (dest == 0 && (flags & 0x1 /* RTF_UP */)) {
			snprintf(dev, len, "%s", ifname);
			found = 0;
			break;
		}
	}
	fclose(f);
	return found;
}

/* S as the body of a libconfig string: backslash and quote escaped. */
static void put_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

/* A number option as a libconfig integer (validated by the loader), or as a string that the
 * loader will refuse with the option's value in its message. */
static void put_number(FILE *f, const char *v)
{
	const char *p = v;

	while (*p >= '0' && *p <= '9')
		p++;
	if (*v && !*p && p - v < 10)
		fputs(v, f);
	else
		put_string(f, v);
}

/* --fps as a libconfig number when it is one (25, 29.97), else as a string the loader
 * refuses with the value in its message. */
static void put_decimal(FILE *f, const char *v)
{
	const char *p = v;
	int dots = 0;

	for (; *p; p++)
		if (*p == '.')
			dots++;
		else if (*p < '0' || *p > '9')
			break;
	if (*v && !*p && dots <= 1 && v[0] != '.' && p[-1] != '.' && p - v < 16)
		fputs(v, f);
	else
		put_string(f, v);
}

/* One stream rule NAME from the options; PORT_KEY ("local_port") adds --port to its match. */
static void put_rule(FILE *f, const struct run_opts *o, const char *dev, const char *name,
		     const char *port_key)
{
	const char *sched = o->sched ? o->sched : (o->rate && !o->ipg ? "htb" : "dwcs");

	fprintf(f, "  {\n    name = \"%s\";\n    match = {", name);
	if (o->proto) {
		fprintf(f, " protocol = ");
		put_string(f, o->proto);
		fprintf(f, ";");
	}
	if (port_key) {
		fprintf(f, " %s = ", port_key);
		put_number(f, o->port);
		fprintf(f, ";");
	}
	fprintf(f, " };\n    scheduler = ");
	put_string(f, sched);
	fprintf(f, ";\n    dev = ");
	put_string(f, dev);
	fprintf(f, ";\n");
	if (o->ipg) {
		fprintf(f, "    ipg = ");
		put_string(f, o->ipg);
		fprintf(f, ";\n");
	}
	if (o->oln) {
		fprintf(f, "    oln = ");
		put_number(f, o->oln);
		fprintf(f, ";\n");
	}
	if (o->old) {
		fprintf(f, "    old = ");
		put_number(f, o->old);
		fprintf(f, ";\n");
	}
	if (o->limit) {
		fprintf(f, "    limit = ");
		put_number(f, o->limit);
		fprintf(f, ";\n");
	}
	if (o->lossless)
		fprintf(f, "    lossless = true;\n");
	if (o->nondroppable)
		fprintf(f, "    nondroppable = true;\n");
	if (o->rate) {
		fprintf(f, "    rate = ");
		put_string(f, o->rate);
		fprintf(f, ";\n");
	}
	if (o->bitrate) {
		fprintf(f, "    bitrate = ");
		put_string(f, o->bitrate);
		fprintf(f, ";\n");
	}
	if (o->fps) {
		fprintf(f, "    fps = ");
		put_decimal(f, o->fps);
		fprintf(f, ";\n");
	}
	if (o->packet_size) {
		fprintf(f, "    packet_size = ");
		put_number(f, o->packet_size);
		fprintf(f, ";\n");
	}
	if (o->window) {
		fprintf(f, "    window = ");
		put_string(f, o->window);
		fprintf(f, ";\n");
	}
	if (o->share) {
		fprintf(f, "    share = ");
		put_string(f, o->share);
		fprintf(f, ";\n");
	}
	fprintf(f, "  }");
}

/* The rules from the options, as qsock.conf text (malloc'd). With --port, one rule for the
 * local and one for the remote port (a server's and a client's view): a match is the AND of
 * its criteria. */
static char *build_rule(const struct run_opts *o, const char *dev)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return NULL;
	fprintf(f, "# built by qsock run from its options\nstreams = (\n");
	if (o->port) {
		put_rule(f, o, dev, "qsock-run-local", "local_port");
		fprintf(f, ",\n");
		put_rule(f, o, dev, "qsock-run-remote", "remote_port");
	} else {
		put_rule(f, o, dev, "qsock-run", NULL);
	}
	fprintf(f, "\n);\n");
	if (fclose(f)) {
		free(text);
		return NULL;
	}
	return text;
}

/* The option that set KEY of the built rule ("streams[1].match.remote_port" -> "--port"). */
static const char *option_of(const char *key)
{
	static const struct {
		const char *key, *opt;
	} map[] = {
		{ "ipg", "--ipg" },	    { "oln", "--oln" },	    { "old", "--old" },
		{ "limit", "--limit" },	    { "rate", "--rate" },   { "scheduler", "--sched" },
		{ "dev", "--dev" },	    { "lossless", "--lossless" },
		{ "nondroppable", "--nondroppable" },		    { "match.local_port", "--port" },
		{ "bitrate", "--bitrate" }, { "fps", "--fps" },	    { "packet_size", "--packet-size" },
		{ "window", "--window" },   { "share", "--share" },
		{ "match.remote_port", "--port" },		    { "match.protocol", "--proto" },
	};
	const char *dot;

	if (!key || strncmp(key, "streams[", 8))
		return NULL;
	dot = strchr(key, ']');
	if (!dot || dot[1] != '.')
		return NULL;
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(dot + 2, map[i].key))
			return map[i].opt;
	return NULL;
}

/* Validate the built rule; report its errors by option. 0 or the exit status. */
static int check_rule(const struct qsock_cli *cli, const char *text)
{
	struct conf_diag d;
	struct conf c;
	int err, seen = 0;

	conf_diag_init(&d, "qsock run", NULL);
	conf_diag_collect(&d);
	err = conf_load_string(&c, text, "qsock run", &d);
	conf_free(&c);
	if (!err) {
		conf_diag_free(&d);
		return 0;
	}
	for (unsigned int i = 0; i < d.n_list; i++) {
		const struct conf_diag_entry *e = &d.list[i];
		const char *opt = option_of(e->key);
		bool dup = false;

		/* --port's rule is there twice: say each problem once */
		for (unsigned int j = 0; j < i && !dup; j++)
			dup = !strcmp(d.list[j].reason, e->reason) &&
			      option_of(d.list[j].key) == opt;
		if (dup)
			continue;
		if (opt)
			cli_error(cli, EXIT_RUN_FAIL, "%s: %s", opt, e->reason);
		else
			cli_error(cli, EXIT_RUN_FAIL, "%s", e->reason);
		seen++;
	}
	if (!seen)
		cli_error(cli, EXIT_RUN_FAIL, "the rule built from the options is not valid");
	conf_diag_free(&d);
	return EXIT_RUN_FAIL;
}

/* The rule TEXT in a sealed memfd PROG inherits; QSOCK_CONF names it. */
static int conf_in_memfd(const struct qsock_cli *cli, const char *text, char *path, size_t len)
{
	size_t n = strlen(text), off = 0;
	int fd = memfd_create("qsock-run.conf", MFD_ALLOW_SEALING); /* no CLOEXEC: PROG keeps it */

	if (fd < 0)
		return cli_error(cli, EXIT_RUN_FAIL, "memfd_create: %s", strerror(errno));
	while (off < n) {
		ssize_t w = write(fd, text + off, n - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			close(fd);
			return cli_error(cli, EXIT_RUN_FAIL, "memfd: %s", strerror(errno));
		}
		off += (size_t)w;
	}
	/* nobody, PROG included, can change the rules under the shim */
	fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL);
	snprintf(path, len, "/proc/self/fd/%d", fd);
	return 0;
}

/* The shim: $QSOCK_SHIM, else the one built beside this qsock (a build tree), else the
 * installed one. */
static const char *find_shim(char *buf, size_t len)
{
	const char *env = getenv("QSOCK_SHIM");
	char exe[PATH_MAX];
	ssize_t n;

	if (env && *env)
		return env;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		/* build/tools/qsock/qsock -> build/shim/libqsockshim.so */
		snprintf(buf, len, "%s/../../shim/libqsockshim.so", dirname(exe));
		if (!access(buf, R_OK) && realpath(buf, exe)) {
			snprintf(buf, len, "%s", exe);
			return buf;
		}
	}
	return QSOCK_SHIM_PATH;
}

int do_run(const struct qsock_cli *cli_in, int argc, char **argv)
{
	struct qsock_cli run_cli = *cli_in;
	const struct qsock_cli *cli = &run_cli;
	enum { O_IPG = 256, O_OLN, O_OLD, O_LIMIT, O_RATE, O_SCHED, O_DEV, O_PORT, O_PROTO,
	       O_LOSSLESS, O_NONDROP, O_PRINT, O_BITRATE, O_FPS, O_PKT, O_WINDOW, O_SHARE };
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "ipg", required_argument, NULL, O_IPG },
		{ "oln", required_argument, NULL, O_OLN },
		{ "old", required_argument, NULL, O_OLD },
		{ "limit", required_argument, NULL, O_LIMIT },
		{ "rate", required_argument, NULL, O_RATE },
		{ "bitrate", required_argument, NULL, O_BITRATE },
		{ "fps", required_argument, NULL, O_FPS },
		{ "packet-size", required_argument, NULL, O_PKT },
		{ "window", required_argument, NULL, O_WINDOW },
		{ "share", required_argument, NULL, O_SHARE },
		{ "sched", required_argument, NULL, O_SCHED },
		{ "dev", required_argument, NULL, O_DEV },
		{ "port", required_argument, NULL, O_PORT },
		{ "proto", required_argument, NULL, O_PROTO },
		{ "lossless", no_argument, NULL, O_LOSSLESS },
		{ "nondroppable", no_argument, NULL, O_NONDROP },
		{ "print-conf", no_argument, NULL, O_PRINT },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct run_opts o = { 0 };
	char shim_buf[PATH_MAX], conf_path[PATH_MAX], dev[64];
	const char *shim, *preload, **slot = NULL;
	char *env_preload = NULL;
	int opt, err;

	run_cli.usage_status = EXIT_RUN_FAIL; /* 1 and 2 are PROG's to use */
	optind = 1;
	/* '+': PROG's own options are PROG's, even without "--" */
	while ((opt = getopt_long(argc, argv, "+:c:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			o.conf = optarg;
			continue;
		case 'h':
			return cli_help(usage);
		case O_LOSSLESS:
			o.lossless = o.rule = true;
			continue;
		case O_NONDROP:
			o.nondroppable = o.rule = true;
			continue;
		case O_PRINT:
			o.print_conf = true;
			continue;
		case O_IPG: slot = &o.ipg; break;
		case O_OLN: slot = &o.oln; break;
		case O_OLD: slot = &o.old; break;
		case O_LIMIT: slot = &o.limit; break;
		case O_RATE: slot = &o.rate; break;
		case O_BITRATE: slot = &o.bitrate; break;
		case O_FPS: slot = &o.fps; break;
		case O_PKT: slot = &o.packet_size; break;
		case O_WINDOW: slot = &o.window; break;
		case O_SHARE: slot = &o.share; break;
		case O_SCHED: slot = &o.sched; break;
		case O_DEV: slot = &o.dev; break;
		case O_PORT: slot = &o.port; break;
		case O_PROTO: slot = &o.proto; break;
		default:
			return cli_bad_option(cli, usage, opt, argv);
		}
		if (*slot) {
			return cli_usage_error(cli, usage, "%s given twice", argv[optind - 1]);
		}
		*slot = optarg;
		o.rule = true;
	}
	if (optind >= argc && !o.print_conf) {
		return cli_usage_error(cli, usage, "no program to run (qsock run [OPTIONS] -- PROG ARGS)");
	}
	if (o.rule && o.conf) {
		return cli_usage_error(cli, usage, "-c FILE or a rule from options, not both");
	}
	if (o.print_conf && !o.rule) {
		return cli_usage_error(cli, usage,
				       "--print-conf prints a rule built from options; give some");
	}

	if (o.rule) {
		char *text;

		if (!o.ipg && !o.rate && !o.bitrate) {
			return cli_usage_error(cli, usage,
					       "a rule needs --bitrate, --ipg (dwcs) or --rate (htb)");
		}
		if (o.dev && strlen(o.dev) > CONF_DEV_MAX)
			return cli_error(cli, EXIT_RUN_FAIL, "--dev: \"%s\" is longer than %d characters",
					 o.dev, CONF_DEV_MAX);
		if (o.dev) {
			snprintf(dev, sizeof(dev), "%s", o.dev);
		} else if (default_route_dev(dev, sizeof(dev))) {
			return cli_usage_error(cli, usage, "no default route to take the device from: give --dev");
		}
		text = build_rule(&o, dev);
		if (!text)
			return cli_error(cli, EXIT_RUN_FAIL, "out of memory");
		err = check_rule(cli, text);
		if (err || o.print_conf) {
			if (!err)
				fputs(text, stdout);
			free(text);
			return err;
		}
		err = conf_in_memfd(cli, text, conf_path, sizeof(conf_path));
		free(text);
		if (err)
			return err;
	} else {
		const char *file = o.conf ? o.conf : cli->conf_path;
		struct conf_diag d;
		struct conf c;

		/* the shim would run PROG without QoS on a bad file; asked for QoS, we say why */
		conf_diag_init(&d, file, stderr);
		if (conf_load(&c, file, &d))
			return cli_error(cli, EXIT_RUN_FAIL, "%s is not valid (qsock check %s)", file,
					 file);
		conf_free(&c);
		if (!realpath(file, conf_path))
			return cli_error(cli, EXIT_RUN_FAIL, "%s: %s", file, strerror(errno));
	}

	shim = find_shim(shim_buf, sizeof(shim_buf));
	if (access(shim, R_OK))
		return cli_error(cli, EXIT_RUN_FAIL, "the shim %s: %s (QSOCK_SHIM names another)",
				 shim, strerror(errno));
	/* after what is preloaded already (a sanitizer's runtime must stay first) */
	preload = getenv("LD_PRELOAD");
	if (preload && *preload && !strstr(preload, shim)) {
		if (asprintf(&env_preload, "%s:%s", preload, shim) < 0)
			return cli_error(cli, EXIT_RUN_FAIL, "out of memory");
	} else {
		env_preload = strdup(preload && *preload ? preload : shim);
	}
	if (!env_preload || setenv("LD_PRELOAD", env_preload, 1) ||
	    setenv("QSOCK_CONF", conf_path, 1))
		return cli_error(cli, EXIT_RUN_FAIL, "setenv: %s", strerror(errno));
	free(env_preload);
	fflush(stdout);
	execvp(argv[optind], argv + optind);
	err = errno;
	return cli_error(cli, err == ENOENT ? EXIT_NOT_FOUND : EXIT_CANNOT_EXEC, "%s: %s",
			 argv[optind], strerror(err));
}
