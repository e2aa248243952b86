#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# qnotify(3) with the `htb` scheduler on the host kernel: events of a stream on a file
# descriptor, made by the library's sampler thread from the class's statistics. The sender's
# namespace S (veth0) holds the qsock root, with a short device queue (txqueuelen 10: HTB's
# leaf queue of every class) so that a stream sent over its rate both queues and drops.
# test/apps/notify_probe runs each scenario in one process and prints what it saw.

load ../lib/common

DRIVER=$QSOCK_BUILD/test/apps/lib_driver
PROBE=$QSOCK_BUILD/test/apps/notify_probe

setup() {
	require_root
	require_file "$DRIVER" "make build-tests"
	require_file "$PROBE" "make build-tests"
	require_cmd nsenter tc jq
	require_module sch_htb
	new_ns S qsn
	new_ns R qsn
	veth_pair "$S" 10.99.0.1/24 "$R" 10.99.0.2/24
	IN="nsenter --net=/run/netns/$S"
	PINS=/sys/fs/bpf/qsock/veth0@ns$(stat -L -c %i "/run/netns/$S")
	defer rm -rf "$PINS"
	$IN ip link set dev veth0 txqueuelen 10
	t $IN "$DRIVER" -d veth0 -s htb init
}

probe() { t $IN "$PROBE" -d veth0 -s htb "$@"; }

@test "a stream sent over its rate raises backlog and drop events that poll() sees within a few samples; an idle one raises none" {
	# 1 Mbit/s streams, 1000-byte datagrams as fast as the socket takes them for 1 s, a
	# sample every 10 ms, backlog threshold 5 packets
	run probe over 125000 10.99.0.2:9 1 1000 10000 5
	assert_status 0
	echo "$output"
	a=$(jq -c .a <<<"$output")
	b=$(jq -c .b <<<"$output")
	# A: the backlog and the drops were signalled (QNOTIFY_BACKLOG 8 | QNOTIFY_DROP 4)
	[ $(($(jq .events <<<"$a") & 12)) -eq 12 ]
	# the first event came with one of the first samples after the blast began (A's queue
	# passes 5 packets with its first datagrams)
	json_cmp "$a" .samples_to_first -le 3
	# the drops the events added up are the class's, as qinfo counts them at the end
	json_cmp "$a" .drops -gt 0
	[ "$(jq .drops <<<"$a")" -eq "$(jq .qinfo_drops <<<"$a")" ]
	json_cmp "$a" .backlog_max -gt 5
	# B: sampled as often as A over the same time, and no event at all
	json_eq "$b" .reads 0
	json_eq "$b" .events 0
	json_eq "$b" .qinfo_drops 0
	# B was sampled at least as often as A: the sampler's samples of both, less the ones A's
	# reads counted (its samples since qnotify, whose baseline the sampler did not take;
	# A's samples after its last event wait unread, so they count as B's here)
	a_samples=$(jq .samples <<<"$a")
	b_samples=$(($(jq .sampler_samples <<<"$output") - (a_samples - 1)))
	echo "samples: A $a_samples, B $b_samples"
	[ "$a_samples" -ge 50 ]	# 1 s at 10 ms, and the drain
	[ "$b_samples" -ge $((a_samples - 2)) ]
}

@test "a stream detached under its notifier raises QNOTIFY_GONE with ENOENT, once" {
	run probe gone
	assert_status 0
	echo "$output"
	# QNOTIFY_GONE (0x80000000), not asked for; error ENOENT (2)
	json_eq "$output" '.a.events' 2147483648
	json_eq "$output" '.a.reads' 1
	json_eq "$output" .error 2
}

@test "bad arguments: closed fd, no socket, no stream, NULL, size, mask, interval, read of a non-notifier: each a clear error, nothing left open" {
	run probe errors
	echo "$output"
	assert_status 0
	assert_output_contains "ok unknown mask bits: qnotify: qnotify_params.mask 0x31: unknown bits 0x30 (known: 0xf)"
	assert_output_contains "ok interval too short: qnotify: qnotify_params.interval_us 999: out of range 1000..10000000 (0: the default, 10000)"
	assert_output_contains "ok the notifier is close-on-exec and non-blocking"
}

@test "closing the notifiers ends them: the sampler thread and every fd are gone; a new notifier starts it again" {
	run probe leak 50
	assert_status 0
	echo "$output"
	t0=$(jq '.threads[0]' <<<"$output")
	f0=$(jq '.fds[0]' <<<"$output")
	# while 50 notifiers were open: one thread more (the sampler) and 50 fds more (their ends;
	# the sampler's own ends, its eventfd and its netlink socket are fds of the process too:
	# 50 + 50 + 1 + 1)
	json_eq "$output" '.threads[1]' $((t0 + 1))
	json_eq "$output" '.fds[1]' $((f0 + 102))
	# after close(): back to where it started
	json_eq "$output" '.threads[2]' "$t0"
	json_eq "$output" '.fds[2]' "$f0"
	json_eq "$output" .sampler_running false
	json_eq "$output" .restarted true
}

@test "qsock events follows the same events through qsockd: backlog and drops of the stream over its rate, nothing of the idle one" {
	QSOCKD=$QSOCK_BUILD/daemon/qsockd
	QSOCK=$QSOCK_BUILD/tools/qsock/qsock
	require_file "$QSOCKD" make
	require_file "$QSOCK" make
	$IN "$QSOCKD" -n -s "$BATS_TEST_TMPDIR/sock" -c "$BATS_TEST_TMPDIR/none.conf" 3>&- \
		2>"$BATS_TEST_TMPDIR/log" &
	defer kill $!
	wait_until 10 grep -q "listening on" "$BATS_TEST_TMPDIR/log"
	$IN "$QSOCK" -j events veth0 -s "$BATS_TEST_TMPDIR/sock" -i 20 -b 5 3>&- \
		>"$BATS_TEST_TMPDIR/events" 2>&1 &
	ev=$!
	defer kill "$ev"
	run probe over 125000 10.99.0.2:9 1 1000 10000 5
	assert_status 0
	sleep 0.1
	kill -TERM "$ev" || { cat "$BATS_TEST_TMPDIR/events"; false; }
	wait "$ev"	# SIGTERM ends it cleanly: status 0
	a=$(jq -r .a.classid <<<"$output")
	b=$(jq -r .b.classid <<<"$output")
	cat "$BATS_TEST_TMPDIR/events"
	# every line is one JSON object
	jq -e . "$BATS_TEST_TMPDIR/events" >/dev/null
	# A: a backlog above 5 and drops, with their increments
	jq -se --arg c "$a" 'map(select(.classid == $c and (.events | index("backlog")))) | length >= 1' \
		"$BATS_TEST_TMPDIR/events"
	jq -se --arg c "$a" 'map(select(.classid == $c and (.events | index("drop")) and .drops > 0)) | length >= 1' \
		"$BATS_TEST_TMPDIR/events"
	# B: nothing but, perhaps, its removal
	jq -se --arg c "$b" 'map(select(.classid == $c and .events != ["gone"])) | length == 0' \
		"$BATS_TEST_TMPDIR/events"
}
