/* SPDX-License-Identifier: (LGPL-2.1-or-later OR BSD-2-Clause) */
/*
 * dwcs_qdisc.h — the layout shared by the BPF qdisc dwcs_qdisc.bpf.c and its manager
 * (lib/sched_dwcs_bpf.c): the maps user space writes (configuration) and reads (statistics).
 * Plain fixed-size types only: clang -target bpf and the host compiler both read it.
 *
 * A BPF qdisc has no classes and no tc options (no .change, no .dump, no class ops), so the
 * streams are entries of `dwcs_cfg`, indexed by the minor of their classid, which the packet
 * carries in skb->priority (SO_PRIORITY major:minor, as for sch_dwcs) or which the qdisc finds
 * from the sending socket's cookie in `dwcs_cookies` (the classifier's cls_bpf filter cannot
 * be attached to a classless qdisc).
 */
#ifndef QSOCK_DWCS_QDISC_H
#define QSOCK_DWCS_QDISC_H

#define DWCS_BPF_ID		"dwcs_bpf"	/* Qdisc_ops.id: the qdisc kind tc shows */
#define DWCS_BPF_MAX_STREAMS	65536		/* one entry per classid minor */
#define DWCS_BPF_MAX_ACTIVE	4096		/* backlogged streams at once */

/* Pinned next to the classifier's maps, /sys/fs/bpf/qsock/<dev>/ */
#define DWCS_BPF_PIN_OPS	"dwcs_bpf_ops"	/* the registered struct_ops map */
#define DWCS_BPF_PIN_CFG	"dwcs_cfg"
#define DWCS_BPF_PIN_STATE	"dwcs_state"
#define DWCS_BPF_PIN_CONF	"dwcs_conf"
#define DWCS_BPF_PIN_COOKIES	"dwcs_cookies"
#define DWCS_BPF_PIN_SLOTS	"dwcs_slots"		/* socket cookie -> its send slot */

/* dwcs_cookies[socket cookie]: the socket's stream, written by user space only. */
struct dwcs_bpf_sock {
	__u32 minor;		/* the stream: dwcs_cfg[minor] */
	__u32 slot_flags;	/* DWCS_MARK_* bits its send slot may carry (set_slot; 0: none) */
};

/* dwcs_conf[0]: the root's parameters (what tc options are for sch_dwcs). */
struct dwcs_bpf_conf {
	__u64 rate;		/* link shaper, bytes per second; 0 = none */
	__u32 limit;		/* packets in the whole qdisc */
	__u32 markmask;		/* skb->mark bits of the DWCS_MARK_* field */
	__u32 mark_shift;	/* ctz(markmask) */
	__u32 order;		/* DWCS_ORDER_DEADLINE (table A) or DWCS_ORDER_WINDOW (table B) */
	__u32 work_conserving;	/* 1: a head is eligible before d - T */
	__u32 handle_major;	/* classid major in skb->priority that selects a stream */
};

/* dwcs_cfg[minor]: a stream, written by user space only. */
struct dwcs_bpf_cfg {
	__u64 period_ns;	/* T (ipg); 0 = no stream (best effort) */
	__u32 x, y;		/* window constraint x/y (oln/old); 0/0: pure EDF */
	__u32 flags;		/* DWCS_CLASS_F_* */
	__u32 limit;		/* packets queued in this stream */
	__u32 gen;		/* bumped on every add and change: the window restarts */
	__u32 epoch;		/* bumped on every add: the counters restart */
	__u64 max_rate;		/* byte-rate ceiling, bytes per second; 0 = none (qsockd sets
				 * what its policy counted, as sch_dwcs's class maxrate) */
};

/* Per-stream counters, in dwcs_state[minor].st; user space reads them (qinfo). */
struct dwcs_bpf_stats {
	__u64 sent_pkts;
	__u64 sent_bytes;
	__u64 drop_late;	/* own deadline passed (lossy, droppable) */
	__u64 drop_window;	/* stream period passed (lossy, droppable) */
	__u64 drop_overflow;	/* stream or qdisc limit */
	__u64 drop_nondroppable;/* non-droppable, but over the limit */
	__u64 drop_frame;	/* dropped because another packet of its frame was */
	__u64 late_sent;	/* sent after its deadline */
	__u64 misses;		/* deadlines missed (one per period) */
	__u64 violations;	/* misses with x' = 0 */
	__u64 delay_sum_ns;
	__u64 delay_max_ns;
	__u64 horizon_caps;	/* own deadlines beyond DWCS_DEFAULT_HORIZON_NS, clamped */
	__u32 cur_x, cur_y;	/* x'/y' */
	__u32 backlog;		/* packets queued */
	__u32 gen;		/* the dwcs_cfg generation the stream last took */
	__u32 epoch;		/* the dwcs_cfg epoch these counters belong to */
	__u32 pad;
};

#endif /* QSOCK_DWCS_QDISC_H */
