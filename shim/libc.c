// SPDX-License-Identifier: GPL-2.0
/*
 * libc.c — bind the real libc functions once.
 *
 * RTLD_NEXT finds the definition after ours in the lookup order (libc, or another
 * interposer preloaded after us, which is what that user asked for). If RTLD_NEXT fails or
 * hands back our own wrapper (we were linked in an unusual order), fall back to libc.so.6
 * itself: a shim that cannot reach libc cannot fail open, so this must not fail. No
 * RTLD_DEEPBIND: it breaks ASan and other interposers. libqsock, linked into the shim, is
 * given the same functions (qsock_sys_use), so that it never calls our wrappers.
 */
#include <dlfcn.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>

#include "../lib/sys.h"
#include "libc.h"

static pthread_once_t bind_once = PTHREAD_ONCE_INIT;

static void *find(const char *name, void *self)
{
	void *fn = dlsym(RTLD_NEXT, name);

	if (!fn || fn == self) {
		void *h = dlopen("libc.so.6", RTLD_LAZY | RTLD_NOLOAD);

		fn = h ? dlsym(h, name) : NULL;
		if (h)
			dlclose(h);
	}
	if (!fn || fn == self) {
		static const char msg[] = "libqsockshim: cannot find libc's functions; aborting\n";

		/* raw syscall: there is no write() to call */
		syscall(SYS_write, 2, msg, sizeof(msg) - 1);
		abort();
	}
	return fn;
}

/* Passing our own wrapper (what the name resolves to inside the shim) lets find() recognise
 * it if dlsym hands it back. */
#define BIND(name) (shim_hot.libc.name = find(#name, (void *)name))

static void bind_all(void)
{
	BIND(socket);
	BIND(bind);
	BIND(connect);
	BIND(listen);
	BIND(accept);
	BIND(accept4);
	BIND(send);
	BIND(sendto);
	BIND(sendmsg);
	BIND(sendmmsg);
	BIND(write);
	BIND(writev);
	BIND(close);
	BIND(setsockopt);
	BIND(close_range);
	BIND(dup);
	BIND(dup2);
	BIND(dup3);
	BIND(fcntl);
	BIND(fcntl64);
	BIND(fork);
	BIND(execve);
	BIND(execvpe);
	BIND(fexecve);
	BIND(posix_spawn);
	BIND(posix_spawnp);
	/* libqsock (linked in) makes these calls through the real functions too, never
	 * through our wrappers: set before any of it can run, since the shim reaches libqsock
	 * only after binding (lib/sys.h) */
	qsock_sys_use(&(const struct qsock_sys){
		.socket = shim_hot.libc.socket,
		.connect = shim_hot.libc.connect,
		.sendto = shim_hot.libc.sendto,
		.sendmsg = shim_hot.libc.sendmsg,
		.close = shim_hot.libc.close,
		.setsockopt = shim_hot.libc.setsockopt,
	});
	atomic_store_explicit(&shim_hot.libc_ready, true, memory_order_release);
}

void shim_libc_bind(void)
{
	pthread_once(&bind_once, bind_all);
}
