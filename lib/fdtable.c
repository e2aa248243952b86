// SPDX-License-Identifier: LGPL-2.1-or-later
/* fdtable.c — see fdtable.h. Two levels: 1024 chunk pointers x 1024 entries = 1M fds. */
#include <errno.h>
#include <stdlib.h>

#include "fdtable.h"

#define CHUNK_BITS 10
#define CHUNK_SIZE (1U << CHUNK_BITS)
#define N_CHUNKS 1024U

static struct qsock_fd_state *_Atomic chunks[N_CHUNKS];

struct qsock_fd_state *qsock_fd_get(int fd)
{
	struct qsock_fd_state *c, *s;

	if (fd < 0 || (unsigned int)fd >= CHUNK_SIZE * N_CHUNKS)
		return NULL;
	c = atomic_load_explicit(&chunks[fd >> CHUNK_BITS], memory_order_acquire);
	if (!c)
		return NULL;
	s = &c[fd & (CHUNK_SIZE - 1)];
	return atomic_load_explicit(&s->active, memory_order_acquire) ? s : NULL;
}

struct qsock_fd_state *qsock_fd_slot(int fd, int *rc)
{
	struct qsock_fd_state *c, *expected = NULL;
	unsigned int i;

	if (fd < 0 || (unsigned int)fd >= CHUNK_SIZE * N_CHUNKS) {
		*rc = -EBADF;
		return NULL;
	}
	i = (unsigned int)fd >> CHUNK_BITS;
	c = atomic_load_explicit(&chunks[i], memory_order_acquire);
	if (!c) {
		c = calloc(CHUNK_SIZE, sizeof(*c));
		if (!c) {
			*rc = -ENOMEM;
			return NULL;
		}
		for (unsigned int j = 0; j < CHUNK_SIZE; j++)
			c[j].flags_map_fd = -1;
		if (!atomic_compare_exchange_strong(&chunks[i], &expected, c)) {
			free(c); /* another thread won the race */
			c = expected;
		}
	}
	*rc = 0;
	return &c[fd & (CHUNK_SIZE - 1)];
}

void qsock_fd_foreach(void (*fn)(struct qsock_fd_state *))
{
	for (unsigned int i = 0; i < N_CHUNKS; i++) {
		struct qsock_fd_state *c = atomic_load_explicit(&chunks[i], memory_order_acquire);

		for (unsigned int j = 0; c && j < CHUNK_SIZE; j++)
			fn(&c[j]);
	}
}
