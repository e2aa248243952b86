/* SPDX-License-Identifier: GPL-2.0 */
/*
 * paper-example.h — the scaffolding around the paper's code examples (paper-*.c): what the
 * excerpts take for granted (main, variables they use, a receiver address), and nothing the
 * excerpts themselves contain. The excerpts are kept as printed, with `#include <qsock.h>`
 * added and "eth0" replaced by EXAMPLE_DEV (the test device, from $QSOCK_EXAMPLE_DEV).
 */
#ifndef PAPER_EXAMPLE_H
#define PAPER_EXAMPLE_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define EXAMPLE_DEV example_dev()

static inline const char *example_dev(void)
{
	const char *d = getenv("QSOCK_EXAMPLE_DEV");

	return d && *d ? d : "eth0";
}

/*
 * Fill the stack below the caller with garbage, so the excerpt's structs, which it leaves
 * partly uninitialised, really hold garbage in their unnamed fields (as they would in a
 * program that did work before).
 */
static void __attribute__((noinline)) scribble_stack(void)
{
	volatile unsigned char junk[8192];

	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (unsigned char)(0xa5 ^ i);
}

/* The receiver the examples send to: $QSOCK_EXAMPLE_PEER (IPv4), port 9 (discard). */
static inline struct sockaddr_in example_peer(void)
{
	const char *ip = getenv("QSOCK_EXAMPLE_PEER");
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(9) };

	inet_pton(AF_INET, ip && *ip ? ip : "127.0.0.1", &sa.sin_addr);
	return sa;
}

#endif /* PAPER_EXAMPLE_H */
