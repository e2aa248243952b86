# SPDX-License-Identifier: GPL-2.0
#
# test/scenarios/contenders.sh — what a user would pick instead of qsock (issue #13), each set
# up with stock `tc` and socket options only, on the same shaped link as qsock's runs. Sourced
# by lib.sh; one switch per contender, used by every scenario script:
#
#   htb   HTB shaping the link to SCEN_RATE; each real-time stream in its own class guaranteed
#         CONT_RT_SHARE of its mean rate (default 2x, scaled down so the guarantees leave 10 %
#         of the link to best effort), borrowing up to the link at priority 0; everything
#         else in a default class (rate 1mbit, ceil the link, priority 7). A u32 filter on the
#         stream's UDP port picks its class. Leaves keep HTB's default queue (a pfifo of
#         txqueuelen, 1000 packets on veth). Why not qsock's own htb module: it leaves
#         unclassified traffic unshaped in HTB's direct queue (lib/sched_htb.c), so on this
#         testbed the bulk transfer would never meet the video at a bottleneck at all.
#   prio  HTB shaping the link, a `prio` qdisc (3 bands, default priomap) under it; the
#         real-time senders set SO_PRIORITY 6 (TC_PRIO_INTERACTIVE, band 0), the forwarded bulk
#         transfer keeps priority 0 (band 1).
#   fq    HTB shaping the link, `fq` (defaults: flow_limit 100, quantum 2 MTU) under it; the
#         real-time senders set SO_MAX_PACING_RATE to CONT_PACE_FACTOR (2) times their mean
#         rate, as media servers pace.
#   cake  `cake bandwidth SCEN_RATE diffserv4` as root; video and sensor readings marked
#         AF41 (the Video tin, RFC 4594's class for interactive video), audio EF (the Voice
#         tin).
#
# Real-time streams are named "PORT:KIND:MEAN" (KIND video, audio or sensor; MEAN in bytes/s);
# cont_root installs the contender's qdiscs for them, cont_sockopts prints a sender's options.

CONT_STOCK="htb prio fq cake"
CONT_RT_SHARE=${CONT_RT_SHARE:-2}
CONT_PACE_FACTOR=${CONT_PACE_FACTOR:-2}

# cont_is_stock NAME: NAME is one of the stock contenders.
cont_is_stock() {
	case " $CONT_STOCK " in *" $1 "*) return 0 ;; esac
	return 1
}

# cont_rate_bps: SCEN_RATE ("10mbit") in bytes per second.
cont_rate_bps() {
	local r=${SCEN_RATE,,}
	case $r in
	*gbit) echo $((${r%gbit} * 125000000)) ;;
	*mbit) echo $((${r%mbit} * 125000)) ;;
	*kbit) echo $((${r%kbit} * 125)) ;;
	*) scen_die "SCEN_RATE \"$SCEN_RATE\": give it in kbit, mbit or gbit" ;;
	esac
}

# cont_shaper HANDLE_OF_CHILD: HTB at the link rate, its one class 1:1 the default; the
# contender's qdisc goes under it.
cont_shaper() {
	in_srv tc qdisc add dev "$SRV_DEV" root handle 1: htb default 1 &&
		in_srv tc class add dev "$SRV_DEV" parent 1: classid 1:1 htb rate "$SCEN_RATE" \
			ceil "$SCEN_RATE" ||
		scen_die "the HTB shaper at $SCEN_RATE on $SRV_DEV failed"
}

# cont_qdisc WHAT TC-ARGS...: `tc qdisc add` on srv's egress; exit 3 (cannot run here) when
# the kernel lacks the qdisc (a kernel without its module), fail on any other error.
cont_qdisc() {
	local what=$1 msg
	shift
	msg=$(in_srv tc qdisc add dev "$SRV_DEV" "$@" 2>&1) && return 0
	case $msg in
	*"kind is unknown"*)
		echo "scenario: $what: this kernel ($(uname -r)) has no sch_$what" >&2
		exit 3 ;;
	esac
	scen_die "$what contender: tc qdisc add dev $SRV_DEV $*: $msg"
}

# cont_root CONTENDER STREAM...: the contender's qdiscs on srv's egress.
cont_root() {
	local cont=$1 link sum=0 st port kind mean rate i=0
	shift
	link=$(cont_rate_bps)
	case $cont in
	htb)
		for st in "$@"; do
			mean=${st##*:}
			sum=$((sum + CONT_RT_SHARE * mean))
		done
		in_srv tc qdisc add dev "$SRV_DEV" root handle 1: htb default 30 &&
			in_srv tc class add dev "$SRV_DEV" parent 1: classid 1:1 htb rate "$SCEN_RATE" \
				ceil "$SCEN_RATE" &&
			in_srv tc class add dev "$SRV_DEV" parent 1:1 classid 1:30 htb rate 1mbit \
				ceil "$SCEN_RATE" prio 7 ||
			scen_die "htb contender: root on $SRV_DEV failed"
		for st in "$@"; do
			IFS=: read -r port kind mean <<<"$st"
			i=$((i + 1))
			rate=$((CONT_RT_SHARE * mean))
			# The guarantees together at most 90 % of the link.
			[ $((sum * 10)) -le $((link * 9)) ] || rate=$((rate * link * 9 / (sum * 10)))
			in_srv tc class add dev "$SRV_DEV" parent 1:1 classid "1:1$i" htb \
				rate "$((rate * 8))bit" ceil "$SCEN_RATE" prio 0 &&
				in_srv tc filter add dev "$SRV_DEV" parent 1: protocol ip prio 1 u32 \
					match ip protocol 17 0xff match ip dport "$port" 0xffff \
					flowid "1:1$i" ||
				scen_die "htb contender: class for UDP port $port ($kind) failed"
		done
		;;
	prio)
		cont_shaper
		cont_qdisc prio parent 1:1 handle 10: prio
		;;
	fq)
		cont_shaper
		cont_qdisc fq parent 1:1 handle 10: fq ${CONT_FQ_OPTS:-}
		;;
	cake)
		cont_qdisc cake root cake bandwidth "$SCEN_RATE" diffserv4
		;;
	*) scen_die "unknown contender \"$cont\" ($CONT_STOCK)" ;;
	esac
	SCEN_SCHED=$cont
}

# cont_sockopts CONTENDER KIND MEAN: the sender options (eval-sockopts.h) for one stream.
cont_sockopts() {
	local cont=$1 kind=$2 mean=$3
	case $cont in
	prio) echo "--priority 6" ;;
	fq) [ "$CONT_PACE_FACTOR" = 0 ] || echo "--pacing-rate $((CONT_PACE_FACTOR * mean))" ;;
	cake) [ "$kind" = audio ] && echo "--tos 184" || echo "--tos 136" ;;
	esac
	return 0
}
