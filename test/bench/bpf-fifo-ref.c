// SPDX-License-Identifier: GPL-2.0
/*
 * bpf-fifo-ref — registers or unregisters vm-flood's reference BPF qdisc
 * (bpf_fifo_ref.bpf.c), kind "bpf_fifo_ref":
 *   bpf-fifo-ref register OBJ PIN    load OBJ, register the kind, pin its struct_ops map at PIN
 *   bpf-fifo-ref unregister PIN      unregister the kind and remove PIN
 * libbpf 1.1 (Debian 12's) registers a struct_ops by updating its map, and the registration
 * lives as long as the map: the pin keeps it (as lib/sched_dwcs_bpf.c does for dwcs-bpf;
 * bpftool 7.1's `struct_ops register` fails on a Qdisc_ops here).
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int fail(const char *what)
{
	fprintf(stderr, "bpf-fifo-ref: %s: %s\n", what, strerror(errno));
	return 1;
}

static int do_register(const char *path, const char *pin)
{
	struct bpf_object *obj = bpf_object__open_file(path, NULL);
	struct bpf_link *link;
	struct bpf_map *ops;

	if (libbpf_get_error(obj))
		return fail(path);
	if (bpf_object__load(obj))
		return fail("loading the program");
	ops = bpf_object__find_map_by_name(obj, "bpf_fifo_ref");
	if (!ops)
		return fail("no struct_ops map bpf_fifo_ref");
	link = bpf_map__attach_struct_ops(ops);
	if (libbpf_get_error(link))
		return fail("registering the kind bpf_fifo_ref");
	bpf_link__disconnect(link);
	bpf_link__destroy(link);
	if (bpf_map__pin(ops, pin)) {
		uint32_t zero = 0;

		bpf_map_delete_elem(bpf_map__fd(ops), &zero);
		return fail(pin);
	}
	return 0;
}

static int do_unregister(const char *pin)
{
	uint32_t zero = 0;
	int fd = bpf_obj_get(pin);

	if (fd < 0)
		return fail(pin);
	if (bpf_map_delete_elem(fd, &zero) && errno != ENOENT)
		return fail("unregistering the kind bpf_fifo_ref");
	close(fd);
	return unlink(pin) ? fail(pin) : 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "register"))
		return do_register(argv[2], argv[3]);
	if (argc == 3 && !strcmp(argv[1], "unregister"))
		return do_unregister(argv[2]);
	fprintf(stderr, "usage: bpf-fifo-ref register OBJ PIN | unregister PIN\n");
	return 2;
}
