// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for the message rules (conf/msg_prog.c, conf/msg_match.c,
 * conf/presets.c): what the shim runs on every payload a matched socket sends, i.e. bytes an
 * attacker (a peer feeding a relay, a user's own program) controls, under rules a user wrote.
 *
 * The input is a rule set and a message: a few bytes per rule (preset, byte tests with their
 * offsets, masks and values, length bounds, `every`, `continue`, the action), then the
 * message. Invariants (abort = finding):
 *   - the compiled program and the interpreter (the reference) agree: same rule, same action;
 *   - neither reads a byte outside the visible part of the message: the payload lives in a
 *     buffer of exactly that size, so AddressSanitizer reports any overread;
 *   - every preset's detector, run on the message alone, stays inside it too.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../conf/conf.h"
#include "uapi/linux/pkt_sch_dwcs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct cursor {
	const uint8_t *p;
	size_t left;
};

/* The next input byte; 0 once the input is used up (a short input is a valid rule set). */
static uint8_t next(struct cursor *c)
{
	if (!c->left)
		return 0;
	c->left--;
	return *c->p++;
}

static uint16_t next16(struct cursor *c)
{
	return (uint16_t)(next(c) | next(c) << 8);
}

static void read_rule(struct cursor *c, struct conf_msg_rule *r)
{
	uint8_t shape = next(c), action = next(c);

	memset(r, 0, sizeof(*r));
	r->preset = (enum conf_preset)(next(c) % __CONF_PRESET_MAX);
	r->n_bytes = shape % (CONF_MAX_BYTE_TESTS + 1);
	for (unsigned int k = 0; k < r->n_bytes; k++) {
		struct conf_byte_test *b = &r->bytes[k];
		uint8_t how = next(c);

		b->len = (uint8_t)(1 + how % CONF_MAX_PATTERN);
		/* near the start mostly; anywhere up to the last visible byte sometimes */
		b->offset = (uint16_t)(how & 0x80 ? next16(c) % (CONF_PAYLOAD_VISIBLE - b->len + 1)
						  : next(c) % 64);
		for (unsigned int j = 0; j < b->len; j++) {
			b->mask[j] = how & 0x40 ? next(c) : 0xff;
			b->value[j] = next(c) & b->mask[j]; /* pre-masked, as the loader stores it */
		}
	}
	r->min_len = 0;
	r->max_len = UINT32_MAX;
	if (shape & 0x10) {
		r->min_len = next16(c) % 600;
		r->max_len = r->min_len + next16(c) % 3000;
	}
	r->every = shape & 0x20 ? 1 + next(c) % 7 : 0;
	r->cont = shape & 0x40;
	r->action.mark = action & (DWCS_MARK_NONDROPPABLE | DWCS_MARK_FRAME_START |
				   DWCS_MARK_FRAME_END);
	if (action & 0x80) {
		r->action.mark |= (uint8_t)(((action >> 4) & 3) << DWCS_MARK_DROPPRIO_SHIFT);
		r->action.has_drop_priority = true;
	}
	r->action.deadline_ns = action & 0x40 ? 1000ULL * (1 + next16(c)) : 0;
}

static bool same(int a, const struct conf_msg_action *x, int b, const struct conf_msg_action *y)
{
	return a == b && x->mark == y->mark && x->has_drop_priority == y->has_drop_priority &&
	       x->deadline_ns == y->deadline_ns;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct conf_stream st; /* ~20 kB of rules: not on the fuzzer's stack */
	struct cursor c = { data, size };
	struct conf_msg_action want, got;
	size_t len, visible, extra;
	uint8_t *msg;
	uint64_t seq;
	int w, g;

	memset(&st, 0, sizeof(st));
	st.n_msgs = 1 + next(&c) % 6;
	for (unsigned int i = 0; i < st.n_msgs; i++)
		read_rule(&c, &st.msgs[i]);
	seq = 1 + next(&c);
	/* the message's length may exceed what the rules see (a scattered or long message) */
	extra = next(&c) & 1 ? next16(&c) : 0;
	visible = c.left < CONF_PAYLOAD_VISIBLE ? c.left : CONF_PAYLOAD_VISIBLE;
	len = visible + extra;
	msg = malloc(visible ? visible : 1); /* exactly the visible bytes: ASan sees overreads */
	if (!msg)
		return 0;
	memcpy(msg, c.p, visible);
	if (conf_msg_prog_compile(&st)) {
		free(msg);
		return 0; /* -ENOMEM */
	}
	{
		struct conf_payload p = { .data = msg, .visible = visible, .len = len };

		w = conf_match_message(&st, &p, seq, NULL, &want);
	}
	g = conf_msg_prog_run(st.prog, msg, visible, len, seq, NULL, &got);
	if (!same(w, &want, g, &got))
		abort();
	for (int preset = CONF_PRESET_NONE + 1; preset < __CONF_PRESET_MAX; preset++)
		(void)conf_preset_matches((enum conf_preset)preset, msg, visible);
	conf_msg_prog_free(&st);
	free(msg);
	return 0;
}
