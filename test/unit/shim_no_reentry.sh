#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# shim_no_reentry.sh MAP ARCHIVE... — libqsock linked into libqsockshim.so must never call
# back into the shim (lib/sys.h): no object of these archives may name a function the shim
# exports (MAP, its version script), except sys.o, the table that hands libqsock the real
# libc functions (lib/sys.o, proto/sys.o). A direct close() or socket() added anywhere in
# lib/ or proto/ fails this test. Prints TAP.
set -uo pipefail
map=$1
shift
exported=$(sed -n '/global:/,/local:/p' "$map" | grep -v 'global:\|local:' | tr ';' '\n' |
	tr -d ' \t' | grep -v '^$' | sort -u)
n=0
fail=0
tap() { # STATUS TEXT
	n=$((n + 1))
	if [ "$1" = ok ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=1; fi
}
echo "1..$(( $# * 2 ))"
for a in "$@"; do
	name=$(basename "$a")
	# "archive:member: U symbol" for every undefined symbol of every member
	refs=$(nm -A -u "$a" 2>/dev/null | awk '{ sub(/@.*/, "", $NF); print $1, $NF }')
	bad=$(while read -r where sym; do
		case "$where" in *:sys.o:) continue ;; esac
		grep -qx -- "$sym" <<<"$exported" && echo "${where%:} $sym"
	done <<<"$refs")
	if [ -z "$bad" ]; then
		tap ok "$name: no object calls a function the shim interposes"
	else
		tap fail "$name: calls that would re-enter the shim: $(tr '\n' ' ' <<<"$bad")"
	fi
	# the check sees what it looks for: sys.o names them (the table's defaults)
	if awk '$1 ~ /:sys\.o:$/ && $2 == "close"' <<<"$refs" | grep -q .; then
		tap ok "$name: sys.o holds the table of interposed calls (the check sees close there)"
	else
		tap fail "$name: sys.o does not name close: the check cannot see the calls"
	fi
done
exit $fail
