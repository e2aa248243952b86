// SPDX-License-Identifier: GPL-2.0
/*
 * init.c — the constructor: bind libc, read the environment and the config, learn who we
 * are, allocate the fd table. Everything the shim will ever read from the environment is
 * read here, because programs replace `environ` later (nginx workers keep only TZ).
 *
 * No thread is started and no socket is opened here. secure_getenv(): in a set-user-ID or
 * file-capability program the environment is the caller's, not the owner's, so QSOCK_CONF,
 * QSOCK_DEBUG and QSOCK_DRY_RUN are ignored there and only /etc/qsock.conf counts.
 *
 * Any failure leaves shim_hot.active false: every wrapper then goes straight to libc.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>

#include "fdtable.h"
#include "libc.h"
#include "shim.h"

struct shim_state shim = { .comm = "?" };

static void read_small_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	buf[0] = '\0';
	if (fd < 0)
		return;
	n = read(fd, buf, len - 1);
	libc()->close(fd);
	if (n <= 0)
		return;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
}

static void learn_process(int argc, char **argv)
{
	ssize_t n;

	read_small_file("/proc/self/comm", shim.comm, sizeof(shim.comm));
	n = readlink("/proc/self/exe", shim.exe, sizeof(shim.exe) - 1);
	shim.exe[n > 0 ? n : 0] = '\0';
	if (argc > 0 && argv && argv[0])
		snprintf(shim.argv0, sizeof(shim.argv0), "%s", argv[0]);
	shim.proc.comm = shim.comm;
	shim.proc.exe = shim.exe;
	shim.proc.argv0 = shim.argv0;
	shim.proc.uid = getuid();
}

/* The cgroup v2 path, for rules with `unit` or `cgroup` (read only when one has them). A
 * process moved to another cgroup later keeps what it was started in (so does its fork
 * child; an exec reads it again). */
static void learn_cgroup(void)
{
	int fd = open("/proc/self/cgroup", O_RDONLY | O_CLOEXEC);
	char text[4096];
	ssize_t n;

	if (fd < 0)
		return;
	n = read(fd, text, sizeof(text) - 1); /* one read: /proc gives the whole (small) file */
	libc()->close(fd);
	text[n > 0 ? n : 0] = '\0';
	if (!conf_cgroup_from_proc(text, shim.cgroup, sizeof(shim.cgroup)))
		shim.proc.cgroup = shim.cgroup;
}

/* What exec*() must give back to children that lose it. */
static void remember_env(const char *conf_env, const char *debug_env, const char *dry_env)
{
	const char *preload = getenv("LD_PRELOAD"); /* ld.so read it too: no secure_ variant */
	Dl_info info;

	if (dladdr((void *)shim_init, &info) && info.dli_fname)
		snprintf(shim.self_path, sizeof(shim.self_path), "%s", info.dli_fname);
	if (preload && *preload)
		snprintf(shim.env_preload, sizeof(shim.env_preload), "LD_PRELOAD=%s", preload);
	else if (shim.self_path[0])
		snprintf(shim.env_preload, sizeof(shim.env_preload), "LD_PRELOAD=%s", shim.self_path);
	if (conf_env)
		snprintf(shim.env_conf, sizeof(shim.env_conf), "QSOCK_CONF=%s", conf_env);
	if (debug_env)
		snprintf(shim.env_debug, sizeof(shim.env_debug), "QSOCK_DEBUG=%s", debug_env);
	if (dry_env)
		snprintf(shim.env_dry_run, sizeof(shim.env_dry_run), "QSOCK_DRY_RUN=%s", dry_env);
}

static unsigned int table_size(unsigned int max_fds)
{
	struct rlimit rl;

	/* No fd can be at or above the hard limit; a soft limit can be raised later. */
	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_max != RLIM_INFINITY &&
	    rl.rlim_max < max_fds)
		return (unsigned int)rl.rlim_max;
	return max_fds;
}

void shim_init(int argc, char **argv)
{
	const char *conf_env = secure_getenv("QSOCK_CONF");
	const char *debug_env = secure_getenv("QSOCK_DEBUG");
	const char *dry_env = secure_getenv("QSOCK_DRY_RUN");
	const char *path = conf_env && *conf_env ? conf_env : CONF_DEFAULT_PATH;
	struct conf_diag d;
	int err;

	shim_libc_bind();
	shim.loaded_pid = getpid();
	learn_process(argc, argv);
	if (debug_env && *debug_env >= '0' && *debug_env <= '3' && !debug_env[1])
		shim_hot.debug = *debug_env - '0';
	remember_env(conf_env, debug_env, dry_env);
	shim.exec_keep_env = true;

	conf_diag_init(&d, path, NULL);
	err = conf_load(&shim.conf, path, &d);
	if (err) {
		shim_warn_once("%s; running without QoS", d.first);
		return;
	}
	if (shim.conf.needs_cgroup)
		learn_cgroup();
	for (unsigned int i = 0; i < shim.conf.n_streams; i++)
		shim.placed_prog[i] = shim_hot_place_prog(shim.conf.streams[i].prog);
	if (!debug_env)
		shim_hot.debug = shim.conf.shim.debug;
	shim.exec_keep_env = shim.conf.shim.exec_keep_env;
	shim_hot.dry_run = (dry_env && !strcmp(dry_env, "1"));
	if (!shim.conf.shim.enabled) {
		shim_log(1, "%s: shim.enabled = false: passing everything through", path);
		return;
	}
	err = shim_fdtable_init(table_size(shim.conf.shim.max_fds));
	if (err) {
		shim_warn_once("cannot allocate the fd table: %s; running without QoS",
			       strerror(-err));
		return;
	}
	shim_hot.active = true;
	shim_log(2, "loaded %s: %u stream rule(s), fd table %u%s", path, shim.conf.n_streams,
		 shim_fdtable_size(), shim_hot.dry_run ? ", dry run" : "");
}

/* glibc passes argc/argv to ELF constructors; argv[0] is the name the program was run as. */
__attribute__((constructor)) static void shim_constructor(int argc, char **argv)
{
	int saved = errno;

	shim_init(argc, argv);
	errno = saved;
}
