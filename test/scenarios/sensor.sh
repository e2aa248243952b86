#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# test/scenarios/sensor.sh — Figure 7, and scenario D of the comparison with stock QoS (issue
# #13): remote data acquisition. Aperiodic sensor readings
# (SENSOR_RATE per second, default 1000: two thirds of the shaped 10 Mbit/s link, so that a
# stalled host builds a real backlog; deadlines SENSOR_DMIN..SENSOR_DMAX ms, of which
# SENSOR_PATH_US, default 1500, is left to the path after the host); bulk TCP transfers start
# at each of PERTURB_AT (default "30"). From SENSOR_SURGE_AT (40) for SENSOR_SURGE_FOR (5) s the
# sensor reports an event at SENSOR_SURGE_RATE (2000) readings/s, a third more than the link
# carries: the overload under which lossy and lossless EDF part ways.
#
#   sensor.sh VARIANT OUTDIR [DURATION]
#     VARIANT  edf-lossless  sensor-sender --qsock --lossless (EDF, late messages still sent)
#              edf-lossy     sensor-sender --qsock --lossy (late messages dropped at the source)
#              unmanaged     plain sendto(), sharing the FIFO with the bulk transfer
#              htb-standin   NOT qsock: plain sendto() in a stock HTB priority class (no
#                            deadlines; machines without the dwcs module)
#              htb, prio, fq, cake  the stock contenders of contenders.sh
#     OUTDIR   receives sensor.csv (interval_start_s,interval_end_s,on_time,late,lost),
#              summary.csv (the totals) and run.txt
# Exit 0 when the run completed; 3 when VARIANT cannot run here (the reason on stderr).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

variant=${1:?usage: sensor.sh VARIANT OUTDIR [DURATION]}
out=${2:?usage: sensor.sh VARIANT OUTDIR [DURATION]}
duration=${3:-60}
perturb_at=${PERTURB_AT:-30}
port=6000
[ -x "$APPS/sensor-sender" ] || scen_die "$APPS/sensor-sender is not built (run make)"
command -v iperf3 >/dev/null || scen_die "iperf3 is missing (run scripts/deps)"
sender=("$APPS/sensor-sender" --to "$CLI_IP:$port" --duration "$duration"
	--rate "${SENSOR_RATE:-1000}" --deadline-min-ms "${SENSOR_DMIN:-20}"
	--deadline-max-ms "${SENSOR_DMAX:-100}" --path-us "${SENSOR_PATH_US:-1500}"
	--surge-at "${SENSOR_SURGE_AT:-40}" --surge-for "${SENSOR_SURGE_FOR:-5}"
	--surge-rate "${SENSOR_SURGE_RATE:-2000}")
case $variant in
edf-lossless) scen_need_managed api; sender+=(--qsock "$SRV_DEV" --lossless) ;;
edf-lossy) scen_need_managed api; sender+=(--qsock "$SRV_DEV" --lossy) ;;
unmanaged | htb-standin) scen_variant_check "$variant" ;;
htb | prio | fq | cake) scen_variant_check "$variant" ;;
*) scen_die "unknown variant \"$variant\" (edf-lossless, edf-lossy, unmanaged, htb-standin, $CONT_STOCK)" ;;
esac
# The mean rate the contenders provision for: sizes uniform in 200..1400 bytes, plus headers.
sensor_mean=$((${SENSOR_RATE:-1000} * (800 + 28)))
cont_is_stock "$variant" && sender+=($(cont_sockopts "$variant" sensor "$sensor_mean"))
mkdir -p "$out"
rm -f "$out"/sensor.csv

scen_setup
scen_link "$variant" "$port:sensor:$sensor_mean"
scen_log "sensor: variant $variant on $SCEN_SCHED, ${duration}s, bulk TCP from t=${perturb_at// /, t=}"
in_cli timeout $((duration + 30)) "${RT[@]}" "$APPS/sensor-receiver" --listen "$CLI_IP:$port" \
	--duration "$duration" --csv "$out/sensor.csv" --summary "$out/receiver.csv" \
	2>"$out/receiver.txt" &
receiver=$!
scen_stall_probe "$duration" "$out/stall.txt"
sleep 0.3
scen_perturb_all "$duration" $perturb_at
in_srv timeout $((duration + 30)) "${RT[@]}" "${sender[@]}" 2>"$out/sender.txt" ||
	scen_die "sensor-sender ($variant) failed: $(cat "$out/sender.txt")"
wait "$receiver" || scen_die "sensor-receiver failed: $(cat "$out/receiver.txt")"
scen_perturb_stop
{
	echo "variant=$variant scheduler=$SCEN_SCHED rate=$SCEN_RATE duration=$duration perturb_at=\"$perturb_at\" bulk_flows=${SCEN_BULK_FLOWS:-8} kernel=$(uname -r)"
	cat "$out/sender.txt" "$out/receiver.txt"
	scen_qdisc_json
} >"$out/run.txt"
wait
scen_sender_total "$out/receiver.csv" "$out/sender.txt"
scen_summary d "$variant" "$out" "$out/receiver.csv"
echo "stall-probe: $(cat "$out/stall.txt")" | tee -a "$out/run.txt" >&2
cat "$out/sender.txt" "$out/receiver.txt" >&2
