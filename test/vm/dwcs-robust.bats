#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# sch_dwcs robustness: configuration churn under full traffic, and rmmod after use (10,000
# classes and kernel memory: dwcs-scale.bats). scripts/vm fails the whole VM suite if the kernel
# logs a splat; each test also checks dmesg itself.

load ../lib/common
load ../lib/dwcs

setup() {
	dwcs_require
	dwcs_link
	dmesg_lines=$(dmesg | wc -l)
}

dmesg_clean() {
	! dmesg | tail -n +"$((dmesg_lines + 1))" | grep -E 'BUG|WARNING|Oops|Call Trace|RCU stall|lockup'
}

@test "dwcs robust: qdisc and classes deleted and replaced under full traffic, 100 times" {
	stc qdisc add dev veth0 root handle 1: dwcs rate 100mbit
	# best effort and two streams, flooding for the whole test
	snd 9000 -t 120 -s 1000 >/dev/null 2>&1 3>&- &
	defer kill $!
	snd 9010 -t 120 -s 200 -p 0x10010 -d 2000 -N 4 -f 3 >/dev/null 2>&1 3>&- &
	defer kill $!
	for i in $(seq 100); do
		case $((i % 4)) in
		0) echo "qdisc del dev veth0 root"
		   echo "qdisc add dev veth0 root handle 1: dwcs rate 10mbit order window" ;;
		1) echo "qdisc replace dev veth0 root handle 1: dwcs rate 50mbit workconserving" ;;
		2) echo "qdisc change dev veth0 root handle 1: dwcs nonworkconserving limit 500" ;;
		3) echo "qdisc replace dev veth0 root handle 1: dwcs rate 20mbit order deadline" ;;
		esac
		echo "class replace dev veth0 parent 1: classid 1:10 dwcs ipg 1ms oln 1 old 4 edf"
		echo "class replace dev veth0 parent 1: classid 1:20 dwcs ipg 500us lossless limit 50"
		echo "class change dev veth0 parent 1: classid 1:20 dwcs ipg 2ms oln 2 old 3"
		[ $((i % 2)) -eq 0 ] && echo "class del dev veth0 classid 1:10"
		echo "class del dev veth0 classid 1:20"
	done >"$BATS_TEST_TMPDIR/batch"
	# tc -batch stops at the first error unless -force: every command here must succeed
	t ip netns exec "$SND" tc -batch "$BATS_TEST_TMPDIR/batch"
	# still scheduling
	stc class add dev veth0 parent 1: classid 1:10 dwcs ipg 1ms
	wait_until 10 sh -c "[ \$(ip netns exec $SND tc -j -s qdisc show dev veth0 | jq .[0].packets) -gt 100 ]"
	dmesg_clean
}

@test "dwcs robust: rmmod after use, then load again" {
	stc qdisc add dev veth0 root handle 1: dwcs rate 10mbit
	stc class add dev veth0 parent 1: classid 1:10 dwcs ipg 1ms
	snd 9010 -n 100 -s 200 -p 0x10010
	stc qdisc del dev veth0 root
	# other suites may hold a dwcs qdisc in their own namespaces: only then is rmmod refused
	if [ "$(awk '$1 == "sch_dwcs" { print $3 }' /proc/modules)" = 0 ]; then
		t rmmod sch_dwcs
		! grep -qw '^sch_dwcs' /proc/modules
	fi
	t insmod "$DWCS_KO" 2>/dev/null || grep -qw '^sch_dwcs' /proc/modules
	stc qdisc add dev veth0 root handle 1: dwcs
	dmesg_clean
}
