#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# Figure 7 (docs/evaluation.md): aperiodic sensor readings with random deadlines (20-100 ms)
# over the shaped 10 Mbit/s link, bulk TCP from t = 2 s; EDF lossless, EDF lossy (both through
# qsendto deadlines) and unmanaged, 12 s each, judged on the 5-10 s interval. Claims: the
# lossy stream delivers (almost) no late reading (at most 1% of those delivered: the receiver itself can be stalled), and
# loses no more readings than the lossless stream misses and fewer than the unmanaged stream
# misses (late + lost). Against lossless the comparison is "no more", not "fewer": on a quiet
# machine this 12 s perturbation leaves both EDF variants with every deadline met (0 and 0
# measured), a tie that is the best either can do; `make figures` (45 s, heavier load) is where
# lossy and lossless separate.
# May re-run once, and says so (skips when both runs were CPU-starved).
# Starved here means a stall longer than the shortest deadline (EVAL_STALL_MAX_MS = 20 ms,
# sensor.sh's SENSOR_DMIN): readings then turn late before they reach the qdisc, lossy must
# drop them, and the comparison with lossless's separate run measures the two runs' stalls,
# not the scheduler. Session 12: with stalls of at most 12.6 ms, eight runs gave 0 lost and
# 0 missed each; a CI run with a 25 ms stall in the lossy run lost 16 and 36 (lossless 0).

load ../lib/common
load ../lib/eval

DURATION=12
export PERTURB_AT=2
EVAL_STALL_MAX_MS=${SENSOR_DMIN:-20}

setup() {
	OUT=$(mktemp -d "$QSOCK_BUILD/eval-fig7.XXXXXX")
	defer rm -rf "$OUT"
}

# totals VARIANT: "on_time late lost" over the intervals under perturbation.
totals() { awk -F, 'NR > 1 && $1 >= 5 { o += $3; l += $4; x += $5 } END { print o + 0, l + 0, x + 0 }' "$OUT/$1/sensor.csv"; }

claim() {
	local v ok late lost lossless_miss unmanaged_miss
	for v in edf-lossy edf-lossless unmanaged; do
		eval_scenario sensor.sh "$v" "$OUT/$v" $DURATION || return 1
		echo "$v (on_time late lost): $(totals "$v")"
	done
	read -r ok late lost < <(totals edf-lossy)
	lossless_miss=$(totals edf-lossless | awk '{ print $2 + $3 }')
	unmanaged_miss=$(totals unmanaged | awk '{ print $2 + $3 }')
	[ "$ok" -gt 0 ] || { echo "edf-lossy delivered nothing"; return 1; }
	ge "$(awk -v o="$ok" 'BEGIN { print 0.01 * o }')" "$late" ||
		{ echo "edf-lossy delivered $late late readings"; return 1; }
	[ "$lost" -le "$lossless_miss" ] || { echo "edf-lossy lost $lost > lossless missed $lossless_miss"; return 1; }
	[ "$lost" -lt "$unmanaged_miss" ] || { echo "edf-lossy lost $lost >= unmanaged missed $unmanaged_miss"; return 1; }
}

@test "fig7: EDF lossy delivers no late reading, loses no more than lossless and fewer than unmanaged miss" {
	eval_require_managed
	eval_twice claim
}
