// SPDX-License-Identifier: GPL-2.0
/*
 * stream_match.c — stream rules: the first rule whose every given criterion holds wins.
 * A criterion the rule does not give always holds; one that needs information the socket
 * does not have yet (a remote port before connect or the first send) does not.
 *
 * Matching runs once per socket (bind, connect, accept, first send), so clarity beats speed
 * here; it still never allocates, because the shim calls it from inside send calls.
 */
#include <errno.h>
#include <fnmatch.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "conf.h"

const char *conf_sched_name(enum conf_sched s)
{
	return s == CONF_SCHED_HTB	? "htb" :
	       s == CONF_SCHED_DWCS_BPF ? "dwcs-bpf" :
	       s == CONF_SCHED_NONE	? "none" :
					  "dwcs";
}

const char *conf_share_name(enum conf_share s)
{
	return s == CONF_SHARE_PROCESS ? "process" : "socket";
}

const char *conf_proto_name(enum conf_proto p)
{
	switch (p) {
	case CONF_PROTO_UDP:
		return "udp";
	case CONF_PROTO_TCP:
		return "tcp";
	default:
		return "any";
	}
}

static int sockaddr_port(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)ss)->sin_port);
	if (ss->ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
	return -1;
}

static bool ports_match(const struct conf_port_range *r, unsigned int n, int port)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (port >= r[i].lo && port <= r[i].hi)
			return true;
	return false;
}

static bool prefix_match(const struct conf_prefix *pf, const uint8_t *addr)
{
	unsigned int full = pf->len / 8, rest = pf->len % 8;

	if (memcmp(pf->addr, addr, full))
		return false;
	if (rest && ((pf->addr[full] ^ addr[full]) & (uint8_t)(0xff << (8 - rest))))
		return false;
	return true;
}

static bool addrs_match(const struct conf_prefix *pf, unsigned int n,
			const struct sockaddr_storage *ss)
{
	static const uint8_t v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	const uint8_t *a4 = NULL, *a6 = NULL;
	unsigned int i;

	if (ss->ss_family == AF_INET) {
		a4 = (const uint8_t *)&((const struct sockaddr_in *)ss)->sin_addr;
	} else if (ss->ss_family == AF_INET6) {
		a6 = (const uint8_t *)&((const struct sockaddr_in6 *)ss)->sin6_addr;
		if (!memcmp(a6, v4mapped, sizeof(v4mapped))) /* an IPv4 peer of a dual-stack socket */
			a4 = a6 + 12;
	}
	for (i = 0; i < n; i++) {
		if (pf[i].family == AF_INET && a4 && prefix_match(&pf[i], a4))
			return true;
		if (pf[i].family == AF_INET6 && a6 && prefix_match(&pf[i], a6))
			return true;
	}
	return false;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* A glob matches the process when it matches its comm, argv[0] or executable (as a whole
 * path when the glob has a '/', else the last path component). */
static bool process_match(char *const *globs, unsigned int n, const struct conf_process *p)
{
	const char *names[3] = { p->comm, p->argv0, p->exe };
	unsigned int i, k;

	for (i = 0; i < n; i++) {
		bool path_glob = strchr(globs[i], '/') != NULL;

		for (k = 0; k < 3; k++) {
			const char *name = names[k];

			if (!name || !*name)
				continue;
			if (!path_glob)
				name = base_name(name);
			if (!fnmatch(globs[i], name, 0))
				return true;
		}
	}
	return false;
}

/* The cgroup CG or one of its ancestors matches a glob (fnmatch with FNM_PATHNAME: a '*'
 * stays within one component). "/system.slice/janus.service" thus also matches a process in
 * "/system.slice/janus.service/worker". */
static bool cgroups_match(char *const *globs, unsigned int n, const char *cg)
{
	char path[CONF_CGROUP_MAX];
	size_t len = strlen(cg), end;

	if (len >= sizeof(path))
		return false;
	memcpy(path, cg, len + 1);
	for (end = len; end > 0;) {
		path[end] = '\0';
		for (unsigned int i = 0; i < n; i++)
			if (!fnmatch(globs[i], path, FNM_PATHNAME))
				return true;
		while (end > 0 && path[--end] != '/')
			;
	}
	return false;
}

/* A component of the cgroup path CG is the unit (systemd names a unit's cgroup after it,
 * under its slices: "/system.slice/janus.service", "/user.slice/.../app.slice/x.service"). */
static bool units_match(char *const *globs, unsigned int n, const char *cg)
{
	char comp[256];
	const char *p = cg;

	while (*p) {
		size_t len;

		p += strspn(p, "/");
		len = strcspn(p, "/");
		if (len && len < sizeof(comp)) {
			memcpy(comp, p, len);
			comp[len] = '\0';
			for (unsigned int i = 0; i < n; i++)
				if (!fnmatch(globs[i], comp, 0))
					return true;
		}
		p += len;
	}
	return false;
}

int conf_cgroup_from_proc(const char *text, char *out, size_t len)
{
	const char *p = text;

	while (p && *p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);

		if (n >= 3 && !strncmp(p, "0::", 3)) {
			if (n - 3 >= len || n == 3)
				return -ENOENT;
			memcpy(out, p + 3, n - 3);
			out[n - 3] = '\0';
			return 0;
		}
		p = nl ? nl + 1 : NULL;
	}
	return -ENOENT;
}

static bool users_match(const uid_t *users, unsigned int n, uid_t uid)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (users[i] == uid)
			return true;
	return false;
}

/* Why RULE does not match, or NULL when it does. */
static const char *mismatch(const struct conf_stream_match *m, const struct conf_process *p,
			    const struct conf_socket *s)
{
	if (m->protocol != CONF_PROTO_ANY && m->protocol != s->protocol)
		return "protocol differs";
	if (m->n_local_ports &&
	    (!s->has_local || !ports_match(m->local_ports, m->n_local_ports, sockaddr_port(&s->local))))
		return s->has_local ? "local port not in the list" : "local port not known yet";
	if (m->n_remote_ports &&
	    (!s->has_remote ||
	     !ports_match(m->remote_ports, m->n_remote_ports, sockaddr_port(&s->remote))))
		return s->has_remote ? "remote port not in the list" : "remote port not known yet";
	if (m->n_local_addrs &&
	    (!s->has_local || !addrs_match(m->local_addrs, m->n_local_addrs, &s->local)))
		return s->has_local ? "local address not in the list" : "local address not known yet";
	if (m->n_remote_addrs &&
	    (!s->has_remote || !addrs_match(m->remote_addrs, m->n_remote_addrs, &s->remote)))
		return s->has_remote ? "remote address not in the list" :
				       "remote address not known yet";
	if (m->n_process && !process_match(m->process, m->n_process, p))
		return "process name, argv[0] and executable match no glob";
	if (m->n_users && !users_match(m->users, m->n_users, p->uid))
		return "user differs";
	if (m->n_cgroups && (!p->cgroup || !cgroups_match(m->cgroups, m->n_cgroups, p->cgroup)))
		return p->cgroup ? "cgroup matches no pattern" : "cgroup not known (no cgroup v2)";
	if (m->n_units && (!p->cgroup || !units_match(m->units, m->n_units, p->cgroup)))
		return p->cgroup ? "not in the unit (no component of its cgroup matches)" :
				   "unit not known (no cgroup v2)";
	return NULL;
}

static void why_add(char *why, size_t len, size_t *used, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void why_add(char *why, size_t len, size_t *used, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!why || *used >= len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(why + *used, len - *used, fmt, ap);
	va_end(ap);
	if (n > 0)
		*used += (size_t)n;
}

const char *conf_stream_mismatch(const struct conf_stream *st, const struct conf_process *p,
				 const struct conf_socket *s)
{
	return mismatch(&st->match, p, s);
}

const struct conf_stream *conf_match_stream(const struct conf *c, const struct conf_process *p,
					    const struct conf_socket *s, char *why,
					    size_t why_len)
{
	size_t used = 0;
	unsigned int i;

	if (why && why_len)
		why[0] = '\0';
	for (i = 0; i < c->n_streams; i++) {
		const struct conf_stream *st = &c->streams[i];
		const char *reason = mismatch(&st->match, p, s);

		if (!reason) {
			why_add(why, why_len, &used, "streams[%u] \"%s\" (line %u): matches\n", i,
				st->name, st->line);
			return st;
		}
		why_add(why, why_len, &used, "streams[%u] \"%s\" (line %u): no: %s\n", i, st->name,
			st->line, reason);
	}
	why_add(why, why_len, &used, "no stream rule matches: the socket is left alone\n");
	return NULL;
}
