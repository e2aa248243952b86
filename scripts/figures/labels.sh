# SPDX-License-Identifier: GPL-2.0
# scripts/figures/labels.sh — what each scenario variant is called in figures and tables.
# A stand-in is never labelled as qsock.
variant_label() {
	case $1 in
	api) echo "qsock API (dwcs)" ;;
	shim) echo "qsock shim (dwcs)" ;;
	unmanaged) echo "unmanaged" ;;
	htb-standin) echo "HTB stand-in (not qsock)" ;;
	edf-lossless) echo "qsock EDF lossless" ;;
	edf-lossy) echo "qsock EDF lossy" ;;
	*) echo "$1" ;;
	esac
}
# Variants in the order figures and tables show them.
variant_order() { echo "api shim htb-standin edf-lossless edf-lossy unmanaged"; }

# Comparison scenarios (cmp-a … cmp-d): what each contender is called. The stock ones say which
# stock qdisc setup they are, so that no stock result reads as qsock's.
contender_label() {
	case $1 in
	unmanaged) echo "unmanaged (FIFO)" ;;
	htb) echo "HTB class per stream" ;;
	prio) echo "prio, top band" ;;
	fq) echo "fq + pacing rate" ;;
	cake) echo "cake diffserv4, DSCP" ;;
	qsock-shim) echo "qsock dwcs (shim)" ;;
	qsock-api) echo "qsock dwcs (API)" ;;
	qsock-lossless) echo "qsock EDF lossless" ;;
	qsock-lossy) echo "qsock EDF lossy" ;;
	*) echo "$1" ;;
	esac
}
# contender_order SCENARIO: the contenders a scenario runs, in the order figures and tables show
# them (stock first, qsock last). Scenario d (the sensor) runs qsock's two EDF modes instead of
# dwcs.
contender_order() {
	case $1 in
	d) echo "unmanaged htb prio fq cake qsock-lossless qsock-lossy" ;;
	*) echo "unmanaged htb prio fq cake qsock-shim qsock-api" ;;
	esac
}
# The stock Linux contenders: the ones "best stock" is chosen from.
stock_contenders() { echo "unmanaged htb prio fq cake"; }
