#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# Figures 4 and 5 (docs/evaluation.md): a 20 fps video stream over the shaped 10 Mbit/s link,
# bulk TCP transfers from t = 2 s (shorter than the figure's 45 s runs: 12 s each, judged on
# the 5-10 s interval). The claims, with tolerances for a noisy shared machine (the targets
# of issue 7 are measured by `make figures` and reported in docs/evaluation.md):
#   managed (API, shim) >= 17 fps in every interval under perturbation (target 19.5: the
#   emulated guest on a shared host stalls now and then, and a stalled frame misses its
#   deadline), the unmanaged stream at least 2 fps lower on average and with a larger gap p99.
# Each claim may re-run its scenario once before it fails, and says so; when both runs failed
# while the VM was CPU-starved (test/apps/stall-probe), the test skips with the measurements.

load ../lib/common
load ../lib/eval

DURATION=12
export PERTURB_AT=2

setup() {
	OUT=$(mktemp -d "$QSOCK_BUILD/eval-fig45.XXXXXX")
	defer rm -rf "$OUT"
}

managed_claim() { video_managed_claim "$1" "$DURATION"; }

api_vs_unmanaged() {
	local mm um mp up
	managed_claim api || return 1
	eval_scenario video.sh unmanaged "$OUT/unmanaged" $DURATION || return 1
	cat "$OUT/unmanaged/fps.csv"
	mm=$(fps_col "$OUT/api/fps.csv" 0 5 $DURATION | mean_of)
	um=$(fps_col "$OUT/unmanaged/fps.csv" 0 5 $DURATION | mean_of)
	mp=$(gap_p99 "$OUT/api/gaps.csv" 5)
	up=$(gap_p99 "$OUT/unmanaged/gaps.csv" 5)
	echo "under perturbation: managed $mm fps, gap p99 $mp ms; unmanaged $um fps, gap p99 $up ms"
	ge "$mm" "$(awk -v u="$um" 'BEGIN { print u + 2 }')" ||
		{ echo "the unmanaged stream is not clearly worse ($um vs $mm fps)"; return 1; }
	ge "$up" "$mp" || { echo "the unmanaged gap p99 ($up ms) is below the managed one ($mp ms)"; return 1; }
}

shim_claim() { managed_claim shim; }

@test "fig4/5: through the API the stream keeps its frame rate and gaps; unmanaged falls" {
	eval_require_managed
	eval_twice api_vs_unmanaged
}

@test "fig4/5: the unmodified server under the shim keeps its frame rate and gaps" {
	eval_require_managed shim
	eval_twice shim_claim
}
