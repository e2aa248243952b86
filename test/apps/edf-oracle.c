// SPDX-License-Identifier: GPL-2.0
/*
 * edf-oracle — whether any scheduler could have delivered a run's frames (frame-oracle.h):
 * scenario B's oracle.txt (test/scenarios/overload.sh).
 *
 *   edf-oracle [--playout-ms MS] [--types TYPES] [--tolerances "X/Y ..."] [--rate BYTES/S]
 *              [--gop GOP] [--frames-out FILE] FRAMES-0.csv FRAMES-1.csv ...
 *
 * One video-server --frames-csv per stream, in the order of --tolerances. Prints one line:
 *   oracle: IP frames N (I: N), an ideal scheduler misses N (I: N): feasible|infeasible
 * and with tolerances "; with the B-frames the windows need (N): windows feasible|infeasible".
 * --frames-out writes when the oracle finished each protected frame, after its capture:
 * stream,frame,type,finish_ms. Exit 0 with a verdict, 1 when no frame is of TYPES, 2 on bad
 * input (named on stderr).
 */
#include "eval-cli.h"
#include "frame-oracle.h"
#include "video-quality.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define MAX_STREAMS 16

static const char *prog = "edf-oracle";

static void usage(FILE *f)
{
	fprintf(f, "usage: %s [--playout-ms MS (200)] [--types TYPES (IP)] [--tolerances \"X/Y ...\"]\n"
		   "       [--rate BYTES/S (1250000)] [--gop GOP (IBBBPBBBPBBBPBBB)] [--frames-out FILE]\n"
		   "       FRAMES.csv...   (video-server --frames-csv, one per stream)\n", prog);
}

static int write_frames(const char *path, const struct oracle_stream *st, unsigned int nst,
			const char *types)
{
	FILE *out = fopen(path, "w");
	unsigned int i;
	size_t k;

	if (!out) {
		fprintf(stderr, "%s: --frames-out %s: %s\n", prog, path, strerror(errno));
		return -1;
	}
	fprintf(out, "stream,frame,type,finish_ms\n");
	for (i = 0; i < nst; i++)
		for (k = 0; k < st[i].n; k++) {
			const struct oracle_frame *f = &st[i].f[k];

			if (f->done && frame_oracle_protects(types, f->type))
				fprintf(out, "%u,%zu,%c,%.3f\n", st[i].id, k, f->type,
					(double)(f->done - oracle_capture(&st[i], k)) / 1e6);
		}
	if (fclose(out)) {
		fprintf(stderr, "%s: --frames-out %s: %s\n", prog, path, strerror(errno));
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static struct oracle_stream st[MAX_STREAMS];
	uint64_t playout = 200 * 1000000ULL, rate = 1250000;	/* ns; bytes/s */
	const char *types = "IP", *tolerances = "", *gop = "IBBBPBBBPBBBPBBB", *frames_out = NULL;
	const struct eval_opt opts[] = {
		EVAL_U64_SCALED("playout-ms", &playout, 1, 60000, 1000000),
		EVAL_STRING("types", &types),
		EVAL_STRING("tolerances", &tolerances),
		EVAL_U64("rate", &rate, 1, UINT32_MAX),
		EVAL_STRING("gop", &gop),
		EVAL_STRING("frames-out", &frames_out),
		EVAL_END,
	};
	struct oracle_verdict v;
	unsigned int nst, i;
	char err[512];
	int first, status = eval_parse_args(prog, argc, argv, opts, usage, &first);
	bool windows;

	if (status >= 0)
		return status;
	if (!video_gop_valid(gop)) {
		fprintf(stderr, "%s: --gop \"%s\": starts with I, holds only I, P and B\n", prog, gop);
		return 2;
	}
	if (!*types || strspn(types, "IPB") != strlen(types)) {
		fprintf(stderr, "%s: --types \"%s\": one or more of I, P and B\n", prog, types);
		return 2;
	}
	nst = (unsigned int)(argc - first);
	if (!nst || nst > MAX_STREAMS) {
		fprintf(stderr, "%s: give one --frames-csv file per stream (1 to %d)\n", prog,
			MAX_STREAMS);
		usage(stderr);
		return 2;
	}
	for (i = 0; i < nst; i++)
		if (frame_oracle_load(&st[i], argv[first + i], gop, err, sizeof(err))) {
			fprintf(stderr, "%s: %s\n", prog, err);
			return 2;
		}
	if (frame_oracle_tolerances(st, nst, tolerances, err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n", prog, err);
		return 2;
	}
	windows = *tolerances != '\0';
	if (frame_oracle(st, nst, types, rate, playout, &v)) {
		fprintf(stderr, "%s: out of memory\n", prog);
		return 2;
	}
	if (frames_out && write_frames(frames_out, st, nst, types))
		return 2;
	if (!v.protected_frames) {
		printf("oracle: no frames of %s in the senders' --frames-csv\n", types);
		return 1;
	}
	printf("oracle: %s frames %llu (I: %llu), an ideal scheduler misses %llu (I: %llu): %s", types,
	       (unsigned long long)v.protected_frames, (unsigned long long)v.i_frames,
	       (unsigned long long)v.protected_late, (unsigned long long)v.i_late,
	       v.protected_late ? "infeasible" : "feasible");
	if (windows)
		printf("; with the B-frames the windows need (%llu): %s", (unsigned long long)v.b_needed,
		       v.protected_late + v.b_late ? "windows infeasible" : "windows feasible");
	printf("\n");
	for (i = 0; i < nst; i++)
		frame_oracle_free(&st[i]);
	return 0;
}
