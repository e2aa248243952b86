#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# test/apps/edf-oracle (frame-oracle.c: could any scheduler have delivered a run's frames?
# scenario B's oracle.txt): its verdicts and schedule on frames made up here, where the answer
# is worked out by hand, and its errors on bad input. No root, no network: a second.
#
# The sizes: an I-frame of 13,660 bytes takes 10.928 ms of the 10 Mbit/s link (1,250,000
# bytes/s), a P of 5,264 bytes 4.2112 ms, a B of 1,066 bytes 0.8528 ms.

load ../lib/common
load ../lib/frames

ORACLE=$QSOCK_BUILD/test/apps/edf-oracle

setup() {
	require_file "$ORACLE" "run make"
	OUT=$(mktemp -d)
	defer rm -rf "$OUT"
}

# finish FRAMES_OUT STREAM FRAME: the oracle's finish_ms of that frame.
finish() { awk -F, -v s="$2" -v f="$3" 'NR > 1 && $1 == s && $2 == f { print $4 }' "$1"; }

@test "edf-oracle: a light load is feasible, each frame done one transmission after its capture" {
	frames "$OUT/f0.csv" 0 20 64 13660 5264 1066
	run "$ORACLE" --tolerances "4/16" --frames-out "$OUT/done.csv" "$OUT/f0.csv"
	echo "$output"
	assert_status 0
	# 4 windows of 16 frames: 4 protected each, and 16 - 4 - 4 = 8 B-frames each
	assert_output_contains "oracle: IP frames 16 (I: 4), an ideal scheduler misses 0 (I: 0): feasible; with the B-frames the windows need (32): windows feasible"
	[ "$(finish "$OUT/done.csv" 0 0)" = 10.928 ]
	[ "$(finish "$OUT/done.csv" 0 4)" = 4.211 ]
	# only the protected frames are listed
	[ "$(($(wc -l <"$OUT/done.csv") - 1))" = 16 ]
}

@test "edf-oracle: colliding I-frames go in capture order, ties in stream order" {
	frames "$OUT/f0.csv" 0 20 16 13660 5264 1066
	frames "$OUT/f1.csv" 1 25 20 13660 5264 1066
	run "$ORACLE" --frames-out "$OUT/done.csv" "$OUT/f0.csv" "$OUT/f1.csv"
	echo "$output"
	assert_status 0
	assert_output_contains "IP frames 9 (I: 3), an ideal scheduler misses 0 (I: 0): feasible"
	[[ "$output" != *windows* ]]
	# both captured at 1 s: stream 0's first, stream 1's behind it
	[ "$(finish "$OUT/done.csv" 0 0)" = 10.928 ]
	[ "$(finish "$OUT/done.csv" 1 0)" = 21.856 ]
}

@test "edf-oracle: a link too slow for the I-frames is infeasible, and says how many missed" {
	frames "$OUT/f0.csv" 0 20 32 13660 5264 1066
	# 100 kbit/s: an I-frame alone takes over a second of the link
	run "$ORACLE" --rate 12500 "$OUT/f0.csv"
	echo "$output"
	assert_status 0
	assert_output_contains "IP frames 8 (I: 2), an ideal scheduler misses 8 (I: 2): infeasible"
	# a longer buffer than the backlog ever grows: feasible
	run "$ORACLE" --rate 12500 --playout-ms 60000 "$OUT/f0.csv"
	assert_output_contains "misses 0 (I: 0): feasible"
}

@test "edf-oracle: a frame the sender skipped is one its window lost; a window the run ended inside asks nothing" {
	# x = 0: a window needs all 12 of its B-frames; frame 5 (a B) was never sent
	frames "$OUT/f0.csv" 0 20 32 13660 5264 1066 5
	run "$ORACLE" --tolerances "0/16" "$OUT/f0.csv"
	echo "$output"
	assert_status 0
	assert_output_contains "misses 0 (I: 0): feasible; with the B-frames the windows need (23): windows infeasible"
	# 24 frames: the second window is cut short by the run's end
	frames "$OUT/f1.csv" 0 20 24 13660 5264 1066
	run "$ORACLE" --tolerances "0/16" "$OUT/f1.csv"
	assert_output_contains "IP frames 6 (I: 2), an ideal scheduler misses 0 (I: 0): feasible; with the B-frames the windows need (12): windows feasible"
}

@test "edf-oracle: --types chooses the protected frames; none of them is exit 1" {
	frames "$OUT/f0.csv" 0 20 32 13660 5264 1066
	run "$ORACLE" --types I "$OUT/f0.csv"
	assert_status 0
	assert_output_contains "oracle: I frames 2 (I: 2)"
	frames "$OUT/p.csv" 0 20 4 13660 5264 1066
	sed -i '/,I,/d' "$OUT/p.csv"
	run "$ORACLE" --types I "$OUT/p.csv"
	assert_status 1
	assert_output_contains "no frames of I"
}

@test "edf-oracle: bad input is named" {
	frames "$OUT/f0.csv" 0 20 32 13660 5264 1066
	run "$ORACLE" "$OUT/missing.csv"
	assert_status 2
	assert_output_contains "missing.csv: cannot open"
	printf 'capture_ns,stream,frame,type,wire_bytes\n1,0,0,I,100\n2,0,1,X,100\n' >"$OUT/bad.csv"
	run "$ORACLE" "$OUT/bad.csv"
	assert_status 2
	assert_output_contains "bad.csv, row 3: not capture_ns,stream,frame,type"
	printf 'capture_ns,stream,frame,type,wire_bytes\n1,0,1,I,100\n2,0,0,B,100\n' >"$OUT/order.csv"
	run "$ORACLE" "$OUT/order.csv"
	assert_status 2
	assert_output_contains "order.csv, row 3: frame 0 out of order"
	printf 'capture_ns,stream,frame,type,wire_bytes\n1,0,0,I,100\n2,1,1,B,100\n' >"$OUT/mixed.csv"
	run "$ORACLE" "$OUT/mixed.csv"
	assert_status 2
	assert_output_contains "mixed.csv, row 3: stream 1 in a file of stream 0"
	printf 'stream,frame\n' >"$OUT/other.csv"
	run "$ORACLE" "$OUT/other.csv"
	assert_status 2
	assert_output_contains "other.csv: not a video-server --frames-csv file"
	run "$ORACLE" --tolerances "17/16" "$OUT/f0.csv"
	assert_status 2
	assert_output_contains "--tolerances \"17/16\": give X/Y per stream"
	run "$ORACLE" --tolerances "1/16 1/16" "$OUT/f0.csv"
	assert_status 2
	assert_output_contains "more than the 1 streams given"
	run "$ORACLE" --tolerances "1/16" "$OUT/f0.csv" "$OUT/f0.csv"
	assert_status 2
	assert_output_contains "fewer than the 2 streams given"
	run "$ORACLE" --types IX "$OUT/f0.csv"
	assert_status 2
	assert_output_contains "--types \"IX\""
	run "$ORACLE" --rate 0 "$OUT/f0.csv"
	assert_status 2
	assert_output_contains "--rate"
	run "$ORACLE"
	assert_status 2
	assert_output_contains "one --frames-csv file per stream"
	run "$ORACLE" --frames-out "$OUT/no/such/dir.csv" "$OUT/f0.csv"
	assert_status 2
	assert_output_contains "--frames-out $OUT/no/such/dir.csv"
}
