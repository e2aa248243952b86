// SPDX-License-Identifier: GPL-2.0
/*
 * dwcs_qdisc.bpf.c — DWCS as a BPF qdisc (struct_ops on Qdisc_ops, Linux 6.16+ with
 * CONFIG_NET_SCH_BPF): the "dwcs-bpf" scheduler of libqsock, for kernels where sch_dwcs.ko
 * cannot or may not be loaded. The rules are those of docs/dwcs.md (kmod/dwcs_core.c); the
 * data structures are what the verifier admits. docs/dwcs-bpf.md says what is left out.
 * The decisions themselves (windows, precedence, eligibility, drops, what a service changes)
 * are in dwcs_bpf_rules.h and dwcs_bpf_rules_impl.h, which the host unit test
 * test/unit/dwcs_bpf_model_test.c compiles too and compares with dwcs_core; this file keeps
 * the plumbing: maps, bpf_list queues, skbs, kfuncs, the shaper and best effort.
 *
 *  - Streams: dwcs_cfg[minor] (written by user space), dwcs_state[minor] (the stream's queue,
 *    its window and deadline, its counters). A packet belongs to stream `minor` when
 *    skb->priority is handle_major:minor (SO_PRIORITY, as with sch_dwcs) or when its socket's
 *    cookie is in dwcs_cookies (written by the manager at attach); otherwise it
 *    is best effort, served only when no stream head is eligible.
 *  - Packets wait in bpf_list queues of nodes from bpf_obj_new holding the skb as a kptr.
 *  - The pick: three bpf_rbtrees of the backlogged streams (dwcs_bpf_rules_impl.h says
 *    which): READY by the precedence table (A: deadline first, B: window first), WAIT by
 *    the instant a head becomes eligible, DUE by the deadline still to be accounted. A
 *    decision costs O((1 + k) log n) for the k streams whose deadline passed or whose wait
 *    ended, as sch_dwcs's tournament trees (docs/dwcs-bpf.md).
 *  - Deadlines: the stream's period deadline d, or the packet's own from skb->tstamp
 *    (SO_TXTIME, CLOCK_MONOTONIC) for non-TCP sockets. Flags from skb->mark & markmask.
 *  - Eligibility (d - T, non-work-conserving), a stream's byte-rate ceiling and the link
 *    shaper wait with bpf_qdisc_watchdog_schedule().
 *
 * Every callback runs under the qdisc's root lock; the bpf_spin_locks are the verifier's
 * price for touching a bpf_list, not a concurrency design.
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <stdbool.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#include "bpf/dwcs_qdisc_kern.h"
#include "bpf/dwcs_qdisc.h"
#include "bpf/qsock_cls.h"
#include "bpf/qsock_slots.bpf.h"
#include "bpf/dwcs_bpf_rules.h"
#include <uapi/linux/pkt_sch_dwcs.h>

char _license[] SEC("license") = "GPL";

#define U64_MAX_ (~0ULL)

struct pkt_node {
	struct bpf_list_node node;
	struct sk_buff __kptr *skb;
	__u64 deadline;		/* own deadline (skb->tstamp), 0: the stream's period deadline */
	__u64 enq;		/* enqueue time: FCFS ties, queueing delay */
	__u32 mark;		/* DWCS_MARK_*, and DWCS_RULES_IN_FRAME */
	__u32 len;		/* qdisc_pkt_len at enqueue */
};

struct stream_state {
	struct bpf_spin_lock lock;
	struct bpf_list_head q __contains(pkt_node, node);
	struct dwcs_bpf_stats st;
	struct dwcs_rules_stream r;	/* what the rules decide on (dwcs_bpf_rules.h) */
	__u32 active_idx;	/* its slot in dwcs_active while backlogged */
	/* its nodes in the pick's trees, and the keys they were added with: the path by which
	 * trees_refresh() finds them again */
	__u32 in_set;		/* DWCS_RULES_SET_*: READY, WAIT or none */
	__u32 in_due;		/* it has a node in DUE */
	struct dwcs_rules_keys set_k, due_k;
};

/* lib/sched_dwcs_bpf.c reads a whole dwcs_state value into its struct state_view */
_Static_assert(sizeof(struct stream_state) <= 408, "state_view in lib/sched_dwcs_bpf.c");

/* A stream's place in one of the pick's trees (its keys: struct dwcs_rules_place). */
struct tree_node {
	struct bpf_rb_node rb;
	struct dwcs_rules_keys k;
	__u32 order;		/* READY: the precedence table (ready_less reads no global) */
};

/* The pick's trees, under one lock (a map value, as dwcs_be: see there) */
struct dwcs_trees {
	struct bpf_spin_lock lock;
	struct bpf_rb_root ready __contains(tree_node, rb);
	struct bpf_rb_root wait __contains(tree_node, rb);
	struct bpf_rb_root due __contains(tree_node, rb);
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, DWCS_BPF_MAX_STREAMS);
	__type(key, __u32);
	__type(value, struct dwcs_bpf_cfg);
} dwcs_cfg SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, DWCS_BPF_MAX_STREAMS);
	__type(key, __u32);
	__type(value, struct stream_state);
} dwcs_state SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct dwcs_bpf_conf);
} dwcs_conf SEC(".maps");

/* the minors of the backlogged streams, dense: dwcs_active[0 .. nactive) */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, DWCS_BPF_MAX_ACTIVE);
	__type(key, __u32);
	__type(value, __u32);
} dwcs_active SEC(".maps");

/* socket cookie -> its stream and the flags its slot may carry, written by the manager */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, QSOCK_CLS_MAX_STREAMS);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u64);
	__type(value, struct dwcs_bpf_sock);
} dwcs_cookies SEC(".maps");

/*
 * Send slots (lib/bpf/qsock_cls.h): a stream's sender fills its slot with one message's
 * deadline and flags right before the send, and the enqueue below, still in that send,
 * reads them; the manager enters each datagram socket's slot here at attach (set_slot),
 * and the DWCS_MARK_* bits its owner's messages may carry in its dwcs_cookies entry. Under a classful root the
 * classifier reads the same slot; under this classless one nothing else would, and an
 * unprivileged sender has no other way to carry flags here (no SO_MARK, and the flags word
 * is socket storage, which a qdisc program cannot read).
 */
QSOCK_SLOTS_MAP(dwcs_slots);

/* best effort: one FIFO (in a map value rather than a global section, whose list head type
 * the user-space skeleton would have to know) */
struct be_queue {
	struct bpf_spin_lock lock;
	struct bpf_list_head q __contains(pkt_node, node);
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct be_queue);
} dwcs_be SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct dwcs_trees);
} dwcs_trees SEC(".maps");

/*
 * A search from the root visits at most the height of a red-black tree, 2 log2(n + 1): 24
 * for DWCS_BPF_MAX_ACTIVE nodes; the bound is that with margin, not a cost.
 */
#define DWCS_BPF_TREE_DEPTH	32

__u32 nactive;
__u32 be_len;
__u32 nondrop_pkts;	/* packets marked non-droppable queued in the streams (all of them) */
/* the precedence table and the work-conserving mode the trees are ordered by: dwcs_conf's
 * at the qdisc's init (READY's order cannot change under its nodes) */
__u32 tree_order;
__u32 tree_wc;
__u64 tree_lost;	/* nodes not allocated or not found again: 0 unless out of memory */
__u32 instances;	/* the program's state is global: one qdisc at a time */
__u64 t_next;		/* the shaper: earliest start of the next packet */
__u8 link_idle = 1;		/* nothing queued since t_next passed: restart the schedule at now */

static __always_inline __u32 pkt_len(const struct sk_buff *skb)
{
	return ((const struct qdisc_skb_cb *)skb->cb)->pkt_len;
}

/* The stream minor of @skb, 0 for best effort; when the stream was found by the socket's
 * cookie, *@cookie_out is that cookie and *@slot_flags what its slot may carry (else 0). */
static __always_inline __u32 classify(struct sk_buff *skb, const struct dwcs_bpf_conf *c,
				      __u64 *cookie_out, __u32 *slot_flags)
{
	struct dwcs_bpf_sock *sock;
	struct sock *sk;
	__u32 prio = skb->priority;
	__u64 cookie;

	*cookie_out = 0;
	*slot_flags = 0;

	/* keeps clang from merging the two loads of the result into one instruction on two
	 * kinds of pointer (skb and map value), which the verifier rejects */
	asm volatile("" : "+r"(prio));
	if (c->handle_major && prio >> 16 == c->handle_major)
		return prio & 0xffff;
	sk = skb->sk;
	if (!sk)
		return 0;
	cookie = sk->__sk_common.skc_cookie.counter;
	if (!cookie)
		return 0;
	sock = bpf_map_lookup_elem(&dwcs_cookies, &cookie);
	if (!sock)
		return 0;
	*cookie_out = cookie;
	*slot_flags = sock->slot_flags;
	return sock->minor & 0xffff;
}

/* This message's deadline and flags from the slot of the socket @cookie, while its sender
 * has it SET; false when it has none. Its flags are masked with @allowed. */
static __always_inline bool from_slot(__u64 cookie, __u32 allowed, __u32 *mark,
				      __u64 *deadline)
{
	struct qsock_cls_slot *sl = qsock_slot_set(&dwcs_slots, cookie);

	if (!sl)
		return false;
	*mark = sl->flags & allowed & DWCS_MARK_FIELD_MASK;
	*deadline = sl->deadline;
	return true;
}

/* The stream's queue changed at its head: cache the new head (queue locked by caller). */
static __always_inline void cache_head(struct stream_state *s, struct bpf_list_node *n)
{
	struct pkt_node *p;

	if (!n)
		return;
	p = container_of(n, struct pkt_node, node);
	s->r.head.deadline = p->deadline;
	s->r.head.enq = p->enq;
	s->r.head.mark = p->mark;
	s->r.head.len = p->len;
}

/* A node taken off its list: its skb (NULL if it held none), the node freed. */
static __always_inline struct sk_buff *node_release(struct bpf_list_node *n)
{
	struct pkt_node *p = container_of(n, struct pkt_node, node);
	struct sk_buff *skb = NULL;

	skb = bpf_kptr_xchg(&p->skb, skb);
	bpf_obj_drop(p);
	return skb;
}

/* Take best effort's oldest packet (@newest: its newest) off its queue; its skb, or NULL. */
static __always_inline struct sk_buff *be_pop(struct be_queue *be, bool newest)
{
	struct bpf_list_node *n;

	bpf_spin_lock(&be->lock);
	n = newest ? bpf_list_pop_back(&be->q) : bpf_list_pop_front(&be->q);
	bpf_spin_unlock(&be->lock);
	return n ? node_release(n) : NULL;
}

/* Take best effort's oldest packet for sending; its skb, or NULL. */
static __always_inline struct sk_buff *be_take(void)
{
	struct be_queue *be;
	struct sk_buff *skb;
	__u32 zero = 0;

	be = bpf_map_lookup_elem(&dwcs_be, &zero);
	if (!be)
		return NULL;
	skb = be_pop(be, false);
	if (skb)
		be_len--;
	return skb;
}

/* Take the head of @s off its queue; its skb, or NULL. */
static __always_inline struct sk_buff *pop_head(struct stream_state *s)
{
	struct bpf_list_node *n;

	bpf_spin_lock(&s->lock);
	n = bpf_list_pop_front(&s->q);
	cache_head(s, bpf_list_front(&s->q));
	bpf_spin_unlock(&s->lock);
	return n ? node_release(n) : NULL;
}

static __always_inline void active_remove(struct stream_state *s)
{
	__u32 idx = s->active_idx, last_idx, *slot, *last;
	struct stream_state *moved;

	if (!nactive)
		return;
	last_idx = nactive - 1;
	slot = bpf_map_lookup_elem(&dwcs_active, &idx);
	last = bpf_map_lookup_elem(&dwcs_active, &last_idx);
	if (slot && last && idx != last_idx) {
		__u32 m = *last;

		*slot = m;
		moved = bpf_map_lookup_elem(&dwcs_state, &m);
		if (moved)
			moved->active_idx = idx;
	}
	nactive = last_idx;
}

/* The head of @s leaves unsent (dwcs_bpf_rules_impl.h's callback). */
static __always_inline void dwcs_rules_drop_one(struct Qdisc *sch, struct stream_state *s, __u64 *ctr)
{
	struct sk_buff *skb = pop_head(s);

	if (!skb)
		return;
	sch->q.qlen--;
	sch->qstats.backlog -= pkt_len(skb);
	sch->qstats.drops++;
	(*ctr)++;
	if (s->st.backlog)
		s->st.backlog--;
	bpf_kfree_skb(skb);
}

static __always_inline __u32 dwcs_rules_link_nondrop(const struct Qdisc *sch)
{
	return nondrop_pkts;
}

#define DWCS_RULES_STREAM	struct stream_state
#define DWCS_RULES_LINK		struct Qdisc
#include "bpf/dwcs_bpf_rules_impl.h"

/* ---------------------------------------------------------------- the pick's trees */

static bool ready_less(struct bpf_rb_node *a, const struct bpf_rb_node *b)
{
	struct tree_node *x = container_of(a, struct tree_node, rb);
	const struct tree_node *y = container_of(b, struct tree_node, rb);

	return dwcs_rules_precedes(x->order, &x->k, &y->k);
}

static bool time_less(struct bpf_rb_node *a, const struct bpf_rb_node *b)
{
	struct tree_node *x = container_of(a, struct tree_node, rb);
	const struct tree_node *y = container_of(b, struct tree_node, rb);

	return dwcs_rules_time_before(&x->k, &y->k);
}

/*
 * The node of stream @key->minor, which was added with @key, off @root (lock held): an owning
 * reference, or NULL. bpf_rbtree_remove takes only a node found under the lock, so it is
 * searched from the root (bpf_rbtree_root/_left/_right) by the order the tree was built
 * with, which is strict: O(log n). bpf_iter_num under a bpf_spin_lock: since 6.14, below the
 * 6.16 any BPF qdisc needs.
 */
static __always_inline struct bpf_rb_node *tree_take(struct bpf_rb_root *root,
						     const struct dwcs_rules_keys *key,
						     bool by_precedence)
{
	struct bpf_rb_node *n = bpf_rbtree_root(root);
	struct bpf_iter_num it;
	struct tree_node *t;
	int *v;

	bpf_iter_num_new(&it, 0, DWCS_BPF_TREE_DEPTH);
	while (n && (v = bpf_iter_num_next(&it))) {
		t = container_of(n, struct tree_node, rb);
		if (t->k.minor == key->minor)
			break;
		if (by_precedence ? dwcs_rules_precedes(tree_order, key, &t->k) :
				    dwcs_rules_time_before(key, &t->k))
			n = bpf_rbtree_left(root, n);
		else
			n = bpf_rbtree_right(root, n);
	}
	bpf_iter_num_destroy(&it);
	if (!n)
		return NULL;
	t = container_of(n, struct tree_node, rb);
	if (t->k.minor != key->minor)
		return NULL;
	return bpf_rbtree_remove(root, n);
}

/* The first node of each tree: what one dequeue decides from. */
struct tree_fronts {
	struct dwcs_rules_keys due, wait, ready;
	bool has_due, has_wait, has_ready;
};

/* The keys of each tree's first node into *@f, under one hold of the lock (a dequeue used to
 * take it once a tree, three or four times where nothing was due or woken). */
static __always_inline void tree_fronts(struct dwcs_trees *tr, struct tree_fronts *f)
{
	struct bpf_rb_node *n;

	bpf_spin_lock(&tr->lock);
	n = bpf_rbtree_first(&tr->due);
	f->has_due = n;
	if (n)
		f->due = container_of(n, struct tree_node, rb)->k;
	n = bpf_rbtree_first(&tr->wait);
	f->has_wait = n;
	if (n)
		f->wait = container_of(n, struct tree_node, rb)->k;
	n = bpf_rbtree_first(&tr->ready);
	f->has_ready = n;
	if (n)
		f->ready = container_of(n, struct tree_node, rb)->k;
	bpf_spin_unlock(&tr->lock);
}

/*
 * Put stream @minor where dwcs_rules_place() says at @now: its nodes come off the trees they
 * were in and go back into the ones it belongs to with its current keys, or are freed when it
 * is empty. Called after anything that may change its keys (dwcs_rules_impl.h, "the pick's
 * ordered sets"). Nodes are reused; bpf_obj_new and bpf_obj_drop, which may not run under
 * the lock, only when a stream enters or leaves a tree. O(log n); a subprogram, so that the
 * verifier checks its loops once per call site.
 */
static __noinline void trees_refresh(struct stream_state *s, __u32 minor, __u64 now)
{
	struct bpf_rb_node *set_n = NULL, *due_n = NULL;
	struct tree_node *set_t = NULL, *due_t = NULL;
	struct dwcs_rules_place pl;
	struct dwcs_trees *tr;
	__u32 zero = 0;

	tr = bpf_map_lookup_elem(&dwcs_trees, &zero);
	if (!tr)
		return;
	dwcs_rules_place(&s->r, s->st.backlog, minor, tree_wc, now, &pl);

	if (s->in_set || s->in_due) {
		bpf_spin_lock(&tr->lock);
		if (s->in_set == DWCS_RULES_SET_READY)
			set_n = tree_take(&tr->ready, &s->set_k, true);
		else if (s->in_set == DWCS_RULES_SET_WAIT)
			set_n = tree_take(&tr->wait, &s->set_k, false);
		if (s->in_due)
			due_n = tree_take(&tr->due, &s->due_k, false);
		bpf_spin_unlock(&tr->lock);
		if ((s->in_set && !set_n) || (s->in_due && !due_n))
			tree_lost++;
	}
	if (set_n) {
		set_t = container_of(set_n, struct tree_node, rb);
		if (!pl.set) {
			bpf_obj_drop(set_t);
			set_t = NULL;
		}
	} else if (pl.set) {
		set_t = bpf_obj_new(struct tree_node);
	}
	if (due_n) {
		due_t = container_of(due_n, struct tree_node, rb);
		if (!pl.due) {
			bpf_obj_drop(due_t);
			due_t = NULL;
		}
	} else if (pl.due) {
		due_t = bpf_obj_new(struct tree_node);
	}
	if ((pl.set && !set_t) || (pl.due && !due_t))
		tree_lost++;

	s->in_set = set_t ? pl.set : DWCS_RULES_SET_NONE;
	s->set_k = pl.k;
	s->in_due = due_t ? 1 : 0;
	s->due_k = pl.due_k;
	if (!set_t && !due_t)
		return;
	if (set_t) {
		set_t->k = pl.k;
		set_t->order = tree_order;
	}
	if (due_t) {
		due_t->k = pl.due_k;
		due_t->order = tree_order;
	}
	bpf_spin_lock(&tr->lock);
	if (set_t) {
		if (pl.set == DWCS_RULES_SET_READY)
			bpf_rbtree_add(&tr->ready, &set_t->rb, ready_less);
		else
			bpf_rbtree_add(&tr->wait, &set_t->rb, time_less);
	}
	if (due_t)
		bpf_rbtree_add(&tr->due, &due_t->rb, time_less);
	bpf_spin_unlock(&tr->lock);
}

/* Every node off @which (reset, destroy); bounded by the nodes there can be. */
static __always_inline void tree_clear(struct dwcs_trees *tr, __u32 which)
{
	struct bpf_iter_num it;
	struct bpf_rb_node *n;
	int *v;

	bpf_iter_num_new(&it, 0, DWCS_BPF_MAX_ACTIVE + 1);
	while ((v = bpf_iter_num_next(&it))) {
		bpf_spin_lock(&tr->lock);
		if (which == DWCS_RULES_SET_READY)
			n = bpf_rbtree_first(&tr->ready);
		else if (which == DWCS_RULES_SET_WAIT)
			n = bpf_rbtree_first(&tr->wait);
		else
			n = bpf_rbtree_first(&tr->due);
		if (n) {
			if (which == DWCS_RULES_SET_READY)
				n = bpf_rbtree_remove(&tr->ready, n);
			else if (which == DWCS_RULES_SET_WAIT)
				n = bpf_rbtree_remove(&tr->wait, n);
			else
				n = bpf_rbtree_remove(&tr->due, n);
		}
		bpf_spin_unlock(&tr->lock);
		if (!n)
			break;
		bpf_obj_drop(container_of(n, struct tree_node, rb));
	}
	bpf_iter_num_destroy(&it);
}

/*
 * Overflow: the newest queued packet of @s of drop priority @prio that may go
 * (dwcs_rules_is_victim) leaves unsent. Its position from the head (0: the head), or -1 when
 * there is none (the counts say there is).
 *
 * bpf_list removes only at its ends (bpf_list_del would need a non-owning reference to a
 * node found in the middle, which nothing yields without a walk the list API does not
 * have), so the queue is rotated: from the tail, each packet newer than the victim moves to
 * the front, the victim is taken off the tail, and the moved packets go back behind the rest
 * in their order. Cost: 2k + 1 node moves for the k packets newer than the victim, each
 * under its own lock/unlock (no loop runs under the lock, whatever the kernel admits there),
 * bounded by the backlog (the class limit, 1000 by default); only on overflow, never on the
 * path of a packet that fits. A victim not found would mean a full turn, which leaves the
 * order as it was. A subprogram, so that the verifier checks its loops once.
 */
static __noinline int unlink_overflow_victim(struct Qdisc *sch, struct stream_state *s,
					     __u32 prio)
{
	__u32 backlog = s->st.backlog, rotated = 0;
	struct sk_buff *skb = NULL;
	struct bpf_list_node *n;
	struct bpf_iter_num it;
	struct pkt_node *p;
	bool found = false;
	int *v;

	bpf_iter_num_new(&it, 0, backlog);
	while ((v = bpf_iter_num_next(&it))) {
		bpf_spin_lock(&s->lock);
		n = bpf_list_pop_back(&s->q);
		if (!n) {
			bpf_spin_unlock(&s->lock);
			break;
		}
		p = container_of(n, struct pkt_node, node);
		found = dwcs_rules_is_victim(p->mark, prio);
		/* the victim goes back where it was, to be taken off below, outside the loop */
		if (found)
			bpf_list_push_back(&s->q, &p->node);
		else
			bpf_list_push_front(&s->q, &p->node);
		bpf_spin_unlock(&s->lock);
		if (found)
			break;
		rotated++;
	}
	bpf_iter_num_destroy(&it);

	if (found) {
		bpf_spin_lock(&s->lock);
		n = bpf_list_pop_back(&s->q);
		bpf_spin_unlock(&s->lock);
		if (n)
			skb = node_release(n);
	}

	bpf_iter_num_new(&it, 0, rotated);
	while ((v = bpf_iter_num_next(&it))) {
		bpf_spin_lock(&s->lock);
		n = bpf_list_pop_front(&s->q);
		if (n)
			bpf_list_push_back(&s->q, n);
		bpf_spin_unlock(&s->lock);
		if (!n)
			break;
	}
	bpf_iter_num_destroy(&it);

	bpf_spin_lock(&s->lock);
	cache_head(s, bpf_list_front(&s->q));
	bpf_spin_unlock(&s->lock);
	if (!skb)
		return -1;
	sch->q.qlen--;
	sch->qstats.backlog -= pkt_len(skb);
	sch->qstats.drops++;
	if (s->st.backlog)
		s->st.backlog--;
	bpf_kfree_skb(skb);
	return (int)(backlog - 1 - rotated);
}

/*
 * A full qdisc makes room for a stream's packet at the cost of best effort, as sch_dwcs
 * (dwcs_drop_best_effort_tail): streams pre-empt best effort for buffer space as they do for
 * the link, so a bulk flow filling the qdisc cannot make a stream within its own limit lose
 * packets. The newest best-effort packet goes, as a FIFO would have dropped it.
 */
static __always_inline void drop_best_effort_tail(struct Qdisc *sch)
{
	struct be_queue *be;
	struct sk_buff *skb;
	__u32 zero = 0;

	be = bpf_map_lookup_elem(&dwcs_be, &zero);
	if (!be)
		return;
	skb = be_pop(be, true);
	if (!skb)
		return;
	if (be_len)
		be_len--;
	sch->q.qlen--;
	sch->qstats.backlog -= pkt_len(skb);
	sch->qstats.drops++;
	bpf_kfree_skb(skb);
}

/*
 * Room for a packet marked @mark in stream @s (sch_dwcs's dwcs_enqueue_class): a full qdisc
 * first loses best effort when the stream is within its limit; a stream still at its limit,
 * or in a qdisc still full, loses the newest queued packet of its highest drop priority,
 * unless the arriving one ranks as high (dwcs_rules_overflow_victim). False when the arriving
 * packet goes (counted); the caller drops it.
 */
static __always_inline bool make_room(struct Qdisc *sch, struct stream_state *s, __u32 minor,
				      __u32 mark, __u64 now)
{
	int prio, pos;

	if (s->st.backlog < s->r.limit && sch->q.qlen >= sch->limit && be_len)
		drop_best_effort_tail(sch);
	if (s->st.backlog < s->r.limit && sch->q.qlen < sch->limit &&
	    (s->st.backlog || nactive < DWCS_BPF_MAX_ACTIVE))
		return true;
	prio = dwcs_rules_overflow_victim(&s->r, mark);
	if (prio != DWCS_RULES_VICTIM_INCOMING) {
		pos = unlink_overflow_victim(sch, s, prio);
		if (pos >= 0) {
			dwcs_rules_unlinked(&s->r, &s->st, prio, pos == 0);
			if (!s->st.backlog)
				active_remove(s);
			trees_refresh(s, minor, now);
			return true;
		}
	}
	dwcs_rules_overflow_incoming(&s->st, mark);
	return false;
}

/* The stream in slot @idx of the active list, and its minor in *@minor; NULL if none. */
static __always_inline struct stream_state *active_stream(__u32 idx, __u32 *minor)
{
	__u32 *mp = bpf_map_lookup_elem(&dwcs_active, &idx);

	if (!mp)
		return NULL;
	*minor = *mp;
	return bpf_map_lookup_elem(&dwcs_state, minor);
}

SEC("struct_ops")
int BPF_PROG(dwcs_enqueue, struct sk_buff *skb, struct Qdisc *sch, struct bpf_sk_buff_ptr *to_free)
{
	struct dwcs_bpf_conf *c;
	struct stream_state *s = NULL;
	struct dwcs_bpf_cfg *cfg;
	struct pkt_node *p;
	__u32 zero = 0, minor, len = pkt_len(skb), mark, in_frame = 0, slot_flags;
	__u64 now = bpf_ktime_get_ns(), deadline = 0, stamp, cookie, slot_deadline = 0;
	struct sock *sk;

	c = bpf_map_lookup_elem(&dwcs_conf, &zero);
	if (!c)
		goto drop;
	mark = (skb->mark & c->markmask) >> (c->mark_shift & 31);
	minor = classify(skb, c, &cookie, &slot_flags);
	/* a slot SET for this send overrides the mark and the SCM_TXTIME deadline, as the
	 * classifier's does under a classful root */
	if (minor && cookie)
		from_slot(cookie, slot_flags, &mark, &slot_deadline);
	if (minor) {
		cfg = bpf_map_lookup_elem(&dwcs_cfg, &minor);
		s = bpf_map_lookup_elem(&dwcs_state, &minor);
		if (!cfg || !s || !cfg->period_ns) {
			s = NULL;	/* not (or no longer) a stream */
		} else if (s->st.gen != cfg->gen) {
			/* added or changed: the window restarts at the new x/y (as `tc class
			 * change`); the counters of an earlier stream of this minor go */
			if (s->st.epoch != cfg->epoch) {
				__builtin_memset(&s->st, 0, __builtin_offsetof(struct dwcs_bpf_stats,
									       cur_x));
				s->st.epoch = cfg->epoch;
				s->r.ceil_tat = 0; /* a new stream starts with its burst */
			}
			s->r.period = cfg->period_ns;
			s->r.x = cfg->x;
			s->r.y = cfg->y;
			s->r.flags = cfg->flags;
			s->r.limit = cfg->limit ? cfg->limit : DWCS_DEFAULT_CLASS_LIMIT;
			s->r.max_rate = cfg->max_rate;
			s->r.xc = s->r.x;
			s->r.yc = s->r.y;
			s->r.tagged = 0;
			s->r.frame_sending = 0;
			s->r.enq_frame_open = 0;
			s->r.enq_frame_drop = 0;
			s->st.gen = cfg->gen;
			if (s->st.backlog) {
				s->r.deadline = now + s->r.period;
				trees_refresh(s, minor, now);
			}
		}
	}
	if (!s && sch->q.qlen >= sch->limit)
		goto drop;

	/* what is late or belongs to a dropped frame goes before it could take a queued
	 * packet's room (sch_dwcs: dwcs_admit, then the overflow) */
	if (s && dwcs_rules_frame_drops(&s->r, &s->st, mark, &in_frame))
		goto drop;
	stamp = slot_deadline ? slot_deadline : skb->tstamp;
	if (s && (s->r.flags & DWCS_CLASS_F_EDF) && stamp) {
		/* TCP's departure time is not a deadline (and TCP gets no slot) */
		sk = skb->sk;
		if (sk && sk->sk_protocol != IPPROTO_TCP_)
			deadline = stamp;
		deadline = dwcs_rules_horizon(&s->st, deadline, now);
	}
	if (s && dwcs_rules_late_on_arrival(&s->r, &s->st, mark, in_frame, deadline, now)) {
		/* a miss: x'/y' moved */
		if (s->st.backlog)
			trees_refresh(s, minor, now);
		goto drop;
	}
	if (s && !make_room(sch, s, minor, mark, now))
		goto drop;

	p = bpf_obj_new(struct pkt_node);
	if (!p)
		goto drop;
	p->deadline = deadline;
	p->enq = now;
	p->mark = mark | in_frame;
	p->len = len;
	skb = bpf_kptr_xchg(&p->skb, skb);
	if (skb)	/* cannot happen: the node is new */
		bpf_qdisc_skb_drop(skb, to_free);

	if (s) {
		bool first = !s->st.backlog;

		if (first) {
			__u32 idx = nactive, *slot;

			dwcs_rules_activate(&s->r, now);
			slot = bpf_map_lookup_elem(&dwcs_active, &idx);
			if (slot) {
				*slot = minor;
				s->active_idx = idx;
				nactive = idx + 1;
			}
		}
		bpf_spin_lock(&s->lock);
		bpf_list_push_back(&s->q, &p->node);
		cache_head(s, bpf_list_front(&s->q));
		bpf_spin_unlock(&s->lock);
		s->st.backlog++;
		dwcs_rules_count_in(&s->r, mark);
		if (mark & DWCS_MARK_NONDROPPABLE)
			nondrop_pkts++;
		/* a packet behind the head changes no key (unless heads yield to it, below) */
		if (first)
			trees_refresh(s, minor, now);
	} else {
		struct be_queue *be = bpf_map_lookup_elem(&dwcs_be, &zero);

		if (!be) {
			bpf_obj_drop(p);	/* frees the skb it holds */
			return NET_XMIT_DROP;
		}
		bpf_spin_lock(&be->lock);
		bpf_list_push_back(&be->q, &p->node);
		bpf_spin_unlock(&be->lock);
		be_len++;
	}
	sch->q.qlen++;
	sch->qstats.backlog += len;
	/* after the counting: a head that yields uncounts itself */
	if (s && (mark & DWCS_MARK_NONDROPPABLE) && dwcs_rules_yield_optional(sch, s))
		trees_refresh(s, minor, now);
	return NET_XMIT_SUCCESS;
drop:
	bpf_qdisc_skb_drop(skb, to_free);
	return NET_XMIT_DROP;
}

SEC("struct_ops")
struct sk_buff *BPF_PROG(dwcs_dequeue, struct Qdisc *sch)
{
	struct stream_state *s;
	struct dwcs_bpf_conf *c;
	struct dwcs_rules_keys best = {};
	struct tree_fronts f = {};
	bool due_done = false, fresh = false;
	struct sk_buff *skb = NULL;
	struct dwcs_trees *tr;
	struct bpf_iter_num it;
	__u64 now, next = U64_MAX_;
	__u32 zero = 0, n = nactive, how, minor;
	bool have = false;
	int *v;

	/*
	 * An empty queue makes the link idle only once the last packet's time on the wire is
	 * over: the sender refills the queue between two dequeues, and restarting the schedule
	 * on every momentary empty queue let every packet out at once (measured on 7.3.4: 201
	 * packets of 1000 B through a 125000 B/s shaper in 0.2 s).
	 */
	if (!sch->q.qlen) {
		if (t_next <= bpf_ktime_get_ns())
			link_idle = 1;
		return NULL;
	}
	c = bpf_map_lookup_elem(&dwcs_conf, &zero);
	if (!c)
		return NULL;
	now = bpf_ktime_get_ns();
	if (c->rate && t_next > now) {
		bpf_qdisc_watchdog_schedule(sch, t_next, 0);
		return NULL;
	}
	/*
	 * No stream backlogged (nactive counts them): the trees are empty and best effort
	 * goes without taking their lock.
	 */
	if (!n) {
		skb = be_take();
		if (!skb)
			return NULL;
		goto sent;
	}
	tr = bpf_map_lookup_elem(&dwcs_trees, &zero);
	if (!tr)
		return NULL;
	if (n > DWCS_BPF_MAX_ACTIVE)
		n = DWCS_BPF_MAX_ACTIVE;

	/*
	 * First the streams whose deadline passed: accounted (late heads dropped) and placed
	 * again; then the streams whose wait ended: eligible now, or held longer by their
	 * ceiling. Each leaves its tree's front, so n + 1 turns for each are enough.
	 */
	bpf_iter_num_new(&it, 0, 2 * n + 2);
	while ((v = bpf_iter_num_next(&it))) {
		tree_fronts(tr, &f);
		fresh = true;
		if (!due_done) {
			if (f.has_due && dwcs_rules_due(f.due.deadline, now)) {
				minor = f.due.minor;
				s = bpf_map_lookup_elem(&dwcs_state, &minor);
				if (!s)
					break;
				dwcs_rules_account_late(sch, s, now);
				if (!s->st.backlog)
					active_remove(s);
				trees_refresh(s, minor, now);
				fresh = false;
				continue;
			}
			due_done = true;
		}
		if (!f.has_wait || !dwcs_rules_woken(f.wait.deadline, now))
			break;
		minor = f.wait.minor;
		s = bpf_map_lookup_elem(&dwcs_state, &minor);
		if (!s)
			break;
		trees_refresh(s, minor, now);
		fresh = false;
	}
	bpf_iter_num_destroy(&it);
	if (!fresh)	/* the turns ran out right after a stream moved */
		tree_fronts(tr, &f);

	have = f.has_ready;
	best = f.ready;
	if (!have && f.has_wait)
		next = f.wait.deadline;

	if (have) {
		minor = best.minor;
		s = bpf_map_lookup_elem(&dwcs_state, &minor);
		if (!s)
			return NULL;
		if ((s->r.head.mark & DWCS_MARK_NONDROPPABLE) && nondrop_pkts)
			nondrop_pkts--;
		how = dwcs_rules_serve_begin(&s->r, &s->st, now);
		skb = pop_head(s);
		if (!skb)
			return NULL;
		dwcs_rules_served(&s->r, &s->st, how, pkt_len(skb), best.arrival, now);
		if (s->st.backlog)
			s->st.backlog--;
		if (!s->st.backlog)
			active_remove(s);
		trees_refresh(s, minor, now);
	} else if (be_len && next > now) {
		skb = be_take();
		if (!skb)
			return NULL;
	} else {
		/* nothing eligible: wake up when the first waiting head becomes eligible */
		link_idle = 1;
		if (next != U64_MAX_)
			bpf_qdisc_watchdog_schedule(sch, next, 0);
		return NULL;
	}

sent:
	if (c->rate) {
		/* byte-accurate pacing; late timers are caught up while backlogged, an idle
		 * link restarts at now so that idleness never banks a burst */
		__u64 base = link_idle || t_next + 1000000000ULL < now ? now : t_next;

		t_next = base + (__u64)pkt_len(skb) * 1000000000ULL / c->rate;
	}
	link_idle = 0;
	sch->q.qlen--;
	sch->qstats.backlog -= pkt_len(skb);
	bpf_qdisc_bstats_update(sch, skb);
	return skb;
}

/* Free every queued packet (reset and destroy). */
static __always_inline void drain(struct Qdisc *sch)
{
	struct bpf_iter_num it, in;
	struct dwcs_trees *tr;
	struct be_queue *be;
	__u32 n = nactive, zero = 0;
	int *v, *w;

	if (n > DWCS_BPF_MAX_ACTIVE)
		n = DWCS_BPF_MAX_ACTIVE;
	bpf_iter_num_new(&it, 0, n);
	while ((v = bpf_iter_num_next(&it))) {
		struct stream_state *s;
		__u32 minor;

		s = active_stream(*v, &minor);
		if (!s)
			continue;
		bpf_iter_num_new(&in, 0, s->st.backlog);
		while ((w = bpf_iter_num_next(&in))) {
			struct sk_buff *skb = pop_head(s);

			if (!skb)
				break;
			bpf_kfree_skb(skb);
		}
		bpf_iter_num_destroy(&in);
		s->st.backlog = 0;
		s->in_set = DWCS_RULES_SET_NONE;
		s->in_due = 0;
		__builtin_memset(s->r.backlog_prio, 0, sizeof(s->r.backlog_prio));
	}
	bpf_iter_num_destroy(&it);

	be = bpf_map_lookup_elem(&dwcs_be, &zero);
	bpf_iter_num_new(&it, 0, be ? be_len : 0);
	while ((v = bpf_iter_num_next(&it))) {
		struct sk_buff *skb;

		if (!be)
			break;
		skb = be_pop(be, false);
		if (skb)
			bpf_kfree_skb(skb);
	}
	bpf_iter_num_destroy(&it);
	tr = bpf_map_lookup_elem(&dwcs_trees, &zero);
	if (tr) {
		tree_clear(tr, DWCS_RULES_SET_READY);
		tree_clear(tr, DWCS_RULES_SET_WAIT);
		tree_clear(tr, 0);
	}
	nactive = 0;
	be_len = 0;
	nondrop_pkts = 0;
	link_idle = 1;
	sch->q.qlen = 0;
	sch->qstats.backlog = 0;
}

SEC("struct_ops")
int BPF_PROG(dwcs_init, struct Qdisc *sch, struct nlattr *opt, struct netlink_ext_ack *extack)
{
	struct dwcs_bpf_conf *c;
	__u32 zero = 0;

	/* the queues and the active set are the program's, not the qdisc's */
	if (instances)
		return -16; /* -EBUSY: docs/dwcs-bpf.md, one dwcs_bpf qdisc at a time */
	instances = 1;
	c = bpf_map_lookup_elem(&dwcs_conf, &zero);
	sch->limit = c && c->limit ? c->limit : DWCS_DEFAULT_LIMIT;
	tree_order = c ? c->order : DWCS_ORDER_DEADLINE_FIRST;
	tree_wc = c ? c->work_conserving : 0;
	nactive = 0;
	be_len = 0;
	nondrop_pkts = 0;
	t_next = 0;
	link_idle = 1;
	return 0;
}

SEC("struct_ops")
void BPF_PROG(dwcs_reset, struct Qdisc *sch)
{
	drain(sch);
}

SEC("struct_ops")
void BPF_PROG(dwcs_destroy, struct Qdisc *sch)
{
	drain(sch);
	instances = 0;
}

SEC(".struct_ops")
struct Qdisc_ops dwcs_bpf = {
	.enqueue = (void *)dwcs_enqueue,
	.dequeue = (void *)dwcs_dequeue,
	.init = (void *)dwcs_init,
	.reset = (void *)dwcs_reset,
	.destroy = (void *)dwcs_destroy,
	.id = DWCS_BPF_ID,
};
