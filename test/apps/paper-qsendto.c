// SPDX-License-Identifier: GPL-2.0
/*
 * The paper's §3.1.3 (Passing message specific parameters), as printed, on a socket made as
 * in §3.1.2. One correction: the printed excerpt lacks the `;` after
 * `pflags.deadline = deadline` (it cannot compile without it).
 */
#include <qsock.h>

#include "paper-example.h"

struct frame {
	char bytes[1000];
};

static int send_one(int sockfd, uint64_t deadline)
{
	struct sockaddr_in name = example_peer();
	socklen_t size = sizeof(name);
	struct frame next_frame;

	memset(&next_frame, 'f', sizeof(next_frame));
	{
		/* ---- §3.1.3, as printed (plus the missing `;`) ---- */
		struct packet_flags pflags;
		/*mark the packet as non-droppable*/
		pflags.drop_flag = DWCS_NON_DROPPABLE;
		/*attach a packet deadline to this message*/
		pflags.deadline = deadline;

		/*call qsendto and send the
		packet information down to the scheduler*/
		if(qsendto(sockfd, &next_frame,
		sizeof(next_frame), 0,
		(struct sockaddr*)&name,
		size, &pflags)< 0)
		perror("qsendto");
		/* ---- end of the excerpt ---- */
	}
	return 0;
}

int main(void)
{
	struct q_dwcs_attr attrs = { .oln = 0, .old = 10, .ipg = 10,
				     .stream_flags = DWCS_NON_DROPPABLE };
	struct qos_params params = { .attributes = &attrs };
	struct qos_info info;
	int sockfd, i;

	strncpy(params.dev, EXAMPLE_DEV, IFNAMSIZ);
	strncpy(params.name, "dwcs", IFNAMSIZ);
	sockfd = qsocket(AF_INET, SOCK_DGRAM, 0, &params);
	if (sockfd < 0) {
		printf("qsocket failed: %s\n", qsock_strerror());
		return 1;
	}
	for (i = 0; i < 20; i++) {
		scribble_stack();
		send_one(sockfd, qsock_now_ns() + 50000000ULL);	/* 50 ms from now */
	}
	if (qinfo(sockfd, &info)) {
		printf("qinfo failed: %s\n", qsock_strerror());
		return 1;
	}
	printf("qsendto: class %x:%x carrier %u sent %llu packets, %llu late drops\n",
	       info.classid >> 16, info.classid & 0xffff, info.carrier,
	       (unsigned long long)info.sent_pkts + info.backlog_pkts,
	       (unsigned long long)info.drop_late);
	if (info.sent_pkts + info.backlog_pkts + info.drops < 20) {
		printf("the class did not get the 20 messages\n");
		return 1;
	}
	return qclose(sockfd) ? 1 : 0;
}
