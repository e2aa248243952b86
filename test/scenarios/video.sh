#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# test/scenarios/video.sh — Figures 4 and 5: one 20 fps video stream over the 10 Mbit/s link,
# bulk TCP transfers starting at PERTURB_AT (default "15 30") and lasting to the end.
#
#   video.sh VARIANT OUTDIR [DURATION]
#     VARIANT  api         video-server --qsock (qattach + qsendto; needs dwcs + libqsock)
#              shim        the plain video-server under LD_PRELOAD=libqsockshim.so
#              unmanaged   the plain video-server, one shared FIFO
#              htb-standin NOT qsock: plain video-server, stock HTB class on its port
#     OUTDIR   receives fps.csv, gaps.csv, run.txt (what ran, and the counters)
# Exit 0 when the run completed; 3 when VARIANT cannot run here (the reason on stderr).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

variant=${1:?usage: video.sh VARIANT OUTDIR [DURATION]}
out=${2:?usage: video.sh VARIANT OUTDIR [DURATION]}
duration=${3:-45}
perturb_at=${PERTURB_AT:-15 30}
port=5000
mkdir -p "$out"
[ -x "$APPS/video-server" ] || scen_die "$APPS/video-server is not built (run make)"
command -v iperf3 >/dev/null || scen_die "iperf3 is missing (run scripts/deps)"

scen_setup
server=(video-server --scale "${VIDEO_SCALE:-1}")
env_pre=()
case $variant in
unmanaged)
	scen_root_unmanaged
	;;
htb-standin)
	scen_htb_standin $port
	;;
api)
	scen_have_dwcs || { echo "scenario: api: needs kmod/sch_dwcs.ko and build/tc/q_dwcs.so" >&2; exit 3; }
	"$APPS/video-server" --help | grep -q -- --qsock ||
		{ echo "scenario: api: video-server was built without libqsock" >&2; exit 3; }
	scen_root_unmanaged
	server+=(--qsock "$SRV_DEV")
	;;
shim)
	scen_have_dwcs || { echo "scenario: shim: needs kmod/sch_dwcs.ko and build/tc/q_dwcs.so" >&2; exit 3; }
	[ -e "$QSOCK_BUILD/shim/libqsockshim.so" ] ||
		{ echo "scenario: shim: needs build/shim/libqsockshim.so" >&2; exit 3; }
	scen_root_unmanaged
	conf=$out/qsock.conf
	"$SCEN_LIB_DIR/video-shim-conf" "$SRV_DEV" "$port" >"$conf"
	env_pre=(env LD_PRELOAD="$QSOCK_BUILD/shim/libqsockshim.so" QSOCK_CONF="$conf")
	;;
*)
	scen_die "unknown variant \"$variant\" (api, shim, unmanaged, htb-standin)"
	;;
esac

scen_log "video: variant $variant, scheduler $SCEN_SCHED, ${duration}s, bulk TCP from t=${perturb_at// /, t=}"
in_cli timeout $((duration + 20)) "$APPS/video-client" --listen "$CLI_IP:$port" --duration "$duration" \
	--fps-csv "$out/fps.csv" --gaps-csv "$out/gaps.csv" 2>"$out/client.txt" &
client=$!
sleep 0.3
i=0
for at in $perturb_at; do
	i=$((i + 1))
	[ "$at" -lt "$duration" ] && scen_perturb "$at" $((duration - at)) $((5200 + i))
done
in_srv timeout $((duration + 20)) "${env_pre[@]}" "$APPS/${server[0]}" "${server[@]:1}" \
	--to "$CLI_IP:$port" --duration "$duration" 2>"$out/server.txt" ||
	scen_die "video-server failed: $(cat "$out/server.txt")"
wait "$client" || scen_die "video-client failed: $(cat "$out/client.txt")"
{
	echo "variant=$variant scheduler=$SCEN_SCHED rate=$SCEN_RATE duration=$duration perturb_at=\"$perturb_at\" kernel=$(uname -r)"
	cat "$out/server.txt" "$out/client.txt"
	scen_qdisc_json
} >"$out/run.txt"
wait
cat "$out/server.txt" "$out/client.txt" >&2
