#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# test/bench/lib-bench.sh [N] — libqsock's Table 1 (test/bench/lib_bench.c) in a pair of
# network namespaces joined by veth, with the htb scheduler. Needs root. N: calls per median.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
bench=$repo/build/test/bench/lib_bench
[ -x "$bench" ] || { echo "lib-bench: build first (make)"; exit 1; }
if [ "$(id -u)" -ne 0 ]; then
	echo "lib-bench: skipped: needs root (network namespaces, tc)"
	exit 0
fi
s=qsbench-s-$$
r=qsbench-r-$$
cleanup() {
	rm -rf "/sys/fs/bpf/qsock/veth0@ns$(stat -L -c %i "/run/netns/$s" 2>/dev/null)" 2>/dev/null || true
	ip netns del "$s" 2>/dev/null || true
	ip netns del "$r" 2>/dev/null || true
}
trap cleanup EXIT
ip netns add "$s"
ip netns add "$r"
ip link add veth0 netns "$s" type veth peer name veth1 netns "$r"
ip -n "$s" addr add 10.96.0.1/24 dev veth0
ip -n "$r" addr add 10.96.0.2/24 dev veth1
ip -n "$s" link set veth0 up
ip -n "$r" link set veth1 up
# a static neighbour: no ARP in the measured sends
ip -n "$s" neigh add 10.96.0.2 lladdr "$(ip -n "$r" -j link show veth1 | jq -r '.[0].address')" dev veth0
timeout 900 nsenter --net="/run/netns/$s" "$bench" veth0 10.96.0.2 "${1:-1000}"
