// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for qsockd's decoders (proto/proto.c), the bytes any local user can send.
 *
 * Two modes, chosen by the first input byte, so the fuzzer reaches deep fields instead of
 * spending its budget on the magic number:
 *   even  the raw bytes go to the header check, the request decoder and the reply decoder;
 *   odd   the bytes after the first fill a request behind a valid header (op from byte 1), so
 *         every field check is exercised.
 * Invariants checked (abort = finding): a successful decode returns a record whose strings are
 * terminated and whose fields are in range; every failure leaves a terminated message.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../proto/proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_request(const struct qsockd_request *r)
{
	if (!memchr(r->params.dev, '\0', sizeof(r->params.dev)) ||
	    !memchr(r->params.sched, '\0', sizeof(r->params.sched)))
		abort();
	if (r->hdr.op == 0 || r->hdr.op >= __QSOCKD_OP_MAX)
		abort();
	if (r->params.oln > r->params.old)
		abort();
	if (r->hdr.op == QSOCKD_OP_ATTACH &&
	    (r->params.ipg_ns < DWCS_MIN_IPG_NS || r->params.ipg_ns > DWCS_MAX_IPG_NS))
		abort();
	if (r->hdr.op == QSOCKD_OP_JOIN && (!r->cookie || r->params.dev[0] || r->params.ipg_ns))
		abort();
	(void)qsockd_params_rate(&r->params);
}

static void decode_all(const void *buf, size_t len)
{
	struct qsockd_request req;
	struct qsockd_reply rep;
	char msg[QSOCKD_MSG_LEN];
	int err;

	msg[0] = '\0';
	(void)qsockd_hdr_check(buf, len, sizeof(req), msg, sizeof(msg));
	if (!memchr(msg, '\0', sizeof(msg)))
		abort();
	err = qsockd_request_decode(buf, len, &req, msg, sizeof(msg));
	if (err == 0)
		check_request(&req);
	else if (err != -EPROTO && err != -EPROTONOSUPPORT && err != -EOPNOTSUPP &&
		 err != -EINVAL)
		abort();
	err = qsockd_reply_decode(buf, len, &rep, msg, sizeof(msg));
	if (err == 0 && !memchr(rep.message, '\0', sizeof(rep.message)))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct qsockd_request r;

	if (size == 0)
		return 0;
	if (!(data[0] & 1)) {
		decode_all(data + 1, size - 1);
		return 0;
	}
	qsockd_request_init(&r, QSOCKD_OP_INIT, 0);
	memcpy((char *)&r + sizeof(r.hdr), data + 1,
	       size - 1 < sizeof(r) - sizeof(r.hdr) ? size - 1 : sizeof(r) - sizeof(r.hdr));
	r.hdr.op = size > 1 ? data[1] % (__QSOCKD_OP_MAX + 1) : QSOCKD_OP_ATTACH;
	decode_all(&r, sizeof(r));
	return 0;
}
