// SPDX-License-Identifier: GPL-2.0
/*
 * dwcs-udp — UDP traffic with per-packet DWCS metadata, for the sch_dwcs tests in the VM.
 *
 *   dwcs-udp send ADDR PORT [-n COUNT | -t SECONDS] [-i USEC] [-s BYTES] [-p PRIORITY]
 *                 [-P N] [-d USEC] [-N K] [-D K] [-f K] [-M SHIFT]
 *       -i  gap between packets (0: as fast as the socket takes them)
 *       -p  SO_PRIORITY (a dwcs classid such as 0x10010 selects class 1:10; needs root)
 *       -P  spread the packets over N classes: priority PRIORITY + seq % N
 *       -d  deadline = send time + USEC, passed with SCM_TXTIME (CLOCK_MONOTONIC)
 *       -N  every K-th packet is marked non-droppable (SO_MARK cmsg; needs root)
 *       -D  every K-th packet carries drop priority 3 (dropped first on overflow), the
 *           others 0 (SO_MARK cmsg; needs root)
 *       -f  frames of K packets: frame start on the first, frame end on the last
 *       -M  bit position of the DWCS flag field in skb->mark (default 24, the default markmask)
 *       -E  send one end-of-test packet instead: the receiver on PORT stops when it gets it
 *   dwcs-udp recv PORT [-t SECONDS] [-I IDLE_MS]
 *       "# bound port PORT" once listening, then one line per packet: "seq frame flags deadline_ns rx_ns bytes" (rx: kernel receive time,
 *       CLOCK_MONOTONIC, so it compares with the sender's deadlines on the same machine;
 *       bytes: the datagram's payload),
 *       then "# received N".
 *
 * Exit status 0, or 1 with a message naming what failed.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <linux/net_tstamp.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <uapi/linux/pkt_sch_dwcs.h>

#define DWCS_UDP_MAGIC 0x44574353u /* "DWCS" */
#define DWCS_UDP_END_SEQ 0xffffffffu /* the end-of-test packet */

struct dwcs_udp_hdr {
	uint32_t magic;
	uint32_t seq;
	uint32_t frame;
	uint32_t flags;
	uint64_t sent_ns;
	uint64_t deadline_ns;
};

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static uint64_t real_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static int fail(const char *what)
{
	fprintf(stderr, "dwcs-udp: %s: %s\n", what, strerror(errno));
	return 1;
}

static int usage(void)
{
	fprintf(stderr, "usage: dwcs-udp send ADDR PORT [-n N|-t S] [-i US] [-s B] [-p PRIO] "
			"[-d US] [-N K] [-D K] [-f K] [-M SHIFT]\n"
			"       dwcs-udp recv PORT [-t S] [-I IDLE_MS]\n");
	return 2;
}

static unsigned long num(const char *s, const char *opt)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || *end || end == s) {
		fprintf(stderr, "dwcs-udp: %s: \"%s\" is not a number\n", opt, s);
		exit(2);
	}
	return v;
}

static int do_send(int argc, char **argv)
{
	unsigned long count = 1000, gap_us = 0, size = 200, prio = 0, deadline_us = 0;
	unsigned long nondrop_every = 0, dropprio_every = 0, frame_len = 0, shift = 24, seconds = 0, spread = 0;
	bool have_prio = false, end_only = false;
	struct sockaddr_in dst = { .sin_family = AF_INET };
	char buf[65536];
	uint64_t start, next;
	unsigned long seq;
	int fd, c;

	if (argc < 3)
		return usage();
	if (inet_pton(AF_INET, argv[1], &dst.sin_addr) != 1) {
		fprintf(stderr, "dwcs-udp: \"%s\" is not an IPv4 address\n", argv[1]);
		return 2;
	}
	dst.sin_port = htons((uint16_t)num(argv[2], "PORT"));
	optind = 3;
	while ((c = getopt(argc, argv, "n:t:i:s:p:P:d:N:D:f:M:E")) != -1) {
		switch (c) {
		case 'n': count = num(optarg, "-n"); break;
		case 't': seconds = num(optarg, "-t"); count = ~0UL; break;
		case 'i': gap_us = num(optarg, "-i"); break;
		case 's': size = num(optarg, "-s"); break;
		case 'p': prio = num(optarg, "-p"); have_prio = true; break;
		case 'P': spread = num(optarg, "-P"); break;
		case 'd': deadline_us = num(optarg, "-d"); break;
		case 'N': nondrop_every = num(optarg, "-N"); break;
		case 'D': dropprio_every = num(optarg, "-D"); break;
		case 'f': frame_len = num(optarg, "-f"); break;
		case 'M': shift = num(optarg, "-M"); break;
		case 'E': end_only = true; break;
		default: return usage();
		}
	}
	if (end_only) {
		struct dwcs_udp_hdr end = { .magic = DWCS_UDP_MAGIC, .seq = DWCS_UDP_END_SEQ };

		fd = socket(AF_INET, SOCK_DGRAM, 0);
		if (fd < 0)
			return fail("socket");
		if (sendto(fd, &end, sizeof(end), 0, (struct sockaddr *)&dst, sizeof(dst)) < 0)
			return fail("sendto");
		close(fd);
		return 0;
	}
	if (size < sizeof(struct dwcs_udp_hdr) || size > sizeof(buf) || shift > 27) {
		fprintf(stderr, "dwcs-udp: -s must be %zu..%zu, -M at most 27\n",
			sizeof(struct dwcs_udp_hdr), sizeof(buf));
		return 2;
	}
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		return fail("socket");
	/*
	 * A deep send buffer keeps the qdisc backlogged when the sender is slow to wake up (a
	 * loaded VM): the shaper, not the sender, must be the bottleneck.
	 */
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &(int){ 16 << 20 }, sizeof(int)))
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &(int){ 16 << 20 }, sizeof(int));
	if (have_prio && setsockopt(fd, SOL_SOCKET, SO_PRIORITY, &(int){ (int)prio }, sizeof(int)))
		return fail("SO_PRIORITY");
	if (deadline_us) {
		struct sock_txtime txt = { .clockid = CLOCK_MONOTONIC };

		if (setsockopt(fd, SOL_SOCKET, SO_TXTIME, &txt, sizeof(txt)))
			return fail("SO_TXTIME");
	}
	memset(buf, 0, sizeof(buf));
	start = mono_ns();
	next = start;
	for (seq = 0; seq < count; seq++) {
		struct dwcs_udp_hdr *h = (struct dwcs_udp_hdr *)buf;
		char cbuf[CMSG_SPACE(sizeof(uint64_t)) + CMSG_SPACE(sizeof(uint32_t))];
		struct iovec iov = { .iov_base = buf, .iov_len = size };
		struct msghdr msg = { .msg_name = &dst, .msg_namelen = sizeof(dst),
				      .msg_iov = &iov, .msg_iovlen = 1 };
		struct cmsghdr *cm;
		uint32_t flags = 0;
		size_t clen = 0;
		uint64_t now;

		if (gap_us) {
			while ((now = mono_ns()) < next)
				if (next - now > 200000)
					usleep((useconds_t)((next - now - 100000) / 1000));
			next += gap_us * 1000;
		}
		now = mono_ns();
		if (seconds && now - start >= seconds * 1000000000ULL)
			break;
		if (have_prio && spread > 1 &&
		    setsockopt(fd, SOL_SOCKET, SO_PRIORITY, &(int){ (int)(prio + seq % spread) },
			       sizeof(int)))
			return fail("SO_PRIORITY");
		if (nondrop_every && seq % nondrop_every == 0)
			flags |= DWCS_MARK_NONDROPPABLE;
		if (dropprio_every && seq % dropprio_every == 0)
			flags |= 3U << DWCS_MARK_DROPPRIO_SHIFT;
		if (frame_len && seq % frame_len == 0)
			flags |= DWCS_MARK_FRAME_START;
		if (frame_len && seq % frame_len == frame_len - 1)
			flags |= DWCS_MARK_FRAME_END;
		h->magic = DWCS_UDP_MAGIC;
		h->seq = (uint32_t)seq;
		h->frame = frame_len ? (uint32_t)(seq / frame_len) : 0;
		h->flags = flags;
		h->sent_ns = now;
		h->deadline_ns = deadline_us ? now + deadline_us * 1000 : 0;

		memset(cbuf, 0, sizeof(cbuf));
		msg.msg_control = cbuf;
		msg.msg_controllen = sizeof(cbuf);
		cm = CMSG_FIRSTHDR(&msg);
		if (deadline_us) {
			cm->cmsg_level = SOL_SOCKET;
			cm->cmsg_type = SCM_TXTIME;
			cm->cmsg_len = CMSG_LEN(sizeof(uint64_t));
			memcpy(CMSG_DATA(cm), &h->deadline_ns, sizeof(uint64_t));
			clen += CMSG_SPACE(sizeof(uint64_t));
			cm = CMSG_NXTHDR(&msg, cm);
		}
		if (flags) {
			uint32_t mark = flags << shift;

			cm->cmsg_level = SOL_SOCKET;
			cm->cmsg_type = SO_MARK;
			cm->cmsg_len = CMSG_LEN(sizeof(uint32_t));
			memcpy(CMSG_DATA(cm), &mark, sizeof(mark));
			clen += CMSG_SPACE(sizeof(uint32_t));
		}
		msg.msg_controllen = clen;
		if (!clen)
			msg.msg_control = NULL;
		if (sendmsg(fd, &msg, 0) < 0 && errno != ENOBUFS)
			return fail("sendmsg");
	}
	close(fd);
	return 0;
}

static int do_recv(int argc, char **argv)
{
	unsigned long seconds = 10, idle_ms = 1500, received = 0;
	struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = INADDR_ANY };
	int64_t real_minus_mono = (int64_t)(real_ns() - mono_ns());
	uint64_t end, last = 0;
	char buf[65536];
	int fd, c, one = 1;

	if (argc < 2)
		return usage();
	addr.sin_port = htons((uint16_t)num(argv[1], "PORT"));
	optind = 2;
	while ((c = getopt(argc, argv, "t:I:")) != -1) {
		switch (c) {
		case 't': seconds = num(optarg, "-t"); break;
		case 'I': idle_ms = num(optarg, "-I"); break;
		default: return usage();
		}
	}
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		return fail("socket");
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &(int){ 64 << 20 }, sizeof(int)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &(int){ 64 << 20 }, sizeof(int));
	if (setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one)))
		return fail("SO_TIMESTAMPNS");
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)))
		return fail("bind");
	/* The harness waits for this line before sending (test/lib/dwcs.bash recv_start):
	 * cheaper to watch than the socket table, and as exact. */
	printf("# bound port %u\n", ntohs(addr.sin_port));
	fflush(stdout);
	end = mono_ns() + seconds * 1000000000ULL;
	for (;;) {
		char cbuf[CMSG_SPACE(sizeof(struct timespec))];
		struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
		struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
				      .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		const struct dwcs_udp_hdr *h = (const struct dwcs_udp_hdr *)buf;
		uint64_t now = mono_ns(), rx = 0;
		struct cmsghdr *cm;
		ssize_t n;
		int wait_ms;

		if (now >= end || (last && now - last >= idle_ms * 1000000ULL))
			break;
		wait_ms = (int)((end - now) / 1000000ULL) + 1;
		if (poll(&pfd, 1, wait_ms > 100 ? 100 : wait_ms) <= 0)
			continue;
		n = recvmsg(fd, &msg, 0);
		if (n < 0)
			return fail("recvmsg");
		last = mono_ns();
		if ((size_t)n < sizeof(*h) || h->magic != DWCS_UDP_MAGIC)
			continue;
		if (h->seq == DWCS_UDP_END_SEQ)
			break;
		for (cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm))
			if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_TIMESTAMPNS) {
				struct timespec ts;

				memcpy(&ts, CMSG_DATA(cm), sizeof(ts));
				rx = (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec -
				     (uint64_t)real_minus_mono;
			}
		printf("%u %u %u %llu %llu %zd\n", h->seq, h->frame, h->flags,
		       (unsigned long long)h->deadline_ns, (unsigned long long)(rx ? rx : last), n);
		received++;
	}
	printf("# received %lu\n", received);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "send"))
		return do_send(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "recv"))
		return do_recv(argc - 1, argv + 1);
	return usage();
}
