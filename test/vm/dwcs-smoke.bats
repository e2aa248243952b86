#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# The smoke run every kernel of the matrix gets (scripts/kernels matrix), PREEMPT_RT included:
# the module built for this very kernel loads, schedules real traffic through a stream class
# and best effort, reports it, and unloads. Unlike the functional suites it never skips for a
# module that does not load: on a smoke kernel that is the failure it exists to catch.
# Kept short (seconds): it is the whole VM run of the smoke kernels.

load ../lib/common
load ../lib/dwcs

setup() {
	require_vm
	require_root
	require_file "$TC_LIB_DIR/q_dwcs.so" "the tc plugin, make builds it"
	require_file "$DWCS_UDP" "make builds it"
}

@test "smoke: sch_dwcs.ko was built for the running kernel and its vermagic matches" {
	[ -f "$DWCS_KO" ] || { echo "no module for $(uname -r): $DWCS_KO"; false; }
	run modinfo -F vermagic "$DWCS_KO"
	assert_status 0
	echo "kernel $(uname -r), vermagic: $output"
	[ "${output%% *}" = "$(uname -r)" ]
}

@test "smoke: insmod, a stream and best effort through the qdisc, counters, rmmod" {
	grep -qw '^sch_dwcs' /proc/modules || t insmod "$DWCS_KO"
	dwcs_link
	stc qdisc add dev veth0 root handle 1: dwcs rate 10mbit
	# lossless: the smoke run is about the path through the qdisc; a lossy stream may lawfully
	# lose packets whose dequeue a loaded emulated CPU delays past their deadline (seen: 185
	# of 200 with oln 1 old 10 on a loaded machine)
	stc class add dev veth0 parent 1: classid 1:10 dwcs ipg 1ms oln 1 old 10 lossless
	recv_start 9010 20 "$BATS_TEST_TMPDIR/s10"
	recv_start 9099 20 "$BATS_TEST_TMPDIR/be"
	# the stream offers a quarter of its rate (one packet per 4 ms, ipg 1 ms)
	snd 9010 -n 200 -i 4000 -s 400 -p 0x10010
	snd 9099 -n 200 -i 4000 -s 400
	recv_wait
	got10=$(grep -c -v '^#' "$BATS_TEST_TMPDIR/s10" || true)
	gotbe=$(grep -c -v '^#' "$BATS_TEST_TMPDIR/be" || true)
	sent10=$(cstat 1:10 sent_packets)
	echo "$(uname -r): stream received $got10, class sent $sent10; best effort received $gotbe," \
		"qdisc best_effort_packets $(qstat best_effort_packets)"
	[ "$got10" -eq 200 ]
	[ "$sent10" -eq 200 ]
	[ "$gotbe" -eq 200 ]
	[ "$(qstat best_effort_packets)" -ge 200 ]
	stc qdisc del dev veth0 root
	run_deferred
	t rmmod sch_dwcs
	! grep -qw '^sch_dwcs' /proc/modules
}
