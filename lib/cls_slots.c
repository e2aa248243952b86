// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * cls_slots.c — send slots (classifier.h, lib/bpf/qsock_cls.h): the manager creates a
 * socket's one-page map, pins it for the stream's owner and enters it in the classifier's
 * slots map; the owner maps it and unlinks the pin; the manager removes it with the stream.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "bpf/qsock_cls.h"
#include "classifier.h"
#include "cls_pins.h"
#include "errors.h"
#include "sys.h"

static void slot_path(const char *dir, uint64_t cookie, char *path, size_t size)
{
	snprintf(path, size, "%s/%s/%llu", dir, QSOCK_PIN_SLOT_DIR, (unsigned long long)cookie);
}

int qsock_cls_slot_create(const struct qsock_cls_maps *m, uint64_t cookie, uint32_t uid,
			  struct qsock_err *err)
{
	LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = BPF_F_MMAPABLE);
	char path[PATH_MAX];
	int fd, rc = 0;

	if (m->slots < 0)
		return 0;
	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "qsock_slot", sizeof(uint32_t),
			    sizeof(struct qsock_cls_slot), 1, &o);
	if (fd < 0)
		return qsock_errf(err, -errno, "creating the send slot of socket %llu: %s",
				  (unsigned long long)cookie, strerror(errno));
	slot_path(m->dir, cookie, path, sizeof(path));
	unlink(path); /* a socket cookie is never reused: only a leftover of a crash */
	if (bpf_obj_pin(fd, path))
		rc = qsock_errf(err, -errno, "pinning %s: %s", path, strerror(errno));
	else if (chown(path, uid, (gid_t)-1) || chmod(path, 0600))
		rc = qsock_errf(err, -errno, "giving %s to uid %u: %s", path, uid, strerror(errno));
	else if (bpf_map_update_elem(m->slots, &cookie, &fd, BPF_ANY))
		rc = qsock_errf(err, -errno, "entering the send slot of socket %llu: %s",
				(unsigned long long)cookie, strerror(errno));
	if (rc)
		unlink(path);
	qsock_sys.close(fd);
	return rc;
}

void qsock_cls_slot_remove(const struct qsock_cls_maps *m, uint64_t cookie)
{
	char path[PATH_MAX];

	if (m->slots < 0)
		return;
	bpf_map_delete_elem(m->slots, &cookie);
	slot_path(m->dir, cookie, path, sizeof(path));
	unlink(path);
}

int qsock_cls_slot_map(const char *dev, uint64_t cookie, struct qsock_cls_slot **slot,
		       struct qsock_err *err)
{
	char dir[DIR_MAX], path[PATH_MAX];
	int fd, rc;
	void *mem;

	*slot = NULL;
	rc = qsock_cls_sender_dir(dev, dir, err);
	if (rc)
		return rc;
	slot_path(dir, cookie, path, sizeof(path));
	fd = bpf_obj_get(path);
	if (fd < 0)
		return qsock_errf(err, -errno, "opening %s: %s", path, strerror(errno));
	mem = mmap(NULL, QSOCK_CLS_SLOT_MAP_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	rc = mem == MAP_FAILED ? -errno : 0;
	qsock_sys.close(fd);
	if (rc)
		return qsock_errf(err, rc, "mapping %s: %s", path, strerror(-rc));
	/* Mapped: the map lives on in this mapping and in the classifier's slots map, and
	 * without its pin nobody else can open it. (A root of an earlier version has no
	 * sticky directory: the pin then stays, still 0600.) */
	unlink(path);
	*slot = mem;
	return 0;
}

void qsock_cls_slot_unmap(struct qsock_cls_slot *slot)
{
	if (slot)
		munmap(slot, QSOCK_CLS_SLOT_MAP_SIZE);
}
