#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# daemon-bench.sh — request latency through qsockd versus in-process, side by side in one run:
# the same libqsock program (test/apps/daemon_app) times N qchange calls, and N/10 qattach +
# qdetach pairs, on htb streams in a network namespace, once as root (CAP_NET_ADMIN: the
# manager runs in-process) and once as nobody (each call goes to qsockd over its UNIX socket,
# the socket passed by SCM_RIGHTS). Prints medians, p90s and the ratios. Needs root and
# sch_htb; says it skipped otherwise.
set -euo pipefail
B=${QSOCK_BUILD:-$(cd "$(dirname "$0")/../.." && pwd)/build}
N=${DAEMON_BENCH_CALLS:-2000}
if [ "$(id -u)" -ne 0 ] || [ ! -x "$B/daemon/qsockd" ]; then
	echo "daemon-bench: skipped (needs root and build/daemon/qsockd)"
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
if ! timeout 30 $IN "$B/test/apps/daemon_app" init veth0 htb 125000000 >/dev/null; then
	echo "daemon-bench: skipped (qsockinit htb failed on this kernel)"
	exit 0
fi
printf 'policy = { rules = ( { user = "nobody"; max_rate = "1gbit"; } ); };\n' >"$dir/q.conf"
$IN "$B/daemon/qsockd" -n -l warn -s "$dir/s" -c "$dir/q.conf" 2>"$dir/log" &
dpid=$!
for _ in $(seq 100); do [ -S "$dir/s" ] && break; sleep 0.1; done
med() { sed -n "s/.*$1=\([0-9]*\).*/\1/p" <<<"$2"; }
us() { bc -l <<<"$1/1000"; }
# compare LABEL COMMANDS: the same session in-process (root) and through qsockd (nobody)
compare() {
	local label=$1 cmds=$2 inproc daemon mi md
	inproc=$(timeout 300 $IN "$B/test/apps/daemon_app" run 10.78.0.2 9 <<<"$cmds" | grep median)
	daemon=$(QSOCKD_SOCKET=$dir/s timeout 300 $IN setpriv --reuid=nobody --regid=nogroup \
		--clear-groups "$B/test/apps/daemon_app" run 10.78.0.2 9 <<<"$cmds" | grep median)
	mi=$(med median_ns "$inproc")
	md=$(med median_ns "$daemon")
	printf '%-28s in-process median %7.1f us p90 %7.1f us | through qsockd median %7.1f us p90 %7.1f us | ratio %.2f\n' \
		"$label" "$(us "$mi")" "$(us "$(med p90_ns "$inproc")")" "$(us "$md")" \
		"$(us "$(med p90_ns "$daemon")")" "$(bc -l <<<"$md/$mi")"
}
compare "qchange x $N (htb):" "$(printf 'attach veth0 htb 10\nbench %d\ndetach\n' "$N")"
compare "qattach+qdetach x $((N / 10)) (htb):" "$(printf 'attach veth0 htb 10\ncycle %d\n' $((N / 10)))"
