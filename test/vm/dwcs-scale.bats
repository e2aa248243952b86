#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# sch_dwcs at scale: 10,000 classes created and destroyed, kernel memory back to its baseline.
# Heavy under emulation (tens of seconds), so it runs once, on the primary kernel, with the
# timing-heavy files (test/vm/build.mk, VM_BATS_HEAVY); every kernel runs dwcs-robust.bats.

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

slab_kb() { awk '/^Slab:/ { print $2 }' /proc/meminfo; }

# create_destroy N: N classes in one batch, then the qdisc deleted with all of them.
create_destroy() {
	# awk, not a shell loop: bats traps every shell command, and 10,000 iterations of that
	# cost minutes of emulated CPU
	awk -v n="$1" 'BEGIN {
		print "qdisc add dev veth0 root handle 1: dwcs"
		for (i = 1; i <= n; i++)
			printf "class add dev veth0 parent 1: classid 1:%x dwcs ipg 1ms oln 1 old 2\n", i
	}' >"$BATS_TEST_TMPDIR/batch"
	t ip netns exec "$SND" tc -batch "$BATS_TEST_TMPDIR/batch"
	[ "$(qstat streams)" -eq "$1" ]
	peak=$(slab_kb)
	stc qdisc del dev veth0 root
}

@test "dwcs scale: 10,000 classes created and destroyed, slab memory back to its baseline" {
	# a smaller round first, so that slab caches that grow once (and keep their pages) have
	create_destroy 1000
	sync
	echo 3 >/proc/sys/vm/drop_caches
	base=$(slab_kb)
	create_destroy 10000
	sync
	echo 3 >/proc/sys/vm/drop_caches
	after=$(slab_kb)
	echo "slab: baseline $base kB, with 10,000 classes $peak kB, after $after kB"
	# the classes took real memory, and gave it back (within a tenth of it, plus 256 kB)
	[ $((peak - base)) -gt 2000 ]
	[ "$after" -le $((base + (peak - base) / 10 + 256)) ]
	dmesg_clean
}
