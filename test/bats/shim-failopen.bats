#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# Fail open: whatever goes wrong (no config, a broken one, no daemon, no permission, no qsock
# scheduler on the device, the kernel refusing the flags, a full fd table), the program
# behaves exactly as without the shim: same stdout, same exit status, same bytes delivered,
# and at most one line on stderr (QSOCK_DEBUG unset). Nothing of the shim ever goes to stdout.

load ../lib/common
load ../lib/shim

setup() {
	require_root
	require_shim
	one_ns
}

# fails_open SO CONF CMD...: CMD's stdout and status equal those without the shim, and the
# shim wrote at most one line on stderr. Leaves that line in $WARNING.
fails_open() {
	local so=$1 conf=$2 with without
	shift 2
	without=$(in_ns "$NS" "$@" 2>"$BATS_TEST_TMPDIR/without.err"; echo "status=$?")
	with=$(in_ns "$NS" env -u QSOCK_DEBUG LD_PRELOAD="$SHIM_PRELOAD_FIRST$so" QSOCK_CONF="$conf" \
		"$@" 2>"$BATS_TEST_TMPDIR/with.err"; echo "status=$?")
	assert_no_sanitizer_report "$(cat "$BATS_TEST_TMPDIR/with.err")"
	[ "$with" = "$without" ] || {
		printf 'stdout differs; without:\n%s\nwith:\n%s\n' "$without" "$with" >&2
		return 1
	}
	[[ "$with" != *libqsockshim* ]]
	WARNING=$(grep libqsockshim "$BATS_TEST_TMPDIR/with.err" || true)
	[ "$(grep -c libqsockshim "$BATS_TEST_TMPDIR/with.err")" -le 1 ] || {
		printf 'more than one warning:\n%s\n' "$(cat "$BATS_TEST_TMPDIR/with.err")" >&2
		return 1
	}
	# the program's own stderr is untouched too
	diff <(grep -v libqsockshim "$BATS_TEST_TMPDIR/with.err") "$BATS_TEST_TMPDIR/without.err"
}

@test "no config file: one warning naming it, the program runs as without the shim" {
	fails_open "$SHIM_SO" /nonexistent/qsock.conf "$SHIM_HARD" errno 127.0.0.1 47200
	[[ "$WARNING" == *"/nonexistent/qsock.conf: cannot read: No such file or directory; running without QoS"* ]]
}

# libconfig's own reader exit(2)s on a read error ("input in flex scanner failed") and fopen()
# blocks on a FIFO: the shim reads the file itself (conf/readfile.c).
@test "config is a directory: one warning naming it, the program runs as without the shim" {
	mkdir "$BATS_TEST_TMPDIR/dir.conf"
	fails_open "$SHIM_SO" "$BATS_TEST_TMPDIR/dir.conf" "$SHIM_HARD" errno 127.0.0.1 47210
	[[ "$WARNING" == *"dir.conf: cannot read: a directory, not a regular file; running without QoS"* ]]
}

@test "config read fails with EIO: one warning, the program runs as without the shim" {
	# /proc/self/mem is a regular file whose first read fails with EIO (address 0 is unmapped)
	fails_open "$SHIM_SO" /proc/self/mem "$SHIM_HARD" errno 127.0.0.1 47211
	[[ "$WARNING" == *"/proc/self/mem: cannot read: Input/output error; running without QoS"* ]]
}

@test "config is a FIFO nobody writes: no hang, one warning" {
	mkfifo "$BATS_TEST_TMPDIR/fifo.conf"
	fails_open "$SHIM_SO" "$BATS_TEST_TMPDIR/fifo.conf" "$SHIM_HARD" errno 127.0.0.1 47212
	[[ "$WARNING" == *"fifo.conf: cannot read: a FIFO, not a regular file; running without QoS"* ]]
}

@test "config is huge or a device: refused before reading, one warning" {
	truncate -s 1G "$BATS_TEST_TMPDIR/huge.conf"
	fails_open "$SHIM_SO" "$BATS_TEST_TMPDIR/huge.conf" "$SHIM_HARD" errno 127.0.0.1 47213
	[[ "$WARNING" == *"huge.conf: cannot read: 1073741824 bytes, more than the 1048576 allowed; running without QoS"* ]]
	fails_open "$SHIM_SO" /dev/zero "$SHIM_HARD" errno 127.0.0.1 47213
	[[ "$WARNING" == *"/dev/zero: cannot read: a character device, not a regular file; running without QoS"* ]]
}

@test "an @include (libconfig would open it itself): refused with its line, one warning" {
	mkdir "$BATS_TEST_TMPDIR/inc"
	conf=$(printf 'version = 1;\n@include "%s"\n' "$BATS_TEST_TMPDIR/inc" | shim_conf include)
	fails_open "$SHIM_SO" "$conf" "$SHIM_HARD" errno 127.0.0.1 47214
	[[ "$WARNING" == *"include.conf:2: @include: not supported: qsock.conf is one file; running without QoS"* ]]
}

@test "a syntax error: one warning with file and line" {
	conf=$(shim_conf broken <<'EOF'
version = 1;
streams = ( { match = {; } );
EOF
)
	fails_open "$SHIM_SO" "$conf" "$SHIM_HARD" rtp 127.0.0.1 47201 5
	[[ "$WARNING" == *"broken.conf:2: (syntax): syntax error; running without QoS"* ]]
}

@test "an invalid rule: one warning with file, line, key and reason" {
	conf=$(shim_conf invalid <<'EOF'
streams = (
  { match = { protocol = "udp"; }; dev = "lo"; ipg = 10; olm = 3; }
);
EOF
)
	fails_open "$SHIM_SO" "$conf" "$SHIM_HARD" rtp 127.0.0.1 47202 5
	[[ "$WARNING" == *'invalid.conf:2: streams[0].olm: unknown key (did you mean "oln"?); running without QoS'* ]]
}

@test "the shim disabled in the config: not a word, nothing changes" {
	conf=$(shim_conf off <<'EOF'
shim = { enabled = false; };
streams = ( { match = {}; dev = "fail-attach"; ipg = 10; } );
EOF
)
	fails_open "$SHIM_FAKE" "$conf" "$SHIM_HARD" errno 127.0.0.1 47203
	[ -z "$WARNING" ]
}

@test "attach refused for every socket: one warning per process, not per socket" {
	conf=$(shim_conf refuse <<'EOF'
streams = ( { match = { protocol = "udp"; }; dev = "fail-attach"; ipg = 10; } );
EOF
)
	fails_open "$SHIM_FAKE" "$conf" "$SHIM_HARD" manyfds 127.0.0.1 47204 10
	[[ "$WARNING" == *'stream "streams[0]": fake backend: attach refused on purpose; the socket gets no QoS'* ]]
}

@test "the kernel refuses the flags: the same datagrams arrive, untouched" {
	conf=$(shim_conf cmsg <<'EOF'
streams = ( { match = { protocol = "udp"; }; dev = "refuse-cmsg"; ipg = 10;
              messages = ( { preset = "rtp-marker"; }, { every = 1; drop_priority = 1; } ); } );
EOF
)
	start_receiver "$NS" 127.0.0.1 47205 6 "$BATS_TEST_TMPDIR/r"
	fails_open "$SHIM_FAKE" "$conf" "$SHIM_HARD" rtp 127.0.0.1 47205 3
	[[ "$WARNING" == *"the kernel refused the per-message flags (Invalid argument): sending without them"* ]]
	wait_receiver "$BATS_TEST_TMPDIR/r"
	# three datagrams from each run, all with the default TTL
	[ "$(grep -c 'len=200 ttl=64 ' "$BATS_TEST_TMPDIR/r")" -eq 6 ]
}

@test "a full fd table: sockets beyond shim.max_fds are passed through, one warning" {
	conf=$(shim_conf small <<'EOF'
shim = { max_fds = 16; };
streams = ( { match = { protocol = "udp"; }; dev = "lo"; ipg = 10; } );
EOF
)
	fails_open "$SHIM_FAKE" "$conf" "$SHIM_HARD" manyfds 127.0.0.1 47206 30
	[[ "$WARNING" == *"is beyond the fd table (shim.max_fds = 16): its socket gets no QoS"* ]]
}

@test "real backend, no qsock scheduler on the device (no dwcs): one warning from qattach" {
	conf=$(shim_conf nodwcs <<'EOF'
streams = ( { match = { protocol = "udp"; }; dev = "lo"; ipg = 10; } );
EOF
)
	fails_open "$SHIM_SO" "$conf" "$SHIM_HARD" errno 127.0.0.1 47207
	[[ "$WARNING" == *'stream "streams[0]": '*'; the socket gets no QoS'* ]]
}

@test "real backend, unprivileged and no daemon: one warning, the program runs as before" {
	require_cmd setpriv
	# somewhere user nobody can read
	conf=$(mktemp /tmp/qsock-shim-unpriv.XXXXXX)
	defer rm -f "$conf"
	echo 'streams = ( { match = { protocol = "udp"; }; dev = "lo"; ipg = 10; } );' >"$conf"
	chmod 644 "$conf"
	fails_open "$SHIM_SO" "$conf" setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$SHIM_HARD" errno 127.0.0.1 47208
	[[ "$WARNING" == *'stream "streams[0]": qattach: '*'; the socket gets no QoS'* ]]
}

@test "QSOCK_DEBUG=3 talks on stderr only: stdout stays the program's" {
	conf=$(shim_conf dbg <<'EOF'
streams = ( { match = { protocol = "udp"; }; dev = "lo"; ipg = 10;
              messages = ( { preset = "rtp-marker"; } ); } );
EOF
)
	without=$(in_ns "$NS" "$SHIM_HARD" rtp 127.0.0.1 47209 4 2>/dev/null)
	with=$(in_ns "$NS" env QSOCK_DEBUG=3 LD_PRELOAD="$SHIM_PRELOAD_FIRST$SHIM_FAKE" QSOCK_CONF="$conf" \
		"$SHIM_HARD" rtp 127.0.0.1 47209 4 2>"$BATS_TEST_TMPDIR/err")
	[ "$with" = "$without" ]
	# one line per message at level 3, naming the rule that matched
	[ "$(grep -c 'message [0-9]* (200 bytes)' "$BATS_TEST_TMPDIR/err")" -eq 4 ]
	grep -q 'message 3 (200 bytes): rule "messages\[0\]" -> frame-end' "$BATS_TEST_TMPDIR/err"
}

@test "real backend, unprivileged, qsockd stopped with a full backlog: the program is not held, one warning" {
	require_cmd setpriv
	local fake=$QSOCK_BUILD/test/unit/qsockd-fake probe=$QSOCK_BUILD/test/apps/daemon_probe
	require_file "$fake" make
	require_file "$probe" make
	dir=$(mktemp -d /tmp/qsock-shim-stuck.XXXXXX)
	chmod 755 "$dir"
	defer rm -rf "$dir"
	echo 'streams = ( { match = { protocol = "udp"; }; dev = "lo"; ipg = 10; } );' >"$dir/qsock.conf"
	chmod 644 "$dir/qsock.conf"
	"$fake" -n -s "$dir/qsockd.sock" -c "$dir/qsock.conf" 2>"$dir/log" 3>&- &
	dpid=$!
	defer kill -9 "$dpid"
	wait_until 5 grep -q "listening on" "$dir/log"
	kill -STOP "$dpid"
	# its listen backlog full: a blocking connect() would wait until the daemon runs again
	"$probe" "$dir/qsockd.sock" hold 200 60 </dev/null >"$dir/hold" 2>&1 3>&- &
	defer kill $!
	wait_until 10 grep -q holding "$dir/hold"
	start=$(date +%s%N)
	QSOCKD_SOCKET=$dir/qsockd.sock fails_open "$SHIM_SO" "$dir/qsock.conf" \
		setpriv --reuid=65534 --regid=65534 --clear-groups "$SHIM_HARD" errno 127.0.0.1 47215
	ms=$((($(date +%s%N) - start) / 1000000))
	echo "# both runs took $ms ms; the warning: $WARNING" >&3
	[[ "$WARNING" == *"did not accept the connection within 2 s (busy or stopped); the socket gets no QoS"* ]]
	# one 2 s timeout for the process, not one per socket (shim-hard errno has two)
	[ "$ms" -lt 4000 ]
}
