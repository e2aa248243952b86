#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# tc's dwcs plugin (build/tc/q_dwcs.so) on the host: tc loads it through TC_LIB_DIR, parses
# every option, and sends exactly the attributes written (read back from the wire with
# strace). The host kernel has no dwcs qdisc, so a well-formed command ends with the kernel's
# "unknown kind" (exit 2) while a malformed one must be stopped by the plugin first (exit 1,
# a message naming the offending word, nothing sent). Round trips with the real module are in
# test/vm/tc-dwcs.bats.
#
# Attribute numbers (include/uapi/linux/pkt_sch_dwcs.h):
#   qdisc  1 RATE64 u64 B/s, 2 LIMIT u32, 3 MARKMASK u32, 4 FLAGS bitfield32, 5 ORDER u8,
#          7 HORIZON u64 ns
#   class  1 IPG u64 ns, 2 OLN u32, 3 OLD u32, 4 FLAGS bitfield32, 5 LIMIT u32

load ../lib/common
load ../lib/tc-request

PLUGIN=$QSOCK_BUILD/tc/q_dwcs.so

setup() {
	require_root
	require_cmd tc strace
	require_file "$PLUGIN" "built by make"
	export TC_LIB_DIR=$QSOCK_BUILD/tc
	new_ns NS
}

# qdisc_sends "ARGS" EXPECTED: `tc qdisc add ... dwcs ARGS` passes the plugin and sends
# exactly EXPECTED (the decoded TCA_OPTIONS, see test/lib/tc-request.bash).
qdisc_sends() {
	local opts
	tc_request opts tc -n "$NS" qdisc add dev lo root handle 1: dwcs $1
	[ "$tc_status" -ne 1 ] || { echo "plugin refused '$1': $tc_stderr" >&2; return 1; }
	[ "$opts" = "$2" ] || { printf 'dwcs %s sent:\n%s\nexpected:\n%s\n' "$1" "$opts" "$2" >&2; return 1; }
}

class_sends() {
	local opts
	tc_request opts tc -n "$NS" class add dev lo parent 1: classid 1:1 dwcs $1
	[ "$tc_status" -ne 1 ] || { echo "plugin refused '$1': $tc_stderr" >&2; return 1; }
	[ "$opts" = "$2" ] || { printf 'class dwcs %s sent:\n%s\nexpected:\n%s\n' "$1" "$opts" "$2" >&2; return 1; }
}

# rejected qdisc|class "ARGS" MESSAGE: the plugin refuses ARGS with MESSAGE on stderr, exit 1,
# and tc never sends the request.
rejected() {
	local what=$1 args=$2 msg=$3 opts
	if [ "$what" = qdisc ]; then
		tc_request opts tc -n "$NS" qdisc add dev lo root handle 1: dwcs $args
	else
		tc_request opts tc -n "$NS" class add dev lo parent 1: classid 1:1 dwcs $args
	fi
	[ "$tc_status" -eq 1 ] || { echo "$what '$args': status $tc_status, expected 1: $tc_stderr" >&2; return 1; }
	[[ "$tc_stderr" == *"$msg"* ]] || { printf '%s %s: stderr\n%s\nlacks "%s"\n' "$what" "$args" "$tc_stderr" "$msg" >&2; return 1; }
	[ "$opts" = none ] || { echo "$what '$args' was sent anyway: $opts" >&2; return 1; }
}

@test "tc-dwcs-parse: the plugin exports dwcs_qdisc_util and imports only what tc and libc/libm export" {
	tc_bin=$(command -v tc)
	run nm -D --defined-only "$PLUGIN"
	assert_status 0
	[ "$(awk '$2 ~ /^[BDGRT]$/ {print $3}' <<<"$output")" = dwcs_qdisc_util ]
	exported=$(nm -D --defined-only "$tc_bin" | awk '{print $3}')
	missing=
	for sym in $(nm -D --undefined-only "$PLUGIN" | awk '$1 == "U" {print $2}'); do
		[[ "$sym" == *@GLIBC_* ]] && continue
		grep -qxF "$sym" <<<"$exported" || missing+=" $sym"
	done
	[ -z "$missing" ] || { echo "tc ($tc_bin) does not export:$missing" >&2; false; }
}

@test "tc-dwcs-parse: help prints the qdisc and class usage, exit 1, nothing sent" {
	rejected qdisc help "Usage: ... dwcs [ rate RATE | rate unlimited ]"
	[[ "$tc_stderr" == *"Defaults: rate unlimited, limit 10000, markmask 0x1f000000"* ]]
	rejected class help "Usage: ... dwcs [ ipg TIME ] [ oln X ] [ old Y ]"
	[[ "$tc_stderr" == *"TIME needs a unit"* ]]
}

@test "tc-dwcs-parse: a well-formed qdisc reaches the kernel (exit 2, unknown kind on the host)" {
	run t tc -n "$NS" qdisc add dev lo root handle 1: dwcs limit 100
	assert_status 2
	assert_output_contains "Specified qdisc kind is unknown"
}

@test "tc-dwcs-parse: no options send an empty NLA_F_NESTED TCA_OPTIONS" {
	qdisc_sends "" "nest"
	class_sends "" "nest"
}

@test "tc-dwcs-parse: every qdisc option is encoded, in uapi order, and nothing else" {
	qdisc_sends "horizon 2s order window nonworkconserving markmask 0x1f000000 limit 100 rate 10mbit" \
		"nest
1 $(le64 1250000)
2 $(le32 100)
3 $(le32 0x1f000000)
4 $(le32 0)$(le32 1)
5 $(le8 1)
7 $(le64 2000000000)"
}

@test "tc-dwcs-parse: only the options given are sent (what change relies on)" {
	qdisc_sends "limit 7" "nest
2 $(le32 7)"
	qdisc_sends "workconserving" "nest
4 $(le32 1)$(le32 1)"
	qdisc_sends "order deadline" "nest
5 $(le8 0)"
	qdisc_sends "markmask 0" "nest
3 $(le32 0)"
	qdisc_sends "markmask 255" "nest
3 $(le32 255)"
	qdisc_sends "horizon 250ms" "nest
7 $(le64 250000000)"
}

@test "tc-dwcs-parse: rate units are tc(8)'s and the kernel gets bytes per second; unlimited is 0" {
	qdisc_sends "rate 1mbit" "nest
1 $(le64 125000)"
	qdisc_sends "rate 1gbit" "nest
1 $(le64 125000000)"
	qdisc_sends "rate 100kbps" "nest
1 $(le64 100000)"
	qdisc_sends "rate 1mibit" "nest
1 $(le64 131072)"
	qdisc_sends "rate 8000" "nest
1 $(le64 1000)"
	qdisc_sends "rate 8bit" "nest
1 $(le64 1)"
	qdisc_sends "rate unlimited" "nest
1 $(le64 0)"
	qdisc_sends "rate 100gbit" "nest
1 $(le64 12500000000)"
}

@test "tc-dwcs-parse: every class option is encoded, in uapi order" {
	class_sends "limit 5 nondroppable edf lossless old 4 oln 1 ipg 20ms" \
		"nest
1 $(le64 20000000)
2 $(le32 1)
3 $(le32 4)
4 $(le32 7)$(le32 7)
5 $(le32 5)"
}

@test "tc-dwcs-parse: a class maxrate goes as TCA_DWCS_CLASS_MAXRATE64 in bytes per second; unlimited is 0" {
	class_sends "maxrate 1mbit" "nest
7 $(le64 125000)"
	class_sends "ipg 1ms maxrate 8bit" "nest
1 $(le64 1000000)
7 $(le64 1)"
	class_sends "maxrate unlimited" "nest
7 $(le64 0)"
	rejected class "maxrate 7bit" 'invalid maxrate "7bit": expected at least 8bit'
	rejected class "maxrate fast" 'invalid maxrate "fast"'
	rejected class "maxrate 1mbit maxrate 2mbit" 'maxrate'
}

@test "tc-dwcs-parse: class flags carry a selector of the pairs given, and only those" {
	class_sends "lossy" "nest
4 $(le32 0)$(le32 2)"
	class_sends "lossless" "nest
4 $(le32 2)$(le32 2)"
	class_sends "edf droppable" "nest
4 $(le32 4)$(le32 5)"
	class_sends "noedf nondroppable" "nest
4 $(le32 1)$(le32 5)"
	class_sends "oln 0 old 0" "nest
2 $(le32 0)
3 $(le32 0)"
}

@test "tc-dwcs-parse: ipg takes s, ms, us and ns (and their long forms) into nanoseconds" {
	class_sends "ipg 1s" "nest
1 $(le64 1000000000)"
	class_sends "ipg 1.5ms" "nest
1 $(le64 1500000)"
	class_sends "ipg 250usec" "nest
1 $(le64 250000)"
	class_sends "ipg 999ns" "nest
1 $(le64 999)"
	class_sends "ipg 60secs" "nest
1 $(le64 60000000000)"
	# Out of the kernel's range but well formed: the kernel, not the plugin, judges ranges.
	class_sends "ipg 61s" "nest
1 $(le64 61000000000)"
}

@test "tc-dwcs-parse: malformed qdisc values are refused by the plugin, naming the word" {
	rejected qdisc "limit" '"limit" needs a value'
	rejected qdisc "limit ten" 'invalid limit "ten": expected a number of packets'
	rejected qdisc "limit -1" 'invalid limit "-1"'
	rejected qdisc "limit -4294967295" 'invalid limit "-4294967295"'
	rejected qdisc "limit 4294967296" 'invalid limit "4294967296"'
	rejected qdisc "limit 1.5" 'invalid limit "1.5"'
	rejected qdisc "limit 0x10" 'invalid limit "0x10"'
	rejected qdisc "markmask 0x100000000" 'invalid markmask "0x100000000"'
	rejected qdisc "markmask mask" 'invalid markmask "mask"'
	rejected qdisc "rate" '"rate" needs a value'
	rejected qdisc "rate fast" 'invalid rate "fast"'
	rejected qdisc "rate -1mbit" 'invalid rate "-1mbit"'
	rejected qdisc "rate 10mbits" 'invalid rate "10mbits": expected a unit'
	rejected qdisc "rate 7bit" 'invalid rate "7bit": expected at least 8bit'
	rejected qdisc "rate 0" 'invalid rate "0": expected at least 8bit'
	rejected qdisc "rate inf" 'invalid rate "inf"'
	rejected qdisc "rate 1e30tbit" 'invalid rate "1e30tbit": expected a rate below 2^64'
	rejected qdisc "order" '"order" needs a value'
	rejected qdisc "order edf" 'invalid order "edf": expected deadline (Table A) or window (Table B)'
	rejected qdisc "horizon" '"horizon" needs a value'
	rejected qdisc "horizon 10" 'invalid horizon "10": expected a time with a unit'
	rejected qdisc "horizon 2s horizon 3s" 'horizon may be given only once'
	rejected qdisc "bands 3" 'unknown option "bands"'
}

@test "tc-dwcs-parse: malformed class values are refused by the plugin, naming the word" {
	rejected class "ipg" '"ipg" needs a value'
	rejected class "ipg 20" 'invalid ipg "20": expected a time with a unit'
	rejected class "ipg 20min" 'invalid ipg "20min": expected a time with a unit'
	rejected class "ipg -5ms" 'invalid ipg "-5ms"'
	rejected class "ipg nanms" 'invalid ipg "nanms"'
	rejected class "ipg 1e300s" 'invalid ipg "1e300s": expected a time below 2^64 ns'
	rejected class "oln one" 'invalid oln "one": expected a number of deadlines'
	rejected class "old -2" 'invalid old "-2": expected a window of deadlines'
	rejected class "limit 99999999999" 'invalid limit "99999999999"'
	rejected class "rate 1mbit" 'unknown class option "rate"'
	rejected class "ipg 1ms oln" '"oln" needs a value'
}

@test "tc-dwcs-parse: options given twice, or both words of a pair, are refused" {
	rejected qdisc "limit 1 limit 2" '"limit": limit may be given only once'
	rejected qdisc "workconserving nonworkconserving" '"nonworkconserving": workconserving|nonworkconserving may be given only once'
	rejected qdisc "rate 1mbit rate unlimited" '"rate": rate may be given only once'
	rejected class "lossy lossless" '"lossless": lossy|lossless may be given only once'
	rejected class "edf noedf" '"noedf": edf|noedf may be given only once'
	rejected class "droppable droppable" '"droppable": nondroppable|droppable may be given only once'
	rejected class "ipg 1ms ipg 2ms" '"ipg": ipg may be given only once'
}

@test "tc-dwcs-parse: tc -batch reports the plugin's error with the file and line, and goes on with -force" {
	batch=$BATS_TEST_TMPDIR/dwcs.batch
	cat >"$batch" <<-EOF
		qdisc add dev lo root handle 1: dwcs limit 10
		qdisc add dev lo root handle 1: dwcs limit ten
		class add dev lo parent 1: classid 1:1 dwcs ipg 5
		class add dev lo parent 1: classid 1:1 dwcs ipg 5ms oln 1 old 2
	EOF
	run t tc -n "$NS" -force -batch "$batch"
	assert_status 1
	# Lines 1 and 4 are well formed: the kernel refuses them (no dwcs on the host, then no
	# qdisc 1: for the class). Lines 2 and 3 are stopped by the plugin, each right before its
	# "Command failed" line.
	expected="Error: Specified qdisc kind is unknown.
Command failed $batch:1
dwcs: invalid limit \"ten\": expected a number of packets
Command failed $batch:2
dwcs: invalid ipg \"5\": expected a time with a unit: s, ms, us or ns (e.g. 20ms)
Command failed $batch:3
RTNETLINK answers: No such file or directory
Command failed $batch:4"
	[ "$output" = "$expected" ] || { printf 'got:\n%s\n' "$output" >&2; false; }
}

# The same plugin under a second tc: iproute2 6.15 from bookworm-backports, unpacked (never
# installed) by scripts/deps into build/iproute2. Its plugin ABI and exports must still be what
# tools/tc/tc_plugin_abi.h declares (written for 6.1): the same commands send the same bytes.
@test "tc-dwcs-parse: under iproute2 6.15 too, the plugin loads and every command sends what it sends under 6.1" {
	tc_new=$QSOCK_BUILD/iproute2/sbin/tc
	require_file "$tc_new" "iproute2 6.15, unpacked by scripts/deps"
	run "$tc_new" -V
	assert_output_contains "iproute2-6.15"
	tc_bin=$(command -v tc)
	exported=$(nm -D --defined-only "$tc_new" | awk '{print $3}')
	for sym in $(nm -D --undefined-only "$PLUGIN" | awk '$1 == "U" && $2 !~ /@GLIBC_/ {print $2}'); do
		grep -qxF "$sym" <<<"$exported" || { echo "tc 6.15 does not export $sym" >&2; false; }
	done
	for cmd in "qdisc add dev lo root handle 1: dwcs order window nonworkconserving markmask 0x1f000000 limit 100 rate 10mbit" \
		"qdisc add dev lo root handle 1: dwcs workconserving" \
		"class add dev lo parent 1: classid 1:1 dwcs ipg 20ms oln 1 old 4 lossless limit 50" \
		"class add dev lo parent 1: classid 1:1 dwcs ipg 1500us droppable edf"; do
		tc_request old "$tc_bin" -n "$NS" $cmd
		old_status=$tc_status
		tc_request new "$tc_new" -n "$NS" $cmd
		echo "$cmd: 6.1 exit $old_status, 6.15 exit $tc_status"
		[ "$old" != none ] && [ "$old" = "$new" ] && [ "$old_status" = "$tc_status" ] ||
			{ printf '6.1 sent:\n%s\n6.15 sent:\n%s\n' "$old" "$new" >&2; false; }
	done
	# a malformed value is refused by the plugin under both, naming the word
	tc_request new "$tc_new" -n "$NS" class add dev lo parent 1: classid 1:1 dwcs ipg fast
	[ "$tc_status" -eq 1 ] && [ "$new" = none ]
	[[ "$tc_stderr" == *fast* ]]
}
