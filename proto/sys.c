// SPDX-License-Identifier: LGPL-2.1-or-later
/* sys.c — the client's system calls by default: libc's (client.h, qsockd_client_use). */
#include <unistd.h>

#include "client.h"

struct qsockd_client_sys qsockd_client_sys = {
	.socket = socket,
	.connect = connect,
	.sendmsg = sendmsg,
	.close = close,
	.setsockopt = setsockopt,
};
