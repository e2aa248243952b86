#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# dwcs-bpf: DWCS as a BPF qdisc (lib/bpf/dwcs_qdisc.bpf.c, kind dwcs_bpf) installed through
# libqsock's "dwcs-bpf" scheduler module, with real traffic on the veth pair of the dwcs
# suites. Needs a kernel with BPF qdiscs (CONFIG_NET_SCH_BPF, Linux 6.16+; Debian 6.17+):
# on 6.1 and 6.12 every test skips and says so. Part of the smoke role (test/vm/build.mk),
# so that the unpacked newest kernel runs it. Streams are written into the qdisc's pinned
# dwcs_cfg map here (what the module's set_stream does for a socket) so that each test
# controls its stream's parameters and selects it with SO_PRIORITY, as the dwcs suites do.

load ../lib/common
load ../lib/dwcs
load ../lib/permsg

PIN=/sys/fs/bpf/qsock/dwcs_bpf
QSOCK_ROOT=$QSOCK_BUILD/test/apps/qsock-root
# qsock-root in the sender's network namespace but the VM's mount namespace: `ip netns exec`
# mounts a private /sys, and the pins would vanish with it
qroot() { t nsenter --net=/run/netns/"$SND" "$QSOCK_ROOT" "$@"; }

setup_file() {
	# The kernel's struct_ops type for qdiscs exists only with CONFIG_NET_SCH_BPF: its name is
	# in vmlinux's BTF strings. Looked up once: a full BTF dump takes seconds in the TCG guest.
	DWCS_BPF_QDISCS=no
	grep -qaF bpf_struct_ops_Qdisc_ops /sys/kernel/btf/vmlinux 2>/dev/null && DWCS_BPF_QDISCS=yes
	export DWCS_BPF_QDISCS
}

setup() {
	require_vm
	require_root
	[ "$DWCS_BPF_QDISCS" = yes ] ||
		skip "kernel $(uname -r) has no BPF qdiscs (CONFIG_NET_SCH_BPF, Linux 6.16+, Debian 6.17+)"
	require_cmd bpftool jq tc ip
	require_file "$DWCS_UDP" "make builds it"
	require_file "$QSOCK_ROOT" "make builds it"
	dwcs_link
	qroot init veth0 dwcs-bpf
}

teardown() {
	[ -n "${SND:-}" ] && qroot fini veth0 dwcs-bpf || true
}

le32() { printf '%d %d %d %d' $(($1 & 255)) $((($1 >> 8) & 255)) $((($1 >> 16) & 255)) $((($1 >> 24) & 255)); }
le64() { le32 $(($1 & 0xffffffff)); printf ' '; le32 $(($1 >> 32)); }

# bstream MINOR IPG_NS X Y FLAGS [GEN [MAX_RATE [LIMIT]]]: struct dwcs_bpf_cfg of
# lib/bpf/dwcs_qdisc.h (MAX_RATE bytes/s, 0: no ceiling; LIMIT packets, default 1000)
bstream() {
	local gen=${6:-1} max_rate=${7:-0} limit=${8:-1000}
	# shellcheck disable=SC2046
	t bpftool map update pinned "$PIN/dwcs_cfg" key $(le32 "$1") \
		value $(le64 "$2") $(le32 "$3") $(le32 "$4") $(le32 "$5") $(le32 "$limit") \
		$(le32 "$gen") $(le32 "$gen") $(le64 "$max_rate")
}
# bstat MINOR FIELD: a counter of struct dwcs_bpf_stats
bstat() {
	# shellcheck disable=SC2046
	bpftool -j map lookup pinned "$PIN/dwcs_state" key $(le32 "$1") |
		jq -r ".formatted.value.st.$2"
}
got() { grep -c -v '^#' "$1" || true; }
# edf_stream_on_1mbit MINOR: the root again with a 1 Mbit/s shaper, and stream MINOR with
# ipg 1 ms, 0/0, lossy, per-packet deadlines (the overload tests of the module's suite)
edf_stream_on_1mbit() {
	qroot fini veth0 dwcs-bpf
	qroot init veth0 dwcs-bpf --rate 125000
	bstream "$1" 1000000 0 0 4
}

# #16: the paper's examples name "dwcs" as printed. On a kernel without the module the BPF
# qdisc serves that discipline (lib/sched.c, qsock_sched_serves): qsockinit("dwcs") installs
# it, and attaches asking for "dwcs" are served by it.
@test "dwcs-bpf: the paper's four examples, which name \"dwcs\", run unchanged with no sch_dwcs module" {
	for e in init qsocket qsendto qattach; do
		require_file "$QSOCK_BUILD/test/apps/paper-$e" "make"
	done
	if [ -d /sys/module/sch_dwcs ]; then
		rmmod sch_dwcs || skip "sch_dwcs is loaded and in use: the fallback cannot be shown"
	fi
	qroot fini veth0 dwcs-bpf	# paper-init's qsockinit("dwcs") makes the root itself
	export QSOCK_EXAMPLE_DEV=veth0 QSOCK_EXAMPLE_PEER=$DWCS_RCV_IP
	local IN="nsenter --net=/run/netns/$SND"
	run t $IN "$QSOCK_BUILD/test/apps/paper-init"
	assert_status 0
	run stc qdisc show dev veth0
	[[ "$output" == *"qdisc dwcs_bpf 1: root"* ]]
	run t $IN "$QSOCK_BUILD/test/apps/paper-qsocket"
	assert_status 0
	assert_output_contains "ipg 10000000 ns, 0/10, flags 0x1"
	run t $IN "$QSOCK_BUILD/test/apps/paper-qsendto"
	assert_status 0
	assert_output_contains "sent 20 packets"
	run t $IN "$QSOCK_BUILD/test/apps/paper-qattach"
	assert_status 0
}

@test "dwcs-bpf: qsockinit registers the BPF qdisc and installs it at the root, qsockfini removes both" {
	run stc qdisc show dev veth0
	echo "$output"
	[[ "$output" == *"qdisc dwcs_bpf 1: root"* ]]
	run bpftool struct_ops list
	[[ "$output" == *"dwcs_bpf"*"Qdisc_ops"* ]]
	qroot fini veth0 dwcs-bpf
	run stc qdisc show dev veth0
	[[ "$output" != *dwcs_bpf* ]]
	run bpftool struct_ops list
	[[ "$output" != *dwcs_bpf* ]]
	[ ! -e "$PIN/dwcs_cfg" ]
}

@test "dwcs-bpf: a stream and best effort through the qdisc, both delivered, counted per stream" {
	# lossless (flags 2 | EDF 4): the test is about the path through the qdisc, and a lossy
	# stream may lawfully lose packets whose dequeue a loaded emulated CPU delays past ipg
	bstream 0x10 1000000 1 10 6
	recv_start 9010 15 "$BATS_TEST_TMPDIR/s10"
	recv_start 9099 15 "$BATS_TEST_TMPDIR/be"
	# the stream offers a quarter of its rate (one packet per 4 ms, ipg 1 ms)
	snd 9010 -n 200 -i 4000 -s 400 -p 0x10010
	snd 9099 -n 200 -i 4000 -s 400
	recv_wait
	echo "stream $(got "$BATS_TEST_TMPDIR/s10") (map: sent $(bstat 0x10 sent_pkts)), best effort $(got "$BATS_TEST_TMPDIR/be")"
	[ "$(got "$BATS_TEST_TMPDIR/s10")" -eq 200 ]
	[ "$(got "$BATS_TEST_TMPDIR/be")" -eq 200 ]
	[ "$(bstat 0x10 sent_pkts)" -eq 200 ]
	[ "$(bstat 0x10 backlog)" -eq 0 ]
}

# burst SIZE: 100 packets of SIZE bytes at once to stream 0x10 (port 9010); checks that all 100
# arrived and sets BURST_MS to how long they took
burst() {
	local t0 t1
	recv_start 9010 15 "$BATS_TEST_TMPDIR/s10"
	t0=$(date +%s%N)
	snd 9010 -n 100 -i 0 -s "$1" -p 0x10010
	recv_wait
	t1=$(date +%s%N)
	BURST_MS=$(((t1 - t0) / 1000000))
	echo "# 100 packets of $1 B: sent $(bstat 0x10 sent_pkts), received $(got "$BATS_TEST_TMPDIR/s10") in $BURST_MS ms" >&3
	[ "$(got "$BATS_TEST_TMPDIR/s10")" -eq 100 ]
}

@test "dwcs-bpf: a stream is held to one packet per ipg, best effort behind it gets the rest" {
	require_timely_timers 5
	bstream 0x10 20000000 0 0 6 # ipg 20 ms, 0/0 EDF, lossless: every packet goes, late
	# 100 packets at once: at one per 20 ms they take 2 s
	burst 200
	[ "$BURST_MS" -ge 1900 ]
	[ "$BURST_MS" -le 4000 ]
}

@test "dwcs-bpf: a stream's byte-rate ceiling holds it to max_rate, not one packet per ipg" {
	require_timely_timers 5
	# ipg 1 ms would let 100 packets out in 0.1 s; the ceiling, 25,000 B/s, holds the
	# 100 x 1042 bytes (the qdisc counts the Ethernet, IP and UDP headers) to about 4.1 s,
	# less the one period of burst the bucket allows. Lossless: every packet goes.
	bstream 0x10 1000000 0 0 6 1 25000
	burst 1000
	[ "$BURST_MS" -ge 3800 ]
	[ "$BURST_MS" -le 9000 ]
}

@test "dwcs-bpf: a deadline beyond the 10 s horizon is clamped and counted; the packets go" {
	bstream 0x10 1000000 0 0 6 # ipg 1 ms, EDF, lossless
	recv_start 9010 15 "$BATS_TEST_TMPDIR/s10"
	snd 9010 -n 10 -i 1000 -s 200 -p 0x10010 -d 5000000	# 5 s ahead: inside
	snd 9010 -n 10 -i 1000 -s 200 -p 0x10010 -d 3600000000	# 1 h ahead: clamped
	recv_wait
	echo "received $(got "$BATS_TEST_TMPDIR/s10"), horizon_caps $(bstat 0x10 horizon_caps)"
	[ "$(got "$BATS_TEST_TMPDIR/s10")" -eq 20 ]
	[ "$(bstat 0x10 horizon_caps)" -eq 10 ]
}

@test "dwcs-bpf: EDF lossy never sends a packet after its deadline; non-droppable never dropped" {
	# The receiver's cross-check below presumes a VM that runs on time, as the module's
	# (dwcs-traffic.bats): on a loaded host one vCPU stall between dequeue and receive was
	# seen to put one packet 11.5 ms after its deadline.
	require_timely_timers 2
	edf_stream_on_1mbit 0x10
	recv_start 9010 30 "$BATS_TEST_TMPDIR/s10"
	# 1.8x overload of the 1 Mbit/s link, 20 ms deadlines, every third packet non-droppable
	snd 9010 -n 600 -i 2000 -s 400 -p 0x10010 -d 20000 -N 3
	recv_wait
	# Fields: 3 the packet's flags (bit 0 non-droppable; mawk has no and()), 4 its deadline,
	# 5 the receiver's kernel time stamp. As for the module (dwcs-traffic.bats), "late" at
	# the receiver allows 10 ms after the deadline: the packet's own 3.5 ms on the 1 Mbit/s
	# link after its dequeue, the veth and the receive path of an emulated CPU.
	late=$(awk '!/^#/ && $4 > 0 && $5 > $4 + 10000000 && $3 % 2 == 0' "$BATS_TEST_TMPDIR/s10" | wc -l)
	worst=$(awk '!/^#/ && $4 > 0 && $3 % 2 == 0 && $5 - $4 > w { w = $5 - $4 } END { printf "%.1f", w / 1e6 }' \
		"$BATS_TEST_TMPDIR/s10")
	nd=$(awk '!/^#/ && $3 % 2 == 1' "$BATS_TEST_TMPDIR/s10" | wc -l)
	echo "received $(got "$BATS_TEST_TMPDIR/s10"), droppable more than 10 ms late $late" \
		"(worst $worst ms after its deadline), non-droppable $nd of 200," \
		"drop_late $(bstat 0x10 drop_late), late_sent $(bstat 0x10 late_sent)"
	# the shaped link really was overloaded, and the qdisc dropped for lateness
	[ "$(bstat 0x10 drop_late)" -gt 100 ]
	[ "$nd" -eq 200 ]
	# the receiver's cross-check, when the VM runs on time (on an overloaded host its vCPU can
	# be descheduled between dequeue and receive for longer than the slack)
	[ "$(timer_lateness_ms)" -le 5 ] || return 0
	[ "$late" -eq 0 ]
}

# #16: a full stream gives up its highest drop priority first (sch_dwcs's overflow rule; the
# program rotates its bpf_list to take a packet out of the middle, lib/bpf/dwcs_qdisc.bpf.c
# unlink_overflow_victim). 300 packets of 1000 B at once into a stream of limit 20 on a
# 1 Mbit/s link, every second one with drop priority 3: a tail drop would deliver both kinds
# alike; by priority, a queued priority-3 packet makes room for each arriving priority-0 one.
@test "dwcs-bpf: a full stream drops its highest drop priority first" {
	qroot fini veth0 dwcs-bpf
	qroot init veth0 dwcs-bpf --rate 125000
	bstream 0x10 1000000 0 0 2 1 0 20
	recv_start 9010 15 "$BATS_TEST_TMPDIR/s10"
	snd 9010 -n 300 -i 0 -s 1000 -p 0x10010 -D 2
	recv_wait
	# field 3: the packet's flags; its drop priority is bits 1-2 (mawk has no and())
	p0=$(awk '!/^#/ && int($3 / 2) % 4 == 0' "$BATS_TEST_TMPDIR/s10" | wc -l)
	p3=$(awk '!/^#/ && int($3 / 2) % 4 == 3' "$BATS_TEST_TMPDIR/s10" | wc -l)
	echo "received drop priority 0: $p0, 3: $p3; drop_overflow $(bstat 0x10 drop_overflow)," \
		"sent $(bstat 0x10 sent_pkts)"
	[ "$(bstat 0x10 drop_overflow)" -ge 200 ]
	[ "$p0" -ge 15 ]
	# the priority-3 packets that left before the queue first filled, at most
	[ "$p3" -le 5 ]
	[ "$(bstat 0x10 backlog)" -eq 0 ]
}

@test "dwcs-bpf: a frame is delivered whole or not at all" {
	edf_stream_on_1mbit 0x20
	recv_start 9020 40 "$BATS_TEST_TMPDIR/rx"
	# frames of 4 packets, 1.8 times the link (as dwcs-traffic.bats for the module)
	snd 9020 -n 1200 -i 2000 -s 400 -p 0x10020 -d 20000 -f 4
	recv_wait
	echo "drop_frame $(bstat 0x20 drop_frame), drop_late $(bstat 0x20 drop_late), sent $(bstat 0x20 sent_pkts)"
	frames_whole_of_4 "$BATS_TEST_TMPDIR/rx"
	[ "$(bstat 0x20 drop_frame)" -gt 0 ]
}

# #16: an unprivileged sender's per-message flags. It may not set SO_MARK, and the flags word
# the classifier reads under a classful root is socket storage, which a qdisc program cannot
# read: its send slot is the way (qsockd enters it in the program's dwcs_slots at attach,
# with the flags its policy allows). The scenario of lib-dwcs.bats, through qsockd as nobody,
# on a 1 Mbit/s shaped link: 50 messages with 2 ms deadlines at 8 ms each on the link, the
# same marked non-droppable, frames of 4.
@test "dwcs-bpf: unprivileged through qsockd, deadlines and flags reach the qdisc in the send slot" {
	local driver=$QSOCK_BUILD/test/apps/lib_driver qsockd=$QSOCK_BUILD/daemon/qsockd
	local dir out lossy
	require_file "$driver" "make"
	require_file "$qsockd" "make"
	require_cmd setpriv
	qroot fini veth0 dwcs-bpf
	qroot init veth0 dwcs-bpf --rate 125000
	dir=$(mktemp -d /tmp/dwcs-bpf-slot.XXXXXX)
	chmod 755 "$dir"
	defer rm -rf "$dir"
	printf 'policy = { rules = ( { user = "nobody"; schedulers = [ "dwcs-bpf" ]; max_rate = "20mbit"; nondroppable = true; } ); };\n' \
		>"$dir/qsock.conf"
	nsenter --net=/run/netns/"$SND" "$qsockd" -n -l info -s "$dir/s" -c "$dir/qsock.conf" \
		3>&- 2>>"$dir/log" &
	defer kill -9 $!
	wait_until 10 grep -q "listening on" "$dir/log" || { cat "$dir/log"; false; }
	export QSOCKD_SOCKET=$dir/s
	run t nsenter --net=/run/netns/"$SND" setpriv --reuid=nobody \
		--regid=nogroup --clear-groups "$driver" -d veth0 -s dwcs-bpf \
		sock 1 udp -- attach 1 ipg=1000 old=10 oln=10 rate=125000 \
		-- send 1 "$DWCS_RCV_IP:9" 50 1000 rel-deadline=2000000 -- sleep 600 -- info 1 \
		-- sock 2 udp -- attach 2 ipg=1000 old=10 oln=10 rate=125000 \
		-- send 2 "$DWCS_RCV_IP:9" 50 1000 nd rel-deadline=2000000 -- sleep 600 -- info 2 \
		-- sock 3 udp -- attach 3 ipg=1000 old=10 oln=10 rate=125000 \
		-- send 3 "$DWCS_RCV_IP:9" 40 1000 frames=4 rel-deadline=3000000 -- sleep 600 \
		-- info 3
	cat "$dir/log"
	echo "$output"
	assert_status 0
	out=$output
	lossy=$(grep '"slot":1,' <<<"$out")
	json_eq "$lossy" .carrier 3	# QSOCK_CARRIER_SLOT
	json_eq "$lossy" .path 2	# through qsockd
	json_eq "$lossy" .sched dwcs-bpf
	# late lossy messages dropped, non-droppable ones all sent (the flag came from the
	# slot), frame drops
	per_message_checks "$out"
	# qsockd removes the slots with the streams when their owner has exited
	wait_until 30 sh -c "[ \"\$(bpftool -j map dump pinned $PIN/dwcs_slots | jq length)\" -eq 0 ]"
}
