#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# The cases that break LD_PRELOAD interposers, each run with the shim
# matching the program's sockets (the fake-backend build, so flags really are appended) and
# without any preload: the program's output must be the same byte for byte.

load ../lib/common
load ../lib/shim

setup() {
	require_root
	require_shim
	one_ns
	CONF=$(shim_conf hard <<'EOF'
streams = (
  { name = "all-udp"; match = { protocol = "udp"; }; dev = "lo"; ipg = 10;
    messages = (
      { preset = "h264-keyframe"; continue = true; },
      { preset = "rtp-marker"; },
      { name = "magic"; bytes = ( { offset = 0; value = 0x11; } ); length = "50-150"; drop_priority = 2; },
      { name = "every-1000th"; every = 1000; deadline = "20ms"; }
    ); },
  { name = "all-tcp"; match = { protocol = "tcp"; }; dev = "lo"; ipg = 1; }
);
EOF
)
}

# same_output CMD...: CMD's stdout and status with the shim equal those without it.
same_output() {
	local with without
	without=$(in_ns "$NS" "$@" 2>"$BATS_TEST_TMPDIR/without.err"; echo "status=$?")
	with=$(in_ns "$NS" env LD_PRELOAD="$SHIM_PRELOAD_FIRST$SHIM_FAKE" QSOCK_CONF="$CONF" "$@" \
		2>"$BATS_TEST_TMPDIR/with.err"; echo "status=$?")
	assert_no_sanitizer_report "$(cat "$BATS_TEST_TMPDIR/with.err")"
	if [ "$with" != "$without" ]; then
		printf 'without the shim:\n%s\nwith the shim:\n%s\nstderr with:\n%s\n' "$without" "$with" \
			"$(cat "$BATS_TEST_TMPDIR/with.err")" >&2
		return 1
	fi
	OUT=$with
}

# 100,000 sends per thread; the ASan rerun (shim-asan.bats) makes it 25,000 to stay in the
# suite's time budget.
@test "8 threads x 100,000 sends (25,000 under ASan) on one matched socket: every send succeeds" {
	n=${QSOCK_SHIM_THREAD_SENDS:-100000}
	same_output "$SHIM_HARD" threads 127.0.0.1 47100 8 "$n"
	[[ "$OUT" == *"threads 8 x $n sends: 0 failed"* ]]
	[[ "$OUT" == *"status=0" ]]
}

@test "fork and exec: the child keeps the shim although its environment was emptied" {
	run in_ns "$NS" env QSOCK_DEBUG=2 LD_PRELOAD="$SHIM_PRELOAD_FIRST$SHIM_FAKE" QSOCK_CONF="$CONF" \
		"$SHIM_HARD" forkexec 127.0.0.1 47101
	assert_status 0
	assert_no_sanitizer_report "$output"
	assert_output_contains 'parent sendto = 200'
	assert_output_contains 'child: LD_PRELOAD has shim: yes, QSOCK_CONF set: yes'
	assert_output_contains 'child sendto on inherited fd = 200'
	assert_output_contains 'child exit = 0'
	# the new image loaded the config and matched the inherited socket on its first send
	[ "$(grep -c 'loaded .*hard.conf' <<<"$output")" -eq 2 ]
	[ "$(grep -c ':47101: stream "all-udp"' <<<"$output")" -eq 2 ]

	# shim.exec_keep_env = false: the program's choice stands
	sed -i '1i shim = { exec_keep_env = false; };' "$CONF"
	run in_ns "$NS" env LD_PRELOAD="$SHIM_PRELOAD_FIRST$SHIM_FAKE" QSOCK_CONF="$CONF" \
		"$SHIM_HARD" forkexec 127.0.0.1 47101
	assert_status 0
	assert_output_contains 'child: LD_PRELOAD has shim: no, QSOCK_CONF set: no'
}

@test "dup, dup2 over a tracked socket, fcntl(F_DUPFD): same results as without the shim" {
	same_output "$SHIM_HARD" dup2 127.0.0.1 47102
	[[ "$OUT" == *"write after dup2 = 10"* ]]
	[[ "$OUT" == *"writev after dup2 = 7"* ]]
	[[ "$OUT" == *"sendto after dup2 = -1 errno = Socket operation on non-socket"* ]]
	[[ "$OUT" == *"sendto on F_DUPFD copy = 200"* ]]
}

@test "a socket closed inside libc (fclose) and its number reused by a file: writes reach the file" {
	same_output "$SHIM_HARD" reuse 127.0.0.1 47103 "$BATS_TEST_TMPDIR/reused"
	[[ "$OUT" == *"same number = 1"* ]]
	[[ "$OUT" == *'read back = 15 "file-bytes+more"'* ]]
}

@test "errors come through unchanged (ECONNREFUSED), and a success leaves errno alone" {
	same_output "$SHIM_HARD" errno 127.0.0.1 47104
	[[ "$OUT" == *"send 2 = -1 errno = Connection refused"* ]]
	[[ "$OUT" == *"sendto 3 = 1 errno after = 12345"* ]]
	[[ "$OUT" == *"write 4 = -1 errno = Destination address required"* ]]
}

@test "a non-blocking TCP socket that fills up returns EAGAIN, as without the shim" {
	same_output "$SHIM_HARD" eagain 127.0.0.1 0
	[[ "$OUT" == *"send until full: Resource temporarily unavailable"* ]]
	[[ "$OUT" == *"write when full = -1 errno = Resource temporarily unavailable"* ]]
}

@test "sendfile and splice on a matched TCP socket pass through: every byte arrives unchanged" {
	same_output "$SHIM_HARD" sendfile "$BATS_TEST_TMPDIR/data"
	[[ "$OUT" == *"sendfile = 100000"* ]]
	[[ "$OUT" == *"splice = 1000"* ]]
	[[ "$OUT" == *"received 101000 bytes, identical = 1"* ]]
}

@test "bad pointers in every send call (msghdr, iovecs, buffers, destination, control, mmsg vectors): EFAULT as without the shim, never a crash" {
	same_output "$SHIM_HARD" badptr 127.0.0.1 47102
	[[ "$OUT" == *"still alive"* ]]
	[[ "$OUT" == *"status=0" ]]
	# every bad call failed with EFAULT, on a fresh and on a matched socket
	[ "$(grep -c ' = -1 Bad address' <<<"$OUT")" -eq 72 ]
}
