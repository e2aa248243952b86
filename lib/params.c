// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * params.c — the public structs (qsock.h) checked and turned into the manager's normalised
 * ones. Everything a caller passes is validated here, before any kernel object is touched,
 * so a rejected call leaves nothing behind. Trailing extension fields are read only when the
 * caller announced them (QSOCK_STREAM_EXT), never from uninitialised memory.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include <uapi/linux/pkt_sch_dwcs.h>

#include "errors.h"
#include "rate.h"
#include "sched_ops.h"

#define NSEC_PER_MSEC 1000000ULL

/* A name field is usable when it is non-empty and NUL-terminated within its array. */
static int check_name(const char *field, const char *v, size_t size, struct qsock_err *err)
{
	if (!memchr(v, '\0', size))
		return qsock_errf(err, -EINVAL, "%s is not NUL-terminated within %zu bytes", field,
				  size);
	if (!v[0])
		return qsock_errf(err, -EINVAL, "%s is empty", field);
	return 0;
}

int qsock_check_names(const struct qos_params *p, struct qsock_err *err)
{
	int rc;

	if (!p)
		return qsock_errf(err, -EINVAL, "struct qos_params pointer is NULL");
	rc = check_name("qos_params.dev", p->dev, sizeof(p->dev), err);
	if (!rc)
		rc = check_name("qos_params.name", p->name, sizeof(p->name), err);
	if (rc)
		return rc;
	if (!qsock_sched_find(p->name))
		return qsock_errf(err, -EINVAL, "unknown scheduler \"%s\" (known: %s)", p->name,
				  qsock_sched_names());
	return 0;
}

/* A caller's struct is never larger than this in any version: a larger `size` is garbage
 * (an uninitialised field), and reading that many bytes would run off the caller's memory. */
#define QSOCK_ATTR_SIZE_MAX 4096

/* Bytes after the first @known of a caller's struct of @size must be zero (libbpf's rule):
 * a newer caller asking for something this library does not know is refused, not ignored. */
static int check_tail_zero(const char *what, const void *s, size_t size, size_t known,
			   struct qsock_err *err)
{
	if (size > QSOCK_ATTR_SIZE_MAX)
		return qsock_errf(err, -EINVAL,
				  "%s.size %zu is not a size (at most %d; set it to sizeof)", what,
				  size, QSOCK_ATTR_SIZE_MAX);
	for (size_t i = known; i < size; i++)
		if (((const unsigned char *)s)[i])
			return qsock_errf(err, -EINVAL,
					  "%s has non-zero field at offset %zu, unknown to this "
					  "libqsock (size %zu, known %zu)",
					  what, i, size, known);
	return 0;
}

int qsock_root_params_from_api(const struct qos_params *p, struct qsock_root_params *out,
			       struct qsock_err *err)
{
	const struct qsock_root_attr *ra;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = qsock_check_names(p, err);
	if (rc || !p->attributes)
		return rc;
	ra = p->attributes;
	if (ra->size < offsetof(struct qsock_root_attr, reserved) + sizeof(ra->reserved))
		return qsock_errf(err, -EINVAL,
				  "qsock_root_attr.size %u is too small (set it to sizeof)",
				  ra->size);
	rc = check_tail_zero("qsock_root_attr", ra, ra->size, sizeof(*ra), err);
	if (rc)
		return rc;
	if (ra->reserved)
		return qsock_errf(err, -EINVAL, "qsock_root_attr.reserved must be 0");
	if (ra->flags & ~QSOCK_ROOT_WORK_CONSERVING)
		return qsock_errf(err, -EINVAL, "qsock_root_attr.flags has unknown bits 0x%x",
				  ra->flags & ~QSOCK_ROOT_WORK_CONSERVING);
	if (ra->limit > DWCS_MAX_LIMIT)
		return qsock_errf(err, -EINVAL, "qsock_root_attr.limit %u exceeds %u packets",
				  ra->limit, DWCS_MAX_LIMIT);
	out->rate = ra->rate;
	out->limit = ra->limit;
	out->flags = ra->flags;
	return 0;
}

/* bitrate, fps_milli and media_flags into the period, window and htb rate (lib/rate.h). */
static int media_params(const char *sched, const struct q_dwcs_attr *a,
			struct qsock_stream_params *out, struct qsock_err *err)
{
	bool htb = !strcmp(sched, "htb");
	struct qsock_rate_grant g;
	int rc;

	if (a->media_flags & ~QSOCK_MEDIA_FLAGS_ALL)
		return qsock_errf(err, -EINVAL, "q_dwcs_attr.media_flags has unknown bits 0x%x",
				  a->media_flags & ~QSOCK_MEDIA_FLAGS_ALL);
	if (!a->bitrate) {
		if (a->fps_milli || a->media_flags)
			return qsock_errf(err, -EINVAL,
					  "q_dwcs_attr.%s needs bitrate: it describes how the "
					  "bit rate is sent",
					  a->fps_milli ? "fps_milli" : "media_flags");
		return 0;
	}
	if ((a->media_flags & QSOCK_WINDOW_FRAMES) && !a->fps_milli)
		return qsock_errf(err, -EINVAL,
				  "q_dwcs_attr.media_flags QSOCK_WINDOW_FRAMES needs fps_milli");
	if (htb && a->rate)
		return qsock_errf(err, -EINVAL,
				  "q_dwcs_attr.rate and bitrate both set the htb rate: give one");
	if (a->bitrate > QSOCK_MAX_BITRATE)
		return qsock_errf(err, -EINVAL,
				  "q_dwcs_attr.bitrate %llu bit/s is above %llu (100 Gbit/s)",
				  (unsigned long long)a->bitrate, QSOCK_MAX_BITRATE);
	if (a->fps_milli && (a->fps_milli < QSOCK_MIN_FPS_MILLI || a->fps_milli > QSOCK_MAX_FPS_MILLI))
		return qsock_errf(err, -EINVAL,
				  "q_dwcs_attr.fps_milli %u is outside %u..%u (1..1000 fps)",
				  a->fps_milli, QSOCK_MIN_FPS_MILLI, QSOCK_MAX_FPS_MILLI);
	if (a->pkt_bytes > QSOCK_MAX_PKT_BYTES)
		return qsock_errf(err, -EINVAL,
				  "q_dwcs_attr.pkt_bytes %u is above the largest datagram (%u)",
				  a->pkt_bytes, QSOCK_MAX_PKT_BYTES);
	rc = qsock_rate_grant(a->bitrate, a->fps_milli, a->pkt_bytes, &g);
	if (rc == -ERANGE && !htb)
		return qsock_errf(err, -EINVAL,
				  "q_dwcs_attr.bitrate %llu bit/s in %u-byte datagrams is a "
				  "datagram every %llu ns, outside %llu ns .. %llu s",
				  (unsigned long long)a->bitrate,
				  a->pkt_bytes ? a->pkt_bytes : QSOCK_DEFAULT_PKT_BYTES,
				  (unsigned long long)g.ipg_ns, DWCS_MIN_IPG_NS,
				  DWCS_MAX_IPG_NS / 1000000000ULL);
	if (a->media_flags & QSOCK_WINDOW_FRAMES) {
		uint64_t old = (uint64_t)a->old * g.pkts_per_frame;

		if (old > DWCS_MAX_WINDOW)
			return qsock_errf(err, -EINVAL,
					  "q_dwcs_attr.old %u frames of %u datagrams exceed the "
					  "largest window %u",
					  a->old, g.pkts_per_frame, DWCS_MAX_WINDOW);
		out->oln = a->oln * g.pkts_per_frame;
		out->old = (uint32_t)old;
	}
	if (htb) {
		/* the period is nominal for htb, which takes the rate */
		out->rate = g.wire_Bps;
		out->ipg_ns = rc ? (uint64_t)NSEC_PER_MSEC : g.ipg_ns;
	} else {
		out->ipg_ns = g.ipg_ns;
	}
	/* what the grant's datagrams are: qsockd charges the policy pkt_bytes per period */
	out->pkt_bytes = a->pkt_bytes ? a->pkt_bytes : QSOCK_DEFAULT_PKT_BYTES;
	return 0;
}

int qsock_stream_params_from_api(const struct qos_params *p, struct qsock_stream_params *out,
				 struct qsock_err *err)
{
	const struct q_dwcs_attr *a;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = qsock_check_names(p, err);
	if (rc)
		return rc;
	a = p->attributes;
	if (!a)
		return qsock_errf(
			err, -EINVAL,
			"qos_params.attributes is NULL: a stream needs a struct q_dwcs_attr");
	if (a->stream_flags & ~QSOCK_STREAM_FLAGS_ALL)
		return qsock_errf(err, -EINVAL, "q_dwcs_attr.stream_flags has unknown bits 0x%x",
				  a->stream_flags & ~QSOCK_STREAM_FLAGS_ALL);
	out->oln = a->oln;
	out->old = a->old;
	out->flags = a->stream_flags & ~QSOCK_STREAM_EXT;
	out->ipg_ns = (uint64_t)a->ipg * NSEC_PER_MSEC;
	if (a->stream_flags & QSOCK_STREAM_EXT) {
		if (a->size < QSOCK_ATTR_SIZE_V1)
			return qsock_errf(err, -EINVAL,
					  "q_dwcs_attr.size %u is too small for QSOCK_STREAM_EXT "
					  "(set it to sizeof(struct q_dwcs_attr))",
					  a->size);
		rc = check_tail_zero("q_dwcs_attr", a, a->size, sizeof(*a), err);
		if (rc)
			return rc;
		if (a->reserved)
			return qsock_errf(err, -EINVAL, "q_dwcs_attr.reserved must be 0");
		/* a caller compiled before dscp existed has a shorter struct: not set */
		if (a->size >= QSOCK_ATTR_SIZE_DSCP) {
			if (a->reserved2)
				return qsock_errf(err, -EINVAL, "q_dwcs_attr.reserved2 must be 0");
			if (a->dscp & ~(QSOCK_DSCP_SET | 0x3fU) ||
			    (a->dscp && !(a->dscp & QSOCK_DSCP_SET)))
				return qsock_errf(err, -EINVAL,
						  "q_dwcs_attr.dscp 0x%x is not QSOCK_DSCP(0..63) or 0",
						  a->dscp);
			out->dscp = a->dscp;
		}
		if (a->ipg_ns)
			out->ipg_ns = a->ipg_ns;
		out->limit = a->limit;
		out->rate = a->rate;
		out->pkt_bytes = a->pkt_bytes;
		/* a caller compiled before bitrate existed: the period is ipg's */
		if (a->size >= QSOCK_ATTR_SIZE_MEDIA) {
			rc = media_params(p->name, a, out, err);
			if (rc)
				return rc;
		}
	}
	return qsock_stream_params_check(p->name, out, err);
}

int qsock_stream_params_check(const char *sched, const struct qsock_stream_params *sp,
			      struct qsock_err *err)
{
	const struct qsock_sched_ops *ops = qsock_sched_find(sched ? sched : "");

	if (!ops)
		return qsock_errf(err, -EINVAL, "unknown scheduler \"%s\" (known: %s)",
				  sched ? sched : "", qsock_sched_names());
	if (sp->dscp & ~(QSOCK_DSCP_SET | 0x3fU) || (sp->dscp && !(sp->dscp & QSOCK_DSCP_SET)))
		return qsock_errf(err, -EINVAL, "stream dscp 0x%x is not QSOCK_DSCP(0..63) or 0",
				  sp->dscp);
	if (sp->flags & ~(uint32_t)(DWCS_NON_DROPPABLE | QSOCK_STREAM_LOSSLESS))
		return qsock_errf(err, -EINVAL, "stream flags have unknown bits 0x%x",
				  sp->flags & ~(uint32_t)(DWCS_NON_DROPPABLE | QSOCK_STREAM_LOSSLESS));
	if (!sp->ipg_ns)
		return qsock_errf(err, -EINVAL, "q_dwcs_attr.ipg is 0: a stream needs a period");
	if (sp->ipg_ns < DWCS_MIN_IPG_NS || sp->ipg_ns > DWCS_MAX_IPG_NS)
		return qsock_errf(err, -EINVAL,
				  "q_dwcs_attr.ipg %llu ns is outside %llu ns .. %llu s",
				  (unsigned long long)sp->ipg_ns, DWCS_MIN_IPG_NS,
				  DWCS_MAX_IPG_NS / 1000000000ULL);
	if (sp->oln > sp->old)
		return qsock_errf(err, -EINVAL, "q_dwcs_attr.oln (x=%u) must not exceed old (y=%u)",
				  sp->oln, sp->old);
	if (sp->old > DWCS_MAX_WINDOW)
		return qsock_errf(err, -EINVAL, "q_dwcs_attr.old %u exceeds the largest window %u",
				  sp->old, DWCS_MAX_WINDOW);
	if (sp->limit > DWCS_MAX_LIMIT)
		return qsock_errf(err, -EINVAL, "q_dwcs_attr.limit %u exceeds %u packets",
				  sp->limit, DWCS_MAX_LIMIT);
	return ops->check_stream ? ops->check_stream(sp, err) : 0;
}
