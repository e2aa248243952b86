/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dwcs_core.h — Dynamic Window-Constrained Scheduling, the algorithm without the qdisc.
 *
 * The state machine of DWCS (West, Schwan, Poellabauer; ICMCS'99, RTSS'00, IEEE TC 2004) as
 * sch_dwcs runs it, with no Qdisc, sk_buff or netlink type in it (the codel.h model): the
 * qdisc keeps the packets and reaches them for the core through two callbacks, so the same
 * source is compiled into the module and into the user-space unit tests and benchmark.
 *
 * Streams. A stream has a request period T (ipg), a window constraint x/y (oln/old: at most x
 * of any y consecutive deadlines may be missed; 0/0 is pure EDF) and flags (lossless,
 * non-droppable, per-packet EDF deadlines). Its head packet's deadline d advances by T per
 * service or per missed period; the current constraint x'/y' moves as in docs/dwcs.md.
 *
 * Calls, all under the owner's lock, all O(log n) in the number of backlogged streams
 * (plus O(k) for k packets dropped):
 *   dwcs_admit()     may this packet be queued? (late at enqueue, rest of a dropped frame)
 *   dwcs_arrived()   a packet was appended to the stream's queue
 *   dwcs_select()    account misses, drop what must go, return the stream to serve
 *   dwcs_charge()    the size of that head, for the stream's byte-rate ceiling (max_rate)
 *   dwcs_served()    the head of that stream was taken off its queue and is being sent
 *   dwcs_unlinked()  the owner removed a packet itself (overflow victim)
 *   dwcs_stream_detach() / dwcs_stream_change()  class deletion, reset, `tc class change`
 */
#ifndef _DWCS_CORE_H
#define _DWCS_CORE_H

#include "dwcs_types.h"
#include "dwcs_tree.h"
#include <uapi/linux/pkt_sch_dwcs.h>

/*
 * What the core knows of a packet. It lives in the packet's qdisc cb, which has 20 bytes:
 * packed to 4-byte alignment it takes 20 instead of the 24 natural alignment would need.
 */
struct dwcs_pkt {
	u64 deadline;	/* absolute CLOCK_MONOTONIC ns, 0 = none (use the stream's period) */
	u64 enqueued;	/* ns, for FCFS ties and queueing delay */
	u8 mark;	/* DWCS_MARK_* flags from skb->mark */
	u8 state;	/* DWCS_PKT_*, written by dwcs_admit() */
} __attribute__((packed, aligned(4)));

#define DWCS_PKT_IN_FRAME	0x01	/* part of an application frame (START..END) */

/* Why a packet left without being sent. */
enum dwcs_drop_reason {
	DWCS_DROP_LATE,		/* its own deadline passed (lossy, droppable) */
	DWCS_DROP_WINDOW,	/* its stream period passed (lossy, droppable) */
	DWCS_DROP_FRAME,	/* another packet of its frame was dropped */
	DWCS_DROP_OVERFLOW,	/* class or qdisc limit */
	DWCS_DROP_NONDROPPABLE,	/* non-droppable, but nothing else could make room */
	DWCS_NR_DROP_REASONS
};

/*
 * Per-stream counters, exported as TCA_DWCS_STATS_*. The four every service updates come
 * first, so that they share one cache line (struct dwcs_stream).
 */
struct dwcs_stream_stats {
	u64 sent;
	u64 late_sent;		/* sent after its deadline (lossless, or not droppable) */
	u64 delay_sum_ns;
	u64 delay_max_ns;
	u64 misses;		/* deadlines missed, one per period (or per EDF deadline instant) */
	u64 violations;		/* misses with x' = 0 */
	u64 drops[DWCS_NR_DROP_REASONS];
};

/* The user's description of a stream, as validated by dwcs_params_check(). */
struct dwcs_stream_params {
	u64 period_ns;		/* T */
	u32 x;			/* oln: tolerated misses ... */
	u32 y;			/* old: ... per window of y deadlines; 0/0 = pure EDF */
	u32 flags;		/* DWCS_CLASS_F_* */
	u64 max_rate;		/* byte-rate ceiling, bytes per second; 0 = none */
};

enum dwcs_frame_state {
	DWCS_FRAME_NONE,
	DWCS_FRAME_SENDING,	/* part of a frame went out: the rest is committed */
};

/*
 * Laid out by cache line, for 10,000 streams served in turn, each decision's stream last
 * touched 10,000 decisions earlier (docs/dwcs.md "Cost per decision"): the first line holds
 * what the tree keys, dwcs_select() and the re-keying read, the second what a packet in or
 * out changes (parameters, backlog counts, flags), the third the counters every service
 * updates; the rest is read only on a miss, a ceiling or a statistics dump. A decision thus
 * touches three lines of the stream, and the first two are a 128-byte-aligned pair, which
 * the hardware's adjacent-line prefetch fetches together. The alignment is what makes the
 * lines hold: 248 bytes at an arbitrary offset touched five. Cost: 256 bytes a stream
 * instead of 248, and its owner's structure is aligned (kmalloc's power-of-two caches and
 * aligned_alloc() are; a stream off its alignment only loses this).
 */
struct dwcs_stream {
	/* line 0: sort keys, cached from the head so that comparisons touch no packet */
	u64 key_deadline;	/* head's EDF deadline, or d */
	u64 key_arrival;	/* head's enqueue time (FCFS) */
	u64 key_eligible;	/* d - T, or 0 when eligible at once */
	u64 key_deadline_stored; /* a copy of the DEADLINE tree's key (a lower bound), when in */
	u64 deadline;		/* period deadline d of the head (or of the next arrival) */
	const struct dwcs_pkt *head;	/* the packet the keys were taken from */
	u32 xc, yc;		/* x'/y' (docs/dwcs.md "Window adjustment") */
	u32 id;			/* last tie-break: a stable order for equal everything */
	u32 leaf;		/* its leaf in each of the trees: 0 .. streams - 1, dense */

	/* line 1 */
	struct dwcs_stream_params p;
	u32 backlog;		/* packets queued (kept by the core through the calls above) */
	u32 backlog_nondrop;	/* packets queued with DWCS_MARK_NONDROPPABLE */
	u32 backlog_prio[4];	/* droppable packets queued, by drop priority */
	bool tagged;		/* violated: the next on-time service resets x'/y' to x/y */
	bool head_late;		/* the current head already had its miss accounted */
	u8 frame;		/* enum dwcs_frame_state, dequeue side */
	bool frame_optional;	/* the frame in flight began as an optional head */
	bool enq_frame_open;	/* enqueue side: a FRAME_START was seen, no FRAME_END yet */
	bool enq_frame_drop;	/* enqueue side: drop the rest of the open frame */
	u8 in_trees;		/* DWCS_IN_WAIT | DWCS_IN_DEADLINE: a copy of the membership */
	bool head_edf;		/* the head carries its own deadline */
	bool head_optional;	/* its window can lose the head (table A ranks it after the rest) */

	/* lines 2-3: the counters (the per-service ones first), then the rarely used */
	struct dwcs_stream_stats st;
	u64 last_miss;		/* EDF: deadline instant whose miss was last accounted */
	u64 ceiling_next;	/* the ceiling lets the next packet go from then (dwcs_charge) */
	bool started;		/* deadline holds a value (the stream was active before); read
				 * only when the stream becomes active */
	bool missed_once;	/* last_miss is valid */
	bool ceiling_held;	/* ceiling_next holds a value */
} DWCS_CACHELINE_ALIGNED;

struct dwcs_sched;

struct dwcs_ops {
	/* The head packet of @s, NULL when its queue is empty. */
	struct dwcs_pkt *(*head)(struct dwcs_sched *sched, struct dwcs_stream *s);
	/* Take the head of @s off its queue and free it; the core has accounted it already. */
	void (*drop_head)(struct dwcs_sched *sched, struct dwcs_stream *s,
			  enum dwcs_drop_reason why);
};

struct dwcs_sched {
	struct dwcs_tree tree[DWCS_NR_TREES];
	const struct dwcs_ops *ops;
	u8 order;		/* DWCS_ORDER_* */
	bool work_conserving;
	bool saw_optional;	/* some head was optional once: READY's top may not be the
				 * earliest deadline (dwcs_select) */
	u32 streams;		/* attached streams (the trees must have this many leaves) */
	u32 backlog_nondrop;	/* packets marked non-droppable queued, all streams */
	struct dwcs_stream **by_leaf;	/* attached streams by leaf number */
	/*
	 * Bytes of the owner's per-stream state right after each struct dwcs_stream that a
	 * decision reads (its packet queue), prefetched with the streams likely served next
	 * (dwcs_select()); 0 after dwcs_sched_init(), the owner sets it.
	 */
	u32 prefetch_after;
};

/* Verdict of dwcs_admit(). */
enum dwcs_admit {
	DWCS_ADMIT_OK,
	DWCS_ADMIT_DROP_LATE,
	DWCS_ADMIT_DROP_FRAME,
};

/* Verdict of dwcs_overflow_victim(): a drop priority 0..3 of a queued packet to drop, or: */
#define DWCS_VICTIM_INCOMING	-1	/* drop the arriving packet */

/* Bytes of memory the trees of @cap streams need (dwcs_sched_init, dwcs_sched_resize). */
size_t dwcs_sched_mem_size(u32 cap);
void dwcs_sched_init(struct dwcs_sched *sched, const struct dwcs_ops *ops, void *mem, u32 cap);
/* Moves the trees into @mem (dwcs_sched_mem_size(@cap) bytes); returns the old memory. */
void *dwcs_sched_resize(struct dwcs_sched *sched, void *mem, u32 cap);
static inline u32 dwcs_sched_capacity(const struct dwcs_sched *sched)
{
	return sched->tree[0].cap;
}

int dwcs_params_check(const struct dwcs_stream_params *p, const char **why);
/* Needs dwcs_sched_capacity() > sched->streams. */
void dwcs_stream_attach(struct dwcs_sched *sched, struct dwcs_stream *s,
			const struct dwcs_stream_params *p, u32 id);
void dwcs_stream_detach(struct dwcs_sched *sched, struct dwcs_stream *s);
void dwcs_stream_change(struct dwcs_sched *sched, struct dwcs_stream *s,
			const struct dwcs_stream_params *p, u64 now);
/*
 * Changes the precedence table or the work-conserving mode. The trees are emptied: the caller
 * then calls dwcs_requeue() for every attached stream.
 */
void dwcs_sched_set_mode(struct dwcs_sched *sched, u8 order, bool work_conserving);
/* Re-reads the head of @s and puts the stream where it belongs (or nowhere when empty). */
void dwcs_requeue(struct dwcs_sched *sched, struct dwcs_stream *s, u64 now);
/* The owner freed every packet of @s (qdisc reset); the stream stays attached. */
void dwcs_stream_purged(struct dwcs_sched *sched, struct dwcs_stream *s);

enum dwcs_admit dwcs_admit(struct dwcs_sched *sched, struct dwcs_stream *s,
			   struct dwcs_pkt *pkt, u64 now);
void dwcs_arrived(struct dwcs_sched *sched, struct dwcs_stream *s, const struct dwcs_pkt *pkt,
		  u64 now);
/*
 * Returns the stream whose head goes next, or NULL with *@next_eligible set to the instant
 * the first waiting stream becomes eligible (U64_MAX when no stream is backlogged). Late
 * heads are accounted and, where lossy, dropped through ops->drop_head() on the way.
 */
struct dwcs_stream *dwcs_select(struct dwcs_sched *sched, u64 now, u64 *next_eligible);
/* @now must be the instant dwcs_select() was called with. */
/*
 * The ceiling (max_rate): a token bucket of one period's worth of bytes (max_rate x T) in
 * GCRA form, so that over any interval I the stream sends at most max_rate x (I + T) bytes
 * plus one packet, whatever its packets' size. Call it for the packet dwcs_select() chose,
 * before dwcs_served(). A stream held back misses its deadlines like one starved by others,
 * so lossy streams drop and the window constraint accounts the overrun.
 */
void dwcs_charge(struct dwcs_stream *s, u32 len, u64 now);
void dwcs_served(struct dwcs_sched *sched, struct dwcs_stream *s, const struct dwcs_pkt *pkt,
		 u64 now);
void dwcs_unlinked(struct dwcs_sched *sched, struct dwcs_stream *s, const struct dwcs_pkt *pkt,
		   enum dwcs_drop_reason why, u64 now);
/*
 * Class full: which packet goes? Droppable packets of the highest drop priority first, the
 * arriving one when it ranks at least as high (cheapest, and never reorders); a packet marked
 * non-droppable only when nothing else could go, and then the arriving one.
 */
int dwcs_overflow_victim(const struct dwcs_stream *s, const struct dwcs_pkt *incoming);

static inline void dwcs_count_drop(struct dwcs_stream *s, enum dwcs_drop_reason why)
{
	s->st.drops[why]++;
}

/* Pairwise precedence (the published tables): true when @a goes before @b. */
bool dwcs_precedes(u8 order, const struct dwcs_stream *a, const struct dwcs_stream *b);
/* The window-constraint adjustments, exposed for tests. */
void dwcs_window_on_time(struct dwcs_stream *s);
void dwcs_window_missed(struct dwcs_stream *s, u64 n);
bool dwcs_pkt_droppable(const struct dwcs_stream *s, const struct dwcs_pkt *pkt);

static inline u8 dwcs_mark_drop_prio(u8 mark)
{
	return (mark & DWCS_MARK_DROPPRIO_MASK) >> DWCS_MARK_DROPPRIO_SHIFT;
}

#endif /* _DWCS_CORE_H */
