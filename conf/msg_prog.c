// SPDX-License-Identifier: GPL-2.0
/*
 * msg_prog.c — message rules compiled for the send path.
 *
 * conf_match_message() (msg_match.c) walks struct conf_msg_rule: a few hundred bytes per
 * rule, names and unused pattern slots included, a byte loop per test, a call per preset.
 * On the shim's send path that cost ~170 instructions for four rules and touched a cache
 * line or two per rule. Here each stream's rules become one flat block: a 48-byte op per
 * rule, tried in the same order with the same outcome, whose criteria are, cheapest and
 * most selective first:
 *
 *   length   one subtract and one 32-bit compare for the inclusive range (a lower bound and
 *            a span); messages over 4 GiB match no rule and are rejected before the loop
 *   need     how many leading bytes must be visible: the furthest byte test's end, and
 *            what a preset needs at the least (its detector would reject a shorter one).
 *            Folded into the lower length bound: the shim always sees min(length,
 *            CONF_PAYLOAD_VISIBLE) bytes, and a need up to CONF_PAYLOAD_VISIBLE is then
 *            met exactly when the length reaches it (a view with fewer bytes, which only
 *            tests and fuzzers make, takes conf_msg_ops_run_partial, which tests it apart)
 *   windows  every byte a rule constrains (its byte tests and the fixed bits of a preset:
 *            RTP version 2, the marker bit) merged into 8-byte mask/value windows, each one
 *            unaligned load, an AND and a compare. The first window is in the op (0/0, true,
 *            when there is none), the rare further ones after the ops. A rule no message
 *            can match (two tests that contradict each other on a byte, a need beyond the
 *            visible bytes or above its longest length) gets a first window nothing
 *            passes, at offset 0 (its need stays: UINT16_MAX for contradicting tests).
 *   flags    one test for all that follows (CONF_OP_SLOW), so that a rule without them
 *            costs nothing more:
 *   every    seq % N, only when N is set (a division: after the cheap tests)
 *   preset   the detector, for the presets that are more than fixed bits (rtp-marker is
 *            compiled away entirely; h264-keyframe's common case is decided inline)
 *
 * Measured (callgrind, test/bench/shim-bench.sh's 4 rules on a 1,400-byte RTP datagram
 * that matches none): a rule rejected by its length costs 7 instructions with the loop's
 * own, one rejected by its window 12 (11 and 19 before the folding and the span).
 *
 * Every window lies inside [0, max(need, 8)), so once `need <= visible` holds, the loads
 * stay inside the message; a message of fewer than 8 visible bytes is copied into a
 * zero-padded 8-byte buffer first (the bytes the windows test are all below need, so they
 * are real). Equivalence with the interpreter is tested on random rules and messages
 * (test/unit/conf_prog.c).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "uapi/linux/pkt_sch_dwcs.h"

#define WINDOW 8
/* beyond the furthest byte a test may name: the room for the per-rule byte map */
#define MAP_BYTES (CONF_PAYLOAD_VISIBLE + CONF_MAX_PATTERN)
#define NEVER UINT16_MAX /* a need no message has: the rule cannot match */

_Static_assert(sizeof(struct conf_msg_op) == 48, "four ops in three cache lines");
_Static_assert(MAP_BYTES < NEVER, "needs fit in 16 bits");
_Static_assert(CONF_MAX_MSG_RULES * sizeof(struct conf_msg_op) <= UINT16_MAX,
	       "ops_bytes fits 16 bits");
_Static_assert(sizeof(struct conf_msg_prog) % _Alignof(struct conf_msg_window) == 0 &&
		       sizeof(struct conf_msg_op) % _Alignof(struct conf_msg_window) == 0,
	       "the windows follow the ops aligned");

/* The leading bytes a preset's detector needs at the least, and the bits it always tests. */
static unsigned int preset_need(enum conf_preset p)
{
	switch (p) {
	case CONF_PRESET_RTP_MARKER:
	case CONF_PRESET_H264_KEY:
		return 12;		/* the fixed RTP header */
	case CONF_PRESET_MPEGTS_PUSI:
	case CONF_PRESET_MPEGTS_RAI:
		return 188;		/* one whole TS packet */
	case CONF_PRESET_MPEGV_I:
	case CONF_PRESET_MPEGV_P:
	case CONF_PRESET_MPEGV_B:
		return 1;		/* any byte may continue a picture (frames.c) */
	default:
		return 0;
	}
}

struct rule_map {
	uint8_t mask[MAP_BYTES], value[MAP_BYTES];
	unsigned int need;
	bool never;
};

static void constrain(struct rule_map *m, unsigned int off, uint8_t mask, uint8_t value)
{
	value &= mask;
	if ((m->value[off] & mask) != (value & m->mask[off]))
		m->never = true; /* the same bits asked to be 0 and 1 */
	m->mask[off] |= mask;
	m->value[off] |= value;
}

/* Rule R into OP (with its first window) and its further windows into MORE (room for one
 * per constrained byte); returns how many further windows. */
static unsigned int compile_rule(const struct conf_msg_rule *r, struct conf_msg_op *op,
				 struct conf_msg_window *more, struct rule_map *m)
{
	unsigned int i, j, off, n = 0;
	uint32_t min_len;

	memset(m, 0, sizeof(*m));
	m->need = preset_need(r->preset);
	for (i = 0; i < r->n_bytes; i++) {
		const struct conf_byte_test *b = &r->bytes[i];

		if ((unsigned int)b->offset + b->len > m->need)
			m->need = (unsigned int)b->offset + b->len;
		for (j = 0; j < b->len; j++)
			constrain(m, (unsigned int)b->offset + j, b->mask[j], b->value[j]);
	}
	op->preset = (uint8_t)r->preset;
	if (r->preset == CONF_PRESET_RTP_MARKER || r->preset == CONF_PRESET_H264_KEY)
		constrain(m, 0, 0xc0, 0x80); /* RTP version 2 */
	if (r->preset == CONF_PRESET_RTP_MARKER) {
		constrain(m, 1, 0x80, 0x80); /* the marker: nothing is left to the detector */
		op->preset = CONF_PRESET_NONE;
	}
	/* no window: 0/0 at offset 0, always true (the run pads messages under 8 bytes) */
	op->offset = 0;
	op->mask = op->value = 0;
	for (off = 0; off < m->need; off++) {
		struct conf_msg_window w;

		if (!m->mask[off])
			continue;
		/* the window starts at this byte, moved back so as to end by `need` */
		w.offset = (uint16_t)(m->need < WINDOW ? 0 :
				      off + WINDOW <= m->need ? off : m->need - WINDOW);
		w.mask = w.value = 0;
		memcpy(&w.mask, m->mask + w.offset, WINDOW);
		memcpy(&w.value, m->value + w.offset, WINDOW);
		if (!op->mask) { /* the first one goes into the op */
			op->offset = w.offset;
			op->mask = w.mask;
			op->value = w.value;
		} else {
			more[n++] = w;
		}
		off = w.offset + WINDOW - 1u;
	}
	op->need = m->never ? NEVER : (uint16_t)m->need;
	op->every = r->every;
	op->n_more = (uint8_t)n;
	op->mark = r->action.mark;
	op->deadline_ns = r->action.deadline_ns;
	op->flags = (uint8_t)((r->every ? CONF_OP_EVERY : 0) | (n ? CONF_OP_MORE : 0) |
			      (op->preset != CONF_PRESET_NONE ? CONF_OP_PRESET : 0) |
			      (r->cont ? CONF_OP_CONT : 0) |
			      (r->action.has_drop_priority ? CONF_OP_DROP_PRIORITY : 0));
	/* the visible bytes the rule needs as a lower length bound (conf_msg_prog_run) */
	min_len = r->min_len > m->need ? r->min_len : m->need;
	if (m->never || m->need > CONF_PAYLOAD_VISIBLE || min_len > r->max_len) {
		/* no message matches: a first window nothing passes, inside any message */
		op->offset = 0;
		op->mask = 0;
		op->value = 1;
		min_len = r->min_len;
	}
	op->min_len = min_len;
	op->span = r->max_len - min_len;
	return n;
}

void conf_msg_prog_free(struct conf_stream *st)
{
	free(st->prog);
	st->prog = NULL;
}

int conf_msg_prog_compile(struct conf_stream *st)
{
	/* a rule constrains at most CONF_MAX_BYTE_TESTS * CONF_MAX_PATTERN + 2 bytes, a window
	 * each at the most; the map is big, so it is on the heap */
	struct conf_msg_window *ch = calloc(st->n_msgs * (CONF_MAX_BYTE_TESTS * CONF_MAX_PATTERN + 2),
					    sizeof(*ch));
	struct rule_map *m = malloc(sizeof(*m));
	struct conf_msg_op ops[CONF_MAX_MSG_RULES];
	struct conf_msg_prog *pg;
	unsigned int i, total = 0;
	size_t size;
	int err = -ENOMEM;

	conf_msg_prog_free(st);
	if (!st->n_msgs) {
		err = 0;
		goto out;
	}
	if (!ch || !m)
		goto out;
	memset(ops, 0, sizeof(ops));
	for (i = 0; i < st->n_msgs; i++) {
		ops[i].more = (uint16_t)total;
		total += compile_rule(&st->msgs[i], &ops[i], ch + total, m);
	}
	size = sizeof(*pg) + st->n_msgs * sizeof(ops[0]);
	pg = calloc(1, size + total * sizeof(*ch));
	if (!pg)
		goto out;
	pg->n_ops = (uint16_t)st->n_msgs;
	pg->ops_bytes = (uint16_t)(st->n_msgs * sizeof(ops[0]));
	pg->n_more = (uint16_t)total;
	pg->needs_seq = st->needs_seq;
	for (i = 0; i < st->n_msgs; i++)
		pg->frames |= conf_frame_preset(st->msgs[i].preset);
	memcpy(pg->ops, ops, st->n_msgs * sizeof(ops[0]));
	pg->more = (const struct conf_msg_window *)((char *)pg + size);
	memcpy((char *)pg + size, ch, total * sizeof(*ch));
	st->prog = pg;
	err = 0;
out:
	free(ch);
	free(m);
	return err;
}

const struct conf_msg_prog *conf_msg_prog_copy(void *dst, size_t room,
					       const struct conf_msg_prog *pg, size_t *size)
{
	size_t ops = sizeof(*pg) + pg->n_ops * sizeof(pg->ops[0]);
	struct conf_msg_prog *copy = dst;

	*size = ops + pg->n_more * sizeof(*pg->more);
	if (*size > room || (uintptr_t)dst % _Alignof(struct conf_msg_prog))
		return NULL;
	memcpy(copy, pg, *size);
	copy->more = (const struct conf_msg_window *)((char *)copy + ops);
	return copy;
}

int conf_msg_ops_run_partial(const struct conf_msg_prog *pg, const uint8_t *data,
			     size_t visible, uint32_t len, uint64_t seq,
			     const struct conf_frame_seen *seen, struct conf_msg_action *out)
{
	return conf_msg_ops_run(pg, data, visible, len, seq, seen, out, true);
}
