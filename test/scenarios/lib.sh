# SPDX-License-Identifier: GPL-2.0
#
# test/scenarios/lib.sh — the testbed of the paper's evaluation (docs/evaluation.md), sourced
# by the scenario scripts. Runs as root, normally inside the test VM (scripts/vm), where
# sch_dwcs.ko can be loaded; the unmanaged and HTB stand-in variants also run on any kernel
# with veth and HTB.
#
#   ns "bulk" 10.78.0.2 --veth--> 10.78.0.1 ns "srv" (the end host: the servers) 10.77.0.1
#                                           --veth, the shaped 10 Mbit/s NIC--> 10.77.0.2 ns "cli"
#
# The scheduler sits on srv's egress (veth crossing a netns scrubs mark, tstamp and priority,
# so it must be the sender's device) and shapes it to 10 Mbit/s, the paper's NIC. The
# perturbation is the paper's "large FTP transfer": bulk TCP (iperf3) over the same link, sent
# from a container-like namespace behind the end host (SCEN_BULK_FROM=bulk, the default) or
# from the end host itself (SCEN_BULK_FROM=srv). Why not from srv by default: on a modern kernel
# TCP Small Queues keeps a local TCP sender to a few packets in the local qdisc, so a local
# transfer adds ~50 ms of queueing and never loses a datagram of the video (measured:
# docs/evaluation.md); the paper's 2.4 kernel had no TSQ. Forwarded traffic is not held back by
# TSQ, and fills the NIC queue the way the paper's FTP transfer did.

SCEN_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
QSOCK_REPO=${QSOCK_REPO:-$(cd "$SCEN_LIB_DIR/../.." && pwd)}
QSOCK_BUILD=${QSOCK_BUILD:-$QSOCK_REPO/build}
APPS=$QSOCK_BUILD/test/apps
SCEN_RATE=${SCEN_RATE:-10mbit}
SRV_IP=10.77.0.1
CLI_IP=10.77.0.2
SRV_DEV=qs-s0
CLI_DEV=qs-c0
BULK_IP=10.78.0.2
BULK_GW=10.78.0.1
SCEN_BULK_FROM=${SCEN_BULK_FROM:-bulk}
# Seconds any helper command may take before it counts as hung.
SCEN_TIMEOUT=${SCEN_TIMEOUT:-30}

scen_die() {
	echo "scenario: $*" >&2
	exit 1
}
scen_log() { echo "scenario: $*" >&2; }

# scen_ns_names: random namespace names, so a scenario can run next to the test suites.
scen_ns_names() {
	local tag
	tag=$(mktemp -u XXXXXX | tr 'A-Z' 'a-z')
	NS_SRV=qs-srv-$tag
	NS_CLI=qs-cli-$tag
	NS_BULK=qs-bulk-$tag
}

scen_cleanup() {
	local ns pids
	for ns in "${NS_SRV:-}" "${NS_CLI:-}" "${NS_BULK:-}"; do
		[ -n "$ns" ] || continue
		pids=$(ip netns pids "$ns" 2>/dev/null)
		[ -z "$pids" ] || kill -9 $pids 2>/dev/null || true
		ip netns del "$ns" 2>/dev/null
	done
	return 0
}

# The links' MAC addresses, fixed (locally administered), so that the permanent neighbour
# entries below can be written without reading them back from each device.
SRV_MAC=02:71:73:00:00:01
CLI_MAC=02:71:73:00:00:02
BULK_MAC=02:71:73:00:00:03
BULK_GW_MAC=02:71:73:00:00:04

# scen_ip_batch NS WHAT: the ip commands on stdin, in one ip process in netns NS ("" = this
# one). One process instead of one per command: each costs ~0.1 s under the test VM's emulated
# CPU, and the testbed took ~30 of them (3 of a scenario's 4.3 s of setup).
scen_ip_batch() {
	local ns=$1 what=$2 err
	err=$(timeout "$SCEN_TIMEOUT" ip ${ns:+-n "$ns"} -batch - 2>&1) ||
		scen_die "$what failed${ns:+ in $ns}: $err"
}

# scen_setup: the three namespaces, the veths between them, addresses, routes and
# neighbours; no scheduler yet.
scen_setup() {
	scen_ns_names
	trap scen_cleanup EXIT
	scen_ip_batch "" "creating the namespaces and the veth pairs $SRV_DEV/$CLI_DEV, qs-b0/qs-b1" <<-EOF
	netns add $NS_SRV
	netns add $NS_CLI
	netns add $NS_BULK
	link add $SRV_DEV address $SRV_MAC netns $NS_SRV type veth peer name $CLI_DEV address $CLI_MAC netns $NS_CLI
	link add qs-b0 address $BULK_MAC netns $NS_BULK type veth peer name qs-b1 address $BULK_GW_MAC netns $NS_SRV
	EOF
	# The bulk sender's namespace is routed through srv. Permanent neighbours on both links:
	# a datagram that waits for ARP is classified after its send returns, when the sender's
	# send slot is free again, and so leaves without its deadline and flags
	# (docs/architecture.md, send slot); with the entry resolved at the first frame, the first
	# I-frame's datagrams went deadline-less into their EDF class and the class was held to
	# its period for them, and a non-droppable one could be dropped.
	scen_ip_batch "$NS_SRV" "setting up the server's links" <<-EOF
	link set lo up
	addr add $SRV_IP/24 dev $SRV_DEV
	link set $SRV_DEV up
	neigh replace $CLI_IP dev $SRV_DEV lladdr $CLI_MAC nud permanent
	addr add $BULK_GW/24 dev qs-b1
	link set qs-b1 up
	neigh replace $BULK_IP dev qs-b1 lladdr $BULK_MAC nud permanent
	EOF
	scen_ip_batch "$NS_CLI" "setting up the client's link" <<-EOF
	link set lo up
	addr add $CLI_IP/24 dev $CLI_DEV
	link set $CLI_DEV up
	neigh replace $SRV_IP dev $CLI_DEV lladdr $SRV_MAC nud permanent
	route add 10.78.0.0/24 via $SRV_IP
	EOF
	scen_ip_batch "$NS_BULK" "setting up the bulk sender's link" <<-EOF
	link set lo up
	addr add $BULK_IP/24 dev qs-b0
	link set qs-b0 up
	neigh replace $BULK_GW dev qs-b0 lladdr $BULK_GW_MAC nud permanent
	route add default via $BULK_GW
	EOF
	in_srv sysctl -qw net.ipv4.ip_forward=1 || scen_die "cannot enable forwarding in $NS_SRV"
	# No TSO/GSO super-packets: the 10 Mbit/s link of the paper carried MTU-sized frames, and
	# a 64 kB GSO packet would hold the link for 52 ms in one piece; the same for the bulk
	# sender, whose GSO packets the qdisc on srv would otherwise queue whole (segmentation
	# happens after the qdisc).
	in_srv ethtool -K "$SRV_DEV" tso off gso off >/dev/null 2>&1 ||
		scen_die "ethtool -K $SRV_DEV tso off gso off failed (is ethtool installed? run scripts/deps)"
	in_ns "$NS_BULK" ethtool -K qs-b0 tso off gso off >/dev/null 2>&1 ||
		scen_die "ethtool -K qs-b0 tso off gso off failed (is ethtool installed? run scripts/deps)"
}

# Run in a namespace with nsenter, not `ip netns exec`: the latter also enters a new mount
# namespace with a fresh /sys, which hides the bpffs at /sys/fs/bpf where libqsock pins its
# classifier maps, so a stream attached by one process would be invisible to the next.
in_ns() {
	local ns=$1
	shift
	nsenter --net="/run/netns/$ns" "$@"
}
in_srv() { in_ns "$NS_SRV" "$@"; }
in_cli() { in_ns "$NS_CLI" "$@"; }
# RT: the prefix that runs a command at real-time priority, as media servers and acquisition
# clients run. Every variant gets it alike, so the comparison measures the network path, not how
# often the busy (emulated) CPU leaves the sender unscheduled; the bulk transfer stays at normal
# priority. SCEN_RT=0 turns it off.
RT=()
if [ "${SCEN_RT:-1}" = 1 ] && command -v chrt >/dev/null; then
	RT=(chrt -f 10)
fi

# SCEN_QSOCK_SCHED: the qsock scheduler of the managed variants, "dwcs" (sch_dwcs.ko, the
# default) or "dwcs-bpf" (the BPF qdisc); exported for the apps' qattach (test/apps/eval-qsock.c).
export SCEN_QSOCK_SCHED=${SCEN_QSOCK_SCHED:-dwcs}
# scen_have_dwcs: the managed variants' scheduler can be configured here: for dwcs the module
# loaded or loadable and the tc plugin built; for dwcs-bpf a kernel with BPF qdiscs.
scen_have_dwcs() {
	case $SCEN_QSOCK_SCHED in
	dwcs-bpf)
		# the BPF qdisc: Linux 6.16+ with CONFIG_NET_SCH_BPF (its struct_ops type in BTF)
		grep -qaF bpf_struct_ops_Qdisc_ops /sys/kernel/btf/vmlinux 2>/dev/null ;;
	*)
		[ -e "$QSOCK_BUILD/tc/q_dwcs.so" ] || return 1
		[ -d /sys/module/sch_dwcs ] || insmod "$QSOCK_KMOD_DIR/dwcs/sch_dwcs.ko" 2>/dev/null ||
			[ -d /sys/module/sch_dwcs ] ;;
	esac
}
tc_dwcs() { TC_LIB_DIR=$QSOCK_BUILD/tc in_srv tc "$@"; }

# scen_root: the shaped 10 Mbit/s link every variant shares.
#  - with the dwcs module, libqsock and qsock-root: the dwcs qdisc installed through the API
#    (qsockinit, like the paper's §3.1.1), rate SCEN_RATE_BPS bytes/s, whole-qdisc limit
#    SCEN_DWCS_LIMIT packets (default 1000, the txqueuelen Linux gives an Ethernet device:
#    the best-effort FIFO is the NIC queue the bulk transfer and the unmanaged streams share;
#    a managed stream's packet pushes best effort out of a full qdisc, so the limit cannot
#    crowd the managed streams out); managed streams get their classes from qattach,
#    everything else shares the best-effort FIFO;
#  - otherwise: an HTB root whose only class holds a pfifo of SCEN_FIFO_LIMIT packets (100, the
#    txqueuelen of the paper's era's Ethernet NICs).
SCEN_RATE_BPS=${SCEN_RATE_BPS:-1250000}
scen_root() {
	if scen_have_dwcs && [ -x "$APPS/qsock-root" ]; then
		in_srv "$APPS/qsock-root" init "$SRV_DEV" "$SCEN_QSOCK_SCHED" --rate "$SCEN_RATE_BPS" \
			--limit "${SCEN_DWCS_LIMIT:-1000}" ||
			scen_die "qsockinit $SCEN_QSOCK_SCHED on $SRV_DEV failed"
		# An experiment's switch, not a contender: DWCS's precedence table (a or b).
		[ -z "${SCEN_DWCS_ORDER:-}" ] || tc_dwcs qdisc change dev "$SRV_DEV" root dwcs order "$SCEN_DWCS_ORDER" ||
			scen_die "tc qdisc change ... dwcs order $SCEN_DWCS_ORDER failed"
		SCEN_SCHED=$SCEN_QSOCK_SCHED
	else
		in_srv tc qdisc add dev "$SRV_DEV" root handle 1: htb default 30 &&
			in_srv tc class add dev "$SRV_DEV" parent 1: classid 1:1 htb rate "$SCEN_RATE" ceil "$SCEN_RATE" &&
			in_srv tc class add dev "$SRV_DEV" parent 1:1 classid 1:30 htb rate "$SCEN_RATE" ceil "$SCEN_RATE" &&
			in_srv tc qdisc add dev "$SRV_DEV" parent 1:30 handle 30: pfifo limit ${SCEN_FIFO_LIMIT:-100} ||
			scen_die "HTB root at $SCEN_RATE on $SRV_DEV failed"
		SCEN_SCHED=htb
	fi
}

# scen_need_managed WHAT: exit 3 (cannot run here) unless the real managed pieces exist.
scen_need_managed() {
	if [ "$SCEN_QSOCK_SCHED" = dwcs-bpf ]; then
		scen_have_dwcs || { echo "scenario: $1: dwcs-bpf needs BPF qdiscs, which $(uname -r) lacks (Linux 6.16+)" >&2; exit 3; }
	else
		scen_have_dwcs || { echo "scenario: $1: needs sch_dwcs.ko for $(uname -r) loadable and build/tc/q_dwcs.so" >&2; exit 3; }
	fi
	[ -x "$APPS/qsock-root" ] || { echo "scenario: $1: needs libqsock (build/test/apps/qsock-root)" >&2; exit 3; }
	if [ "$1" = shim ]; then
		[ -e "$QSOCK_BUILD/shim/libqsockshim.so" ] ||
			{ echo "scenario: shim: needs build/shim/libqsockshim.so" >&2; exit 3; }
	fi
	return 0
}

# scen_htb_standin PORT... : NOT Q.Sockets. Stock HTB with one priority class per listed UDP
# destination port (rate RATE_i from SCEN_STANDIN_RATES, borrowing up to the link), everything
# else in a best-effort class: what an operator could configure without qsock, used only while
# the dwcs module, libqsock or the shim are not there, and labelled "htb-standin" everywhere.
scen_htb_standin() {
	local i=0 port rates=(${SCEN_STANDIN_RATES:-3mbit 3mbit 3mbit})
	in_srv tc qdisc add dev "$SRV_DEV" root handle 1: htb default 30 &&
		in_srv tc class add dev "$SRV_DEV" parent 1: classid 1:1 htb rate "$SCEN_RATE" ceil "$SCEN_RATE" &&
		in_srv tc class add dev "$SRV_DEV" parent 1:1 classid 1:30 htb rate 1mbit ceil "$SCEN_RATE" prio 7 &&
		in_srv tc qdisc add dev "$SRV_DEV" parent 1:30 handle 30: pfifo limit ${SCEN_FIFO_LIMIT:-100} ||
		scen_die "HTB stand-in root on $SRV_DEV failed"
	for port in "$@"; do
		i=$((i + 1))
		in_srv tc class add dev "$SRV_DEV" parent 1:1 classid "1:1$i" htb rate "${rates[i - 1]}" \
			ceil "$SCEN_RATE" prio 0 &&
			in_srv tc filter add dev "$SRV_DEV" parent 1: protocol ip prio 1 u32 \
				match ip protocol 17 0xff match ip dport "$port" 0xffff flowid "1:1$i" ||
			scen_die "HTB stand-in class for UDP port $port failed"
	done
	SCEN_SCHED=htb-standin
}

# scen_perturb AT SECONDS PORT: from AT seconds on, a bulk TCP transfer to cli for SECONDS,
# from SCEN_BULK_FROM.
scen_perturb() {
	local at=$1 secs=$2 port=$3
	in_cli timeout $((at + secs + 10)) iperf3 -s -1 -p "$port" >/dev/null 2>&1 &
	(
		sleep "$at"
		local rc=0
		in_ns "$([ "$SCEN_BULK_FROM" = srv ] && echo "$NS_SRV" || echo "$NS_BULK")" \
			timeout $((secs + 10)) iperf3 -c "$CLI_IP" -p "$port" -t "$secs" -P "${SCEN_BULK_FLOWS:-8}" >/dev/null 2>&1 ||
			rc=$?
		# 137: SIGKILL, which only scen_perturb_stop sends (the run was over)
		[ $rc = 0 ] || [ $rc = 137 ] || scen_log "bulk transfer on port $port ended with an error ($rc)"
	) &
}

# scen_perturb_stop: the measurement is over (every receiver has ended): end the bulk
# transfers now. Left alone, iperf3's end-of-test exchange queues behind the transfer's own
# backlog in the shaped best-effort queue, and under overload it lasted until the timeout:
# 6.7 s of a 31.7 s overload.sh run of 12 s in the VM, 1.3 s of video.sh's. Nothing reads
# iperf3's results.
scen_perturb_stop() {
	local ns pid
	# the senders first: a receiver gone first would make them end with an error of their own
	for ns in "${NS_BULK:-}" "${NS_SRV:-}" "${NS_CLI:-}"; do
		[ -n "$ns" ] || continue
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			# an iperf3 may end between the look and the kill: under set -e, a kill that
			# failed there ended the whole scenario without a word
			[ "$(cat "/proc/$pid/comm" 2>/dev/null)" != iperf3 ] || kill -9 "$pid" 2>/dev/null || true
		done
	done
	return 0
}

# scen_perturb_all DURATION AT...: a bulk transfer from each AT seconds to the end of the run
# (one that would start after it is left out), each on its own iperf3 port.
scen_perturb_all() {
	local duration=$1 at i=0
	shift
	for at in "$@"; do
		i=$((i + 1))
		[ "$at" -ge "$duration" ] || scen_perturb "$at" $((duration - at)) $((5200 + i))
	done
	return 0
}

# scen_qdisc_json: the scheduler's own counters, for the record next to the results.
scen_qdisc_json() {
	TC_LIB_DIR=$QSOCK_BUILD/tc in_srv tc -j -s qdisc show dev "$SRV_DEV" 2>/dev/null
	echo
	TC_LIB_DIR=$QSOCK_BUILD/tc in_srv tc -j -s class show dev "$SRV_DEV" 2>/dev/null
	echo
}

# scen_video_shim_conf PORT FPS: the qsock.conf that gives the unmodified video-server what
# --qsock gives it through the API: a dwcs stream for UDP to PORT with one period per frame,
# I-frames (byte 6 of struct video_hdr is the type) non-droppable, a two-frame deadline each
# (video-server's default with --qsock).
scen_video_shim_conf() {
	local port=$1 fps=$2 period_us deadline_us
	period_us=$((1000000 / fps))
	deadline_us=$((2 * period_us))
	cat <<-CONF
	# generated by test/scenarios/lib.sh for the evaluation (shim variant)
	version = 1;
	streams = (
	  {
	    name = "video-$port";
	    match = { protocol = "udp"; remote_port = $port; };
	    scheduler = "$SCEN_QSOCK_SCHED";
	    dev = "$SRV_DEV";
	    ipg = "${period_us}us";
	    oln = 1;
	    old = 10;
	    messages = (
	      { name = "I-frame"; bytes = ( { offset = 6; value = 0x49; } );
	        nondroppable = true; deadline = "${deadline_us}us"; },
	      { name = "P/B frame"; deadline = "${deadline_us}us"; }
	    );
	  }
	);
	CONF
}

# scen_video_mean_bps FPS SCALE [GOP]: video-server's mean rate in bytes/s, headers included,
# for its frame types' mean sizes (video-server.c: I 24,000, P 9,000, B 3,500 bytes) over GOP
# (default video-server's, IBBPBBPBBPBB: 79,000 bytes per 12 frames), sent in datagrams of
# 1,372 payload bytes, each with 48 bytes of video, UDP and IP headers.
scen_video_mean_bps() {
	awk -v fps="$1" -v scale="$2" -v gop="${3:-IBBPBBPBBPBB}" 'BEGIN {
		n = length(gop)
		for (i = 1; i <= n; i++) {
			t = substr(gop, i, 1)
			sum += t == "I" ? 24000 : t == "P" ? 9000 : 3500
		}
		printf "%d\n", fps * sum / n * scale * 1420 / 1372
	}'
}

# scen_video_server VARIANT PORT FPS STREAM DURATION LOG [video-server options...]: start one
# video server in srv, in the background, as VARIANT (api, shim, unmanaged, htb-standin, or a
# stock contender of contenders.sh with its socket options); its pid goes to SCEN_PID. Every variant paces a frame's datagrams over SCEN_VIDEO_PACE
# percent of the frame period (default 80; 0: back to back, as the paper's server sent them):
# a frame then completes at a fixed offset from its capture whatever its size, and the
# receiver's inter-frame gap measures the network path, not the I/P/B size spread.
scen_video_server() {
	local variant=$1 port=$2 fps=$3 stream=$4 duration=$5 log=$6
	shift 6
	local cmd=("$APPS/video-server" --to "$CLI_IP:$port" --fps "$fps" --stream "$stream"
		--duration "$duration" --pace-ms $((${SCEN_VIDEO_PACE:-80} * 10 / fps)) "$@")
	case $variant in
	api) cmd+=(--qsock "$SRV_DEV") ;;
	shim)
		scen_video_shim_conf "$port" "$fps" >"$log.qsock.conf"
		cmd=(env LD_PRELOAD="$QSOCK_BUILD/shim/libqsockshim.so" QSOCK_CONF="$log.qsock.conf" "${cmd[@]}")
		;;
	unmanaged | htb-standin) ;;
	*)
		cont_is_stock "$variant" ||
			scen_die "unknown video variant \"$variant\" (api, shim, unmanaged, htb-standin, $CONT_STOCK)"
		local scale=1 gop= a prev=
		for a in "$@"; do
			[ "$prev" = --scale ] && scale=$a
			[ "$prev" = --gop ] && gop=$a
			prev=$a
		done
		cmd+=($(cont_sockopts "$variant" video "$(scen_video_mean_bps "$fps" "$scale" "$gop")"))
		;;
	esac
	in_srv timeout $((duration + 30)) "${RT[@]}" "${cmd[@]}" 2>"$log" &
	SCEN_PID=$!
}

# scen_variant_check VARIANT: exit 3 when VARIANT cannot run here.
scen_variant_check() {
	case $1 in
	api | shim) scen_need_managed "$1" ;;
	unmanaged) ;;
	htb-standin)
		! scen_have_dwcs || scen_log "htb-standin chosen although dwcs is available"
		;;
	*) cont_is_stock "$1" || scen_die "unknown variant \"$1\"" ;;
	esac
}

# scen_link VARIANT STREAM...: the link's qdisc for VARIANT: a stock contender's
# (contenders.sh, with the real-time STREAMs "PORT:KIND:MEAN"), the HTB stand-in's (ports of
# the STREAMs), or qsock's root (the managed variants and unmanaged).
scen_link() {
	local variant=$1 st ports=()
	shift
	if cont_is_stock "$variant"; then
		cont_root "$variant" "$@"
	elif [ "$variant" = htb-standin ]; then
		for st in "$@"; do ports+=("${st%%:*}"); done
		scen_htb_standin "${ports[@]}"
	else
		scen_root
	fi
}

# scen_sender_total ROW_CSV SENDER_LOG: make a sensor-receiver --summary file count what the
# receiver never saw at all. Its sequence numbers show holes but not the readings after the
# last one that arrived: a sender blocked behind a full queue sends those after the receiver
# has stopped (measured: the unmanaged sensor's receiver saw 34,537 of 64,610 readings and
# counted 571 lost). msgs becomes the sender's "N messages generated", lost the rest of them.
scen_sender_total() {
	local n
	n=$(sed -n 's/.*: \([0-9]*\) messages generated.*/\1/p' "$2" | head -n 1)
	[ -n "$n" ] || return 0
	awk -F, -v OFS=, -v n="$n" 'NR > 1 && $2 != "video" && n >= $16 + $17 { $15 = n; $18 = n - $16 - $17 } { print }' \
		"$1" >"$1.tmp" && mv "$1.tmp" "$1"
}

# scen_contender_name VARIANT: the name a comparison gives the variant (issue #13).
scen_contender_name() {
	case $1 in
	api) echo qsock-api ;;
	shim) echo qsock-shim ;;
	edf-lossless) echo qsock-lossless ;;
	edf-lossy) echo qsock-lossy ;;
	*) echo "$1" ;;
	esac
}

# scen_oracle_lag ORACLE_FRAMES GAPS_CSV TYPE MIN_MS: for the frames of TYPE the oracle
# (ORACLE_FRAMES: test/apps/edf-oracle's --frames-out) finishes later than MIN_MS after their
# capture (the collisions), how much later than the oracle each arrived (the receivers'
# latency_ms minus the oracle's finish_ms): one line, with the median and the worst, and how
# many never arrived. The oracle sends nothing it need not, so a scheduler that also sends what
# the windows do not need lags it even when feasible.
# Frame 0 of each stream is left out: the receiver writes no gap row for its first frame.
scen_oracle_lag() {
	awk -F, -v type="$3" -v min="$4" '
		FNR == 1 { next }
		FNR == NR { if ($3 == type && $4 > min && $2 > 0) o[$1 "," $2] = $4; next }
		($2 "," $3) in o { print $6 - o[$2 "," $3]; seen[$2 "," $3] = 1 }
		END { for (k in o) if (!(k in seen)) lost++; print "lost", lost + 0 }' "$1" "$2" |
	sort -g | awk -v type="$3" -v min="$4" '
		$1 == "lost" { lost = $2; next }
		{ v[++n] = $1 }
		END {
			if (!n) { printf "oracle lag: no %s-frame the oracle finishes later than %d ms\n", type, min; exit }
			printf "oracle lag: %d %s-frames the oracle finishes later than %d ms: arrived %.1f ms (median), %.1f ms (worst) after its finish; %d never arrived\n", \
				n + lost, type, min, v[int((n + 1) / 2)], v[n], lost
		}'
}

# scen_stall_overlap STALLS_CSV GAPS_CSV SUMMARY_CSV PLAYOUT_MS TYPES FRAMES_CSV...: of the
# frames of TYPES the receivers judged (the first "frames" of each stream in the summary, those
# captured within their whole intervals), those that missed the playout buffer, and for each how long the VM
# stalled during its life (from its capture to its arrival, or to its playout deadline when it
# never arrived; the stalls from stall-probe --events, on the same clock). A frame late by
# less than the VM stalled in its life would have been on time had the machine not stalled:
# that miss is the test bed's (docs/evaluation.md, B). One summary line, then a line a frame.
# Frame 0 of each stream is left out: the receivers write no gap row for it.
scen_stall_overlap() {
	local stalls=$1 gaps=$2 summary=$3 playout=$4 types=$5
	shift 5
	[ -s "$stalls" ] || { echo "stalls: no stall-probe events ($stalls)"; return 0; }
	awk -F, -v po="$playout" -v types="$types" '
		FILENAME == ARGV[1] { if (FNR > 1) { ns++; sa[ns] = $1; sl[ns] = $2 * 1e6 } next }
		FILENAME == ARGV[2] { if (FNR > 1) lat[$2 "," $3] = $6; next }
		FILENAME == ARGV[3] { if (FNR > 1) judged[$3] = $5; next }
		FNR == 1 || !index(types, $4) || $3 == 0 || $3 >= judged[$2] { next }
		{ nf++; cap[nf] = $1; str[nf] = $2; fr[nf] = $3; ty[nf] = $4 }
		END {
			for (f = 1; f <= nf; f++) {
				k = str[f] "," fr[f]
				if ((k in lat) && lat[k] <= po) continue
				end = cap[f] + ((k in lat) ? lat[k] : po) * 1e6
				st = 0
				for (i = 1; i <= ns; i++) {
					a = sa[i] > cap[f] ? sa[i] : cap[f]
					b = sa[i] + sl[i] < end ? sa[i] + sl[i] : end
					if (b > a) st += b - a
				}
				st /= 1e6
				if (k in lat) {
					late++
					if (st >= lat[k] - po) bed++
					det = det sprintf("stalls:   stream %d frame %d (%s): %.1f ms late, the VM stalled %.1f ms in its life\n", str[f], fr[f], ty[f], lat[k] - po, st)
				} else {
					lost++
					det = det sprintf("stalls:   stream %d frame %d (%s): never arrived, the VM stalled %.1f ms in its life\n", str[f], fr[f], ty[f], st)
				}
			}
			printf "stalls: %d %s-frames missed the %d ms buffer: %d late, %d of them by less than the VM stalled in their life; %d never arrived\n", \
				late + lost, types, po, late, bed, lost
			printf "%s", det
		}' "$stalls" "$gaps" "$summary" "$@"
}

# scen_summary SCENARIO VARIANT OUTDIR PART...: OUTDIR/summary.csv, the receivers' --summary
# rows (test/apps/eval-summary.h) prefixed with the scenario and the contender and followed by
# the VM's worst stall during the run (stall-probe's max_ms): the rows scripts/figures compares.
scen_summary() {
	local scen=$1 name stall out=$3 f
	name=$(scen_contender_name "$2")
	shift 3
	stall=$(sed -n 's/^max_ms=\([0-9.na]*\).*/\1/p' "$out/stall.txt" 2>/dev/null)
	{
		echo "scenario,contender,$(head -n 1 "$1"),stall_max_ms"
		for f in "$@"; do
			tail -n +2 "$f" | sed "s/^/$scen,$name,/; s/\$/,${stall:-}/"
		done
	} >"$out/summary.csv"
}

# scen_stall_probe DURATION FILE: measure, next to the run, how long the machine leaves a
# real-time process unscheduled (test/apps/stall-probe); the result goes to FILE, every stall
# over 5 ms to stalls.csv beside it (scen_stall_overlap).
scen_stall_probe() {
	[ -x "$APPS/stall-probe" ] || { echo "max_ms=nan (stall-probe not built)" >"$2"; return 0; }
	in_srv timeout $(($1 + 30)) "${RT[@]}" "$APPS/stall-probe" --duration "$1" \
		--events "$(dirname "$2")/stalls.csv" >"$2" 2>&1 &
}

. "$SCEN_LIB_DIR/contenders.sh"
