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
 *  - The pick scans the backlogged streams (dwcs_active) and keeps the first by the
 *    precedence table (A: deadline first, B: window first). Linear in the backlogged
 *    streams, not logarithmic as sch_dwcs's tournament trees: see docs/dwcs-bpf.md.
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

__u32 nactive;
__u32 be_len;
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

/* Take the head of @s off its queue; its skb, or NULL. */
static __always_inline struct sk_buff *pop_head(struct stream_state *s)
{
	struct bpf_list_node *n;
	struct sk_buff *skb = NULL;
	struct pkt_node *p;

	bpf_spin_lock(&s->lock);
	n = bpf_list_pop_front(&s->q);
	cache_head(s, bpf_list_front(&s->q));
	bpf_spin_unlock(&s->lock);
	if (!n)
		return NULL;
	p = container_of(n, struct pkt_node, node);
	skb = bpf_kptr_xchg(&p->skb, skb);
	bpf_obj_drop(p);
	return skb;
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

#define DWCS_RULES_STREAM	struct stream_state
#define DWCS_RULES_LINK		struct Qdisc
#include "bpf/dwcs_bpf_rules_impl.h"

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
		if (n) {
			p = container_of(n, struct pkt_node, node);
			skb = bpf_kptr_xchg(&p->skb, skb);
			bpf_obj_drop(p);
		}
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
	struct bpf_list_node *n;
	struct sk_buff *skb = NULL;
	struct pkt_node *p;
	__u32 zero = 0;

	be = bpf_map_lookup_elem(&dwcs_be, &zero);
	if (!be)
		return;
	bpf_spin_lock(&be->lock);
	n = bpf_list_pop_back(&be->q);
	bpf_spin_unlock(&be->lock);
	if (!n)
		return;
	p = container_of(n, struct pkt_node, node);
	skb = bpf_kptr_xchg(&p->skb, skb);
	bpf_obj_drop(p);
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
static __always_inline bool make_room(struct Qdisc *sch, struct stream_state *s, __u32 mark)
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
			if (s->st.backlog)
				s->r.deadline = now + s->r.period;
			s->st.gen = cfg->gen;
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
	if (s && dwcs_rules_late_on_arrival(&s->r, &s->st, mark, in_frame, deadline, now))
		goto drop;
	if (s && !make_room(sch, s, mark))
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
		if (!s->st.backlog) {
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
	struct dwcs_rules_keys best = {}, k;
	struct sk_buff *skb = NULL;
	struct bpf_iter_num it;
	__u64 now, next = U64_MAX_;
	__u32 zero = 0, n = nactive, order, wc, how;
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
	order = c->order;
	wc = c->work_conserving;
	if (n > DWCS_BPF_MAX_ACTIVE)
		n = DWCS_BPF_MAX_ACTIVE;

	/* downwards: a stream that empties is replaced by the last one, already seen */
	bpf_iter_num_new(&it, 0, n);
	while ((v = bpf_iter_num_next(&it))) {
		enum dwcs_rules_verdict verdict;
		__u32 minor;

		s = active_stream(n - 1 - *v, &minor);
		if (!s)
			continue;
		verdict = dwcs_rules_candidate(sch, s, minor, wc, now, &next, &k);
		if (verdict == DWCS_RULES_WAITS)
			continue;
		if (verdict == DWCS_RULES_EMPTIED) {
			active_remove(s);
			continue;
		}
		if (!have || dwcs_rules_precedes(order, &k, &best)) {
			best = k;
			have = true;
		}
	}
	bpf_iter_num_destroy(&it);

	if (have) {
		__u32 minor = best.minor;

		s = bpf_map_lookup_elem(&dwcs_state, &minor);
		if (!s)
			return NULL;
		how = dwcs_rules_serve_begin(&s->r, now);
		skb = pop_head(s);
		if (!skb)
			return NULL;
		dwcs_rules_served(&s->r, &s->st, how, pkt_len(skb), best.arrival, now);
		if (s->st.backlog)
			s->st.backlog--;
		if (!s->st.backlog)
			active_remove(s);
	} else if (be_len && next > now) {
		struct be_queue *be = bpf_map_lookup_elem(&dwcs_be, &zero);
		struct bpf_list_node *node;
		struct pkt_node *p;

		if (!be)
			return NULL;
		bpf_spin_lock(&be->lock);
		node = bpf_list_pop_front(&be->q);
		bpf_spin_unlock(&be->lock);
		if (!node)
			return NULL;
		p = container_of(node, struct pkt_node, node);
		skb = bpf_kptr_xchg(&p->skb, skb);
		bpf_obj_drop(p);
		if (!skb)
			return NULL;
		be_len--;
	} else {
		/* nothing eligible: wake up when the first waiting head becomes eligible */
		link_idle = 1;
		if (next != U64_MAX_)
			bpf_qdisc_watchdog_schedule(sch, next, 0);
		return NULL;
	}

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
		__builtin_memset(s->r.backlog_prio, 0, sizeof(s->r.backlog_prio));
	}
	bpf_iter_num_destroy(&it);

	be = bpf_map_lookup_elem(&dwcs_be, &zero);
	bpf_iter_num_new(&it, 0, be ? be_len : 0);
	while ((v = bpf_iter_num_next(&it))) {
		struct bpf_list_node *node;
		struct sk_buff *skb = NULL;
		struct pkt_node *p;

		if (!be)
			break;
		bpf_spin_lock(&be->lock);
		node = bpf_list_pop_front(&be->q);
		bpf_spin_unlock(&be->lock);
		if (!node)
			break;
		p = container_of(node, struct pkt_node, node);
		skb = bpf_kptr_xchg(&p->skb, skb);
		bpf_obj_drop(p);
		if (skb)
			bpf_kfree_skb(skb);
	}
	bpf_iter_num_destroy(&it);
	nactive = 0;
	be_len = 0;
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
	nactive = 0;
	be_len = 0;
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
