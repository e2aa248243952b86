/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cls_pins.h — inside the classifier (classifier.c installs the program, cls_pins.c keeps the
 * pin directories, cls_slots.c the send slots, cls_sweep.c removes dead directories): the pin
 * directory helpers the four share. Not for the rest of libqsock (classifier.h is).
 */
#ifndef QSOCK_CLS_PINS_H
#define QSOCK_CLS_PINS_H

#include <stdint.h>
#include <sys/types.h>

#include "bpf/qsock_cls.h"
#include "classifier.h"

#define DIR_MAX QSOCK_CLS_DIR_MAX

/* The inode of the namespace file @path (/proc/self/ns/net), 0 when unknown. */
uint64_t qsock_cls_netns_ino(const char *path);
/* The pin directory for @dev in this process's network namespace (creation-time rule). */
void qsock_cls_pin_dir_own(const char *dev, char *buf, size_t size);
int qsock_cls_make_dir(const char *path, struct qsock_err *err);
/* Pin @fd as @dir/@name with @mode, replacing a stale pin. */
int qsock_cls_pin(int fd, const char *dir, const char *name, mode_t mode, struct qsock_err *err);
/* Remove every pin of @dir, its slot directory and @dir itself. */
void qsock_cls_unpin_all(const char *dir);
/* Set @c's markmask and mark_shift: the one place they are derived. */
void qsock_cls_conf_set_mask(struct qsock_cls_conf *c, uint32_t markmask);
/* Find @dev's pin directory from this namespace, its conf opened read-only into *@conf_fd
 * and read into *@conf; -ENOENT when @dev has no qsock root. */
int qsock_cls_find_dir(const char *dev, char *dir, size_t size, int *conf_fd,
		       struct qsock_cls_conf *conf, struct qsock_err *err);
/* The same for a sender that needs nothing but the directory. */
int qsock_cls_sender_dir(const char *dev, char dir[DIR_MAX], struct qsock_err *err);
/* Open the pinned object @dir/@name with @flags (BPF_F_RDONLY, ...). */
int qsock_cls_open_pin(const char *dir, const char *name, uint32_t flags, int *fd,
		       struct qsock_err *err);

#endif /* QSOCK_CLS_PINS_H */
