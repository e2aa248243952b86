// SPDX-License-Identifier: GPL-2.0
/*
 * shim_unit.c — the shim's fd table, the hot page's program arena and exec/posix_spawn
 * environment keeping, tested in-process (linked with the shim's objects fdtable.o, exec.o,
 * libc.o and hot.o).
 * The logging the table may do is replaced by a recorder.
 */
#include <setjmp.h>
#include <spawn.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <sys/wait.h>

#include "../../shim/fdtable.h"
#include "../../shim/libc.h"
#include "../../shim/shim.h"

struct shim_state shim;
static int warnings;
static char last_warning[256];

void shim_warn_once(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_warning, sizeof(last_warning), fmt, ap);
	va_end(ap);
	warnings++;
}

void shim_log(int level, const char *fmt, ...)
{
}

static int setup(void **state)
{
	return shim_fdtable_init(64);
}

static void test_bounds(void **state)
{
	/* one slot a cache line: a send reads one line of the table, and threads sending on
	 * neighbouring fds never write the same line (fdtable.h) */
	assert_int_equal(sizeof(struct shim_fd), 64);
	assert_int_equal((uintptr_t)shim_fd_slot(0) % 64, 0);
	assert_int_equal(shim_fdtable_size(), 64);
	assert_null(shim_fd_slot(-1));
	assert_null(shim_fd_slot(64));
	assert_non_null(shim_fd_slot(0));
	assert_non_null(shim_fd_slot(63));
	/* never-seen fds start unknown (to be probed) */
	assert_int_equal(shim_fd_state(shim_fd_slot(40)), SHIM_FD_UNKNOWN);
}

static void test_set_copy_reset(void **state)
{
	static const char prog_stand_in; /* the slot keeps the pointer only */
	struct shim_fd *a = shim_fd_slot(10), *b = shim_fd_slot(11);

	shim_fd_set(10, SHIM_FD_PENDING, CONF_PROTO_UDP);
	assert_int_equal(shim_fd_state(a), SHIM_FD_PENDING);
	assert_int_equal(a->proto, CONF_PROTO_UDP);
	/* a matched socket: its duplicate is the same socket, with the same stream, rule
	 * program and numbering (what its sends read from the slot alone) */
	shim_fd_set_stream(a, 7, (const struct conf_msg_prog *)&prog_stand_in, true);
	atomic_store(&a->seq, 99);
	atomic_store(&a->state, SHIM_FD_MATCHED);
	shim_fd_copy(11, 10);
	assert_int_equal(shim_fd_state(b), SHIM_FD_MATCHED);
	assert_int_equal(b->stream, 7);
	assert_ptr_equal(b->prog, &prog_stand_in);
	assert_true(b->numbered);
	assert_int_equal(b->proto, CONF_PROTO_UDP);
	assert_int_equal(atomic_load(&b->seq), 0); /* its own message count */
	/* a socket being matched right now: the copy matches on its own */
	atomic_store(&a->state, SHIM_FD_BUSY);
	shim_fd_copy(11, 10);
	assert_int_equal(shim_fd_state(b), SHIM_FD_PENDING);
	/* a copy from beyond the table is unknown; a copy to beyond it is ignored */
	shim_fd_copy(11, 1000);
	assert_int_equal(shim_fd_state(b), SHIM_FD_UNKNOWN);
	shim_fd_copy(1000, 10);
	/* a new socket on a slot starts with no stream: no program, not numbered */
	shim_fd_set(10, SHIM_FD_PENDING, CONF_PROTO_UDP);
	assert_null(a->prog);
	assert_false(a->numbered);
	assert_int_equal(a->stream, 0);
	/* close forgets */
	shim_fd_reset(10);
	assert_int_equal(shim_fd_state(a), SHIM_FD_UNKNOWN);
	shim_fd_reset(-5);
	shim_fd_reset(5000);
}

static void test_full_table_warns(void **state)
{
	warnings = 0;
	shim_hot.active = false;
	shim_fd_set(64, SHIM_FD_PENDING, CONF_PROTO_UDP);
	assert_int_equal(warnings, 0); /* an inactive shim says nothing */
	shim_hot.active = true;
	shim_fd_set(64, SHIM_FD_PENDING, CONF_PROTO_UDP);
	shim_fd_set(-1, SHIM_FD_PENDING, CONF_PROTO_UDP); /* not an fd: not a full table */
	shim_hot.active = false;
	assert_int_equal(warnings, 1);
	assert_string_equal(last_warning,
			    "fd 64 is beyond the fd table (shim.max_fds = 64): its socket gets no QoS");
}

static void test_keep_env(void **state)
{
	char *in1[] = { "PATH=/bin", NULL };
	char *in2[] = { "LD_PRELOAD=/usr/lib/other.so", "QSOCK_CONF=/mine.conf", NULL };
	char *in3[] = { "LD_PRELOAD=/x/libqsockshim.so", "QSOCK_CONF=/a", "QSOCK_DEBUG=1", NULL };
	char *out[16], pre[4096];
	char *const *r;

	snprintf(shim.self_path, sizeof(shim.self_path), "/x/libqsockshim.so");
	snprintf(shim.env_preload, sizeof(shim.env_preload), "LD_PRELOAD=/x/libqsockshim.so");
	snprintf(shim.env_conf, sizeof(shim.env_conf), "QSOCK_CONF=/etc/q.conf");
	snprintf(shim.env_debug, sizeof(shim.env_debug), "QSOCK_DEBUG=2");
	shim.env_dry_run[0] = '\0';

	/* everything missing is added, the program's own variables stay first */
	r = shim_keep_env(in1, out, pre, sizeof(pre));
	assert_ptr_equal(r, out);
	assert_string_equal(r[0], "PATH=/bin");
	assert_string_equal(r[1], "LD_PRELOAD=/x/libqsockshim.so");
	assert_string_equal(r[2], "QSOCK_CONF=/etc/q.conf");
	assert_string_equal(r[3], "QSOCK_DEBUG=2");
	assert_null(r[4]);

	/* a program's own preload keeps its place, with the shim in front; its QSOCK_CONF wins */
	r = shim_keep_env(in2, out, pre, sizeof(pre));
	assert_string_equal(r[0], "LD_PRELOAD=/x/libqsockshim.so:/usr/lib/other.so");
	assert_string_equal(r[1], "QSOCK_CONF=/mine.conf");
	assert_string_equal(r[2], "QSOCK_DEBUG=2");
	assert_null(r[3]);

	/* nothing missing: the program's array itself goes to exec */
	r = shim_keep_env(in3, out, pre, sizeof(pre));
	assert_ptr_equal(r, in3);

	/* an empty environment */
	{
		char *none[] = { NULL };

		r = shim_keep_env(none, out, pre, sizeof(pre));
		assert_string_equal(r[0], "LD_PRELOAD=/x/libqsockshim.so");
	}
}

/* Run env(1) through shim_posix_spawn (or _spawnp) with an empty environment: its output. */
static void spawn_env(bool search, char *out, size_t len)
{
	char *argv[] = { "env", NULL }, *none[] = { NULL };
	posix_spawn_file_actions_t fa;
	size_t got = 0;
	int p[2], status;
	ssize_t n;
	pid_t pid;

	assert_int_equal(pipe(p), 0);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, p[1], 1);
	posix_spawn_file_actions_addclose(&fa, p[0]);
	if (search)
		assert_int_equal(shim_posix_spawnp(&pid, "env", &fa, NULL, argv, none), 0);
	else
		assert_int_equal(shim_posix_spawn(&pid, "/usr/bin/env", &fa, NULL, argv, none), 0);
	posix_spawn_file_actions_destroy(&fa);
	close(p[1]);
	while (got < len - 1 && (n = read(p[0], out + got, len - 1 - got)) > 0)
		got += (size_t)n;
	out[got] = '\0';
	close(p[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void test_posix_spawn(void **state)
{
	char out[4096];

	/* libc.c cannot bind here (the real functions are this program's own imports, which it
	 * takes for the shim's wrappers): hand the layer below what it would have found */
	shim_hot.libc.posix_spawn = posix_spawn;
	shim_hot.libc.posix_spawnp = posix_spawnp;
	atomic_store(&shim_hot.libc_ready, true);
	/* a preload the child can take without harm: the C library it loads anyway */
	snprintf(shim.env_preload, sizeof(shim.env_preload), "LD_PRELOAD=libc.so.6");
	snprintf(shim.env_conf, sizeof(shim.env_conf), "QSOCK_CONF=/etc/q.conf");
	shim.env_debug[0] = shim.env_dry_run[0] = shim.self_path[0] = '\0';
	shim.exec_keep_env = true;
	spawn_env(false, out, sizeof(out));
	assert_string_equal(out, "LD_PRELOAD=libc.so.6\nQSOCK_CONF=/etc/q.conf\n");
	spawn_env(true, out, sizeof(out));
	assert_string_equal(out, "LD_PRELOAD=libc.so.6\nQSOCK_CONF=/etc/q.conf\n");
	/* shim.exec_keep_env = false: the program's empty environment stands */
	shim.exec_keep_env = false;
	spawn_env(true, out, sizeof(out));
	assert_string_equal(out, "");
}

/* Rule programs placed on the hot page: copies inside the arena, each on its own lines,
 * that run like the original; when the arena is full, the original itself. */
static void test_hot_place_prog(void **state)
{
	struct conf_stream *st = calloc(1, sizeof(*st));
	const struct conf_msg_prog *copy, *last = NULL;
	struct conf_msg_action want, got;
	uint8_t msg[1400] = { 0x80, 0xe0 }; /* RTP version 2, marker set */
	unsigned int i, placed = 0;

	assert_non_null(st);
	assert_null(shim_hot_place_prog(NULL));
	st->n_msgs = 4;
	for (i = 0; i < st->n_msgs; i++) {
		st->msgs[i].max_len = UINT32_MAX;
		st->msgs[i].preset = i == 1 ? CONF_PRESET_RTP_MARKER : CONF_PRESET_NONE;
		st->msgs[i].every = i == 3 ? 30 : 0;
		st->msgs[i].action.deadline_ns = 1000u * (i + 1);
	}
	assert_int_equal(conf_msg_prog_compile(st), 0);
	for (i = 0; i < 64; i++) {
		copy = shim_hot_place_prog(st->prog);
		if (copy == st->prog)
			break; /* the arena is full */
		placed++;
		assert_true((const unsigned char *)copy >= shim_hot.arena &&
			    (const unsigned char *)copy < shim_hot.arena + sizeof(shim_hot.arena));
		assert_int_equal((uintptr_t)copy % 64, 0);
		assert_true(!last || copy > last);
		assert_int_equal(conf_msg_prog_run(copy, msg, 64, sizeof(msg), 1, NULL, &got),
				 conf_msg_prog_run(st->prog, msg, 64, sizeof(msg), 1, NULL, &want));
		assert_int_equal(got.deadline_ns, want.deadline_ns);
		last = copy;
	}
	/* a 4-rule program takes 208 bytes, 256 with its alignment: 14 fit */
	assert_int_equal(placed, sizeof(shim_hot.arena) / 256);
	assert_ptr_equal(shim_hot_place_prog(st->prog), st->prog);
	conf_msg_prog_free(st);
	free(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_set_copy_reset),
		cmocka_unit_test(test_full_table_warns),
		cmocka_unit_test(test_hot_place_prog),
		cmocka_unit_test(test_keep_env),
		cmocka_unit_test(test_posix_spawn),
	};

	return cmocka_run_group_tests_name("shim_unit", tests, setup, NULL);
}
