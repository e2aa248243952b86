#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# qsockd with the dwcs qdisc, inside the test VM: an unprivileged program gets a DWCS stream
# through the daemon and its packets are scheduled in its class; non-droppable is granted
# by policy only.

load ../lib/common

QSOCKD=$QSOCK_BUILD/daemon/qsockd
APP=$QSOCK_BUILD/test/unit/daemon_app
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
	policy = { rules = ( { user = "nobody"; max_rate = "20mbit"; nondroppable = true; } ); };
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
