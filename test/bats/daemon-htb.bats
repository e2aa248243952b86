#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# qsockd end to end on the host kernel, scheduler `htb`: a libqsock program without
# CAP_NET_ADMIN (uid nobody) attaches its UDP socket through the real daemon, in a network
# namespace; its packets land in its class; other users cannot touch it; quotas are refused
# with their message; kill -9 of the daemon leaves the traffic scheduled and the restarted
# daemon adopts the stream.

load ../lib/common
load ../lib/shim

QSOCKD=$QSOCK_BUILD/daemon/qsockd
APP=$QSOCK_BUILD/test/apps/daemon_app
PROBE=$QSOCK_BUILD/test/apps/daemon_probe
QSOCK=$QSOCK_BUILD/tools/qsock/qsock

setup() {
	require_root
	require_file "$QSOCKD" "make"
	require_file "$APP" "make"
	require_cmd setpriv nsenter tc
	require_module sch_htb
	new_ns NS qsd
	new_ns PEER qsd
	veth_pair "$NS" 10.77.0.1/24 "$PEER" 10.77.0.2/24
	IN="nsenter --net=/run/netns/$NS"
	DIR=$(mktemp -d /tmp/qsockd-htb.XXXXXX)
	chmod 755 "$DIR"
	defer rm -rf "$DIR"
	SOCK=$DIR/qsockd.sock
	LOG=$DIR/qsockd.log
	CONF=$DIR/qsock.conf
	cat >"$CONF" <<-'C'
	policy = { rules = ( { user = "nobody"; max_rate = "20mbit"; max_streams = 4; } ); };
	C
	# The root qdisc, installed in-process by root (qsockinit), 10 Mbit/s.
	run t $IN "$APP" init veth0 htb 1250000
	[ "$status" -eq 0 ] || skip "qsockinit htb on veth failed here: $output"
	defer t $IN "$APP" fini veth0 htb
}

# start_daemon: qsockd in the namespace; ready when it says it listens (a killed daemon's
# socket file may still be there, so its existence proves nothing).
start_daemon() {
	local n
	n=$(grep -c "listening on" "$LOG" 2>/dev/null || true)
	$IN "$QSOCKD" -n -l info -s "$SOCK" -c "$CONF" 3>&- 2>>"$LOG" &
	DPID=$!
	disown "$DPID" # its kill -9 at the end is expected: no "Killed" line from bash
	defer kill -9 "$DPID"
	wait_until 10 sh -c "[ \$(grep -c 'listening on' '$LOG') -gt ${n:-0} ]"
}

# An unprivileged libqsock program, driven line by line through a coproc.
start_app() {
	coproc APPC { QSOCKD_SOCKET=$SOCK $IN setpriv --reuid=nobody --regid=nogroup --clear-groups \
		"$APP" run 10.77.0.2 9 3>&- 2>&1; }
	APP_PID=$APPC_PID
	defer kill "$APP_PID"
}
app() {
	echo "$*" >&"${APPC[1]}"
	read -r -t 20 line <&"${APPC[0]}" || { echo "app: no answer to '$*'"; return 1; }
	echo "app: $* -> $line"
}
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$line"; }
# class_pkts MINOR: packets the kernel counted in class 1:MINOR (tc 6.1 prints htb classes as
# text even with -j, so the "Sent N bytes M pkt" line is read).
class_pkts() {
	tc -n "$NS" -s class show dev veth0 classid "1:$1" | awk '/Sent/ { print $4; exit }'
}
class_has() { [ "$(class_pkts "$1")" -ge "$2" ]; }

# run_restore_once N: start qsockd with on_exit = restore (its Nth start in $LOG), wait until
# it listens, and stop it with SIGTERM: what it restores is then in $LOG
run_restore_once() {
	$IN "$QSOCKD" -n -x restore -s "$SOCK" -c "$CONF" 3>&- 2>>"$LOG" &
	DPID=$!
	defer kill -9 "$DPID"
	wait_until 10 sh -c "[ \$(grep -c 'listening on' '$LOG') -ge $1 ]"
	kill -TERM "$DPID"
}

@test "daemon-htb: an unprivileged program attaches through qsockd and its packets are scheduled in its class" {
	start_daemon
	start_app
	app attach veth0 htb 10
	[[ "$line" == "ok attached" ]]
	app info
	[ "$(field path)" = 2 ] # QSOCK_PATH_DAEMON
	minor=$(printf '%x' $((0x$(field classid) & 0xffff)))
	app send 20 1000
	wait_until 5 class_has "$minor" 20
	app info
	[ "$(field sent_pkts)" -ge 20 ]
	grep -q "attach: uid 65534 .* (daemon_app) stream" "$LOG"
	# the operator's view: owner, parameters and the kernel's live counters
	require_file "$QSOCK" make
	out=$(t $IN "$QSOCK" -j status -s "$SOCK")
	json_eq "$out" '.streams | length' 1
	json_eq "$out" '.devices[0].dev' veth0
	json_eq "$out" '.devices[0].sched' htb
	json_eq "$out" '.devices[0].root' htb
	json_eq "$out" '.devices[0].classifier' true
	json_eq "$out" '.devices[0].streams' 1
	json_eq "$out" '.streams[0].owner.uid' 65534
	json_eq "$out" '.streams[0].owner.process' daemon_app
	json_eq "$out" '.streams[0].classid' "1:$minor"
	json_eq "$out" '.streams[0].params.ipg_ns' 10000000
	json_cmp "$out" '.streams[0].stats.sent_pkts' -ge 20
	run t $IN "$QSOCK" top -s "$SOCK" -d 0.2 -n 1
	assert_status 0
	assert_output_contains "daemon_app"
}

# share = "process" (#18) for a program without privilege: the shim's second socket of the
# rule goes through qsockd's JOIN into the first one's class. qsockd allows that only to the
# process that attached the class (daemon_ops.c's unit test covers refusals and the quota).
@test "daemon-htb: share = \"process\" without privilege: qsockd joins the program's IPv6 socket into its IPv4 socket's class" {
	require_shim
	require_file "$SHIM_APPS/shim-media" make
	t ip -n "$NS" -6 addr add fd77::1/64 dev veth0 nodad
	t ip -n "$PEER" -6 addr add fd77::2/64 dev veth1 nodad
	start_daemon
	cat >"$DIR/shim.conf" <<-'C'
	streams = ( { name = "sink"; match = { protocol = "udp"; remote_port = 47103; };
	              dev = "veth0"; scheduler = "htb"; bitrate = "2mbit"; share = "process"; } );
	C
	chmod 644 "$DIR/shim.conf"
	mkfifo -m 666 "$DIR/go"
	exec 5<>"$DIR/go"
	QSOCKD_SOCKET=$SOCK $IN setpriv --reuid=nobody --regid=nogroup --clear-groups \
		env QSOCK_DEBUG=2 LD_PRELOAD="$SHIM_PRELOAD_FIRST$SHIM_SO" QSOCK_CONF="$DIR/shim.conf" \
		"$SHIM_APPS/shim-media" dual 10.77.0.2 fd77::2 47103 <&5 >"$DIR/out" 2>&1 3>&- &
	pid=$!
	defer kill "$pid"
	htb_classes() { tc -n "$NS" class show dev veth0 | grep -c '^class htb ' || true; }
	wait_until 10 grep -q "sent v4 and v6" "$DIR/out"
	cat "$DIR/out"
	grep -q "in fd [0-9]*'s class" "$DIR/out"
	grep -q "join: uid 65534 .*(shim-media) stream [0-9]* into [0-9]*'s class" "$LOG"
	out=$(t $IN "$QSOCK" -j status -s "$SOCK")
	json_eq "$out" '.streams | length' 2
	[ "$(jq -r '.streams[0].classid' <<<"$out")" = "$(jq -r '.streams[1].classid' <<<"$out")" ]
	[ "$(htb_classes)" -eq 1 ]
	# the class counted both sockets' datagrams: 2 bytes + 28 + 14 and 2 + 48 + 14
	tc -n "$NS" -s class show dev veth0 | grep -q ' Sent 108 bytes 2 pkt '
	# the IPv4 socket closes: its record goes, the class stays for the IPv6 one
	echo >&5
	wait_until 10 grep -q "closed v4" "$DIR/out"
	wait_until 5 sh -c "$IN $QSOCK -j status -s $SOCK | jq -e '.streams | length == 1' >/dev/null"
	[ "$(htb_classes)" -eq 1 ]
	# the program exits: the last socket's record and the class go
	echo >&5
	wait_until 10 sh -c "! kill -0 $pid 2>/dev/null"
	wait_until 5 sh -c "[ \$(tc -n $NS class show dev veth0 | grep -c '^class htb ') -eq 0 ]"
}

@test "daemon-htb: qnotify works for an unprivileged program's stream made by qsockd: its backlog is signalled, nothing before" {
	start_daemon
	start_app
	app attach veth0 htb 10
	[[ "$line" == "ok attached" ]]
	app notify 8 5	# QNOTIFY_BACKLOG above 5 packets
	[[ "$line" == "ok notifier" ]]
	app events 100	# nothing sent yet: EAGAIN
	[[ "$line" == "error errno=11 "* ]]
	# 300 datagrams of 1000 bytes into a 1.2 Mbit/s class: its queue passes 5 at once
	app send 300 1000
	app events 2000
	[[ "$line" == "ok events=8 "* ]]
	[ "$(field backlog_max)" -gt 5 ]
}

@test "daemon-htb: qsockinit without privilege succeeds where root installed it, is refused elsewhere" {
	start_daemon
	run t env QSOCKD_SOCKET="$SOCK" $IN setpriv --reuid=nobody --regid=nogroup --clear-groups "$APP" init veth0 htb
	assert_status 0
	run t env QSOCKD_SOCKET="$SOCK" $IN setpriv --reuid=nobody --regid=nogroup --clear-groups "$APP" init veth0 dwcs
	assert_status 1
	assert_output_contains "errno=1 "
	assert_output_contains "reserved to root"
	run t env QSOCKD_SOCKET="$SOCK" $IN setpriv --reuid=nobody --regid=nogroup --clear-groups "$APP" fini veth0 htb
	assert_status 1
	tc -n "$NS" qdisc show dev veth0 | grep -q "qdisc htb 1: root"
}

@test "daemon-htb: quota exceeded through libqsock: EDQUOT with the rule's message" {
	start_daemon
	start_app
	app attach veth0 htb 1 # 1500 B per ms = 12 Mbit/s
	[[ "$line" == "ok attached" ]]
	app change veth0 htb 1
	app attach veth0 htb 1 # already attached: the daemon says so
	[[ "$line" == *"errno=17"* ]] || [[ "$line" == *"already"* ]]
	start_app
	app attach veth0 htb 1 # a second 12 Mbit/s stream: 24 > 20 Mbit/s
	[[ "$line" == *"errno=122"* ]]
	[[ "$line" == *"rules[0] user nobody ($CONF:1): max_rate 20000000 bit/s exceeded"* ]]
}

@test "daemon-htb: DSCP through qsockd: AF41 is set on the caller's socket, EF is refused by the default policy with its rule" {
	start_daemon
	start_app
	app attach-dscp veth0 htb 10 46 # EF: not for unprivileged users unless a rule says so
	[[ "$line" == *"errno=1 "* ]]
	[[ "$line" == *"rules[0] user nobody ($CONF:1): DSCP EF (46) is not allowed (policy key dscp)"* ]]
	app tos
	[ "$line" = "ok tos=0" ]
	app attach-dscp veth0 htb 10 34 # AF41, set by qsockd on the socket it was passed
	[ "$line" = "ok attached" ]
	app tos
	[ "$line" = "ok tos=136" ]
	require_file "$QSOCK" make
	out=$(t $IN "$QSOCK" -j status -s "$SOCK")
	json_eq "$out" '.streams[0].params.dscp' 34
}

@test "daemon-htb: another user can neither inspect, change nor detach the stream; the owner can" {
	require_file "$PROBE" "make"
	start_daemon
	start_app
	app attach veth0 htb 10
	cookie=$(t "$PROBE" "$SOCK" status | sed -n 's/.*cookie=\([0-9]*\).*/\1/p' | head -n 1)
	[ -n "$cookie" ]
	for op in "info $cookie" "detach $cookie" "change $cookie veth0 htb 20000000"; do
		run t setpriv --reuid=12345 --regid=12345 --clear-groups "$PROBE" "$SOCK" $op
		assert_status 1
		assert_output_contains "no stream with cookie $cookie of uid 12345"
	done
	app change veth0 htb 20
	[[ "$line" == "ok changed" ]]
	app info
	[ "$(field ipg_ns)" = 20000000 ]
	app detach
	[[ "$line" == "ok detached" ]]
}

# stream_then_daemon_killed: the app attaches a 10 Mbit/s htb stream through qsockd (its class
# minor in $minor), then qsockd dies with kill -9.
stream_then_daemon_killed() {
	start_daemon
	start_app
	app attach veth0 htb 10
	app info
	minor=$(printf '%x' $((0x$(field classid) & 0xffff)))
	kill -9 "$DPID"
	wait "$DPID" 2>/dev/null || true
}

@test "daemon-htb: kill -9 of qsockd keeps the traffic scheduled; the restarted daemon adopts the stream" {
	stream_then_daemon_killed
	app send 20 1000
	wait_until 5 class_has "$minor" 20
	app info # qinfo needs no daemon
	[[ "$line" == ok* ]]
	[ "$(field sent_pkts)" -ge 20 ]
	start_daemon
	wait_until 5 grep -Eq "adopted [0-9]+ streams" "$LOG" || { cat "$LOG"; ls -R /sys/fs/bpf/qsock; false; }
	run t "$PROBE" "$SOCK" status
	assert_output_contains "uid=65534"
	assert_output_contains "comm=daemon_app"
	app change veth0 htb 20 # the adopted stream is served again
	[[ "$line" == "ok changed" ]]
	# The owner exits: the adopted stream goes too (the daemon re-took its socket).
	kill "$APP_PID"
	wait_until 3 sh -c "! tc -n $NS class show dev veth0 | grep -q '1:$minor '"
	grep -q "removed: pid .* no longer holds its socket" "$LOG"
}

@test "daemon-htb: the owner exits while qsockd is down: the restarted daemon removes its stream by cookie" {
	stream_then_daemon_killed
	kill "$APP_PID"
	wait_until 5 sh -c "! kill -0 $APP_PID 2>/dev/null"
	tc -n "$NS" class show dev veth0 | grep -q "1:$minor " # nobody removed it yet
	start_daemon
	# adopted without its socket (the owner is gone), then removed by its cookie
	wait_until 5 sh -c "! tc -n $NS class show dev veth0 | grep -q '1:$minor '" || { cat "$LOG"; false; }
	grep -q "removed: pid .* no longer holds its socket" "$LOG"
	# and its record is gone from the pinned classifier map, not only its class
	out=$(t $IN "$QSOCK" -j status -s "$SOCK")
	json_eq "$out" '.streams | length' 0
	require_cmd bpftool
	map=/sys/fs/bpf/qsock/veth0@ns$(stat -L -c %i "/run/netns/$NS")/streams
	json_eq "$(bpftool -j map dump pinned "$map")" 'length' 0
}

@test "daemon-htb: a stream is removed when its owner exits" {
	start_daemon
	start_app
	app attach veth0 htb 10
	app info
	minor=$(printf '%x' $((0x$(field classid) & 0xffff)))
	tc -n "$NS" class show dev veth0 | grep -q "1:$minor "
	kill "$APP_PID"
	start=$(date +%s%N)
	wait_until 5 sh -c "! tc -n $NS class show dev veth0 | grep -q '1:$minor '"
	echo "# class removed $((($(date +%s%N) - start) / 1000000)) ms after the owner exited" >&3
}

# The sweep looks for an owner's socket where it was last time and scans the owner's fds only
# when it has moved (daemon/streams.c): a moved socket must be found again, a closed one not.
@test "daemon-htb: a stream whose socket moves to another fd is kept; closing it removes the stream" {
	start_daemon
	start_app
	app attach veth0 htb 10
	app info
	minor=$(printf '%x' $((0x$(field classid) & 0xffff)))
	sleep 0.6 # two sweeps: the socket's fd is known
	app moveto 77
	[[ "$line" == "ok moved to 77" ]]
	sleep 1 # four sweeps
	tc -n "$NS" class show dev veth0 | grep -q "1:$minor " || { cat "$LOG"; false; }
	! grep -q "no longer holds its socket" "$LOG"
	app close
	wait_until 5 sh -c "! tc -n $NS class show dev veth0 | grep -q '1:$minor '" || { cat "$LOG"; false; }
	grep -q "removed: pid .* no longer holds its socket" "$LOG"
}

@test "daemon-htb: installs policy.setup roots at start; SIGTERM keeps them by default, restore removes them" {
	t $IN "$APP" fini veth0 htb
	! tc -n "$NS" qdisc show dev veth0 | grep -q "qdisc htb"
	cat >"$CONF" <<-'C'
	policy = {
		setup = ( { device = "veth0"; scheduler = "htb"; rate = "10mbit"; } );
		rules = ( { user = "nobody"; max_rate = "20mbit"; } );
	};
	C
	start_daemon
	tc -n "$NS" qdisc show dev veth0 | grep -q "qdisc htb 1: root"
	grep -q "setup veth0: htb root in place" "$LOG"
	start_app
	app attach veth0 htb 10
	app info
	minor=$(printf '%x' $((0x$(field classid) & 0xffff)))
	kill -TERM "$DPID"
	wait_until 5 grep -q "keeping 1 streams scheduled" "$LOG" || { cat "$LOG"; false; }
	tc -n "$NS" class show dev veth0 | grep -q "1:$minor "
	# the next start finds the root there, keeps it and adopts the stream
	start_daemon
	wait_until 5 grep -Eq "adopted [0-9]+ streams" "$LOG"
	tc -n "$NS" class show dev veth0 | grep -q "1:$minor " # setup did not tear it down
	kill -TERM "$DPID"
	wait_until 5 grep -q "shutting down" "$LOG"
	sleep 0.5
	run_restore_once 3
	wait_until 5 grep -q "restored veth0" "$LOG"
	! tc -n "$NS" qdisc show dev veth0 | grep -q "qdisc htb"
}

@test "daemon-htb: policy.setup reaches a device created after qsockd started, and again when it is recreated" {
	cat >"$CONF" <<-'C'
	policy = { setup = ( { device = "hp0"; scheduler = "htb"; rate = "10mbit"; } ); };
	C
	start_daemon
	grep -q "setup hp0 htb: .*hp0 is not served until it appears" "$LOG" || { cat "$LOG"; false; }
	hp0_served() { tc -n "$NS" qdisc show dev hp0 2>/dev/null | grep -q "qdisc htb 1: root"; }
	ip -n "$NS" link add hp0 type veth peer name hp1
	wait_until 10 hp0_served || { cat "$LOG"; false; }
	grep -q "device hp0 appeared: applying its setup" "$LOG"
	[ "$(grep -c 'setup hp0: htb root in place' "$LOG")" -eq 1 ]
	# a link change of a served device sets nothing up again
	ip -n "$NS" link set hp0 up
	sleep 0.5
	[ "$(grep -c 'setup hp0: htb root in place' "$LOG")" -eq 1 ]
	# deleted and created again: the root went with the old device, the new one gets its own
	ip -n "$NS" link del hp0
	ip -n "$NS" link add hp0 type veth peer name hp1
	wait_until 10 hp0_served || { cat "$LOG"; false; }
	wait_until 5 sh -c "[ \$(grep -c 'setup hp0: htb root in place' '$LOG') -eq 2 ]"
	# and it serves: qsock status through this qsockd shows the root and its classifier
	require_file "$QSOCK" make
	out=$(t $IN "$QSOCK" -j status -s "$SOCK")
	json_eq "$out" '.devices[0].dev' hp0
	json_eq "$out" '.devices[0].sched' htb
	json_eq "$out" '.devices[0].classifier' true
}

@test "daemon-htb: SIGHUP applies new setup entries; a changed one on a served device and a dropped one are kept, with a log line" {
	ip -n "$NS" link add hp0 type veth peer name hp1
	served() { tc -n "$NS" qdisc show dev "$1" 2>/dev/null | grep -q "qdisc htb 1: root"; }
	reload() { # CONF_TEXT: write it, SIGHUP, wait until qsockd loaded it
		local n
		n=$(grep -c "policy loaded from" "$LOG" || true)
		printf '%s\n' "$1" >"$CONF"
		kill -HUP "$DPID"
		wait_until 10 sh -c "[ \$(grep -c 'policy loaded from' '$LOG') -gt $n ]" ||
			{ cat "$LOG"; false; }
	}
	rules='rules = ( { user = "nobody"; max_rate = "20mbit"; } );'
	printf 'policy = { %s };\n' "$rules" >"$CONF"
	start_daemon
	! served hp0
	# a new entry: its root is installed at the reload, not only at the next start
	reload "policy = { setup = ( { device = \"hp0\"; scheduler = \"htb\"; rate = \"10mbit\"; } ); $rules };"
	wait_until 10 served hp0 || { cat "$LOG"; false; }
	grep -q "SIGHUP: applying the setup of hp0" "$LOG"
	wait_until 5 grep -q "setup hp0: htb root in place" "$LOG"
	# a stream on it, which the next two reloads must leave alone
	start_app
	app attach hp0 htb 10
	app info
	minor=$(printf '%x' $((0x$(field classid) & 0xffff)))
	# the same entry again: nothing is set up twice (counted after the next reload's line,
	# which qsockd writes after this reload's)
	reload "policy = { setup = ( { device = \"hp0\"; scheduler = \"htb\"; rate = \"10mbit\"; } ); $rules };"
	# changed: another rate, then another scheduler; the running root and its stream stay
	reload "policy = { setup = ( { device = \"hp0\"; scheduler = \"htb\"; rate = \"5mbit\"; } ); $rules };"
	wait_until 5 grep -q "setup hp0: the new rate is not applied: the running htb root keeps its own (qsock fini hp0, then SIGHUP, applies it)" "$LOG" || { cat "$LOG"; false; }
	[ "$(grep -c 'setup hp0: htb root in place' "$LOG")" -eq 1 ]
	reload "policy = { setup = ( { device = \"hp0\"; scheduler = \"dwcs\"; rate = \"5mbit\"; } ); $rules };"
	wait_until 5 grep -q "setup hp0: the policy now says dwcs, the device runs qsock's htb root: kept with its streams (qsock fini hp0, then SIGHUP, applies dwcs)" "$LOG" || { cat "$LOG"; false; }
	served hp0
	tc -n "$NS" class show dev hp0 | grep -q "1:$minor "
	# dropped: kept, and said so
	reload "policy = { $rules };"
	wait_until 5 grep -q "setup hp0: no longer in the policy's setup: its root and streams are kept (qsock fini hp0 removes them)" "$LOG" || { cat "$LOG"; false; }
	served hp0
	tc -n "$NS" class show dev hp0 | grep -q "1:$minor "
	# as the log says: qsockd will not remove it, so the test does (its pins would outlive
	# the namespace, and a later namespace reusing its inode would find them)
	run t $IN "$QSOCK" fini hp0
	assert_status 0
	! served hp0
}

@test "daemon-htb: status lists a stream attached in-process beside the device that counts it" {
	start_daemon
	# root's own program: libqsock's manager in-process, qsockd never hears of the stream
	coproc APPC { $IN "$APP" run 10.77.0.2 9 3>&- 2>&1; }
	APP_PID=$APPC_PID
	defer kill "$APP_PID"
	app attach veth0 htb 10
	[[ "$line" == "ok attached" ]]
	app info
	[ "$(field path)" != 2 ] # not QSOCK_PATH_DAEMON
	minor=$(printf '%x' $((0x$(field classid) & 0xffff)))
	require_file "$QSOCK" make
	out=$(t $IN "$QSOCK" -j status -s "$SOCK")
	json_eq "$out" '.devices | length' 1
	json_eq "$out" '.devices[0].dev' veth0
	json_eq "$out" '.devices[0].streams' 1
	json_eq "$out" '.streams | length' 1
	json_eq "$out" '.streams[0].dev' veth0
	json_eq "$out" '.streams[0].classid' "1:$minor"
	json_eq "$out" '.streams[0].owner.uid' 0
	json_eq "$out" '.streams[0].owner.process' daemon_app
	run t $IN "$QSOCK" status -s "$SOCK"
	assert_status 0
	[[ "${lines[1]}" =~ ^veth0\ +htb\ +htb\ +1\ +attached ]]
	[ "${lines[-1]}" = "1 stream" ]
	# another user sees the device's count, and none of root's streams
	out=$(t $IN setpriv --reuid=nobody --regid=nogroup --clear-groups "$QSOCK" -j status -s "$SOCK")
	json_eq "$out" '.devices[0].streams' 1
	json_eq "$out" '.streams | length' 0
	# qsockd still does not manage it: detached in-process, it is gone from the list, and
	# veth0 (neither set up by qsockd nor holding a stream) with it
	app detach
	out=$(t $IN "$QSOCK" -j status -s "$SOCK")
	json_eq "$out" '.devices | length' 0
	json_eq "$out" '.streams | length' 0
}

@test "daemon-htb: setup on a root installed by hand with tc: the library's message, the device not served, attaches told why" {
	t $IN "$APP" fini veth0 htb
	# what an operator types: the same kind and handle qsock would use, but no classifier
	tc -n "$NS" qdisc add dev veth0 root handle 1: htb default 0
	cat >"$CONF" <<-'C'
	policy = {
		setup = ( { device = "veth0"; scheduler = "htb"; rate = "10mbit"; } );
		rules = ( { user = "nobody"; max_rate = "20mbit"; } );
	};
	C
	start_daemon
	grep -q 'setup veth0 htb: veth0 already has a root qdisc "htb" (handle 1:) that qsock did not install; remove it first (tc qdisc del dev veth0 root); veth0 is not served' "$LOG"
	! grep -q "already there: kept" "$LOG"
	! grep -q "htb root in place" "$LOG"
	tc -n "$NS" qdisc show dev veth0 | grep -q "qdisc htb 1: root" # left alone
	start_app
	app attach veth0 htb 10
	[[ "$line" == *"errno=2"* ]]
	[[ "$line" == *'veth0 has a root qdisc "htb" (handle 1:) that qsock did not install: remove it (tc qdisc del dev veth0 root), then qsock init veth0 SCHED'* ]]
	[[ "$line" != *"call qsockinit first"* ]]
	# the operator's view: no qsock scheduler and no classifier on veth0
	require_file "$QSOCK" make
	out=$(t $IN "$QSOCK" -j status -s "$SOCK")
	json_eq "$out" '.devices[0].dev' veth0
	json_eq "$out" '.devices[0].sched' ""
	json_eq "$out" '.devices[0].root' htb
	json_eq "$out" '.devices[0].classifier' false
	# on_exit restore leaves that root alone too, and says so
	kill -TERM "$DPID"
	wait_until 5 grep -q "shutting down" "$LOG"
	run_restore_once 2
	wait_until 5 grep -q "restore veth0: no root of qsock's there: nothing removed" "$LOG"
	! grep -q "restored veth0" "$LOG"
	tc -n "$NS" qdisc show dev veth0 | grep -q "qdisc htb 1: root"
	# removed, a restarted qsockd installs its own and serves it
	tc -n "$NS" qdisc del dev veth0 root
	sleep 0.5
	start_daemon
	grep -q "setup veth0: htb root in place" "$LOG"
	app attach veth0 htb 10
	[[ "$line" == "ok attached" ]]
}

@test "daemon-htb: after root reinstalls the root qdisc, qchange says to qattach again (no daemon fd numbers) and qattach works" {
	start_daemon
	start_app
	app attach veth0 htb 10
	[[ "$line" == "ok attached" ]]
	t $IN "$APP" fini veth0 htb
	t $IN "$APP" init veth0 htb 1250000
	app change veth0 htb 20
	[[ "$line" == *"errno=2"* ]]
	[[ "$line" == *"the stream is gone from veth0 (its root qdisc was replaced or removed): qattach the socket again"* ]]
	! grep -q "fd [0-9]" <<<"$line"
	# it used to say "already has a stream" here, and name qsockd's own fd numbers
	app attach veth0 htb 10
	[[ "$line" == "ok attached" ]]
	! grep -q "fd [0-9]" <<<"$line"
}
