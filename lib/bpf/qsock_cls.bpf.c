// SPDX-License-Identifier: (LGPL-2.1-or-later OR BSD-2-Clause)
/*
 * qsock_cls.bpf.c — the Q.Sockets socket classifier: a cls_bpf program in direct-action mode
 * on the qsock root qdisc (dwcs or htb).
 *
 *  - class: the sending socket's cookie is looked up in the `streams` map (written only by
 *    the manager); a hit writes the class's minor into skb->tc_classid and returns
 *    TC_ACT_OK. skb->tc_classid is only 16 bits wide (struct qdisc_skb_cb), so the major comes
 *    from the filter's TCA_BPF_CLASSID, which the manager sets to the root's handle: cls_bpf
 *    returns TC_H_MAJ(TCA_BPF_CLASSID) | tc_classid. A miss returns TC_ACT_UNSPEC: the
 *    packet stays best effort (or goes to a later filter).
 *  - flags: for senders without CAP_NET_RAW/ADMIN the per-message flags travel in a per-socket
 *    flags word (the SK_STORAGE map `flags`, which a process can only reach through its own
 *    socket fds). The word is masked with what the manager allowed this stream and copied into
 *    the qdisc's skb->mark field. Privileged senders put the field in skb->mark themselves
 *    (SO_MARK cmsg) and their records say so (QSOCK_CLS_TRUST_MARK).
 *  - slot: before both, a socket with a send slot (qsock_cls.h) whose state is SET carries
 *    this message's deadline and flags there: the deadline goes into skb->tstamp (CLOCK_
 *    MONOTONIC, what SCM_TXTIME would have set) and the flags, masked
 *    like the flags word's (or not at all for a trusted owner), into the mark field. This
 *    holds only while the packet is classified in the sender's own system call, which is
 *    the case for datagrams (a packet held back for neighbour resolution is not).
 * Cost: three hash lookups, one array lookup and one socket-storage lookup per packet of an
 * attached socket.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

#include "bpf/qsock_cls.h"
#include "bpf/qsock_slots.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, QSOCK_CLS_MAX_STREAMS);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u64);
	__type(value, struct qsock_cls_stream);
} streams SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct qsock_cls_flags);
} flags SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct qsock_cls_conf);
} conf SEC(".maps");

QSOCK_SLOTS_MAP(slots);

static __always_inline void set_field(struct __sk_buff *skb, const struct qsock_cls_conf *c,
				      __u32 field)
{
	skb->mark = (skb->mark & ~c->markmask) | ((field << (c->mark_shift & 31)) & c->markmask);
}

/* This message's deadline and flags from the socket's slot; false when it has none set. */
static __always_inline int from_slot(struct __sk_buff *skb, __u64 cookie,
				     const struct qsock_cls_stream *st)
{
	struct qsock_cls_slot *sl = qsock_slot_set(&slots, cookie);
	struct qsock_cls_conf *c;
	__u32 zero = 0, field;
	__u64 deadline;

	if (!sl)
		return 0;
	deadline = sl->deadline;
	field = sl->flags;
	/*
	 * A plain store, as SCM_TXTIME's: bpf_skb_set_tstamp(MONO) would also set the skb's
	 * mono_delivery_time bit, which on 6.1 marks TCP's own departure times (the qdisc
	 * ignores those). At egress the store leaves that bit as it is.
	 */
	if (deadline)
		skb->tstamp = deadline;
	c = bpf_map_lookup_elem(&conf, &zero);
	if (c && c->markmask) {
		if (!(st->allowed_flags & QSOCK_CLS_TRUST_MARK))
			field &= st->allowed_flags;
		set_field(skb, c, field);
	}
	return 1;
}

SEC("tc")
int qsock_classify(struct __sk_buff *skb)
{
	struct qsock_cls_stream *st;
	struct qsock_cls_flags *fl;
	struct qsock_cls_conf *c;
	struct bpf_sock *sk;
	__u32 zero = 0, field;
	__u64 cookie;

	sk = skb->sk;
	if (!sk)
		return TC_ACT_UNSPEC;
	cookie = bpf_get_socket_cookie(skb);
	st = bpf_map_lookup_elem(&streams, &cookie);
	if (!st)
		return TC_ACT_UNSPEC;
	skb->tc_classid = st->classid & 0xffff;

	if (from_slot(skb, cookie, st))
		return TC_ACT_OK;
	if (st->allowed_flags & QSOCK_CLS_TRUST_MARK)
		return TC_ACT_OK;
	c = bpf_map_lookup_elem(&conf, &zero);
	if (!c || !c->markmask)
		return TC_ACT_OK;
	field = 0;
	sk = bpf_sk_fullsock(sk);
	if (sk) {
		fl = bpf_sk_storage_get(&flags, sk, 0, 0);
		if (fl)
			field = fl->flags & st->allowed_flags;
	}
	set_field(skb, c, field);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
