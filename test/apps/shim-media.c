// SPDX-License-Identifier: GPL-2.0
/*
 * shim-media — an ordinary program (it knows nothing of qsock) sending what the shim's rate
 * rules describe, for libqsockshim's tests:
 *
 *   stream ADDR PORT BITRATE FPS PKT SECONDS
 *	a live source: every 1/FPS s a frame of BITRATE/8/FPS bytes goes out as RTP-like
 *	datagrams of at most PKT bytes (the last of a frame smaller, with the RTP marker), as
 *	a burst, from a non-blocking socket; a datagram the socket refuses (EAGAIN) is dropped,
 *	as a camera does not wait. Prints "frames F datagrams N refused R".
 *   dual ADDR4 ADDR6 PORT
 *	one IPv4 and one IPv6 UDP socket (a dual-stack sink's two senders), one datagram from
 *	each; then, at each line read from stdin (so that a test can look at the classes in
 *	between): close the IPv4 socket, then exit with the IPv6 one still open.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>

static void die(const char *what)
{
	printf("error: %s: %s\n", what, strerror(errno));
	exit(1);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void sleep_until(uint64_t t)
{
	struct timespec ts = { .tv_sec = (time_t)(t / 1000000000ULL),
			       .tv_nsec = (long)(t % 1000000000ULL) };

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

static int do_stream(char **a)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(a[1])) };
	double bitrate = atof(a[2]), fps = atof(a[3]);
	size_t pkt = (size_t)atoi(a[4]), frame_bytes, off, len;
	unsigned int frames, f, seq = 0, sent = 0, refused = 0;
	uint8_t buf[65536];
	uint64_t t0;
	int fd;

	if (inet_pton(AF_INET, a[0], &to.sin_addr) != 1 || bitrate <= 0 || fps <= 0 || pkt < 13 ||
	    pkt > sizeof(buf)) {
		printf("error: bad arguments\n");
		return 2;
	}
	frames = (unsigned int)(atof(a[5]) * fps + 0.5);
	frame_bytes = (size_t)(bitrate / 8 / fps + 0.5);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		die("socket");
	memset(buf, 0x5a, sizeof(buf));
	t0 = now_ns();
	for (f = 0; f < frames; f++) {
		sleep_until(t0 + (uint64_t)(f * 1e9 / fps));
		for (off = 0; off < frame_bytes; off += len) {
			len = frame_bytes - off < pkt ? frame_bytes - off : pkt;
			/* RTP v2, payload type 96, the marker on a frame's last datagram */
			buf[0] = 0x80;
			buf[1] = (uint8_t)((off + len == frame_bytes ? 0x80 : 0) | 96);
			buf[2] = (uint8_t)(seq >> 8);
			buf[3] = (uint8_t)seq;
			seq++;
			if (sendto(fd, buf, len < 12 ? 12 : len, MSG_DONTWAIT, (struct sockaddr *)&to,
				   sizeof(to)) >= 0)
				sent++;
			else if (errno == EAGAIN || errno == ENOBUFS)
				refused++;
			else
				die("sendto");
		}
	}
	printf("frames %u datagrams %u refused %u\n", frames, sent, refused);
	return 0;
}

static int do_dual(char **a)
{
	struct sockaddr_in to4 = { .sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(a[2])) };
	struct sockaddr_in6 to6 = { .sin6_family = AF_INET6, .sin6_port = to4.sin_port };
	char line[16];
	int fd4, fd6;

	if (inet_pton(AF_INET, a[0], &to4.sin_addr) != 1 ||
	    inet_pton(AF_INET6, a[1], &to6.sin6_addr) != 1) {
		printf("error: bad address\n");
		return 2;
	}
	fd4 = socket(AF_INET, SOCK_DGRAM, 0);
	fd6 = socket(AF_INET6, SOCK_DGRAM, 0);
	if (fd4 < 0 || fd6 < 0)
		die("socket");
	if (sendto(fd4, "v4", 2, 0, (struct sockaddr *)&to4, sizeof(to4)) < 0)
		die("sendto v4");
	if (sendto(fd6, "v6", 2, 0, (struct sockaddr *)&to6, sizeof(to6)) < 0)
		die("sendto v6");
	printf("sent v4 and v6\n");
	if (!fgets(line, sizeof(line), stdin))
		return 0;
	close(fd4);
	printf("closed v4\n");
	fgets(line, sizeof(line), stdin);
	return 0; /* fd6 open: the shim removes its stream at exit */
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 8 && !strcmp(argv[1], "stream"))
		return do_stream(argv + 2);
	if (argc == 5 && !strcmp(argv[1], "dual"))
		return do_dual(argv + 2);
	fprintf(stderr, "usage: shim-media stream ADDR PORT BITRATE FPS PKT SECONDS\n"
			"       shim-media dual ADDR4 ADDR6 PORT\n");
	return 2;
}
