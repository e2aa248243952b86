// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * proto.c — strict encoding and decoding of qsockd's fixed-size records (proto.h).
 *
 * The decoder is the daemon's attack surface: it runs on bytes from any local user. It never
 * trusts a length or a string: the size must be exactly the record's, every string must be
 * NUL-terminated inside its field, every number inside its documented range, every reserved
 * byte zero. It copies into the caller's struct only after the whole record passed, so a
 * half-checked request is never acted on. It is fuzzed (test/fuzz/fuzz_proto.c).
 * Both ends use it: qsockd decodes requests, libqsock and the qsock tool (client.c) replies.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "proto.h"

_Static_assert(sizeof(struct qsockd_hdr) == 16, "wire header size");
_Static_assert(sizeof(struct qsockd_params) == 88, "wire params size");
_Static_assert(sizeof(struct qsockd_request) == 144, "wire request size");
_Static_assert(sizeof(struct qsockd_reply) == 488, "wire reply size");
_Static_assert(sizeof(struct qsockd_stats) == 144, "wire stats size");
_Static_assert(sizeof(struct qsockd_stream) == 288, "wire stream size");
_Static_assert(sizeof(struct qsockd_device) == 64, "wire device size");

static const char *const op_names[__QSOCKD_OP_MAX] = {
	[QSOCKD_OP_INIT] = "init",     [QSOCKD_OP_ATTACH] = "attach", [QSOCKD_OP_CHANGE] = "change",
	[QSOCKD_OP_INFO] = "info",     [QSOCKD_OP_DETACH] = "detach", [QSOCKD_OP_STATUS] = "status",
	[QSOCKD_OP_DEINIT] = "deinit", [QSOCKD_OP_JOIN] = "join",
};

const char *qsockd_op_name(unsigned int op)
{
	if (op < __QSOCKD_OP_MAX && op_names[op])
		return op_names[op];
	return "unknown";
}

static int fail(char *msg, size_t msglen, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int fail(char *msg, size_t msglen, int err, const char *fmt, ...)
{
	va_list ap;

	if (msg && msglen) {
		va_start(ap, fmt);
		vsnprintf(msg, msglen, fmt, ap);
		va_end(ap);
	}
	return -err;
}

static int all_zero(const void *p, size_t n)
{
	const unsigned char *c = p;

	while (n--)
		if (*c++)
			return 0;
	return 1;
}

/* A field of n bytes holds a NUL-terminated string (possibly empty). */
static int str_ok(const char *s, size_t n)
{
	return memchr(s, '\0', n) != NULL;
}

/* Device and scheduler names: printable, no '/', as the kernel accepts for interfaces. */
static int name_ok(const char *s, size_t n)
{
	size_t len;

	if (!str_ok(s, n))
		return 0;
	len = strlen(s);
	if (len == 0)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (s[i] <= ' ' || s[i] > '~' || s[i] == '/')
			return 0;
	return 1;
}

int qsockd_hdr_check(const void *buf, size_t len, size_t expect_size, char *msg, size_t msglen)
{
	struct qsockd_hdr h;

	if (len < sizeof(h))
		return fail(msg, msglen, EPROTO, "short record: %zu bytes, header is %zu", len,
			    sizeof(h));
	memcpy(&h, buf, sizeof(h));
	if (h.magic != QSOCKD_MAGIC)
		return fail(msg, msglen, EPROTO, "bad magic 0x%08x: not a qsockd record", h.magic);
	if (h.version != QSOCKD_VERSION)
		return fail(msg, msglen, EPROTONOSUPPORT,
			    "protocol version %u, qsockd speaks version %u: upgrade the older side",
			    h.version, QSOCKD_VERSION);
	if (h.size != expect_size)
		return fail(msg, msglen, EPROTO, "record size %u, expected %zu", h.size,
			    expect_size);
	return 0;
}

static int params_check(const struct qsockd_params *p, unsigned int op, char *msg,
			size_t msglen)
{
	if (!name_ok(p->dev, sizeof(p->dev)))
		return fail(msg, msglen, EINVAL, "params.dev: not a NUL-terminated device name");
	if (!name_ok(p->sched, sizeof(p->sched)))
		return fail(msg, msglen, EINVAL,
			    "params.sched: not a NUL-terminated scheduler name");
	/* Trailing bytes after the NUL must be zero too: no hidden data in a name. */
	if (!all_zero(p->dev + strlen(p->dev), sizeof(p->dev) - strlen(p->dev)))
		return fail(msg, msglen, EINVAL, "params.dev: bytes after the name are not zero");
	if (!all_zero(p->sched + strlen(p->sched), sizeof(p->sched) - strlen(p->sched)))
		return fail(msg, msglen, EINVAL,
			    "params.sched: bytes after the name are not zero");
	if (!QSOCKD_DSCP_VALID(p->dscp))
		return fail(msg, msglen, EINVAL, "params.dscp 0x%x: not QSOCKD_DSCP_SET | 0..63, or 0",
			    p->dscp);
	if (p->root_rate > QSOCKD_MAX_RATE)
		return fail(msg, msglen, EINVAL, "params.root_rate %llu: out of range",
			    (unsigned long long)p->root_rate);
	if (p->root_limit > DWCS_MAX_LIMIT)
		return fail(msg, msglen, EINVAL, "params.root_limit %u: must be <= %u",
			    p->root_limit, DWCS_MAX_LIMIT);
	if (p->root_flags & ~QSOCKD_ROOT_F_ALL)
		return fail(msg, msglen, EINVAL, "params.root_flags 0x%x: unknown bits 0x%x",
			    p->root_flags, p->root_flags & ~QSOCKD_ROOT_F_ALL);
	if (op == QSOCKD_OP_INIT || op == QSOCKD_OP_DEINIT)
		return 0;
	if (p->ipg_ns < DWCS_MIN_IPG_NS || p->ipg_ns > DWCS_MAX_IPG_NS)
		return fail(msg, msglen, EINVAL, "params.ipg_ns %llu: must be %llu..%llu",
			    (unsigned long long)p->ipg_ns, DWCS_MIN_IPG_NS, DWCS_MAX_IPG_NS);
	if (p->old > DWCS_MAX_WINDOW)
		return fail(msg, msglen, EINVAL, "params.old %u: the window must be <= %u", p->old,
			    DWCS_MAX_WINDOW);
	if (p->oln > p->old)
		return fail(msg, msglen, EINVAL, "params.oln %u: must not exceed old %u", p->oln,
			    p->old);
	if (p->flags & ~QSOCKD_F_ALL)
		return fail(msg, msglen, EINVAL, "params.flags 0x%x: unknown bits 0x%x", p->flags,
			    p->flags & ~QSOCKD_F_ALL);
	if (p->limit > DWCS_MAX_LIMIT)
		return fail(msg, msglen, EINVAL, "params.limit %u: must be <= %u", p->limit,
			    DWCS_MAX_LIMIT);
	if (p->rate > QSOCKD_MAX_RATE)
		return fail(msg, msglen, EINVAL, "params.rate %llu: out of range",
			    (unsigned long long)p->rate);
	if (p->pkt_bytes > 65535)
		return fail(msg, msglen, EINVAL, "params.pkt_bytes %u: must be <= 65535",
			    p->pkt_bytes);
	return 0;
}

int qsockd_request_decode(const void *buf, size_t len, struct qsockd_request *out, char *msg,
			  size_t msglen)
{
	struct qsockd_request r;
	int err;

	err = qsockd_hdr_check(buf, len, sizeof(r), msg, msglen);
	if (err)
		return err;
	if (len != sizeof(r))
		return fail(msg, msglen, EPROTO, "request of %zu bytes, expected %zu", len,
			    sizeof(r));
	memcpy(&r, buf, sizeof(r));
	if (r.hdr.op == 0 || r.hdr.op >= __QSOCKD_OP_MAX)
		return fail(msg, msglen, EOPNOTSUPP, "unknown operation %u", r.hdr.op);
	if (!all_zero(r.reserved, sizeof(r.reserved)))
		return fail(msg, msglen, EINVAL, "reserved bytes are not zero");

	switch (r.hdr.op) {
	case QSOCKD_OP_STATUS:
		/* No parameters: everything else must be zero, so it can grow later. */
		if (r.cookie || !all_zero(&r.params, sizeof(r.params)))
			return fail(msg, msglen, EINVAL, "status takes no cookie or parameters");
		break;
	case QSOCKD_OP_INIT:
	case QSOCKD_OP_DEINIT:
		if (r.cookie)
			return fail(msg, msglen, EINVAL, "%s takes no cookie",
				    qsockd_op_name(r.hdr.op));
		err = params_check(&r.params, r.hdr.op, msg, msglen);
		if (err)
			return err;
		break;
	case QSOCKD_OP_ATTACH:
		if (r.cookie)
			return fail(msg, msglen, EINVAL,
				    "attach names its socket by fd, not cookie");
		err = params_check(&r.params, r.hdr.op, msg, msglen);
		if (err)
			return err;
		break;
	case QSOCKD_OP_CHANGE:
		err = params_check(&r.params, r.hdr.op, msg, msglen);
		if (err)
			return err;
		break;
	case QSOCKD_OP_JOIN:
		/* the class, device and parameters are the joined stream's: nothing to state */
		if (!r.cookie)
			return fail(msg, msglen, EINVAL, "join needs the cookie of the stream joined");
		if (!all_zero(&r.params, sizeof(r.params)))
			return fail(msg, msglen, EINVAL, "join takes no parameters");
		break;
	case QSOCKD_OP_INFO:
	case QSOCKD_OP_DETACH:
		if (!all_zero(&r.params, sizeof(r.params)))
			return fail(msg, msglen, EINVAL, "%s takes no parameters",
				    qsockd_op_name(r.hdr.op));
		break;
	default:
		return fail(msg, msglen, EOPNOTSUPP, "unknown operation %u", r.hdr.op);
	}
	*out = r;
	return 0;
}

int qsockd_reply_decode(const void *buf, size_t len, struct qsockd_reply *out, char *msg,
			size_t msglen)
{
	struct qsockd_reply r;
	int err;

	/* Seen from the client, another version is the daemon's. */
	if (len >= sizeof(r.hdr)) {
		memcpy(&r.hdr, buf, sizeof(r.hdr));
		if (r.hdr.magic == QSOCKD_MAGIC && r.hdr.version != QSOCKD_VERSION)
			return fail(msg, msglen, EPROTONOSUPPORT,
				    "qsockd speaks protocol version %u, this libqsock version %u: "
				    "upgrade the older side",
				    r.hdr.version, QSOCKD_VERSION);
	}
	err = qsockd_hdr_check(buf, len, sizeof(r), msg, msglen);
	if (err)
		return err;
	if (len != sizeof(r))
		return fail(msg, msglen, EPROTO, "reply of %zu bytes, expected %zu", len,
			    sizeof(r));
	memcpy(&r, buf, sizeof(r));
	if (r.error < 0 || r.error > 4095)
		return fail(msg, msglen, EPROTO, "reply error %d is not an errno", r.error);
	if (r.flags & ~(QSOCKD_REPLY_F_MORE | QSOCKD_REPLY_F_STREAM | QSOCKD_REPLY_F_DEVICE |
			QSOCKD_REPLY_F_SLOT) ||
	    ((r.flags & QSOCKD_REPLY_F_STREAM) && (r.flags & QSOCKD_REPLY_F_DEVICE)))
		return fail(msg, msglen, EPROTO, "reply flags 0x%x: unknown or conflicting bits",
			    r.flags);
	if ((r.flags & QSOCKD_REPLY_F_DEVICE) &&
	    (!str_ok(r.device.dev, sizeof(r.device.dev)) ||
	     !str_ok(r.device.sched, sizeof(r.device.sched)) ||
	     !str_ok(r.device.root_kind, sizeof(r.device.root_kind))))
		return fail(msg, msglen, EPROTO, "reply device names are not NUL-terminated");
	if (!str_ok(r.message, sizeof(r.message)))
		return fail(msg, msglen, EPROTO, "reply message is not NUL-terminated");
	if ((r.flags & QSOCKD_REPLY_F_STREAM) &&
	    (!str_ok(r.stream.owner_comm, sizeof(r.stream.owner_comm)) ||
	    !str_ok(r.stream.params.dev, sizeof(r.stream.params.dev)) ||
	     !str_ok(r.stream.params.sched, sizeof(r.stream.params.sched))))
		return fail(msg, msglen, EPROTO, "reply stream names are not NUL-terminated");
	*out = r;
	return 0;
}

void qsockd_request_init(struct qsockd_request *req, enum qsockd_op op, uint32_t seq)
{
	memset(req, 0, sizeof(*req));
	req->hdr.magic = QSOCKD_MAGIC;
	req->hdr.version = QSOCKD_VERSION;
	req->hdr.op = op;
	req->hdr.size = sizeof(*req);
	req->hdr.seq = seq;
}

void qsockd_reply_init(struct qsockd_reply *rep, uint16_t op, uint32_t seq)
{
	memset(rep, 0, sizeof(*rep));
	rep->hdr.magic = QSOCKD_MAGIC;
	rep->hdr.version = QSOCKD_VERSION;
	rep->hdr.op = op;
	rep->hdr.size = sizeof(*rep);
	rep->hdr.seq = seq;
}

void qsockd_reply_error(struct qsockd_reply *rep, int err, const char *fmt, ...)
{
	va_list ap;

	rep->error = err < 0 ? -err : err;
	va_start(ap, fmt);
	vsnprintf(rep->message, sizeof(rep->message), fmt, ap);
	va_end(ap);
}

uint64_t qsockd_params_rate(const struct qsockd_params *p)
{
	uint64_t bits;

	if (p->rate)
		return p->rate * 8; /* <= 2^50: no overflow */
	if (!p->ipg_ns)
		return 0;
	bits = (uint64_t)(p->pkt_bytes ? p->pkt_bytes : 1500) * 8;
	/* bits * 1e9 fits: bits <= 524280, so the product is < 2^59. */
	return bits * 1000000000ULL / p->ipg_ns;
}
