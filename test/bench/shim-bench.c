// SPDX-License-Identifier: GPL-2.0
/*
 * shim-bench MODE THREADS CALLS — the program libqsockshim's benchmark runs with and without
 * LD_PRELOAD. It knows nothing of qsock: THREADS threads each send CALLS 1,400-byte UDP
 * datagrams to a sink socket in this process (bound on 127.0.0.1, never read, so the kernel
 * drops what overflows it without an ICMP error), with MODE "sendto" (unconnected) or
 * "write" (connected). Prints the mean CPU nanoseconds per call over all threads (each
 * thread's own CPU clock: time spent waiting for a CPU on a loaded machine is not counted,
 * the user and kernel work of the calls is).
 *
 * The payload looks like an RTP packet carrying an H.264 slice without the marker, so a
 * matched socket's media rules are evaluated in full without matching.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>

#define PAYLOAD 1400

static struct sockaddr_in sink;
static int use_write;
static long calls;

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void *run(void *out)
{
	uint8_t buf[PAYLOAD];
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	double t0;
	long i;

	memset(buf, 0x5a, sizeof(buf));
	buf[0] = 0x80;
	buf[1] = 96;
	buf[12] = 0x41;
	if (fd < 0 || (use_write && connect(fd, (struct sockaddr *)&sink, sizeof(sink)))) {
		perror("shim-bench: socket");
		exit(1);
	}
	t0 = now_ns();
	for (i = 0; i < calls; i++) {
		ssize_t r = use_write ? write(fd, buf, sizeof(buf)) :
					sendto(fd, buf, sizeof(buf), 0, (struct sockaddr *)&sink,
					       sizeof(sink));

		if (r != sizeof(buf)) {
			perror("shim-bench: send");
			exit(1);
		}
	}
	*(double *)out = (now_ns() - t0) / (double)calls;
	close(fd);
	return NULL;
}

int main(int argc, char **argv)
{
	int threads, i, sfd, small = 4096;
	socklen_t len = sizeof(sink);
	double ns[64], sum = 0;
	pthread_t th[64];

	if (argc != 4 || (strcmp(argv[1], "sendto") && strcmp(argv[1], "write"))) {
		fprintf(stderr, "usage: shim-bench sendto|write THREADS CALLS\n");
		return 2;
	}
	use_write = !strcmp(argv[1], "write");
	threads = atoi(argv[2]);
	calls = atol(argv[3]);
	if (threads < 1 || threads > 64 || calls < 1)
		return 2;
	sfd = socket(AF_INET, SOCK_DGRAM, 0);
	sink.sin_family = AF_INET;
	sink.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(sfd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
	if (sfd < 0 || bind(sfd, (struct sockaddr *)&sink, sizeof(sink)) ||
	    getsockname(sfd, (struct sockaddr *)&sink, &len)) {
		perror("shim-bench: sink");
		return 1;
	}
	for (i = 0; i < threads; i++)
		pthread_create(&th[i], NULL, run, &ns[i]);
	for (i = 0; i < threads; i++) {
		pthread_join(th[i], NULL);
		sum += ns[i];
	}
	printf("%.1f\n", sum / threads);
	return 0;
}
