// SPDX-License-Identifier: GPL-2.0
/*
 * msg_match.c — message rules, evaluated on every outgoing message of a matched socket.
 *
 * This runs on the shim's send path, so it never allocates and touches only the message's
 * leading bytes. Rules are tried in order; the first match wins unless it says `continue`,
 * in which case later matching rules add their flags (a drop priority or a deadline is taken
 * from the first rule that sets one).
 */
#include <stdio.h>
#include <string.h>

#include "conf.h"
#include "uapi/linux/pkt_sch_dwcs.h"

void conf_payload_from_iov(struct conf_payload *p, const struct iovec *iov, size_t iovcnt,
			   uint8_t *scratch)
{
	size_t i, copied = 0;

	/* the common case (send, sendto, write, one-buffer sendmsg): no copy at all */
	if (iovcnt == 1) {
		p->data = iov[0].iov_base;
		p->len = iov[0].iov_len;
		p->visible = p->len < CONF_PAYLOAD_VISIBLE ? p->len : CONF_PAYLOAD_VISIBLE;
		return;
	}
	p->len = 0;
	for (i = 0; i < iovcnt; i++)
		p->len += iov[i].iov_len;
	/* leading empty buffers are skipped; one holding all we look at is not copied */
	for (i = 0; i < iovcnt && !iov[i].iov_len; i++)
		;
	if (i == iovcnt) {
		p->data = scratch;
		p->visible = 0;
		return;
	}
	if (iov[i].iov_len >= p->len || iov[i].iov_len >= CONF_PAYLOAD_VISIBLE) {
		p->data = iov[i].iov_base;
		p->visible = iov[i].iov_len < CONF_PAYLOAD_VISIBLE ? iov[i].iov_len :
								     CONF_PAYLOAD_VISIBLE;
		return;
	}
	for (; i < iovcnt && copied < CONF_PAYLOAD_VISIBLE; i++) {
		size_t n = iov[i].iov_len;

		if (n > CONF_PAYLOAD_VISIBLE - copied)
			n = CONF_PAYLOAD_VISIBLE - copied;
		memcpy(scratch + copied, iov[i].iov_base, n);
		copied += n;
	}
	p->data = scratch;
	p->visible = copied;
}

/* Inlined into the per-message loop below; cheapest tests first. */
static inline bool rule_matches(const struct conf_msg_rule *r, const struct conf_payload *p,
				uint64_t seq, const struct conf_frame_seen *seen)
{
	unsigned int i, j;

	if (p->len < r->min_len || p->len > r->max_len)
		return false;
	if (r->every && seq % r->every)
		return false;
	for (i = 0; i < r->n_bytes; i++) {
		const struct conf_byte_test *b = &r->bytes[i];

		if ((size_t)b->offset + b->len > p->visible)
			return false;
		for (j = 0; j < b->len; j++)
			if ((p->data[b->offset + j] & b->mask[j]) != b->value[j])
				return false;
	}
	if (r->preset == CONF_PRESET_NONE)
		return true;
	if (seen && conf_frame_preset(r->preset))
		return conf_frame_matches(r->preset, seen);
	return conf_preset_matches(r->preset, p->data, p->visible);
}

bool conf_msg_rule_matches(const struct conf_msg_rule *r, const struct conf_payload *p,
			   uint64_t seq)
{
	return rule_matches(r, p, seq, NULL);
}

int conf_match_message(const struct conf_stream *st, const struct conf_payload *p,
		       uint64_t seq, struct conf_frame *fs, struct conf_msg_action *out)
{
	struct conf_frame_seen seen = { 0, 0 };
	struct conf_frame fresh;
	bool frames = false;
	unsigned int i;
	int first = -1;

	memset(out, 0, sizeof(*out));
	/* the frame state advances on every message, whichever rule matches */
	for (i = 0; i < st->n_msgs; i++)
		frames |= conf_frame_preset(st->msgs[i].preset);
	if (frames) {
		if (!fs) {
			memset(&fresh, 0, sizeof(fresh));
			fs = &fresh;
		}
		conf_frame_scan(fs, p->data, p->visible, &seen);
	}
	for (i = 0; i < st->n_msgs; i++) {
		const struct conf_msg_rule *r = &st->msgs[i];

		if (!rule_matches(r, p, seq, frames ? &seen : NULL))
			continue;
		if (first < 0)
			first = (int)i;
		if (frames && conf_frame_preset(r->preset))
			out->mark |= seen.mark;
		if (r->action.has_drop_priority && !out->has_drop_priority) {
			out->mark |= r->action.mark & DWCS_MARK_DROPPRIO_MASK;
			out->has_drop_priority = true;
		}
		out->mark |= r->action.mark & ~DWCS_MARK_DROPPRIO_MASK;
		if (!out->deadline_ns)
			out->deadline_ns = r->action.deadline_ns;
		if (!r->cont)
			break;
	}
	return first;
}

void conf_action_describe(const struct conf_msg_action *a, char *buf, size_t len)
{
	size_t used = 0;

#define ADD(...)                                                                             \
	do {                                                                                 \
		if (used < len)                                                              \
			used += snprintf(buf + used, len - used, __VA_ARGS__);               \
	} while (0)
	if (!len)
		return;
	buf[0] = '\0';
	if (a->mark & DWCS_MARK_NONDROPPABLE)
		ADD("%snondroppable", used ? "," : "");
	if (a->has_drop_priority)
		ADD("%sdrop-priority=%u", used ? "," : "",
		    (a->mark & DWCS_MARK_DROPPRIO_MASK) >> DWCS_MARK_DROPPRIO_SHIFT);
	if (a->mark & DWCS_MARK_FRAME_START)
		ADD("%sframe-start", used ? "," : "");
	if (a->mark & DWCS_MARK_FRAME_END)
		ADD("%sframe-end", used ? "," : "");
	if (a->deadline_ns)
		ADD("%sdeadline=%lluus", used ? "," : "", (unsigned long long)a->deadline_ns / 1000);
	if (!used)
		ADD("no flags");
#undef ADD
}
