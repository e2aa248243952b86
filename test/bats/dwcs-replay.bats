#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# test/bench/dwcs_replay (scenario B's frames through the scheduling core on a simulated link):
# the verdicts it reaches on frames made up here, where the answer is known, and its errors on
# bad input. No root, no network: a second or two.

load ../lib/common
load ../lib/frames

REPLAY=$QSOCK_BUILD/test/bench/dwcs_replay

setup() {
	require_file "$REPLAY" "run make"
	OUT=$(mktemp -d)
	defer rm -rf "$OUT"
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
	assert_output_contains "short.csv, row 2: not capture_ns,stream,frame,type"
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

# default NAME FILE: the default overload.sh (or lib.sh) gives the variable NAME, "${NAME:-X}".
default() { grep -o "\${$1:-[^}]*}" "$2" | head -n 1 | sed "s/^\${$1:-//; s/}\$//"; }

@test "dwcs_replay: its defaults are scenario B's, as overload.sh runs it" {
	local scen=$QSOCK_REPO/test/scenarios gop tols dl bdl playout pace rate
	gop=$(default OVERLOAD_GOP "$scen/overload.sh")
	tols=$(default OVERLOAD_TOLERANCES "$scen/overload.sh")
	dl=$(default OVERLOAD_DEADLINE_MS "$scen/overload.sh")
	bdl=$(default OVERLOAD_DROPPABLE_DEADLINE_MS "$scen/overload.sh")
	playout=$(default PLAYOUT_MS "$scen/overload.sh")
	pace=$(default SCEN_VIDEO_PACE "$scen/lib.sh")
	rate=$(default SCEN_RATE "$scen/lib.sh")
	echo "overload.sh: gop $gop, tolerances $tols, deadlines $dl/$bdl ms, playout $playout ms, pace $pace %, rate $rate"
	[ -n "$gop" ] && [ -n "$tols" ] && [ -n "$dl" ] && [ -n "$bdl" ] && [ -n "$playout" ] && [ -n "$pace" ]
	[ "$rate" = 10mbit ]
	# four streams at overload.sh's rates, 67 % of the link: windows spend B-frames, and how
	# long a B-frame may wait changes which
	local s fps=(30 25 20 15)
	for s in 0 1 2 3; do
		frames "$OUT/f$s.csv" $s ${fps[s]} $((fps[s] * 20)) 44000 18000 6500
	done
	run "$REPLAY" --trials 20 --spread 16 "$OUT"/f[0-3].csv
	assert_status 0
	local defaults=$output
	echo "$defaults"
	run "$REPLAY" --trials 20 --spread 16 --gop "$gop" --tolerances "$tols" --deadline-ms "$dl" \
		--droppable-deadline-ms "$bdl" --playout-ms "$playout" --pace "$pace" --rate 1250000 \
		"$OUT"/f[0-3].csv
	assert_status 0
	[ "$output" = "$defaults" ]
	# and the comparison can tell: another B-frame deadline gives another outcome
	run "$REPLAY" --trials 20 --spread 16 --droppable-deadline-ms $((bdl - 20)) "$OUT"/f[0-3].csv
	[ "$output" != "$defaults" ]
}
