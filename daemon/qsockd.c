// SPDX-License-Identifier: GPL-2.0
/*
 * qsockd — the privileged Q.Sockets manager: lets programs without CAP_NET_ADMIN attach their
 * sockets to QoS streams, under the policy of qsock.conf. See qsockd(8).
 *
 * Start-up order matters for "a daemon crash never stops scheduled traffic": load the policy,
 * install the configured roots (qsock's own root left from before is kept; a root someone
 * else installed is never replaced, and its device is not served), ADOPT what the
 * kernel already has, and only then listen. Shutdown keeps everything scheduled unless the
 * policy says on_exit = "restore".
 */
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stddef.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "linkwatch.h"
#include "log.h"
#include "server.h"

#define QSOCKD_DEFAULT_CONF "/etc/qsock.conf"
#define QSOCKD_LINGER_MS "250"	/* ms; see main() */

struct daemon {
	struct qd_ctx ctx;
	const char *conf;
	int on_exit;		/* -1: from the policy */
	int linkfd;		/* link events (linkwatch.h); -1: none */
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: qsockd [options]\n"
		"  -c, --config FILE        policy from FILE's `policy` group (default %s)\n"
		"  -s, --socket PATH        listen on PATH (default %s)\n"
		"  -m, --socket-mode MODE   octal mode of the socket file (default 0666)\n"
		"  -g, --socket-group GROUP group of the socket file\n"
		"  -l, --log-level LEVEL    err, warn, info (default) or debug\n"
		"  -n, --no-syslog          log to stderr only\n"
		"  -x, --on-exit keep|restore  at shutdown keep scheduling (default) or remove\n"
		"                           the roots qsockd manages (overrides the policy)\n"
		"  -h, --help\n"
		"  -V, --version\n",
		QSOCKD_DEFAULT_CONF, QSOCKD_DEFAULT_SOCKET);
}

/*
 * sd_notify(3) without libsystemd: one datagram to $NOTIFY_SOCKET (a path, or an abstract
 * name when it starts with '@'), for Type=notify. Nothing when not started by systemd.
 */
static void qd_sd_notify(const char *state)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t len;
	int fd;

	if (!path || (path[0] != '/' && path[0] != '@') || strlen(path) >= sizeof(sa.sun_path))
		return;
	len = strlen(path);
	memcpy(sa.sun_path, path, len);
	if (sa.sun_path[0] == '@')
		sa.sun_path[0] = '\0';
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	if (sendto(fd, state, strlen(state), MSG_NOSIGNAL, (struct sockaddr *)&sa,
		   (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len)) < 0)
		qd_warn("sd_notify %s: %s", path, strerror(errno));
	close(fd);
}

static int load_policy(struct daemon *d, bool at_start)
{
	struct conf_diag diag;
	int err;

	/* Keep the first message only: it goes to the log (and syslog) with the verdict; `qsock
	 * check` lists them all. */
	conf_diag_init(&diag, d->conf, NULL);
	err = policy_load(&d->ctx.policy, d->conf, &diag);
	if (err == -ENOENT && at_start) {
		qd_warn("%s: no such file: using the built-in default policy (4 streams, 1 Mbit/s "
			"per uid)", d->conf);
		return 0;
	}
	if (err) {
		char more[320] = "";

		if (diag.errors > 1)
			snprintf(more, sizeof(more), " (and %u more: qsock check %s)", diag.errors - 1,
				 d->conf);
		if (diag.first[0])
			qd_err("%s%s; %s", diag.first, more,
			       at_start ? "not starting" : "keeping the previous policy");
		else
			qd_err("%s: %s; %s", d->conf, strerror(-err),
			       at_start ? "not starting" : "keeping the previous policy");
		return err;
	}
	qd_info("policy loaded from %s: %u rules, %u devices to set up", d->conf,
		d->ctx.policy.n_rules, d->ctx.policy.n_setup);
	return 0;
}

/* Install one of the policy's roots; 0 when the device is served. */
static int setup_one(struct daemon *d, const struct policy_setup *s)
{
	struct qsockd_params p = { .root_rate = s->rate_bps / 8 };
	char msg[QSOCKD_MSG_LEN] = "", other[QSOCKD_MSG_LEN];
	struct qsockd_device dev;
	int err;

	/* the policy loader checked both names' lengths; the bound only tells the compiler */
	snprintf(p.dev, sizeof(p.dev), "%.*s", (int)sizeof(p.dev) - 1, s->device);
	snprintf(p.sched, sizeof(p.sched), "%.*s", (int)sizeof(p.sched) - 1, s->scheduler);
	/* A root qsock installed before (a restarted qsockd) is adopted by the library: that
	 * is success. Anything else is the library's message, and the device is not served: a
	 * root someone else installed has no classifier and no pins, and qsock does not take
	 * over what it cannot remove or reconfigure. */
	err = d->ctx.be->init_root(&p, msg, sizeof(msg));
	if (!err) {
		qd_info("setup %s: %s root in place", s->device, s->scheduler);
		return 0;
	}
	if (err == -EEXIST && d->ctx.be->device &&
	    !d->ctx.be->device(s->device, &dev, other, sizeof(other)) && dev.sched[0] &&
	    dev.classifier) {
		qd_warn("setup %s %s: %s; it serves %s streams", s->device, s->scheduler,
			msg[0] ? msg : strerror(-err), dev.sched);
		return 0;
	}
	qd_err("setup %s %s: %s; %s is not served%s", s->device, s->scheduler,
	       msg[0] ? msg : strerror(-err), s->device,
	       err == -ENODEV ? " until it appears" : "");
	return err;
}

/* Install the policy's roots; returns how many devices are not served. */
static unsigned int setup_devices(struct daemon *d)
{
	unsigned int n_failed = 0;

	for (unsigned int i = 0; i < d->ctx.policy.n_setup; i++)
		if (setup_one(d, &d->ctx.policy.setup[i]))
			n_failed++;
	return n_failed;
}

/*
 * A device appeared or changed (@ifname; NULL: link events were lost, look at all): a device
 * the policy sets up gets its root when it has none of qsock's, which is a device created
 * after qsockd started, or deleted and created again (its root went with it). A device
 * already served is left alone, so link flaps cost one status query each.
 */
static void on_link_event(const char *ifname, void *arg)
{
	struct daemon *d = arg;

	for (unsigned int i = 0; i < d->ctx.policy.n_setup; i++) {
		const struct policy_setup *s = &d->ctx.policy.setup[i];
		char msg[QSOCKD_MSG_LEN];
		struct qsockd_device dev;

		if (ifname && strcmp(ifname, s->device))
			continue;
		if (d->ctx.be->device && (d->ctx.be->device(s->device, &dev, msg, sizeof(msg)) ||
					  (dev.sched[0] && dev.classifier)))
			continue; /* gone again, or served */
		qd_info("device %s appeared: applying its setup", s->device);
		setup_one(d, s);
	}
}

static void on_link(void *arg)
{
	struct daemon *d = arg;
	int err = qd_linkwatch_read(d->linkfd, on_link_event, d);

	if (err) {
		qd_warn("link events: %s; devices that appear from now on are not set up",
			strerror(-err));
		close(d->linkfd);
		d->linkfd = -1;
	}
}

static void restore_devices(struct daemon *d)
{
	char msg[QSOCKD_MSG_LEN];

	for (unsigned int i = 0; i < d->ctx.policy.n_setup; i++) {
		const char *dev = d->ctx.policy.setup[i].device;
		int err = d->ctx.be->fini_root(dev, msg, sizeof(msg));

		if (err == -ENOENT)
			qd_info("restore %s: no root of qsock's there: nothing removed", dev);
		else if (err)
			qd_warn("restore %s: %s", dev, msg);
		else
			qd_info("restored %s", dev);
	}
	/* Streams on devices qsockd did not set up: remove the streams, leave the roots. */
	while (d->ctx.streams.n) {
		struct qd_stream *s = &d->ctx.streams.v[d->ctx.streams.n - 1];

		if (s->fd >= 0)
			d->ctx.be->detach(s->fd, s->st.params.dev, msg, sizeof(msg));
		qd_streams_remove(&d->ctx.streams, s);
	}
}

static const struct policy_setup *setup_of(const struct policy_setup *v, unsigned int n,
					   const char *device)
{
	for (unsigned int i = 0; i < n; i++)
		if (!strcmp(v[i].device, device))
			return &v[i];
	return NULL;
}

/*
 * SIGHUP loaded a new policy: apply its setup against the previous one's (@old). A device
 * not served gets its root now (a new entry, or one that failed before). A served device
 * whose entry changed keeps its running root: replacing it would remove every stream on it,
 * so the log says how to apply the change (qsock fini, then SIGHUP). A device dropped from
 * the setup keeps its root and streams too, said in the log; from then on it is no longer
 * qsockd's: neither the link watcher nor on_exit = "restore" touches it.
 */
static void reload_setup(struct daemon *d, const struct policy_setup *old, unsigned int n_old)
{
	const struct policy *p = &d->ctx.policy;

	for (unsigned int i = 0; i < n_old; i++)
		if (!setup_of(p->setup, p->n_setup, old[i].device))
			qd_info("setup %s: no longer in the policy's setup: its root and streams are "
				"kept (qsock fini %s removes them)", old[i].device, old[i].device);
	for (unsigned int i = 0; i < p->n_setup; i++) {
		const struct policy_setup *s = &p->setup[i];
		const struct policy_setup *o = setup_of(old, n_old, s->device);
		char msg[QSOCKD_MSG_LEN];
		struct qsockd_device dev;
		bool served;

		served = d->ctx.be->device &&
			 !d->ctx.be->device(s->device, &dev, msg, sizeof(msg)) && dev.sched[0] &&
			 dev.classifier;
		if (served && o && !strcmp(o->scheduler, s->scheduler) &&
		    o->rate_bps == s->rate_bps)
			continue; /* unchanged and served */
		if (served && o && strcmp(dev.sched, s->scheduler)) {
			qd_warn("setup %s: the policy now says %s, the device runs qsock's %s root: "
				"kept with its streams (qsock fini %s, then SIGHUP, applies %s)",
				s->device, s->scheduler, dev.sched, s->device, s->scheduler);
			continue;
		}
		if (served && o && o->rate_bps != s->rate_bps) {
			qd_warn("setup %s: the new rate is not applied: the running %s root keeps "
				"its own (qsock fini %s, then SIGHUP, applies it)",
				s->device, dev.sched, s->device);
			continue;
		}
		qd_info("SIGHUP: applying the setup of %s", s->device);
		setup_one(d, s);
	}
}

static int on_signal(int signo, void *arg)
{
	struct daemon *d = arg;

	if (signo == SIGHUP) {
		struct policy_setup old[POLICY_MAX_SETUP];
		unsigned int n_old = d->ctx.policy.n_setup;

		qd_info("SIGHUP: reloading %s", d->conf);
		qd_sd_notify("RELOADING=1");
		memcpy(old, d->ctx.policy.setup, n_old * sizeof(old[0]));
		if (!load_policy(d, false))
			reload_setup(d, old, n_old);
		qd_sd_notify("READY=1");
		return 0;
	}
	qd_info("%s: shutting down", strsignal(signo));
	qd_sd_notify("STOPPING=1");
	return 1;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "socket", required_argument, NULL, 's' },
		{ "socket-mode", required_argument, NULL, 'm' },
		{ "socket-group", required_argument, NULL, 'g' },
		{ "log-level", required_argument, NULL, 'l' },
		{ "no-syslog", no_argument, NULL, 'n' },
		{ "on-exit", required_argument, NULL, 'x' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	struct daemon d = { .conf = QSOCKD_DEFAULT_CONF, .on_exit = -1, .linkfd = -1 };
	struct qd_serve_hooks hooks = { .on_signal = on_signal, .on_link = on_link, .arg = &d };
	struct qd_listen_cfg lc = { .path = QSOCKD_DEFAULT_SOCKET, .mode = 0666, .gid = (gid_t)-1 };
	int level = QD_INFO, use_syslog = 1, opt, lfd, sigfd, err, adopted;
	unsigned int not_served;
	sigset_t sigs;
	char *end;

	/* A removed stream's class lingers until its queue has drained (lib/linger.c), in the
	 * thread that removes it: here the one that serves every client. So the daemon's bound
	 * is short, QSOCKD_LINGER_MS, unless its environment sets QSOCK_LINGER_MS: one client's
	 * detach of a deep queue delays the others by at most that. */
	setenv("QSOCK_LINGER_MS", QSOCKD_LINGER_MS, 0);
	while ((opt = getopt_long(argc, argv, "c:s:m:g:l:nx:hV", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			d.conf = optarg;
			break;
		case 's':
			lc.path = optarg;
			break;
		case 'm':
			lc.mode = (mode_t)strtoul(optarg, &end, 8);
			if (*end || !*optarg || lc.mode > 0777) {
				fprintf(stderr, "qsockd: --socket-mode %s: not an octal mode\n",
					optarg);
				return 2;
			}
			break;
		case 'g': {
			struct group *gr = getgrnam(optarg);

			if (!gr) {
				fprintf(stderr, "qsockd: --socket-group %s: no such group\n",
					optarg);
				return 2;
			}
			lc.gid = gr->gr_gid;
			break;
		}
		case 'l':
			level = qd_log_level_parse(optarg);
			if (level < 0) {
				fprintf(stderr,
					"qsockd: --log-level %s: use err, warn, info or debug\n",
					optarg);
				return 2;
			}
			break;
		case 'n':
			use_syslog = 0;
			break;
		case 'x':
			if (!strcmp(optarg, "keep")) {
				d.on_exit = POLICY_EXIT_KEEP;
			} else if (!strcmp(optarg, "restore")) {
				d.on_exit = POLICY_EXIT_RESTORE;
			} else {
				fprintf(stderr, "qsockd: --on-exit %s: use keep or restore\n",
					optarg);
				return 2;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("qsockd %s\n", QSOCK_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "qsockd: unexpected argument %s\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	qd_log_setup((enum qd_log_level)level, use_syslog);
	policy_init_default(&d.ctx.policy);
	d.ctx.be = qd_backend;
	if (load_policy(&d, true))
		return 1;

	sigemptyset(&sigs);
	sigaddset(&sigs, SIGHUP);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigprocmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);
	sigfd = signalfd(-1, &sigs, SFD_NONBLOCK | SFD_CLOEXEC);
	if (sigfd < 0) {
		qd_err("signalfd: %s", strerror(errno));
		return 1;
	}

	/* Watching link events before the setup: a device created in between is not missed. */
	d.linkfd = qd_linkwatch_open();
	if (d.linkfd < 0)
		qd_warn("link events: %s; the policy's devices are set up only now, at start",
			strerror(-d.linkfd));
	not_served = setup_devices(&d);
	adopted = qd_ops_adopt(&d.ctx);
	if (adopted > 0)
		qd_info("adopted %d streams the kernel already had", adopted);
	lc.create_dir = !strcmp(lc.path, QSOCKD_DEFAULT_SOCKET);
	lfd = qd_listen(&lc);
	if (lfd < 0)
		return 1;
	qd_info("listening on %s (backend %s)", lc.path, d.ctx.be->name);
	if (not_served) {
		char state[96];

		snprintf(state, sizeof(state),
			 "READY=1\nSTATUS=listening; %u of the policy's devices not served (see the log)",
			 not_served);
		qd_sd_notify(state);
	} else {
		qd_sd_notify("READY=1\nSTATUS=listening");
	}
	hooks.sigfd = sigfd;
	hooks.linkfd = d.linkfd;
	err = qd_serve(lfd, &d.ctx, &hooks);
	if (d.linkfd >= 0)
		close(d.linkfd);
	close(lfd);
	unlink(lc.path);
	if ((d.on_exit < 0 ? (int)d.ctx.policy.on_exit : d.on_exit) == POLICY_EXIT_RESTORE)
		restore_devices(&d);
	else if (d.ctx.streams.n)
		qd_info("keeping %u streams scheduled; a restarted qsockd adopts them",
			d.ctx.streams.n);
	qd_streams_free(&d.ctx.streams);
	policy_free(&d.ctx.policy);
	return err ? 1 : 0;
}
