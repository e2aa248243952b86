// SPDX-License-Identifier: GPL-2.0
/*
 * match.c — decide which stream a socket belongs to, and classify its messages.
 *
 * A socket is matched when what the rules may ask about exists: at bind (local end), at
 * connect and accept (both ends), at the first send (the destination of a sendto). A
 * decision is final once a rule matched or the socket knows its peer or has sent; a bind
 * that matches nothing leaves the socket pending, since a later connect may still match.
 * One thread claims a pending socket with a compare-and-swap; another thread sending on it
 * meanwhile just sends (that message goes out unclassified, as it would without the shim).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "backend.h"
#include "fdtable.h"
#include "shim.h"

static const char *fmt_addr(const struct sockaddr_storage *ss, bool known, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	if (!known) {
		snprintf(buf, len, "?");
	} else if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s = (const struct sockaddr_in *)ss;

		inet_ntop(AF_INET, &s->sin_addr, a, sizeof(a));
		snprintf(buf, len, "%s:%u", a, ntohs(s->sin_port));
	} else {
		const struct sockaddr_in6 *s = (const struct sockaddr_in6 *)ss;

		inet_ntop(AF_INET6, &s->sin6_addr, a, sizeof(a));
		snprintf(buf, len, "[%s]:%u", a, ntohs(s->sin6_port));
	}
	return buf;
}

static bool inet_addr_with_port(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return ((const struct sockaddr_in *)ss)->sin_port != 0;
	if (ss->ss_family == AF_INET6)
		return ((const struct sockaddr_in6 *)ss)->sin6_port != 0;
	return false;
}

static void socket_info(int fd, uint8_t proto, const struct sockaddr *remote, socklen_t rlen,
			struct conf_socket *s)
{
	socklen_t len = sizeof(s->local);

	memset(s, 0, sizeof(*s));
	s->protocol = (enum conf_proto)proto;
	s->has_local = !getsockname(fd, (struct sockaddr *)&s->local, &len) &&
		       inet_addr_with_port(&s->local);
	if (remote && rlen > 0) {
		memcpy(&s->remote, remote, rlen < sizeof(s->remote) ? rlen : sizeof(s->remote));
		s->has_remote = inet_addr_with_port(&s->remote);
	} else {
		len = sizeof(s->remote);
		s->has_remote = !getpeername(fd, (struct sockaddr *)&s->remote, &len) &&
				inet_addr_with_port(&s->remote);
	}
}

void shim_match(int fd, const struct sockaddr *remote, socklen_t remote_len, bool final)
{
	struct shim_fd *f = shim_fd_slot(fd);
	uint8_t expected = SHIM_FD_PENDING, next;
	const struct conf_stream *st;
	struct conf_socket s;
	char why[256], l[64], r[64];
	int saved = errno, err;

	if (!f || !shim_hot.active)
		return;
	if (!atomic_compare_exchange_strong(&f->state, &expected, SHIM_FD_BUSY))
		return;
	socket_info(fd, f->proto, remote, remote_len, &s);
	final |= s.has_remote;
	st = conf_match_stream(&shim.conf, &shim.proc, &s, NULL, 0);
	fmt_addr(&s.local, s.has_local, l, sizeof(l));
	fmt_addr(&s.remote, s.has_remote, r, sizeof(r));
	if (!st) {
		next = final ? SHIM_FD_NOMATCH : SHIM_FD_PENDING;
		shim_log(2, "fd %d %s %s -> %s: no stream rule matches%s", fd,
			 conf_proto_name(f->proto), l, r, final ? "" : " yet");
	} else if (shim_hot.dry_run) {
		next = SHIM_FD_MATCHED;
		shim_log(2, "fd %d %s %s -> %s: stream \"%s\" (line %u), %s on %s (dry run: not attached)",
			 fd, conf_proto_name(f->proto), l, r, st->name, st->line,
			 conf_sched_name(st->sched), st->dev);
	} else {
		err = shim_backend_attach(fd, st, why, sizeof(why));
		if (err) {
			next = SHIM_FD_FAILED;
			shim_warn_once("fd %d %s %s -> %s: stream \"%s\": %s; the socket gets no QoS", fd,
				       conf_proto_name(f->proto), l, r, st->name, why);
		} else {
			next = SHIM_FD_MATCHED;
			shim_log(2, "fd %d %s %s -> %s: stream \"%s\" (line %u), %s on %s", fd,
				 conf_proto_name(f->proto), l, r, st->name, st->line,
				 conf_sched_name(st->sched), st->dev);
		}
	}
	if (st) {
		/* A byte stream has no message boundaries for flags to stick to: TCP streams get
		 * their class, not per-message flags, so only UDP gets the program. Numbered: its
		 * rules count messages (`every`), or QSOCK_DEBUG=3 names each one. */
		unsigned int index = (unsigned int)(st - shim.conf.streams);
		const struct conf_msg_prog *pg =
			f->proto == CONF_PROTO_UDP ? shim.placed_prog[index] : NULL;

		shim_fd_set_stream(f, (uint16_t)index, pg,
				   pg && (pg->needs_seq || shim_hot.debug >= 3));
	}
	/* Only if nobody closed the fd meanwhile (close() resets the slot, and the number may
	 * already be another socket's): a program racing close() against its own first send
	 * gets that send unclassified, nothing worse. */
	expected = SHIM_FD_BUSY;
	atomic_compare_exchange_strong(&f->state, &expected, next);
	errno = saved;
}

/* A message scattered over several buffers: gather what the rules may look at, on the stack
 * (out of line, so that the one-buffer case has no 2 KiB frame). */
int shim_match_scattered(const struct conf_msg_prog *pg, const struct iovec *iov,
			 size_t iovcnt, uint64_t seq, struct conf_frame *fs,
			 struct conf_msg_action *a, size_t *len)
{
	uint8_t scratch[CONF_PAYLOAD_VISIBLE];
	struct conf_payload p;

	/* what conf_payload_from_iov() may read: the leading bytes of each buffer */
	for (size_t i = 0; i < iovcnt; i++) {
		size_t n = iov[i].iov_len < CONF_PAYLOAD_VISIBLE ? iov[i].iov_len :
								      CONF_PAYLOAD_VISIBLE;

		if (n && !shim_readable(iov[i].iov_base, n))
			return SHIM_UNREADABLE;
	}
	conf_payload_from_iov(&p, iov, iovcnt, scratch);
	*len = p.len;
	return conf_msg_prog_run(pg, p.data, p.visible, p.len, seq, fs, a);
}

void shim_log_message(int fd, const struct shim_fd *f, const struct shim_msg_note *m, int err)
{
	const struct conf_stream *st = &shim.conf.streams[f->stream];
	char what[96];

	if (err) {
		/* its number goes to the next message: `every` counts messages that went out */
		shim_log(3, "fd %d message (%zu bytes) not sent: %s; not counted", fd, m->len,
			 err > 0 ? strerror(err) : "its sendmmsg stopped before it");
		return;
	}
	conf_action_describe(&m->a, what, sizeof(what));
	shim_log(3, "fd %d message %llu (%zu bytes): %s%s%s -> %s", fd, (unsigned long long)m->seq,
		 m->len, m->rule < 0 ? "no rule" : "rule \"", m->rule < 0 ? "" : st->msgs[m->rule].name,
		 m->rule < 0 ? "" : "\"", what);
}
