// SPDX-License-Identifier: GPL-2.0
/*
 * fdtable.c — the shim's fd-indexed table (see fdtable.h for the invariants).
 */
#include <errno.h>
#include <stddef.h>
#include <sys/mman.h>

#include "fdtable.h"
#include "shim.h"

int shim_fdtable_init(unsigned int size)
{
	void *p = mmap(NULL, (size_t)size * sizeof(struct shim_fd), PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (p == MAP_FAILED)
		return -errno;
	shim_hot.fd_table = p;
	shim_hot.fd_table_size = size;
	return 0;
}

void shim_fd_reset(int fd)
{
	struct shim_fd *f = shim_fd_slot(fd);

	if (f)
		atomic_store_explicit(&f->state, SHIM_FD_UNKNOWN, memory_order_release);
}

void shim_fd_set(int fd, enum shim_fd_state state, uint8_t proto)
{
	struct shim_fd *f = shim_fd_slot(fd);

	if (!f) {
		if (fd >= 0 && shim_hot.fd_table_size && shim_hot.active)
			shim_warn_once("fd %d is beyond the fd table (shim.max_fds = %u): its socket gets no QoS",
				       fd, shim_hot.fd_table_size);
		return;
	}
	/* the fields first, the state last: a reader that sees the state sees them */
	f->proto = proto;
	f->stream = 0;
	f->numbered = false;
	f->prog = NULL;
	atomic_store_explicit(&f->seq, 0, memory_order_relaxed);
	atomic_store_explicit(&f->frame, 0, memory_order_relaxed);
	atomic_store_explicit(&f->state, (uint8_t)state, memory_order_release);
}

void shim_fd_copy(int newfd, int oldfd)
{
	struct shim_fd *from = shim_fd_slot(oldfd), *to = shim_fd_slot(newfd);
	uint8_t state;

	if (!to)
		return;
	if (!from) {
		atomic_store_explicit(&to->state, SHIM_FD_UNKNOWN, memory_order_release);
		return;
	}
	state = shim_fd_state(from);
	if (state == SHIM_FD_BUSY) /* being matched right now: let the copy match on its own */
		state = SHIM_FD_PENDING;
	to->proto = from->proto;
	to->stream = from->stream;
	to->numbered = from->numbered;
	to->prog = from->prog;
	atomic_store_explicit(&to->seq, 0, memory_order_relaxed);
	atomic_store_explicit(&to->frame, 0, memory_order_relaxed);
	atomic_store_explicit(&to->state, state, memory_order_release);
}

void shim_fd_set_stream(struct shim_fd *f, uint16_t index, const struct conf_msg_prog *prog,
			bool numbered)
{
	f->stream = index;
	f->prog = prog;
	f->numbered = numbered;
}
