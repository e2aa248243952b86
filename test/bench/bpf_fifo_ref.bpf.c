// SPDX-License-Identifier: GPL-2.0
/*
 * bpf_fifo_ref.bpf.c — the least a BPF qdisc does for a packet, as test/bench/vm-flood's
 * reference beside pfifo and dwcs-bpf: one FIFO of bpf_obj_new() nodes holding the skb as a
 * kptr, under a spin lock, limit 10,000 packets (as the bench's pfifo). What it costs beyond
 * pfifo is the mechanism's — the struct_ops calls, a node allocated and freed per packet, the
 * kptr exchange, the lock — and no BPF qdisc built this way can do better; what dwcs-bpf costs
 * beyond it is dwcs-bpf's own. Registered with `bpftool struct_ops register`, installed with
 * `tc qdisc replace ... root bpf_fifo_ref`. Not part of qsock: a measuring stick.
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <stdbool.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#include "bpf/dwcs_qdisc_kern.h"

char _license[] SEC("license") = "GPL";

#define REF_LIMIT 10000

struct ref_node {
	struct bpf_list_node node;
	struct sk_buff __kptr *skb;
};

struct ref_queue {
	struct bpf_spin_lock lock;
	struct bpf_list_head q __contains(ref_node, node);
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ref_queue);
} ref_fifo SEC(".maps");

static __always_inline __u32 ref_len(const struct sk_buff *skb)
{
	return ((const struct qdisc_skb_cb *)skb->cb)->pkt_len;
}

SEC("struct_ops")
int BPF_PROG(ref_enqueue, struct sk_buff *skb, struct Qdisc *sch, struct bpf_sk_buff_ptr *to_free)
{
	__u32 zero = 0, len = ref_len(skb);
	struct ref_queue *rq;
	struct ref_node *n;

	rq = bpf_map_lookup_elem(&ref_fifo, &zero);
	if (!rq || sch->q.qlen >= REF_LIMIT)
		goto drop;
	n = bpf_obj_new(struct ref_node);
	if (!n)
		goto drop;
	skb = bpf_kptr_xchg(&n->skb, skb);
	if (skb)	/* cannot happen: the node is new */
		bpf_qdisc_skb_drop(skb, to_free);
	bpf_spin_lock(&rq->lock);
	bpf_list_push_back(&rq->q, &n->node);
	bpf_spin_unlock(&rq->lock);
	sch->q.qlen++;
	sch->qstats.backlog += len;
	return NET_XMIT_SUCCESS;
drop:
	bpf_qdisc_skb_drop(skb, to_free);
	return NET_XMIT_DROP;
}

SEC("struct_ops")
struct sk_buff *BPF_PROG(ref_dequeue, struct Qdisc *sch)
{
	struct sk_buff *skb = NULL;
	struct bpf_list_node *ln;
	struct ref_queue *rq;
	struct ref_node *n;
	__u32 zero = 0;

	rq = bpf_map_lookup_elem(&ref_fifo, &zero);
	if (!rq)
		return NULL;
	bpf_spin_lock(&rq->lock);
	ln = bpf_list_pop_front(&rq->q);
	bpf_spin_unlock(&rq->lock);
	if (!ln)
		return NULL;
	n = container_of(ln, struct ref_node, node);
	skb = bpf_kptr_xchg(&n->skb, skb);
	bpf_obj_drop(n);
	if (!skb)
		return NULL;
	sch->q.qlen--;
	sch->qstats.backlog -= ref_len(skb);
	bpf_qdisc_bstats_update(sch, skb);
	return skb;
}

/* Free every queued packet (reset and destroy; one program cannot serve two ops here). */
static __always_inline void ref_drain(struct Qdisc *sch)
{
	struct bpf_list_node *ln;
	struct ref_queue *rq;
	struct bpf_iter_num it;
	__u32 zero = 0;
	int *v;

	rq = bpf_map_lookup_elem(&ref_fifo, &zero);
	if (!rq)
		return;
	bpf_iter_num_new(&it, 0, REF_LIMIT);
	while ((v = bpf_iter_num_next(&it))) {
		struct sk_buff *skb = NULL;
		struct ref_node *n;

		bpf_spin_lock(&rq->lock);
		ln = bpf_list_pop_front(&rq->q);
		bpf_spin_unlock(&rq->lock);
		if (!ln)
			break;
		n = container_of(ln, struct ref_node, node);
		skb = bpf_kptr_xchg(&n->skb, skb);
		bpf_obj_drop(n);
		if (skb)
			bpf_kfree_skb(skb);
	}
	bpf_iter_num_destroy(&it);
	sch->q.qlen = 0;
	sch->qstats.backlog = 0;
}

/* Registration refuses a Qdisc_ops without init (EINVAL on 7.3.4). */
SEC("struct_ops")
int BPF_PROG(ref_init, struct Qdisc *sch, struct nlattr *opt, struct netlink_ext_ack *extack)
{
	sch->limit = REF_LIMIT;
	return 0;
}

SEC("struct_ops")
void BPF_PROG(ref_reset, struct Qdisc *sch)
{
	ref_drain(sch);
}

SEC("struct_ops")
void BPF_PROG(ref_destroy, struct Qdisc *sch)
{
	ref_drain(sch);
}

SEC(".struct_ops")
struct Qdisc_ops bpf_fifo_ref = {
	.enqueue = (void *)ref_enqueue,
	.dequeue = (void *)ref_dequeue,
	.init = (void *)ref_init,
	.reset = (void *)ref_reset,
	.destroy = (void *)ref_destroy,
	.id = "bpf_fifo_ref",
};
