# SPDX-License-Identifier: GPL-2.0
#
# Helpers for the evaluation's VM tests (test/vm/eval-*.bats): run a scenario of
# test/scenarios, skip when the pieces it needs are not in the tree, re-run once when the claim
# fails (the shared machines are noisy), and read the per-interval CSVs. Load after common.

EVAL_SCEN=$QSOCK_REPO/test/scenarios
# The eval tests together get 5 minutes of VM time in `make check`: seconds used so far in this
# bats run, shared by the eval-*.bats files.
EVAL_BUDGET_S=${EVAL_BUDGET_S:-300}
EVAL_USED_FILE=${BATS_RUN_TMPDIR:-/tmp}/qsock-eval-seconds
eval_used() { cat "$EVAL_USED_FILE" 2>/dev/null || echo 0; }
# A run is starved (eval_starved) after one stall longer than this; a test whose claim a
# shorter stall already decides sets less after loading this file.
EVAL_STALL_MAX_MS=${EVAL_STALL_MAX_MS:-200}

# eval_require_managed [shim]: the real managed path (SCEN_QSOCK_SCHED's scheduler, dwcs by
# default), or skip naming what is missing.
eval_require_managed() {
	require_vm
	require_root
	require_cmd iperf3 ethtool nsenter
	if [ "${SCEN_QSOCK_SCHED:-dwcs}" = dwcs ]; then
		require_file "$QSOCK_KMOD_DIR/dwcs/sch_dwcs.ko" "the dwcs module: run make"
		require_file "$QSOCK_BUILD/tc/q_dwcs.so" "the tc plugin: run make"
	fi
	require_file "$QSOCK_BUILD/test/apps/qsock-root" "libqsock: run make"
	[ "${1:-}" != shim ] || require_file "$QSOCK_BUILD/shim/libqsockshim.so" "the shim: run make"
}

# eval_scenario SCRIPT VARIANT OUTDIR DURATION: run one scenario; exit 3 means it cannot run
# here, which skips the test.
eval_scenario() {
	local rc=0 t0=$SECONDS
	timeout --kill-after=5 $(($4 + 90)) "$EVAL_SCEN/$1" "$2" "$3" "$4" 2>"$3.log" || rc=$?
	echo $(($(eval_used) + SECONDS - t0)) >"$EVAL_USED_FILE"
	[ $rc -ne 3 ] || skip "$(tail -n 1 "$3.log")"
	[ $rc -eq 0 ] || { echo "$1 $2 failed (exit $rc):"; cat "$3.log"; return 1; }
	cat "$3.log"
	[ ! -s "$3/stall.txt" ] || echo "$2: $(cat "$3/stall.txt")" >>"$OUT/stalls"
}

# eval_starved: did any run since the last reset see the machine leave a real-time process
# unscheduled for > EVAL_STALL_MAX_MS, or > 50 ms three times (test/apps/stall-probe)? Then
# the timings measure the machine, not the scheduler. eval_starved_why: that, with the probes.
eval_starved() {
	[ -s "$OUT/stalls" ] && awk -v max="$EVAL_STALL_MAX_MS" '{ for (i = 1; i <= NF; i++) { split($i, kv, "=");
		if (kv[1] == "max_ms" && kv[2] + 0 > max) bad = 1;
		if (kv[1] == "over_50ms" && kv[2] + 0 >= 3) bad = 1 } } END { exit !bad }' "$OUT/stalls"
}
eval_starved_why() {
	echo "a stall over $EVAL_STALL_MAX_MS ms or three over 50 ms; $(tr '\n' ' ' <"$OUT/stalls")"
}

# eval_twice FUNCTION: run FUNCTION (scenario + claim); when the claim fails, say so and run it
# once more. Fail when the second run fails too, unless both failed runs were CPU-starved
# (eval_starved): then skip, with the measurements, since no claim about packet scheduling can
# be judged from them.
eval_twice() {
	local starved1=0
	: >"$OUT/stalls"
	# the first run's words are kept aside: shown as they are when it passes, and their end
	# (the claim's reason) beside the re-run notice when it fails, so a flaky claim says why
	"$1" >"$OUT/first-run.txt" 2>&1 && { cat "$OUT/first-run.txt"; return 0; }
	eval_starved && starved1=1
	# A starved machine rarely recovers within a minute: when a re-run would overrun the
	# budget, report the starvation instead of spending it.
	if [ $starved1 = 1 ] && [ $(($(eval_used) * 2)) -gt "$EVAL_BUDGET_S" ]; then
		skip "the VM was CPU-starved ($(eval_starved_why)) and a re-run would overrun the eval tests' ${EVAL_BUDGET_S}s VM budget ($(eval_used)s used): the timings measure the machine, not the scheduler"
	fi
	echo "# $BATS_TEST_DESCRIPTION: the claim failed on the first run$([ $starved1 = 1 ] && echo " (CPU-starved: $(tr '\n' ' ' <"$OUT/stalls"))"); re-running the scenario once (noisy machine)" >&3
	tail -n 4 "$OUT/first-run.txt" | sed 's/^/#   first run: /' >&3
	cat "$OUT/first-run.txt"
	: >"$OUT/stalls"
	"$1" && return 0
	if [ $starved1 = 1 ] && eval_starved; then
		skip "the VM was CPU-starved in both runs ($(eval_starved_why)): the timings measure the machine, not the scheduler"
	fi
	return 1
}

# fps_col CSV STREAM FROM TO: the fps of STREAM in the intervals starting in [FROM, TO), one a line.
fps_col() { awk -F, -v s="$2" -v a="$3" -v b="$4" 'NR > 1 && $3 == s && $1 >= a && $1 < b { print $5 }' "$1"; }
# min_of / mean_of: of the numbers on stdin.
min_of() { sort -g | head -n 1; }
mean_of() { awk '{ s += $1; n++ } END { if (n) printf "%.2f\n", s / n; else print "nan" }'; }
# ge A B: A >= B for decimal numbers.
ge() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a >= b) }'; }
# gap_p99 CSV FROM: nearest-rank p99 of the inter-frame gaps from FROM seconds on.
gap_p99() {
	awk -F, -v a="$2" 'NR > 1 && $1 >= a { print $5 }' "$1" | sort -g |
		awk '{ v[NR] = $1 } END { r = int(0.99 * NR); if (r < 0.99 * NR) r++; if (r < 1) r = 1; print v[r] + 0 }'
}

# video_managed_claim VARIANT DURATION: Figures 4/5's claim for a managed variant (api, shim)
# of test/scenarios/video.sh run for DURATION seconds with PERTURB_AT=2 into $OUT/VARIANT:
# >= 17 fps in every interval under perturbation (5 s on; the figure's target is 19.5, the
# emulated guest on a shared host stalls now and then, and a stalled frame misses its deadline).
video_managed_claim() {
	local variant=$1 duration=$2 m
	eval_scenario video.sh "$variant" "$OUT/$variant" "$duration" || return 1
	cat "$OUT/$variant/fps.csv"
	m=$(fps_col "$OUT/$variant/fps.csv" 0 5 "$duration" | min_of)
	echo "$variant: lowest fps under perturbation $m, gap p99 $(gap_p99 "$OUT/$variant/gaps.csv" 5) ms"
	ge "$m" 17 || { echo "$variant: $m fps < 17 in an interval under perturbation"; return 1; }
}
