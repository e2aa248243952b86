// SPDX-License-Identifier: GPL-2.0
/*
 * A kernel-less backend for qsockd (daemon/backend.h): streams live in this process's memory.
 * Linked into build/test/unit/qsockd-fake, the real daemon with everything but the manager,
 * so the host suite can test framing, policy, ownership, liveness and robustness on any
 * kernel. Device "nodev" does not exist; everything else does.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include "../../daemon/backend.h"

#define FAKE_MAX 4096

static struct qsockd_stream fake[FAKE_MAX];
static unsigned int n_fake, next_minor = 1;

static int fake_find(uint64_t cookie)
{
	for (unsigned int i = 0; i < n_fake; i++)
		if (fake[i].cookie == cookie)
			return (int)i;
	return -1;
}

static uint64_t cookie_of(int fd)
{
	uint64_t c = 0;
	socklen_t len = sizeof(c);

	getsockopt(fd, SOL_SOCKET, SO_COOKIE, &c, &len);
	return c;
}

static int fake_init_root(const struct qsockd_params *p, char *msg, size_t msglen)
{
	if (!strcmp(p->dev, "nodev")) {
		snprintf(msg, msglen, "device %s: no such device", p->dev);
		return -ENODEV;
	}
	return 0;
}

static int fake_fini_root(const char *dev, char *msg, size_t msglen)
{
	return fake_init_root(&(struct qsockd_params){ .dev = "x" }, msg, msglen) ?: 0;
}

/* A "dwcs" stream gets a send slot: a memfd stands for the map (qsockd only passes it on;
 * libqsock refuses to map anything but a slot map). */
static int fake_attach(int fd, const struct qsockd_params *p, const struct qd_owner *o,
		       struct qsockd_stream *out, int *slot_fd, char *msg, size_t msglen)
{
	struct qsockd_stream *s;

	*slot_fd = -1;
	if (!strcmp(p->dev, "nodev")) {
		snprintf(msg, msglen, "device %s: no such device", p->dev);
		return -ENODEV;
	}
	if (n_fake == FAKE_MAX) {
		snprintf(msg, msglen, "fake backend full");
		return -ENOSPC;
	}
	s = &fake[n_fake++];
	memset(s, 0, sizeof(*s));
	s->cookie = cookie_of(fd);
	s->classid = 0x10000 | next_minor++;
	s->params = *p;
	s->owner_uid = o->uid;
	s->owner_pid = o->pid;
	*out = *s;
	if (!strcmp(p->sched, "dwcs"))
		*slot_fd = memfd_create("fake-send-slot", MFD_CLOEXEC);
	return 0;
}

/* The joined stream's class, this socket's identity: as the manager records a shared class. */
static int fake_join(int fd, uint64_t member, const char *dev, const struct qd_owner *o,
		     struct qsockd_stream *out, int *slot_fd, char *msg, size_t msglen)
{
	int m = fake_find(member);
	struct qsockd_stream *s;

	*slot_fd = -1;
	if (m < 0 || strcmp(fake[m].params.dev, dev)) {
		snprintf(msg, msglen, "no stream %llu on %s", (unsigned long long)member, dev);
		return -ENOENT;
	}
	if (n_fake == FAKE_MAX) {
		snprintf(msg, msglen, "fake backend full");
		return -ENOSPC;
	}
	s = &fake[n_fake++];
	*s = fake[m];
	s->cookie = cookie_of(fd);
	s->owner_uid = o->uid;
	s->owner_pid = o->pid;
	*out = *s;
	if (!strcmp(s->params.sched, "dwcs"))
		*slot_fd = memfd_create("fake-send-slot", MFD_CLOEXEC);
	return 0;
}

static int fake_change(int fd, const struct qsockd_params *p, struct qsockd_stream *out,
		       char *msg, size_t msglen)
{
	int i = fake_find(cookie_of(fd));

	if (i < 0) {
		snprintf(msg, msglen, "no stream for this socket");
		return -ENOENT;
	}
	fake[i].params = *p;
	*out = fake[i];
	return 0;
}

static int fake_detach(int fd, const char *dev, char *msg, size_t msglen)
{
	int i = fake_find(cookie_of(fd));

	if (i < 0) {
		snprintf(msg, msglen, "no stream for this socket");
		return -ENOENT;
	}
	fake[i] = fake[--n_fake];
	return 0;
}

static int fake_stats(const struct qsockd_stream *st, struct qsockd_stats *out, char *msg,
		      size_t msglen)
{
	int i = fake_find(st->cookie);

	if (i < 0) {
		snprintf(msg, msglen, "no stream %llu", (unsigned long long)st->cookie);
		return -ENOENT;
	}
	memset(out, 0, sizeof(*out));
	out->cur_y = st->params.old;
	return 0;
}

static int fake_device(const char *dev, struct qsockd_device *out, char *msg, size_t msglen)
{
	memset(out, 0, sizeof(*out));
	snprintf(out->dev, sizeof(out->dev), "%s", dev);
	snprintf(out->sched, sizeof(out->sched), "htb");
	snprintf(out->root_kind, sizeof(out->root_kind), "htb");
	for (unsigned int i = 0; i < n_fake; i++)
		out->streams += !strcmp(fake[i].params.dev, dev);
	out->classifier = 1;
	return 0;
}

static int fake_walk(int (*fn)(const struct qsockd_stream *st, uint64_t inode, void *arg),
		     void *arg, char *msg, size_t msglen)
{
	for (unsigned int i = 0; i < n_fake; i++) {
		int err = fn(&fake[i], 0, arg);

		if (err)
			return err;
	}
	return 0;
}

static const struct qd_backend fake_backend = {
	.name = "fake (test: no kernel objects)",
	.init_root = fake_init_root,
	.fini_root = fake_fini_root,
	.attach = fake_attach,
	.join = fake_join,
	.change = fake_change,
	.detach = fake_detach,
	.stats = fake_stats,
	.device = fake_device,
	.walk = fake_walk,
};

const struct qd_backend *qd_backend = &fake_backend;
