// SPDX-License-Identifier: GPL-2.0
/*
 * lib_bench — Table 1 of the paper: each Q.Sockets call against its socket counterpart,
 * measured side by side (interleaved, same process, same socket where possible), medians
 * of N calls; and the absolute cost of qsockinit, qattach, qchange, qinfo with the netlink
 * round trips each makes (counted in lib/netlink.c), qinfo at 10..10,000 streams.
 *
 *   lib_bench DEV PEER_IP [N]     (run as root inside the sender's namespace; see lib-bench.sh)
 *
 * The device must have no root qdisc of its own; the bench installs and removes the htb root
 * (the host kernel has no dwcs). With htb no per-message carrier is needed, so qsendto is
 * also measured with the dwcs carriers forced on: SO_MARK + SCM_TXTIME cmsgs appended (a
 * privileged process on a dwcs stream; the same flags each time, so the library leaves them
 * on the socket's mark, and flags that change every message), SCM_TXTIME alone (an
 * unprivileged one whose flags word is unchanged since its last message), the kernel's own
 * cost of those control messages (sendmsg with them built by hand, no library), and the send
 * slot (deadline and flags in shared memory the classifier reads: a plain sendto).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/net_tstamp.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <uapi/linux/pkt_sch_dwcs.h>

#include "classifier.h"
#include "fdtable.h"
#include "netlink.h"
#include "qsock.h"

static const char *dev;
static struct sockaddr_in peer;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static double median_us(uint64_t *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_u64);
	return (double)v[n / 2] / 1000.0;
}

static void die(const char *what)
{
	fprintf(stderr, "lib_bench: %s: %s (%s)\n", what, qsock_strerror(), strerror(errno));
	exit(1);
}

static struct q_dwcs_attr attrs;

static struct qos_params params(uint32_t ipg_ms)
{
	struct qos_params p;

	memset(&p, 0, sizeof(p));
	snprintf(p.dev, sizeof(p.dev), "%s", dev);
	snprintf(p.name, sizeof(p.name), "htb");
	memset(&attrs, 0, sizeof(attrs));
	attrs.old = 10;
	attrs.ipg = ipg_ms;
	attrs.stream_flags = QSOCK_STREAM_EXT;
	attrs.size = sizeof(attrs);
	attrs.rate = 1250000000ULL; /* 10 Gbit/s: the class never holds a message back */
	p.attributes = &attrs;
	return p;
}

static void row(const char *call, double sock_us, double q_us, double rtt, const char *paper)
{
	char s[32] = "N/A", r[32] = "", t[32] = "";

	if (sock_us > 0) {
		snprintf(s, sizeof(s), "%.2f", sock_us);
		snprintf(r, sizeof(r), "%.3f", q_us / sock_us);
	}
	if (rtt >= 0)
		snprintf(t, sizeof(t), "%.2f", rtt);
	printf("%-34s %12s %12.2f %8s %10s %10s\n", call, s, q_us, r, t, paper);
}

int main(int argc, char **argv)
{
	struct rlimit rl = { 20000, 20000 };
	struct qos_params p, pinit;
	int n, i, fd, *fds;
	uint64_t *a, *b, t0, t1;
	unsigned long rt0;
	char payload[64] = "qsock-bench";
	struct qos_info info;

	if (argc < 3) {
		fprintf(stderr, "usage: lib_bench DEV PEER_IP [N]\n");
		return 2;
	}
	dev = argv[1];
	peer.sin_family = AF_INET;
	peer.sin_port = htons(9);
	inet_pton(AF_INET, argv[2], &peer.sin_addr);
	n = argc > 3 ? atoi(argv[3]) : 1000;
	if (n < 100)
		n = 100;
	setrlimit(RLIMIT_NOFILE, &rl);
	a = calloc((size_t)n * 20, sizeof(*a));
	b = calloc((size_t)n * 20, sizeof(*b));
	fds = calloc(10000, sizeof(*fds));
	memset(&pinit, 0, sizeof(pinit));
	snprintf(pinit.dev, sizeof(pinit.dev), "%s", dev);
	snprintf(pinit.name, sizeof(pinit.name), "htb");

	printf("Table 1 (paper §4.1): medians of %d calls, microseconds; the paper's figures are\n"
	       "averages of 10 runs in seconds on a dual P2-400 (qsendto/sendto there: 1.16)\n\n",
	       n);
	printf("%-34s %12s %12s %8s %10s %10s\n", "call", "socket", "Q.Sockets", "ratio", "netlink",
	       "paper");

	/* qsockinit: each one loads the classifier and installs the root; fewer rounds */
	{
		int k = n / 10;

		for (i = 0; i < k; i++) {
			t0 = now_ns();
			if (qsockinit(&pinit))
				die("qsockinit");
			a[i] = now_ns() - t0;
			if (i < k - 1 && qsockfini(&pinit))
				die("qsockfini");
		}
		rt0 = qsock_nl_round_trips;
		qsockfini(&pinit);
		rt0 = qsock_nl_round_trips;
		if (qsockinit(&pinit))
			die("qsockinit");
		row("qsockinit (median of n/10)", 0, median_us(a, k),
		    (double)(qsock_nl_round_trips - rt0), "0.046406");
	}

	/* socket vs qsocket, close vs qclose: interleaved */
	p = params(1);
	for (i = 0; i < n; i++) {
		t0 = now_ns();
		fd = socket(AF_INET, SOCK_DGRAM, 0);
		t1 = now_ns();
		a[i] = t1 - t0;
		t0 = now_ns();
		close(fd);
		a[n + i] = now_ns() - t0;
		t0 = now_ns();
		fd = qsocket(AF_INET, SOCK_DGRAM, 0, &p);
		b[i] = now_ns() - t0;
		if (fd < 0)
			die("qsocket");
		t0 = now_ns();
		if (qclose(fd))
			die("qclose");
		b[n + i] = now_ns() - t0;
	}
	row("qsocket / socket", median_us(a, n), median_us(b, n), -1, "0.000944");
	row("qclose / close", median_us(a + n, n), median_us(b + n, n), -1, "0.000089");

	/* qattach, qchange: absolute, with their netlink round trips */
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	{
		unsigned long rt_attach = 0, rt_change = 0, r;

		for (i = 0; i < n; i++) {
			r = qsock_nl_round_trips;
			t0 = now_ns();
			if (qattach(fd, &p))
				die("qattach");
			a[i] = now_ns() - t0;
			rt_attach += qsock_nl_round_trips - r;
			p = params(1 + (uint32_t)(i & 1));
			r = qsock_nl_round_trips;
			t0 = now_ns();
			if (qchange(fd, &p))
				die("qchange");
			b[i] = now_ns() - t0;
			rt_change += qsock_nl_round_trips - r;
			if (qdetach(fd))
				die("qdetach");
		}
		row("qattach", 0, median_us(a, n), (double)rt_attach / n, "0.000085");
		row("qchange", 0, median_us(b, n), (double)rt_change / n, "0.000097");
	}

	/* sendto vs qsendto on the same attached socket, interleaved */
	if (qattach(fd, &p))
		die("qattach");
	{
		struct packet_flags pf = { .drop_flag = DWCS_NON_DROPPABLE };
		struct qsock_fd_state *st = qsock_fd_get(fd);
		struct sock_txtime txt = { .clockid = CLOCK_MONOTONIC };
		int m = n * 20, round;

		static const char *const names[] = {
			"qsendto / sendto (htb)",
			"qsendto / sendto, SO_MARK+TXTIME",
			"  same, flags change every message",
			"qsendto / sendto, TXTIME only",
			"kernel: sendmsg TXTIME / sendto",
			"kernel: sendmsg MARK+TXTIME/sendto",
			"qsendto / sendto, send slot",
			"  same, flags only (no deadline)",
		};
		struct qsock_cls_maps maps;
		struct qsock_err err;

		for (round = 0; round < 8; round++) {
			uint32_t mark = DWCS_DEFAULT_MARKMASK & (DWCS_NON_DROPPABLE << 24);

			if (round == 3) /* flags word unchanged: only the deadline cmsg */
				st->carrier = QSOCK_CARRIER_NONE;
			if (round == 1) {
				/* the dwcs carriers, forced: SO_MARK and SCM_TXTIME cmsgs */
				if (setsockopt(fd, SOL_SOCKET, SO_TXTIME, &txt, sizeof(txt)))
					die("SO_TXTIME");
				st->carrier = QSOCK_CARRIER_MARK_CMSG;
				st->txtime = 1;
			}
			if (round == 6) {
				/* what the manager gives a dwcs datagram stream (htb gets none) */
				int slot_fd;

				st->carrier = QSOCK_CARRIER_MARK_CMSG;
				if (qsock_cls_open(dev, &maps, &err) ||
				    qsock_cls_slot_create(&maps, st->stream.cookie, &slot_fd, &err) ||
				    qsock_cls_slot_map(slot_fd, &st->slot, &err))
					die(err.msg);
				close(slot_fd);
			}
			for (i = 0; i < m; i++) {
				pf.deadline = round == 7 ? 0 : now_ns() + 100000000ULL;
				pf.drop_flag = round == 2 && (i & 1) ? QSOCK_FRAME_START
								     : DWCS_NON_DROPPABLE;
				t0 = now_ns();
				sendto(fd, payload, sizeof(payload), 0, (struct sockaddr *)&peer,
				       sizeof(peer));
				a[i] = now_ns() - t0;
				if (round == 4 || round == 5) {
					/* the same control messages by hand, no library */
					char c[48] __attribute__((aligned(8)));
					struct iovec iov = { payload, sizeof(payload) };
					struct msghdr mh = { .msg_name = &peer,
							     .msg_namelen = sizeof(peer),
							     .msg_iov = &iov,
							     .msg_iovlen = 1,
							     .msg_control = c };
					struct cmsghdr *h = (struct cmsghdr *)c;

					t0 = now_ns();
					if (round == 5) {
						h->cmsg_level = SOL_SOCKET;
						h->cmsg_type = SO_MARK;
						h->cmsg_len = CMSG_LEN(sizeof(mark));
						memcpy(CMSG_DATA(h), &mark, sizeof(mark));
						mh.msg_controllen = CMSG_SPACE(sizeof(mark));
						h = (struct cmsghdr *)(c + mh.msg_controllen);
					}
					h->cmsg_level = SOL_SOCKET;
					h->cmsg_type = SCM_TXTIME;
					h->cmsg_len = CMSG_LEN(sizeof(pf.deadline));
					memcpy(CMSG_DATA(h), &pf.deadline, sizeof(pf.deadline));
					mh.msg_controllen += CMSG_SPACE(sizeof(pf.deadline));
					sendmsg(fd, &mh, 0);
					b[i] = now_ns() - t0;
					continue;
				}
				t0 = now_ns();
				if (qsendto(fd, payload, sizeof(payload), 0,
					    (struct sockaddr *)&peer, sizeof(peer), &pf) < 0 &&
				    errno != ENOBUFS)
					die("qsendto");
				b[i] = now_ns() - t0;
			}
			row(names[round], median_us(a, m), median_us(b, m), 0, "0.001475");
		}
		qsock_cls_slot_unmap(st->slot);
		st->slot = NULL;
		qsock_cls_slot_remove(&maps, st->stream.cookie);
		qsock_cls_close(&maps);
		pf.drop_flag = 0;
		qsend(fd, payload, sizeof(payload), 0, NULL); /* the socket's mark back to 0 */
		st->carrier = QSOCK_CARRIER_NONE;
		st->txtime = 0;
	}

	/* qinfo at 10, 100, 1000, 10000 streams on the device */
	{
		static const int sizes[] = { 10, 100, 1000, 10000 };
		int have = 1; /* fd is one stream */

		for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
			char name[48];

			for (; have < sizes[s]; have++) {
				fds[have] = qsocket(AF_INET, SOCK_DGRAM, 0, &p);
				if (fds[have] < 0)
					die("qsocket (qinfo streams)");
			}
			for (i = 0; i < n; i++) {
				unsigned long r = qsock_nl_round_trips;

				t0 = now_ns();
				if (qinfo(fd, &info))
					die("qinfo");
				a[i] = now_ns() - t0;
				b[i] = qsock_nl_round_trips - r;
			}
			snprintf(name, sizeof(name), "qinfo, %d streams", sizes[s]);
			row(name, 0, median_us(a, n), (double)b[0], "0.000020");
		}
		for (i = 1; i < have; i++)
			qclose(fds[i]);
	}

	qclose(fd);
	qsockfini(&pinit);
	return 0;
}
