// SPDX-License-Identifier: GPL-2.0
/*
 * lib_bench — Table 1 of the paper: each Q.Sockets call against its socket counterpart,
 * measured side by side (interleaved, same process, same socket where possible), medians
 * of N calls; and the absolute cost of qsockinit, qattach, qchange, qinfo with the netlink
 * round trips each makes (counted in lib/netlink.c), qinfo at 10..10,000 streams.
 *
 *   lib_bench DEV PEER_IP [N [ROUNDS [DEV2]]]
 *                                 (run as root inside the sender's namespace; see lib-bench.sh)
 *
 * Rounds (ROUNDS, default 9): each qsendto comparison is measured in ROUNDS rounds, the
 * variants taking turns round by round, and each round prints a line
 * "round LABEL SENDTO_MEDIAN_NS QSENDTO_MEDIAN_NS" that lib-bench.sh hands to
 * test/bench/ratio.sh for the median ratio, its spread and the verdict. With DEV2 (a second
 * device, its own root), qinfo on a stream of DEV with 10 streams on it and on a stream of
 * DEV2 with 10, 100, 1,000 and 10,000 streams are measured call by call interleaved, ROUNDS
 * rounds each ("round qinfo-K ..."): qinfo's cost at K streams over its cost at 10, both
 * under the same machine load (measured one after the other, the two could not be told apart
 * from the machine's drift).
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
#include <stdbool.h>
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
static int rounds = 9;

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

static struct qos_params params_on(const char *on, uint32_t ipg_ms)
{
	struct qos_params p;

	memset(&p, 0, sizeof(p));
	snprintf(p.dev, sizeof(p.dev), "%s", on);
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

static struct qos_params params(uint32_t ipg_ms)
{
	return params_on(dev, ipg_ms);
}

static uint64_t median_ns(uint64_t *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_u64);
	return v[n / 2];
}

/* One round of a side-by-side comparison, for lib-bench.sh (test/bench/ratio.sh). */
static void round_line(const char *label, uint64_t base_ns, uint64_t case_ns)
{
	printf("round %s %llu %llu\n", label, (unsigned long long)base_ns,
	       (unsigned long long)case_ns);
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

/* The variants of bench_qsendto, in the order they take turns within a round. */
enum variant {
	V_SENDTO, V_HTB, V_MARK_TXTIME, V_FLAGS_CHANGE, V_TXTIME, V_KERNEL_TXTIME, V_KERNEL_MARK_TXTIME,
	V_SLOT, V_SLOT_FLAGS, V_COUNT
};

static const char *const variant_names[V_COUNT] = {
	"sendto / sendto (the bench's noise)",
	"qsendto / sendto (htb)",
	"qsendto / sendto, SO_MARK+TXTIME",
	"  same, flags change every message",
	"qsendto / sendto, TXTIME only",
	"kernel: sendmsg TXTIME / sendto",
	"kernel: sendmsg MARK+TXTIME/sendto",
	"qsendto / sendto, send slot",
	"  same, flags only (no deadline)",
};

/* their labels in the "round" lines (one word each) */
static const char *const variant_labels[V_COUNT] = {
	"sendto-sendto", "qsendto-htb", "qsendto-mark-txtime", "qsendto-flags-change", "qsendto-txtime",
	"kernel-txtime", "kernel-mark-txtime", "qsendto-slot", "qsendto-slot-flags",
};

/* FD's carrier state as variant V finds it: what qattach gives a dwcs stream (forced here:
 * htb needs no carrier) */
static void set_variant(struct qsock_fd_state *st, enum variant v, struct qsock_cls_slot *slot)
{
	st->slot = v == V_SLOT || v == V_SLOT_FLAGS ? slot : NULL;
	st->txtime = v != V_HTB && v != V_SENDTO;
	/* TXTIME only: the flags word is unchanged since the last message, only the deadline */
	st->carrier = v == V_HTB || v == V_SENDTO || v == V_TXTIME ? QSOCK_CARRIER_NONE :
								    QSOCK_CARRIER_MARK_CMSG;
}

/* One message of variant V by hand, no library: the kernel's own cost of the cmsgs */
static void sendmsg_by_hand(int fd, const char *payload, size_t len, enum variant v,
			    uint64_t deadline)
{
	uint32_t mark = DWCS_DEFAULT_MARKMASK & (DWCS_NON_DROPPABLE << 24);
	char c[48] __attribute__((aligned(8)));
	struct iovec iov = { (void *)payload, len };
	struct msghdr mh = { .msg_name = &peer, .msg_namelen = sizeof(peer), .msg_iov = &iov,
			     .msg_iovlen = 1, .msg_control = c };
	struct cmsghdr *h = (struct cmsghdr *)c;

	if (v == V_KERNEL_MARK_TXTIME) {
		h->cmsg_level = SOL_SOCKET;
		h->cmsg_type = SO_MARK;
		h->cmsg_len = CMSG_LEN(sizeof(mark));
		memcpy(CMSG_DATA(h), &mark, sizeof(mark));
		mh.msg_controllen = CMSG_SPACE(sizeof(mark));
		h = (struct cmsghdr *)(c + mh.msg_controllen);
	}
	h->cmsg_level = SOL_SOCKET;
	h->cmsg_type = SCM_TXTIME;
	h->cmsg_len = CMSG_LEN(sizeof(deadline));
	memcpy(CMSG_DATA(h), &deadline, sizeof(deadline));
	mh.msg_controllen += CMSG_SPACE(sizeof(deadline));
	sendmsg(fd, &mh, 0);
}

/*
 * sendto against qsendto (or the hand-built sendmsg) on the same attached socket, call by
 * call, M calls of each per variant per round; the variants take turns within every round,
 * so that each variant's rounds are spread over the whole run. Prints each round's medians
 * ("round" lines) and, per variant, the table row of the medians over all its calls.
 */
static void bench_qsendto(int fd, uint64_t *a, uint64_t *b, int m)
{
	struct packet_flags pf = { .drop_flag = DWCS_NON_DROPPABLE };
	struct qsock_fd_state *st = qsock_fd_get(fd);
	struct sock_txtime txt = { .clockid = CLOCK_MONOTONIC };
	char payload[64] = "qsock-bench";
	struct qsock_cls_slot *slot;
	struct qsock_cls_maps maps;
	struct qsock_err err;
	int slot_fd, r, i;
	enum variant v;
	uint64_t t0;

	/* the dwcs carriers, forced: SO_TXTIME for the deadline cmsg, and a send slot as the
	 * manager gives a dwcs datagram stream (htb gets none) */
	if (setsockopt(fd, SOL_SOCKET, SO_TXTIME, &txt, sizeof(txt)))
		die("SO_TXTIME");
	if (qsock_cls_open(dev, &maps, &err) ||
	    qsock_cls_slot_create(&maps, st->stream.cookie, &slot_fd, &err) ||
	    qsock_cls_slot_map(slot_fd, &slot, &err))
		die(err.msg);
	close(slot_fd);
	for (r = 0; r < rounds; r++) {
		for (v = 0; v < V_COUNT; v++) {
			uint64_t *va = a + (size_t)v * rounds * m + (size_t)r * m;
			uint64_t *vb = b + (size_t)v * rounds * m + (size_t)r * m;

			set_variant(st, v, slot);
			for (i = 0; i < m; i++) {
				pf.deadline = v == V_SLOT_FLAGS ? 0 : now_ns() + 100000000ULL;
				pf.drop_flag = v == V_FLAGS_CHANGE && (i & 1) ? QSOCK_FRAME_START
									  : DWCS_NON_DROPPABLE;
				/* the order alternates (A B B A ...): whatever the second of two
				 * sends pays for the first (the qdisc's queue, the socket's
				 * memory) is paid by both alike */
				for (int k = 0; k < 2; k++) {
					bool base = (k == 0) == !(i & 1);

					t0 = now_ns();
					if (base || v == V_SENDTO)
						sendto(fd, payload, sizeof(payload), 0,
						       (struct sockaddr *)&peer, sizeof(peer));
					else if (v == V_KERNEL_TXTIME || v == V_KERNEL_MARK_TXTIME)
						sendmsg_by_hand(fd, payload, sizeof(payload), v,
								pf.deadline);
					else if (qsendto(fd, payload, sizeof(payload), 0,
							 (struct sockaddr *)&peer, sizeof(peer),
							 &pf) < 0 &&
						 errno != ENOBUFS)
						die("qsendto");
					(base ? va : vb)[i] = now_ns() - t0;
				}
			}
			round_line(variant_labels[v], median_ns(va, m), median_ns(vb, m));
		}
	}
	for (v = 0; v < V_COUNT; v++)
		row(variant_names[v], median_us(a + (size_t)v * rounds * m, rounds * m),
		    median_us(b + (size_t)v * rounds * m, rounds * m), 0, "0.001475");
	set_variant(st, V_HTB, NULL);
	qsock_cls_slot_unmap(slot);
	qsock_cls_slot_remove(&maps, st->stream.cookie);
	qsock_cls_close(&maps);
	pf.drop_flag = 0;
	qsend(fd, payload, sizeof(payload), 0, NULL); /* the socket's mark back to 0 */
}

static const int qinfo_sizes[] = { 10, 100, 1000, 10000 };

/* qinfo at 10, 100, 1000, 10000 streams on the device, one size after the other (no DEV2) */
static void bench_qinfo_alone(int fd, int *fds, uint64_t *a, uint64_t *b, int n)
{
	struct qos_params p = params(1);
	struct qos_info info;
	int have = 1, i; /* fd is one stream */

	for (size_t s = 0; s < sizeof(qinfo_sizes) / sizeof(qinfo_sizes[0]); s++) {
		char name[48];

		for (; have < qinfo_sizes[s]; have++) {
			fds[have] = qsocket(AF_INET, SOCK_DGRAM, 0, &p);
			if (fds[have] < 0)
				die("qsocket (qinfo streams)");
		}
		for (i = 0; i < n; i++) {
			unsigned long r = qsock_nl_round_trips;
			uint64_t t0 = now_ns();

			if (qinfo(fd, &info))
				die("qinfo");
			a[i] = now_ns() - t0;
			b[i] = qsock_nl_round_trips - r;
		}
		snprintf(name, sizeof(name), "qinfo, %d streams", qinfo_sizes[s]);
		row(name, 0, median_us(a, n), (double)b[0], "0.000020");
	}
	for (i = 1; i < have; i++)
		qclose(fds[i]);
}

/*
 * qinfo on FD (a stream of DEV, which holds 10) against qinfo on a stream of DEV2 holding
 * 10, 100, 1,000 and 10,000 streams, call by call: ROUNDS rounds of N calls each per size.
 * Needs DEV2 free of any root: its own qsockinit, removed at the end.
 */
static void bench_qinfo_interleaved(int fd, const char *dev2, uint64_t *a, uint64_t *b, int n)
{
	struct qos_params p = params(1), p2, init2;
	/* fds[0]: the stream queried on DEV2; [1..9]: DEV's others; [10..]: DEV2's others */
	int *fds = calloc(10000 + 9, sizeof(int)), have = 1, ten = 1, i, r;
	uint64_t *all_a = calloc((size_t)rounds * n, sizeof(uint64_t));
	uint64_t *all_b = calloc((size_t)rounds * n, sizeof(uint64_t));
	struct qos_info info;

	if (!fds || !all_a || !all_b)
		die("calloc");
	memset(&init2, 0, sizeof(init2));
	snprintf(init2.dev, sizeof(init2.dev), "%s", dev2);
	snprintf(init2.name, sizeof(init2.name), "htb");
	if (qsockinit(&init2))
		die("qsockinit (DEV2)");
	/* DEV: fd and 9 more streams, for good */
	for (; ten < 10; ten++)
		if ((fds[ten] = qsocket(AF_INET, SOCK_DGRAM, 0, &p)) < 0)
			die("qsocket (qinfo streams)");
	p2 = params_on(dev2, 1);
	fds[0] = qsocket(AF_INET, SOCK_DGRAM, 0, &p2); /* the stream queried on DEV2 */
	if (fds[0] < 0)
		die("qsocket (DEV2)");
	for (size_t s = 0; s < sizeof(qinfo_sizes) / sizeof(qinfo_sizes[0]); s++) {
		char name[48], label[32];

		for (; have < qinfo_sizes[s]; have++) {
			/* fds[1..9] are DEV's; DEV2's extra streams go from index 10 on */
			int slot = have + 9;

			if ((fds[slot] = qsocket(AF_INET, SOCK_DGRAM, 0, &p2)) < 0)
				die("qsocket (qinfo streams on DEV2)");
		}
		snprintf(label, sizeof(label), "qinfo-%d", qinfo_sizes[s]);
		for (r = 0; r < rounds; r++) {
			for (i = 0; i < n; i++) {
				uint64_t t0 = now_ns();

				if (qinfo(fd, &info))
					die("qinfo (DEV)");
				a[i] = now_ns() - t0;
				t0 = now_ns();
				if (qinfo(fds[0], &info))
					die("qinfo (DEV2)");
				b[i] = now_ns() - t0;
			}
			memcpy(all_a + (size_t)r * n, a, n * sizeof(*a));
			memcpy(all_b + (size_t)r * n, b, n * sizeof(*b));
			round_line(label, median_ns(a, n), median_ns(b, n));
		}
		/* the "socket" column: qinfo at 10 streams, measured alongside */
		snprintf(name, sizeof(name), "qinfo, %d streams / 10 streams", qinfo_sizes[s]);
		row(name, median_us(all_a, rounds * n), median_us(all_b, rounds * n), -1, "0.000020");
	}
	for (i = 0; i < have + 9; i++)
		qclose(fds[i]);
	qsockfini(&init2);
	free(fds);
	free(all_a);
	free(all_b);
}

int main(int argc, char **argv)
{
	struct rlimit rl = { 20000, 20000 };
	struct qos_params p, pinit;
	int n, m, i, fd, *fds;
	const char *dev2;
	uint64_t *a, *b, t0, t1;
	unsigned long rt0;

	if (argc < 3) {
		fprintf(stderr, "usage: lib_bench DEV PEER_IP [N [ROUNDS [DEV2]]]\n");
		return 2;
	}
	dev = argv[1];
	peer.sin_family = AF_INET;
	peer.sin_port = htons(9);
	inet_pton(AF_INET, argv[2], &peer.sin_addr);
	n = argc > 3 ? atoi(argv[3]) : 1000;
	if (n < 100)
		n = 100;
	rounds = argc > 4 ? atoi(argv[4]) : 9;
	if (rounds < 1)
		rounds = 1;
	dev2 = argc > 5 ? argv[5] : NULL;
	setrlimit(RLIMIT_NOFILE, &rl);
	/* room for every variant's calls of bench_qsendto (at least 1000 per round) */
	m = n * 20 / rounds < 1000 ? 1000 : n * 20 / rounds;
	fds = calloc(10000, sizeof(*fds));
	a = calloc((size_t)V_COUNT * rounds * m + n, sizeof(*a));
	b = calloc((size_t)V_COUNT * rounds * m + n, sizeof(*b));
	if (!a || !b || !fds)
		die("calloc");
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
	bench_qsendto(fd, a, b, m);
	if (dev2)
		bench_qinfo_interleaved(fd, dev2, a, b, n);
	else
		bench_qinfo_alone(fd, fds, a, b, n);

	qclose(fd);
	qsockfini(&pinit);
	return 0;
}
