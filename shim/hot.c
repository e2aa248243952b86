// SPDX-License-Identifier: GPL-2.0
/*
 * hot.c — the page every send reads (see hot.h for why it is one page).
 */
#include "hot.h"

#include "../conf/conf.h"

_Static_assert(sizeof(struct shim_hot) <= 4096, "struct shim_hot fits one page");

struct shim_hot shim_hot __attribute__((aligned(4096)));

const struct conf_msg_prog *shim_hot_place_prog(const struct conf_msg_prog *pg)
{
	const struct conf_msg_prog *copy;
	size_t at = shim_hot.arena_used, size;

	if (!pg)
		return NULL;
	copy = conf_msg_prog_copy(shim_hot.arena + at, sizeof(shim_hot.arena) - at, pg, &size);
	if (!copy)
		return pg;
	/* the next program starts on a fresh line: a send reads one program's lines only */
	shim_hot.arena_used = (at + size + 63) & ~(size_t)63;
	return copy;
}
