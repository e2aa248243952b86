#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# qsockd's request path on any kernel: the real daemon (framing, SO_PEERCRED, policy,
# ownership, liveness sweep, SIGHUP reload, robustness) linked with the fake backend of
# test/unit (no qdiscs are touched), driven by daemon_probe as root and as `nobody`.
# The kernel side (real qdiscs, kill -9 and adoption) is in daemon-htb.bats.

load ../lib/common

FAKE=$QSOCK_BUILD/test/unit/qsockd-fake
PROBE=$QSOCK_BUILD/test/apps/daemon_probe

setup() {
	require_root
	require_file "$FAKE" "make"
	require_file "$PROBE" "make"
	require_cmd setpriv
	# nobody must reach the socket: a world-searchable directory outside bats' private tmp.
	DIR=$(mktemp -d /tmp/qsockd-test.XXXXXX)
	chmod 755 "$DIR"
	defer rm -rf "$DIR"
	SOCK=$DIR/qsockd.sock
	LOG=$DIR/qsockd.log
	CONF=$DIR/qsock.conf
}

# start_daemon [ARGS]: qsockd-fake on $SOCK with $CONF, killed when the test ends.
start_daemon() {
	"$FAKE" -n -l debug -s "$SOCK" -c "$CONF" "$@" 3>&- 2>>"$LOG" &
	DPID=$!
	disown "$DPID" # its kill -9 at the end is expected: no "Killed" line from bash
	defer kill -9 "$DPID"
	wait_until 5 grep -q "listening on" "$LOG"
}

probe() { t "$PROBE" "$SOCK" "$@"; }
as_nobody() { t setpriv --reuid=nobody --regid=nogroup --clear-groups "$PROBE" "$SOCK" "$@"; }
cookie_of() { sed -n 's/.*cookie=\([0-9]*\).*/\1/p' <<<"$1" | head -n 1; }

@test "daemon: an unprivileged user attaches within the default quota; over it gets EDQUOT naming the rule" {
	start_daemon
	run as_nobody attach fake0 htb 100000000 # 1500 B every 100 ms = 120 kbit/s
	assert_status 0
	assert_output_contains "uid=65534"
	assert_output_contains "comm=daemon_probe"
	run as_nobody attach fake0 htb 1000000 # 12 Mbit/s: over the 1 Mbit/s default
	assert_status 1
	assert_output_contains "error=122"
	assert_output_contains "policy default (built-in): max_rate 1000000 bit/s exceeded"
	grep -q "refused attach from uid 65534" "$LOG"
}

@test "daemon: a stream without rate or packet size is counted at the device's MTU" {
	start_daemon
	# lo: 65536-byte MTU (capped to 65535) every 100 ms = 5.2 Mbit/s, over the 1 Mbit/s default
	run as_nobody attach lo htb 100000000
	assert_status 1
	assert_output_contains "asks 5242800)"
	# the same period on a 1500-byte device fits
	run as_nobody attach fake0 htb 100000000
	assert_status 0
}

@test "daemon: non-droppable and lossless need a rule that allows them" {
	start_daemon
	run as_nobody attach fake0 htb 100000000 0 0 1
	assert_status 1
	assert_output_contains "error=1 "
	assert_output_contains "non-droppable streams are not allowed"
	cat >"$CONF" <<-'C'
	policy = { rules = ( { user = "nobody"; nondroppable = true; lossless = true; } ); };
	C
	kill -HUP "$DPID"
	wait_until 5 grep -q "policy loaded from $CONF: 1 rules" "$LOG"
	run as_nobody attach fake0 htb 100000000 0 0 3
	assert_status 0
}

@test "daemon: a second user can neither inspect, change nor detach the first user's stream" {
	start_daemon
	coproc HOLD { setpriv --reuid=nobody --regid=nogroup --clear-groups "$PROBE" "$SOCK" attach fake0 htb 100000000 hold 3>&-; }
	defer kill "$HOLD_PID"
	read -r -t 10 line <&"${HOLD[0]}"
	[[ "$line" == error=0* ]] || { echo "attach: $line"; false; }
	c=$(cookie_of "$line")
	[ -n "$c" ]
	# uid 12345 (no such user needed): same answers as for a stream that does not exist
	for op in "info $c" "detach $c" "change $c fake0 htb 50000000"; do
		run t setpriv --reuid=12345 --regid=12345 --clear-groups "$PROBE" "$SOCK" $op
		assert_status 1
		assert_output_contains "error=2 "
	done
	run t setpriv --reuid=12345 --regid=12345 --clear-groups "$PROBE" "$SOCK" status
	assert_status 0
	assert_output_contains 'msg="0 streams"'
	# the owner can
	run as_nobody info "$c"
	assert_status 0
	assert_output_contains "cookie=$c"
	run as_nobody change "$c" fake0 htb 50000000
	assert_status 0
	assert_output_contains "ipg_ns=50000000"
	# root sees it
	run probe status
	assert_output_contains "cookie=$c"
	assert_output_contains 'msg="1 stream"'
	# qsock status: root sees the stream with its owner; another uid sees nothing
	out=$(t "$QSOCK_BUILD/tools/qsock/qsock" -j status -s "$SOCK")
	json_eq "$out" '.streams[0].cookie' "$c"
	json_eq "$out" '.streams[0].owner.uid' 65534
	json_eq "$out" '.streams[0].params.ipg_ns' 50000000
	out=$(t setpriv --reuid=12345 --regid=12345 --clear-groups "$QSOCK_BUILD/tools/qsock/qsock" -j status -s "$SOCK")
	json_eq "$out" '.streams | length' 0
	run as_nobody detach "$c"
	assert_status 0
	run probe status
	assert_output_contains 'msg="0 streams"'
}

@test "daemon: a stream is removed within 2 s (sweep: 250 ms) after its owner exits" {
	start_daemon
	coproc HOLD { setpriv --reuid=nobody --regid=nogroup --clear-groups "$PROBE" "$SOCK" attach fake0 htb 100000000 hold 3>&-; }
	read -r -t 10 line <&"${HOLD[0]}"
	c=$(cookie_of "$line")
	run probe status
	assert_output_contains "cookie=$c"
	kill "$HOLD_PID"
	start=$(date +%s%N)
	wait_until 5 sh -c "! '$PROBE' '$SOCK' status | grep -q cookie=$c"
	ms=$((($(date +%s%N) - start) / 1000000))
	echo "# removed after ${ms} ms" >&3
	[ "$ms" -lt 2000 ]
	grep -q "stream $c on fake0 .* removed: pid .* no longer holds its socket" "$LOG"
}

@test "daemon: a socket created by another uid cannot be attached by the receiver" {
	start_daemon
	exec 5<>/dev/udp/127.0.0.1/9 # a socket root created, inherited by a nobody process
	run as_nobody attachfd 5 fake0 htb 100000000
	exec 5>&-
	assert_status 1
	assert_output_contains "passed socket belongs to uid 0, not to uid 65534"
}

@test "daemon: process-name rules match the peer's /proc comm" {
	cat >"$CONF" <<-'C'
	policy = { rules = ( { process = "daemon_pro*"; max_streams = 0; } ); };
	C
	start_daemon
	run as_nobody attach fake0 htb 100000000
	assert_status 1
	assert_output_contains "policy rules[0] process daemon_pro* ($CONF:1): max_streams 0 reached"
}

@test "daemon: SIGHUP with a broken file keeps the old policy and logs why" {
	cat >"$CONF" <<-'C'
	policy = { rules = ( { user = "nobody"; max_streams = 1; } ); };
	C
	start_daemon
	coproc HOLD { setpriv --reuid=nobody --regid=nogroup --clear-groups "$PROBE" "$SOCK" attach fake0 htb 100000000 hold 3>&-; }
	defer kill "$HOLD_PID"
	read -r -t 10 line <&"${HOLD[0]}"
	[[ "$line" == error=0* ]]
	run as_nobody attach fake0 htb 100000000
	assert_output_contains "max_streams 1 reached"
	printf 'policy = {\n  rules = ( { user = "nobody"; max_streams = "many"; } );\n};\n' >"$CONF"
	kill -HUP "$DPID"
	wait_until 5 grep -q "keeping the previous policy" "$LOG"
	grep -q "$CONF:2: policy.rules\[0\].max_streams" "$LOG"
	run as_nobody attach fake0 htb 100000000
	assert_output_contains "max_streams 1 reached"
	printf 'policy = { rules = ( { user = "nobody"; max_streams = 3; } ); };\n' >"$CONF"
	kill -HUP "$DPID"
	wait_until 5 grep -q "policy loaded from $CONF: 1 rules" "$LOG"
	run as_nobody attach fake0 htb 100000000
	assert_status 0
}

@test "daemon: garbage, wrong version, oversize, bad fields, non-socket fd, two fds: error replies, daemon serves on" {
	start_daemon
	for n in 1 15 16 17 143 144 145 500 4096; do
		run probe garbage "$n"
		if [ "$n" -lt 16 ]; then # not even a header: the daemon waits, then drops it
			assert_output_contains "eof after 0 bytes"
		else
			assert_output_contains "error=71 "
			assert_output_contains "bad magic"
		fi
	done
	run probe version 7
	assert_output_contains "error=93 "
	assert_output_contains "qsockd speaks version 1"
	run probe oversize
	assert_output_contains "error=71 "
	run probe badfield
	assert_output_contains "params.oln 5: must not exceed old 2"
	run probe notsock
	assert_output_contains "passed fd is not a socket"
	run probe twofds
	assert_output_contains "at most one fd"
	run probe short # EOF mid-request: dropped without a reply
	assert_output_contains "eof after 0 bytes"
	run probe status
	assert_status 0
	kill -0 "$DPID"
}

@test "daemon: 100 concurrent clients are all served, and a stalled half request does not block them" {
	start_daemon
	t "$PROBE" "$SOCK" halfhang >"$DIR/hang.out" 3>&- &
	hang=$!
	run probe flood 100
	assert_status 0
	assert_output_contains "flood: 100 of 100 clients served"
	# 20 processes at once, 5 requests each
	for i in $(seq 20); do
		(for j in 1 2 3 4 5; do "$PROBE" "$SOCK" status || exit 1; done) >/dev/null 3>&- &
		pids+=($!)
	done
	for p in "${pids[@]}"; do wait "$p"; done
	wait "$hang" || true # the daemon drops it after 5 s of silence
	grep -q "eof after 0 bytes" "$DIR/hang.out"
	grep -q "half a request for 5000 ms, dropped" "$LOG"
	kill -0 "$DPID"
}

@test "daemon: one uid cannot take every connection slot (128 per uid), others are still served" {
	start_daemon
	run as_nobody flood 200
	assert_status 1
	assert_output_contains "flood: 128 of 200 clients served"
	grep -q "uid 65534 has 128 connections open: refusing" "$LOG"
	run t setpriv --reuid=12345 --regid=12345 --clear-groups "$PROBE" "$SOCK" flood 50
	assert_status 0
	assert_output_contains "flood: 50 of 50 clients served"
}

@test "daemon: only root may install a root qdisc; others get success only where it is already there" {
	start_daemon
	run as_nobody init fake0 htb # the fake's devices all have an htb root
	assert_status 0
	assert_output_contains "htb root already installed on fake0"
	run as_nobody init fake0 dwcs
	assert_status 1
	assert_output_contains "reserved to root"
	run as_nobody deinit fake0 htb
	assert_status 1
	assert_output_contains "reserved to root"
	run probe init nodev htb
	assert_output_contains "no such device"
}

@test "daemon: refuses to start on a broken policy, with file:line: key: reason" {
	printf 'policy = {\n  default = { max_rate = "fast"; };\n};\n' >"$CONF"
	run t "$FAKE" -n -s "$SOCK" -c "$CONF"
	assert_status 1
	assert_output_contains "$CONF:2: policy.default.max_rate:"
	assert_output_contains "not starting"
	[ ! -e "$SOCK" ]
}

@test "daemon: 1000 streams of one process are all removed within 5 s of its exit (one /proc scan per owner)" {
	start_daemon
	coproc MANY { "$PROBE" "$SOCK" attachmany 1000 fake0 htb 100000000 3>&-; }
	read -r -t 60 line <&"${MANY[0]}"
	[ "$line" = "attached 1000 of 1000" ]
	run probe status
	assert_output_contains 'msg="1000 streams"'
	kill "$MANY_PID"
	start=$(date +%s%N)
	wait_until 10 sh -c "'$PROBE' '$SOCK' status | grep -q 'msg=\"0 streams\"'"
	ms=$((($(date +%s%N) - start) / 1000000))
	echo "# 1000 streams removed ${ms} ms after their owner exited" >&3
	[ "$ms" -lt 5000 ] # ~0.6 s on an idle 2-core box; generous for a loaded one
}

@test "daemon: misbehaving clients leak no descriptors in the daemon" {
	start_daemon
	probe status >/dev/null
	before=$(ls /proc/"$DPID"/fd | wc -l)
	for i in $(seq 20); do
		probe halffd || true
		probe notsock >/dev/null || true
		probe twofds >/dev/null || true
		probe garbage 300 >/dev/null || true
		probe short >/dev/null || true
	done
	run probe status
	assert_status 0
	after=$(ls /proc/"$DPID"/fd | wc -l)
	echo "# daemon fds: $before before, $after after 100 misbehaving clients" >&3
	[ "$after" -eq "$before" ]
}

@test "daemon: libqsock without CAP_NET_ADMIN: no daemon is EPERM saying how; a stuck one is ETIMEDOUT" {
	APP=$QSOCK_BUILD/test/apps/daemon_app
	require_file "$APP" make
	require_cmd socat
	run t env QSOCKD_SOCKET="$DIR/none.sock" setpriv --reuid=nobody --regid=nogroup --clear-groups \
		"$APP" run 127.0.0.1 9 <<<"attach lo htb 10"
	assert_output_contains "errno=1 "
	assert_output_contains "needs CAP_NET_ADMIN, or qsockd listening at $DIR/none.sock"
	# a "daemon" that accepts and never answers
	socat UNIX-LISTEN:"$DIR/stuck.sock",mode=666 SYSTEM:'sleep 20' 3>&- &
	defer kill $!
	wait_until 5 test -S "$DIR/stuck.sock"
	run t env QSOCKD_SOCKET="$DIR/stuck.sock" setpriv --reuid=nobody --regid=nogroup --clear-groups \
		"$APP" run 127.0.0.1 9 <<<"attach lo htb 10"
	assert_output_contains "errno=110 "
	assert_output_contains "reading qsockd's reply"
}

@test "daemon: a request trickled one byte a second is dropped 5 s after its first byte" {
	start_daemon
	# the half-request limit counted from the last byte would let it run for 144 s
	run as_nobody slowloris 1000
	assert_status 0
	ms=$(sed -n 's/^dropped after \([0-9]*\) ms.*/\1/p' <<<"$output")
	echo "# $output" >&3
	[ -n "$ms" ] && [ "$ms" -ge 4500 ] && [ "$ms" -lt 8000 ]
	grep -q "half a request for 5000 ms, dropped" "$LOG"
}

@test "daemon: clients that send requests and never read cannot grow it; they are dropped" {
	start_daemon
	rss_before=$(awk '/VmRSS/ { print $2 }' /proc/"$DPID"/status)
	run as_nobody noread 40 100000
	echo "# $(tr '\n' ' ' <<<"$output")" >&3
	assert_status 0
	assert_output_contains "dropped 40 of 40"
	rss_after=$(awk '/VmRSS/ { print $2 }' /proc/"$DPID"/status)
	echo "# qsockd VmRSS: ${rss_before} kB before, ${rss_after} kB after" >&3
	# one request's replies queued per connection at most (KiB), not one per request (MiB)
	[ "$rss_after" -lt $((rss_before + 8192)) ]
	grep -q "took none of its replies for 5000 ms, dropped" "$LOG"
	run probe status
	assert_status 0
}

@test "daemon: libqsock does not hang on a stopped daemon with a full backlog: ETIMEDOUT in about 2 s" {
	APP=$QSOCK_BUILD/test/apps/daemon_app
	require_file "$APP" make
	start_daemon
	kill -STOP "$DPID"
	defer kill -CONT "$DPID"
	# fill the listen backlog (128): connections beyond it would block in connect()
	"$PROBE" "$SOCK" hold 200 60 </dev/null >"$DIR/hold.out" 2>&1 3>&- &
	defer kill $!
	wait_until 10 grep -q holding "$DIR/hold.out"
	echo "# $(cat "$DIR/hold.out")" >&3
	start=$(date +%s%N)
	run t env QSOCKD_SOCKET="$SOCK" setpriv --reuid=nobody --regid=nogroup --clear-groups \
		"$APP" run 127.0.0.1 9 <<<"attach lo htb 10"
	ms=$((($(date +%s%N) - start) / 1000000))
	echo "# attach answered after $ms ms: $output" >&3
	assert_output_contains "errno=110 "
	assert_output_contains "did not accept the connection within 2 s (busy or stopped)"
	[ "$ms" -lt 5000 ]
}

@test "daemon: eight uids holding every connection slot starve neither a ninth uid nor root" {
	start_daemon
	for u in 20001 20002 20003 20004 20005 20006 20007 20008; do
		setpriv --reuid=$u --regid=$u --clear-groups "$PROBE" "$SOCK" hold 128 60 \
			</dev/null >"$DIR/hold.$u" 2>&1 3>&- &
		defer kill $!
	done
	wait_until 20 sh -c "cat '$DIR'/hold.* | grep -c 'holding 128 of 128' | grep -qx 8"
	# all 1024 slots taken, every uid at its 128 limit
	run t setpriv --reuid=20009 --regid=20009 --clear-groups "$PROBE" "$SOCK" flood 20
	assert_status 0
	assert_output_contains "flood: 20 of 20 clients served"
	grep -q "1024 connections: uid 2000[1-8] gives one (pid [0-9]*) up to uid 20009" "$LOG"
	run probe status
	assert_status 0
}

@test "daemon: an escape sequence in a process name reaches neither qsock status, qsock top nor the log" {
	QSOCK=$QSOCK_BUILD/tools/qsock/qsock
	require_file "$QSOCK" make
	start_daemon
	# comm is the executable's name: ESC [ 2 J (clear screen) and a BEL in it
	evil="$DIR/$(printf 'ev\033[2Ji\al')"
	cp "$PROBE" "$evil"
	coproc HOLD { setpriv --reuid=nobody --regid=nogroup --clear-groups "$evil" "$SOCK" attach fake0 htb 100000000 hold 3>&-; }
	read -r -t 10 line <&"${HOLD[0]}"
	[[ "$line" == error=0* ]]
	run t "$QSOCK" status -s "$SOCK"
	assert_status 0
	assert_output_contains 'ev\x1b[2Ji\x07l'
	[[ "$output" != *$'\033'* && "$output" != *$'\a'* ]]
	run t "$QSOCK" top -s "$SOCK" -n 1 -d 0.1
	assert_status 0
	assert_output_contains 'ev\x1b[2Ji' # 80 columns: the name is cut to 10 characters
	[[ "$output" != *$'\033'* && "$output" != *$'\a'* ]]
	grep -qF 'ev\x1b[2Ji\x07l' "$LOG"
	! grep -q $'\033\|\a' "$LOG"
	kill "$HOLD_PID"
}

@test "daemon: subordinate uids in a user's namespace are charged to that user: they share its quota" {
	require_cmd unshare nsenter
	start_daemon
	# a user namespace nobody created, its uids 0..999 mapped to 100000..100999 (what
	# newuidmap does from /etc/subuid; root writes the map here)
	setpriv --reuid=nobody --regid=nogroup --clear-groups unshare --user sleep 60 </dev/null 3>&- &
	ns_pid=$!
	defer kill "$ns_pid"
	wait_until 5 sh -c "[ \"\$(readlink /proc/$ns_pid/ns/user)\" != \"\$(readlink /proc/self/ns/user)\" ]"
	echo '0 100000 1000' >"/proc/$ns_pid/uid_map"
	echo '0 100000 1000' >"/proc/$ns_pid/gid_map"
	sub() {
		local u=$1
		shift
		t nsenter --user --target "$ns_pid" setpriv --reuid="$u" --regid="$u" --clear-groups \
			"$PROBE" "$SOCK" "$@"
	}
	# the built-in default: 4 streams per uid; subordinate uid 5 (100005) takes them all ...
	coproc SUB { sub 5 attachmany 6 fake0 htb 100000000 3>&-; }
	read -r -t 10 line <&"${SUB[0]}"
	[ "$line" = "attached 4 of 6" ]
	# ... and uid 6 of the same namespace (100006) gets none: both are nobody's
	run sub 6 attach fake0 htb 100000000
	assert_status 1
	assert_output_contains "max_streams 4 reached (uid 65534 holds 4)"
	run as_nobody attach fake0 htb 100000000
	assert_status 1
	assert_output_contains "max_streams 4 reached (uid 65534 holds 4)"
	# the streams still belong to their own uid
	run probe status
	assert_output_contains "uid=100005"
	kill "$SUB_PID"
}

@test "daemon: a connection handed on after its process exited gets its own rights, not those of whoever reuses the pid" {
	require_cmd unshare
	cat >"$CONF" <<-'C'
	policy = { rules = ( { group = "4242"; nondroppable = true; } ); };
	C
	# In a pid namespace of its own, so that the pid can be reused on purpose (ns_last_pid)
	# without racing the rest of the machine. uid 20001 (no groups) connects while qsockd is
	# stopped, hands the connection to its child and exits; uid 20002 with group 4242 (which
	# may ask for non-droppable streams) gets its pid; then qsockd accepts and the child asks.
	cat >"$DIR/reuse.sh" <<-EOF
	"$FAKE" -n -l debug -s "$SOCK" -c "$CONF" 2>>"$LOG" &
	d=\$!
	for i in \$(seq 100); do grep -q "listening on" "$LOG" && break; sleep 0.05; done
	kill -STOP \$d
	setpriv --reuid=20001 --regid=20001 --clear-groups "$PROBE" "$SOCK" handoff fake0 htb 100000000 "$DIR/go" >"$DIR/out" 2>&1 &
	p=\$!
	wait \$p
	echo \$((p - 1)) >/proc/sys/kernel/ns_last_pid
	setpriv --reuid=20002 --regid=20002 --groups=4242 sleep 30 &
	[ \$! -eq \$p ] && echo "pid \$p reused by uid 20002"
	for i in \$(seq 100); do grep -q sleep /proc/\$p/comm && break; sleep 0.05; done
	kill -CONT \$d
	touch "$DIR/go"
	for i in \$(seq 100); do grep -q "error=" "$DIR/out" && break; sleep 0.05; done
	cat "$DIR/out"
	EOF
	run t unshare --pid --fork --mount-proc bash "$DIR/reuse.sh"
	echo "# $(tr '\n' ' ' <<<"$output")" >&3
	assert_output_contains "reused by uid 20002"
	assert_output_contains "error=1 "
	assert_output_contains "non-droppable streams are not allowed"
}

@test "top: fits 80 columns, shows user names and rates in bit/s, quits on q; -j is one document per refresh" {
	QSOCK=$QSOCK_BUILD/tools/qsock/qsock
	require_file "$QSOCK" make
	require_cmd script
	start_daemon
	coproc HOLD { setpriv --reuid=nobody --regid=nogroup --clear-groups "$PROBE" "$SOCK" attach fake0 htb 100000000 hold 3>&-; }
	defer kill "$HOLD_PID"
	read -r -t 10 line <&"${HOLD[0]}"
	[[ "$line" == error=0* ]]
	run t "$QSOCK" top -s "$SOCK" -n 2 -d 0.1
	assert_status 0
	assert_output_contains "rates in bit/s"
	assert_output_contains "nobody"
	assert_output_contains "120k" # reserved: 1500 bytes every 100 ms
	while IFS= read -r l; do
		[ "${#l}" -le 80 ] || { echo "wider than 80 columns (${#l}): $l"; false; }
	done <<<"$output"
	# -j: one JSON document per refresh, rates in bit/s, the user by name
	run t "$QSOCK" -j top -s "$SOCK" -n 2 -d 0.1
	assert_status 0
	[ "$(wc -l <<<"$output")" -eq 2 ]
	json_eq "$(tail -n 1 <<<"$output")" '.streams[0].owner.user' nobody
	json_eq "$(tail -n 1 <<<"$output")" '.streams[0].reserved_bps' 120000
	# status -j: one unit, bit/s, for every rate
	out=$(t "$QSOCK" -j status -s "$SOCK")
	json_eq "$out" '.streams[0].params.reserved_bps' 120000
	json_eq "$out" '.streams[0].params.rate_bps' 0
	json_eq "$out" '.streams[0].stats.rate_bps' 0
	json_eq "$out" '[.. | objects | keys[] | select(. == "rate")] | length' 0
	json_eq "$out" '.streams[0].owner.user' nobody
	# on a terminal, q quits at once (not after the 30 s delay)
	start=$SECONDS
	run t bash -c "(sleep 0.5; printf q) | script -qec '$QSOCK top -s $SOCK -d 30' /dev/null"
	assert_status 0
	[ $((SECONDS - start)) -lt 10 ]
}

@test "daemon: READY=1 to \$NOTIFY_SOCKET once it listens (Type=notify); a missing socket directory is not created" {
	require_cmd socat
	socat -u UNIX-RECVFROM:"$DIR/notify",fork - >"$DIR/notified" 3>&- &
	defer kill $!
	wait_until 5 test -S "$DIR/notify"
	NOTIFY_SOCKET=$DIR/notify start_daemon
	wait_until 5 grep -q READY=1 "$DIR/notified"
	grep -q STATUS=listening "$DIR/notified"
	kill -TERM "$DPID"
	wait_until 5 grep -q STOPPING=1 "$DIR/notified"
	# a socket path whose directory does not exist: refused, nothing created
	run t "$FAKE" -n -s "$DIR/missing/sub/qsockd.sock" -c "$CONF"
	assert_status 1
	assert_output_contains "socket directory $DIR/missing/sub: No such file or directory"
	[ ! -e "$DIR/missing" ]
}

@test "qsockd.service: systemd-analyze security scores it 3.0 or better; Type=notify" {
	command -v systemd-analyze >/dev/null || skip "no systemd-analyze"
	sed 's|@SBINDIR@|/usr/sbin|' "$QSOCK_REPO/daemon/qsockd.service" >"$BATS_TEST_TMPDIR/qsockd.service"
	grep -qx 'Type=notify' "$BATS_TEST_TMPDIR/qsockd.service"
	run t systemd-analyze security --offline=true "$BATS_TEST_TMPDIR/qsockd.service"
	score=$(sed -n 's/.*Overall exposure level for qsockd.service: \([0-9.]*\).*/\1/p' <<<"$output")
	[ -n "$score" ] || { echo "$output" | tail -3; false; }
	echo "# exposure $score" >&3
	awk -v s="$score" 'BEGIN { exit !(s <= 3.0) }'
}
