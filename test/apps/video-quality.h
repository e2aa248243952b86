/* SPDX-License-Identifier: GPL-2.0 */
/*
 * video-quality.h — what a viewer gets out of the frames that arrived (issue #13): a frame is
 * *decodable* when all of its datagrams arrived before its playout deadline and the frames it
 * references were decodable too. The decoder model is the one of an MPEG GOP sent in display
 * order (video-server's --gop): an I-frame references nothing; a P-frame the anchor (I or P)
 * before it; a B-frame the anchors on both sides. So an I-frame's loss breaks its GOP up to the
 * next I, and a P's loss breaks every following P and B of the GOP.
 *
 * Pure logic, no I/O: video-client records per frame whether it was on time, and asks here at
 * the end of the run.
 */
#ifndef QSOCK_VIDEO_QUALITY_H
#define QSOCK_VIDEO_QUALITY_H

#include <stddef.h>
#include <stdint.h>

struct video_quality {
	uint64_t frames;		/* frames the stream generated (frame numbers 0 .. frames-1) */
	uint64_t on_time;		/* complete before their playout deadline */
	uint64_t decodable;		/* on time, and their references decodable */
	uint64_t i_frames, i_decodable;
	uint64_t windows;		/* fixed windows of y frames (0 without a tolerance) */
	uint64_t window_violations;	/* windows with more than x frames not decodable */
};

/* video_gop_valid: 1 when gop starts with I and holds only I, P and B. */
int video_gop_valid(const char *gop);

/*
 * video_quality_eval: on_time[k] (0/1) for frames 0 .. n-1 of a stream whose frame k has type
 * gop[k % strlen(gop)]; decodable[k] is filled in. x/y: the stream's loss tolerance in frames
 * (y == 0: none). A B-frame whose next anchor lies beyond frame n-1 (the run ended) needs only
 * its earlier one.
 */
void video_quality_eval(const char *gop, const uint8_t *on_time, uint8_t *decodable, size_t n,
			unsigned int x, unsigned int y, struct video_quality *q);

#endif /* QSOCK_VIDEO_QUALITY_H */
