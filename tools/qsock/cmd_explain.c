// SPDX-License-Identifier: GPL-2.0
/*
 * cmd_explain.c — `qsock explain`: which stream rule a socket of a given process, protocol
 * and addresses would match, and why the rules before it did not; then, for a payload (hex
 * or a file), which message rules match and the flags and deadline the message would carry.
 * It runs the shim's own matching code (conf/), so what it says is what the shim does.
 *
 *	qsock explain [--process NAME] [--exe PATH] [--argv0 NAME] [--user USER|UID]
 *		      [--proto udp|tcp] [--local ADDR:PORT] [--remote ADDR:PORT]
 *		      [--payload HEX | --payload-file FILE] [--seq N] [--stream NAME]
 *		      [--cgroup PATH | --unit NAME]
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../conf/conf.h"
#include "../../lib/rate.h"
#include "commands.h"
#include "uapi/linux/pkt_sch_dwcs.h"

#define PAYLOAD_MAX 65536

static const char usage[] =
	"usage: qsock [-j] [-c FILE] explain [OPTIONS]\n"
	"  Which stream rule of the configuration a socket would match, and why the others do\n"
	"  not; with a payload, which message rules match and the flags and deadline it gets.\n"
	"  --process NAME       process name (comm; also argv[0] unless --argv0 is given)\n"
	"  --exe PATH           executable\n"
	"  --argv0 NAME         argv[0]\n"
	"  --user USER|UID      sending user (default: you)\n"
	"  --cgroup PATH        its cgroup v2 path (\"/system.slice/janus.service\")\n"
	"  --unit NAME          its systemd system unit: --cgroup /system.slice/NAME\n"
	"  --proto udp|tcp      protocol (default udp)\n"
	"  --local ADDR:PORT    local address ([ADDR6]:PORT, ADDR, ADDR:PORT)\n"
	"  --remote ADDR:PORT   remote address\n"
	"  --payload HEX        a message's bytes (\"80e0 0001 ...\")\n"
	"  --payload-file FILE  a message's bytes from FILE\n"
	"  --seq N              the message's number on its socket (default 1)\n"
	"  --stream NAME        the message rules of stream rule NAME, whatever the socket matched\n";

/* "10.0.0.1:5004", "[::1]:5004", "::1", "10.0.0.1" (port 0 = unknown). */
static int parse_endpoint(const char *arg, struct sockaddr_storage *ss)
{
	char host[INET6_ADDRSTRLEN + 1];
	const char *port = NULL;
	unsigned long p = 0;
	char *end;

	memset(ss, 0, sizeof(*ss));
	if (arg[0] == '[') {
		const char *close = strchr(arg, ']');

		if (!close || (size_t)(close - arg - 1) >= sizeof(host))
			return -EINVAL;
		snprintf(host, sizeof(host), "%.*s", (int)(close - arg - 1), arg + 1);
		if (close[1] == ':')
			port = close + 2;
		else if (close[1])
			return -EINVAL;
	} else {
		const char *colon = strrchr(arg, ':');

		if (colon && strchr(arg, ':') == colon) { /* exactly one colon: IPv4:port */
			if ((size_t)(colon - arg) >= sizeof(host))
				return -EINVAL;
			snprintf(host, sizeof(host), "%.*s", (int)(colon - arg), arg);
			port = colon + 1;
		} else {
			if (strlen(arg) >= sizeof(host))
				return -EINVAL;
			snprintf(host, sizeof(host), "%s", arg);
		}
	}
	if (port) {
		p = strtoul(port, &end, 10);
		if (end == port || *end || p > 65535)
			return -EINVAL;
	}
	if (inet_pton(AF_INET, host, &((struct sockaddr_in *)ss)->sin_addr) == 1) {
		ss->ss_family = AF_INET;
		((struct sockaddr_in *)ss)->sin_port = htons((uint16_t)p);
	} else if (inet_pton(AF_INET6, host, &((struct sockaddr_in6 *)ss)->sin6_addr) == 1) {
		ss->ss_family = AF_INET6;
		((struct sockaddr_in6 *)ss)->sin6_port = htons((uint16_t)p);
	} else {
		return -EINVAL;
	}
	return 0;
}

static int parse_hex(const char *hex, uint8_t *out, size_t max, size_t *len)
{
	size_t n = 0;

	while (*hex) {
		unsigned int b;

		if (isspace((unsigned char)*hex) || *hex == ':') {
			hex++;
			continue;
		}
		if (!isxdigit((unsigned char)hex[0]) || !isxdigit((unsigned char)hex[1]) || n == max)
			return -EINVAL;
		sscanf(hex, "%2x", &b);
		out[n++] = (uint8_t)b;
		hex += 2;
	}
	*len = n;
	return 0;
}

static int read_payload_file(const char *path, uint8_t *out, size_t max, size_t *len)
{
	FILE *f = fopen(path, "rb");

	if (!f)
		return -errno;
	*len = fread(out, 1, max, f);
	fclose(f);
	return 0;
}

static const char *endpoint_str(const struct sockaddr_storage *ss, bool known, char *buf,
				size_t len)
{
	char a[INET6_ADDRSTRLEN];
	const void *addr;
	unsigned int port;

	if (!known)
		return "?";
	if (ss->ss_family == AF_INET) {
		addr = &((const struct sockaddr_in *)ss)->sin_addr;
		port = ntohs(((const struct sockaddr_in *)ss)->sin_port);
	} else {
		addr = &((const struct sockaddr_in6 *)ss)->sin6_addr;
		port = ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
	}
	inet_ntop(ss->ss_family, addr, a, sizeof(a));
	snprintf(buf, len, ss->ss_family == AF_INET6 ? "[%s]:%u" : "%s:%u", a, port);
	return buf;
}

static void print_stream_params(const struct conf_stream *st)
{
	char dscp[32] = "";

	if (st->has_dscp) {
		char name[24];

		snprintf(dscp, sizeof(dscp), ", dscp %s", conf_dscp_name(st->dscp, name, sizeof(name)));
	}
	if (st->sched == CONF_SCHED_NONE)
		printf("=> stream \"%s\" (line %u): no scheduler, mark only%s\n", st->name, st->line,
		       dscp);
	else if (st->sched == CONF_SCHED_HTB)
		printf("=> stream \"%s\" (line %u): htb on %s, rate %llu bytes/s%s\n", st->name,
		       st->line, st->dev, (unsigned long long)st->rate_Bps, dscp);
	else
		printf("=> stream \"%s\" (line %u): dwcs on %s, ipg %llu us, loss tolerance %u/%u%s%s%s\n",
		       st->name, st->line, st->dev, (unsigned long long)st->ipg_ns / 1000, st->oln,
		       st->old, st->class_flags & DWCS_CLASS_F_LOSSLESS ? ", lossless" : "",
		       st->class_flags & DWCS_CLASS_F_NONDROPPABLE ? ", non-droppable" : "", dscp);
}

/*
 * What a rule grants, in packets and bits per second. dwcs: one datagram per period, of the
 * rule's packet_size (QSOCK_DEFAULT_PKT_BYTES when it gave an ipg): the bits are payload.
 * htb: its rate counts whole packets on the wire, so packets are rate / (size + headers).
 */
struct grant {
	double pps, bps;
	uint32_t pkt_bytes;
	bool wire;		/* bps include each packet's headers (htb) */
};

static bool stream_grant(const struct conf_stream *st, struct grant *g)
{
	g->pkt_bytes = st->pkt_bytes ? st->pkt_bytes : QSOCK_DEFAULT_PKT_BYTES;
	g->wire = st->sched == CONF_SCHED_HTB;
	if (st->sched == CONF_SCHED_NONE)
		return false;
	if (g->wire) {
		g->bps = (double)st->rate_Bps * 8;
		g->pps = (double)st->rate_Bps / (g->pkt_bytes + QSOCK_WIRE_OVERHEAD);
	} else {
		g->pps = 1e9 / (double)st->ipg_ns;
		g->bps = g->pps * g->pkt_bytes * 8;
	}
	return true;
}

static void print_grant(const struct conf_stream *st)
{
	struct grant g;

	if (!stream_grant(st, &g))
		return;
	printf("   grant: %.1f packets/s, %.0f bit/s (%.3f Mbit/s) %s %u-byte datagrams", g.pps,
	       g.bps, g.bps / 1e6, g.wire ? "on the wire, headers included, in" : "of payload in",
	       g.pkt_bytes);
	if (st->bitrate_bps)
		printf(", for bitrate %.3f Mbit/s", (double)st->bitrate_bps / 1e6);
	if (st->pkts_per_frame)
		printf(", %u datagrams per frame at %.3g fps", st->pkts_per_frame,
		       st->fps_milli / 1000.0);
	if (st->window_frames)
		printf("; window %u/%u datagrams = %u/%u frames", st->oln, st->old,
		       st->oln / st->pkts_per_frame, st->old / st->pkts_per_frame);
	printf("\n");
	if (st->share == CONF_SHARE_PROCESS)
		printf("   shared: one class for all of a process's sockets this rule matches\n");
}

static void json_grant(const struct conf_stream *st)
{
	struct grant g;

	if (!stream_grant(st, &g)) {
		printf(",\"grant\":null,\"share\":\"%s\"", conf_share_name(st->share));
		return;
	}
	printf(",\"grant\":{\"packets_per_s\":%.3f,\"bits_per_s\":%.0f,\"bits\":\"%s\","
	       "\"packet_size\":%u,\"bitrate\":%llu,\"fps\":%.3f,\"packets_per_frame\":%u,"
	       "\"oln\":%u,\"old\":%u,\"window\":\"%s\"},\"share\":\"%s\"",
	       g.pps, g.bps, g.wire ? "wire" : "payload", g.pkt_bytes,
	       (unsigned long long)st->bitrate_bps, st->fps_milli / 1000.0, st->pkts_per_frame,
	       st->oln, st->old, st->window_frames ? "frames" : "packets",
	       conf_share_name(st->share));
}

struct explain_args {
	struct conf_process proc;
	struct conf_socket sock;
	const char *stream_name;
	bool have_payload;
	uint8_t *payload;
	size_t payload_len;
	unsigned long long seq;
};

static int explain(const struct qsock_cli *cli, const struct conf *c, const struct explain_args *a)
{
	const struct conf_stream *match = NULL, *st;
	struct conf_msg_action act;
	struct conf_payload p;
	unsigned int i;
	int rule = -1;
	char l[64], r[64];
	const struct conf_stream *named = NULL;

	if (a->stream_name) {
		for (i = 0; i < c->n_streams; i++)
			if (!strcmp(c->streams[i].name, a->stream_name))
				named = &c->streams[i];
		if (!named)
			return cli_error(cli, 1, "no stream rule named \"%s\"", a->stream_name);
	}
	if (!cli->json)
		printf("socket: %s %s -> %s; process comm \"%s\", argv0 \"%s\", exe \"%s\", uid %u, cgroup %s\n",
		       conf_proto_name(a->sock.protocol),
		       endpoint_str(&a->sock.local, a->sock.has_local, l, sizeof(l)),
		       endpoint_str(&a->sock.remote, a->sock.has_remote, r, sizeof(r)),
		       a->proc.comm ? a->proc.comm : "", a->proc.argv0 ? a->proc.argv0 : "",
		       a->proc.exe ? a->proc.exe : "", (unsigned int)a->proc.uid,
		       a->proc.cgroup ? a->proc.cgroup : "?");
	else
		printf("{\"streams\":[");
	for (i = 0; i < c->n_streams && !match; i++) {
		const char *why = conf_stream_mismatch(&c->streams[i], &a->proc, &a->sock);

		if (!why)
			match = &c->streams[i];
		if (cli->json) {
			printf("%s{\"index\":%u,\"name\":", i ? "," : "", i);
			json_string(stdout, c->streams[i].name);
			printf(",\"line\":%u,\"match\":%s", c->streams[i].line, why ? "false" : "true");
			if (why) {
				printf(",\"reason\":");
				json_string(stdout, why);
			}
			printf("}");
		} else {
			printf("streams[%u] \"%s\" (line %u): %s%s\n", i, c->streams[i].name,
			       c->streams[i].line, why ? "no: " : "matches", why ? why : "");
		}
	}
	if (cli->json) {
		printf("],\"stream\":");
		if (match)
			json_string(stdout, match->name);
		else
			printf("null");
		if (match && match->has_dscp)
			printf(",\"dscp\":%u", match->dscp);
		else
			printf(",\"dscp\":null");
		if (match)
			json_grant(match);
	} else if (match) {
		print_stream_params(match);
		print_grant(match);
	} else {
		printf("=> no stream rule matches: the shim leaves this socket alone\n");
	}

	st = a->stream_name ? named : match;
	if (!a->have_payload || !st) {
		if (cli->json)
			printf("}\n");
		return 0;
	}
	{
		struct iovec iov = { .iov_base = a->payload, .iov_len = a->payload_len };
		uint8_t *scratch = malloc(CONF_PAYLOAD_VISIBLE);

		if (!scratch)
			return 1;
		conf_payload_from_iov(&p, &iov, 1, scratch);
		rule = conf_match_message(st, &p, a->seq, NULL, &act); /* as the first of its socket */
		free(scratch);
	}
	if (cli->json) {
		printf(",\"message\":{\"stream\":");
		json_string(stdout, st->name);
		printf(",\"length\":%zu,\"seq\":%llu,\"rules\":[", p.len, a->seq);
	} else {
		printf("message: %zu bytes, message %llu of the socket, rules of stream \"%s\":\n",
		       p.len, a->seq, st->name);
	}
	for (i = 0; i < st->n_msgs; i++) {
		const struct conf_msg_rule *m = &st->msgs[i];
		bool hit = conf_msg_rule_matches(m, &p, a->seq);

		if (cli->json) {
			printf("%s{\"index\":%u,\"name\":", i ? "," : "", i);
			json_string(stdout, m->name);
			printf(",\"line\":%u,\"preset\":", m->line);
			json_string(stdout, conf_preset_name(m->preset));
			printf(",\"match\":%s,\"continue\":%s}", hit ? "true" : "false",
			       m->cont ? "true" : "false");
		} else {
			printf("  messages[%u] \"%s\" (line %u)%s%s: %s\n", i, m->name, m->line,
			       m->preset ? ", preset " : "", m->preset ? conf_preset_name(m->preset) : "",
			       hit ? (m->cont ? "matches, continue" : "matches") : "no");
		}
	}
	if (cli->json) {
		printf("],\"rule\":%d,\"flags\":{\"nondroppable\":%s,\"drop_priority\":", rule,
		       act.mark & DWCS_MARK_NONDROPPABLE ? "true" : "false");
		if (act.has_drop_priority)
			printf("%u", (act.mark & DWCS_MARK_DROPPRIO_MASK) >> DWCS_MARK_DROPPRIO_SHIFT);
		else
			printf("null");
		printf(",\"frame_start\":%s,\"frame_end\":%s,\"deadline_ns\":%llu}}}\n",
		       act.mark & DWCS_MARK_FRAME_START ? "true" : "false",
		       act.mark & DWCS_MARK_FRAME_END ? "true" : "false",
		       (unsigned long long)act.deadline_ns);
	} else {
		char what[128];

		conf_action_describe(&act, what, sizeof(what));
		printf("=> %s\n", what);
	}
	return 0;
}

int do_explain(const struct qsock_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "process", required_argument, NULL, 'n' },
		{ "exe", required_argument, NULL, 'e' },
		{ "argv0", required_argument, NULL, 'a' },
		{ "user", required_argument, NULL, 'u' },
		{ "proto", required_argument, NULL, 'P' },
		{ "local", required_argument, NULL, 'l' },
		{ "remote", required_argument, NULL, 'r' },
		{ "payload", required_argument, NULL, 'x' },
		{ "payload-file", required_argument, NULL, 'f' },
		{ "seq", required_argument, NULL, 's' },
		{ "stream", required_argument, NULL, 'S' },
		{ "cgroup", required_argument, NULL, 'C' },
		{ "unit", required_argument, NULL, 'U' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static uint8_t payload[PAYLOAD_MAX];
	struct explain_args a = { .proc = { .uid = getuid() }, .sock = { .protocol = CONF_PROTO_UDP },
				  .payload = payload, .seq = 1 };
	struct conf_diag d;
	struct conf c;
	int opt, rc;
	char *end, unit_cgroup[CONF_CGROUP_MAX] = "";

	optind = 1;
	while ((opt = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (opt) {
		case 'n':
			a.proc.comm = optarg;
			if (!a.proc.argv0)
				a.proc.argv0 = optarg;
			break;
		case 'e':
			a.proc.exe = optarg;
			break;
		case 'a':
			a.proc.argv0 = optarg;
			break;
		case 'u': {
			struct passwd *pw = getpwnam(optarg);
			unsigned long uid = strtoul(optarg, &end, 10);

			if (pw) {
				a.proc.uid = pw->pw_uid;
			} else if (end != optarg && !*end) {
				a.proc.uid = (uid_t)uid;
			} else {
				return cli_usage_error(cli, usage, "--user: no user \"%s\"", optarg);
			}
			break;
		}
		case 'P':
			if (!strcmp(optarg, "udp")) {
				a.sock.protocol = CONF_PROTO_UDP;
			} else if (!strcmp(optarg, "tcp")) {
				a.sock.protocol = CONF_PROTO_TCP;
			} else {
				return cli_usage_error(cli, usage, "--proto: \"%s\" is not udp or tcp",
						       optarg);
			}
			break;
		case 'l':
		case 'r':
			if (parse_endpoint(optarg, opt == 'l' ? &a.sock.local : &a.sock.remote)) {
				return cli_usage_error(cli, usage,
						       "--%s: \"%s\" is not ADDR, ADDR:PORT or [ADDR6]:PORT",
						       opt == 'l' ? "local" : "remote", optarg);
			}
			*(opt == 'l' ? &a.sock.has_local : &a.sock.has_remote) = true;
			break;
		case 'x':
			if (parse_hex(optarg, payload, sizeof(payload), &a.payload_len)) {
				return cli_usage_error(cli, usage,
						       "--payload: not pairs of hex digits (at most %d bytes)",
						       PAYLOAD_MAX);
			}
			a.have_payload = true;
			break;
		case 'f':
			rc = read_payload_file(optarg, payload, sizeof(payload), &a.payload_len);
			if (rc) {
				return cli_usage_error(cli, usage, "--payload-file: %s: %s", optarg,
						       strerror(-rc));
			}
			a.have_payload = true;
			break;
		case 's':
			a.seq = strtoull(optarg, &end, 10);
			if (end == optarg || *end || !a.seq) {
				return cli_usage_error(cli, usage,
						       "--seq: \"%s\" is not a message number (1, 2, ...)",
						       optarg);
			}
			break;
		case 'S':
			a.stream_name = optarg;
			break;
		case 'C':
			if (optarg[0] != '/')
				return cli_usage_error(cli, usage,
						       "--cgroup: \"%s\" is not a cgroup path (it starts with /)",
						       optarg);
			a.proc.cgroup = optarg;
			break;
		case 'U':
			if (!*optarg || strchr(optarg, '/'))
				return cli_usage_error(cli, usage, "--unit: \"%s\" is not a unit name",
						       optarg);
			snprintf(unit_cgroup, sizeof(unit_cgroup), "/system.slice/%s", optarg);
			break;
		case 'h':
			return cli_help(usage);
		default:
			return cli_bad_option(cli, usage, opt, argv);
		}
	}
	if (optind < argc)
		return cli_usage_error(cli, usage, "unexpected argument \"%s\"", argv[optind]);
	if (unit_cgroup[0] && !a.proc.cgroup)
		a.proc.cgroup = unit_cgroup;
	conf_diag_init(&d, cli->conf_path, stderr);
	if (conf_load(&c, cli->conf_path, &d))
		return cli_error(cli, 1, "%s is not valid (see qsock check)", cli->conf_path);
	rc = explain(cli, &c, &a);
	conf_free(&c);
	return rc;
}
