/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * proto.h — the wire protocol between libqsock (lib/daemon_client.c) and qsockd, and its codec
 * (proto.c). With the client transport (client.h) it is proto/'s static library
 * (build/proto/libqsockproto.a), linked by libqsock, qsockd and the qsock tool.
 *
 * Model: chrony's privops. Every request and every reply is ONE fixed-size record, versioned,
 * in host byte order (both ends are on the same host, over a UNIX stream socket):
 *
 *   client                                    qsockd
 *   struct qsockd_request  (+ SCM_RIGHTS fd) ─>  header checked first (magic, version, size),
 *                                                then the whole record (op, strings, ranges,
 *                                                reserved bytes zero); then the POLICY, again,
 *                                                with the peer's SO_PEERCRED identity
 *   struct qsockd_reply (error 0 or errno, a   <─ one reply per request; STATUS streams one
 *   message a user can act on, stream record)     reply per stream with QSOCKD_REPLY_F_MORE
 *
 * Compatibility: a record never changes size within a version. A new field means a new
 * version; the daemon answers a request of another version with EPROTONOSUPPORT and its own
 * version in the reply header, so the client can say which side to upgrade. Reserved bytes
 * must be zero, so they can become fields later without ambiguity.
 *
 * Identity of a stream: its socket cookie (SO_COOKIE). ATTACH, CHANGE, INFO and DETACH carry
 * the socket itself by SCM_RIGHTS: holding the fd is the proof that the caller may act on it.
 * CHANGE, INFO and DETACH may instead name a cookie without an fd; the daemon then allows only
 * the stream's owner (same uid) or root. JOIN passes the new socket and names by cookie the
 * stream whose class it joins; the daemon allows that only to the process that attached that
 * stream (pid and start time), so a class is shared within one program, never across.
 */
#ifndef QSOCK_PROTO_H
#define QSOCK_PROTO_H

#include <stddef.h>
#include <stdint.h>

#include <uapi/linux/pkt_sch_dwcs.h>

#define QSOCKD_MAGIC		0x444b5351u	/* "QSKD" read as little-endian bytes */
#define QSOCKD_VERSION		1
#define QSOCKD_NAME_LEN		16		/* IFNAMSIZ: device and scheduler names */
#define QSOCKD_COMM_LEN		16		/* TASK_COMM_LEN */
#define QSOCKD_MSG_LEN		160		/* reply text, NUL-terminated */
#define QSOCKD_DEFAULT_SOCKET	"/run/qsock/qsockd.sock"

enum qsockd_op {
	QSOCKD_OP_INIT = 1,	/* install the scheduler's root qdisc on params.dev */
	QSOCKD_OP_ATTACH,	/* make the passed socket a stream with params */
	QSOCKD_OP_CHANGE,	/* new params for a stream */
	QSOCKD_OP_INFO,		/* one stream's parameters and statistics */
	QSOCKD_OP_DETACH,	/* remove a stream */
	QSOCKD_OP_STATUS,	/* every stream the caller may see, one reply each */
	QSOCKD_OP_DEINIT,	/* remove the root qdisc of params.dev (and its streams) */
	QSOCKD_OP_JOIN,		/* put the passed socket into the class of the stream with
				 * .cookie, one the same process attached (share = "process").
				 * Added within version 1: a daemon from before answers
				 * EOPNOTSUPP ("unknown operation"), and the caller gives the
				 * socket its own stream, as without a daemon */
	__QSOCKD_OP_MAX
};

/* params.flags: the stream flags, the same bits as qsock.h's q_dwcs_attr.stream_flags */
#define QSOCKD_F_NONDROPPABLE	(1u << 0)	/* DWCS_NON_DROPPABLE */
#define QSOCKD_F_LOSSLESS	(1u << 1)	/* QSOCK_STREAM_LOSSLESS */
#define QSOCKD_F_ALL		(QSOCKD_F_NONDROPPABLE | QSOCKD_F_LOSSLESS)
/* params.dscp: as qsock.h's q_dwcs_attr.dscp (QSOCK_DSCP(n)) */
#define QSOCKD_DSCP_SET		0x100u
#define QSOCKD_DSCP_VALID(v)	(!((v) & ~(QSOCKD_DSCP_SET | 0x3fu)) && (!(v) || ((v) & QSOCKD_DSCP_SET)))
/* params.root_flags: QSOCK_ROOT_* */
#define QSOCKD_ROOT_F_WORK_CONSERVING	(1u << 0)
#define QSOCKD_ROOT_F_ALL		QSOCKD_ROOT_F_WORK_CONSERVING

/* The decoder's limits are the dwcs uapi's, by their own names (DWCS_MIN_IPG_NS,
 * DWCS_MAX_IPG_NS, DWCS_MAX_WINDOW, DWCS_MAX_LIMIT: htb accepts a subset); the one bound the
 * kernel has none for is a rate's. */
#define QSOCKD_MAX_RATE		(1ULL << 47)	/* bytes/s, ~1 Pbit/s: anything above is garbage */

struct qsockd_hdr {
	uint32_t magic;		/* QSOCKD_MAGIC */
	uint16_t version;	/* QSOCKD_VERSION */
	uint16_t op;		/* enum qsockd_op; echoed in the reply */
	uint32_t size;		/* sizeof the whole record, header included */
	uint32_t seq;		/* chosen by the client, echoed in the reply */
};

/* What a stream asks for: the wire form of the manager's normalised qsock_stream_params and
 * qsock_root_params (lib/manager.h), so neither side converts units. */
struct qsockd_params {
	char dev[QSOCKD_NAME_LEN];	/* NUL-terminated device name, zero-padded */
	char sched[QSOCKD_NAME_LEN];	/* "dwcs", "htb", zero-padded */
	uint64_t ipg_ns;		/* request period T; 0 only for INIT/DEINIT */
	uint64_t rate;			/* reserved rate, bytes/s; 0 = pkt_bytes per ipg */
	uint64_t root_rate;		/* INIT: link shaper, bytes/s; 0 = none */
	uint32_t oln;			/* x: misses tolerated per window */
	uint32_t old;			/* y: the window; oln <= old */
	uint32_t flags;			/* QSOCKD_F_* */
	uint32_t limit;			/* packets queued in the class; 0 = default */
	uint32_t pkt_bytes;		/* bytes per request period; 0 = MTU */
	uint32_t root_limit;		/* INIT: packets in the whole qdisc; 0 = default */
	uint32_t root_flags;		/* INIT: QSOCKD_ROOT_F_* */
	uint32_t dscp;			/* ATTACH/CHANGE: QSOCKD_DSCP_SET | 0..63, 0 = not set.
					 * Was reserved0 (zero): a daemon from before refuses a
					 * DSCP with EINVAL, so no version bump was needed */
};

struct qsockd_request {
	struct qsockd_hdr hdr;
	uint64_t cookie;		/* CHANGE/INFO/DETACH without an fd; JOIN: the stream
					 * joined; else 0 */
	struct qsockd_params params;	/* INIT/DEINIT: dev, sched, root_rate; ATTACH/CHANGE: all */
	uint8_t reserved[32];		/* zero */
};

/*
 * Statistics of one stream, the scheduler's view: qinfo's (qsock.h, struct qos_info), the
 * field of the second name there, 0 where a scheduler has none. The list is the one owner of
 * both the wire layout (in this order, each the width given) and its mapping to qos_info
 * (lib/wire.c copies through it, and fails to build where a width differs). A new statistic
 * goes at the end of the list, before `valid`, and needs a new protocol version.
 */
#define QSOCKD_STATS_FIELDS(X)				\
	X(uint64_t, sent_pkts, sent_pkts)		\
	X(uint64_t, sent_bytes, sent_bytes)		\
	X(uint64_t, drops, drops)			\
	X(uint64_t, overlimits, overlimits)		\
	X(uint64_t, rate, rate_bps) /* bytes/s over the last second */ \
	X(uint64_t, drop_late, drop_late)		\
	X(uint64_t, drop_overflow, drop_overflow)	\
	X(uint64_t, drop_frame, drop_frame)		\
	X(uint64_t, drop_window, drop_window)		\
	X(uint64_t, drop_nondroppable, drop_nondroppable) \
	X(uint64_t, late_sent, late_sent)		\
	X(uint64_t, deadline_misses, deadline_misses)	\
	X(uint64_t, violations, violations)		\
	X(uint64_t, delay_avg_ns, delay_avg_ns)		\
	X(uint64_t, delay_max_ns, delay_max_ns)		\
	X(uint32_t, cur_x, cur_x)			\
	X(uint32_t, cur_y, cur_y)			\
	X(uint32_t, backlog_pkts, backlog_pkts)		\
	X(uint32_t, backlog_bytes, backlog_bytes)

#define QSOCKD_STATS_DECLARE(type, wire, info) type wire;
struct qsockd_stats {
	QSOCKD_STATS_FIELDS(QSOCKD_STATS_DECLARE)
	uint32_t valid;			/* qos_info.valid bits */
	uint32_t reserved0;
};
#undef QSOCKD_STATS_DECLARE

/* One stream as the daemon knows it (INFO, ATTACH, CHANGE and each STATUS reply). */
struct qsockd_stream {
	uint64_t cookie;
	uint32_t classid;		/* major:minor of its class */
	uint32_t owner_uid;
	uint32_t owner_gid;
	uint32_t owner_pid;		/* 0 = unknown (adopted without a record) */
	char owner_comm[QSOCKD_COMM_LEN];
	uint32_t ifindex;		/* of params.dev, in the daemon's (= the caller's) netns */
	uint32_t sock_type;		/* SOCK_DGRAM, SOCK_STREAM, ... */
	uint32_t allowed_flags;		/* DWCS_MARK_* bits the classifier lets through */
	uint32_t reserved1;
	struct qsockd_params params;
	struct qsockd_stats stats;
};

/* A device qsock manages (STATUS, before the streams). */
struct qsockd_device {
	char dev[QSOCKD_NAME_LEN];
	char sched[QSOCKD_NAME_LEN];	/* qsock's scheduler there; "" when none */
	char root_kind[QSOCKD_NAME_LEN]; /* the kernel's root qdisc kind, whoever installed it */
	uint32_t ifindex;
	uint32_t streams;		/* stream records in the kernel for this device */
	uint32_t classifier;		/* 1: the socket classifier is attached */
	uint32_t reserved0;
};

#define QSOCKD_REPLY_F_MORE	(1u << 0)	/* STATUS: another reply follows */
#define QSOCKD_REPLY_F_STREAM	(1u << 1)	/* .stream holds a stream */
#define QSOCKD_REPLY_F_DEVICE	(1u << 2)	/* .device holds a device */
#define QSOCKD_REPLY_F_SLOT	(1u << 3)	/* ATTACH, JOIN: the socket's send slot map, an fd,
						 * comes with this reply (SCM_RIGHTS) */

struct qsockd_reply {
	struct qsockd_hdr hdr;		/* version = the daemon's; op and seq echoed */
	int32_t error;			/* 0 or a positive errno */
	uint32_t flags;			/* QSOCKD_REPLY_F_* */
	char message[QSOCKD_MSG_LEN];	/* why, for the user; "" on success */
	union {
		struct qsockd_stream stream;	/* QSOCKD_REPLY_F_STREAM */
		struct qsockd_device device;	/* QSOCKD_REPLY_F_DEVICE */
	};
	uint8_t reserved[16];		/* zero */
};

/*
 * The codec. Every function returns 0 or a negative errno, and on error writes into msg
 * (msglen bytes, always NUL-terminated) a sentence naming the offending field.
 *
 * qsockd_hdr_check: the first sizeof(struct qsockd_hdr) bytes of a record, before the rest is
 * read: -EPROTO (bad magic, size mismatch: the stream cannot be resynchronised), or
 * -EPROTONOSUPPORT (another version). `expect_size` is sizeof the record type expected.
 */
int qsockd_hdr_check(const void *buf, size_t len, size_t expect_size, char *msg, size_t msglen);

/* A whole request: header, op, NUL-terminated strings, ranges, reserved bytes zero. On
 * success copies it into *out (which may alias nothing in buf). -EPROTO, -EPROTONOSUPPORT,
 * -EOPNOTSUPP (unknown op) or -EINVAL (a field out of range). */
int qsockd_request_decode(const void *buf, size_t len, struct qsockd_request *out, char *msg,
			  size_t msglen);

/* A whole reply, as the client reads it: the same strictness (message NUL-terminated, error
 * a plausible errno, flags known). */
int qsockd_reply_decode(const void *buf, size_t len, struct qsockd_reply *out, char *msg,
			size_t msglen);

/* Fill a header / a reply skeleton for op; the caller fills the rest. */
void qsockd_request_init(struct qsockd_request *req, enum qsockd_op op, uint32_t seq);
void qsockd_reply_init(struct qsockd_reply *rep, uint16_t op, uint32_t seq);
/* Set the reply's error and printf-style message (truncated to fit). */
void qsockd_reply_error(struct qsockd_reply *rep, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

const char *qsockd_op_name(unsigned int op);

/* The rate a stream reserves for the policy, in bit/s: params.rate when set, else pkt_bytes
 * (1500 when 0: an Ethernet MTU) bytes every ipg_ns. */
uint64_t qsockd_params_rate(const struct qsockd_params *p);

#endif /* QSOCK_PROTO_H */
