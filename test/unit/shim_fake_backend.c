// SPDX-License-Identifier: GPL-2.0
/*
 * shim_fake_backend.c — a test double of shim/backend.c, linked into
 * build/test/shim/libqsockshim-fake.so instead of the real one, so that the whole shim
 * (interposition, matching, classification, appending control messages after the caller's,
 * fail-open retries) can be tested end to end on a host without the dwcs qdisc:
 *
 *   attach   succeeds, except on dev "fail-attach" (-EPERM, for the fail-open tests)
 *   cmsgs    one IP_TTL control message whose value encodes the message's flags, so a
 *            receiver with IP_RECVTTL sees them: TTL = 100 + mark (+ 50 with a deadline);
 *            on dev "refuse-cmsg" an invalid cmsg the kernel refuses with EINVAL
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "../../shim/backend.h"
#include "../../shim/shim.h"
#include "../../shim/fdtable.h"

int shim_backend_attach(int fd, const struct conf_stream *st, char *why, size_t why_len)
{
	if (!strcmp(st->dev, "fail-attach")) {
		snprintf(why, why_len, "fake backend: attach refused on purpose");
		return -EPERM;
	}
	return 0;
}

void shim_backend_detach(int fd)
{
}

int shim_backend_cmsgs(int fd, const struct conf_msg_action *a, void *cmsgs, size_t *len)
{
	const struct conf_stream *st = &shim.conf.streams[shim_fd_slot(fd)->stream];
	struct cmsghdr *c = cmsgs;
	int ttl = 100 + a->mark + (a->deadline_ns ? 50 : 0);

	c->cmsg_level = IPPROTO_IP;
	c->cmsg_type = IP_TTL;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	if (!strcmp(st->dev, "refuse-cmsg"))
		ttl = 1000; /* > 255: EINVAL */
	memcpy(CMSG_DATA(c), &ttl, sizeof(ttl));
	*len = CMSG_SPACE(sizeof(int));
	return 0;
}
