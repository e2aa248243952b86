// SPDX-License-Identifier: GPL-2.0
/*
 * exec.c — exec*() and posix_spawn*() keep the shim for the new image. Programs that rebuild their environment
 * (nginx workers keep only TZ) would otherwise drop LD_PRELOAD and QSOCK_CONF, and the new
 * image would run without QoS. onload does the same (citp_environ_check_preload).
 *
 * When shim.exec_keep_env is true (the default) and the new environment lacks them, the
 * values this process started with are put back: LD_PRELOAD gains our library in front of
 * whatever the program set, QSOCK_CONF/QSOCK_DEBUG/QSOCK_DRY_RUN are added if missing. The
 * new environment is built on the stack (this may run in a vfork child, where allocating
 * is unsafe); if it is implausibly large it is passed through unchanged.
 */
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "libc.h"
#include "shim.h"

#define SHIM_ENV_MAX 8192 /* pointers; 64 KiB of stack at most */

static bool has_var(char *const envp[], const char *assignment, char *const **where)
{
	size_t n = strcspn(assignment, "=") + 1;
	char *const *e;

	for (e = envp; e && *e; e++)
		if (!strncmp(*e, assignment, n)) {
			if (where)
				*where = e;
			return true;
		}
	return false;
}

static size_t env_count(char *const envp[])
{
	size_t n = 0;

	while (envp && envp[n])
		n++;
	return n;
}

/* shim.h */
char *const *shim_keep_env(char *const envp[], char **out, char *preload_buf, size_t buf_len)
{
	const char *extra[3] = { shim.env_conf, shim.env_debug, shim.env_dry_run };
	char *const *pre = NULL;
	size_t n = env_count(envp), i, k;
	bool changed = false;

	memcpy(out, envp, n * sizeof(*out));
	k = n;
	if (shim.env_preload[0]) {
		if (!has_var(envp, "LD_PRELOAD=", &pre)) {
			out[k++] = shim.env_preload;
			changed = true;
		} else if (shim.self_path[0] && !strstr(*pre, "libqsockshim")) {
			snprintf(preload_buf, buf_len, "LD_PRELOAD=%s:%s", shim.self_path,
				 *pre + strlen("LD_PRELOAD="));
			out[pre - envp] = preload_buf;
			changed = true;
		}
	}
	for (i = 0; i < 3; i++)
		if (extra[i][0] && !has_var(envp, extra[i], NULL)) {
			out[k++] = (char *)extra[i];
			changed = true;
		}
	out[k] = NULL;
	return changed ? out : envp;
}

#define WITH_ENV(envp, call)                                                                 \
	do {                                                                                 \
		size_t n_ = env_count(envp);                                                 \
		if (!shim.exec_keep_env || n_ > SHIM_ENV_MAX)                                \
			return call(envp);                                                   \
		{                                                                            \
			char *out_[n_ + 5];                                                  \
			char pre_[sizeof(shim.self_path) + 4096];                            \
			return call(shim_keep_env(envp, out_, pre_, sizeof(pre_)));          \
		}                                                                            \
	} while (0)

int shim_execve(const char *path, char *const argv[], char *const envp[])
{
#define CALL(e) libc()->execve(path, argv, e)
	WITH_ENV(envp, CALL);
#undef CALL
}

int shim_execvpe(const char *file, char *const argv[], char *const envp[])
{
#define CALL(e) libc()->execvpe(file, argv, e)
	WITH_ENV(envp, CALL);
#undef CALL
}

int shim_fexecve(int fd, char *const argv[], char *const envp[])
{
#define CALL(e) libc()->fexecve(fd, argv, e)
	WITH_ENV(envp, CALL);
#undef CALL
}

int shim_execv(const char *path, char *const argv[])
{
	return shim_execve(path, argv, environ);
}

int shim_execvp(const char *file, char *const argv[])
{
	return shim_execvpe(file, argv, environ);
}

/*
 * posix_spawn/posix_spawnp: glibc's child execs through an internal call the shim cannot see,
 * so the environment is kept here, in the parent, which is suspended until the child has
 * exec'd (CLONE_VFORK): the array on our stack outlives its use. system() and popen() spawn
 * through glibc's internal posix_spawn with the program's own environ: not interposed, and
 * that environ still holds what the program was started with unless it removed it.
 */
int shim_posix_spawn(pid_t *pid, const char *path, const posix_spawn_file_actions_t *fa,
		     const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
#define CALL(e) libc()->posix_spawn(pid, path, fa, attr, argv, e)
	WITH_ENV(envp, CALL);
#undef CALL
}

int shim_posix_spawnp(pid_t *pid, const char *file, const posix_spawn_file_actions_t *fa,
		      const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
#define CALL(e) libc()->posix_spawnp(pid, file, fa, attr, argv, e)
	WITH_ENV(envp, CALL);
#undef CALL
}
