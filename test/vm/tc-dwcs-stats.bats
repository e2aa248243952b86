#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# The dwcs counters of `tc -s` under traffic: UDP from build/test/apps/dwcs-udp through a
# dwcs qdisc on the sender's veth, its packets put in class 1:10 by SO_PRIORITY (= classid).
# Each test checks the counters against what was offered: sent, dropped by reason, late,
# missed, and that every offered packet is accounted for exactly once. Classes are read as
# "key value" words of `tc -s class show` (iproute2 6.1 has no JSON for classes), the qdisc
# through `tc -s -j`.

load ../lib/common

KO=$QSOCK_KMOD_DIR/dwcs/sch_dwcs.ko
UDP=$QSOCK_BUILD/test/apps/dwcs-udp
CLASS_PRIO=0x10010 # 1:10 (tc class ids are hexadecimal)
# Frame bytes of one datagram of dwcs-udp -s 100: payload + UDP 8 + IPv4 20 + Ethernet 14.
PKT_BYTES=142

setup_file() {
	export TC_LIB_DIR=$QSOCK_BUILD/tc
	[ "${QSOCK_IN_VM:-}" = 1 ] && [ -e "$KO" ] && [ ! -d /sys/module/sch_dwcs ] &&
		insmod "$KO" 2>"$BATS_FILE_TMPDIR/insmod.err"
	return 0
}

setup() {
	require_vm
	require_file "$KO" "sch_dwcs.ko for $(uname -r), built by make"
	[ -d /sys/module/sch_dwcs ] ||
		skip "sch_dwcs.ko does not load: $(cat "$BATS_FILE_TMPDIR/insmod.err" 2>/dev/null)"
	require_file "$TC_LIB_DIR/q_dwcs.so" "built by make"
	require_file "$UDP" "built by make"
	require_cmd jq
	new_ns TX tx
	new_ns RX rx
	# IPv6 off: no router solicitations or MLD reports in the counters.
	t ip netns exec "$TX" sysctl -qw net.ipv6.conf.default.disable_ipv6=1
	t ip netns exec "$RX" sysctl -qw net.ipv6.conf.default.disable_ipv6=1
	# static neighbours (veth_pair): no ARP request is queued behind the stream
	veth_pair "$TX" 10.99.0.1/24 "$RX" 10.99.0.2/24
}

tcn() { t tc -n "$TX" "$@"; }

# send N [dwcs-udp options]: N datagrams of 100 bytes to the receiver's discard port, in class
# 1:10. Datagrams the qdisc refuses (ENOBUFS) count as offered too.
send() {
	local n=$1
	shift
	t ip netns exec "$TX" "$UDP" send 10.99.0.2 9 -n "$n" -s 100 -p "$CLASS_PRIO" "$@"
}

# class_stats ID: the class's `tc -s` text in $stats; counter KEY: the number after KEY in it.
class_stats() { stats=$(tcn -s class show dev veth0 classid "$1"); }
counter() {
	local v
	v=$(awk -v k="$1" '{ for (i = 1; i < NF; i++) if ($i == k) { print $(i + 1); exit } }' <<<"$stats")
	[[ "$v" =~ ^[0-9]+$ ]] || { echo "no counter '$1' in: $stats" >&2; return 1; }
	echo "$v"
}

# The class has nothing queued any more (the shaper may still be draining it).
class_drained() {
	class_stats "$1"
	[ "$(counter backlog_packets)" -eq 0 ]
}

# accounted ID OFFERED: every offered packet was sent or dropped exactly once.
accounted() {
	local sent drops=0 key
	class_stats "$1"
	sent=$(counter sent_packets)
	for key in drop_late drop_overflow drop_frame drop_window drop_nondroppable; do
		drops=$((drops + $(counter "$key")))
	done
	[ $((sent + drops)) -eq "$2" ] ||
		{ echo "class $1: sent $sent + dropped $drops != offered $2: $stats" >&2; return 1; }
}

@test "tc-dwcs-stats: on-time traffic is counted as sent, in packets and bytes, in class and qdisc" {
	# Work-conserving with a 200 ms period: each packet goes at once, its deadline far ahead,
	# so even a guest stalled by a loaded host sends all of them on time.
	tcn qdisc add dev veth0 root handle 1: dwcs workconserving
	tcn class add dev veth0 parent 1: classid 1:10 dwcs ipg 200ms
	send 40 -i 3000
	wait_until 10 class_drained 1:10
	class_stats 1:10
	[ "$(counter sent_packets)" -eq 40 ]
	[ "$(counter sent_bytes)" -eq $((40 * PKT_BYTES)) ]
	[[ "$stats" == *"Sent $((40 * PKT_BYTES)) bytes 40 pkt"* ]] ||
		{ echo "standard counters disagree: $stats" >&2; false; }
	for key in drop_late drop_overflow drop_frame drop_window late_sent violations; do
		[ "$(counter "$key")" -eq 0 ] || { echo "$key is not 0 for on-time traffic: $stats" >&2; false; }
	done
	q=$(tcn -s -j qdisc show dev veth0)
	json_eq "$q" '.[0].streams' 1
	json_cmp "$q" '.[0].sent_packets' -ge 40
	json_cmp "$q" '.[0].packets' -eq "$(jq '.[0].sent_packets' <<<"$q")"
	json_eq "$q" '.[0].drops' 0
}

@test "tc-dwcs-stats: a class limit overflowing is counted in drop_overflow, and in the qdisc's drops" {
	tcn qdisc add dev veth0 root handle 1: dwcs rate 1mbit
	tcn class add dev veth0 parent 1: classid 1:10 dwcs ipg 1ms lossless limit 5
	send 100 -i 0
	wait_until 20 class_drained 1:10
	accounted 1:10 100
	class_stats 1:10
	[ "$(counter drop_overflow)" -gt 0 ]
	overflow=$(counter drop_overflow)
	q=$(tcn -s -j qdisc show dev veth0)
	json_cmp "$q" '.[0].drops' -ge "$overflow"
}

@test "tc-dwcs-stats: a lossless stream slower than its period sends late packets and counts them" {
	# 1 Mbit/s sends one 142-byte frame per 1.1 ms: a 100 us period cannot be met.
	tcn qdisc add dev veth0 root handle 1: dwcs rate 1mbit
	tcn class add dev veth0 parent 1: classid 1:10 dwcs ipg 100us oln 1 old 2 lossless
	send 100 -i 0
	wait_until 20 class_drained 1:10
	accounted 1:10 100
	class_stats 1:10
	[ "$(counter late_sent)" -gt 0 ]
	[ "$(counter deadline_misses)" -gt 0 ]
	[ "$(counter drop_late)" -eq 0 ]
	[ "$(counter drop_window)" -eq 0 ]
	[ "$(counter sent_packets)" -eq 100 ]
}

@test "tc-dwcs-stats: a lossy stream slower than its period misses deadlines and drops, all accounted" {
	tcn qdisc add dev veth0 root handle 1: dwcs rate 1mbit
	tcn class add dev veth0 parent 1: classid 1:10 dwcs ipg 100us oln 1 old 2 lossy
	send 100 -i 0
	wait_until 20 class_drained 1:10
	accounted 1:10 100
	class_stats 1:10
	[ "$(counter deadline_misses)" -gt 0 ]
	[ $(($(counter drop_late) + $(counter drop_window))) -gt 0 ]
	[ "$(counter late_sent)" -eq 0 ]
}

@test "tc-dwcs-stats: a deadline beyond the horizon is clamped to it and counted; the packet still goes" {
	# edf: the packets' own deadlines count; work-conserving: each goes at once
	tcn qdisc add dev veth0 root handle 1: dwcs workconserving horizon 1s
	tcn class add dev veth0 parent 1: classid 1:10 dwcs ipg 200ms edf lossy
	send 10 -i 2000 -d 500000		# 0.5 s ahead: inside the horizon
	send 10 -i 2000 -d 3600000000		# 1 h ahead: clamped to 1 s
	wait_until 10 class_drained 1:10
	accounted 1:10 20
	class_stats 1:10
	[ "$(counter sent_packets)" -eq 20 ]
	q=$(tcn -s -j qdisc show dev veth0)
	json_eq "$q" '.[0].horizon_caps' 10
	json_eq "$q" '.[0].options.horizon' 1000000000
}
