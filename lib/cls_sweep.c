// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * cls_sweep.c — removing the pin directories whose classifier is gone (classifier.h,
 * qsock_cls_sweep_dead): no loaded BPF program uses their streams map any more.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>

#include "bpf/qsock_cls.h"
#include "classifier.h"
#include "cls_pins.h"
#include "errors.h"
#include "sys.h"

struct pin_dir {
	char name[256];
	uint32_t map_id;
	bool used;
};

/* Mark the pin dirs whose streams map program @pfd uses. */
static void mark_used(int pfd, struct pin_dir *v, size_t n)
{
	uint32_t ids[64], *map_ids = ids, len, cnt = 64;
	struct bpf_prog_info pi;

	for (int pass = 0; pass < 2; pass++) {
		memset(&pi, 0, sizeof(pi));
		pi.nr_map_ids = cnt;
		pi.map_ids = (uint64_t)(uintptr_t)map_ids;
		len = sizeof(pi);
		if (bpf_obj_get_info_by_fd(pfd, &pi, &len))
			break;
		if (pi.nr_map_ids <= cnt) {
			for (uint32_t i = 0; i < pi.nr_map_ids; i++)
				for (size_t k = 0; k < n; k++)
					v[k].used |= v[k].map_id == map_ids[i];
			break;
		}
		/* a program with more maps than we asked for: ask again for all of them */
		cnt = pi.nr_map_ids;
		map_ids = malloc(cnt * sizeof(*map_ids));
		if (!map_ids) {
			for (size_t k = 0; k < n; k++)
				v[k].used = true; /* cannot tell: keep everything */
			return;
		}
	}
	if (map_ids != ids)
		free(map_ids);
}

int qsock_cls_sweep_dead(unsigned int *removed, struct qsock_err *err)
{
	LIBBPF_OPTS(bpf_obj_get_opts, ro, .file_flags = BPF_F_RDONLY);
	struct pin_dir *v = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	uint32_t id = 0;
	int rc = 0;
	DIR *d;

	if (removed)
		*removed = 0;
	d = opendir(qsock_cls_pin_root());
	if (!d)
		return errno == ENOENT ? 0 :
					 qsock_errf(err, -errno, "listing %s: %s", qsock_cls_pin_root(),
						    strerror(errno));
	/* First the maps pinned now, then the programs loaded now (see classifier.h). */
	while ((de = readdir(d))) {
		struct bpf_map_info mi;
		char path[PATH_MAX];
		uint32_t len = sizeof(mi);
		int fd;

		if (de->d_name[0] == '.' || strlen(de->d_name) >= sizeof(v->name))
			continue;
		snprintf(path, sizeof(path), "%s/%s/%s", qsock_cls_pin_root(), de->d_name,
			 QSOCK_PIN_STREAMS);
		fd = bpf_obj_get_opts(path, &ro);
		if (fd < 0)
			continue; /* being created or removed, or not ours */
		memset(&mi, 0, sizeof(mi));
		if (bpf_obj_get_info_by_fd(fd, &mi, &len)) {
			qsock_sys.close(fd);
			continue;
		}
		qsock_sys.close(fd);
		if (n == cap) {
			struct pin_dir *w = realloc(v, (cap = cap ? cap * 2 : 16) * sizeof(*w));

			if (!w) {
				rc = qsock_errf(err, -ENOMEM, "out of memory");
				goto out;
			}
			v = w;
		}
		snprintf(v[n].name, sizeof(v[n].name), "%s", de->d_name);
		v[n].map_id = mi.id;
		v[n].used = false;
		n++;
	}
	if (!n)
		goto out;
	while (!bpf_prog_get_next_id(id, &id)) {
		int pfd = bpf_prog_get_fd_by_id(id);

		if (pfd < 0) {
			if (errno == ENOENT)
				continue; /* unloaded meanwhile */
			break;
		}
		mark_used(pfd, v, n);
		qsock_sys.close(pfd);
	}
	if (errno != ENOENT) {
		rc = qsock_errf(err, -errno, "listing the loaded BPF programs: %s%s",
				strerror(errno),
				errno == EPERM ? " (needs CAP_SYS_ADMIN); no pin directory removed" :
						 "");
		goto out;
	}
	for (size_t k = 0; k < n; k++) {
		char dir[PATH_MAX];

		if (v[k].used)
			continue;
		snprintf(dir, sizeof(dir), "%s/%s", qsock_cls_pin_root(), v[k].name);
		qsock_cls_unpin_all(dir);
		if (removed)
			(*removed)++;
	}
out:
	closedir(d);
	free(v);
	return rc;
}
