# SPDX-License-Identifier: GPL-2.0
#
# Helpers for the sch_dwcs VM suites (test/vm/dwcs-*.bats). Load after ../lib/common:
#     load ../lib/common
#     load ../lib/dwcs
# Topology: namespace $SND (the sender, where the qdisc sits on veth0's egress: crossing into
# another namespace scrubs mark, tstamp and priority) and $RCV, joined by veth0/veth1.

DWCS_KO=$QSOCK_KMOD_DIR/dwcs/sch_dwcs.ko
DWCS_UDP=$QSOCK_BUILD/test/apps/dwcs-udp
DWCS_SND_IP=10.77.0.1
DWCS_RCV_IP=10.77.0.2
export TC_LIB_DIR=$QSOCK_BUILD/tc

# dwcs_require: skip unless in the VM with the module, the tc plugin and the test sender built;
# load the module once.
dwcs_require() {
	require_vm
	require_root
	require_file "$DWCS_KO" "make builds it"
	require_file "$TC_LIB_DIR/q_dwcs.so" "the tc plugin, make builds it"
	require_file "$DWCS_UDP" "make builds it"
	require_cmd jq tc ip awk
	grep -qw '^sch_dwcs' /proc/modules || t insmod "$DWCS_KO" || skip "cannot load $DWCS_KO"
}

# dwcs_link [MTU]: the two namespaces and the veth pair (static neighbours: veth_pair); sets
# SND and RCV.
dwcs_link() {
	new_ns SND dwcs-snd
	new_ns RCV dwcs-rcv
	VETH_MTU=${1:-} veth_pair "$SND" "$DWCS_SND_IP/24" "$RCV" "$DWCS_RCV_IP/24"
}

# stc ARGS...: tc in the sender's namespace.
stc() { t ip netns exec "$SND" tc "$@"; }

# qstat KEY: a field of the root qdisc's `tc -s -j` dump (standard and dwcs xstats alike).
qstat() { stc -j -s qdisc show dev veth0 | jq -r ".[0].$1"; }

# cstat CLASSID KEY: a dwcs statistic of one class, read from `tc -s class show` text
# ("key value" pairs; the plugin prints class xstats as text only).
cstat() {
	stc -s class show dev veth0 classid "$1" | tr -s ' \n' '\n\n' |
		awk -v k="$2" 'p == k { print; found = 1; exit } { p = $0 } END { if (!found) exit 1 }'
}

# recv_start PORT SECONDS FILE: the receiver in the background, one line per packet into FILE.
# It stops on the end-of-test packet recv_wait sends, at the latest after SECONDS.
recv_start() {
	ip netns exec "$RCV" "$DWCS_UDP" recv "$1" -t "$2" -I 60000 >"$3" 3>&- &
	DWCS_RECV_PIDS+=("$!")
	DWCS_RECV_PORTS+=("$1")
	# Until its socket is bound, packets to PORT are refused and lost: on a loaded emulated
	# CPU a process can take over a second to get there, so wait for the socket, not a time.
	# The receiver's first line says it is bound; `test -s` is a shell builtin, no process.
	wait_until 30 test -s "$3"
}
# recv_wait: once the qdisc has drained (a slow VM drains it late), end every receiver with
# an end-of-test packet (best effort, behind everything else) and wait for them.
recv_wait() {
	local p
	qdisc_drained() { [ "$(qstat qlen)" = 0 ]; }
	wait_until 60 qdisc_drained || true
	for p in "${DWCS_RECV_PORTS[@]}"; do snd "$p" -E; done
	for p in "${DWCS_RECV_PIDS[@]}"; do wait "$p"; done
	DWCS_RECV_PIDS=()
	DWCS_RECV_PORTS=()
}
# recv_wait_clock: wait for the receivers to stop on their own clock (tests that keep the
# qdisc backlogged on purpose and measure a time window).
recv_wait_clock() {
	local p
	for p in "${DWCS_RECV_PIDS[@]}"; do wait "$p"; done
	DWCS_RECV_PIDS=()
	DWCS_RECV_PORTS=()
}

# snd ARGS...: the test sender in the sender's namespace (dwcs-udp send ADDR PORT ARGS...).
snd() { t ip netns exec "$SND" "$DWCS_UDP" send "$DWCS_RCV_IP" "$@"; }

# require_timely_timers MAX_MS: skip when this VM's timers fire more than MAX_MS late on
# average (mean overshoot of 20 waits of 10 ms). Timing guarantees presume a scheduler that
# runs when it asks to; on an overloaded host the TCG guest's timers can be 100s of ms late.
timer_lateness_ms() {
	# in one process: a process start costs tens of ms in the TCG guest and would be measured
	python3 -c 'import time
t0 = time.monotonic()
for _ in range(20):
    time.sleep(0.01)
print(max(0, int(((time.monotonic() - t0) / 20 - 0.01) * 1000)))'
}
require_timely_timers() {
	local late
	require_cmd python3
	late=$(timer_lateness_ms)
	[ "$late" -le "$1" ] || skip "VM timers fire ${late} ms late on average (host overloaded)"
}
