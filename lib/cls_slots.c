// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * cls_slots.c — send slots (classifier.h, lib/bpf/qsock_cls.h): the manager creates a
 * socket's one-page map and enters it in the classifier's slots map; the map's fd goes to the
 * stream's owner (in-process as it is, from qsockd with the attach reply, SCM_RIGHTS), who
 * maps it; the manager removes the entry with the stream.
 *
 * Why an fd and no pin: a pin needs a directory the owner can reach and unlink from, i.e. one
 * every user may write (01777, as an earlier library had it), and any user could then pre-create the pins of the
 * next, predictable socket cookies to deny others their slot, or pin objects without bound
 * (docs/security.md, "Send slots"). An fd reaches exactly the process that asked, and the map
 * lives as long as its mapping and the slots map entry hold it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "bpf/qsock_cls.h"
#include "classifier.h"
#include "cls_pins.h"
#include "errors.h"
#include "sys.h"

int qsock_cls_slot_create(const struct qsock_cls_maps *m, uint64_t cookie, int *slot_fd,
			  struct qsock_err *err)
{
	LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = BPF_F_MMAPABLE);
	int fd;

	*slot_fd = -1;
	if (m->slots < 0)
		return 0;
	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "qsock_slot", sizeof(uint32_t),
			    sizeof(struct qsock_cls_slot), 1, &o);
	if (fd < 0)
		return qsock_errf(err, -errno, "creating the send slot of socket %llu: %s",
				  (unsigned long long)cookie, strerror(errno));
	if (bpf_map_update_elem(m->slots, &cookie, &fd, BPF_ANY)) {
		int rc = qsock_errf(err, -errno, "entering the send slot of socket %llu: %s",
				    (unsigned long long)cookie, strerror(errno));

		qsock_sys.close(fd);
		return rc;
	}
	*slot_fd = fd;
	return 0;
}

void qsock_cls_slot_remove(const struct qsock_cls_maps *m, uint64_t cookie)
{
	if (m->slots >= 0)
		bpf_map_delete_elem(m->slots, &cookie);
}

int qsock_cls_slot_map(int slot_fd, struct qsock_cls_slot **slot, struct qsock_err *err)
{
	struct bpf_map_info info = { 0 };
	uint32_t len = sizeof(info);
	void *mem;

	*slot = NULL;
	/* From qsockd the fd is whatever arrived with the reply: only a slot map is mapped. */
	if (bpf_obj_get_info_by_fd(slot_fd, &info, &len))
		return qsock_errf(err, -errno, "the send slot (fd %d) is not a BPF map: %s",
				  slot_fd, strerror(errno));
	if (info.type != BPF_MAP_TYPE_ARRAY || info.max_entries != 1 ||
	    info.value_size != sizeof(struct qsock_cls_slot) ||
	    !(info.map_flags & BPF_F_MMAPABLE))
		return qsock_errf(err, -EPROTO, "the send slot (fd %d) is not a send slot map "
				  "(type %u, %u entries of %u bytes)", slot_fd, info.type,
				  info.max_entries, info.value_size);
	mem = mmap(NULL, QSOCK_CLS_SLOT_MAP_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, slot_fd, 0);
	if (mem == MAP_FAILED)
		return qsock_errf(err, -errno, "mapping the send slot: %s", strerror(errno));
	*slot = mem;
	return 0;
}

void qsock_cls_slot_unmap(struct qsock_cls_slot *slot)
{
	if (slot)
		munmap(slot, QSOCK_CLS_SLOT_MAP_SIZE);
}
