/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qsock.h — the Q.Sockets API (Abbasi, Poellabauer, Schwan, Losik, West): sockets with a
 * per-stream packet scheduler and per-message scheduling information. See qsock(3).
 *
 * Compatibility, and why the structs look the way they do
 *   The paper's examples declare these structs on the stack, set the fields they name and
 *   leave every other field uninitialised. So the three structs the paper fills are frozen
 *   at its fields, and every extension is *announced by a flag bit in a field the caller
 *   always sets*: trailing fields are read only when that bit is set, and then the caller
 *   also states the size it was compiled with (`size`), so a newer library never reads past
 *   an older caller's struct and an older library rejects a size it does not know with
 *   EINVAL. Output structs (qos_info) are versioned through symbol versions: qinfo@QSOCK_1.0
 *   fills exactly the layout below, forever. qnotify and qnotify_read came later, in the
 *   symbol node QSOCK_1.1: a program using them does not load with an older libqsock.
 *
 * Errors: every call returns -1 and sets errno on failure; qsock_strerror() gives the text of
 * the last failure in this thread (including the kernel's extended-ACK message).
 */
#ifndef QSOCK_H
#define QSOCK_H

#include <net/if.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#ifndef IFNAMSIZ /* strict ISO C modes hide the BSD name */
#define IFNAMSIZ IF_NAMESIZE
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* The API's version: VERSION's first two numbers (the build checks they agree). */
#define QSOCK_VERSION_MAJOR 1
#define QSOCK_VERSION_MINOR 0

/* ------------------------------------------------------------------ scheduler parameters */

/*
 * struct qos_params — which device, which scheduler, which stream parameters.
 * @dev:	egress device (the sender's side of the link), e.g. "eth0"
 * @name:	scheduler module: "dwcs" (the DWCS qdisc) or "htb" (stock kernel HTB)
 * @attributes:	for qsocket/qattach/qchange: a struct q_dwcs_attr (both schedulers read it);
 *		for qsockinit: NULL for defaults, or a struct qsock_root_attr.
 * Frozen: the paper's code leaves nothing else to read.
 */
struct qos_params {
	char dev[IFNAMSIZ];
	char name[IFNAMSIZ];
	void *attributes;
};

/* q_dwcs_attr.stream_flags and packet_flags.drop_flag share the non-droppable bit. */
#define DWCS_NON_DROPPABLE	0x01U	/* stream: never dropped for lateness; packet: ditto */
#define QSOCK_STREAM_LOSSLESS	0x02U	/* send late packets instead of dropping them (lossy) */
#define QSOCK_STREAM_EXT	0x80000000U /* the fields after stream_flags are set, see size */
#define QSOCK_STREAM_FLAGS_ALL	(DWCS_NON_DROPPABLE | QSOCK_STREAM_LOSSLESS | QSOCK_STREAM_EXT)

/*
 * struct q_dwcs_attr — one stream's service constraint: a packet every @ipg milliseconds, of
 * which at most @oln in every window of @old may miss their deadline (0/0: pure EDF).
 * With "htb" the stream gets a guaranteed rate of pkt_bytes (default: the device MTU) per
 * @ipg; oln/old and the flags are accepted and have no effect there. A caller that knows
 * its stream's bit rate and frame rate rather than a period gives @bitrate and @fps_milli.
 *
 * Fields after stream_flags are read only when stream_flags has QSOCK_STREAM_EXT, and then
 * @size must be sizeof(struct q_dwcs_attr) as the caller compiled it; zero means default.
 */
struct q_dwcs_attr {
	uint32_t oln;		/* x: deadlines a window may miss */
	uint32_t old;		/* y: the window, in packets */
	uint32_t ipg;		/* inter-packet gap T, milliseconds */
	uint32_t stream_flags;	/* DWCS_NON_DROPPABLE, QSOCK_STREAM_* */
	/* --- QSOCK_STREAM_EXT --- */
	uint32_t size;		/* sizeof(struct q_dwcs_attr) */
	uint32_t limit;		/* packets queued in the stream's class */
	uint64_t ipg_ns;	/* overrides ipg with nanosecond resolution */
	uint64_t rate;		/* htb: guaranteed bytes per second, overrides pkt_bytes/ipg;
				 * dwcs through qsockd: also the class's ceiling (qsockd(8)) */
	uint32_t pkt_bytes;	/* htb: bytes per period for the derived rate; with bitrate: the
				 * datagram size (0: 1200) */
	uint32_t reserved;	/* must be 0 */
	/* --- size >= QSOCK_ATTR_SIZE_DSCP (libqsock 1.0.x with DSCP; an older library
	 * refuses a non-zero field here with EINVAL) --- */
	uint32_t dscp;		/* QSOCK_DSCP(n): the socket's packets carry DSCP n (IP_TOS,
				 * IPV6_TCLASS; ECN bits kept), any scheduler; 0 = not set */
	uint32_t reserved2;	/* must be 0 */
	/* --- size >= QSOCK_ATTR_SIZE_MEDIA: the stream as media users state it (an older
	 * library refuses non-zero fields here with EINVAL) --- */
	uint64_t bitrate;	/* bits per second of payload; sets the period to one datagram of
				 * pkt_bytes (0: 1200) per bitrate share, overriding ipg and
				 * ipg_ns; htb: the rate is those datagrams with their headers */
	uint32_t fps_milli;	/* frames per 1000 s (25 fps: 25000; 1000..1000000), with bitrate:
				 * a frame's datagrams are rounded up, the grant never below */
	uint32_t media_flags;	/* QSOCK_WINDOW_FRAMES */
};

/* q_dwcs_attr.media_flags: oln and old count frames (needs bitrate and fps_milli); each is
 * multiplied by the datagrams per frame. */
#define QSOCK_WINDOW_FRAMES	0x01U
#define QSOCK_MEDIA_FLAGS_ALL	QSOCK_WINDOW_FRAMES

/* q_dwcs_attr.dscp: set DSCP n, 0..63 (EF is 46, AF41 34, CS1 8; qsock.conf(5) lists the
 * traffic types). Without QSOCK_DSCP_SET the field means "leave the socket's TOS alone". */
#define QSOCK_DSCP_SET		0x100U
#define QSOCK_DSCP(n)		(QSOCK_DSCP_SET | ((uint32_t)(n) & 0x3fU))
#define QSOCK_DSCP_VALUE(v)	((v) & 0x3fU)
/* The size of q_dwcs_attr before dscp: still accepted, dscp then reads as not set. */
#define QSOCK_ATTR_SIZE_V1	offsetof(struct q_dwcs_attr, dscp)
#define QSOCK_ATTR_SIZE_DSCP	(offsetof(struct q_dwcs_attr, reserved2) + sizeof(uint32_t))
/* The size of q_dwcs_attr with bitrate, fps_milli and media_flags. */
#define QSOCK_ATTR_SIZE_MEDIA	(offsetof(struct q_dwcs_attr, media_flags) + sizeof(uint32_t))

/* qsockinit's optional root parameters (qos_params.attributes of qsockinit). */
#define QSOCK_ROOT_WORK_CONSERVING 0x01U /* dwcs: send before the deadline - T eligibility */
struct qsock_root_attr {
	uint32_t size;		/* sizeof(struct qsock_root_attr) */
	uint32_t flags;		/* QSOCK_ROOT_* */
	uint64_t rate;		/* dwcs: link shaper, bytes per second; 0 = none (htb: ignored) */
	uint32_t limit;		/* dwcs: packets in the whole qdisc; 0 = default */
	uint32_t reserved;	/* must be 0 */
};

/* ------------------------------------------------------------------ per-message flags */

/*
 * struct packet_flags — scheduling information for one message (qsend, qsendto, qsendmsg).
 * @drop_flag:	DWCS_NON_DROPPABLE, QSOCK_DROP_PRIO(n), QSOCK_FRAME_START/END, and
 *		QSOCK_DEADLINE_RELATIVE; unknown bits are rejected (EINVAL)
 * @deadline:	when the message must be sent by, CLOCK_MONOTONIC nanoseconds (absolute, or
 *		from now with QSOCK_DEADLINE_RELATIVE); 0 = the stream's own deadline.
 *		Honoured by "dwcs" for UDP and raw sockets (TCP schedules its own departures).
 * Fields after deadline are read only with QSOCK_PF_EXT in drop_flag (none are defined yet).
 * A NULL struct packet_flags pointer means "no per-message information".
 */
struct packet_flags {
	uint32_t drop_flag;
	uint32_t size;		/* --- QSOCK_PF_EXT: sizeof(struct packet_flags) --- */
	uint64_t deadline;
};

#define QSOCK_DROP_PRIO(n)	(((uint32_t)(n) & 3U) << 1) /* on overflow, higher goes first */
#define QSOCK_DROP_PRIO_MASK	0x06U
#define QSOCK_FRAME_START	0x08U	/* first message of an application frame */
#define QSOCK_FRAME_END		0x10U	/* last message: frames are dropped whole */
#define QSOCK_DEADLINE_RELATIVE	0x100U	/* deadline is nanoseconds from now */
#define QSOCK_PF_EXT		0x80000000U
#define QSOCK_PF_ALL \
	(DWCS_NON_DROPPABLE | QSOCK_DROP_PRIO_MASK | QSOCK_FRAME_START | QSOCK_FRAME_END | \
	 QSOCK_DEADLINE_RELATIVE | QSOCK_PF_EXT)

/* ------------------------------------------------------------------ qinfo */

/* qos_info.carrier: how per-message flags reach the scheduler from this process */
enum qsock_carrier {
	QSOCK_CARRIER_NONE = 0,		/* scheduler ignores per-message flags (htb) */
	QSOCK_CARRIER_MARK_CMSG = 1,	/* SO_MARK control message (CAP_NET_RAW/ADMIN) */
	QSOCK_CARRIER_SOCK_STORAGE = 2,	/* per-socket flags word, updated on change only */
	QSOCK_CARRIER_SLOT = 3,		/* the socket's send slot: deadline and flags in shared
					 * memory the classifier reads, no control message */
};

/* qos_info.path: where the manager operations of this process run */
enum qsock_path {
	QSOCK_PATH_IN_PROCESS = 1,	/* the caller has CAP_NET_ADMIN */
	QSOCK_PATH_DAEMON = 2,		/* through qsockd */
};

/* qos_info.valid bits: which groups of fields hold data */
#define QSOCK_INFO_SCHED	0x01U	/* packets, bytes, drops, backlog, rate */
#define QSOCK_INFO_DWCS		0x02U	/* the drops by reason, late, misses, x'/y', delay */
#define QSOCK_INFO_STACK	0x04U	/* sndbuf, queued */
#define QSOCK_INFO_TCP		0x08U	/* rtt, cwnd, windows */

struct qos_info {
	uint32_t size;		/* bytes of this struct the library filled */
	uint32_t valid;		/* QSOCK_INFO_* */
	char dev[IFNAMSIZ];
	char name[IFNAMSIZ];	/* scheduler */
	uint32_t classid;	/* the stream's tc class, major:minor */
	uint32_t carrier;	/* enum qsock_carrier */
	uint32_t path;		/* enum qsock_path */
	uint32_t oln, old;	/* the stream's parameters as installed */
	uint32_t stream_flags;
	uint64_t ipg_ns;
	uint64_t rate;		/* htb: guaranteed rate, bytes per second */
	/* scheduler view */
	uint64_t sent_pkts;
	uint64_t sent_bytes;
	uint64_t drops;		/* all drops */
	uint64_t overlimits;
	uint32_t backlog_pkts;
	uint32_t backlog_bytes;
	uint64_t rate_bps;	/* bytes per second over the last second */
	uint64_t drop_late;
	uint64_t drop_overflow;
	uint64_t drop_frame;
	uint64_t drop_window;
	uint64_t drop_nondroppable;
	uint64_t late_sent;
	uint64_t deadline_misses;
	uint64_t violations;
	uint32_t cur_x, cur_y;	/* current x'/y' */
	uint64_t delay_avg_ns;	/* mean queueing delay of sent packets */
	uint64_t delay_max_ns;
	/* stack view */
	int32_t sndbuf;		/* SO_SNDBUF */
	int32_t queued;		/* bytes not yet sent (SIOCOUTQ) */
	uint32_t tcp_rtt_us;
	uint32_t tcp_rttvar_us;
	uint32_t tcp_snd_cwnd;	/* segments */
	uint32_t tcp_snd_mss;
	uint32_t tcp_rcv_space;	/* our receive window estimate, bytes */
	uint32_t tcp_snd_wnd;	/* the peer's advertised receive window, bytes */
};

/* ------------------------------------------------------------------ qnotify */

/*
 * Events instead of polling qinfo (qWAVE's NotifyFlow): qnotify(fd, p) returns a new file
 * descriptor that poll/epoll/select see readable when one of @p->mask's events happened to
 * @fd's stream; qnotify_read() says which, with the counters' increments. See qsock(3).
 *
 * The kernel emits no such events: one library thread per process (started by the first
 * qnotify, gone with the last notifier) reads each watched stream's class statistics every
 * @interval_us (one netlink request, the one qinfo makes) and signals only on change.
 * Nothing is added to the send path.
 */
#define QNOTIFY_WINDOW_VIOLATION 0x01U	/* dwcs: a window broke its loss tolerance
					 * (qos_info.violations rose) */
#define QNOTIFY_LATE_DROP	0x02U	/* a packet was dropped for lateness (drop_late rose) */
#define QNOTIFY_DROP		0x04U	/* a packet was dropped, for any reason (drops rose) */
#define QNOTIFY_BACKLOG		0x08U	/* the backlog rose above backlog_pkts (again after it
					 * had fallen to it or below) */
#define QNOTIFY_ALL		0x0fU
#define QNOTIFY_GONE		0x80000000U /* always reported, not asked for: the stream's class
					     * is gone (qclose, qdetach, root removed) or could
					     * not be read; the notifier stops sampling */

#define QNOTIFY_INTERVAL_DEFAULT_US 10000U	/* 10 ms, when interval_us is 0 */
#define QNOTIFY_INTERVAL_MIN_US	    1000U	/* 1 ms */
#define QNOTIFY_INTERVAL_MAX_US	    10000000U	/* 10 s */

struct qnotify_params {
	uint32_t size;		/* sizeof(struct qnotify_params) */
	uint32_t mask;		/* QNOTIFY_* events to signal (at least one) */
	uint32_t backlog_pkts;	/* QNOTIFY_BACKLOG: signal when the class's backlog exceeds
				 * this many packets (0: any packet queued) */
	uint32_t interval_us;	/* sampling interval; 0 = QNOTIFY_INTERVAL_DEFAULT_US */
};

struct qnotify_event {
	uint32_t size;		/* in: sizeof(struct qnotify_event); out: bytes filled */
	uint32_t events;	/* QNOTIFY_* raised since the last qnotify_read */
	uint64_t violations;	/* increments since the last qnotify_read that returned 0 */
	uint64_t drop_late;
	uint64_t drops;
	uint32_t backlog_pkts;	/* at the last sample */
	uint32_t backlog_max;	/* the highest sampled since the last qnotify_read */
	uint64_t samples;	/* samples taken since the last qnotify_read */
	uint64_t time_ns;	/* CLOCK_MONOTONIC of the last sample that raised an event */
	int32_t error;		/* with QNOTIFY_GONE: the errno why (ENOENT: the class is gone) */
	uint32_t reserved;
};

/* ------------------------------------------------------------------ calls */

/* Install the scheduler @p->name as root qdisc of @p->dev. Needs CAP_NET_ADMIN (or qsockd). */
int qsockinit(struct qos_params *p);
/* Remove the root qdisc qsockinit installed (and every stream on it). */
int qsockfini(struct qos_params *p);
/* socket() + qattach(); on failure nothing is left open. */
int qsocket(int domain, int type, int protocol, struct qos_params *p);
/* Give the existing socket @fd its own stream with @p's parameters. */
int qattach(int fd, struct qos_params *p);
/* Change the parameters of @fd's stream (same device and scheduler). */
int qchange(int fd, struct qos_params *p);
/* The stream's scheduler view and the socket's stack view. */
int qinfo(int fd, struct qos_info *info);
ssize_t qsend(int fd, const void *buf, size_t len, int flags, struct packet_flags *pf);
ssize_t qsendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *to,
		socklen_t tolen, struct packet_flags *pf);
/* @msg's own control messages are kept; the library appends its own after them. */
ssize_t qsendmsg(int fd, const struct msghdr *msg, int flags, struct packet_flags *pf);
/* Remove @fd's stream (if any) and close @fd. */
int qclose(int fd);
/* Remove @fd's stream and keep the socket open as an ordinary best-effort socket. */
int qdetach(int fd);

/* A notifier for @fd's stream: a new fd (close-on-exec, non-blocking) that becomes readable
 * when an event of @p->mask happens; close() ends it. Read it only with qnotify_read. */
int qnotify(int fd, const struct qnotify_params *p);
/* The events and increments since the last call, and the notifier not readable again until
 * the next event: 0, or -1 with EAGAIN when there is none. */
int qnotify_read(int nfd, struct qnotify_event *ev);

/* Text of the last failure in this thread ("" if none); valid until the next call. */
const char *qsock_strerror(void);
/* CLOCK_MONOTONIC now, in nanoseconds: the clock of packet_flags.deadline. */
uint64_t qsock_now_ns(void);

#ifdef __cplusplus
}
#endif

#endif /* QSOCK_H */
