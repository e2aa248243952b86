/* SPDX-License-Identifier: GPL-2.0 */
/*
 * conf.h — the qsock.conf rule model: stream rules (which sockets get which scheduler and
 * parameters) and message rules (which per-message flags and deadline each outgoing message
 * of a matched socket carries), plus the media presets.
 *
 * Life cycle: conf_load() reads and validates a whole file into one struct conf (every
 * problem reported through struct conf_diag as `file:line: key: reason`); the model is then
 * read-only, so any number of threads may match against it without locks. conf_free()
 * releases it. Matching never allocates: the shim calls it on its send path.
 *
 * The top-level `policy` group belongs to qsockd (conf/policy.c) and is skipped here.
 */
#ifndef QSOCK_CONF_CONF_H
#define QSOCK_CONF_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <string.h>
#include <sys/uio.h>

#include "diag.h"
#include "uapi/linux/pkt_sch_dwcs.h"

#define CONF_DEFAULT_PATH "/etc/qsock.conf"
#define CONF_VERSION 1

/* Limits: generous for hand-written files, small enough to keep matching cheap. */
#define CONF_MAX_STREAMS 256
#define CONF_MAX_LIST 16	/* ports, addresses, process globs, users per key */
#define CONF_MAX_MSG_RULES 32	/* message rules per stream */
#define CONF_MAX_BYTE_TESTS 8	/* byte tests per message rule */
#define CONF_MAX_PATTERN 16	/* bytes per byte test */
#define CONF_NAME_MAX 63
#define CONF_DEV_MAX 15		/* IFNAMSIZ - 1 */
#define CONF_GLOB_MAX 255
#define CONF_CGROUP_MAX 1024	/* a longer cgroup path matches no unit or cgroup rule */
/* Message rules see at most this many leading bytes of a message (all of a one-buffer
 * message; a scattered one is gathered up to here on the stack). */
#define CONF_PAYLOAD_VISIBLE 2048

enum conf_proto { CONF_PROTO_ANY, CONF_PROTO_UDP, CONF_PROTO_TCP };
enum conf_sched { CONF_SCHED_DWCS, CONF_SCHED_HTB, CONF_SCHED_DWCS_BPF, CONF_SCHED_NONE };

/* `share`: every matching socket its own class, or one class per process and rule. */
enum conf_share { CONF_SHARE_SOCKET, CONF_SHARE_PROCESS };

enum conf_preset {
	CONF_PRESET_NONE,
	CONF_PRESET_RTP_MARKER,		/* RTP v2 with the marker bit: last packet of a frame */
	CONF_PRESET_H264_KEY,		/* H.264 over RTP (RFC 6184) carrying IDR, SPS or PPS */
	CONF_PRESET_MPEGTS_PUSI,	/* an MPEG-TS packet with payload_unit_start_indicator */
	CONF_PRESET_MPEGTS_RAI,		/* an MPEG-TS packet with random_access_indicator */
	CONF_PRESET_MPEGV_I,		/* MPEG-1/2 video picture header, picture type I */
	CONF_PRESET_MPEGV_P,		/* ... type P */
	CONF_PRESET_MPEGV_B,		/* ... type B */
	__CONF_PRESET_MAX
};

struct conf_port_range {
	uint16_t lo, hi;
};

struct conf_prefix {
	sa_family_t family;	/* AF_INET or AF_INET6 */
	uint8_t len;		/* prefix length in bits */
	uint8_t addr[16];	/* network byte order; IPv4 in the first 4 bytes */
};

struct conf_stream_match {
	enum conf_proto protocol;
	unsigned int n_local_ports, n_remote_ports, n_local_addrs, n_remote_addrs;
	unsigned int n_process, n_users;
	struct conf_port_range local_ports[CONF_MAX_LIST], remote_ports[CONF_MAX_LIST];
	struct conf_prefix local_addrs[CONF_MAX_LIST], remote_addrs[CONF_MAX_LIST];
	char *process[CONF_MAX_LIST];	/* globs (fnmatch) */
	uid_t users[CONF_MAX_LIST];
	/* cgroup v2: the process's cgroup or one of its ancestors matches a glob (cgroups);
	 * a component of its cgroup path matches a unit name or glob (units) */
	unsigned int n_cgroups, n_units;
	char *cgroups[CONF_MAX_LIST];
	char *units[CONF_MAX_LIST];
};

/* The per-message outcome: DWCS_MARK_* bits and a relative deadline. */
struct conf_msg_action {
	uint8_t mark;			/* DWCS_MARK_* of include/uapi/linux/pkt_sch_dwcs.h */
	bool has_drop_priority;
	uint64_t deadline_ns;		/* relative to the send; 0 = none */
};

struct conf_byte_test {
	uint16_t offset;
	uint8_t len;
	uint8_t value[CONF_MAX_PATTERN], mask[CONF_MAX_PATTERN]; /* value pre-masked */
};

struct conf_msg_rule {
	char name[CONF_NAME_MAX + 1];
	unsigned int line;
	enum conf_preset preset;
	unsigned int n_bytes;
	struct conf_byte_test bytes[CONF_MAX_BYTE_TESTS];
	uint32_t min_len, max_len;	/* inclusive; 0..UINT32_MAX when not given */
	uint32_t every;			/* 0 = every message; N = messages N, 2N, ... */
	bool cont;			/* also evaluate later rules (flags add up) */
	struct conf_msg_action action;
};

struct conf_stream {
	char name[CONF_NAME_MAX + 1];
	unsigned int line;
	struct conf_stream_match match;
	/* what a qattach() call would get */
	enum conf_sched sched;
	char dev[CONF_DEV_MAX + 1];
	uint64_t ipg_ns;		/* dwcs: request period */
	uint32_t oln, old;		/* dwcs: x/y loss tolerance */
	uint32_t class_flags;		/* dwcs: DWCS_CLASS_F_NONDROPPABLE, _LOSSLESS */
	uint32_t limit;			/* dwcs: class queue length in packets */
	uint64_t rate_Bps;		/* htb: guaranteed rate, bytes per second */
	/* given as media (stream_rate.c): ipg_ns, oln/old and rate_Bps above derive from these */
	uint64_t bitrate_bps;		/* `bitrate`, bits per second; 0 = not given */
	uint32_t fps_milli;		/* `fps` x 1000; 0 = not given */
	uint32_t pkt_bytes;		/* `packet_size` (QSOCK_DEFAULT_PKT_BYTES) with a bitrate */
	uint32_t pkts_per_frame;	/* datagrams per frame, with fps */
	bool window_frames;		/* `window = "frames"`: oln/old were given in frames */
	enum conf_share share;		/* which sockets share the stream's class */
	bool has_dscp;			/* `dscp` given: the socket's packets carry it */
	uint8_t dscp;			/* 0..CONF_DSCP_MAX (dscp.c: names and their sources) */
	bool dscp_override;		/* the program's own IP_TOS/IPV6_TCLASS may change it */
	unsigned int n_msgs;
	bool needs_seq;			/* a message rule counts messages (`every`) */
	struct conf_msg_rule msgs[CONF_MAX_MSG_RULES];
	struct conf_msg_prog *prog;	/* msgs compiled for the send path (msg_prog.c) */
};

struct conf_shim {
	bool enabled;			/* false: the shim passes everything through */
	int debug;			/* 0..3; QSOCK_DEBUG overrides */
	bool exec_keep_env;		/* exec*() puts LD_PRELOAD and QSOCK_CONF back */
	unsigned int max_fds;		/* fd table size; higher fds are passed through */
};

struct conf {
	struct conf_shim shim;
	unsigned int n_streams;
	struct conf_stream *streams;
	bool needs_cgroup;		/* a rule matches by unit or cgroup */
};

/* Defaults, in one place (mirrored in qsock.conf.example and qsock.conf(5)). */
#define CONF_DEFAULT_DEBUG 0
#define CONF_DEFAULT_MAX_FDS 65536U
#define CONF_MIN_MAX_FDS 16U
#define CONF_MAX_MAX_FDS 1048576U

/*
 * conf_load() - read PATH, validate everything, fill C. Reports every problem to D and
 * returns 0, -EINVAL (invalid file: C is left empty) or -errno (cannot read it).
 */
int conf_load(struct conf *c, const char *path, struct conf_diag *d);
/* The same from a string (tests); NAME is the file name used in messages. */
int conf_load_string(struct conf *c, const char *text, const char *name, struct conf_diag *d);
void conf_init_defaults(struct conf *c);
void conf_free(struct conf *c);

/* ------------------------------------------------------------------ stream matching */

/* Who sends: filled once per process. Any field may be NULL / empty when unknown. */
struct conf_process {
	const char *comm;	/* /proc/self/comm */
	const char *argv0;	/* as the program was started */
	const char *exe;	/* /proc/self/exe */
	uid_t uid;		/* real user id */
	const char *cgroup;	/* cgroup v2 path ("/system.slice/janus.service"), NULL: unknown */
};

/* The cgroup v2 path in TEXT, the contents of /proc/<pid>/cgroup (its "0::PATH" line), into
 * OUT: 0, or -ENOENT when there is none (cgroup v1 only) or it does not fit. */
int conf_cgroup_from_proc(const char *text, char *out, size_t len);

/* What is known about a socket when it is matched. */
struct conf_socket {
	enum conf_proto protocol;
	bool has_local, has_remote;
	struct sockaddr_storage local, remote;
};

/*
 * conf_match_stream() - the first stream rule matching P and S, or NULL.
 * WHY, when non-NULL, receives one line per rule tried, saying why it did or did not match
 * (for `qsock explain` and QSOCK_DEBUG=3); WHY_LEN bounds it.
 */
const struct conf_stream *conf_match_stream(const struct conf *c, const struct conf_process *p,
					    const struct conf_socket *s, char *why,
					    size_t why_len);

/* Why stream rule ST does not match (a short phrase), or NULL when it does. */
const char *conf_stream_mismatch(const struct conf_stream *st, const struct conf_process *p,
				 const struct conf_socket *s);

/* ------------------------------------------------------------------ message matching */

/* A message as the sender gave it: one or more buffers. */
struct conf_payload {
	const uint8_t *data;	/* the first CONF_PAYLOAD_VISIBLE bytes (or fewer), contiguous */
	size_t visible;		/* bytes at DATA */
	size_t len;		/* the whole message's length */
};

/* Build a payload view from an iovec; SCRATCH (CONF_PAYLOAD_VISIBLE bytes) is used only when
 * the message is scattered over several buffers. */
void conf_payload_from_iov(struct conf_payload *p, const struct iovec *iov, size_t iovcnt,
			   uint8_t *scratch);

/* ------------------------------------------------------------------ frames (frames.c) */
/*
 * The MPEG video frame a socket's datagrams are in, so that the frame presets (mpeg-video-i,
 * -p, -b and mpegts-random-access) follow a whole picture, from its start to the next
 * picture's, and not only its first datagram. All zero is the state of a new socket.
 */
enum {
	CONF_PIC_NONE,			/* not known (yet) */
	CONF_PIC_I,			/* picture_coding_type values (ISO 13818-2) */
	CONF_PIC_P,
	CONF_PIC_B,
};
#define CONF_FRAME_F_PID	0x01	/* pid is the video PID followed */
#define CONF_FRAME_F_TS		0x02	/* the socket carries MPEG-TS */
#define CONF_FRAME_F_OPEN	0x04	/* a frame started and has not visibly ended */
#define CONF_FRAME_F_RAI	0x08	/* the frame's first packet set random_access_indicator */
#define CONF_FRAME_F_HDR	0x10	/* a sequence/GOP header began the frame: the next picture
					 * header does not begin another */
#define CONF_FRAME_F_PES	0x20	/* a PES start began the frame: likewise */
#define CONF_FRAME_F_GUESS	0x40	/* type is I because of those headers, until the picture
					 * header says */
#define CONF_FRAME_F_CUT	0x80	/* the TS packet cut by the last datagram's end is the
					 * followed PID's payload: its rest (ts_left) is too */
struct conf_frame {
	uint16_t pid;
	uint8_t type;			/* CONF_PIC_* of the frame in progress */
	uint8_t flags;			/* CONF_FRAME_F_* */
	uint8_t sc;			/* progress through a start code cut by the last chunk */
	uint8_t ts_left;		/* bytes of a TS packet cut by the last datagram's end */
	bool end_cut;			/* that packet ends the frame: frame_end on its rest */
	uint8_t cut_skip;		/* its adaptation field's bytes at the start of its rest */
};
/* What one datagram carries. */
#define CONF_PICS_RAI		0x01	/* bytes of a random-access frame (or any RAI packet) */
struct conf_frame_seen {
	uint8_t pics;			/* 1 << CONF_PIC_I/P/B: bytes of such a picture; CONF_PICS_RAI */
	uint8_t mark;			/* DWCS_MARK_FRAME_START / _END */
};
/* Scan one datagram's LEN visible bytes, advance FS, say what the datagram carries. */
void conf_frame_scan(struct conf_frame *fs, const uint8_t *buf, size_t len,
		     struct conf_frame_seen *out);
/* PRESET follows frames (needs the scan); whether SEEN matches it. */
bool conf_frame_preset(enum conf_preset preset);
bool conf_frame_matches(enum conf_preset preset, const struct conf_frame_seen *seen);

/*
 * conf_match_message() - evaluate ST's message rules on P, the SEQ-th message (from 1) of
 * its socket, FS the socket's frame state (advanced when a rule follows frames; NULL: this
 * message alone, from a new socket's state). Fills OUT (zeroed when nothing matched) and
 * returns the index of the first matching rule, or -1. A frame preset that matches adds the
 * frame_start/frame_end the datagram carries to OUT.
 */
int conf_match_message(const struct conf_stream *st, const struct conf_payload *p,
		       uint64_t seq, struct conf_frame *fs, struct conf_msg_action *out);

/* ------------------------------------------------------------------ compiled message rules */

/*
 * The send path does not walk struct conf_msg_rule (a few hundred bytes each, most of them
 * names and unused pattern slots): conf_load() compiles each stream's rules into one flat
 * block (msg_prog.c), one 48-byte op per rule carrying its first 8-byte mask/value window
 * (the further ones, rarely needed, follow the ops), evaluated by conf_msg_prog_run() with
 * the very same result as conf_match_message() (which stays the reference, for
 * `qsock explain`).
 */
struct conf_msg_window {		/* (load64(data + offset) & mask) == value */
	uint64_t mask, value;		/* in memory byte order, as loaded */
	uint16_t offset;
};

/* An op's flags: what it does after its window matched, and its action's switches. */
#define CONF_OP_EVERY		0x01	/* every != 0: the message number decides too */
#define CONF_OP_MORE		0x02	/* further windows (n_more) */
#define CONF_OP_PRESET		0x04	/* a preset left to its detector */
#define CONF_OP_SLOW		(CONF_OP_EVERY | CONF_OP_MORE | CONF_OP_PRESET)
#define CONF_OP_CONT		0x08	/* also evaluate later rules (flags add up) */
#define CONF_OP_DROP_PRIORITY	0x10	/* the action sets a drop priority */

/*
 * The fields a message is tested against first come first, so that a rejected message
 * reads the op's first 24 bytes: the length range as a lower bound and a span (one
 * subtract and one compare, 32 bits: longer messages are rejected before the loop), with
 * the bytes the rule needs visible folded into the lower bound (see conf_msg_prog_run),
 * then the first window, then one test of the flags for everything rarer.
 */
struct conf_msg_op {
	uint64_t mask, value;		/* the first window; 0/0 (always true) when none */
	uint32_t min_len;		/* inclusive, raised to `need`; */
	uint32_t span;			/* max_len - min_len */
	uint16_t offset;		/* of the first window */
	uint8_t flags;			/* CONF_OP_* */
	uint8_t mark;			/* the action */
	uint32_t every;			/* 0 = every message */
	uint64_t deadline_ns;		/* the action */
	uint16_t need;			/* leading bytes that must be visible (byte tests, presets);
					 * UINT16_MAX: the rule can never match */
	uint16_t more;			/* further windows: index in prog->more ... */
	uint8_t n_more;			/* ... and how many */
	uint8_t preset;			/* enum conf_preset left to its detector; NONE if compiled away */
	uint8_t pad[2];
};

/* One allocation: the header, the ops, then the further windows, so that a message touches
 * a few consecutive cache lines. */
struct conf_msg_prog {
	uint16_t n_ops, n_more;
	bool needs_seq;			/* an op counts messages (`every`) */
	bool frames;			/* an op has a frame preset: scan each message (frames.c) */
	uint16_t ops_bytes;		/* n_ops * sizeof(ops[0]): the loop's end without a multiply
					 * (2 instructions a message) */
	const struct conf_msg_window *more;	/* right after ops[] */
	struct conf_msg_op ops[];
};

/* Compile ST's message rules into ST->prog (NULL when it has none): 0 or -ENOMEM. */
int conf_msg_prog_compile(struct conf_stream *st);
void conf_msg_prog_free(struct conf_stream *st);
/* A copy of PG in the ROOM bytes at DST (8-byte aligned), its size in *SIZE; NULL when it
 * does not fit. The copy is self-contained (its further windows follow its ops), so the
 * shim can lay programs out where its sends already read (shim/hot.h). */
const struct conf_msg_prog *conf_msg_prog_copy(void *dst, size_t room,
					       const struct conf_msg_prog *pg, size_t *size);

bool conf_preset_matches(enum conf_preset preset, const uint8_t *buf, size_t len);

/*
 * conf_msg_prog_run() - conf_match_message() on a compiled program: DATA holds the VISIBLE
 * leading bytes (at most CONF_PAYLOAD_VISIBLE) of a LEN-byte message, the SEQ-th of its
 * socket. Same OUT, same return value. Inline: on the shim's send path it is compiled into
 * the caller, so that a message runs through one stretch of code (the kernel's send evicts
 * the first-level caches, and every separate function is a few more lines to fetch again).
 */
static inline uint64_t conf_load64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/*
 * h264-keyframe's common case inline: the window has checked RTP version 2 and 12 visible
 * bytes; with no CSRC and no extension the NAL header is byte 12, and a single NAL unit
 * (types 1..23) decides at once. Returns 1 or 0, or -1 for "ask the detector".
 */
static inline int conf_h264_fast(const uint8_t *data, size_t visible)
{
	uint8_t type;

	if (data[0] & 0x1f)
		return -1;
	if (visible <= 12)
		return 0;
	type = data[12] & 0x1f;
	if (type < 1 || type > 23)
		return -1;
	return type == 5 || type == 7 || type == 8;
}

/* The tests of OP after its first window (CONF_OP_SLOW): the message number, the further
 * windows, the preset. Whether they pass; a frame preset's marks go to OUT. */
static inline __attribute__((always_inline)) bool
conf_msg_op_rest(const struct conf_msg_prog *pg, const struct conf_msg_op *op,
		 const uint8_t *data, size_t visible, uint64_t seq,
		 const struct conf_frame_seen *seen, struct conf_msg_action *out)
{
	if ((op->flags & CONF_OP_EVERY) &&
	    (seq <= UINT32_MAX ? (uint32_t)seq % op->every : seq % op->every))
		return false;
	if (op->flags & CONF_OP_MORE) {
		const struct conf_msg_window *w = pg->more + op->more, *w_end = w + op->n_more;

		while (w < w_end && (conf_load64(data + w->offset) & w->mask) == w->value)
			w++;
		if (w < w_end)
			return false;
	}
	if (op->flags & CONF_OP_PRESET) {
		int fast = op->preset == CONF_PRESET_H264_KEY ? conf_h264_fast(data, visible) : -1;

		if (fast < 0 && conf_frame_preset((enum conf_preset)op->preset)) {
			fast = conf_frame_matches((enum conf_preset)op->preset, seen);
			if (fast)
				out->mark |= seen->mark;
		}
		if (fast < 0)
			fast = conf_preset_matches((enum conf_preset)op->preset, data, visible);
		if (!fast)
			return false;
	}
	return true;
}

/*
 * The op loop, on a message of at most UINT32_MAX bytes whose DATA is at least 8 bytes
 * long. PARTIAL (a constant): VISIBLE may be fewer than the leading min(LEN,
 * CONF_PAYLOAD_VISIBLE) bytes, so each op's `need` is tested on its own; otherwise it is
 * in the op's lower length bound (need <= CONF_PAYLOAD_VISIBLE, so need <= LEN is then the
 * same as need <= VISIBLE), and a rejected op costs its length test and its window: about
 * a dozen instructions.
 */
static inline __attribute__((always_inline)) int
conf_msg_ops_run(const struct conf_msg_prog *pg, const uint8_t *data, size_t visible,
		 uint32_t len, uint64_t seq, const struct conf_frame_seen *seen,
		 struct conf_msg_action *out, bool partial)
{
	const struct conf_msg_op *op, *end;
	int first = -1;

	end = (const struct conf_msg_op *)((const char *)pg->ops + pg->ops_bytes);
	for (op = pg->ops; op < end; op++) {
		if (len - op->min_len > op->span)
			continue;
		if (partial && op->need > visible)
			continue;
		if ((conf_load64(data + op->offset) & op->mask) != op->value)
			continue;
		if (__builtin_expect(op->flags & CONF_OP_SLOW, 0) &&
		    !conf_msg_op_rest(pg, op, data, visible, seq, seen, out))
			continue;
		if (first < 0)
			first = (int)(op - pg->ops);
		if ((op->flags & CONF_OP_DROP_PRIORITY) && !out->has_drop_priority) {
			out->mark |= op->mark & DWCS_MARK_DROPPRIO_MASK;
			out->has_drop_priority = true;
		}
		out->mark |= op->mark & ~DWCS_MARK_DROPPRIO_MASK;
		if (!out->deadline_ns)
			out->deadline_ns = op->deadline_ns;
		if (!(op->flags & CONF_OP_CONT))
			break;
	}
	return first;
}

/* conf_msg_ops_run(..., partial = true), out of line: a view shorter than the message's
 * leading bytes comes only from callers other than the shim (tests, fuzzers). */
int conf_msg_ops_run_partial(const struct conf_msg_prog *pg, const uint8_t *data,
			     size_t visible, uint32_t len, uint64_t seq,
			     const struct conf_frame_seen *seen, struct conf_msg_action *out);

/*
 * conf_msg_prog_run() for the shim's common message: a program without frame presets
 * (!PG->frames) on a message of 8 to UINT32_MAX bytes (LEN), VISIBLE = min(LEN,
 * CONF_PAYLOAD_VISIBLE) of them at DATA. The caller has tested the length once; what the
 * general run tests besides (frame state, the length's 32 bits, a view too short for a
 * window, a partial view) costs the shim's every message ~10 instructions. (SEEN is NULL:
 * only a frame preset reads it.)
 */
static inline __attribute__((always_inline)) int
conf_msg_prog_run_whole(const struct conf_msg_prog *pg, const uint8_t *data, size_t visible,
			uint32_t len, uint64_t seq, struct conf_msg_action *out)
{
	memset(out, 0, sizeof(*out));
	return conf_msg_ops_run(pg, data, visible, len, seq, NULL, out, false);
}

static inline __attribute__((always_inline)) int
conf_msg_prog_run(const struct conf_msg_prog *pg, const uint8_t *data, size_t visible, size_t len,
		  uint64_t seq, struct conf_frame *fs, struct conf_msg_action *out)
{
	struct conf_frame_seen seen = { 0, 0 };
	uint8_t pad[8];

	memset(out, 0, sizeof(*out));
	if (!pg)
		return -1;
	if (__builtin_expect(pg->frames, 0)) {
		struct conf_frame fresh;

		if (!fs) {
			memset(&fresh, 0, sizeof(fresh));
			fs = &fresh;
		}
		conf_frame_scan(fs, data, visible, &seen);
	}
	/* every rule's length range ends by UINT32_MAX */
	if (__builtin_expect(len > UINT32_MAX, 0))
		return -1;
	if (visible < sizeof(pad)) {
		memset(pad, 0, sizeof(pad));
		if (visible)
			memcpy(pad, data, visible);
		data = pad;
	}
	if (__builtin_expect(visible < (len < CONF_PAYLOAD_VISIBLE ? len : CONF_PAYLOAD_VISIBLE), 0))
		return conf_msg_ops_run_partial(pg, data, visible, (uint32_t)len, seq, &seen, out);
	return conf_msg_ops_run(pg, data, visible, (uint32_t)len, seq, &seen, out, false);
}

/* One rule alone (for `qsock explain`). */
bool conf_msg_rule_matches(const struct conf_msg_rule *r, const struct conf_payload *p,
			   uint64_t seq);

/* ------------------------------------------------------------------ presets (presets.c) */
bool conf_preset_matches(enum conf_preset preset, const uint8_t *buf, size_t len);
const char *conf_preset_name(enum conf_preset preset);
/* The flags a preset gives when its rule names none. */
void conf_preset_default_action(enum conf_preset preset, struct conf_msg_action *a);
extern const char *const conf_preset_names[];	/* NULL-terminated, index = enum - 1 */

/* ------------------------------------------------------------------ DSCP (dscp.c) */
#define CONF_DSCP_MAX 63
/* A DSCP name (traffic type "voice", PHB "EF", "AF41", "CS4"; any case) into 0..63: 0 or
 * -EINVAL. */
int conf_dscp_parse(const char *s, int *value);
/* "EF (46)", "AF41 (34)", "CS0 (0)", "13"; "none" for a negative value. */
const char *conf_dscp_name(int value, char *buf, size_t len);
/* The accepted forms, for error messages. */
const char *conf_dscp_names_help(void);
/* Member NAME of GROUP as a DSCP name or an integer 0..63: 1 (stored), 0 (absent) or
 * -EINVAL (reported: "\"ef5\" is not a DSCP: use ..."). */
int conf_get_dscp(struct conf_diag *d, const config_setting_t *group, const char *name,
		  int *value);

/* ------------------------------------------------------------------ rates (stream_rate.c) */
/* `bitrate`, `fps`, `packet_size`, `window` of stream rule G, after its scheduler, oln and old
 * are in ST: fills ST's media fields and derives its period, window and htb rate. 0 or
 * -EINVAL (reported). */
int conf_load_stream_rate(struct conf_diag *d, const config_setting_t *g, struct conf_stream *st);
/* Member NAME of GROUP as a frame rate 1..1000 (fractional allowed), in thousandths. */
int conf_get_fps_milli(struct conf_diag *d, const config_setting_t *group, const char *name,
		       uint32_t *fps_milli);

const char *conf_sched_name(enum conf_sched s);
const char *conf_share_name(enum conf_share s);
const char *conf_proto_name(enum conf_proto p);
/* "nondroppable,prio=2,frame-end deadline=20ms" */
void conf_action_describe(const struct conf_msg_action *a, char *buf, size_t len);

#endif /* QSOCK_CONF_CONF_H */
