#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# libqsock with the `htb` scheduler on the host kernel, in network namespaces: the sender's
# namespace S (veth0, 10.99.0.1) holds the qsock root; the receiver R (veth1, 10.99.0.2)
# measures. Processes enter S with nsenter --net (not `ip netns exec`, which remounts /sys and
# would hide the pinned maps in /sys/fs/bpf between two commands).
# Every test asserts what the kernel shows (tc -j, the pinned maps, the bytes received).

load ../lib/common

DRIVER=$QSOCK_BUILD/test/apps/lib_driver

setup() {
	require_root
	require_file "$DRIVER" "make"
	require_cmd nsenter tc jq
	require_module sch_htb
	new_ns S qsl
	new_ns R qsl
	veth_pair "$S" 10.99.0.1/24 "$R" 10.99.0.2/24
	IN="nsenter --net=/run/netns/$S"
	RX="nsenter --net=/run/netns/$R"
	PINS=/sys/fs/bpf/qsock/veth0@ns$(stat -L -c %i "/run/netns/$S")
	defer rm -rf "$PINS"
}

drv() { t $IN "$DRIVER" -d veth0 -s htb "$@"; }
# (iproute2 6.1 prints HTB classes as text even with -j)
classes() { $IN tc class show dev veth0 | grep -c '^class htb' || true; }
root_kind() { $IN tc -j qdisc show dev veth0 | jq -r '.[] | select(.root == true) | .kind'; }

@test "qsockinit installs the htb root, the classifier and its pins; qsockfini removes them" {
	run drv init
	assert_status 0
	[ "$(root_kind)" = htb ]
	run $IN tc -j filter show dev veth0
	json_eq "$output" '.[] | select(.options.bpf_name? != null) | .options.bpf_name' "qsock_classify"
	json_eq "$output" '.[] | select(.options.bpf_name? != null) | .options.flowid' "1:"
	json_eq "$output" '.[] | select(.options.bpf_name? != null) | .options."direct-action"' true
	[ "$(stat -c %a "$PINS/streams")" = 600 ]
	[ "$(stat -c %a "$PINS/flags")" = 666 ]
	[ "$(stat -c %a "$PINS/conf")" = 644 ]
	# only the manager writes socket -> class: an unprivileged process cannot
	if command -v setpriv >/dev/null && command -v bpftool >/dev/null; then
		run t setpriv --reuid=nobody --regid=nogroup --clear-groups \
			bpftool map update pinned "$PINS/streams" key hex 01 00 00 00 00 00 00 00 \
			value hex $(printf '00 %.0s' $(seq 144)) any
		[ "$status" -ne 0 ]
		assert_output_contains "ermission denied"
	fi
	run drv init		# idempotent: the paper calls it once per program
	assert_status 0
	run drv fini
	assert_status 0
	[ "$(root_kind)" = noqueue ]
	[ ! -e "$PINS" ]
}

@test "attach, info, change, detach: one class per stream, its rate follows qchange" {
	drv init
	run drv sock 1 udp -- attach 1 ipg=10 rate=125000 -- info 1 -- change 1 ipg=10 rate=250000 \
		-- info 1 -- sleep 1 -- detach 1 -- sleep 1 -- info 1
	[ "$status" -eq 1 ]	# the last info must fail: no stream any more
	assert_output_contains "FAILED info: qinfo: fd"
	assert_output_contains "has no stream (qattach it first) (ENOENT)"
	first=$(sed -n 1p <<<"$output")
	json_eq "$first" .sched htb
	json_eq "$first" .dev veth0
	json_eq "$first" .ipg_ns 10000000
	[ "$(jq -r .valid <<<"$first")" -ge 5 ]	# scheduler + stack views
	# while attached, tc showed the class; after detach it is gone
	[ "$(classes)" -eq 0 ]
	run drv sock 1 udp -- attach 1 ipg=10 rate=125000 -- change 1 ipg=10 rate=250000 -- info 1
	assert_status 0
	cls=$(jq -r .classid <<<"$output")
	# the process exited without qclose: the class stays until its owner (or qsockd) cleans
	run $IN tc class show dev veth0 classid "$cls"
	assert_output_contains "rate 2Mbit ceil 2Mbit"	# 250000 bytes/s
}

@test "the classifier classifies: the class counts exactly the attached socket's packets" {
	drv init
	run drv sock 1 udp -- attach 1 ipg=1 -- sock 2 udp -- send 1 10.99.0.2:9 100 200 \
		-- send 2 10.99.0.2:9 37 200 plain -- sleep 200 -- info 1
	assert_status 0
	json_eq "$output" .sent_pkts 100
	json_eq "$output" .sent_bytes $((100 * 242))	# 200 B payload + UDP/IP/Ethernet
	# the unattached socket went best effort: HTB's direct queue, not a class
	run $IN tc -j -s qdisc show dev veth0
	json_cmp "$output" '.[] | select(.kind == "htb") | .options.direct_packets_stat' -ge 37
}

@test "the rate is enforced at the receiver; an unattached socket stays best effort" {
	drv init
	$RX "$DRIVER" sink 5001 3.5 >"$BATS_TEST_TMPDIR/shaped" &
	$RX "$DRIVER" sink 5002 3.5 >"$BATS_TEST_TMPDIR/free" &
	wait_until 5 grep -q listening "$BATS_TEST_TMPDIR/shaped"
	wait_until 5 grep -q listening "$BATS_TEST_TMPDIR/free"
	# 1 Mbit/s (125000 B/s on the wire) for the stream; the other socket is not attached
	run drv sock 1 udp -- attach 1 ipg=10 rate=125000 -- sock 2 udp \
		-- blast 2 10.99.0.2:5002 0.5 1000 -- blast 1 10.99.0.2:5001 2 1000 -- info 1
	assert_status 0
	json_cmp "$output" .sent_pkts -gt 100
	# qinfo's rate over the last second (the class's estimator), near the 125000 B/s
	json_cmp "$output" .rate_bps -ge 80000
	json_cmp "$output" .rate_bps -le 170000
	wait
	shaped=$(tail -n 1 "$BATS_TEST_TMPDIR/shaped")
	free=$(tail -n 1 "$BATS_TEST_TMPDIR/free")
	echo "shaped: $shaped; best effort: $free"
	# payload rate = 125000 * 1000/1042 = 120 kB/s; accept 15% either way (noisy machines)
	json_cmp "$shaped" '.rate_bps | floor' -ge 102000
	json_cmp "$shaped" '.rate_bps | floor' -le 138000
	# best effort is not held to the stream's rate
	json_cmp "$free" '.rate_bps | floor' -ge 1000000
}

@test "many sockets in one process: 300 streams, 300 distinct classes, all removed by qclose" {
	drv init
	run drv many 300 ipg=5 -- sleep 100 -- qclose-all 300
	assert_status 0
	json_eq "$output" .distinct 300
	[ "$(classes)" -eq 0 ]
	run bpftool -j map dump pinned "$PINS/streams"
	json_eq "$output" length 0
}

@test "errors: unknown device, unknown scheduler, invalid parameters leave nothing behind" {
	drv init
	run drv fail ENODEV 'no network device "nosuch0"' init dev=nosuch0 \
		-- sock 1 udp -- fail ENODEV 'no network device "nosuch0"' attach 1 dev=nosuch0 \
		-- fail EINVAL 'unknown scheduler "cbq" (known: dwcs, dwcs-bpf, htb)' attach 1 sched=cbq \
		-- fail EINVAL 'oln (x=5) must not exceed old (y=4)' attach 1 oln=5 old=4 \
		-- fail EINVAL 'ipg is 0' attach 1 ipg=0 \
		-- fail EINVAL 'has unknown bits 0x40' attach 1 flags=0x40 \
		-- fail EINVAL 'veth0 runs the htb scheduler, not dwcs' attach 1 sched=dwcs
	assert_status 0
	[ "$(classes)" -eq 0 ]
	run bpftool -j map dump pinned "$PINS/streams"
	json_eq "$output" length 0
}

@test "errors: non-socket, closed fd, AF_UNIX, double attach, unattached qchange/qinfo, qclose twice" {
	drv init
	run drv sock 1 pipe -- fail ENOTSOCK "is not a socket" attach 1 \
		-- sock 2 udp -- close 2 -- fail EBADF "is not an open file descriptor" attach 2 \
		-- sock 3 unix -- fail EAFNOSUPPORT "never reach a network device" attach 3 \
		-- sock 4 udp -- fail ENOENT "has no stream" change 4 -- fail ENOENT "has no stream" info 4 \
		-- attach 4 -- fail EEXIST "already has a stream" attach 4 \
		-- qclose 4 -- fail EBADF "qclose: fd" qclose 4
	assert_status 0
	[ "$(classes)" -eq 0 ]
}

@test "errors: qattach before qsockinit, a foreign root qdisc, the dwcs module missing" {
	run drv sock 1 udp -- fail ENOENT "no qsock scheduler on veth0: call qsockinit first" attach 1
	assert_status 0
	$IN tc qdisc add dev veth0 root handle 7: tbf rate 1mbit burst 10k latency 50ms
	run drv fail EEXIST 'veth0 already has a root qdisc "tbf" (handle 7:) that qsock did not install' init
	assert_status 0
	# and an attach there says so, not "call qsockinit first" (which would fail the same way)
	run drv sock 1 udp -- fail ENOENT 'veth0 has a root qdisc "tbf" (handle 7:) that qsock did not install: remove it (tc qdisc del dev veth0 root), then qsock init veth0 SCHED' attach 1
	assert_status 0
	[ "$(root_kind)" = tbf ]	# left alone
	$IN tc qdisc del dev veth0 root
	if [ -d /sys/module/sch_dwcs ]; then
		skip "sch_dwcs is loaded on this kernel"
	fi
	run drv -s dwcs fail EOPNOTSUPP "this kernel has no dwcs qdisc: load the module first" init
	assert_status 0
	[ "$(root_kind)" = noqueue ]
	[ ! -e "$PINS" ]
}

@test "qsockinit refuses to replace another qsock scheduler" {
	drv init
	run t $IN "$DRIVER" -d veth0 -s dwcs fail EEXIST "veth0 already runs the qsock scheduler htb" init
	assert_status 0
	[ "$(root_kind)" = htb ]
}

@test "TCP: qinfo reports the stack's view (rtt, cwnd) and the class counts the flow" {
	drv init
	$RX "$DRIVER" sink 5003 2 tcp >"$BATS_TEST_TMPDIR/tcp" &
	wait_until 5 grep -q listening "$BATS_TEST_TMPDIR/tcp"
	run drv sock 1 tcp -- attach 1 ipg=1 rate=1000000 -- connect 1 10.99.0.2:5003 \
		-- blast 1 10.99.0.2:5003 0.5 1000 -- info 1
	assert_status 0
	json_cmp "$output" .valid -ge 13	# scheduler + stack + TCP
	json_cmp "$output" .tcp_snd_cwnd -gt 0
	json_cmp "$output" .sent_pkts -gt 100
	wait
}

@test "streams whose socket is gone (process exited, close() without qclose) are swept" {
	drv init
	run drv sock 1 udp -- attach 1 ipg=5 -- sock 2 tcp -- attach 2 ipg=5 -- sock 3 udp \
		-- attach 3 ipg=5 -- close 3 -- sleep 50
	assert_status 0
	[ "$(classes)" -eq 3 ]	# the process is gone, its classes are not (yet)
	# a live socket of another process keeps its stream through the sweep
	$IN "$DRIVER" -d veth0 sock 1 udp -- attach 1 ipg=5 -- sleep 3000 &
	wait_until 5 sh -c "[ \$($IN tc class show dev veth0 | grep -c '^class htb') -eq 4 ]"
	run drv init	# already installed: sweeps
	assert_status 0
	[ "$(classes)" -eq 1 ]
	run bpftool -j map dump pinned "$PINS/streams"
	json_eq "$output" length 1
	wait
}

@test "the sweep removes the pin directories of network namespaces that are gone; live ones stay" {
	require_cmd bpftool
	new_ns G qsl
	t ip -n "$G" link add veth0 type veth peer name veth1 # (the host has no dummy module)
	t ip -n "$G" link set veth0 up
	GPINS=/sys/fs/bpf/qsock/veth0@ns$(stat -L -c %i "/run/netns/$G")
	defer rm -rf "$GPINS"
	run t nsenter --net="/run/netns/$G" "$DRIVER" -d veth0 -s htb init
	assert_status 0
	[ -e "$GPINS/streams" ]
	drv init
	run drv init	# installed: sweeps; both namespaces are alive
	assert_status 0
	[ -e "$GPINS/streams" ]
	[ -e "$PINS/streams" ]
	cleanup_ns "$G"
	# the namespace's teardown (its devices, qdiscs, filter, program) is asynchronous
	wait_until 10 sh -c "$IN $DRIVER -d veth0 -s htb init && [ ! -e '$GPINS' ]"
	[ -e "$PINS/streams" ]	# the live namespace's classifier is untouched and works
	run drv sock 1 udp -- attach 1 ipg=5 -- info 1
	assert_status 0
	[ "$(classes)" -eq 1 ]	# its class (the driver exited without qclose: swept later)
}

@test "DSCP: qattach sets it (IPv4: IP_TOS; dual-stack IPv6: IPV6_TCLASS and IP_TOS), qchange changes or keeps it; none: TOS untouched" {
	drv init
	run drv sock 1 udp -- attach 1 ipg=1 dscp=46 -- tos 1 \
		-- sock 2 udp6 -- attach 2 ipg=1 dscp=34 -- tos 2 \
		-- change 2 ipg=2 dscp=8 -- tos 2 -- change 2 ipg=3 -- tos 2 \
		-- sock 3 udp -- attach 3 ipg=1 -- tos 3
	assert_status 0
	[ "$(jq -sc '[.[] | select(.ip_tos != null) | [.slot, .ip_tos, .ipv6_tclass]]' <<<"$output")" = \
		'[[1,184,-1],[2,136,136],[2,32,32],[2,32,32],[3,0,-1]]' ] || { echo "$output" >&2; false; }
}

@test "IPv6: an attached UDP socket's packets are classified into its class" {
	$IN ip -6 addr add fd00:99::1/64 dev veth0 nodad
	$RX ip -6 addr add fd00:99::2/64 dev veth1 nodad
	drv init
	run drv sock 1 udp6 -- attach 1 ipg=1 -- send 1 "[fd00:99::2]:9" 50 100 -- sleep 200 -- info 1
	assert_status 0
	json_eq "$output" .sent_pkts 50
	json_eq "$output" .sent_bytes $((50 * (100 + 8 + 40 + 14)))
}

# Issue #18 item 1: a stream's class outlives its socket until its queue has drained
# (lib/linger.c). 100 datagrams of 1000 bytes into a 1 Mbit/s class are 0.83 s of queue, and
# the program closes the socket right after the last send.
@test "qclose keeps the class until its queue has drained: every datagram arrives (QSOCK_LINGER_MS=0 loses most)" {
	drv init
	$RX "$DRIVER" sink 5001 4 >"$BATS_TEST_TMPDIR/linger" &
	$RX "$DRIVER" sink 5002 4 >"$BATS_TEST_TMPDIR/nolinger" &
	wait_until 5 grep -q listening "$BATS_TEST_TMPDIR/linger"
	wait_until 5 grep -q listening "$BATS_TEST_TMPDIR/nolinger"
	run drv sock 1 udp -- attach 1 ipg=10 rate=125000 -- send 1 10.99.0.2:5001 100 1000 -- qclose 1
	assert_status 0
	[ "$(classes)" -eq 0 ]	# the class is gone once qclose returns
	QSOCK_LINGER_MS=0 run drv sock 1 udp -- attach 1 ipg=10 rate=125000 \
		-- send 1 10.99.0.2:5002 100 1000 -- qclose 1
	assert_status 0
	[ "$(classes)" -eq 0 ]
	wait
	echo "with linger: $(tail -n 1 "$BATS_TEST_TMPDIR/linger"); without: $(tail -n 1 "$BATS_TEST_TMPDIR/nolinger")"
	json_eq "$(tail -n 1 "$BATS_TEST_TMPDIR/linger")" .packets 100
	json_cmp "$(tail -n 1 "$BATS_TEST_TMPDIR/nolinger")" .packets -lt 100
}
