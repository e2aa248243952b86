#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# qsockd with the dwcs qdisc, inside the test VM: an unprivileged program gets a DWCS stream
# through the daemon and its packets are scheduled in its class; non-droppable is granted
# by policy only.

load ../lib/common

QSOCKD=$QSOCK_BUILD/daemon/qsockd
APP=$QSOCK_BUILD/test/apps/daemon_app
KMOD=$QSOCK_KMOD_DIR/dwcs/sch_dwcs.ko

setup() {
	require_vm
	require_file "$QSOCKD" "make"
	require_file "$APP" "make"
	require_file "$KMOD" "make (kmod)"
	grep -qw sch_dwcs /proc/modules || insmod "$KMOD" || skip "insmod sch_dwcs.ko failed"
	modprobe -q veth 2>/dev/null || true
	modprobe -q cls_bpf 2>/dev/null || true
	new_ns NS qsv
	new_ns PEER qsv
	veth_pair "$NS" 10.79.0.1/24 "$PEER" 10.79.0.2/24
	IN="nsenter --net=/run/netns/$NS"
	DIR=$(mktemp -d /tmp/qsockd-vm.XXXXXX)
	chmod 755 "$DIR"
	defer rm -rf "$DIR"
	SOCK=$DIR/qsockd.sock
	LOG=$DIR/qsockd.log
	CONF=$DIR/qsock.conf
	cat >"$CONF" <<-'C'
	policy = { rules = ( { user = "nobody"; max_rate = "20mbit"; nondroppable = true; lossless = true; } ); };
	C
	run t $IN "$APP" init veth0 dwcs 1250000
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	defer t $IN "$APP" fini veth0 dwcs
	$IN "$QSOCKD" -n -l info -s "$SOCK" -c "$CONF" 3>&- 2>>"$LOG" &
	DPID=$!
	defer kill -9 "$DPID"
	wait_until 10 grep -q "listening on" "$LOG"
}

run_app() { # run_app UID COMMANDS...: one daemon_app session as UID, a command per argument
	local uid=$1
	shift
	printf '%s\n' "$@" | QSOCKD_SOCKET=$SOCK t $IN setpriv --reuid="$uid" --regid="$uid" \
		--clear-groups "$APP" run 10.79.0.2 9
}

@test "daemon-dwcs: an unprivileged program's non-droppable DWCS stream, through qsockd, carries its packets" {
	nobody=$(id -u nobody)
	run run_app "$nobody" "attach veth0 dwcs 10 1 10 1" "send 30 1000" "info"
	echo "$output"
	[[ "${lines[0]}" == "ok attached" ]]
	[[ "${lines[2]}" == ok* ]]
	[[ "${lines[2]}" == *"sched=dwcs"* ]]
	[[ "${lines[2]}" == *"path=2"* ]]
	# the class counted the stream's packets (the first ones leave at once, the rest are paced)
	sent=$(sed -n 's/.* sent_pkts=\([0-9]*\).*/\1/p' <<<"${lines[2]}")
	[ "$sent" -gt 0 ]
	grep -q "attach: uid $nobody .* (daemon_app)" "$LOG"
}

@test "daemon-dwcs: a uid without the rule is refused non-droppable with EPERM naming the default" {
	run run_app 12345 "attach veth0 dwcs 100 1 10 1"
	[[ "$output" == *"errno=1 "* ]]
	[[ "$output" == *"policy default (built-in): non-droppable streams are not allowed"* ]]
	run run_app 12345 "attach veth0 dwcs 100 1 10"
	[[ "$output" == "ok attached" ]]
}

# docs/security.md, "Rate quotas": dwcs serves one packet of any size per ipg, so a stream
# stating a small rate with a short ipg would take the link; the class's ceiling (maxrate,
# set by qsockd to the rate its policy counted) holds it to what was counted.
@test "daemon-dwcs: a stream stating 1 Mbit/s with ipg 1 ms and 1400-byte packets gets 1 Mbit/s, not 11" {
	nobody=$(id -u nobody)
	# lossless, so that the backlog lasts through the measurement (nothing dropped as late)
	# stdin held open for 30 s: the program, its socket and so its class live that long
	{ printf '%s\n' "attach veth0 dwcs 1 0 0 2 125000" "send 1000 1400"; sleep 30; } |
		QSOCKD_SOCKET=$SOCK $IN setpriv --reuid="$nobody" --regid="$nobody" --clear-groups \
			"$APP" run 10.79.0.2 9 >"$BATS_TEST_TMPDIR/app.out" 2>&1 &
	app=$!
	defer kill -9 "$app"
	wait_until 20 grep -q "ok attached" "$BATS_TEST_TMPDIR/app.out" ||
		{ cat "$BATS_TEST_TMPDIR/app.out"; false; }
	classes=$(TC_LIB_DIR=$QSOCK_BUILD/tc t $IN tc class show dev veth0)
	grep -q "maxrate 1Mbit" <<<"$classes" ||
		{ echo "$classes"; echo "no 1Mbit ceiling on the stream's class"; false; }
	# The sender stays backlogged for the whole 1000 x 1442 bytes (11.5 s at 1 Mbit/s): its
	# send buffer (about 90 packets queued) blocks it while the class drains. Measure 3 s of
	# that, from 1 s on.
	sleep 1
	b0=$(ip netns exec "$PEER" cat /sys/class/net/veth1/statistics/rx_bytes)
	t0=$EPOCHREALTIME
	sleep 3
	b1=$(ip netns exec "$PEER" cat /sys/class/net/veth1/statistics/rx_bytes)
	t1=$EPOCHREALTIME
	bps=$(awk -v b="$((b1 - b0))" -v a="$t0" -v z="$t1" 'BEGIN { printf "%d", b * 8 / (z - a) }')
	echo "# delivered ${bps} bit/s (link bytes, with headers) against a 1,000,000 bit/s ceiling" >&3
	TC_LIB_DIR=$QSOCK_BUILD/tc t $IN tc -s class show dev veth0
	# The ceiling and the link count the same bytes (Ethernet, IP and UDP headers included);
	# 12 % for a VM timer's jitter and the bucket's one period. Without the ceiling the stream
	# would take 11.5 Mbit/s (one 1442-byte packet per ms), held to 10 by the root shaper.
	[ "$bps" -le 1120000 ]
	# and the stream is served: the ceiling is not a stop
	[ "$bps" -ge 300000 ]
}
