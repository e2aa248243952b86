// SPDX-License-Identifier: GPL-2.0
/*
 * shim-hard — an ordinary program (it knows nothing of qsock) that exercises the socket
 * calls libqsockshim interposes, in the ways that break interposers. Every mode prints
 * deterministic lines on stdout, so a test can run it with and without LD_PRELOAD and
 * compare the output byte for byte.
 *
 *   recv ADDR PORT COUNT MS        print one line per datagram: length, TTL, TOS, 2 bytes
 *   capture ADDR PORT MS FILE      until MS without a datagram (15 s for the first, so that
 *                                  a slow sender may start): write their bytes to FILE in
 *                                  arrival order, print "len=N ttl=T ts=X" per datagram
 *                                  (X: bytes 4-7, an RTP packet's timestamp)
 *   rtp ADDR PORT N                N RTP packets with sendto (IDR first, marker every 3rd)
 *   mmsg ADDR PORT N               the same N packets in one sendmmsg
 *   writev ADDR PORT N             the same N packets with writev on a connected socket
 *   cmsg ADDR PORT                 sendmsg of one RTP marker packet with its own IP_TOS cmsg
 *   settos ADDR PORT TOS           one datagram, then setsockopt(IP_TOS, TOS) and another;
 *                                  prints the IP_TOS getsockopt reads back; TOS "bad":
 *                                  an unreadable pointer (libc says -1 EFAULT)
 *   threads ADDR PORT T N          T threads, N sendto each, on one shared socket
 *   errno ADDR PORT                connected UDP to a closed port: ECONNREFUSED comes through
 *   eagain                         non-blocking TCP into a full peer: EAGAIN comes through
 *   full ADDR PORT N CALL          N datagrams from a non-blocking socket with the smallest
 *                                  send buffer, with CALL (sendto, send, sendmsg, write, or
 *                                  mmsg: sendmmsg by 8); a send failing with EAGAIN waits for
 *                                  room and is retried; datagram i carries i in bytes 2-3
 *   dup2 ADDR PORT                 dup2 /dev/null over a socket, then write to it
 *   reuse ADDR PORT FILE           a socket closed inside libc (fclose), its number reused
 *                                  by a file: writes go to the file
 *   sendfile FILE                  sendfile() and splice() on a (matched) TCP socket: the bytes
 *                                  arrive unchanged
 *   manyfds ADDR PORT N            N sockets open at once, one datagram from each
 *   forkexec ADDR PORT             fork, exec self with an empty environment, send from the
 *                                  child on the inherited socket
 *   badptr ADDR PORT               every send call with bad pointers (msghdr, iovecs,
 *                                  buffers, destination, control data, mmsg vectors): libc
 *                                  says -1 EFAULT; first on a fresh socket, then on one
 *                                  that has sent (matched, under the shim)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>

#define PKT 200

static struct sockaddr_in dest;

static void die(const char *what)
{
	printf("error: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void set_dest(const char *addr, const char *port)
{
	dest.sin_family = AF_INET;
	dest.sin_port = htons((uint16_t)atoi(port));
	if (inet_pton(AF_INET, addr, &dest.sin_addr) != 1) {
		printf("error: bad address %s\n", addr);
		exit(2);
	}
}

static int udp(void)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	if (fd < 0)
		die("socket");
	return fd;
}

/* RTP packet I of a little stream: packet 0 carries an IDR NAL, every 3rd has the marker. */
static size_t rtp_packet(uint8_t *b, unsigned int i)
{
	memset(b, 0x5a, PKT);
	b[0] = 0x80;
	b[1] = (uint8_t)(((i % 3) == 2 ? 0x80 : 0) | 96);
	b[2] = (uint8_t)(i >> 8);
	b[3] = (uint8_t)i;
	b[12] = i == 0 ? 0x65 : 0x41;
	return PKT;
}

static int do_recv(char **a)
{
	int fd = udp(), on = 1, count = atoi(a[2]), ms = atoi(a[3]), got = 0;
	struct sockaddr_in me = dest;

	setsockopt(fd, IPPROTO_IP, IP_RECVTTL, &on, sizeof(on));
	setsockopt(fd, IPPROTO_IP, IP_RECVTOS, &on, sizeof(on));
	if (bind(fd, (struct sockaddr *)&me, sizeof(me)))
		die("bind");
	printf("ready\n");
	fflush(stdout);
	while (got < count) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		uint8_t buf[2048], ctl[256];
		struct iovec iov = { buf, sizeof(buf) };
		struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
				    .msg_controllen = sizeof(ctl) };
		struct cmsghdr *c;
		int ttl = -1, tos = -1;
		ssize_t n;

		if (poll(&p, 1, ms) <= 0)
			break;
		n = recvmsg(fd, &m, 0);
		if (n < 0)
			die("recvmsg");
		for (c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
			if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL)
				memcpy(&ttl, CMSG_DATA(c), sizeof(int));
			if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TOS)
				tos = *(uint8_t *)CMSG_DATA(c);
		}
		/* seq: bytes 2-3, where `full` numbers its datagrams (the arrival order over lo
		 * is not the send order: loopback's per-CPU backlogs may swap neighbours) */
		printf("len=%zd ttl=%d tos=%d head=%02x%02x seq=%u\n", n, ttl, tos, buf[0], buf[1],
		       n >= 4 ? (unsigned int)(buf[2] << 8 | buf[3]) : 0U);
		got++;
	}
	printf("received %d\n", got);
	return 0;
}

static int do_capture(char **a)
{
	int fd = udp(), on = 1, ms = atoi(a[2]), got = 0, rcvbuf = 4 << 20;
	struct sockaddr_in me = dest;
	FILE *out = fopen(a[3], "w");

	if (!out)
		die("fopen");
	setsockopt(fd, IPPROTO_IP, IP_RECVTTL, &on, sizeof(on));
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (bind(fd, (struct sockaddr *)&me, sizeof(me)))
		die("bind");
	printf("ready\n");
	fflush(stdout);
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		uint8_t buf[65536], ctl[256];
		struct iovec iov = { buf, sizeof(buf) };
		struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
				    .msg_controllen = sizeof(ctl) };
		struct cmsghdr *c;
		int ttl = -1;
		ssize_t n;

		if (poll(&p, 1, got ? ms : 15000) <= 0)
			break;
		n = recvmsg(fd, &m, 0);
		if (n < 0)
			die("recvmsg");
		for (c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c))
			if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL)
				memcpy(&ttl, CMSG_DATA(c), sizeof(int));
		if (fwrite(buf, 1, (size_t)n, out) != (size_t)n)
			die("fwrite");
		printf("len=%zd ttl=%d ts=%u\n", n, ttl,
		       n >= 8 ? (unsigned int)buf[4] << 24 | buf[5] << 16 | buf[6] << 8 | buf[7] : 0U);
		got++;
	}
	if (fclose(out))
		die("fclose");
	printf("received %d\n", got);
	return 0;
}

static int do_rtp(char **a)
{
	int fd = udp(), n = atoi(a[2]), i;
	uint8_t b[PKT];

	for (i = 0; i < n; i++) {
		ssize_t r = sendto(fd, b, rtp_packet(b, (unsigned int)i), 0, (struct sockaddr *)&dest,
				   sizeof(dest));

		printf("sendto %d = %zd\n", i, r);
	}
	return 0;
}

static int do_mmsg(char **a)
{
	unsigned int n = (unsigned int)atoi(a[2]), i;
	int fd = udp(), r;
	struct mmsghdr *v = calloc(n, sizeof(*v));
	struct iovec *iov = calloc(n, sizeof(*iov));
	uint8_t (*b)[PKT] = calloc(n, PKT);

	if (!v || !iov || !b)
		die("calloc");
	for (i = 0; i < n; i++) {
		iov[i].iov_base = b[i];
		iov[i].iov_len = rtp_packet(b[i], i);
		v[i].msg_hdr.msg_iov = &iov[i];
		v[i].msg_hdr.msg_iovlen = 1;
		v[i].msg_hdr.msg_name = &dest;
		v[i].msg_hdr.msg_namelen = sizeof(dest);
	}
	r = sendmmsg(fd, v, n, 0);
	printf("sendmmsg = %d\n", r);
	for (i = 0; i < n; i++)
		printf("msg_len[%u] = %u\n", i, v[i].msg_len);
	return 0;
}

static int do_writev(char **a)
{
	int fd = udp(), n = atoi(a[2]), i;
	uint8_t b[PKT];

	if (connect(fd, (struct sockaddr *)&dest, sizeof(dest)))
		die("connect");
	for (i = 0; i < n; i++) {
		struct iovec iov[2] = { { b, 12 }, { b + 12, PKT - 12 } };

		rtp_packet(b, (unsigned int)i);
		printf("writev %d = %zd\n", i, writev(fd, iov, 2));
	}
	return 0;
}

static int do_cmsg(char **a)
{
	_Alignas(struct cmsghdr) char ctl[CMSG_SPACE(sizeof(int))];
	uint8_t b[PKT];
	struct iovec iov = { b, rtp_packet(b, 2) }; /* a marker packet */
	struct msghdr m = { .msg_name = &dest, .msg_namelen = sizeof(dest), .msg_iov = &iov,
			    .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof(ctl) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);
	int fd = udp(), tos = 0x10;

	c->cmsg_level = IPPROTO_IP;
	c->cmsg_type = IP_TOS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &tos, sizeof(tos));
	printf("sendmsg = %zd\n", sendmsg(fd, &m, 0));
	printf("controllen after = %zu\n", (size_t)m.msg_controllen);
	return 0;
}

static int do_settos(char **a)
{
	int fd = udp(), tos = (int)strtol(a[2], NULL, 0), got = -1;
	socklen_t len = sizeof(got);

	printf("sendto = %zd\n", sendto(fd, "t1", 2, 0, (struct sockaddr *)&dest, sizeof(dest)));
	if (!strcmp(a[2], "bad")) {
		int r = setsockopt(fd, IPPROTO_IP, IP_TOS, (const void *)8, sizeof(tos));

		printf("setsockopt = %d errno=%d\n", r, r ? errno : 0);
	} else {
		printf("setsockopt = %d\n", setsockopt(fd, IPPROTO_IP, IP_TOS, &tos, sizeof(tos)));
	}
	getsockopt(fd, IPPROTO_IP, IP_TOS, &got, &len);
	printf("IP_TOS = %d\n", got);
	printf("sendto = %zd\n", sendto(fd, "t2", 2, 0, (struct sockaddr *)&dest, sizeof(dest)));
	return 0;
}

struct thread_arg {
	int fd, n;
	long failed;
};

static void *sender(void *p)
{
	struct thread_arg *t = p;
	uint8_t b[100];
	int i;

	memset(b, 0x11, sizeof(b));
	for (i = 0; i < t->n; i++)
		if (sendto(t->fd, b, sizeof(b), 0, (struct sockaddr *)&dest, sizeof(dest)) !=
		    sizeof(b))
			t->failed++;
	return NULL;
}

static int do_threads(char **a)
{
	int nt = atoi(a[2]), n = atoi(a[3]), fd = udp(), i;
	struct thread_arg t[64];
	pthread_t th[64];
	long failed = 0;

	if (nt < 1 || nt > 64)
		return 2;
	for (i = 0; i < nt; i++) {
		t[i] = (struct thread_arg){ .fd = fd, .n = n };
		if (pthread_create(&th[i], NULL, sender, &t[i]))
			die("pthread_create");
	}
	for (i = 0; i < nt; i++) {
		pthread_join(th[i], NULL);
		failed += t[i].failed;
	}
	printf("threads %d x %d sends: %ld failed\n", nt, n, failed);
	return failed ? 1 : 0;
}

static int do_errno(char **a)
{
	int fd = udp(), other = udp(), err;
	ssize_t r;

	if (connect(fd, (struct sockaddr *)&dest, sizeof(dest)))
		die("connect");
	r = send(fd, "x", 1, 0);
	printf("send 1 = %zd\n", r);
	usleep(100000); /* the ICMP port unreachable comes back */
	errno = 0;
	r = send(fd, "x", 1, 0);
	err = errno;
	printf("send 2 = %zd errno = %s\n", r, strerror(err));
	/* a successful call leaves the caller's errno alone */
	errno = 12345;
	r = sendto(other, "x", 1, 0, (struct sockaddr *)&dest, sizeof(dest));
	err = errno;
	printf("sendto 3 = %zd errno after = %d\n", r, err);
	errno = 12345;
	r = write(other, "x", 1); /* not connected: EDESTADDRREQ */
	err = errno;
	printf("write 4 = %zd errno = %s\n", r, strerror(err));
	return 0;
}

static int do_eagain(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int l = socket(AF_INET, SOCK_STREAM, 0), c = socket(AF_INET, SOCK_STREAM, 0), s, small = 4096;
	ssize_t r;
	int err;
	char buf[65536];
	long i;

	if (l < 0 || c < 0 || bind(l, (struct sockaddr *)&a, sizeof(a)) || listen(l, 1) ||
	    getsockname(l, (struct sockaddr *)&a, &len))
		die("listen");
	setsockopt(c, SOL_SOCKET, SO_SNDBUF, &small, sizeof(small));
	if (connect(c, (struct sockaddr *)&a, sizeof(a)))
		die("connect");
	s = accept(l, NULL, NULL);
	if (s < 0)
		die("accept");
	fcntl(c, F_SETFL, O_NONBLOCK);
	memset(buf, 'q', sizeof(buf));
	for (i = 0; i < 100000; i++)
		if (send(c, buf, sizeof(buf), 0) < 0)
			break;
	printf("send until full: %s\n", i < 100000 ? strerror(errno) : "never full");
	errno = 0;
	r = write(c, buf, sizeof(buf));
	err = errno;
	printf("write when full = %zd errno = %s\n", r, strerror(err));
	return 0;
}

static int do_full(char **a)
{
	int fd = udp(), n = atoi(a[2]), small = 1, i = 0, eagain = 0;
	const char *call = a[3];
	bool mmsg = !strcmp(call, "mmsg");
	uint8_t b[8][PKT];

	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &small, sizeof(small)); /* the kernel's minimum */
	if (connect(fd, (struct sockaddr *)&dest, sizeof(dest)))
		die("connect");
	fcntl(fd, F_SETFL, O_NONBLOCK);
	while (i < n) {
		struct iovec iov[8];
		struct mmsghdr v[8];
		struct msghdr m = { .msg_iov = iov, .msg_iovlen = 1 };
		struct pollfd p = { .fd = fd, .events = POLLOUT };
		int k = mmsg ? (n - i < 8 ? n - i : 8) : 1, j;
		ssize_t r;

		for (j = 0; j < k; j++) {
			memset(b[j], 0x5a, PKT);
			b[j][0] = 0;
			b[j][2] = (uint8_t)((i + j) >> 8);
			b[j][3] = (uint8_t)(i + j);
			iov[j] = (struct iovec){ b[j], PKT };
			memset(&v[j], 0, sizeof(v[j]));
			v[j].msg_hdr.msg_iov = &iov[j];
			v[j].msg_hdr.msg_iovlen = 1;
		}
		if (!strcmp(call, "sendto"))
			r = sendto(fd, b[0], PKT, 0, (struct sockaddr *)&dest, sizeof(dest));
		else if (!strcmp(call, "send"))
			r = send(fd, b[0], PKT, 0);
		else if (!strcmp(call, "sendmsg"))
			r = sendmsg(fd, &m, 0);
		else if (!strcmp(call, "write"))
			r = write(fd, b[0], PKT);
		else if (mmsg)
			r = sendmmsg(fd, v, (unsigned int)k, 0);
		else
			die("unknown call");
		if (r < 0) {
			if (errno != EAGAIN)
				die(call);
			eagain++;
			poll(&p, 1, 1000);
			continue;
		}
		i += mmsg ? (int)r : 1;
	}
	printf("sent %d eagain %d\n", n, eagain);
	return 0;
}

static int do_dup2(char **a)
{
	int fd = udp(), null = open("/dev/null", O_WRONLY), copy;
	uint8_t b[PKT];

	if (null < 0)
		die("open /dev/null");
	printf("sendto = %zd\n", sendto(fd, b, rtp_packet(b, 2), 0, (struct sockaddr *)&dest,
					 sizeof(dest)));
	/* a copy of the socket sends like the socket */
	copy = dup(fd);
	printf("sendto on dup = %zd\n", sendto(copy, b, rtp_packet(b, 2), 0,
					       (struct sockaddr *)&dest, sizeof(dest)));
	/* /dev/null over the socket's number: now it is a file */
	printf("dup2 = %d\n", dup2(null, fd) == fd);
	printf("write after dup2 = %zd\n", write(fd, b, 10));
	printf("writev after dup2 = %zd\n", writev(fd, &(struct iovec){ b, 7 }, 1));
	{
		ssize_t r = sendto(fd, b, 10, 0, (struct sockaddr *)&dest, sizeof(dest));
		int err = errno;

		printf("sendto after dup2 = %zd errno = %s\n", r, strerror(err));
	}
	/* and the socket over /dev/null's number, with fcntl */
	close(null);
	printf("F_DUPFD = %d\n", fcntl(copy, F_DUPFD, null) == null);
	printf("sendto on F_DUPFD copy = %zd\n", sendto(null, b, rtp_packet(b, 2), 0,
							(struct sockaddr *)&dest, sizeof(dest)));
	return 0;
}

static int do_reuse(char **a)
{
	int fd = udp(), again;
	uint8_t b[PKT];
	FILE *f;
	char got[64] = "";

	if (connect(fd, (struct sockaddr *)&dest, sizeof(dest)))
		die("connect");
	printf("write on socket = %zd\n", write(fd, b, rtp_packet(b, 2)));
	/* fclose closes the fd inside libc, where no interposer sees it */
	f = fdopen(fd, "w");
	if (!f)
		die("fdopen");
	fclose(f);
	again = open(a[2], O_RDWR | O_CREAT | O_TRUNC, 0600);
	printf("same number = %d\n", again == fd);
	printf("write on file = %zd\n", write(again, "file-bytes", 10));
	printf("writev on file = %zd\n", writev(again, &(struct iovec){ "+more", 5 }, 1));
	lseek(again, 0, SEEK_SET);
	printf("read back = %zd", read(again, got, sizeof(got) - 1));
	printf(" \"%s\"\n", got);
	close(again);
	unlink(a[2]);
	return 0;
}

/* A connected TCP pair on loopback: *c sends, *s receives. */
static void tcp_pair(int *c, int *s)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int l = socket(AF_INET, SOCK_STREAM, 0);

	*c = socket(AF_INET, SOCK_STREAM, 0);
	if (l < 0 || *c < 0 || bind(l, (struct sockaddr *)&a, sizeof(a)) || listen(l, 1) ||
	    getsockname(l, (struct sockaddr *)&a, &len) ||
	    connect(*c, (struct sockaddr *)&a, sizeof(a)))
		die("tcp pair");
	*s = accept(l, NULL, NULL);
	if (*s < 0)
		die("accept");
	close(l);
}

static int do_sendfile(const char *path)
{
	static char data[100000], got[2 * sizeof(data)];
	int c, s, f, p[2];
	size_t n = 0;
	ssize_t r;
	unsigned int i;

	for (i = 0; i < sizeof(data); i++)
		data[i] = (char)(i * 7 + i / 251);
	f = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (f < 0 || write(f, data, sizeof(data)) != (ssize_t)sizeof(data) || pipe(p))
		die("file");
	tcp_pair(&c, &s);
	printf("sendfile = %zd\n", sendfile(c, f, &(off_t){ 0 }, sizeof(data)));
	if (write(p[1], data, 1000) != 1000)
		die("pipe");
	printf("splice = %zd\n", splice(p[0], NULL, c, NULL, 1000, 0));
	close(c);
	while ((r = read(s, got + n, sizeof(got) - n)) > 0)
		n += (size_t)r;
	printf("received %zu bytes, identical = %d\n", n,
	       n == sizeof(data) + 1000 && !memcmp(got, data, sizeof(data)) &&
		       !memcmp(got + sizeof(data), data, 1000));
	unlink(path);
	return 0;
}

static int do_manyfds(char **a)
{
	int n = atoi(a[2]), i, ok = 0;

	for (i = 0; i < n; i++) {
		int fd = udp();

		if (sendto(fd, "y", 1, 0, (struct sockaddr *)&dest, sizeof(dest)) == 1)
			ok++;
	}
	printf("%d sockets open, %d datagrams sent\n", n, ok);
	return 0;
}

static void print_env(const char *who)
{
	const char *p = getenv("LD_PRELOAD"), *c = getenv("QSOCK_CONF");

	printf("%s: LD_PRELOAD has shim: %s, QSOCK_CONF set: %s\n", who,
	       p && strstr(p, "libqsockshim") ? "yes" : "no", c ? "yes" : "no");
}

static int do_forkexec(char **a, const char *self)
{
	int fd = udp(), status;
	uint8_t b[PKT];
	pid_t pid;

	printf("parent sendto = %zd\n", sendto(fd, b, rtp_packet(b, 0), 0, (struct sockaddr *)&dest,
					      sizeof(dest)));
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		char fdstr[16];
		char *argv[] = { "shim-hard", "sendfd", fdstr, a[0], a[1], NULL };
		char *envp[] = { "PATH=/usr/bin:/bin", NULL };

		snprintf(fdstr, sizeof(fdstr), "%d", fd);
		execve(self, argv, envp); /* an environment without LD_PRELOAD or QSOCK_CONF */
		_exit(127);
	}
	waitpid(pid, &status, 0);
	printf("child exit = %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	return 0;
}

/* Addresses no program can read: page 0, a kernel address, a non-canonical one. */
static void *const bad_ptrs[] = { (void *)16, (void *)0xffffffffff600000UL,
				  (void *)0x8000000000000000UL };

static void report(const char *what, int i, long r)
{
	printf("%s [%d] = %ld %s\n", what, i, r, r < 0 ? strerror(errno) : "");
}

static void bad_sends(int fd, const char *when)
{
	uint8_t b[PKT];
	size_t len = rtp_packet(b, 2);
	char what[64];

	for (int i = 0; i < 3; i++) {
		void *bad = bad_ptrs[i];
		struct iovec iov = { .iov_base = b, .iov_len = len }, bad_iov = { bad, len };
		struct msghdr m = { .msg_name = &dest, .msg_namelen = sizeof(dest), .msg_iov = &iov,
				    .msg_iovlen = 1 };
		struct mmsghdr mm[2] = { { .msg_hdr = m }, { .msg_hdr = m } };

		snprintf(what, sizeof(what), "%s sendmsg(bad msghdr)", when);
		report(what, i, sendmsg(fd, bad, 0));
		m.msg_iov = bad;
		snprintf(what, sizeof(what), "%s sendmsg(bad msg_iov)", when);
		report(what, i, sendmsg(fd, &m, 0));
		m.msg_iov = &bad_iov;
		snprintf(what, sizeof(what), "%s sendmsg(bad iov_base)", when);
		report(what, i, sendmsg(fd, &m, 0));
		m.msg_iov = &iov;
		m.msg_control = bad;
		m.msg_controllen = 64;
		snprintf(what, sizeof(what), "%s sendmsg(bad msg_control)", when);
		report(what, i, sendmsg(fd, &m, 0));
		m.msg_control = NULL;
		m.msg_controllen = 0;
		m.msg_name = bad;
		snprintf(what, sizeof(what), "%s sendmsg(bad msg_name)", when);
		report(what, i, sendmsg(fd, &m, 0));
		snprintf(what, sizeof(what), "%s sendto(bad buf)", when);
		report(what, i, sendto(fd, bad, len, 0, (struct sockaddr *)&dest, sizeof(dest)));
		snprintf(what, sizeof(what), "%s sendto(bad to)", when);
		report(what, i, sendto(fd, b, len, 0, bad, sizeof(dest)));
		snprintf(what, sizeof(what), "%s sendmmsg(bad vector)", when);
		report(what, i, sendmmsg(fd, bad, 2, 0));
		mm[0].msg_hdr.msg_iov = bad;
		snprintf(what, sizeof(what), "%s sendmmsg(bad first iov)", when);
		report(what, i, sendmmsg(fd, mm, 2, 0));
		mm[0].msg_hdr.msg_iov = &bad_iov;
		snprintf(what, sizeof(what), "%s sendmmsg(bad first iov_base)", when);
		report(what, i, sendmmsg(fd, mm, 2, 0));
	}
}

static int do_badptr(char **a)
{
	uint8_t b[PKT];
	int fresh = udp(), used = udp();

	(void)a;
	bad_sends(fresh, "fresh");
	/* a socket that has sent once, and a connected one for write/writev/send */
	printf("sendto = %zd\n", sendto(used, b, rtp_packet(b, 2), 0, (struct sockaddr *)&dest,
					sizeof(dest)));
	bad_sends(used, "used");
	if (connect(used, (struct sockaddr *)&dest, sizeof(dest)))
		die("connect");
	for (int i = 0; i < 3; i++) {
		struct iovec bad_iov = { bad_ptrs[i], 100 };

		report("send(bad buf)", i, send(used, bad_ptrs[i], 100, 0));
		report("write(bad buf)", i, write(used, bad_ptrs[i], 100));
		report("writev(bad iov)", i, writev(used, bad_ptrs[i], 2));
		report("writev(bad iov_base)", i, writev(used, &bad_iov, 1));
	}
	printf("still alive\n");
	return 0;
}

static int do_sendfd(char **a)
{
	int fd = atoi(a[0]);
	uint8_t b[PKT];

	set_dest(a[1], a[2]);
	print_env("child");
	printf("child sendto on inherited fd = %zd\n",
	       sendto(fd, b, rtp_packet(b, 2), 0, (struct sockaddr *)&dest, sizeof(dest)));
	return 0;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(mode, "eagain"))
		return do_eagain();
	if (!strcmp(mode, "sendfile") && argc == 3)
		return do_sendfile(argv[2]);
	if (!strcmp(mode, "sendfd") && argc == 5)
		return do_sendfd(argv + 2);
	if (argc < 4) {
		fprintf(stderr, "usage: shim-hard MODE ADDR PORT [ARGS...] (see the source)\n");
		return 2;
	}
	set_dest(argv[2], argv[3]);
	if (!strcmp(mode, "recv") && argc == 6)
		return do_recv(argv + 2);
	if (!strcmp(mode, "capture") && argc == 6)
		return do_capture(argv + 2);
	if (!strcmp(mode, "rtp") && argc == 5)
		return do_rtp(argv + 2);
	if (!strcmp(mode, "full") && argc == 6)
		return do_full(argv + 2);
	if (!strcmp(mode, "mmsg") && argc == 5)
		return do_mmsg(argv + 2);
	if (!strcmp(mode, "writev") && argc == 5)
		return do_writev(argv + 2);
	if (!strcmp(mode, "cmsg"))
		return do_cmsg(argv + 2);
	if (!strcmp(mode, "settos") && argc == 5)
		return do_settos(argv + 2);
	if (!strcmp(mode, "threads") && argc == 6)
		return do_threads(argv + 2);
	if (!strcmp(mode, "errno"))
		return do_errno(argv + 2);
	if (!strcmp(mode, "dup2"))
		return do_dup2(argv + 2);
	if (!strcmp(mode, "reuse") && argc == 5)
		return do_reuse(argv + 2);
	if (!strcmp(mode, "manyfds") && argc == 5)
		return do_manyfds(argv + 2);
	if (!strcmp(mode, "forkexec"))
		return do_forkexec(argv + 2, "/proc/self/exe");
	if (!strcmp(mode, "badptr"))
		return do_badptr(argv + 2);
	fprintf(stderr, "shim-hard: unknown mode or wrong arguments: %s\n", mode);
	return 2;
}
