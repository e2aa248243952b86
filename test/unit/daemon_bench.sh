#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# daemon_bench.sh — request latency through qsockd versus in-process, side by side in one run:
# the same libqsock program (test/unit/daemon_app) times N qchange calls on an htb stream in a
# network namespace, once as root (CAP_NET_ADMIN: the manager runs in-process) and once as
# nobody (the call goes to qsockd over its UNIX socket, with the socket passed by SCM_RIGHTS).
# Prints both medians and p90s and the ratio. Needs root and sch_htb; skips otherwise.
set -euo pipefail
B=${QSOCK_BUILD:-$(cd "$(dirname "$0")/../.." && pwd)/build}
N=${DAEMON_BENCH_CALLS:-2000}
if [ "$(id -u)" -ne 0 ] || [ ! -x "$B/daemon/qsockd" ]; then
	echo "daemon_bench: skipped (needs root and build/daemon/qsockd)"
	exit 0
fi
ns=qsbench-$$
dir=$(mktemp -d /tmp/qsockd-bench.XXXXXX)
chmod 755 "$dir"
cleanup() {
	[ -n "${dpid:-}" ] && kill "$dpid" 2>/dev/null
	ip netns del "$ns" 2>/dev/null
	ip netns del "$ns-peer" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT
ip netns add "$ns"
ip netns add "$ns-peer"
ip link add veth0 netns "$ns" type veth peer name veth1 netns "$ns-peer"
ip -n "$ns" addr add 10.78.0.1/24 dev veth0
ip -n "$ns" link set veth0 up
ip -n "$ns-peer" link set veth1 up
IN="nsenter --net=/run/netns/$ns"
if ! timeout 30 $IN "$B/test/unit/daemon_app" init veth0 htb 125000000 >/dev/null; then
	echo "daemon_bench: skipped (qsockinit htb failed on this kernel)"
	exit 0
fi
printf 'policy = { rules = ( { user = "nobody"; max_rate = "1gbit"; } ); };\n' >"$dir/q.conf"
$IN "$B/daemon/qsockd" -n -l warn -s "$dir/s" -c "$dir/q.conf" 2>"$dir/log" &
dpid=$!
for _ in $(seq 100); do [ -S "$dir/s" ] && break; sleep 0.1; done
cmds=$(printf 'attach veth0 htb 10\nbench %d\ndetach\n' "$N")
inproc=$(timeout 300 $IN "$B/test/unit/daemon_app" run 10.78.0.2 9 <<<"$cmds" | grep median)
daemon=$(QSOCKD_SOCKET=$dir/s timeout 300 $IN setpriv --reuid=nobody --regid=nogroup \
	--clear-groups "$B/test/unit/daemon_app" run 10.78.0.2 9 <<<"$cmds" | grep median)
med() { sed -n "s/.*$1=\([0-9]*\).*/\1/p" <<<"$2"; }
mi=$(med median_ns "$inproc")
md=$(med median_ns "$daemon")
printf 'qchange x %d (htb):  in-process median %6.1f us p90 %6.1f us | through qsockd median %6.1f us p90 %6.1f us | ratio %.2f\n' \
	"$N" "$(bc -l <<<"$mi/1000")" "$(bc -l <<<"$(med p90_ns "$inproc")/1000")" \
	"$(bc -l <<<"$md/1000")" "$(bc -l <<<"$(med p90_ns "$daemon")/1000")" "$(bc -l <<<"$md/$mi")"
