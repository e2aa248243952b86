// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * daemon_stub.c — qsock_daemon_call() while qsockd's client (lib/daemon_client.c) is not part
 * of the tree: the unprivileged path is refused with the ways to get it.
 */
#include <errno.h>

#include "errors.h"
#include "manager.h"

int qsock_daemon_call(const struct qsock_request *req, struct qsock_stream *reply_stream,
		      struct qsock_err *err)
{
	return qsock_errf(err, -EPERM,
			  "this operation needs CAP_NET_ADMIN (run as root or grant it with "
			  "setcap cap_net_admin+ep) or the qsockd daemon, which this libqsock "
			  "was built without");
}
