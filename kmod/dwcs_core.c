// SPDX-License-Identifier: GPL-2.0
/*
 * dwcs_core.c — the DWCS state machine (see dwcs_core.h and docs/dwcs.md).
 *
 * Three tournament trees (dwcs_tree.h) hold the backlogged streams:
 *   READY     eligible streams, ordered by the precedence table; its top is served next;
 *   WAIT      non-work-conserving mode only: streams whose head is not yet eligible
 *             (before d - T), ordered by the instant it becomes so;
 *   DEADLINE  the READY streams whose head deadline has not been accounted yet, by deadline,
 *             so that misses are found in O(k log n) for k misses whatever the table. Its
 *             keys are lower bounds: a deadline that moved later (every service moves it
 *             by T) is not re-keyed until its old value comes due, and in table A not even
 *             then unless READY's top, the earliest deadline, has passed (optional heads,
 *             which rank after the rest, make the top's deadline no longer the earliest:
 *             see dwcs_select). A served stream
 *             thus costs one replay (READY) instead of two; the correction, when due, is the
 *             replay that was skipped, so the amortized cost is never higher.
 * A stream is re-keyed only when its own head or window changes, so every call costs
 * O(log n) amortized plus O(1) per dropped packet.
 */
#include "dwcs_core.h"

/* ---------------------------------------------------------------- window constraint */

/* (A) The head was served by its deadline. */
void dwcs_window_on_time(struct dwcs_stream *s)
{
	/*
	 * if y' > x': y'--; else if y' == x' > 0: x'--, y'--; then reset when 0/0 or tagged.
	 * Without branches: which case applies depends on the stream served, and at 10,000
	 * streams served in turn each of these was mispredicted about once a decision.
	 */
	u32 xc = s->xc, yc = s->yc, both = (yc == xc) & (xc > 0), keep;

	yc -= (yc > xc) | both;
	xc -= both;
	/* all ones unless reset; hidden from the optimizer, which would branch on it */
	keep = (u32)(((xc | yc) == 0) | s->tagged) - 1;
	__asm__ ("" : "+r" (keep));
	s->xc = (xc & keep) | (s->p.x & ~keep);
	s->yc = (yc & keep) | (s->p.y & ~keep);
	s->tagged = false;
}

/*
 * (B) @n consecutive deadlines were missed. Applying (B) n times one by one would hold the
 * qdisc lock for as many periods as a stalled link lasted, so whole runs are applied at once:
 * x' misses count down to the reset or to x' = 0, and from then on every miss is a violation
 * that raises y' by one (saturating; x' = 0 already is the lowest constraint, a larger y' is
 * the only way to gain precedence over other zero-constraint streams).
 */
void dwcs_window_missed(struct dwcs_stream *s, u64 n)
{
	s->st.misses += n;
	while (n) {
		if (s->xc > 0) {
			u32 k = n < s->xc ? (u32)n : s->xc;

			s->xc -= k;
			s->yc -= k;
			n -= k;
			if (s->xc == 0 && s->yc == 0) {
				s->xc = s->p.x;
				s->yc = s->p.y;
				/* x = y tolerates every miss: the state cycles with period x. */
				if (s->p.x == s->p.y && s->p.x)
					n %= s->p.x;
			}
		} else {
			s->st.violations += n;
			s->yc = n >= (u64)(U32_MAX - s->yc) ? U32_MAX : s->yc + (u32)n;
			s->tagged = true;
			n = 0;
		}
	}
}

/* ---------------------------------------------------------------- precedence */

/* x'/y' of @a against @b: <0, 0, >0. Cross-multiplied, never divided; 0/y' is 0 for any y'. */
static int dwcs_window_cmp(const struct dwcs_stream *a, const struct dwcs_stream *b)
{
	u64 l, r;

	if (a->xc == 0 || b->xc == 0)
		return (int)(b->xc == 0) - (int)(a->xc == 0);
	/* x' > 0 implies y' >= x' > 0; both products fit in 64 bits (x' <= 65535). */
	l = (u64)a->xc * b->yc;
	r = (u64)b->xc * a->yc;
	return l < r ? -1 : l > r;
}

static bool dwcs_fcfs(const struct dwcs_stream *a, const struct dwcs_stream *b)
{
	if (a->key_arrival != b->key_arrival)
		return dwcs_time_before(a->key_arrival, b->key_arrival);
	return a->id < b->id;
}

/*
 * Table A's deadline of a head. An optional head (dwcs_requeue) ranks DWCS_OPTIONAL_LAG
 * later than its deadline: after every other head, and among optional heads by deadline.
 * Why: heads with their own deadlines (frames) almost never tie, so the table's window rules
 * would never be reached and its drops would fall on whichever stream's frame expires first,
 * whatever its window has left; ranked so, the link serves the frames a window cannot lose
 * first, and the frames a window can lose take what is left and are dropped when late.
 * 2^61 ns (73 years) keeps the wrap-safe order: every deadline lies within the horizon
 * (at most an hour) of now, so two ranks differ by far less than 2^63.
 */
#define DWCS_OPTIONAL_LAG	(1ULL << 61)

static u64 dwcs_rank_deadline(const struct dwcs_stream *s)
{
	return s->key_deadline + (s->head_optional ? DWCS_OPTIONAL_LAG : 0);
}

/* Table A (ICMCS'99, IEEE TC 2004 "Table 1"): deadline first. */
static bool dwcs_precedes_a(const struct dwcs_stream *a, const struct dwcs_stream *b)
{
	u64 da = dwcs_rank_deadline(a), db = dwcs_rank_deadline(b);
	int c;

	if (da != db)
		return dwcs_time_before(da, db);
	c = dwcs_window_cmp(a, b);
	if (c)
		return c < 0;
	if (a->xc == 0) {
		if (a->yc != b->yc)
			return a->yc > b->yc;
	} else if (a->xc != b->xc) {
		return a->xc < b->xc;
	}
	return dwcs_fcfs(a, b);
}

/* Table B (RTSS'00): window constraint first. */
static bool dwcs_precedes_b(const struct dwcs_stream *a, const struct dwcs_stream *b)
{
	int c = dwcs_window_cmp(a, b);

	if (c)
		return c < 0;
	if (a->xc != 0) {
		if (a->key_deadline != b->key_deadline)
			return dwcs_time_before(a->key_deadline, b->key_deadline);
		if (a->xc != b->xc)
			return a->xc < b->xc;
	} else {
		if (a->yc != b->yc)
			return a->yc > b->yc;
		if (a->key_deadline != b->key_deadline)
			return dwcs_time_before(a->key_deadline, b->key_deadline);
	}
	return dwcs_fcfs(a, b);
}

bool dwcs_precedes(u8 order, const struct dwcs_stream *a, const struct dwcs_stream *b)
{
	return order == DWCS_ORDER_WINDOW_FIRST ? dwcs_precedes_b(a, b) : dwcs_precedes_a(a, b);
}

static bool dwcs_ready_less(const struct dwcs_stream *a, const struct dwcs_stream *b,
			    const void *arg)
{
	const struct dwcs_sched *sched = arg;

	return dwcs_precedes(sched->order, a, b);
}

/*
 * The window constraint as one number that orders as dwcs_window_cmp() does, for the tree
 * keys: every zero constraint (0/y') below every other, among them the larger y' first
 * (U32_MAX - y'); then x'/y' as 32.32 fixed point, floor(x' * 2^32 / y'), and with
 * @then_lowest_x, x' in the low 16 bits for table A's rule 4. The floors are exact: x' > 0
 * implies y' <= y <= DWCS_MAX_WINDOW (y' grows only by violations, at x' = 0, and a reset
 * returns to x/y), and two different ratios of such numbers differ by more than 2^-32.
 * Below 2^50, so the wrap-safe comparison of tree keys orders it as a plain number.
 */
static u64 dwcs_window_rank(const struct dwcs_stream *s, bool then_lowest_x)
{
	u64 ratio;

	if (!s->xc)
		return U32_MAX - s->yc;
	ratio = div64_u64((u64)s->xc << 32, s->yc);
	return (1ULL << 32) + (then_lowest_x ? ratio << 16 | s->xc : ratio);
}

/*
 * READY keys: the whole published table, so that the keys decide every comparison but one
 * between two streams with equal everything (dwcs_precedes() then, which ends on the id).
 * Table A: deadline, window (x'/y', then the lower x'), head arrival (FCFS), id.
 * Table B: window, deadline, x' (rule 3; 0 for every zero constraint, whose rule 5 the
 * window key decided), head arrival.
 */
static void dwcs_ready_key(const struct dwcs_stream *s, const void *arg, u64 key[DWCS_TREE_KEYS])
{
	const struct dwcs_sched *sched = arg;

	if (sched->order != DWCS_ORDER_WINDOW_FIRST) {
		key[0] = dwcs_rank_deadline(s);
		key[1] = dwcs_window_rank(s, true);
		key[2] = s->key_arrival;
		key[3] = s->id;
	} else {
		key[0] = dwcs_window_rank(s, false);
		key[1] = s->key_deadline;
		key[2] = s->xc;
		key[3] = s->key_arrival;
	}
}

/* WAIT and DEADLINE: an instant, then the id; the keys decide every comparison. */
static void dwcs_wait_key(const struct dwcs_stream *s, const void *arg, u64 key[DWCS_TREE_KEYS])
{
	key[0] = s->key_eligible;
	key[1] = s->id;
	key[2] = 0;
	key[3] = 0;
}

static void dwcs_deadline_key(const struct dwcs_stream *s, const void *arg,
			      u64 key[DWCS_TREE_KEYS])
{
	key[0] = s->key_deadline;
	key[1] = s->id;
	key[2] = 0;
	key[3] = 0;
}

static bool dwcs_wait_less(const struct dwcs_stream *a, const struct dwcs_stream *b,
			   const void *arg)
{
	if (a->key_eligible != b->key_eligible)
		return dwcs_time_before(a->key_eligible, b->key_eligible);
	return a->id < b->id;
}

static bool dwcs_deadline_less(const struct dwcs_stream *a, const struct dwcs_stream *b,
			       const void *arg)
{
	if (a->key_deadline != b->key_deadline)
		return dwcs_time_before(a->key_deadline, b->key_deadline);
	return a->id < b->id;
}

/* ---------------------------------------------------------------- setup */

size_t dwcs_sched_mem_size(u32 cap)
{
	return (size_t)cap * (DWCS_NR_TREES * (sizeof(struct dwcs_tree_slot) + 2 * sizeof(u32)) +
			      sizeof(struct dwcs_stream *));
}

/*
 * READY in table A with many eligible streams: matches take deadline, window and head arrival
 * without a branch (dwcs_tree_replay()). Streams of equal period share deadlines and equal
 * windows share ranks: at 10,000 streams in dwcs_bench 18 % of table A's matches tied on the
 * first two keys, each then a mispredicted branch; the third key in every match costs more
 * than that at 100 streams, and in table B, whose third key (x') rarely breaks those ties.
 */
#define DWCS_THIRD_KEY_FROM	2048

static void dwcs_sched_tune(struct dwcs_sched *sched)
{
	sched->tree[DWCS_TREE_READY].third_key_from =
		sched->order != DWCS_ORDER_WINDOW_FIRST ? DWCS_THIRD_KEY_FROM : U32_MAX;
}

/* Lays out @mem: every tree's leaves, every tree's nodes, then the streams by leaf. */
static void dwcs_sched_bind(struct dwcs_sched *sched, void *mem, u32 cap)
{
	struct dwcs_tree_slot *slot = mem;
	u32 *win = (u32 *)(slot + (size_t)DWCS_NR_TREES * cap);
	int k;

	for (k = 0; k < DWCS_NR_TREES; k++) {
		sched->tree[k].slot = slot + (size_t)k * cap;
		sched->tree[k].win = win + (size_t)k * 2 * cap;
		sched->tree[k].cap = cap;
	}
	sched->by_leaf = (struct dwcs_stream **)(win + (size_t)DWCS_NR_TREES * 2 * cap);
	dwcs_sched_tune(sched);
}

void dwcs_sched_init(struct dwcs_sched *sched, const struct dwcs_ops *ops, void *mem, u32 cap)
{
	int k;

	memset(sched, 0, sizeof(*sched));
	sched->ops = ops;
	sched->order = DWCS_ORDER_DEADLINE_FIRST;
	dwcs_tree_init(&sched->tree[DWCS_TREE_READY], dwcs_ready_less, dwcs_ready_key, sched);
	dwcs_tree_init(&sched->tree[DWCS_TREE_WAIT], dwcs_wait_less, dwcs_wait_key, NULL);
	dwcs_tree_init(&sched->tree[DWCS_TREE_DEADLINE], dwcs_deadline_less, dwcs_deadline_key,
		       NULL);
	dwcs_sched_bind(sched, mem, cap);
	for (k = 0; k < DWCS_NR_TREES; k++)
		dwcs_tree_clear(&sched->tree[k]);
}

void *dwcs_sched_resize(struct dwcs_sched *sched, void *mem, u32 cap)
{
	struct dwcs_stream **by_leaf = sched->by_leaf;
	struct dwcs_tree prev[DWCS_NR_TREES];
	int k;

	memcpy(prev, sched->tree, sizeof(prev));
	dwcs_sched_bind(sched, mem, cap);
	memcpy(sched->by_leaf, by_leaf, sched->streams * sizeof(*by_leaf));
	for (k = 0; k < DWCS_NR_TREES; k++) {
		struct dwcs_tree *t = &sched->tree[k];

		/* the leaves keep their numbers; the nodes above them are played again */
		dwcs_tree_clear(t);
		memcpy(t->slot, prev[k].slot, sched->streams * sizeof(*t->slot));
		memcpy(&t->win[cap], &prev[k].win[prev[k].cap], sched->streams * sizeof(*t->win));
		t->len = prev[k].len;
		dwcs_tree_rebuild(t);
	}
	return prev[0].slot;
}

int dwcs_params_check(const struct dwcs_stream_params *p, const char **why)
{
	if (p->period_ns < DWCS_MIN_IPG_NS || p->period_ns > DWCS_MAX_IPG_NS) {
		*why = "ipg out of range (1us to 60s)";
		return -ERANGE;
	}
	if (p->y > DWCS_MAX_WINDOW) {
		*why = "old (window y) larger than 65535";
		return -ERANGE;
	}
	if (p->x > p->y) {
		*why = "oln (x) larger than old (y): at most y of y deadlines can be missed";
		return -EINVAL;
	}
	if (p->flags & ~DWCS_CLASS_F_ALL) {
		*why = "unknown class flag";
		return -EINVAL;
	}
	return 0;
}

/*
 * WAIT and DEADLINE through a copy, in the stream, of its membership and of its stored
 * DEADLINE key: a served stream (in READY, usually in DEADLINE with a key that stays a lower
 * bound) then needs neither its WAIT nor its DEADLINE leaf, two cache lines that at 10,000
 * streams were last touched 10,000 decisions ago. The trees stay the reference: every change
 * to WAIT and DEADLINE goes through these.
 */
#define DWCS_IN_WAIT		0x01
#define DWCS_IN_DEADLINE	0x02

static void dwcs_wait_remove(struct dwcs_sched *sched, struct dwcs_stream *s)
{
	if (!(s->in_trees & DWCS_IN_WAIT))
		return;
	dwcs_tree_remove(&sched->tree[DWCS_TREE_WAIT], s);
	s->in_trees &= ~DWCS_IN_WAIT;
}

static void dwcs_wait_update(struct dwcs_sched *sched, struct dwcs_stream *s)
{
	dwcs_tree_update(&sched->tree[DWCS_TREE_WAIT], s);
	s->in_trees |= DWCS_IN_WAIT;
}

static void dwcs_dl_remove(struct dwcs_sched *sched, struct dwcs_stream *s)
{
	if (!(s->in_trees & DWCS_IN_DEADLINE))
		return;
	dwcs_tree_remove(&sched->tree[DWCS_TREE_DEADLINE], s);
	s->in_trees &= ~DWCS_IN_DEADLINE;
}

static void dwcs_dl_update(struct dwcs_sched *sched, struct dwcs_stream *s)
{
	dwcs_tree_update(&sched->tree[DWCS_TREE_DEADLINE], s);
	s->key_deadline_stored = s->key_deadline;
	s->in_trees |= DWCS_IN_DEADLINE;
}

/*
 * dwcs_tree_update_if_earlier() on DEADLINE, decided on the copy: its keys are the deadline
 * and the id, so the new key orders first exactly when the deadline is earlier.
 */
static void dwcs_dl_update_if_earlier(struct dwcs_sched *sched, struct dwcs_stream *s)
{
	if ((s->in_trees & DWCS_IN_DEADLINE) &&
	    !dwcs_time_before(s->key_deadline, s->key_deadline_stored))
		return;
	dwcs_dl_update(sched, s);
}

/*
 * A stream whose queue ran empty leaves READY and WAIT but keeps its DEADLINE entry, stale:
 * a stored DEADLINE key is only a lower bound (dwcs_dl_update_if_earlier()), and its next
 * activation, a period or more later, keys it later still, so the entry needs no replay then
 * either. A stale entry that comes due at the top is removed there (dwcs_select(), by the
 * stream's empty head). Why: a stream that goes idle after each packet (many streams each
 * sending less than a queue's worth, as in test/bench/vm-flood) cost four replays a packet,
 * two of them DEADLINE's; now, in table A, two. Cost: the tree holds idle streams, up to one
 * leaf each (it has one per attached stream anyway), and in table B, which looks at
 * DEADLINE's top every decision, the removal happens there instead of at the emptying.
 */
static void dwcs_stream_idle(struct dwcs_sched *sched, struct dwcs_stream *s)
{
	dwcs_tree_remove(&sched->tree[DWCS_TREE_READY], s);
	dwcs_wait_remove(sched, s);
	s->head = NULL;
}

/* Out of every tree: the stream is purged or detached, its queue state is gone. */
static void dwcs_stream_unqueue(struct dwcs_sched *sched, struct dwcs_stream *s)
{
	dwcs_stream_idle(sched, s);
	dwcs_dl_remove(sched, s);
}

void dwcs_stream_attach(struct dwcs_sched *sched, struct dwcs_stream *s,
			const struct dwcs_stream_params *p, u32 id)
{
	memset(s, 0, sizeof(*s));
	s->p = *p;
	s->xc = p->x;
	s->yc = p->y;
	s->id = id;
	s->leaf = sched->streams++;
	sched->by_leaf[s->leaf] = s;
}

void dwcs_stream_detach(struct dwcs_sched *sched, struct dwcs_stream *s)
{
	u32 last = --sched->streams;
	struct dwcs_stream *moved;
	int k;

	dwcs_stream_unqueue(sched, s);
	sched->backlog_nondrop -= s->backlog_nondrop;
	s->backlog_nondrop = 0;
	if (s->leaf == last)
		return;
	/* The last leaf's stream moves into the freed one, with its stored keys. */
	moved = sched->by_leaf[last];
	sched->by_leaf[s->leaf] = moved;
	for (k = 0; k < DWCS_NR_TREES; k++)
		dwcs_tree_move_leaf(&sched->tree[k], last, s->leaf);
	moved->leaf = s->leaf;
}

void dwcs_stream_purged(struct dwcs_sched *sched, struct dwcs_stream *s)
{
	dwcs_stream_unqueue(sched, s);
	sched->backlog_nondrop -= s->backlog_nondrop;
	s->backlog = 0;
	s->backlog_nondrop = 0;
	memset(s->backlog_prio, 0, sizeof(s->backlog_prio));
	s->head_late = false;
	s->frame = DWCS_FRAME_NONE;
	s->frame_optional = false;
	s->enq_frame_open = false;
	s->enq_frame_drop = false;
	s->started = false;
}

/*
 * A live change restarts the window at the new x/y and, for a backlogged stream, the period
 * at now: the queued packets stay and are scheduled under the new parameters.
 */
void dwcs_stream_change(struct dwcs_sched *sched, struct dwcs_stream *s,
			const struct dwcs_stream_params *p, u64 now)
{
	s->p = *p;
	s->xc = p->x;
	s->yc = p->y;
	s->tagged = false;
	s->missed_once = false;
	if (s->backlog) {
		s->deadline = now + p->period_ns;
		s->head_late = false;
		dwcs_requeue(sched, s, now);
	} else {
		s->started = false;
	}
}

void dwcs_sched_set_mode(struct dwcs_sched *sched, u8 order, bool work_conserving)
{
	int k;

	for (k = 0; k < DWCS_NR_TREES; k++) {
		struct dwcs_tree *h = &sched->tree[k];

		u32 i;

		for (i = 0; i < sched->streams; i++) {
			dwcs_tree_remove(h, sched->by_leaf[i]);
			sched->by_leaf[i]->in_trees = 0;
		}
	}
	sched->order = order;
	sched->work_conserving = work_conserving;
	dwcs_sched_tune(sched);
}

/* ---------------------------------------------------------------- queue bookkeeping */

bool dwcs_pkt_droppable(const struct dwcs_stream *s, const struct dwcs_pkt *pkt)
{
	return !(s->p.flags & (DWCS_CLASS_F_LOSSLESS | DWCS_CLASS_F_NONDROPPABLE)) &&
	       !(pkt->mark & DWCS_MARK_NONDROPPABLE);
}

static void dwcs_count_in(struct dwcs_sched *sched, struct dwcs_stream *s,
			  const struct dwcs_pkt *pkt)
{
	s->backlog++;
	if (pkt->mark & DWCS_MARK_NONDROPPABLE)
		s->backlog_nondrop++, sched->backlog_nondrop++;
	else
		s->backlog_prio[dwcs_mark_drop_prio(pkt->mark)]++;
}

static void dwcs_count_out(struct dwcs_sched *sched, struct dwcs_stream *s,
			   const struct dwcs_pkt *pkt)
{
	s->backlog--;
	if (pkt->mark & DWCS_MARK_NONDROPPABLE)
		s->backlog_nondrop--, sched->backlog_nondrop--;
	else
		s->backlog_prio[dwcs_mark_drop_prio(pkt->mark)]--;
	if (pkt == s->head) {
		/* The keys came from this packet: never compare a freed pointer with a new one. */
		s->head = NULL;
		s->head_late = false;
	}
}

/* More of @pkt's frame follows it (it is in a frame and not the frame's end). */
static bool dwcs_frame_continues(const struct dwcs_pkt *pkt)
{
	return (pkt->state & DWCS_PKT_IN_FRAME) && !(pkt->mark & DWCS_MARK_FRAME_END);
}

/* The head may be dropped for lateness: lossy, droppable, and not inside a frame in flight. */
static bool dwcs_head_droppable(const struct dwcs_stream *s, const struct dwcs_pkt *pkt)
{
	return dwcs_pkt_droppable(s, pkt) && s->frame != DWCS_FRAME_SENDING;
}

/*
 * The window can give up the head without risking the frames after it: a window (y > 0) with
 * more than one loss left, or one left and the head the window's last deadline (x' = y' = 1).
 * The last loss of a window is not spent on an optional head while later deadlines of the
 * same window must still be met: an optional head is dropped only at its deadline, and the
 * frame queued behind it, mandatory once x' = 0, would then compete for what is left of its
 * life only (scenario B of docs/evaluation.md, session 16: every window over its tolerance
 * in six runs was a B-frame dropped at x' = 1 and the next one, mandatory from then on, late
 * behind it). Cost: a stream keeps one loss in reserve, so its window delivers up to one
 * frame more than it must when the link is short.
 */
static bool dwcs_window_spares_head(const struct dwcs_stream *s)
{
	return s->p.y && (s->xc > 1 || (s->xc == 1 && s->yc == 1));
}

/*
 * Optional: a head with its own deadline that may be dropped for lateness and that the
 * stream's window can lose (table A ranks it after the rest; dwcs_yield_optional() gives it
 * up to a non-droppable packet behind it). Only per-packet deadlines: period heads tie on
 * deadlines often enough for the table's own window rules to decide.
 */
static bool dwcs_head_optional(const struct dwcs_stream *s, const struct dwcs_pkt *pkt)
{
	return (s->p.flags & DWCS_CLASS_F_EDF) && pkt->deadline && dwcs_window_spares_head(s) &&
	       dwcs_head_droppable(s, pkt);
}

/*
 * The rest of a frame that began as an optional head stays optional while no non-droppable
 * packet waits behind it in its stream: committed (not dropped for lateness: half a frame is
 * of no use, and its first packets are gone), but served after every other head, as its start
 * was. Ranked by its own deadline instead, the datagrams a paced sender hands over after the
 * frame began went ahead of every protected frame captured up to that deadline's length before
 * them, for as long as the sender paces a frame (scenario B of docs/evaluation.md, session 23:
 * nearly all the optional time the link spent while protected packets waited). Once a
 * non-droppable packet is queued behind it, the rest either goes (dwcs_yield_optional()) or
 * is ranked by its deadline again, to clear that packet's way.
 */
static bool dwcs_rest_optional(const struct dwcs_stream *s)
{
	return s->frame == DWCS_FRAME_SENDING && s->frame_optional && !s->backlog_nondrop;
}

static bool dwcs_ceiling_holds(const struct dwcs_stream *s, u64 now)
{
	return s->p.max_rate && s->ceiling_held && dwcs_time_before(now, s->ceiling_next);
}

void dwcs_requeue(struct dwcs_sched *sched, struct dwcs_stream *s, u64 now)
{
	struct dwcs_tree *ready = &sched->tree[DWCS_TREE_READY];
	struct dwcs_pkt *pkt = sched->ops->head(sched, s);
	bool held;

	if (!pkt) {
		dwcs_stream_idle(sched, s);
		return;
	}
	s->head = pkt;
	s->head_edf = (s->p.flags & DWCS_CLASS_F_EDF) && pkt->deadline;
	s->head_optional = dwcs_head_optional(s, pkt) || dwcs_rest_optional(s);
	if (s->head_optional)
		sched->saw_optional = true;
	s->key_arrival = pkt->enqueued;
	if (s->head_edf) {
		/* A per-packet deadline has no request period: eligible at once. */
		s->key_deadline = pkt->deadline;
		s->key_eligible = now;
	} else {
		s->key_deadline = s->deadline;
		s->key_eligible = s->deadline - s->p.period_ns;
	}
	/* the ceiling (dwcs_charge) holds back even a stream that could go at once */
	held = dwcs_ceiling_holds(s, now);
	if (held && (sched->work_conserving || s->head_edf ||
		     dwcs_time_before(s->key_eligible, s->ceiling_next)))
		s->key_eligible = s->ceiling_next;
	if (!held && (sched->work_conserving || s->head_edf ||
		      dwcs_time_after_eq(now, s->key_eligible))) {
		dwcs_wait_remove(sched, s);
		dwcs_tree_update(ready, s);
		/*
		 * A late EDF head had its miss accounted; it only waits for service now. Others
		 * keep their DEADLINE key when it moved later (a served stream's d += T): the
		 * stored key is then a lower bound, corrected by dwcs_select() if it ever comes
		 * due, and most never do.
		 */
		if (s->head_edf && s->head_late)
			dwcs_dl_remove(sched, s);
		else
			dwcs_dl_update_if_earlier(sched, s);
	} else {
		dwcs_tree_remove(ready, s);
		dwcs_wait_update(sched, s);
		/*
		 * Held by its ceiling, a stream can pass its deadline while it waits: it stays in
		 * the DEADLINE tree so that the miss is accounted, and a lossy head dropped, when
		 * dwcs_select() next looks there (at the latest when nothing ready is due), not
		 * only once the ceiling lets it go. Otherwise waiting means d - T is ahead, and d.
		 */
		if (held && !(s->head_edf && s->head_late))
			dwcs_dl_update_if_earlier(sched, s);
		else
			dwcs_dl_remove(sched, s);
	}
}

/* ---------------------------------------------------------------- frames and drops */

/* A miss of a per-packet deadline, accounted once per instant however many packets share it. */
static void dwcs_miss_instant(struct dwcs_stream *s, u64 deadline)
{
	if (s->missed_once && s->last_miss == deadline)
		return;
	s->missed_once = true;
	s->last_miss = deadline;
	dwcs_window_missed(s, 1);
}

/*
 * The packet just dropped opened a frame that has not ended: drop the members queued behind
 * it, and have dwcs_admit() drop those still to come. A new frame, a packet outside any frame
 * or a non-droppable packet ends the purge.
 */
static void dwcs_drop_frame_rest(struct dwcs_sched *sched, struct dwcs_stream *s)
{
	struct dwcs_pkt *pkt;

	while ((pkt = sched->ops->head(sched, s))) {
		bool end = pkt->mark & DWCS_MARK_FRAME_END;

		if (!(pkt->state & DWCS_PKT_IN_FRAME) || (pkt->mark & DWCS_MARK_FRAME_START) ||
		    (pkt->mark & DWCS_MARK_NONDROPPABLE))
			return;
		dwcs_count_out(sched, s, pkt);
		s->st.drops[DWCS_DROP_FRAME]++;
		sched->ops->drop_head(sched, s, DWCS_DROP_FRAME);
		if (end)
			return;
	}
	if (s->enq_frame_open)
		s->enq_frame_drop = true;
}

static void dwcs_drop_head(struct dwcs_sched *sched, struct dwcs_stream *s,
			   struct dwcs_pkt *pkt, enum dwcs_drop_reason why)
{
	bool frame_open = dwcs_frame_continues(pkt);

	dwcs_count_out(sched, s, pkt);
	s->st.drops[why]++;
	sched->ops->drop_head(sched, s, why);
	if (frame_open)
		dwcs_drop_frame_rest(sched, s);
}

/*
 * The head deadline of @s passed (key_deadline < now). EDF head: one miss for its instant;
 * dropped if lossy, else kept and marked late. Period head: one miss per period missed, each
 * taking one droppable head with it when lossy; d advances past now.
 */
static void dwcs_expire(struct dwcs_sched *sched, struct dwcs_stream *s, u64 now)
{
	struct dwcs_pkt *pkt = sched->ops->head(sched, s);
	u64 periods;

	if (s->head_edf) {
		dwcs_miss_instant(s, pkt->deadline);
		if (dwcs_head_droppable(s, pkt))
			dwcs_drop_head(sched, s, pkt, DWCS_DROP_LATE);
		else
			s->head_late = true;
		dwcs_requeue(sched, s, now);
		return;
	}

	periods = div64_u64(now - s->deadline - 1, s->p.period_ns) + 1;
	while (periods && pkt && dwcs_head_droppable(s, pkt)) {
		dwcs_window_missed(s, 1);
		s->deadline += s->p.period_ns;
		periods--;
		dwcs_drop_head(sched, s, pkt, DWCS_DROP_WINDOW);
		pkt = sched->ops->head(sched, s);
		/* An emptied stream accrues nothing; a new EDF head has its own deadline. */
		if (!pkt || ((s->p.flags & DWCS_CLASS_F_EDF) && pkt->deadline))
			periods = 0;
	}
	if (periods) {
		dwcs_window_missed(s, periods);
		s->deadline += periods * s->p.period_ns;
		s->head_late = true;
	}
	dwcs_requeue(sched, s, now);
}

/* ---------------------------------------------------------------- the calls */

enum dwcs_admit dwcs_admit(struct dwcs_sched *sched, struct dwcs_stream *s,
			   struct dwcs_pkt *pkt, u64 now)
{
	bool start = pkt->mark & DWCS_MARK_FRAME_START;
	bool end = pkt->mark & DWCS_MARK_FRAME_END;

	pkt->state = 0;
	if (start || end || s->enq_frame_open)
		pkt->state |= DWCS_PKT_IN_FRAME;
	if (start || !(pkt->state & DWCS_PKT_IN_FRAME))
		s->enq_frame_drop = false;
	s->enq_frame_open = (pkt->state & DWCS_PKT_IN_FRAME) && !end;

	if (s->enq_frame_drop && !(pkt->mark & DWCS_MARK_NONDROPPABLE)) {
		if (end)
			s->enq_frame_drop = false;
		s->st.drops[DWCS_DROP_FRAME]++;
		return DWCS_ADMIT_DROP_FRAME;
	}
	/*
	 * Already late on arrival: drop it at the source rather than queue it. Only a packet
	 * that begins a frame (or has none): the later members of a frame follow its fate.
	 */
	if ((s->p.flags & DWCS_CLASS_F_EDF) && pkt->deadline &&
	    dwcs_time_before(pkt->deadline, now) && dwcs_pkt_droppable(s, pkt) &&
	    (start || !(pkt->state & DWCS_PKT_IN_FRAME))) {
		dwcs_miss_instant(s, pkt->deadline);
		s->st.drops[DWCS_DROP_LATE]++;
		if (s->enq_frame_open)
			s->enq_frame_drop = true;
		/* x'/y' moved: a backlogged stream must be re-sorted. */
		if (s->backlog)
			dwcs_requeue(sched, s, now);
		return DWCS_ADMIT_DROP_LATE;
	}
	return DWCS_ADMIT_OK;
}

/*
 * Optional heads yield: a non-droppable packet joined @s behind frames its window can lose
 * (optional heads, dwcs_head_optional()), so those are given up now, a miss each, rather
 * than at their deadline; the packet itself, not droppable, ends the loop. Why: a stream's
 * queue is FIFO, and table A serves an optional head after every other head, so until it
 * expires it held the non-droppable packets behind it (an I-frame behind its stream's last
 * B-frames, at a collision of I-frames when no optional head is served: scenario B of
 * docs/evaluation.md). A frame its window needs is not given up. Cost: the frames given up
 * might have been sent had the link been idle before their deadline; each is within its
 * window's allowance. Measured (test/bench/dwcs_replay, scenario B's frames in 3,622
 * alignments the clairvoyant oracle finds feasible): an I-frame or a window lost in 182,
 * against 249 without; with the B-frames' life the yield allows, 135 (session 22).
 *
 * A frame already begun is committed, except the rest of one begun as an optional head
 * (dwcs_rest_optional()): that goes too when another stream's non-droppable packets are
 * queued, since its stream's packet now waits behind it and, ranked by its deadline, it would
 * go ahead of theirs; with none queued, the rest is committed for good (the link has room).
 * Cost: the datagrams of it already sent are wasted, and the viewer loses a frame its window
 * allows. Measured (dwcs_replay, 1,838 feasible alignments of two seeds): a miss in 23,
 * against 71 before; decodable fps 50.66 against 52.13 (docs/evaluation.md, B, session 23).
 */
static void dwcs_yield_optional(struct dwcs_sched *sched, struct dwcs_stream *s, u64 now)
{
	struct dwcs_pkt *head = sched->ops->head(sched, s);

	if (s->frame == DWCS_FRAME_SENDING && s->frame_optional) {
		/* given up now, or committed for good (the packet stays behind it) */
		s->frame_optional = false;
		if (sched->backlog_nondrop > s->backlog_nondrop && dwcs_window_spares_head(s) &&
		    dwcs_pkt_droppable(s, head)) {
			s->frame = DWCS_FRAME_NONE;
			dwcs_miss_instant(s, head->deadline);
			dwcs_drop_head(sched, s, head, DWCS_DROP_LATE);
		}
	}
	while ((head = sched->ops->head(sched, s)) && dwcs_head_optional(s, head)) {
		dwcs_miss_instant(s, head->deadline);
		dwcs_drop_head(sched, s, head, DWCS_DROP_LATE);
	}
	dwcs_requeue(sched, s, now);
}

void dwcs_arrived(struct dwcs_sched *sched, struct dwcs_stream *s, const struct dwcs_pkt *pkt,
		  u64 now)
{
	dwcs_count_in(sched, s, pkt);
	if (s->backlog > 1) {
		/*
		 * Not an activation, even when every packet ahead yields. The head's cached
		 * optional flag spares every other arrival the owner's head() call.
		 */
		if ((pkt->mark & DWCS_MARK_NONDROPPABLE) && (s->head_optional || s->frame_optional))
			dwcs_yield_optional(sched, s, now);
		return;
	}
	/*
	 * (Re)activation. An idle stream accrues no misses: its head's deadline is a full period
	 * away, but never earlier than the one its past service already set (that is what keeps
	 * a stream that sends ahead of its rate at its rate).
	 */
	if (!s->started || dwcs_time_before(s->deadline, now + s->p.period_ns))
		s->deadline = now + s->p.period_ns;
	s->started = true;
	dwcs_requeue(sched, s, now);
}

/*
 * At 10,000 streams served in turn (table A), every decision's stream and the owner's queue
 * come from beyond L2 (docs/dwcs.md "Cost per decision"), and the queue is a chain of two
 * misses (its head, then the packet there). The next stream is known only once the served
 * one's replay has ended, too late for a prefetch to hide anything; so the decision guesses
 * it one decision ahead, for free: the runner-up is one of the subtrees' firsts that lost to
 * the top on its path, and most often one near the root (in dwcs_bench's table A at 10,000
 * streams: beside the root's child 44 %, then 24, 14, 10 %). The first four of them, 92 %,
 * are prefetched: the three lines of struct dwcs_stream a decision touches and the owner's
 * state after it (sched->prefetch_after). Cost: 20 prefetches and some 180 instructions a
 * decision, most of the prefetches to lines already fetched (those streams stay beside the path for
 * many decisions); a wrong guess costs nothing else. Below DWCS_PREFETCH_FROM eligible
 * streams everything stays in L2 and the guess is not made.
 * Measured (dwcs-bench-ab, 10,000 streams, table A, time against none): three levels 0.67,
 * four 0.65, six 0.67; with the served stream's head packet prefetched too (its address is
 * in the stream), one level 0.81, two 0.78, four 0.71. Without the owner's queue (the
 * stream's lines alone) an oracle that knew the next stream gained nothing.
 */
#define DWCS_PREFETCH_FROM	2048
#define DWCS_PREFETCH_LEVELS	4

static void dwcs_prefetch_next(struct dwcs_sched *sched)
{
	const struct dwcs_tree *ready = &sched->tree[DWCS_TREE_READY];
	u32 leaf[DWCS_PREFETCH_LEVELS], n, i, off;

	n = dwcs_tree_near_root_losers(ready, leaf, DWCS_PREFETCH_LEVELS);
	for (i = 0; i < n; i++) {
		const char *p;

		if (leaf[i] == DWCS_TREE_NONE)
			continue;
		p = (const char *)ready->slot[leaf[i]].s;
		dwcs_prefetchw(p);
		dwcs_prefetchw(p + 64);
		dwcs_prefetchw(p + offsetof(struct dwcs_stream, st));
		for (off = 0; off < sched->prefetch_after; off += 64)
			dwcs_prefetchw(p + sizeof(struct dwcs_stream) + off);
	}
}

struct dwcs_stream *dwcs_select(struct dwcs_sched *sched, u64 now, u64 *next_eligible)
{
	struct dwcs_tree *ready = &sched->tree[DWCS_TREE_READY];
	struct dwcs_tree *wait = &sched->tree[DWCS_TREE_WAIT];
	struct dwcs_tree *dl = &sched->tree[DWCS_TREE_DEADLINE];
	const struct dwcs_tree_slot *top;
	struct dwcs_stream *s;

	while ((s = dwcs_tree_top(wait)) && dwcs_time_after_eq(now, s->key_eligible))
		dwcs_requeue(sched, s, now);
	/*
	 * Table A orders READY by deadline: while its top's deadline has not passed, no
	 * eligible stream's has, and the DEADLINE tree need not be looked at. Not when optional
	 * heads rank after the rest (dwcs_rank_deadline) and the top is not one of them: an
	 * optional head's deadline may be earlier. (One peek at the DEADLINE tree's top then.)
	 */
	s = dwcs_tree_top(ready);
	if (sched->order == DWCS_ORDER_WINDOW_FIRST || !s ||
	    dwcs_time_before(s->key_deadline, now) ||
	    (sched->saw_optional && !s->head_optional)) {
		/* A stored key before now is a deadline passed or a stale lower bound. */
		while ((top = dwcs_tree_top_slot(dl)) && dwcs_time_before(top->key[0], now)) {
			s = top->s;
			if (!s->head)	/* idle since it was keyed (dwcs_stream_idle) */
				dwcs_dl_remove(sched, s);
			else if (dwcs_time_before(s->key_deadline, now))
				dwcs_expire(sched, s, now);
			else
				dwcs_dl_update(sched, s);
		}
		s = dwcs_tree_top(ready);
	}
	if (s) {
		if (ready->len >= DWCS_PREFETCH_FROM)
			dwcs_prefetch_next(sched);
		return s;
	}
	s = dwcs_tree_top(wait);
	*next_eligible = s ? s->key_eligible : U64_MAX;
	return NULL;
}

void dwcs_charge(struct dwcs_stream *s, u32 len, u64 now)
{
	u64 tat;

	if (!s->p.max_rate)
		return;
	/*
	 * GCRA, the token bucket in time form: tat is when the stream's bytes so far would have
	 * left at max_rate; it may run up to one period ahead of now, which is the bucket, so
	 * the next packet may go from tat - T (ceiling_next, the only value kept).
	 */
	tat = s->ceiling_next + s->p.period_ns;
	if (!s->ceiling_held || !dwcs_time_before(now, tat))
		tat = now;
	tat += div64_u64((u64)len * 1000000000ULL, s->p.max_rate);
	s->ceiling_next = tat - s->p.period_ns;
	s->ceiling_held = true;
}

void dwcs_served(struct dwcs_sched *sched, struct dwcs_stream *s, const struct dwcs_pkt *pkt,
		 u64 now)
{
	bool edf = (s->p.flags & DWCS_CLASS_F_EDF) && pkt->deadline;
	u64 deadline = edf ? pkt->deadline : s->deadline;
	bool late = dwcs_time_before(deadline, now);
	bool accounted = s->head_late && pkt == s->head;
	bool frame_open = dwcs_frame_continues(pkt);
	u64 delay = now - pkt->enqueued;

	dwcs_count_out(sched, s, pkt);
	s->st.sent++;
	s->st.delay_sum_ns += delay;
	if (delay > s->st.delay_max_ns)
		s->st.delay_max_ns = delay;
	if (late || accounted)
		s->st.late_sent++;
	/*
	 * The window counts in the application's units: a frame is one deadline met, at its
	 * last packet (a frame's packets share their deadline, so the last on time means all
	 * were); a frame late is one miss, however many of its packets are (once per instant).
	 */
	if (!late) {
		if (!(edf && frame_open))
			dwcs_window_on_time(s);
	} else if (!accounted) {
		if (edf)
			dwcs_miss_instant(s, deadline);
		else
			dwcs_window_missed(s, 1);
	}
	if (!edf)
		s->deadline += s->p.period_ns;
	/* a frame begun as an optional head stays one (dwcs_rest_optional()) */
	if (!frame_open || s->frame != DWCS_FRAME_SENDING)
		s->frame_optional = frame_open && s->head_optional;
	s->frame = frame_open ? DWCS_FRAME_SENDING : DWCS_FRAME_NONE;
	dwcs_requeue(sched, s, now);
}

void dwcs_unlinked(struct dwcs_sched *sched, struct dwcs_stream *s, const struct dwcs_pkt *pkt,
		   enum dwcs_drop_reason why, u64 now)
{
	dwcs_count_out(sched, s, pkt);
	s->st.drops[why]++;
	dwcs_requeue(sched, s, now);
}

int dwcs_overflow_victim(const struct dwcs_stream *s, const struct dwcs_pkt *incoming)
{
	int prio;

	for (prio = 3; prio >= 0; prio--)
		if (s->backlog_prio[prio])
			break;
	if (prio < 0)
		return DWCS_VICTIM_INCOMING;
	if (!(incoming->mark & DWCS_MARK_NONDROPPABLE) &&
	    dwcs_mark_drop_prio(incoming->mark) >= prio)
		return DWCS_VICTIM_INCOMING;
	return prio;
}
