// SPDX-License-Identifier: GPL-2.0
/* video-quality.c — decodable frames and loss windows of one stream (video-quality.h). */
#include "video-quality.h"

#include <string.h>

static int is_anchor(char type)
{
	return type == 'I' || type == 'P';
}

int video_gop_valid(const char *gop)
{
	if (!*gop || gop[0] != 'I')
		return 0;
	for (; *gop; gop++)
		if (*gop != 'I' && *gop != 'P' && *gop != 'B')
			return 0;
	return 1;
}

void video_quality_eval(const char *gop, const uint8_t *on_time, uint8_t *decodable, size_t n,
			unsigned int x, unsigned int y, struct video_quality *q)
{
	size_t len = strlen(gop), k, lost_in_window = 0;
	int prev_anchor_ok = 0, next_anchor_ok = 1;

	memset(q, 0, sizeof(*q));
	q->frames = n;
	/* Forwards: an anchor needs the anchor before it; a B-frame needs it too (its earlier
	 * reference), and its later one is checked on the way back. */
	for (k = 0; k < n; k++) {
		char type = gop[k % len];

		q->on_time += on_time[k];
		decodable[k] = on_time[k] && (type == 'I' || prev_anchor_ok);
		if (is_anchor(type))
			prev_anchor_ok = decodable[k];
	}
	/* Backwards: a B-frame needs the anchor after it (none within the run: not needed). */
	for (k = n; k-- > 0;) {
		if (is_anchor(gop[k % len]))
			next_anchor_ok = decodable[k];
		else if (!next_anchor_ok)
			decodable[k] = 0;
	}
	for (k = 0; k < n; k++) {
		q->decodable += decodable[k];
		if (gop[k % len] == 'I') {
			q->i_frames++;
			q->i_decodable += decodable[k];
		}
		if (!y)
			continue;
		lost_in_window += !decodable[k];
		if ((k + 1) % y == 0) {
			q->windows++;
			q->window_violations += lost_in_window > x;
			lost_in_window = 0;
		}
	}
}
