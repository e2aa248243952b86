/* SPDX-License-Identifier: (LGPL-2.1-or-later OR BSD-2-Clause) */
/*
 * qsock_cls.h — the layout shared by the socket classifier (qsock_cls.bpf.c) and the manager
 * (lib/classifier.c): map values and the pinned names. Plain fixed-size types only, because
 * both clang -target bpf and the host compiler read it. Append-only.
 */
#ifndef QSOCK_CLS_H
#define QSOCK_CLS_H

/* The pinned objects of one device live in /sys/fs/bpf/qsock/<dev>/ (lib/cls_pins.c). */
#define QSOCK_PIN_ROOT		"/sys/fs/bpf/qsock"
#define QSOCK_PIN_STREAMS	"streams"	/* socket cookie -> stream record, root only */
#define QSOCK_PIN_FLAGS		"flags"		/* SK_STORAGE: the sender's flags word, 0666 */
#define QSOCK_PIN_CONF		"conf"		/* array[1]: struct qsock_cls_conf, 0644 */
#define QSOCK_PIN_SLOTS		"slots"		/* socket cookie -> its slot map, root only */
#define QSOCK_PIN_SLOT_DIR	"slot"		/* the 01777 directory in which a root of an
						 * earlier library pinned slot maps for their
						 * owners: only ever removed now (cls_pins.c) */

/* Size of struct qsock_stream (lib/manager.h), the value of the streams map. */
#define QSOCK_STREAM_REC_SIZE	152

#define QSOCK_CLS_MAX_STREAMS	65536

/* allowed_flags bit: the owner may set skb->mark itself (SO_MARK cmsg); keep it as it is. */
#define QSOCK_CLS_TRUST_MARK	0x80000000U

/* What the classifier reads of a stream record: its leading fields. */
struct qsock_cls_stream {
	__u32 classid;		/* major:minor written into skb->tc_classid */
	__u32 allowed_flags;	/* DWCS_MARK_* bits this socket may set through the flags map */
	__u8 rest[QSOCK_STREAM_REC_SIZE - 8];
};

/* The per-socket flags word an unprivileged sender writes (only when its flags change). */
struct qsock_cls_flags {
	__u32 flags;		/* DWCS_MARK_* field value, unshifted */
	__u32 pad;
};

/*
 * A socket's send slot: one page of shared memory (a BPF_F_MMAPABLE array of one element)
 * that the sender maps and fills right before a send, and the classifier reads while that
 * send passes the qdisc, still in the sender's system call: the deadline and flags of one
 * message with no control message and no extra system call. @state orders it: the sender
 * takes a FREE slot (compare-and-swap to FILLING, so threads and forked processes sharing
 * the socket never mix their messages), writes the fields, publishes SET, sends, and sets it
 * FREE again; the classifier uses the fields only while SET.
 */
struct qsock_cls_slot {
	__u32 state;		/* QSOCK_SLOT_* */
	__u32 flags;		/* DWCS_MARK_* field value, unshifted */
	__u64 deadline;		/* CLOCK_MONOTONIC ns, 0: none */
};

#define QSOCK_SLOT_FREE		0
#define QSOCK_SLOT_FILLING	1
#define QSOCK_SLOT_SET		2

struct qsock_cls_conf {
	__u32 markmask;		/* skb->mark bits holding the flags field (TCA_DWCS_MARKMASK) */
	__u32 mark_shift;	/* ctz(markmask) */
	__u32 handle_major;	/* the root qdisc's major (classid >> 16) */
	__u32 version;		/* QSOCK_CLS_VERSION of the manager that wrote it */
	char sched[16];
	__u64 netns_ino;	/* the device's network namespace (inode of /proc/self/ns/net) */
	__u32 ifindex;
	__u32 pad;
};

#define QSOCK_CLS_VERSION	1

#endif /* QSOCK_CLS_H */
