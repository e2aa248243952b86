// SPDX-License-Identifier: GPL-2.0
/*
 * video-server — the paper's simulated MPEG video server (§4.2.1).
 *
 * A live source: frame k is captured at start + k / fps, with a type from a GOP pattern
 * (default IBBPBBPBBPBB) and a size drawn around MPEG-1 figures (I 24 kB, P 9 kB, B 3.5 kB:
 * about 1.2 Mbit/s at 20 fps). Each frame goes out as UDP datagrams of at most 1400 bytes, each
 * with a struct video_hdr. A camera does not wait for the network: it buffers --max-lag frames
 * (default 4, 200 ms at 20 fps, which also absorbs a busy CPU's scheduling delays), and when
 * sending blocks for longer than that, the frames captured meanwhile are skipped, which is what
 * a congested unmanaged stream looks like to its viewer. --pace-ms spreads a frame's datagrams
 * over part of its period (see video_paced_offset() in eval-wire.h).
 *
 * Modes: plain sendto() (unmanaged; also the binary the LD_PRELOAD shim manages), and with
 * --qsock the Q.Sockets API (see video-qsock.c), built only when libqsock is.
 */
#include "eval-cli.h"
#include "eval-util.h"
#include "eval-wire.h"
#include "video-quality.h"
#include "video-send.h"

#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static const char *prog = "video-server";
static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: %s --to ADDRESS:PORT [options]\n"
		"  --to A.B.C.D:PORT   where the client listens\n"
		"  --fps N             frames per second (default 20)\n"
		"  --duration SEC      stop after SEC seconds (default 60)\n"
		"  --gop PATTERN       frame types, repeated (default IBBPBBPBBPBB)\n"
		"  --scale F           multiply every frame size by F (default 1)\n"
		"  --stream ID         stream number in the header (default 0)\n"
		"  --seed N            random seed (default 1)\n"
		"  --max-lag N         frames the source buffers before it skips (default 4)\n"
		"  --pace-ms N         spread a frame's datagrams evenly over N ms after its\n"
		"                      capture, the last one leaving at N ms (default 0: back\n"
		"                      to back); N must be shorter than the frame period\n"
		"  --frames-csv FILE   one row per frame sent: capture_ns,stream,frame,type,\n"
		"                      wire_bytes (IP, UDP and Ethernet headers included)\n"
		EVAL_SOCKOPT_USAGE
#ifdef HAVE_QSOCK
		"  --qsock DEV         send through Q.Sockets: qattach a dwcs stream on DEV,\n"
		"                      qsendto with a deadline, whole frames, and the frame\n"
		"                      types of --protect non-droppable\n"
		"  --protect TYPES     non-droppable frame types (default I; IP: every reference)\n"
		"  --tolerance X/Y     the stream's loss tolerance, X of Y deadlines (default 1/10)\n"
		"  --ipg-us N          dwcs stream period per datagram (default: from --fps)\n"
		"  --deadline-ms N     frame deadline after capture (default: two frame periods)\n"
		"  --droppable-deadline-ms N  the deadline of the frames --protect leaves\n"
		"                      droppable (default: --deadline-ms); a shorter one drops\n"
		"                      such a frame early rather than let it hold up the\n"
		"                      protected ones queued behind it\n"
#endif
		"Prints a summary on stderr when done.\n",
		prog);
}

/* Frame sizes in bytes: mean and spread per type (MPEG-1 at VCD rates, Le Gall 1991). */
static unsigned int frame_size(struct eval_rng *rng, char type, double scale)
{
	double mean = type == 'I' ? 24000 : type == 'P' ? 9000 : 3500;
	double sd = type == 'I' ? 4000 : type == 'P' ? 2500 : 1000;
	double v = rng_normal(rng, mean, sd) * scale;

	if (v < 300)
		v = 300;
	if (v > 120000)
		v = 120000;
	return (unsigned int)v;
}

int main(int argc, char **argv)
{
	struct video_send_opts send_opts = { .protect = "I", .oln = 1, .old = 10,
					     .sockopts = EVAL_SOCKOPTS_INIT };
	const char *tolerance = NULL;
	struct sockaddr_in to;
	uint64_t fps = 20, duration = 60, stream = 0, seed = 1, max_lag = 4, pace = 0;
	double scale = 1.0;
	const char *gop = "IBBPBBPBBPBB", *frames_path = NULL;
	FILE *frames_csv = NULL;
	const struct eval_opt opts[] = {
		EVAL_SEND_TO("to", &to),
		EVAL_U64("fps", &fps, 1, 1000),
		EVAL_U64("duration", &duration, 1, 86400),
		EVAL_STRING("gop", &gop),
		EVAL_STRING("frames-csv", &frames_path),
		EVAL_DOUBLE("scale", &scale, 0.01, 100),
		EVAL_U64("stream", &stream, 0, 65535),
		EVAL_U64("seed", &seed, 0, UINT64_MAX),
		EVAL_U64("max-lag", &max_lag, 1, 1000),
		EVAL_U64_SCALED("pace-ms", &pace, 0, 60000, NSEC_PER_MSEC),
		EVAL_SOCKOPT_ARGS(&send_opts.sockopts),
		EVAL_STRING("qsock", &send_opts.qsock_dev),
		EVAL_STRING("protect", &send_opts.protect),
		EVAL_STRING("tolerance", &tolerance),
		EVAL_U64_SCALED("ipg-us", &send_opts.ipg_ns, 1, 60000000, 1000),
		EVAL_U64_SCALED("deadline-ms", &send_opts.deadline_ns, 1, 60000, NSEC_PER_MSEC),
		EVAL_U64_SCALED("droppable-deadline-ms", &send_opts.droppable_deadline_ns, 1, 60000,
				NSEC_PER_MSEC),
		EVAL_END,
	};
	struct video_sender *sender;
	struct eval_rng rng;
	static unsigned char buf[EVAL_MAX_DATAGRAM];
	uint64_t start, period, end, k, generated = 0, sent = 0, skipped = 0, failed_frames = 0;
	int status;

	status = eval_parse_args(prog, argc, argv, opts, usage, NULL);
	if (status >= 0)
		return status;
	if (!video_gop_valid(gop)) {
		fprintf(stderr, "%s: --gop: \"%s\" must start with I and hold only I, P, B\n", prog,
			gop);
		return 2;
	}
	if (strspn(send_opts.protect, "IPB") != strlen(send_opts.protect)) {
		fprintf(stderr, "%s: --protect: \"%s\" may hold only I, P and B\n", prog,
			send_opts.protect);
		return 2;
	}
	if (tolerance) {
		unsigned int x, y;
		int n = 0;

		if (sscanf(tolerance, "%u/%u%n", &x, &y, &n) != 2 || tolerance[n] || !y ||
		    x > y || y > 65535) {
			fprintf(stderr, "%s: --tolerance: \"%s\" is not X/Y with X <= Y <= 65535, Y > 0\n",
				prog, tolerance);
			return 2;
		}
		send_opts.oln = x;
		send_opts.old = y;
	}
	period = NSEC_PER_SEC / fps;
	if (pace >= period) {
		fprintf(stderr, "%s: --pace-ms: %llu ms is not shorter than the frame period (%llu ms at %llu fps)\n",
			prog, (unsigned long long)(pace / NSEC_PER_MSEC),
			(unsigned long long)(period / NSEC_PER_MSEC), (unsigned long long)fps);
		return 2;
	}
	send_opts.fps = fps;
	/* A viewer buffers a frame or two before playout: a frame is useless two periods after
	 * its capture, not one (which a single scheduling stall of a busy host would miss). */
	if (!send_opts.deadline_ns)
		send_opts.deadline_ns = 2 * period;
	if (frames_path) {
		frames_csv = fopen(frames_path, "w");
		if (!frames_csv) {
			fprintf(stderr, "%s: cannot write %s: %s\n", prog, frames_path,
				strerror(errno));
			return 1;
		}
		fprintf(frames_csv, "capture_ns,stream,frame,type,wire_bytes\n");
	}
	sender = video_sender_open(prog, &to, &send_opts);
	if (!sender)
		return 1;

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	rng_seed(&rng, seed ^ (stream << 32));
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (unsigned char)(rng_uniform(&rng) * 256);

	start = now_ns();
	end = start + duration * NSEC_PER_SEC;
	for (k = 0; !stop_requested; k++) {
		uint64_t t = start + k * period, now;
		char type = gop[k % strlen(gop)];
		unsigned int size = frame_size(&rng, type, scale), nfrags, off;
		struct video_hdr *h = (struct video_hdr *)buf;
		int frame_failed = 0;

		if (t >= end)
			break;
		sleep_until_ns(t);
		now = now_ns();
		if (now >= t + max_lag * period) {
			/* Sending blocked past the capture buffer: this frame was overwritten. */
			skipped++;
			generated++;
			continue;
		}
		generated++;
		nfrags = (size + (EVAL_MAX_DATAGRAM - sizeof(*h)) - 1) / (EVAL_MAX_DATAGRAM - sizeof(*h));
		for (unsigned int f = 0; f < nfrags && !stop_requested; f++) {
			size_t chunk = EVAL_MAX_DATAGRAM - sizeof(*h);

			if (pace)
				sleep_until_ns(t + video_paced_offset(pace, f, nfrags));
			off = f * (unsigned int)chunk;
			if (off + chunk > size)
				chunk = size - off;
			h->magic = htonl(VIDEO_MAGIC);
			h->stream = htons((uint16_t)stream);
			h->type = (uint8_t)type;
			h->reserved = 0;
			h->frame = htonl((uint32_t)k);
			h->frag = htons((uint16_t)f);
			h->nfrags = htons((uint16_t)nfrags);
			h->sent_ns = htobe64(t);
			if (video_sender_send(sender, buf, sizeof(*h) + chunk, type, f, nfrags,
					      t) < 0) {
				if (errno == EINTR)
					break;
				if (errno != ENOBUFS && errno != EAGAIN) {
					fprintf(stderr, "%s: sending frame %llu to %s:%u: %s\n", prog,
						(unsigned long long)k, inet_ntoa(to.sin_addr),
						ntohs(to.sin_port), strerror(errno));
					video_sender_close(sender);
					return 1;
				}
				frame_failed = 1;
			}
		}
		if (frame_failed)
			failed_frames++;
		else
			sent++;
		if (frames_csv)
			fprintf(frames_csv, "%llu,%llu,%llu,%c,%llu\n", (unsigned long long)t,
				(unsigned long long)stream, (unsigned long long)k, type,
				(unsigned long long)size + (unsigned long long)nfrags *
				(sizeof(*h) + VIDEO_WIRE_HEADERS));
	}
	if (frames_csv && fclose(frames_csv))
		fprintf(stderr, "%s: writing %s: %s\n", prog, frames_path, strerror(errno));
	fprintf(stderr,
		"%s: stream %llu (%s): %llu frames captured, %llu sent, %llu skipped (sender behind), %llu with a datagram refused\n",
		prog, (unsigned long long)stream, video_sender_mode(sender),
		(unsigned long long)generated, (unsigned long long)sent,
		(unsigned long long)skipped, (unsigned long long)failed_frames);
	video_sender_close(sender);
	return 0;
}
