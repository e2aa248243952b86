/* SPDX-License-Identifier: (LGPL-2.1-or-later OR BSD-2-Clause) */
/*
 * qsock_slots.bpf.h — send slots as BPF programs see them (the slot itself is qsock_cls.h's):
 * the shape of every socket's slot map, the map from a socket cookie to its slot map, and
 * the read of one message's slot while its sender has it SET. Included by both readers: the
 * classifier (qsock_cls.bpf.c, map `slots`) under a classful root and the BPF qdisc
 * (dwcs_qdisc.bpf.c, map `dwcs_slots`) under its own classless one.
 */
#ifndef QSOCK_SLOTS_BPF_H
#define QSOCK_SLOTS_BPF_H

#include "bpf/qsock_cls.h"

/* The shape every socket's slot map has; the manager creates one per socket (lib/cls_slots.c). */
struct qsock_slot_map {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(struct qsock_cls_slot));
};

/* QSOCK_SLOTS_MAP(name): socket cookie -> that socket's slot map, entered by the manager. */
#define QSOCK_SLOTS_MAP(name)                                      \
	struct {                                                   \
		__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);           \
		__uint(max_entries, QSOCK_CLS_MAX_STREAMS);        \
		__type(key, __u64);                                \
		__array(values, struct qsock_slot_map);            \
	} name SEC(".maps")

/* The slot in @slots (a QSOCK_SLOTS_MAP) of the socket @cookie, while its sender has it SET
 * for the message now being sent; NULL when it has none, or none set. */
static __always_inline struct qsock_cls_slot *qsock_slot_set(void *slots, __u64 cookie)
{
	struct qsock_cls_slot *sl;
	__u32 zero = 0;
	void *map;

	map = bpf_map_lookup_elem(slots, &cookie);
	if (!map)
		return NULL;
	sl = bpf_map_lookup_elem(map, &zero);
	if (!sl || *(volatile __u32 *)&sl->state != QSOCK_SLOT_SET)
		return NULL;
	return sl;
}

#endif /* QSOCK_SLOTS_BPF_H */
