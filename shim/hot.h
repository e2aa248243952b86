/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hot.h — what every send reads, on one page: the shim's switches, the fd table's address,
 * the real send functions, and the streams' compiled message rules.
 *
 * Why one page: with page-table isolation and no PCID (KPTI on a CPU or VM that lacks PCID:
 * "pti" and no "pcid" among the /proc/cpuinfo flags, as on the shared EPYC VM we measure on)
 * every system call empties the TLB of user pages, so each distinct page the shim touches
 * after a send costs a page walk, in a VM a two-level one. Measured: a stream's rule program
 * on a heap page of its own cost 1.1 % of a 1,400-byte UDP send; the switches in struct
 * shim_state, another page, about as much (docs/architecture.md, Cost). Elsewhere the page
 * costs nothing: these were read on every send anyway. A send now touches this page, its
 * fd's slot and the hot code (SHIM_HOT).
 */
#ifndef QSOCK_SHIM_HOT_H
#define QSOCK_SHIM_HOT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "libc.h"

#pragma GCC visibility push(hidden)

struct shim_fd;
struct conf_msg_prog;

/* Room for rule programs: a 4-rule program takes 208 bytes, 256 on its own lines: 14 such
 * streams. Later ones keep their program where conf_load() put it (correct, one page dearer). */
#define SHIM_HOT_ARENA 3584

struct shim_hot {
	/* init.c */
	bool active;			/* config loaded and enabled: false = pure pass-through */
	bool dry_run;			/* match and classify, log, but never attach or mark */
	int debug;			/* 0..3 */
	/* fdtable.c */
	struct shim_fd *fd_table;
	unsigned int fd_table_size;
	/* libc.c: the real functions, bound once */
	atomic_bool libc_ready;
	struct shim_libc libc;
	/* hot.c: the rule programs placed here at load */
	size_t arena_used;
	_Alignas(64) unsigned char arena[SHIM_HOT_ARENA];
};

extern struct shim_hot shim_hot;

/* The real functions; binds them first if nobody has yet (one load and a branch). */
static inline const struct shim_libc *libc(void)
{
	if (__builtin_expect(!atomic_load_explicit(&shim_hot.libc_ready, memory_order_acquire), 0))
		shim_libc_bind();
	return &shim_hot.libc;
}

/* A copy of PG on this page, or PG itself when the arena has no room left (or PG is NULL).
 * At load only, before any socket is matched: not thread-safe, never freed. */
const struct conf_msg_prog *shim_hot_place_prog(const struct conf_msg_prog *pg);

#pragma GCC visibility pop

#endif /* QSOCK_SHIM_HOT_H */
