#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# `qsock run`: a program under the shim in one command, with a file's rules or with a rule
# built from options; the process is the program's (exit status, signals, pid), qsock's own
# failures are 125-127 with a message naming the option. Matching is read from the shim's
# log (QSOCK_DEBUG=2) with its test build (QSOCK_SHIM=libqsockshim-fake.so, which attaches
# nothing); the last test uses the real shim and an htb root.

bats_require_minimum_version 1.5.0
load ../lib/common
load ../lib/shim

QSOCK=$QSOCK_BUILD/tools/qsock/qsock

setup() {
	require_file "$QSOCK" make
	require_shim
}

@test "run: a rule from options matches its port (local or remote), in the program and its children" {
	require_root
	require_cmd socat
	one_ns
	# remote port 47001 matches, local port 47001 matches, port 47009 does not; the shell
	# forks each socat: children find the rule too
	run in_ns "$NS" env QSOCK_SHIM="$SHIM_FAKE" QSOCK_DEBUG=2 "$QSOCK" run --ipg 10ms --oln 1 --old 10 \
		--dev lo --port 47001 --proto udp -- sh -c '
			echo one | socat -u - UDP:127.0.0.1:47001
			echo two | socat -u - UDP:127.0.0.1:47005,sourceport=47001
			echo other | socat -u - UDP:127.0.0.1:47009; true'
	assert_status 0
	assert_output_contains '-> 127.0.0.1:47001: stream "qsock-run-remote" (line 12), dwcs on lo'
	assert_output_contains 'udp 0.0.0.0:47001 -> ?: stream "qsock-run-local" (line 3), dwcs on lo' # at bind
	assert_output_contains '-> 127.0.0.1:47009: no stream rule matches'
	# the rule it built
	run t "$QSOCK" run --ipg 10ms --oln 1 --old 10 --dev lo --port 47001 --print-conf
	assert_status 0
	assert_output_contains 'match = { local_port = 47001; };'
	assert_output_contains 'match = { remote_port = 47001; };'
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/built.conf"
	"$QSOCK" check "$BATS_TEST_TMPDIR/built.conf" >/dev/null
}

@test "run -c FILE: the file's rules; an invalid file is refused with its errors (exit 125)" {
	require_root
	require_cmd socat
	one_ns
	conf=$(shim_conf r <<'EOF'
streams = ( { name = "v"; match = { remote_port = 47002; }; dev = "lo"; ipg = 10; } );
EOF
)
	run in_ns "$NS" env QSOCK_SHIM="$SHIM_FAKE" QSOCK_DEBUG=2 "$QSOCK" run -c "$conf" -- \
		socat -u - UDP:127.0.0.1:47002 <<<"x"
	assert_status 0
	assert_output_contains '-> 127.0.0.1:47002: stream "v" (line 1), dwcs on lo'
	# the global -c is used too, as an absolute path
	cd "$BATS_TEST_TMPDIR"
	run env QSOCK_SHIM="$SHIM_FAKE" "$QSOCK" -c r.conf run -- sh -c 'echo "$QSOCK_CONF"'
	assert_status 0
	[ "$output" = "$BATS_TEST_TMPDIR/r.conf" ]
	printf 'streams = ( { match = {}; dev = "lo"; ipg = "90s"; } );\n' >bad.conf
	run env QSOCK_SHIM="$SHIM_FAKE" "$QSOCK" run -c bad.conf -- true
	assert_status 125
	assert_output_contains "bad.conf:1: streams[0].ipg: 90s is out of range 1us..60s"
	assert_output_contains "qsock run: bad.conf is not valid"
}

@test "run: the process is the program's: its exit status, its signals, its pid" {
	run env QSOCK_SHIM="$SHIM_FAKE" "$QSOCK" run --ipg 10ms --dev lo -- sh -c 'exit 7'
	assert_status 7
	run env QSOCK_SHIM="$SHIM_FAKE" "$QSOCK" run --ipg 10ms --dev lo -- sh -c 'kill -TERM $$'
	assert_status 143
	env QSOCK_SHIM="$SHIM_FAKE" "$QSOCK" run --ipg 10ms --dev lo -- sleep 30 3>&- &
	pid=$!
	wait_until 5 grep -qx sleep "/proc/$pid/comm"
	grep -q libqsockshim "/proc/$pid/maps"
	kill -USR1 "$pid"
	status=0
	wait "$pid" || status=$?
	[ "$status" -eq $((128 + 10)) ] # SIGUSR1, delivered to and fatal for the program itself
}

@test "run: qsock's own failures say what and exit 125, 126 or 127" {
	export QSOCK_SHIM=$SHIM_FAKE
	run "$QSOCK" run --ipg 90s --oln 11 --old 10 --port 70000 --dev lo -- true
	assert_status 125
	assert_output_contains "qsock run: --ipg: 90s is out of range 1us..60s"
	assert_output_contains "qsock run: --oln: loss tolerance 11/10: oln must not exceed old"
	assert_output_contains "qsock run: --port: port 70000 is out of range 1..65535"
	[ "$(grep -c -- '--port' <<<"$output")" -eq 1 ] # said once, not per rule
	run "$QSOCK" run --rate 200gbit --dev lo -- true
	assert_status 125
	assert_output_contains "--rate: 200gbit is out of range 1kbit..100gbit"
	run "$QSOCK" run --oln 1 --dev lo -- true
	assert_status 125
	assert_output_contains "a rule needs --bitrate, --ipg (dwcs) or --rate (htb)"
	run "$QSOCK" run -c /etc/qsock.conf --ipg 10ms -- true
	assert_status 125
	assert_output_contains "-c FILE or a rule from options, not both"
	run "$QSOCK" run --ipg 10ms --dev lo
	assert_status 125
	assert_output_contains "no program to run"
	run -127 "$QSOCK" run --ipg 10ms --dev lo -- /nonexistent/prog
	assert_output_contains "qsock run: /nonexistent/prog: No such file or directory"
	printf '#!/bin/sh\n' >"$BATS_TEST_TMPDIR/noexec"
	chmod 644 "$BATS_TEST_TMPDIR/noexec"
	run -126 "$QSOCK" run --ipg 10ms --dev lo -- "$BATS_TEST_TMPDIR/noexec"
	assert_output_contains "Permission denied"
	QSOCK_SHIM=/nonexistent/libqsockshim.so run "$QSOCK" run --ipg 10ms --dev lo -- true
	assert_status 125
	assert_output_contains "the shim /nonexistent/libqsockshim.so: No such file or directory"
	run --separate-stderr "$QSOCK" -j run --ipg 1000s --dev lo -- true
	assert_status 125
	json_eq "$output" .error "--ipg: 1000s is out of range 1us..60s"
}

@test "run, real shim: the matched socket lands in an htb class built from --rate" {
	require_root
	require_cmd socat
	require_file "$QSOCK_BUILD/test/apps/shim-qinit" "run make"
	one_ns
	new_ns PEER runp
	veth_pair "$NS" 10.77.0.1/24 "$PEER" 10.77.0.2/24 va vb
	# The matched socat stays alive a second after its datagram (its stdin stays open), so that
	# its class can be read; at its exit the shim removes the stream, and the class goes.
	run in_ns "$NS" sh -c '
		"$1" va htb || exit 99
		{ echo m1; sleep 1; } |
			"$2" run --rate 50mbit --dev va --port 47010 --proto udp -- socat -u - UDP:10.77.0.2:47010 &
		sleep 0.5
		echo unmatched | "$2" run --rate 50mbit --dev va --port 47010 -- socat -u - UDP:10.77.0.2:47011
		tc -s class show dev va
		wait
		echo "after exit: $(tc class show dev va | grep -c "^class htb ")"' \
		sh "$QSOCK_BUILD/test/apps/shim-qinit" "$QSOCK"
	if [ "$status" -eq 99 ]; then
		skip "qsockinit(va, htb) failed here: $output"
	fi
	assert_status 0
	[ "$(grep -c '^class htb ' <<<"$output")" -eq 1 ]
	[ "$(grep -c ' Sent 45 bytes 1 pkt ' <<<"$output")" -eq 1 ] || { echo "$output" >&2; false; }
	assert_output_contains "after exit: 0"
}
