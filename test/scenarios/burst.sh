#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# test/scenarios/burst.sh — scenario C of the comparison with stock QoS (issue #13): audio
# beside video key-frame bursts. A 50 packets/s audio stream (200-byte packets every 20 ms,
# each useless BURST_AUDIO_DEADLINE_MS = 20 ms after it was taken) and a 20 fps video stream
# whose frames leave back to back, as encoders emit them (key frames BURST_SCALE = 2.5 times
# video-server's sizes: ~44 datagrams, 48 ms of the 10 Mbit/s link in one burst), plus bulk
# TCP from PERTURB_AT (default 3 s). The audio must survive the bursts.
# qsock: the audio is an EDF dwcs stream (sensor-sender --qsock --lossless: its deadline rides
# every packet), the video video-server --qsock (deadline two frame periods, I-frames
# non-droppable). The stock contenders get their socket options (cake: audio EF, video AF41).
#
#   burst.sh VARIANT OUTDIR [DURATION]
#     VARIANT  api | unmanaged | htb | prio | fq | cake
#     OUTDIR   receives audio.csv (per interval: on_time,late,lost), fps.csv, gaps.csv,
#              summary.csv (audio: stream 0; video: stream 1) and run.txt
# Exit 0 when the run completed; 3 when VARIANT cannot run here (the reason on stderr).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

variant=${1:?usage: burst.sh VARIANT OUTDIR [DURATION]}
out=${2:?usage: burst.sh VARIANT OUTDIR [DURATION]}
duration=${3:-30}
perturb_at=${PERTURB_AT:-3}
scale=${BURST_SCALE:-2.5}
deadline_ms=${BURST_AUDIO_DEADLINE_MS:-20}
audio_port=6000
video_port=5001
audio_bytes=200
[ -x "$APPS/video-server" ] && [ -x "$APPS/sensor-sender" ] ||
	scen_die "$APPS/video-server or sensor-sender is not built (run make)"
command -v iperf3 >/dev/null || scen_die "iperf3 is missing (run scripts/deps)"
case $variant in
api | unmanaged | htb | prio | fq | cake) scen_variant_check "$variant" ;;
*) scen_die "burst.sh: unknown variant \"$variant\" (api, unmanaged, htb, prio, fq, cake)" ;;
esac
mkdir -p "$out"
rm -f "$out"/*.csv

audio_mean=$((50 * (audio_bytes + 28)))
video_mean=$(scen_video_mean_bps 20 "$scale")
scen_setup
scen_link "$variant" "$audio_port:audio:$audio_mean" "$video_port:video:$video_mean"
scen_log "burst: audio 50/s (${deadline_ms} ms deadline) + 20 fps video in bursts (scale $scale) as $variant on $SCEN_SCHED, ${duration}s, bulk TCP from t=${perturb_at// /, t=}"

in_cli timeout $((duration + 30)) "${RT[@]}" "$APPS/sensor-receiver" --listen "$CLI_IP:$audio_port" \
	--duration "$duration" --csv "$out/audio.csv" --summary "$out/audio-row.csv" --kind audio \
	2>"$out/receiver.txt" &
receiver=$!
in_cli timeout $((duration + 30)) "${RT[@]}" "$APPS/video-client" --listen "$CLI_IP:$video_port" \
	--duration "$duration" --fps-csv "$out/fps.csv" --gaps-csv "$out/gaps.csv" \
	--summary "$out/video-row.csv" --playout-ms "${PLAYOUT_MS:-200}" 2>"$out/client.txt" &
client=$!
sleep 0.3
scen_stall_probe "$duration" "$out/stall.txt"
scen_perturb_all "$duration" $perturb_at
# Back to back: SCEN_VIDEO_PACE=0 (the encoder's burst is the point of the scenario).
SCEN_VIDEO_PACE=0 scen_video_server "$variant" $video_port 20 1 "$duration" "$out/server.txt" \
	--scale "$scale" --seed 7
video=$SCEN_PID
audio=("$APPS/sensor-sender" --to "$CLI_IP:$audio_port" --duration "$duration" --rate 50 --periodic
	--size-min $audio_bytes --size-max $audio_bytes --deadline-min-ms "$deadline_ms"
	--deadline-max-ms "$deadline_ms" --path-us 1500)
case $variant in
api) audio+=(--qsock "$SRV_DEV" --lossless) ;;
unmanaged) ;;
*) audio+=($(cont_sockopts "$variant" audio "$audio_mean")) ;;
esac
in_srv timeout $((duration + 30)) "${RT[@]}" "${audio[@]}" 2>"$out/sender.txt" ||
	scen_die "sensor-sender (audio, $variant) failed: $(cat "$out/sender.txt")"
wait "$video" || scen_die "video-server failed: $(cat "$out/server.txt")"
wait "$receiver" || scen_die "sensor-receiver failed: $(cat "$out/receiver.txt")"
wait "$client" || scen_die "video-client failed: $(cat "$out/client.txt")"
scen_perturb_stop
# The audio row is stream 0, the video row stream 1 (video-server --stream 1).
{
	echo "variant=$variant scheduler=$SCEN_SCHED rate=$SCEN_RATE duration=$duration perturb_at=\"$perturb_at\" bulk_flows=${SCEN_BULK_FLOWS:-8} scale=$scale audio_deadline_ms=$deadline_ms kernel=$(uname -r)"
	cat "$out/sender.txt" "$out/receiver.txt" "$out/server.txt" "$out/client.txt"
	scen_qdisc_json
} >"$out/run.txt"
wait
scen_summary c "$variant" "$out" "$out/audio-row.csv" "$out/video-row.csv"
echo "stall-probe: $(cat "$out/stall.txt")" | tee -a "$out/run.txt" >&2
cat "$out/sender.txt" "$out/receiver.txt" "$out/server.txt" "$out/client.txt" >&2
