#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# test/bench/lib-bench.sh [N] — libqsock's Table 1 (test/bench/lib_bench.c) in a pair of
# network namespaces joined by veth, with the htb scheduler. Needs root. N: calls per median.
#
# The comparisons are side by side in one process (call by call) and repeated over
# BENCH_ROUNDS rounds (default 9, at least 5); test/bench/ratio.sh gives each its median ratio
# over the rounds, spread and verdict. qinfo's cost at 10 streams and at 100..10,000 is
# compared on two devices at once (veth0 with 10 streams, veth2 with K), so that both see the
# same machine.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source-path=SCRIPTDIR source=ratio.sh
source "$repo/test/bench/ratio.sh"
# The goals, as the largest ratio that meets them; unnamed figures are references.
declare -A goal=(
	[qsendto-slot]=1.01		# a deadline and flags in the send slot: a plain sendto
	[qsendto-slot-flags]=1.01
	[qinfo-100]=1.05		# qinfo flat in the number of streams (#19 item 4)
	[qinfo-1000]=1.05
	[qinfo-10000]=1.05
)
bench=$repo/build/test/bench/lib_bench
[ -x "$bench" ] || { echo "lib-bench: build first (make)"; exit 1; }
if [ "$(id -u)" -ne 0 ]; then
	echo "lib-bench: skipped: needs root (network namespaces, tc)"
	exit 0
fi
rounds=$(bench_rounds 9)
s=qsbench-s-$$
r=qsbench-r-$$
tmp=$(mktemp -d)
cleanup() {
	local dev
	for dev in veth0 veth2; do
		rm -rf "/sys/fs/bpf/qsock/$dev@ns$(stat -L -c %i "/run/netns/$s" 2>/dev/null)" 2>/dev/null || true
	done
	ip netns del "$s" 2>/dev/null || true
	ip netns del "$r" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT
ip netns add "$s"
ip netns add "$r"
ip link add veth0 netns "$s" type veth peer name veth1 netns "$r"
ip link add veth2 netns "$s" type veth peer name veth3 netns "$r"
ip -n "$s" addr add 10.96.0.1/24 dev veth0
ip -n "$r" addr add 10.96.0.2/24 dev veth1
ip -n "$s" addr add 10.96.1.1/24 dev veth2
ip -n "$r" addr add 10.96.1.2/24 dev veth3
for dev in veth0 veth2; do ip -n "$s" link set "$dev" up; done
for dev in veth1 veth3; do ip -n "$r" link set "$dev" up; done
# a static neighbour: no ARP in the measured sends
ip -n "$s" neigh add 10.96.0.2 lladdr "$(ip -n "$r" -j link show veth1 | jq -r '.[0].address')" dev veth0
bench_header "libqsock Table 1, htb, $rounds rounds"
timeout 900 nsenter --net="/run/netns/$s" "$bench" veth0 10.96.0.2 "${1:-1000}" "$rounds" veth2 >"$tmp/out"
grep -v '^round ' "$tmp/out"
echo
echo "side by side, per round (ratio.sh):"
labels=$(awk '$1 == "round" && !seen[$2]++ { print $2 }' "$tmp/out")
for label in $labels; do
	awk -v l="$label" '$1 == "round" && $2 == l { print $3 >"'"$tmp"'/base"; print $4 >"'"$tmp"'/case" }' "$tmp/out"
	bench_ratio "$label" "${goal[$label]:-}" "$tmp/base" "$tmp/case"
done
bench_summary
