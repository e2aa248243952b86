#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# daemon-bench.sh — request latency through qsockd versus in-process, side by side in one run:
# the same libqsock program (test/apps/daemon_app) times N qchange calls, and N/10 qattach +
# qdetach pairs, on htb streams in a network namespace, once as root (CAP_NET_ADMIN: the
# manager runs in-process) and once as nobody (each call goes to qsockd over its UNIX socket,
# the socket passed by SCM_RIGHTS). The two take turns over BENCH_ROUNDS rounds (default 9,
# test/bench/ratio.sh); printed: the median ratio of the rounds' medians, its spread, and
# the medians. N (DAEMON_BENCH_CALLS, default 1000) calls per round. Needs root and sch_htb;
# says it skipped otherwise.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=ratio.sh
source "$(dirname "$0")/ratio.sh"
B=${QSOCK_BUILD:-$(cd "$(dirname "$0")/../.." && pwd)/build}
N=${DAEMON_BENCH_CALLS:-1000}
rounds=$(bench_rounds 9)
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
# max_streams: every session leaves its first stream to qsockd's exit-time cleanup, which may
# run after the next session's attach; the default quota (4) would refuse the fifth
printf 'policy = { rules = ( { user = "nobody"; max_rate = "1gbit"; max_streams = 1000; } ); };\n' >"$dir/q.conf"
$IN "$B/daemon/qsockd" -n -l warn -s "$dir/s" -c "$dir/q.conf" 2>"$dir/log" &
dpid=$!
for _ in $(seq 100); do [ -S "$dir/s" ] && break; sleep 0.1; done
med() { sed -n "s/.*$1=\([0-9]*\).*/\1/p" <<<"$2"; }
# session CONTENDER: one session's median ns per call, in-process (root) or through qsockd
# (nobody); the session's commands are in $cmds
session() {
	local out
	if [ "$1" = inproc ]; then
		out=$(timeout 300 $IN "$B/test/apps/daemon_app" run 10.78.0.2 9 <<<"$cmds" || true)
	else
		out=$(QSOCKD_SOCKET=$dir/s timeout 300 $IN setpriv --reuid=nobody --regid=nogroup \
			--clear-groups "$B/test/apps/daemon_app" run 10.78.0.2 9 <<<"$cmds" || true)
	fi
	# a session whose calls failed says "error ..." (and still prints a median, of nothing)
	if grep -q '^error' <<<"$out" || ! grep -q '^ok median_ns=' <<<"$out"; then
		echo "daemon-bench: the $1 session failed:" >&2
		grep '^error' <<<"$out" | head -n 3 >&2
		return 1
	fi
	med median_ns "$(grep '^ok median_ns=' <<<"$out")"
}
# compare LABEL COMMANDS: the same session in-process and through qsockd, in turns
compare() {
	local work
	work=$(mktemp -d "$dir/cmp.XXXXXX")
	cmds=$2
	bench_interleave "$work" "$rounds" session inproc daemon
	bench_ratio "$1" "" "$work/inproc" "$work/daemon"
}
bench_header "qsockd request latency, htb, $rounds rounds of $N calls: through qsockd vs in-process (ns)"
compare "qchange x $N (htb)" "$(printf 'attach veth0 htb 10\nbench %d\ndetach\n' "$N")"
compare "qattach+qdetach x $((N / 10)) (htb)" "$(printf 'attach veth0 htb 10\ncycle %d\n' $((N / 10)))"
