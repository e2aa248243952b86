#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# test/scenarios/figures.sh — run the scenarios of the paper's figures and of the comparison
# with stock QoS (issue #13), in one boot of the test VM, with every variant this tree can run,
# and label each run by what really ran.
#
#   figures.sh OUTDIR [FIGURE...]
#     FIGURE: fig4 (also gives Figure 5), fig6, fig7, and the comparisons cmp-a (Figure 4's
#     scenario: fig4's runs and the stock contenders), cmp-b (overload.sh), cmp-c (burst.sh),
#     cmp-d (Figure 7's scenario: fig7's runs and the stock contenders); default all.
# Environment: FIG_DURATION overrides each scenario's length (tests use short runs);
# FIG_QUICK=1 (make demo) runs fig4 and cmp-a for 30 s with bulk transfers from 10 and 20 s,
# and cmp-b for 20 s.
# Results: OUTDIR/figN/VARIANT/{fps,gaps,sensor}.csv and run.txt; OUTDIR/cmp-X/CONTENDER/ (a
# link into figN/ for the runs a figure already made) and OUTDIR/cmp-X/summary.csv, every
# contender's rows; OUTDIR/variants.txt lists what ran and why a variant did not.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

out=${1:?usage: figures.sh OUTDIR [fig4|fig6|fig7...]}
shift
figs=("$@")
[ ${#figs[@]} -gt 0 ] || figs=(fig4 fig6 fig7 cmp-a cmp-b cmp-c cmp-d)
mkdir -p "$out"
: >"$out/variants.txt"
status=0

# run FIG VARIANT SCRIPT [ARGS...]: one scenario; exit 3 means "cannot run here".
# Progress on stdout (scripts/demo shows it with the elapsed time): one line as a scenario
# starts, one every 30 s while it runs, one when it ends.
run() {
	local fig=$1 variant=$2 script=$3 rc start=$SECONDS beat
	shift 3
	echo "$fig $variant: running"
	(while sleep 30; do echo "$fig $variant: still running ($((SECONDS - start)) s)"; done) &
	beat=$!
	"$here/$script" "$variant" "$out/$fig/$variant" ${FIG_DURATION:-${duration:-}} "$@" \
		2>"$out/$fig.$variant.log"
	rc=$?
	kill "$beat" 2>/dev/null
	wait "$beat" 2>/dev/null
	echo "$fig $variant: done in $((SECONDS - start)) s (exit $rc)"
	case $rc in
	0) echo "$fig $variant ran" >>"$out/variants.txt" ;;
	3) echo "$fig $variant skipped: $(tail -n 1 "$out/$fig.$variant.log")" >>"$out/variants.txt"
	   rm -rf "${out:?}/$fig/$variant" ;;
	*) echo "$fig $variant FAILED (exit $rc): $(tail -n 3 "$out/$fig.$variant.log" | tr '\n' ' ')" >>"$out/variants.txt"
	   status=1 ;;
	esac
	return 0
}

# The real thing when this tree has it; the HTB stand-in, clearly named, when it does not.
if scen_have_dwcs && [ -x "$APPS/qsock-root" ]; then
	managed=(api shim)
else
	managed=(htb-standin)
fi
# cmp_collect CMP FIG VARIANT...: link FIG's runs of VARIANTs into CMP under their
# contender names, then gather every contender's summary.csv rows into CMP/summary.csv.
cmp_collect() {
	local cmp=$1 fig=$2 v f first=1
	shift 2
	mkdir -p "$out/$cmp"
	for v in "$@"; do
		[ -d "$out/$fig/$v" ] && ln -sfn "../$fig/$v" "$out/$cmp/$(scen_contender_name "$v")"
	done
	: >"$out/$cmp/summary.csv"
	for f in "$out/$cmp"/*/summary.csv; do
		[ -s "$f" ] || continue
		if [ $first = 1 ]; then head -n 1 "$f" >"$out/$cmp/summary.csv"; first=0; fi
		tail -n +2 "$f" >>"$out/$cmp/summary.csv"
	done
}

# quick: make demo's shorter runs (FIG_QUICK=1).
quick() { [ "${FIG_QUICK:-0}" = 1 ]; }
perturb_default=${PERTURB_AT-}
for fig in "${figs[@]}"; do
	duration=
	if [ -n "$perturb_default" ]; then export PERTURB_AT=$perturb_default; else unset PERTURB_AT; fi
	case $fig in
	fig4 | cmp-a)
		if quick; then duration=30; export PERTURB_AT="10 20"; fi
		;;
	cmp-b) quick && duration=20 ;;
	esac
	case $fig in
	fig4)
		for v in "${managed[@]}" unmanaged; do run fig4 "$v" video.sh; done
		;;
	cmp-a)
		# Figure 4's runs of qsock and unmanaged are this scenario's too: made once.
		for v in "${managed[@]}" unmanaged; do
			[ -d "$out/fig4/$v" ] || run fig4 "$v" video.sh
		done
		for v in $CONT_STOCK; do run cmp-a "$v" video.sh; done
		cmp_collect cmp-a fig4 "${managed[@]}" unmanaged
		;;
	cmp-b | cmp-c)
		script=overload.sh
		[ "$fig" = cmp-c ] && script=burst.sh
		for v in unmanaged $CONT_STOCK; do run "$fig" "$v" "$script"; done
		if [ "${managed[0]}" = api ]; then
			run "$fig" api "$script"
			rm -rf "${out:?}/$fig/qsock-api"
			[ -d "$out/$fig/api" ] && mv "$out/$fig/api" "$out/$fig/qsock-api"
		fi
		cmp_collect "$fig" "$fig"
		;;
	cmp-d)
		fig7_variants=(unmanaged)
		[ "${managed[0]}" = api ] && fig7_variants+=(edf-lossless edf-lossy)
		for v in "${fig7_variants[@]}"; do
			[ -d "$out/fig7/$v" ] || run fig7 "$v" sensor.sh
		done
		for v in $CONT_STOCK; do run cmp-d "$v" sensor.sh; done
		cmp_collect cmp-d fig7 "${fig7_variants[@]}"
		;;
	fig6)
		run fig6 "${managed[0]}" multi.sh
		;;
	fig7)
		if [ "${managed[0]}" = api ]; then
			for v in edf-lossless edf-lossy unmanaged; do run fig7 "$v" sensor.sh; done
		else
			for v in htb-standin unmanaged; do run fig7 "$v" sensor.sh; done
		fi
		;;
	*) echo "figures.sh: unknown figure \"$fig\" (fig4, fig6, fig7, cmp-a, cmp-b, cmp-c, cmp-d)" >&2; exit 2 ;;
	esac
done
cat "$out/variants.txt" >&2
exit $status
