#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# test/scenarios/video.sh — Figures 4 and 5, and scenario A of the comparison with stock QoS
# (issue #13): one 20 fps video stream over the shaped 10 Mbit/s link; bulk TCP transfers start
# at each of PERTURB_AT (default "15 30") and last to the end.
#
#   video.sh VARIANT OUTDIR [DURATION]
#     VARIANT  api         video-server --qsock (qattach + qsendto; needs dwcs + libqsock)
#              shim        the unmodified video-server under LD_PRELOAD=libqsockshim.so
#              unmanaged   the unmodified video-server, sharing the FIFO with the bulk transfer
#              htb-standin NOT qsock: the unmodified video-server in a stock HTB priority class
#                          (only for machines without the dwcs module; labelled as such)
#              htb, prio, fq, cake  the stock contenders of contenders.sh
#     OUTDIR   receives fps.csv, gaps.csv, summary.csv (what the viewer got: decodable frames
#              for a PLAYOUT_MS buffer, default 200) and run.txt (what ran, the counters)
# Environment: PERTURB_AT, SCEN_BULK_FLOWS (TCP connections per transfer, default 8),
# VIDEO_FPS (20), VIDEO_SCALE (frame size factor, 1).
# Exit 0 when the run completed; 3 when VARIANT cannot run here (the reason on stderr).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

variant=${1:?usage: video.sh VARIANT OUTDIR [DURATION]}
out=${2:?usage: video.sh VARIANT OUTDIR [DURATION]}
duration=${3:-45}
perturb_at=${PERTURB_AT:-15 30}
fps=${VIDEO_FPS:-20}
port=5000
[ -x "$APPS/video-server" ] || scen_die "$APPS/video-server is not built (run make)"
command -v iperf3 >/dev/null || scen_die "iperf3 is missing (run scripts/deps)"
scen_variant_check "$variant"
mkdir -p "$out"
rm -f "$out"/*.csv

scen_setup
scen_link "$variant" "$port:video:$(scen_video_mean_bps "$fps" "${VIDEO_SCALE:-1}")"
scen_log "video: variant $variant on $SCEN_SCHED, $fps fps, ${duration}s, bulk TCP (${SCEN_BULK_FLOWS:-8} connections) from t=${perturb_at// /, t=}"
in_cli timeout $((duration + 30)) "${RT[@]}" "$APPS/video-client" --listen "$CLI_IP:$port" --duration "$duration" \
	--fps-csv "$out/fps.csv" --gaps-csv "$out/gaps.csv" --summary "$out/client.csv" \
	--playout-ms "${PLAYOUT_MS:-200}" 2>"$out/client.txt" &
client=$!
scen_stall_probe "$duration" "$out/stall.txt"
sleep 0.3
scen_perturb_all "$duration" $perturb_at
scen_video_server "$variant" $port "$fps" 0 "$duration" "$out/server.txt" --scale "${VIDEO_SCALE:-1}"
wait "$SCEN_PID" || scen_die "video-server ($variant) failed: $(cat "$out/server.txt")"
wait "$client" || scen_die "video-client failed: $(cat "$out/client.txt")"
scen_perturb_stop
{
	echo "variant=$variant scheduler=$SCEN_SCHED rate=$SCEN_RATE fps=$fps duration=$duration perturb_at=\"$perturb_at\" bulk_flows=${SCEN_BULK_FLOWS:-8} kernel=$(uname -r)"
	cat "$out/server.txt" "$out/client.txt"
	scen_qdisc_json
} >"$out/run.txt"
wait
scen_summary a "$variant" "$out" "$out/client.csv"
echo "stall-probe: $(cat "$out/stall.txt")" | tee -a "$out/run.txt" >&2
cat "$out/server.txt" "$out/client.txt" >&2
