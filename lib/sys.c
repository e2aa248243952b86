// SPDX-License-Identifier: LGPL-2.1-or-later
/* sys.c — the table of interposed system calls (sys.h): the one file that names them. */
#include <unistd.h>

#include "../proto/client.h"
#include "sys.h"

struct qsock_sys qsock_sys = {
	.socket = socket,
	.connect = connect,
	.sendto = sendto,
	.sendmsg = sendmsg,
	.close = close,
	.setsockopt = setsockopt,
};

void qsock_sys_use(const struct qsock_sys *fns)
{
	const struct qsockd_client_sys client = {
		.socket = fns->socket,
		.connect = fns->connect,
		.sendmsg = fns->sendmsg,
		.close = fns->close,
		.setsockopt = fns->setsockopt,
	};

	qsock_sys = *fns;
	qsockd_client_use(&client);
}
