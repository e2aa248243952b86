/* SPDX-License-Identifier: GPL-2.0 */
/*
 * frame-oracle.h — could ANY scheduler have delivered these frames? Scenario B's yardstick
 * (test/scenarios/overload.sh, issue #13): from the frames the senders actually produced
 * (video-server --frames-csv), whether every protected frame (types such as "IP") and, for
 * every stream's loss-tolerance windows, enough of its other frames (the B-frames) could have
 * reached the viewer before its playout deadline on the link.
 *
 * The oracle gives those frames the whole link from their capture on, and nothing else: the
 * most any scheduler can do for them. Of the B-frames a window needs beyond its protected
 * frames it takes the smallest (it knows them all in advance: clairvoyant). All share one
 * relative deadline (capture + playout), so earliest deadline first, optimal on one link, is
 * capture order. A protected frame it finishes late proves the frames infeasible; with
 * windows, a late frame shows only that this choice of B-frames fails (another might not), so
 * "windows infeasible" is the oracle's verdict, not a proof.
 *
 * One definition, two users: the edf-oracle program (overload.sh's oracle.txt) and
 * test/bench/dwcs_replay (which alignments of the frames it judges the core on).
 * Pure logic but for frame_oracle_load(); no allocation in frame_oracle() beyond its jobs.
 */
#ifndef QSOCK_FRAME_ORACLE_H
#define QSOCK_FRAME_ORACLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One frame of a sender's --frames-csv (frame k of its stream). */
struct oracle_frame {
	uint64_t capture;	/* ns, the sender's clock (eval-wire.h: shared with the viewer) */
	uint32_t wire;		/* bytes on the link, all datagrams; 0: the sender skipped it */
	char type;		/* I, P or B */
	uint64_t done;		/* out: when the oracle finished it (0: not one it sent) */
};

struct oracle_stream {
	struct oracle_frame *f;	/* [n], by frame number */
	size_t n;
	uint64_t period;	/* ns, from the first and last capture */
	uint64_t phase;		/* added to every capture (dwcs_replay's alignments; else 0) */
	unsigned int id;	/* the csv's stream column */
	unsigned int x, y;	/* loss tolerance in frames: x of every y (y == 0: none) */
};

#define ORACLE_MAX_WINDOW 64u	/* frames a window may span (y) */

struct oracle_verdict {
	uint64_t protected_frames, i_frames;
	uint64_t protected_late, i_late;	/* finished after capture + playout */
	uint64_t b_needed;	/* the B-frames the windows need, taken */
	uint64_t b_late;	/* of those late, plus what windows lacked (too few B-frames) */
	int64_t slack;		/* ns: the least any frame taken had to spare (< 0: late) */
};

static inline uint64_t oracle_capture(const struct oracle_stream *s, size_t k)
{
	return s->f[k].capture + s->phase;
}

/*
 * frame_oracle_load: reads a video-server --frames-csv (capture_ns,stream,frame,type,
 * wire_bytes; frames in order) into @s (x, y, phase untouched). A frame the sender skipped
 * (no row) gets wire 0, the GOP's type and its nominal capture. Returns 0, or -1 with the
 * reason ("PATH: why") in @err.
 */
int frame_oracle_load(struct oracle_stream *s, const char *path, const char *gop, char *err,
		      size_t errlen);
void frame_oracle_free(struct oracle_stream *s);

/*
 * frame_oracle_tolerances: "X/Y X/Y ..." (0 <= X <= Y, 0 < Y <= ORACLE_MAX_WINDOW), one per
 * stream of @st in order; "" gives none (y = 0). Fewer than @nst, or more: an error. Returns 0,
 * or -1 with the reason in @err.
 */
int frame_oracle_tolerances(struct oracle_stream *st, unsigned int nst, const char *arg,
			    char *err, size_t errlen);

/* frame_oracle_protects: whether frames of @type are among @types (e.g. "IP"). */
bool frame_oracle_protects(const char *types, char type);

/*
 * frame_oracle: the oracle's schedule of @nst streams on a link of @rate bytes/s with a
 * playout buffer of @playout ns; sets every taken frame's done, fills @v. Returns 0, -ENOMEM,
 * or -EINVAL (no rate, x > y, or y above ORACLE_MAX_WINDOW).
 * Feasible: !v->protected_late; windows feasible too: and !v->b_late.
 */
int frame_oracle(struct oracle_stream *st, unsigned int nst, const char *types, uint64_t rate,
		 uint64_t playout, struct oracle_verdict *v);

#endif /* QSOCK_FRAME_ORACLE_H */
