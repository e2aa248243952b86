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

# stall_probe_start SECONDS: test/apps/stall-probe beside the traffic, recording how long the
# guest left a real-time process unscheduled (STALL_PROBE_OUT); stall_probe_end: waits for it
# and sets STALL_MS to its worst, in whole ms (-1 when it did not run). A receiver's time stamps are only as good as that:
# a vCPU descheduled between the qdisc's dequeue and the receive makes an on-time packet look
# late, and timer_lateness_ms sampled after the run cannot see a stall that is over.
stall_probe_start() {
	STALL_PROBE_OUT=$BATS_TEST_TMPDIR/stall.txt
	: >"$STALL_PROBE_OUT"
	[ -x "$QSOCK_BUILD/test/apps/stall-probe" ] || return 0
	"$QSOCK_BUILD/test/apps/stall-probe" --duration "$1" >"$STALL_PROBE_OUT" 2>&1 3>&- &
	STALL_PROBE_PID=$!
}
stall_probe_end() {
	[ -n "${STALL_PROBE_PID:-}" ] && wait "$STALL_PROBE_PID" 2>/dev/null
	STALL_PROBE_PID=
	STALL_MS=$(sed -n 's/.*max_ms=\([0-9][0-9]*\).*/\1/p' "$STALL_PROBE_OUT")
	STALL_MS=${STALL_MS:--1}
}

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

# enqueue_probe: count the calls of sch_dwcs's enqueue (a kprobe event, tracefs); skip when the
# kernel has no kprobe events. enqueue_hits prints the count so far.
enqueue_probe() {
	local tr=/sys/kernel/tracing
	[ -e "$tr/kprobe_events" ] || mount -t tracefs nodev "$tr" 2>/dev/null || true
	[ -w "$tr/kprobe_events" ] || skip "no kprobe events in this kernel ($tr)"
	DWCS_PROBE=qsock_enqueue_$$
	echo "p:$DWCS_PROBE sch_dwcs:dwcs_enqueue" >>"$tr/kprobe_events" 2>/dev/null ||
		skip "cannot probe sch_dwcs:dwcs_enqueue"
	defer sh -c "echo '-:$DWCS_PROBE' >>$tr/kprobe_events"
	# a kprobe event counts its hits only while enabled
	t sh -c "echo 1 >$tr/events/kprobes/$DWCS_PROBE/enable"
	defer sh -c "echo 0 >$tr/events/kprobes/$DWCS_PROBE/enable"
}
enqueue_hits() { awk -v e="$DWCS_PROBE" '$1 == e { print $2 }' /sys/kernel/tracing/kprobe_profile; }

# dmesg_mark, then dmesg_clean: the kernel logged no splat since the mark (scripts/vm fails the
# whole run on one too; this names the test that caused it).
dmesg_mark() { DWCS_DMESG_LINES=$(dmesg | wc -l); }
dmesg_clean() {
	! dmesg | tail -n +"$((DWCS_DMESG_LINES + 1))" | grep -E 'BUG|WARNING|Oops|Call Trace|RCU stall|lockup'
}

# frames_whole_of_4 FILE: every frame (field 2) the receiver logged in FILE arrived whole, 4
# packets, and more than 20 but fewer than 300 did (the frame tests' 1200 packets at 1.8 times
# the link: some frames must go, whole).
frames_whole_of_4() {
	awk '!/^#/ { c[$2]++ } END {
		for (f in c) { if (c[f] == 4) whole++; else { print "frame " f ": " c[f] " of 4"; part++ } }
		print whole + 0 " whole frames, " part + 0 " partial"
		exit !(part == 0 && whole > 20 && whole < 300) }' "$1"
}
