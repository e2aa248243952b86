#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# The dwcs qdisc's configuration through tc, tdc style (tools/testing/selftests/tc-testing):
# add, change, replace and delete of the qdisc and its classes, every option's bounds, and
# every invalid value refused with the kernel's extack message as tc prints it. The cases are
# data, in test/vm/tc-cases/{qdisc,class}.json (format: tc-cases/run-cases), on one dummy
# device whose root qdisc is deleted between cases; the tests below them need more than one
# command and one look. sch_dwcs.ko and the tc plugin come from this checkout. Configuration
# only; counters under traffic are in tc-dwcs-stats.bats.
#
# Exit statuses are tc's: 0 done, 1 refused by the plugin (syntax), 2 refused by the kernel.

load ../lib/common
CASES=$BATS_TEST_DIRNAME/tc-cases

KO=$QSOCK_KMOD_DIR/dwcs/sch_dwcs.ko

setup_file() {
	export TC_LIB_DIR=$QSOCK_BUILD/tc
	export DWCS_LOADED_HERE=0
	[ "${QSOCK_IN_VM:-}" = 1 ] || return 0
	[ -e "$KO" ] || return 0
	if [ ! -d /sys/module/sch_dwcs ] && insmod "$KO" 2>"$BATS_FILE_TMPDIR/insmod.err"; then
		DWCS_LOADED_HERE=1
	fi
}

teardown_file() {
	[ "$DWCS_LOADED_HERE" = 1 ] && rmmod sch_dwcs 2>/dev/null
	return 0
}

setup() {
	require_vm
	require_file "$KO" "sch_dwcs.ko for $(uname -r), built by make"
	[ -d /sys/module/sch_dwcs ] ||
		skip "sch_dwcs.ko does not load yet: $(cat "$BATS_FILE_TMPDIR/insmod.err" 2>/dev/null)"
	require_file "$TC_LIB_DIR/q_dwcs.so" "built by make"
	require_cmd jq
	new_ns NS dwcs
	# No IPv6 on the devices: no router solicitation or MLD report sneaks into the counters.
	t ip netns exec "$NS" sysctl -qw net.ipv6.conf.default.disable_ipv6=1
	t ip -n "$NS" link add d0 type dummy
	t ip -n "$NS" link set d0 up
}

# ---------------------------------------------------------------- helpers

tcn() { t tc -n "$NS" "$@"; }
qdisc_add() { tcn qdisc add dev d0 root handle 1: dwcs "$@"; }
class_add() {
	local id=$1
	shift
	tcn class add dev d0 parent 1: classid "$id" dwcs "$@"
}

# ---------------------------------------------------------------- the case files

# run_tc_cases FILE: every case of tc-cases/FILE, one TAP comment line per case.
run_tc_cases() {
	run timeout --kill-after=5 300 bash "$CASES/run-cases" "$NS" "$CASES/$1"
	sed 's/^/# /' <<<"$output" >&3
	assert_status 0
}

@test "tc-dwcs: qdisc cases (tc-cases/qdisc.json): add, change, replace, delete, bounds, refusals" {
	run_tc_cases qdisc.json
}

@test "tc-dwcs: class cases (tc-cases/class.json): add, change, replace, delete, bounds, refusals" {
	run_tc_cases class.json
}

# ---------------------------------------------------------------- beyond one command

@test "tc-dwcs: 100 classes added in one batch are all listed with their own ipg, then deleted" {
	qdisc_add
	batch=$BATS_TEST_TMPDIR/classes.batch
	# awk, not a bash loop: bats traces every command of a test, slowly in the VM.
	seq 1 100 | awk '{ printf "class add dev d0 parent 1: classid 1:%x dwcs ipg %dms oln 1 old 10\n", $1, $1 }' >"$batch"
	tcn -batch "$batch"
	out=$(tcn class show dev d0)
	[ "$(grep -c '^class dwcs 1:' <<<"$out")" -eq 100 ]
	grep -q '^class dwcs 1:64 .* ipg 100ms ' <<<"$out"
	grep -q '^class dwcs 1:1 .* ipg 1ms ' <<<"$out"
	json_eq "$(tcn -s -j qdisc show dev d0)" '.[0].streams' 100
	sed 's/^class add \(.*\) dwcs .*$/class del \1/' "$batch" >"$batch.del"
	tcn -batch "$batch.del"
	[ -z "$(tcn class show dev d0)" ]
	json_eq "$(tcn -s -j qdisc show dev d0)" '.[0].streams' 0
}

@test "tc-dwcs: tc -s -j qdisc show carries the dwcs counters of an idle qdisc" {
	qdisc_add
	class_add 1:1 ipg 1ms
	q=$(tcn -s -j qdisc show dev d0)
	json_eq "$q" '.[0].kind' dwcs
	json_eq "$q" '.[0].streams' 1
	json_eq "$q" '.[0].active_streams' 0
	json_eq "$q" '.[0].packets' 0
	json_eq "$q" '.[0].drops' 0
	json_eq "$q" '.[0].backlog_packets // 0' 0
}

@test "tc-dwcs: tc -s class show prints a class's counters as key value words, x'/y' = x/y" {
	qdisc_add
	class_add 1:1 ipg 1ms oln 1 old 4
	run tcn -s class show dev d0 classid 1:1
	assert_status 0
	for key in sent_packets drop_late drop_overflow deadline_misses violations; do
		[[ "$output" =~ (^|[[:space:]])$key\ 0([[:space:]]|$) ]] || { echo "no '$key 0' in: $output" >&2; false; }
	done
	[[ "$output" =~ cur_x\ 1\ cur_y\ 4 ]] || { echo "no 'cur_x 1 cur_y 4': $output" >&2; false; }
}

@test "tc-dwcs: a filter attaches to the qdisc's block, is listed and deleted" {
	qdisc_add
	class_add 1:1 ipg 1ms
	tcn filter add dev d0 parent 1: protocol all prio 1 matchall classid 1:1
	run tcn filter show dev d0 parent 1:
	assert_status 0
	assert_output_contains "matchall"
	assert_output_contains "flowid 1:1"
	tcn filter del dev d0 parent 1: prio 1
	[ -z "$(tcn filter show dev d0 parent 1:)" ]
	tcn qdisc del dev d0 root
}

# Debian 12's tc (6.1) prints classes as text even with -j; 6.2 and later print JSON. The
# newer tc is iproute2 6.15 from bookworm-backports, unpacked (not installed) by scripts/deps.
@test "tc-dwcs: tc -j class show is JSON under iproute2 6.15, options and dwcs statistics" {
	tc_new=$QSOCK_BUILD/iproute2/sbin/tc
	require_file "$tc_new" "iproute2 6.15, unpacked by scripts/deps"
	qdisc_add
	class_add 1:1 ipg 20ms oln 1 old 4 lossless
	out=$(t "$tc_new" -n "$NS" -j class show dev d0 classid 1:1)
	jq -e . >/dev/null <<<"$out" || { echo "not JSON: $out"; false; }
	# tc puts a class's options at the top level of its object (a qdisc's go in "options")
	json_eq "$out" '.[0].class' dwcs
	json_eq "$out" '.[0].ipg' 20000000
	json_eq "$out" '.[0].oln' 1
	json_eq "$out" '.[0].old' 4
	json_eq "$out" '.[0].lossless' true
	json_eq "$out" '.[0].limit' 1000
	# with statistics, still one JSON document: tc's counters and the plugin's dwcs counters
	# side by side under "stats"
	out=$(t "$tc_new" -n "$NS" -s -j class show dev d0 classid 1:1)
	jq -e . >/dev/null <<<"$out" || { echo "not JSON with -s: $out"; false; }
	json_eq "$out" '.[0].stats.packets' 0
	json_eq "$out" '.[0].stats.sent_packets' 0
	json_eq "$out" '.[0].stats.cur_x' 1
	json_eq "$out" '.[0].stats.cur_y' 4
}
