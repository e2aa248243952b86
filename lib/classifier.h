/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * classifier.h — the socket classifier's kernel objects: the cls_bpf program on the qsock root
 * and its maps pinned under /sys/fs/bpf/qsock/<dev>/ (lib/bpf/qsock_cls.h has the layout).
 */
#ifndef QSOCK_CLASSIFIER_H
#define QSOCK_CLASSIFIER_H

#include <stdint.h>

#include "manager.h"
#include "netlink.h"

/* The pinned maps of one device, opened. */
/* QSOCK_PIN_ROOT + "/" + a device name + "@ns" + a 20-digit inode fits easily */
#define QSOCK_CLS_DIR_MAX 128

struct qsock_cls_maps {
	int streams;	/* -1 when not open */
	int flags;
	int conf;
	int slots;	/* -1 also when the root predates send slots */
	char dir[QSOCK_CLS_DIR_MAX];	/* the pin directory */
};

struct qsock_cls_slot;

/* What a send slot's mapping spans: an array map's values start on its first page. */
#define QSOCK_CLS_SLOT_MAP_SIZE 4096

/* Load the program, pin its maps for @dev and attach it to the root @handle of @ifindex;
 * @markmask: the root's flags field in skb->mark. */
int qsock_cls_install(struct qsock_nl *nl, const char *dev, int ifindex, uint32_t handle,
		      const char *sched, uint32_t markmask, struct qsock_err *err);
/* Unpin @dev's maps (the filter goes with the root qdisc). Missing pins are not an error. */
/* The directory qsock pins in: QSOCK_PIN_ROOT, or the same directory through pid 1's root
 * when this process's /sys hides it (ip netns exec; cls_pins.c says why). */
const char *qsock_cls_pin_root(void);
/* Mount bpffs at /sys/fs/bpf unless it is there or qsock_cls_pin_root() reaches pid 1's. */
int qsock_cls_ensure_bpffs(struct qsock_err *err);
int qsock_cls_uninstall(const char *dev, struct qsock_err *err);
/* Open @dev's pinned maps: -ENOENT when @dev has no qsock root. */
int qsock_cls_open(const char *dev, struct qsock_cls_maps *m, struct qsock_err *err);
void qsock_cls_close(struct qsock_cls_maps *m);
/* Open only @dev's flags map, as an unprivileged sender may (the send-path carrier). */
int qsock_cls_open_flags(const char *dev, int *fd, struct qsock_err *err);
/*
 * Send slots (lib/bpf/qsock_cls.h). The manager gives the socket @cookie one and hands its map
 * fd to the caller in @slot_fd (-1, and 0, when the root has no slots map), who passes it to
 * the stream's owner and closes it; it removes the entry with the stream. The owner maps the
 * fd it got: qsock_cls_slot_map checks that it is a slot map. 0 or -errno with a message.
 */
int qsock_cls_slot_create(const struct qsock_cls_maps *m, uint64_t cookie, int *slot_fd,
			  struct qsock_err *err);
void qsock_cls_slot_remove(const struct qsock_cls_maps *m, uint64_t cookie);
int qsock_cls_slot_map(int slot_fd, struct qsock_cls_slot **slot, struct qsock_err *err);
void qsock_cls_slot_unmap(struct qsock_cls_slot *slot);
/*
 * The root qdisc's mask of the flags field in skb->mark lives in one place, the classifier's
 * conf (which the classifier itself applies): the manager writes what the qdisc reports
 * (qsock_cls_sync_markmask, at install and at each attach, a no-op when unchanged) and every
 * sender reads it from there when it arms its carrier (qsock_cls_markmask, lib/carrier.c).
 */
int qsock_cls_sync_markmask(const struct qsock_cls_maps *m, uint32_t markmask,
			    struct qsock_err *err);
int qsock_cls_markmask(const char *dev, uint32_t *markmask, struct qsock_err *err);
/* The scheduler name and root handle recorded at install. */
int qsock_cls_read_conf(const struct qsock_cls_maps *m, char sched[IFNAMSIZ], uint32_t *handle,
			struct qsock_err *err);
/* The names of the devices with pinned qsock maps, one after another in @buf ("a\0b\0\0"). */
int qsock_cls_devices(char *buf, size_t size, struct qsock_err *err);
/*
 * Remove the pin directories (of any network namespace) whose classifier is gone: no loaded
 * BPF program uses their streams map any more, because its filter went with its root qdisc,
 * its device or its whole network namespace. The filter is the reference we keep, and it
 * holds nothing alive: a namespace's inode can be reused by a new one, a filter cannot come
 * back. Maps are pinned only while their program is loaded, so a map seen pinned before the
 * scan and used by no program during it is dead. Listing programs needs CAP_SYS_ADMIN:
 * without it nothing is removed (-EPERM). *@removed (may be NULL) gets the count.
 */
int qsock_cls_sweep_dead(unsigned int *removed, struct qsock_err *err);

#endif /* QSOCK_CLASSIFIER_H */
