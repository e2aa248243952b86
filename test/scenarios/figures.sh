#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# test/scenarios/figures.sh — run the scenarios of the paper's figures, in one boot of the test
# VM, with every variant this tree can run, and label each run by what really ran.
#
#   figures.sh OUTDIR [FIGURE...]      FIGURE: fig4 (also gives Figure 5), fig6, fig7; default all
# Environment: FIG_DURATION overrides each scenario's length (tests use short runs).
# Results: OUTDIR/figN/VARIANT/{fps,gaps,sensor}.csv and run.txt; OUTDIR/variants.txt lists
# what ran and why a variant did not.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

out=${1:?usage: figures.sh OUTDIR [fig4|fig6|fig7...]}
shift
figs=("$@")
[ ${#figs[@]} -gt 0 ] || figs=(fig4 fig6 fig7)
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
	"$here/$script" "$variant" "$out/$fig/$variant" ${FIG_DURATION:+"$FIG_DURATION"} "$@" \
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
for fig in "${figs[@]}"; do
	case $fig in
	fig4)
		for v in "${managed[@]}" unmanaged; do run fig4 "$v" video.sh; done
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
	*) echo "figures.sh: unknown figure \"$fig\" (fig4, fig6, fig7)" >&2; exit 2 ;;
	esac
done
cat "$out/variants.txt" >&2
exit $status
