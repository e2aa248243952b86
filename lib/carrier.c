// SPDX-License-Identifier: LGPL-2.1-or-later
/* carrier.c — per-message carriers; see carrier.h. This is the hot path of qsend*. */
#include <errno.h>
#include <string.h>
#include <time.h>

#include <bpf/bpf.h>
#include <uapi/linux/pkt_sch_dwcs.h>

#include "carrier.h"
#include "errors.h"

/* The public flag bits are the qdisc's mark field, so no translation is needed. */
_Static_assert(DWCS_NON_DROPPABLE == DWCS_MARK_NONDROPPABLE, "non-droppable bit");
_Static_assert(QSOCK_DROP_PRIO_MASK == DWCS_MARK_DROPPRIO_MASK, "drop priority bits");
_Static_assert(QSOCK_FRAME_START == DWCS_MARK_FRAME_START, "frame start bit");
_Static_assert(QSOCK_FRAME_END == DWCS_MARK_FRAME_END, "frame end bit");

enum qsock_carrier qsock_carrier_select(uint32_t sched_mark_flags, bool may_mark, bool stream)
{
	if (!sched_mark_flags)
		return QSOCK_CARRIER_NONE;
	return may_mark && !stream ? QSOCK_CARRIER_MARK_CMSG : QSOCK_CARRIER_SOCK_STORAGE;
}

int qsock_pf_check(const struct packet_flags *pf, struct qsock_err *err)
{
	if (!pf)
		return 0;
	if (pf->drop_flag & ~QSOCK_PF_ALL)
		return qsock_errf(err, -EINVAL, "packet_flags.drop_flag has unknown bits 0x%x",
				  pf->drop_flag & ~QSOCK_PF_ALL);
	if ((pf->drop_flag & QSOCK_PF_EXT) && pf->size != sizeof(*pf))
		return qsock_errf(
			err, -EINVAL,
			"packet_flags.size %u is not %zu (QSOCK_PF_EXT announces the size)",
			pf->size, sizeof(*pf));
	return 0;
}

static uint64_t deadline_of(const struct packet_flags *pf)
{
	struct timespec now;

	if (!(pf->drop_flag & QSOCK_DEADLINE_RELATIVE) || !pf->deadline)
		return pf->deadline;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (uint64_t)now.tv_sec * 1000000000ULL + (uint64_t)now.tv_nsec + pf->deadline;
}

static size_t put_cmsg(void *at, int level, int type, const void *data, size_t len)
{
	struct cmsghdr *c = at;

	c->cmsg_level = level;
	c->cmsg_type = type;
	c->cmsg_len = CMSG_LEN(len);
	memcpy(CMSG_DATA(c), data, len);
	return CMSG_SPACE(len);
}

int qsock_carrier_build(struct qsock_fd_state *st, int fd, const struct packet_flags *pf,
			void *cmsgs, size_t *len, struct qsock_err *err)
{
	uint32_t field = pf ? pf->drop_flag & DWCS_MARK_FIELD_MASK : 0;
	char *at = cmsgs;
	int rc;

	*len = 0;
	rc = qsock_pf_check(pf, err);
	if (rc)
		return rc;
	if (st->carrier == QSOCK_CARRIER_SOCK_STORAGE &&
	    atomic_load_explicit(&st->cur_flags, memory_order_relaxed) != field) {
		struct qsock_cls_flags_word {
			uint32_t flags, pad;
		} v = { field, 0 };

		if (bpf_map_update_elem(st->flags_map_fd, &fd, &v, BPF_ANY))
			return qsock_errf(err, -errno,
					  "updating the flags word of fd %d in %s/%s/flags: %s", fd,
					  "/sys/fs/bpf/qsock", st->stream.dev, strerror(errno));
		atomic_store_explicit(&st->cur_flags, field, memory_order_relaxed);
	}
	if (!pf)
		return 0;
	if (st->carrier == QSOCK_CARRIER_MARK_CMSG && field) {
		uint32_t mark = st->mark_base | ((field << st->mark_shift) & st->markmask);

		at += put_cmsg(at, SOL_SOCKET, SO_MARK, &mark, sizeof(mark));
	}
	if (st->txtime && pf->deadline) {
		uint64_t when = deadline_of(pf);

		at += put_cmsg(at, SOL_SOCKET, SCM_TXTIME, &when, sizeof(when));
	}
	*len = (size_t)(at - (char *)cmsgs);
	return 0;
}

void qsock_carrier_merge(const struct msghdr *in, const void *cmsgs, size_t len, struct msghdr *out,
			 void *buf)
{
	size_t own = CMSG_ALIGN(in->msg_controllen);

	*out = *in;
	if (in->msg_controllen) {
		memcpy(buf, in->msg_control, in->msg_controllen);
		memset((char *)buf + in->msg_controllen, 0, own - in->msg_controllen);
	}
	memcpy((char *)buf + own, cmsgs, len);
	out->msg_control = buf;
	out->msg_controllen = own + len;
}
