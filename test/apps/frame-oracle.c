// SPDX-License-Identifier: GPL-2.0
/*
 * frame-oracle.c — the clairvoyant oracle of scenario B (frame-oracle.h says what and why).
 */
#include "frame-oracle.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* Room for frame @k, the frames between zeroed. */
static int grow(struct oracle_stream *s, size_t k, size_t *cap)
{
	if (k < *cap)
		return 0;
	while (*cap <= k)
		*cap = *cap ? 2 * *cap : 1024;
	s->f = realloc(s->f, *cap * sizeof(*s->f));
	return s->f ? 0 : -1;
}

int frame_oracle_load(struct oracle_stream *s, const char *path, const char *gop, char *err,
		      size_t errlen)
{
	FILE *in = fopen(path, "r");
	size_t cap = 0, k, row = 1, glen = strlen(gop);
	char line[256];
	int ret = -1;

	s->f = NULL;
	s->n = 0;
	if (!in)
		return fail(err, errlen, "%s: cannot open: %s", path, strerror(errno));
	if (!fgets(line, sizeof(line), in) || strncmp(line, "capture_ns,", 11)) {
		fail(err, errlen, "%s: not a video-server --frames-csv file", path);
		goto out;
	}
	while (fgets(line, sizeof(line), in)) {
		unsigned long long t, stream, fk, wire;
		char type;

		row++;
		if (sscanf(line, "%llu,%llu,%llu,%c,%llu", &t, &stream, &fk, &type, &wire) != 5 ||
		    !strchr("IPB", type) || !wire || wire > UINT32_MAX) {
			fail(err, errlen, "%s, row %zu: not capture_ns,stream,frame,type (I, P or B),"
			     "wire_bytes (> 0)", path, row);
			goto out;
		}
		if (s->n && stream != s->id) {
			fail(err, errlen, "%s, row %zu: stream %llu in a file of stream %u", path, row,
			     stream, s->id);
			goto out;
		}
		if (fk < s->n || fk > (1u << 24)) {
			fail(err, errlen, "%s, row %zu: frame %llu out of order", path, row, fk);
			goto out;
		}
		if (grow(s, fk, &cap)) {
			fail(err, errlen, "%s: out of memory", path);
			goto out;
		}
		s->id = (unsigned int)stream;
		/* frames the sender skipped (it fell behind) have no row: never sent */
		for (k = s->n; k < fk; k++)
			s->f[k] = (struct oracle_frame){ .type = gop[k % glen] };
		s->f[fk] = (struct oracle_frame){ .capture = t, .wire = (uint32_t)wire, .type = type };
		s->n = fk + 1;
	}
	if (s->n < 2) {
		fail(err, errlen, "%s: fewer than two frames", path);
		goto out;
	}
	s->period = (s->f[s->n - 1].capture - s->f[0].capture) / (s->n - 1);
	for (k = 1; k < s->n; k++)	/* a skipped frame's nominal capture */
		if (!s->f[k].wire)
			s->f[k].capture = s->f[0].capture + k * s->period;
	ret = 0;
out:
	fclose(in);
	if (ret)
		frame_oracle_free(s);
	return ret;
}

void frame_oracle_free(struct oracle_stream *s)
{
	free(s->f);
	s->f = NULL;
	s->n = 0;
}

int frame_oracle_tolerances(struct oracle_stream *st, unsigned int nst, const char *arg,
			    char *err, size_t errlen)
{
	const char *p = arg;
	unsigned int i;
	int used;

	for (i = 0; i < nst; i++)
		st[i].x = st[i].y = 0;
	while (*p == ' ')
		p++;
	if (!*p)
		return 0;
	for (i = 0; *p; i++, p += used) {
		unsigned int x, y;

		if (i == nst)
			return fail(err, errlen, "--tolerances \"%s\": more than the %u streams given",
				    arg, nst);
		if (sscanf(p, "%u/%u%n", &x, &y, &used) != 2 || !y || x > y ||
		    y > ORACLE_MAX_WINDOW || (p[used] && p[used] != ' '))
			return fail(err, errlen, "--tolerances \"%s\": give X/Y per stream, "
				    "0 <= X <= Y, 0 < Y <= %u", arg, ORACLE_MAX_WINDOW);
		st[i].x = x;
		st[i].y = y;
		while (p[used] == ' ')
			used++;
	}
	if (i < nst)
		return fail(err, errlen, "--tolerances \"%s\": fewer than the %u streams given", arg,
			    nst);
	return 0;
}

bool frame_oracle_protects(const char *types, char type)
{
	return type && strchr(types, type);
}

/* A frame the oracle sends, at its capture (with the stream's phase). */
struct job {
	uint64_t capture;
	uint32_t wire;
	bool protected;
	unsigned int stream;	/* the index in the caller's array: ties go in stream order */
	struct oracle_frame *f;
};

static int job_by_capture(const void *a, const void *b)
{
	const struct job *x = a, *y = b;

	if (x->capture != y->capture)
		return x->capture < y->capture ? -1 : 1;
	return x->stream < y->stream ? -1 : x->stream > y->stream;
}

/* The smallest first; of equal ones the earliest (as the awk oracle before this file chose). */
static int job_by_size(const void *a, const void *b)
{
	const struct job *x = a, *y = b;

	if (x->wire != y->wire)
		return x->wire < y->wire ? -1 : 1;
	return x->capture < y->capture ? -1 : x->capture > y->capture;
}

/*
 * The jobs of one stream: every protected frame, and per whole window of y frames the smallest
 * of its other frames, as many as the window needs beyond its protected ones. A window the
 * run ended inside asks for nothing (the viewers judge whole ones); a skipped frame is one the
 * window lost. Returns the jobs added at @jobs; counts in @v a window's shortfall.
 */
static size_t stream_jobs(struct oracle_stream *s, unsigned int i, const char *types,
			  struct job *jobs, struct oracle_verdict *v)
{
	size_t nj = 0, k = 0, j;

	for (; s->y && k + s->y <= s->n; k += s->y) {
		struct job others[ORACLE_MAX_WINDOW];
		size_t nb = 0, prot = 0, need;

		for (j = k; j < k + s->y; j++) {
			struct job jb = { oracle_capture(s, j), s->f[j].wire, false, i, &s->f[j] };

			if (!jb.wire)
				continue;
			jb.protected = frame_oracle_protects(types, s->f[j].type);
			if (jb.protected) {
				jobs[nj++] = jb;
				prot++;
			} else {
				others[nb++] = jb;
			}
		}
		need = s->y - s->x > prot ? s->y - s->x - prot : 0;
		if (need > nb)
			v->b_late += need - nb;
		qsort(others, nb, sizeof(*others), job_by_size);
		for (j = 0; j < need && j < nb; j++)
			jobs[nj++] = others[j];
		v->b_needed += j;
	}
	/* the protected frames after the last whole window (all of them without windows) */
	for (; k < s->n; k++)
		if (s->f[k].wire && frame_oracle_protects(types, s->f[k].type))
			jobs[nj++] = (struct job){ oracle_capture(s, k), s->f[k].wire, true, i, &s->f[k] };
	return nj;
}

int frame_oracle(struct oracle_stream *st, unsigned int nst, const char *types, uint64_t rate,
		 uint64_t playout, struct oracle_verdict *v)
{
	size_t total = 0, nj = 0, i, k;
	uint64_t done = 0;
	struct job *jobs;

	*v = (struct oracle_verdict){ .slack = INT64_MAX };
	if (!rate)
		return -EINVAL;
	for (i = 0; i < nst; i++) {
		if (st[i].y > ORACLE_MAX_WINDOW || st[i].x > st[i].y)
			return -EINVAL;
		total += st[i].n;
	}
	jobs = malloc((total ? total : 1) * sizeof(*jobs));
	if (!jobs)
		return -ENOMEM;
	for (i = 0; i < nst; i++) {
		for (k = 0; k < st[i].n; k++)
			st[i].f[k].done = 0;
		nj += stream_jobs(&st[i], (unsigned int)i, types, jobs + nj, v);
	}
	qsort(jobs, nj, sizeof(*jobs), job_by_capture);
	for (i = 0; i < nj; i++) {
		const struct job *jb = &jobs[i];
		uint64_t start = jb->capture > done ? jb->capture : done;
		int64_t spare;
		bool late;

		done = start + jb->wire * 1000000000ULL / rate;
		jb->f->done = done;
		spare = (int64_t)(jb->capture + playout - done);
		if (spare < v->slack)
			v->slack = spare;
		late = spare < 0;
		if (jb->protected) {
			v->protected_frames++;
			v->i_frames += jb->f->type == 'I';
			v->protected_late += late;
			v->i_late += late && jb->f->type == 'I';
		} else {
			v->b_late += late;
		}
	}
	free(jobs);
	return 0;
}
