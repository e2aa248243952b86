#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# The comparison with stock Linux QoS (issue #13, docs/evaluation.md "Against stock QoS"),
# scenarios B and C, each contender run for 15 s in the same boot, judged on what the receivers
# saw (decodable frames, I-frames, audio packets on time). Every claim compares figures measured
# side by side in the run, never a fixed number for a stock contender; both may re-run once, and
# skip when both runs were CPU-starved (eval_twice).
#
# B, real-time overload (overload.sh: four video streams at ~130 % of the link, bulk TCP from
# t = 2 s): qsock delivers at least CMP_B_RATIO (1.3, the issue's target) times the decodable
# frames of prio (in `make figures` of session 11 no stock contender delivered more than 1.8
# decodable fps, prio 1.33, against qsock's 51.8; one contender keeps the test's VM time near a
# minute), and more of its I-frames. (The issue's target, every I-frame, is a figure of
# docs/evaluation.md, not a claim here: the set is feasible only narrowly (each run's
# oracle.txt), and a protected I-frame that a VM stall delays past the 200 ms playout buffer is
# useless whatever the scheduler did.)
# C, audio beside key-frame bursts (burst.sh): qsock's audio misses (late or lost) at most 1 %
# of its packets or the packets the run's longest VM stall explains, whichever is more (target:
# 100 % on time), and fewer than prio's, whose top band holds the audio behind every burst.

load ../lib/common
load ../lib/eval

DURATION=15
export PERTURB_AT=2
CMP_B_RATIO=${CMP_B_RATIO:-1.3}

setup() {
	OUT=$(mktemp -d "$QSOCK_BUILD/eval-cmp.XXXXXX")
	defer rm -rf "$OUT"
}

# col SUMMARY NAME: the column NAME of every row of a summary.csv, one a line.
col() {
	awk -F, -v name="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == name) c = i; next }
		{ print $c }' "$1"
}
sum_of() { awk '{ s += $1 } END { print s + 0 }'; }

claim_b() {
	local v dec best=0 best_v= best_i=0 i_sent i_ok
	for v in api prio; do
		eval_scenario overload.sh "$v" "$OUT/b-$v" $DURATION || return 1
		cat "$OUT/b-$v/summary.csv"
	done
	for v in prio; do
		dec=$(col "$OUT/b-$v/summary.csv" decodable | sum_of)
		i_ok=$(col "$OUT/b-$v/summary.csv" i_delivered | sum_of)
		echo "$v: $dec decodable frames, $i_ok I-frames"
		[ "$dec" -le "$best" ] || { best=$dec; best_v=$v; }
		[ "$i_ok" -le "$best_i" ] || best_i=$i_ok
	done
	dec=$(col "$OUT/b-api/summary.csv" decodable | sum_of)
	i_sent=$(col "$OUT/b-api/summary.csv" i_frames | sum_of)
	i_ok=$(col "$OUT/b-api/summary.csv" i_delivered | sum_of)
	echo "qsock: $dec decodable frames, I-frames $i_ok of $i_sent; best stock: $best_v $best"
	ge "$dec" "$(awk -v b="$best" -v r="$CMP_B_RATIO" 'BEGIN { print b * r }')" ||
		{ echo "qsock $dec < $CMP_B_RATIO x $best_v's $best decodable frames"; return 1; }
	[ "$i_ok" -gt "$best_i" ] ||
		{ echo "qsock delivered $i_ok I-frames, no more than a stock contender's $best_i"; return 1; }
}

@test "cmp-b: under real-time overload qsock delivers 1.3x the decodable frames of the best stock contender, and more I-frames" {
	eval_require_managed
	eval_twice claim_b
}

# audio_miss DIR: late + lost audio packets (stream 0 of burst.sh's summary); audio_msgs DIR:
# all of them.
audio_miss() { awk -F, 'NR > 1 && $4 == "audio" { print $19 + $20 }' "$1/summary.csv"; }
audio_msgs() { awk -F, 'NR > 1 && $4 == "audio" { print $17 }' "$1/summary.csv"; }

claim_c() {
	local v api prio stall allowed
	for v in api prio; do
		eval_scenario burst.sh "$v" "$OUT/c-$v" $DURATION || return 1
		cat "$OUT/c-$v/summary.csv"
	done
	api=$(audio_miss "$OUT/c-api")
	prio=$(audio_miss "$OUT/c-prio")
	# A stall of the guest longer than the audio's 20 ms budget can make one packet per 20 ms
	# of it late whatever the scheduler does (stall-probe measured it beside the run).
	stall=$(sed -n 's/^max_ms=\([0-9.]*\).*/\1/p' "$OUT/c-api/stall.txt")
	allowed=$(awk -v s="${stall:-0}" -v m="$(audio_msgs "$OUT/c-api")" \
		'BEGIN { n = s > 20 ? int(s / 20) + 1 : 0; if (n < 0.01 * m) n = int(0.01 * m); print n }')
	echo "audio packets late or lost: qsock $api (allowed $allowed: 1 % or a ${stall:-?} ms stall), prio $prio"
	[ "$api" -le "$allowed" ] || { echo "qsock's audio missed $api deadlines"; return 1; }
	[ "$api" -lt "$prio" ] ||
		{ echo "qsock's audio missed $api, no fewer than prio's $prio: the bursts did not test it"; return 1; }
}

@test "cmp-c: audio beside key-frame bursts: qsock meets the audio's deadlines, better than the top prio band" {
	eval_require_managed
	eval_twice claim_c
}
