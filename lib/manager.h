/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * manager.h — the Q.Sockets manager: the privileged operations behind qsockinit, qattach,
 * qchange, qdetach/qclose and qinfo. The library runs it in-process when the caller has
 * CAP_NET_ADMIN; qsockd runs the *same* code for unprivileged callers (it links
 * build/lib/libqsock.a). Pure data in, data out: no global state besides the kernel's (tc
 * objects and the pinned maps under /sys/fs/bpf/qsock/), so a restarted daemon finds
 * everything again.
 *
 * Errors: every function returns 0 or -errno and, on failure, writes a sentence a user can
 * act on into err->msg (with the kernel's extended-ACK text when the kernel gave one).
 *
 * Stream identity: a stream is a socket (its SO_COOKIE) on a device; its record lives in the
 * device's pinned `streams` map, written only by this manager (the map is root-only). The
 * socket classifier reads it to put the socket's packets into the stream's tc class.
 */
#ifndef QSOCK_MANAGER_H
#define QSOCK_MANAGER_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "qsock.h"

#define QSOCK_ERRMSG_MAX 256

struct qsock_err {
	char msg[QSOCK_ERRMSG_MAX];
};

/* Validated, unit-normalised root parameters (from struct qsock_root_attr). */
struct qsock_root_params {
	uint64_t rate;		/* bytes per second, 0 = scheduler default */
	uint32_t limit;		/* packets, 0 = scheduler default */
	uint32_t flags;		/* QSOCK_ROOT_* */
};

/* Validated, unit-normalised stream parameters (from struct q_dwcs_attr). */
struct qsock_stream_params {
	uint64_t ipg_ns;	/* > 0 */
	uint64_t rate;		/* htb: bytes per second, 0 = derive from pkt_bytes / ipg */
	uint32_t oln;		/* x <= y */
	uint32_t old;		/* y */
	uint32_t flags;		/* DWCS_NON_DROPPABLE | QSOCK_STREAM_LOSSLESS */
	uint32_t limit;		/* packets, 0 = default */
	uint32_t pkt_bytes;	/* 0 = device MTU */
	uint32_t dscp;		/* QSOCK_DSCP_SET | 0..63 (qsock.h); 0 = the socket's TOS untouched */
	uint64_t max_rate;	/* dwcs: byte-rate ceiling the qdisc enforces, bytes/s; 0 = none
				 * (qsockd sets it to what its policy counted) */
};

/* Who asked for a stream: recorded with it, shown by qsock_mgr_walk; and what it may do. */
struct qsock_owner {
	uint32_t uid;
	uint32_t pid;
	char comm[16];
	/* DWCS_MARK_* bits the owner's messages may carry (qsockd narrows this by policy, e.g.
	 * no non-droppable); the classifier masks the flags word with it. */
	uint32_t allowed_flags;
	/* The owner has CAP_NET_RAW/ADMIN and carries flags in its own SO_MARK cmsg: the
	 * classifier leaves skb->mark alone (QSOCK_CLS_TRUST_MARK). */
	uint32_t trust_mark;
};

/*
 * One stream as the manager records it. This is also the value of the pinned `streams` map
 * (key: the socket's cookie), so its layout is shared with lib/bpf/qsock_cls.bpf.c: append
 * only, and the classifier reads only classid and allowed_flags.
 */
struct qsock_stream {
	uint32_t classid;	/* tc class, major:minor */
	uint32_t allowed_flags;	/* DWCS_MARK_* bits the classifier lets through */
	uint64_t cookie;	/* SO_COOKIE of the socket */
	struct qsock_owner owner;
	struct qsock_stream_params params;
	char dev[IFNAMSIZ];
	char sched[IFNAMSIZ];
	uint32_t ifindex;
	uint32_t sock_type;	/* SOCK_DGRAM, SOCK_STREAM, ... */
	uint32_t family;	/* AF_INET, AF_INET6, AF_PACKET */
	uint32_t protocol;	/* IPPROTO_UDP, IPPROTO_TCP, ... (SO_PROTOCOL) */
	uint64_t inode;		/* the socket's inode: liveness for qsock_mgr_gc */
};

/* What is installed on a device (qsock_mgr_status). */
struct qsock_dev_status {
	char dev[IFNAMSIZ];
	char sched[IFNAMSIZ];	/* "" when no qsock root is installed */
	char root_kind[IFNAMSIZ]; /* the kernel's root qdisc kind, whoever installed it */
	uint32_t ifindex;
	uint32_t streams;	/* records in the streams map */
	bool classifier;	/* the socket classifier is attached */
};

/* ------------------------------------------------------------------ parameter checking */

/* Turn the public structs into the normalised ones; -EINVAL + message on a bad field. */
int qsock_root_params_from_api(const struct qos_params *p, struct qsock_root_params *out,
			       struct qsock_err *err);
int qsock_stream_params_from_api(const struct qos_params *p, struct qsock_stream_params *out,
				 struct qsock_err *err);
/* The normalised parameters' limits (ipg range, oln <= old, window, limit, flags) and the
 * scheduler's own: the manager re-checks what it is given (qsockd builds them from the wire). */
int qsock_stream_params_check(const char *sched, const struct qsock_stream_params *sp,
			      struct qsock_err *err);
/* Device and scheduler names: present, NUL-terminated, known scheduler. */
int qsock_check_names(const struct qos_params *p, struct qsock_err *err);

/* ------------------------------------------------------------------ manager operations */

/* Install @sched as root qdisc of @dev, its socket classifier and pinned maps. */
int qsock_mgr_init_root(const char *dev, const char *sched, const struct qsock_root_params *rp,
			struct qsock_err *err);
/* Remove what qsock_mgr_init_root installed; -ENOENT if there is no qsock root. */
int qsock_mgr_fini_root(const char *dev, struct qsock_err *err);
/*
 * Give @sockfd (any fd of the socket: the caller's own, or one passed to qsockd with
 * SCM_RIGHTS) a class with @sp on @dev, record it with @owner, enable SO_TXTIME (datagram
 * and raw sockets) and return the record in @out. -EEXIST if the socket already has one.
 * @slot_fd (may be NULL: none made) receives the fd of the socket's send slot, which the
 * caller hands to the owner and closes, or -1 when the stream has none (no per-message
 * carrier, a root without slots, no memory for the map: its messages use control messages).
 */
int qsock_mgr_attach(int sockfd, const char *dev, const char *sched,
		     const struct qsock_stream_params *sp, const struct qsock_owner *owner,
		     struct qsock_stream *out, int *slot_fd, struct qsock_err *err);
/* Change @sockfd's stream parameters; -ENOENT if it has none on @dev. */
/*
 * qsock_mgr_join() - record @sockfd in the stream of the socket with cookie @member on @dev
 * (NULL: wherever it is): the same class, parameters and DSCP, @owner's flags. The class
 * then stays until the last socket recorded in it is removed (detach, gc). dwcs and htb
 * only (-EOPNOTSUPP for a classless module). Who may join which stream is the caller's
 * check (qsockd: the process that attached it).
 */
int qsock_mgr_join(int sockfd, uint64_t member, const char *dev, const struct qsock_owner *owner,
		   struct qsock_stream *out, int *slot_fd, struct qsock_err *err);
/*
 * qsock_join() - what qattach() does, into the stream @member_fd (attached by this process)
 * already has: the shim's `share = "process"`. Not exported (libqsock.a only). Without
 * CAP_NET_ADMIN through qsockd's JOIN request (-EOPNOTSUPP from a qsockd that predates it).
 * 0 or -errno with err->msg set.
 */
int qsock_join(int fd, int member_fd, struct qsock_err *err);
int qsock_mgr_change(int sockfd, const char *dev, const char *sched,
		     const struct qsock_stream_params *sp, struct qsock_stream *out,
		     struct qsock_err *err);
/* Give @sockfd's packets the DSCP of @dscp (q_dwcs_attr.dscp form: QSOCK_DSCP_SET | 0..63;
 * without the bit nothing is done), keeping the ECN bits: 0 or -errno. */
int qsock_mgr_set_dscp(int sockfd, uint32_t dscp, struct qsock_err *err);
/* Remove @sockfd's stream; @dev may be NULL (then every qsock device is searched). */
int qsock_mgr_detach(int sockfd, const char *dev, struct qsock_err *err);
/* Remove the stream of the socket with @cookie (SO_COOKIE), for a caller that no longer holds
 * the socket (qsockd after a restart); @dev may be NULL or "". -ENOENT if there is none. */
int qsock_mgr_detach_cookie(const char *dev, uint64_t cookie, struct qsock_err *err);
/* Find @sockfd's stream record; @dev may be NULL. -ENOENT if it has none. */
int qsock_mgr_lookup(int sockfd, const char *dev, struct qsock_stream *out,
		     struct qsock_err *err);
/* The scheduler's view of one stream into @info (fields of the QSOCK_INFO_SCHED/DWCS groups).
 * One netlink request for that one class: the cost does not depend on the number of streams. */
int qsock_mgr_stream_stats(const struct qsock_stream *st, struct qos_info *info,
			   struct qsock_err *err);
int qsock_mgr_status(const char *dev, struct qsock_dev_status *out, struct qsock_err *err);
/*
 * Remove the streams of @dev (NULL: every qsock device) whose socket no process holds open
 * any more (closed without qclose, or its process died): their records and classes.
 * Liveness: the socket's inode among the fds in /proc (lib/liveness.c); when some process's
 * fds cannot be read nothing is removed. *@removed (may be NULL) gets the count. qsockinit
 * runs it when the root is already installed; qsockd may run it periodically.
 * O(open fds of the system + streams). First it removes the pin directories, of any network
 * namespace, whose classifier is gone (qsock_cls_sweep_dead: O(loaded BPF programs)).
 */
int qsock_mgr_gc(const char *dev, unsigned int *removed, struct qsock_err *err);
/* Call @fn for every stream of @dev (NULL: of every qsock device); a non-zero return stops
 * the walk and is returned. */
int qsock_mgr_walk(const char *dev, int (*fn)(const struct qsock_stream *st, void *arg),
		   void *arg, struct qsock_err *err);

/* ------------------------------------------------------------------ the unprivileged path */

enum qsock_op {
	QSOCK_OP_INIT_ROOT = 1,
	QSOCK_OP_FINI_ROOT,
	QSOCK_OP_ATTACH,
	QSOCK_OP_CHANGE,
	QSOCK_OP_DETACH,
	QSOCK_OP_JOIN,
};

struct qsock_request {
	uint32_t op;		/* enum qsock_op */
	int sockfd;		/* ATTACH/CHANGE/DETACH/JOIN: pass it with SCM_RIGHTS */
	uint64_t member;	/* JOIN: the cookie of the stream whose class sockfd joins */
	char dev[IFNAMSIZ];
	char sched[IFNAMSIZ];
	struct qsock_root_params root;		/* INIT_ROOT */
	struct qsock_stream_params stream;	/* ATTACH/CHANGE */
};

/*
 * THE HOOK for qsockd. When the caller lacks CAP_NET_ADMIN, the library calls exactly this
 * function (lib/api.c, one call site) instead of the qsock_mgr_* call. @reply_stream is
 * filled for ATTACH and CHANGE; @slot_fd (may be NULL) receives the send slot qsockd made
 * for an ATTACH, as qsock_mgr_attach's. Returns 0 or -errno with err->msg set.
 * lib/daemon_client.c defines it, on the protocol's client (proto/client.h).
 */
int qsock_daemon_call(const struct qsock_request *req, struct qsock_stream *reply_stream,
		      int *slot_fd, struct qsock_err *err);

#endif /* QSOCK_MANAGER_H */
