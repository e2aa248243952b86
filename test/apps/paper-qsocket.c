// SPDX-License-Identifier: GPL-2.0
/* The paper's §3.1.2 (Socket creation), as printed; then the socket is used and checked. */
#include <qsock.h>

#include "paper-example.h"

static int example(int domain, int type, int protocol)
{
	/* ---- §3.1.2, as printed ("eth0" -> EXAMPLE_DEV) ---- */
	struct qos_params params;
	struct q_dwcs_attr attrs;
	int fd;

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
	fd=qsocket(domain,type,protocol,&params);
	/* ---- end of the excerpt ---- */
	return fd;
}

int main(void)
{
	struct sockaddr_in peer = example_peer();
	struct qos_info info;
	int fd, i;

	scribble_stack();
	fd = example(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0) {
		printf("qsocket failed: %s\n", qsock_strerror());
		return 1;
	}
	/* "can be used like another socket descriptor" */
	for (i = 0; i < 5; i++)
		if (sendto(fd, "frame", 5, 0, (struct sockaddr *)&peer, sizeof(peer)) != 5) {
			perror("sendto");
			return 1;
		}
	if (qinfo(fd, &info)) {
		printf("qinfo failed: %s\n", qsock_strerror());
		return 1;
	}
	printf("qsocket: fd %d, class %x:%x, ipg %llu ns, %u/%u, flags %#x\n", fd,
	       info.classid >> 16, info.classid & 0xffff, (unsigned long long)info.ipg_ns,
	       info.oln, info.old, info.stream_flags);
	if (info.ipg_ns != 10000000ULL || info.old != 10 || info.oln != 0 ||
	    info.stream_flags != DWCS_NON_DROPPABLE) {
		printf("the stream's parameters are not the example's\n");
		return 1;
	}
	return qclose(fd) ? 1 : 0;
}
