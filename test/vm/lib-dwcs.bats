#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# libqsock with the dwcs qdisc (kmod/sch_dwcs.ko), inside the test VM: the paper's examples
# run as printed; per-message deadlines and flags reach the qdisc end to end (lossy late
# packets dropped, non-droppable ones survive, frames dropped as frames), through the send
# slot, and through what a send falls back to when the slot is busy: the SO_MARK cmsg as root
# and the per-socket flags word as an unprivileged user (via qsockd).
# A 1 Mbit/s root shaper (125000 B/s) makes the queue build up so deadlines are missed.

load ../lib/common
load ../lib/permsg

DRIVER=$QSOCK_BUILD/test/apps/lib_driver
QSOCKD=$QSOCK_BUILD/daemon/qsockd
KMOD=$QSOCK_KMOD_DIR/dwcs/sch_dwcs.ko

setup() {
	require_vm
	require_file "$DRIVER" "make"
	require_file "$KMOD" "make (kmod)"
	grep -qw sch_dwcs /proc/modules || insmod "$KMOD" || skip "insmod sch_dwcs.ko failed"
	modprobe -q veth 2>/dev/null || true
	modprobe -q cls_bpf 2>/dev/null || true
	new_ns S qsd
	new_ns R qsd
	veth_pair "$S" 10.97.0.1/24 "$R" 10.97.0.2/24
	IN="nsenter --net=/run/netns/$S"
	PINS=/sys/fs/bpf/qsock/veth0@ns$(stat -L -c %i "/run/netns/$S")
	defer rm -rf "$PINS"
}

drv() { t $IN "$DRIVER" -d veth0 -s dwcs "$@"; }

# slot_entries: how many sockets have a send slot in the classifier's slots map
slot_entries() { bpftool -j map dump pinned "$PINS/slots" | jq length; }
slots_none() { [ "$(slot_entries)" -eq 0 ]; }
slots_some() { [ "$(slot_entries)" -gt 0 ]; }
# no_shared_slot_dir: the pin directory holds the four maps and no directory another user
# could write into (docs/security.md, "Send slots")
no_shared_slot_dir() {
	[ ! -e "$PINS/slot" ]
	[ -z "$(find "$PINS" -mindepth 1 -type d)" ]
	[ -z "$(find "$PINS" -perm -0002 ! -name flags)" ]
}

@test "lib-dwcs: the paper's four examples run as printed" {
	for e in init qsocket qsendto qattach; do
		require_file "$QSOCK_BUILD/test/apps/paper-$e" "make"
	done
	export QSOCK_EXAMPLE_DEV=veth0 QSOCK_EXAMPLE_PEER=10.97.0.2
	run t $IN "$QSOCK_BUILD/test/apps/paper-init"
	assert_status 0
	run t $IN "$QSOCK_BUILD/test/apps/paper-qsocket"
	assert_status 0
	assert_output_contains "ipg 10000000 ns, 0/10, flags 0x1"
	run t $IN "$QSOCK_BUILD/test/apps/paper-qsendto"
	assert_status 0
	assert_output_contains "carrier 3 sent 20 packets"	# QSOCK_CARRIER_SLOT
	run t $IN "$QSOCK_BUILD/test/apps/paper-qattach"
	assert_status 0
	assert_output_contains "(dwcs)"
	run $IN tc qdisc show dev veth0	# text: tc -j needs the dwcs tc plugin for valid JSON
	assert_output_contains "qdisc dwcs 1: root"
}

SCENARIO=(sock 1 udp -- attach 1 ipg=1000 old=10 oln=10
	-- send 1 10.97.0.2:9 50 1000 rel-deadline=2000000 -- sleep 600 -- info 1
	-- sock 2 udp -- attach 2 ipg=1000 old=10 oln=10
	-- send 2 10.97.0.2:9 50 1000 nd rel-deadline=2000000 -- sleep 600 -- info 2
	-- sock 3 udp -- attach 3 ipg=1000 old=10 oln=10
	-- send 3 10.97.0.2:9 40 1000 frames=4 rel-deadline=3000000 -- sleep 600 -- info 3)
# Through qsockd a class's ceiling is the rate the policy counted (docs/security.md, "Rate
# quotas"): without a stated rate, one MTU per ipg (12 kbit/s here), far below these bursts.
# The unprivileged runs state the rate their bursts need, the whole 1 Mbit/s link.
with_rate() {
	local w
	for w in "$@"; do
		[ "$w" = oln=10 ] && printf '%s\n' "$w" rate=125000 || printf '%s\n' "$w"
	done
}
# the same without the send slots
NOSLOT=(sock 1 udp -- attach 1 ipg=1000 old=10 oln=10 -- noslot 1
	-- send 1 10.97.0.2:9 50 1000 rel-deadline=2000000 -- sleep 600 -- info 1
	-- sock 2 udp -- attach 2 ipg=1000 old=10 oln=10 -- noslot 2
	-- send 2 10.97.0.2:9 50 1000 nd rel-deadline=2000000 -- sleep 600 -- info 2
	-- sock 3 udp -- attach 3 ipg=1000 old=10 oln=10 -- noslot 3
	-- send 3 10.97.0.2:9 40 1000 frames=4 rel-deadline=3000000 -- sleep 600 -- info 3)

@test "lib-dwcs: as root, deadlines and flags reach the qdisc (send slot; SCM_TXTIME + SO_MARK)" {
	require_cmd bpftool
	run drv init rate=125000
	assert_status 0
	# a send slot is one socket's, and goes with its stream: at qclose ...
	run drv sock 1 udp -- attach 1 ipg=1000 old=10 oln=10 -- qclose 1
	assert_status 0
	slots_none
	run drv "${SCENARIO[@]}"
	assert_status 0
	json_eq "$(grep '"slot":1,' <<<"$output")" .carrier 3	# QSOCK_CARRIER_SLOT
	per_message_checks "$output"
	# each slot went to its owner as an fd: nothing of it is pinned, and nothing in the
	# device's pin directory is a directory other users may write (no 01777 slot/)
	no_shared_slot_dir
	# ... or at the sweep after its owner exited
	[ "$(slot_entries)" -eq 3 ]
	run drv init rate=125000
	assert_status 0
	slots_none
	run drv "${NOSLOT[@]}"
	assert_status 0
	json_eq "$(grep '"slot":1,' <<<"$output")" .carrier 1	# QSOCK_CARRIER_MARK_CMSG
	per_message_checks "$output"
	# only the manager writes socket -> class: an unprivileged process cannot
	if command -v setpriv >/dev/null && command -v bpftool >/dev/null; then
		run t setpriv --reuid=nobody --regid=nogroup --clear-groups \
			bpftool map update pinned "$PINS/streams" key hex 01 00 00 00 00 00 00 00 \
			value hex $(printf '00 %.0s' $(seq 144)) any
		[ "$status" -ne 0 ]
		assert_output_contains "ermission denied"
	fi
}

@test "lib-dwcs: after tc moves the qdisc's mark mask, deadlines and flags still reach it (send slot; SO_MARK)" {
	require_file "$QSOCK_BUILD/tc/q_dwcs.so" "make"
	run drv init rate=125000
	assert_status 0
	# bits 15-19 instead of the default 24-28: the library reads the mask at attach
	TC_LIB_DIR=$QSOCK_BUILD/tc t $IN tc qdisc change dev veth0 root handle 1: dwcs markmask 0xf8000
	run drv "${SCENARIO[@]}"
	assert_status 0
	json_eq "$(grep '"slot":1,' <<<"$output")" .carrier 3	# QSOCK_CARRIER_SLOT
	per_message_checks "$output"
	run drv init rate=125000	# the same root, kept: its streams swept
	assert_status 0
	run drv "${NOSLOT[@]}"
	assert_status 0
	json_eq "$(grep '"slot":1,' <<<"$output")" .carrier 1	# QSOCK_CARRIER_MARK_CMSG
	per_message_checks "$output"
}

@test "lib-dwcs: unprivileged through qsockd, deadlines and flags reach the qdisc (send slot; SCM_TXTIME + flags word)" {
	require_file "$QSOCKD" "make"
	require_cmd setpriv
	local dir sock log
	dir=$(mktemp -d /tmp/lib-dwcs.XXXXXX)
	chmod 755 "$dir"
	defer rm -rf "$dir"
	sock=$dir/qsockd.sock
	log=$dir/qsockd.log
	cat >"$dir/qsock.conf" <<-'C'
	policy = { rules = ( { user = "nobody"; max_rate = "20mbit"; nondroppable = true; } ); };
	C
	run drv init rate=125000
	assert_status 0
	$IN "$QSOCKD" -n -l info -s "$sock" -c "$dir/qsock.conf" 3>&- 2>>"$log" &
	defer kill -9 $!
	wait_until 10 grep -q "listening on" "$log"
	export QSOCKD_SOCKET="$sock"
	mapfile -t scenario < <(with_rate "${SCENARIO[@]}")
	run t $IN setpriv --reuid=nobody --regid=nogroup \
		--clear-groups "$DRIVER" -d veth0 -s dwcs "${scenario[@]}"
	cat "$log"
	assert_status 0
	json_eq "$(grep '"slot":1,' <<<"$output")" .carrier 3	# QSOCK_CARRIER_SLOT
	json_eq "$(grep '"slot":1,' <<<"$output")" .path 2	# through qsockd
	per_message_checks "$output"
	# a slot is its owner's alone (its fd came with qsockd's reply, never pinned), and
	# qsockd removes it with the stream when the owner exits
	local bg
	if command -v bpftool >/dev/null; then
		# Windows sized for a loaded emulated CPU, where starting the owner and attaching
		# through qsockd can take seconds: the owner lives until it is killed, and every wait
		# is on a state, with a bound far above the normal case.
		wait_until 30 slots_none
		$IN setpriv --reuid=nobody --regid=nogroup --clear-groups "$DRIVER" -d veth0 \
			-s dwcs sock 1 udp -- attach 1 ipg=1000 old=10 oln=10 -- sleep 120000 &
		bg=$!
		defer kill -9 "$bg"
		wait_until 60 slots_some
		no_shared_slot_dir
		kill -9 "$bg"
		wait "$bg" || true
		wait_until 30 slots_none
	fi
	mapfile -t noslot < <(with_rate "${NOSLOT[@]}")
	run t $IN setpriv --reuid=nobody --regid=nogroup \
		--clear-groups "$DRIVER" -d veth0 -s dwcs "${noslot[@]}"
	assert_status 0
	json_eq "$(grep '"slot":1,' <<<"$output")" .carrier 2	# QSOCK_CARRIER_SOCK_STORAGE
	per_message_checks "$output"
}

@test "lib-dwcs: the kernel's own reason (extended ACK) reaches qsock_strerror; nothing is left" {
	run drv fail ERANGE "creating the dwcs root qdisc: Numerical result out of range (kernel: rate below 1kbit" init rate=100
	assert_status 0
	run $IN tc qdisc show dev veth0
	assert_output_contains "qdisc noqueue 0: root"
	[ ! -e "$PINS" ]
}

# Issue #18 item 1 with the dwcs qdisc: 100 datagrams of 1000 bytes into a stream of one packet
# per 5 ms (0.5 s of queue), the socket closed right after the last send. The class outlives
# the socket until its queue has drained (lib/linger.c); with QSOCK_LINGER_MS=0 it goes at once.
@test "lib-dwcs: qclose keeps the class until its queue has drained: every datagram arrives (QSOCK_LINGER_MS=0 loses most)" {
	local rx="nsenter --net=/run/netns/$R"
	run drv init rate=1250000
	assert_status 0
	local sinks=()
	$rx "$DRIVER" sink 5001 3 >"$BATS_TEST_TMPDIR/linger" &
	sinks+=($!)
	$rx "$DRIVER" sink 5002 3 >"$BATS_TEST_TMPDIR/nolinger" &
	sinks+=($!)
	wait_until 5 grep -q listening "$BATS_TEST_TMPDIR/linger"
	wait_until 5 grep -q listening "$BATS_TEST_TMPDIR/nolinger"
	run drv sock 1 udp -- attach 1 ipg_ns=5000000 lossless -- send 1 10.97.0.2:5001 100 1000 \
		-- qclose 1
	assert_status 0
	QSOCK_LINGER_MS=0 run drv sock 1 udp -- attach 1 ipg_ns=5000000 lossless \
		-- send 1 10.97.0.2:5002 100 1000 -- qclose 1
	assert_status 0
	[ "$(TC_LIB_DIR=$QSOCK_BUILD/tc $IN tc class show dev veth0 | grep -c '^class dwcs')" -eq 0 ]
	# The sinks by pid: a bare `wait` would also wait for bats' own per-test timeout
	# countdown (BATS_TEST_TIMEOUT, set in the VM runs), a child of this shell, and hang.
	wait "${sinks[@]}"
	echo "with linger: $(tail -n 1 "$BATS_TEST_TMPDIR/linger"); without: $(tail -n 1 "$BATS_TEST_TMPDIR/nolinger")"
	json_eq "$(tail -n 1 "$BATS_TEST_TMPDIR/linger")" .packets 100
	json_cmp "$(tail -n 1 "$BATS_TEST_TMPDIR/nolinger")" .packets -lt 100
}

# Issue #18 item 5: `ip netns exec` remounts /sys, which hides the bpffs at /sys/fs/bpf. qsock
# then pins in the host's bpffs through /proc/1/root (lib/cls_pins.c), so a root installed by
# one `ip netns exec` serves programs started by another, as services started that way expect.
# In the VM, since on the CI host pid 1 is a supervisor whose root even root may not follow.
@test "lib-dwcs: under ip netns exec, qsockinit in one, a stream in another, qsockfini in a third; the pins are the host's" {
	local NX="ip netns exec $S"
	root_kind() { $IN tc qdisc show dev veth0 | awk '/ root / { print $2 }'; }
	run t $NX "$DRIVER" -d veth0 -s dwcs init rate=1250000
	assert_status 0
	[ "$(root_kind)" = dwcs ]
	[ -e "$PINS/conf" ]	# seen from outside: the host's bpffs, not a private instance
	run t $NX "$DRIVER" -d veth0 -s dwcs sock 1 udp -- attach 1 ipg_ns=1000000 lossless -- \
		send 1 10.97.0.2:9 20 200 -- sleep 200 -- info 1
	assert_status 0
	json_eq "$output" .sched dwcs
	json_eq "$output" .sent_pkts 20
	# and a program with the host's /sys (nsenter) finds the same root
	run drv sock 1 udp -- attach 1 ipg_ns=1000000 -- info 1
	assert_status 0
	json_eq "$output" .sched dwcs
	run t $NX "$DRIVER" -d veth0 -s dwcs fini
	assert_status 0
	[ "$(root_kind)" != dwcs ]
	[ ! -e "$PINS" ]
}
