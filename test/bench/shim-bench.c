// SPDX-License-Identifier: GPL-2.0
/*
 * shim-bench MODE THREADS CALLS [paired] — the program libqsockshim's benchmark runs with
 * LD_PRELOAD. It knows nothing of qsock: THREADS threads each send CALLS 1,400-byte UDP
 * datagrams to a sink socket in this process (bound on 127.0.0.1, never read, so the kernel
 * drops what overflows it without an ICMP error), with MODE "sendto" (unconnected) or
 * "write" (connected). Prints the mean CPU nanoseconds per call over all threads (each
 * thread's own CPU clock: time spent waiting for a CPU on a loaded machine is not counted,
 * the user and kernel work of the calls is).
 *
 * "paired": each thread sends CALLS through libc's own function (looked up in libc.so.6
 * itself, so a preloaded library is bypassed) and CALLS through the symbol the program would
 * call (the preloaded one), alternating call by call on the same socket, and prints the
 * median of each one's calls, in wall-clock ns: "LIBC_NS PRELOADED_NS". Both contenders thus see the same moments of the
 * machine a few milliseconds apart, which is what lets a shared 2-core machine resolve a
 * 1 % difference (separate processes, even interleaved, differ by tens of percent from one
 * run to the next there: test/bench/ratio.sh).
 *
 * The payload looks like an RTP packet carrying an H.264 slice without the marker, so a
 * matched socket's media rules are evaluated in full without matching.
 */
#include <arpa/inet.h>
#include <dlfcn.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>

#define PAYLOAD 1400

typedef ssize_t (*sendto_fn)(int, const void *, size_t, int, const struct sockaddr *, socklen_t);
typedef ssize_t (*write_fn)(int, const void *, size_t);

static struct sockaddr_in sink;
static int use_write, paired;
static long calls;
/* libc's own functions (paired mode's baseline) and the ones the program links to */
static sendto_fn libc_sendto;
static write_fn libc_write;

struct result {
	double libc_ns, preloaded_ns;
};

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void send_or_die(int fd, const uint8_t *buf, int through_libc)
{
	ssize_t r;

	if (through_libc)
		r = use_write ? libc_write(fd, buf, PAYLOAD) :
				libc_sendto(fd, buf, PAYLOAD, 0, (struct sockaddr *)&sink, sizeof(sink));
	else
		r = use_write ? write(fd, buf, PAYLOAD) :
				sendto(fd, buf, PAYLOAD, 0, (struct sockaddr *)&sink, sizeof(sink));
	if (r != PAYLOAD) {
		perror("shim-bench: send");
		exit(1);
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, long n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static double mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/*
 * CALLS through each, alternating call by call (A B B A ...), each call timed on its own
 * (CLOCK_MONOTONIC, read in user space by the vDSO); each contender's figure is the median
 * of its calls. A call that a context switch, an interrupt or a neighbour's burst hit is an
 * outlier the median ignores, and both contenders meet the machine in the same state, a
 * few microseconds apart. (Batches of 200 calls timed by CPU clock still spread 3-5 % from
 * round to round at load 5-7.)
 */
static void run_paired(int fd, const uint8_t *buf, struct result *res)
{
	double *per[2] = { calloc((size_t)calls, sizeof(double)),
			   calloc((size_t)calls, sizeof(double)) };
	long i;

	if (!per[0] || !per[1]) {
		perror("shim-bench: calloc");
		exit(1);
	}
	for (i = 0; i < calls; i++) {
		for (int k = 0; k < 2; k++) {
			int turn = (k == 0) == !(i & 1); /* 1: libc */
			double t0 = mono_ns();

			send_or_die(fd, buf, turn);
			per[turn][i] = mono_ns() - t0;
		}
	}
	res->libc_ns = median(per[1], calls);
	res->preloaded_ns = median(per[0], calls);
	free(per[0]);
	free(per[1]);
}

static void *run(void *out)
{
	struct result *res = out;
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
	if (paired) {
		run_paired(fd, buf, res);
	} else {
		t0 = now_ns();
		for (i = 0; i < calls; i++)
			send_or_die(fd, buf, 0);
		res->preloaded_ns = (now_ns() - t0) / (double)calls;
	}
	close(fd);
	return NULL;
}

int main(int argc, char **argv)
{
	int threads, i, sfd, small = 4096;
	socklen_t len = sizeof(sink);
	struct result res[64];
	double sum = 0, sum_libc = 0;
	pthread_t th[64];
	void *libc;

	if ((argc != 4 && argc != 5) || (strcmp(argv[1], "sendto") && strcmp(argv[1], "write")) ||
	    (argc == 5 && strcmp(argv[4], "paired"))) {
		fprintf(stderr, "usage: shim-bench sendto|write THREADS CALLS [paired]\n");
		return 2;
	}
	use_write = !strcmp(argv[1], "write");
	paired = argc == 5;
	/* RTLD_NOLOAD: the libc already mapped; dlsym on its handle skips any preload */
	libc = dlopen("libc.so.6", RTLD_NOW | RTLD_NOLOAD);
	libc_sendto = libc ? (sendto_fn)dlsym(libc, "sendto") : NULL;
	libc_write = libc ? (write_fn)dlsym(libc, "write") : NULL;
	if (paired && (!libc_sendto || !libc_write)) {
		fprintf(stderr, "shim-bench: libc.so.6's sendto/write: %s\n", dlerror());
		return 1;
	}
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
		if (pthread_create(&th[i], NULL, run, &res[i])) {
			fprintf(stderr, "shim-bench: pthread_create failed\n");
			return 1;
		}
	for (i = 0; i < threads; i++) {
		pthread_join(th[i], NULL);
		sum += res[i].preloaded_ns;
		sum_libc += res[i].libc_ns;
	}
	if (paired)
		printf("%.1f %.1f\n", sum_libc / threads, sum / threads);
	else
		printf("%.1f\n", sum / threads);
	return 0;
}
