/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fdtable.h — what the shim knows about each fd number, read lock-free on every send.
 *
 * One 64-byte slot per fd number below the table size (shim.max_fds, at most RLIMIT_NOFILE),
 * in one anonymous mapping made by the constructor: untouched slots cost no memory, nothing
 * is freed while the process runs (so a racing reader never touches freed memory), and a
 * fork copies only the pages the parent touched. Fds at or above the size are passed
 * through untouched (one warning).
 *
 * Each slot's state moves with single atomic stores (or one compare-and-swap, to claim a
 * socket for matching), so senders never lock. Stale state is the risk of any fd table:
 * every fd-creating call we see resets the slot, close() resets it before closing, and an
 * fd we never saw created starts UNKNOWN and is probed once (getsockopt) on its first send.
 */
#ifndef QSOCK_SHIM_FDTABLE_H
#define QSOCK_SHIM_FDTABLE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "hot.h"

#pragma GCC visibility push(hidden)

/* The two states a send must still decide come first, so that a send tells them from the
 * others by one compare (send.c, sending_fast). */
enum shim_fd_state {
	SHIM_FD_UNKNOWN = 0,	/* never seen created: probe on first send */
	SHIM_FD_PENDING,	/* a TCP/UDP socket not matched yet */
	SHIM_FD_FOREIGN,	/* not a TCP/UDP socket, or a listener: never ours */
	SHIM_FD_BUSY,		/* one thread is matching it right now */
	SHIM_FD_NOMATCH,	/* no stream rule matched: left alone for good */
	SHIM_FD_MATCHED,	/* has a stream; its messages are classified */
	SHIM_FD_FAILED,		/* matched, but attach failed: left alone (fail open) */
};

struct conf_msg_prog;

/*
 * What a send on a matched socket needs is all here, so that it reads one line of the table
 * and then the rule program, not shim.conf's stream array (a 14 KiB stride: a line and often
 * a TLB entry of its own per send). 32 bytes of fields in a 64-byte slot, one cache line an
 * fd: a numbered send writes its slot (seq, frame), and with two slots a line, threads sending
 * on neighbouring fds (each its own socket, as a server's workers do) took the line from each
 * other's core on every send. Cost: the table's pages fill at 64 fds a page, not 128.
 */
struct shim_fd {
	_Atomic uint8_t state;		/* enum shim_fd_state */
	uint8_t proto;			/* enum conf_proto */
	uint16_t stream;		/* index into shim.conf.streams when MATCHED */
	bool numbered;			/* its messages are numbered (send.c, numbered()) */
	uint8_t reserved[3];
	_Atomic uint64_t seq;		/* messages sent so far (for `every`) */
	/* the stream's compiled message rules when its messages are classified (a UDP
	 * socket of a stream with message rules), else NULL */
	const struct conf_msg_prog *prog;
	/* struct conf_frame: the MPEG frame its datagrams are in (conf/frames.c), when its
	 * program has a frame preset; one word so that a send loads and stores it whole */
	_Atomic uint64_t frame;
} __attribute__((aligned(64)));

/* Allocate the table: 0 or -errno. Before that, every fd is out of range. */
int shim_fdtable_init(unsigned int size);

/* The table itself is shim_hot.fd_table (hot.h), read inline on every send. */

/* The slot of FD, or NULL when FD is negative or beyond the table. */
static inline struct shim_fd *shim_fd_slot(int fd)
{
	if ((unsigned int)fd >= shim_hot.fd_table_size) /* negative fds wrap around too */
		return NULL;
	return &shim_hot.fd_table[fd];
}

/* The slot of FD when a caller has already had it from shim_fd_slot() (the table is set once
 * at load and never shrinks): the send path's second look-up, in the function a send went on
 * to, without the bounds test (2 instructions a matched send). */
static inline struct shim_fd *shim_fd_slot_found(int fd)
{
	return &shim_hot.fd_table[(unsigned int)fd];
}

static inline unsigned int shim_fdtable_size(void)
{
	return shim_hot.fd_table_size;
}

static inline uint8_t shim_fd_state(const struct shim_fd *f)
{
	return atomic_load_explicit(&f->state, memory_order_acquire);
}

/* Forget what FD was (it was closed, or reused behind our back). */
void shim_fd_reset(int fd);
/* FD is a new socket / a new duplicate of OLDFD. */
void shim_fd_set(int fd, enum shim_fd_state state, uint8_t proto);
void shim_fd_copy(int newfd, int oldfd);
/* F (being matched, state BUSY) belongs to stream INDEX: its rule program PROG (NULL: its
 * messages are not classified) and whether they are NUMBERED. Written before the state
 * that publishes them. */
void shim_fd_set_stream(struct shim_fd *f, uint16_t index, const struct conf_msg_prog *prog,
			bool numbered);

#pragma GCC visibility pop

#endif /* QSOCK_SHIM_FDTABLE_H */
