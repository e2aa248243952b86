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
