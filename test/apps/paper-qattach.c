// SPDX-License-Identifier: GPL-2.0
/* The paper's §3.2 (Adding to an existing application), as printed, on an existing socket. */
#include <qsock.h>

#include "paper-example.h"

static int example(int fd)
{
	/* ---- §3.2, as printed ("eth0" -> EXAMPLE_DEV) ---- */
	struct qos_params params;
	struct q_dwcs_attr attrs;
	/*fd is the socket descriptor*/

	/*set device name*/
	strncpy(params.dev, EXAMPLE_DEV, IFNAMSIZ);
	/*set scheduler name */
	strncpy(params.name, "dwcs", IFNAMSIZ);

	/*set scheduling attributes*/
	attrs.oln = 0;
	attrs.old = 10;
	attrs.ipg = 10;
	attrs.stream_flags = DWCS_NON_DROPPABLE;

	params.attributes = &attrs;

	/*create scheduled socket*/
	qattach(fd, &params);
	/* ---- end of the excerpt ---- */
	return 0;
}

int main(void)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0);	/* the existing application's socket */
	struct qos_info info;

	scribble_stack();
	example(fd);
	if (qinfo(fd, &info)) {
		printf("qattach did not attach: %s\n", qsock_strerror());
		return 1;
	}
	printf("qattach: fd %d has class %x:%x on %s (%s)\n", fd, info.classid >> 16,
	       info.classid & 0xffff, info.dev, info.name);
	return qclose(fd) ? 1 : 0;
}
