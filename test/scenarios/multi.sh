#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# test/scenarios/multi.sh — Figure 6: two managed video streams (20 and 15 fps) and one
# unmanaged 20 fps stream share the shaped 10 Mbit/s link, overloaded by bulk TCP transfers
# from each of PERTURB_AT (default "5") to the end.
#
#   multi.sh VARIANT OUTDIR [DURATION]
#     VARIANT  api          the two managed streams use video-server --qsock
#              shim         ... the unmodified video-server under the shim
#              htb-standin  NOT qsock: ... stock HTB priority classes (machines without dwcs)
#     OUTDIR   receives fps.csv (streams 0 = managed 20 fps, 1 = managed 15 fps,
#              2 = unmanaged 20 fps), gaps.csv and run.txt
# Exit 0 when the run completed; 3 when VARIANT cannot run here (the reason on stderr).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

variant=${1:?usage: multi.sh VARIANT OUTDIR [DURATION]}
out=${2:?usage: multi.sh VARIANT OUTDIR [DURATION]}
duration=${3:-45}
perturb_at=${PERTURB_AT:-5}
[ -x "$APPS/video-server" ] || scen_die "$APPS/video-server is not built (run make)"
command -v iperf3 >/dev/null || scen_die "iperf3 is missing (run scripts/deps)"
[ "$variant" != unmanaged ] || scen_die "multi.sh runs managed and unmanaged streams together: give api, shim or htb-standin"
scen_variant_check "$variant"
mkdir -p "$out"
rm -f "$out"/*.csv "$out"/client-*.txt

scen_setup
if [ "$variant" = htb-standin ]; then
	scen_htb_standin 5000 5001
else
	scen_root
fi
scen_log "multi: managed 20 + 15 fps ($variant on $SCEN_SCHED), unmanaged 20 fps, ${duration}s, bulk TCP from t=${perturb_at// /, t=}"
clients=()
for s in 0 1 2; do
	in_cli timeout $((duration + 30)) "${RT[@]}" "$APPS/video-client" --listen "$CLI_IP:500$s" \
		--duration "$duration" --fps-csv "$out/fps-$s.csv" --gaps-csv "$out/gaps-$s.csv" \
		2>"$out/client-$s.txt" &
	clients+=($!)
done
sleep 0.3
scen_stall_probe "$duration" "$out/stall.txt"
scen_perturb_all "$duration" $perturb_at
servers=()
scen_video_server "$variant" 5000 20 0 "$duration" "$out/server-0.txt" --seed 1
servers+=($SCEN_PID)
scen_video_server "$variant" 5001 15 1 "$duration" "$out/server-1.txt" --seed 2
servers+=($SCEN_PID)
scen_video_server unmanaged 5002 20 2 "$duration" "$out/server-2.txt" --seed 3
servers+=($SCEN_PID)
for s in 0 1 2; do
	wait "${servers[s]}" || scen_die "video-server $s failed: $(cat "$out/server-$s.txt")"
done
for s in 0 1 2; do
	wait "${clients[s]}" || scen_die "video-client $s failed: $(cat "$out/client-$s.txt")"
done
scen_perturb_stop
# One table for the three streams (each client saw one stream).
{ head -n 1 "$out/fps-0.csv"; tail -q -n +2 "$out"/fps-[012].csv; } >"$out/fps.csv"
{ head -n 1 "$out/gaps-0.csv"; tail -q -n +2 "$out"/gaps-[012].csv; } >"$out/gaps.csv"
rm -f "$out"/fps-[012].csv "$out"/gaps-[012].csv
{
	echo "variant=$variant scheduler=$SCEN_SCHED rate=$SCEN_RATE duration=$duration perturb_at=\"$perturb_at\" bulk_flows=${SCEN_BULK_FLOWS:-8} kernel=$(uname -r)"
	cat "$out"/server-?.txt "$out"/client-?.txt
	scen_qdisc_json
} >"$out/run.txt"
wait
echo "stall-probe: $(cat "$out/stall.txt")" | tee -a "$out/run.txt" >&2
cat "$out"/server-?.txt "$out"/client-?.txt >&2
