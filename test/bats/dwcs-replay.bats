#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# test/bench/dwcs_replay (scenario B's frames through the scheduling core on a simulated link):
# the verdicts it reaches on frames made up here, where the answer is known, and its errors on
# bad input. No root, no network: a second or two.

load ../lib/common

REPLAY=$QSOCK_BUILD/test/bench/dwcs_replay

setup() {
	require_file "$REPLAY" "run make"
	OUT=$(mktemp -d)
	defer rm -rf "$OUT"
}

# frames FILE STREAM FPS N I_BYTES P_BYTES B_BYTES: a video-server --frames-csv of N frames of
# the GOP IBBBPBBBPBBBPBBB with these wire sizes (each a whole number of datagrams: 1376 bytes
# of payload and 66 of headers a full one).
frames() {
	awk -v s="$2" -v fps="$3" -v n="$4" -v i="$5" -v p="$6" -v b="$7" 'BEGIN {
		gop = "IBBBPBBBPBBBPBBB"
		print "capture_ns,stream,frame,type,wire_bytes"
		for (k = 0; k < n; k++) {
			t = substr(gop, k % 16 + 1, 1)
			printf "%d,%d,%d,%s,%d\n", 1000000000 + k * 1000000000 / fps, s, k, t,
				t == "I" ? i : t == "P" ? p : b
		}
	}' >"$1"
}

@test "dwcs_replay: a light load keeps every frame, in every alignment" {
	# 10 datagrams an I-frame, 4 a P, 1 a B: 20 fps of it is about 1 Mbit/s of 10
	frames "$OUT/f0.csv" 0 20 64 13660 5264 1066
	frames "$OUT/f1.csv" 1 25 80 13660 5264 1066
	run "$REPLAY" --tolerances "4/16 4/16" --trials 20 "$OUT/f0.csv" "$OUT/f1.csv"
	echo "$output"
	assert_status 0
	assert_output_contains "feasible alignments 20 of 20; every I-frame and window kept in 20, missed in 0"
}

@test "dwcs_replay: a link too slow for the I-frames is infeasible, a buffer long enough is not" {
	frames "$OUT/f0.csv" 0 20 64 13660 5264 1066
	# 100 kbit/s: one I-frame takes over a second of the link
	run "$REPLAY" --rate 12500 --tolerances "15/16" "$OUT/f0.csv"
	echo "$output"
	assert_status 0
	assert_output_contains "feasible alignments 0 of 1"

}

@test "dwcs_replay: bad input is named" {
	frames "$OUT/f0.csv" 0 20 32 13660 5264 1066
	run "$REPLAY" "$OUT/missing.csv"
	assert_status 2
	assert_output_contains "missing.csv: cannot open"
	printf 'capture_ns,stream,frame,type,wire_bytes\n1,0,0,I\n' >"$OUT/short.csv"
	run "$REPLAY" "$OUT/short.csv"
	assert_status 2
	assert_output_contains "short.csv: a row is not capture_ns,stream,frame,type,wire_bytes"
	run "$REPLAY" --tolerances "17/16" "$OUT/f0.csv"
	assert_status 2
	assert_output_contains "--tolerances"
	run "$REPLAY" --rate x "$OUT/f0.csv"
	assert_status 2
	assert_output_contains "not \"x\""
	run "$REPLAY" --tolerances "1/16" "$OUT/f0.csv" "$OUT/f0.csv"
	assert_status 2
	assert_output_contains "fewer than the 2 streams"
}
