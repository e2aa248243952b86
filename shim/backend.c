// SPDX-License-Identifier: GPL-2.0
/*
 * backend.c — the shim's link to libqsock.
 *
 * libqsock (lib/, qattach and the message carriers of lib/carrier.h) is being written in
 * parallel; until it is committed this backend cannot attach, which the shim treats like
 * any other attach failure: the socket is left alone and the process gets one warning.
 */
#include <errno.h>
#include <stdio.h>

#include "backend.h"

int shim_backend_attach(int fd, const struct conf_stream *st, char *why, size_t why_len)
{
	snprintf(why, why_len, "this libqsockshim was built without libqsock: cannot attach");
	return -ENOSYS;
}

void shim_backend_detach(int fd)
{
}

int shim_backend_cmsgs(int fd, const struct conf_msg_action *a, void *cmsgs, size_t *len)
{
	*len = 0;
	return 0;
}
