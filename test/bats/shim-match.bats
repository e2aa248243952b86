#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# libqsockshim with unmodified programs (socat, nc, and shim-hard, a plain libc program):
# which sockets are matched (by port, by process name, TCP at accept), and which per-message
# flags their messages carry. Flags are made visible by the test build of the shim whose
# fake backend writes them into the IP TTL (test/unit/shim_fake_backend.c):
# TTL = 100 + DWCS mark bits (+50 with a deadline); an untouched datagram keeps TTL 64.
# The real backend (libqsock) is exercised at the end, against a real htb root.

load ../lib/common
load ../lib/shim

setup() {
	require_root
	require_shim
	require_cmd socat
	one_ns
}

video_conf() {
	shim_conf video <<'EOF'
streams = (
  { name = "video"; match = { protocol = "udp"; remote_port = 47001; }; dev = "lo"; ipg = 10;
    messages = (
      { preset = "h264-keyframe"; continue = true; },
      { preset = "rtp-marker"; },
      { name = "tenth"; every = 10; deadline = "5ms"; }
    ); },
  { name = "by-name"; match = { protocol = "udp"; process = "socat"; remote_port = 47002; };
    dev = "lo"; ipg = 10; },
  { name = "tcp-server"; match = { protocol = "tcp"; local_port = 47003; }; dev = "lo"; ipg = 5; },
  { name = "tcp-client"; match = { protocol = "tcp"; remote_port = 47003; }; dev = "lo"; ipg = 5; }
);
EOF
}

# The TTLs the receiver saw, space-separated.
ttls() {
	sed -n 's/^len=[0-9]* ttl=\([0-9]*\).*/\1/p' "$1" | tr '\n' ' '
}
# ttls_in_send_order FILE: the same, ordered by the sequence number `shim-hard full` writes into
# each datagram (over lo, two datagrams may arrive swapped: each CPU has its own backlog)
ttls_in_send_order() {
	sed -n 's/^len=[0-9]* ttl=\([0-9]*\) .* seq=\([0-9]*\)$/\2 \1/p' "$1" | sort -n -k1,1 |
		cut -d' ' -f2 | tr '\n' ' '
}

@test "a UDP socket is matched by remote port at its first send; another port is left alone" {
	conf=$(video_conf)
	start_receiver "$NS" 127.0.0.1 47001 1 "$BATS_TEST_TMPDIR/r1"
	run in_ns "$NS" env QSOCK_DEBUG=2 LD_PRELOAD="$SHIM_PRELOAD_FIRST$SHIM_FAKE" QSOCK_CONF="$conf" \
		socat -u - UDP:127.0.0.1:47001 <<<"hello"
	assert_status 0
	assert_output_contains 'udp 127.0.0.1:'
	assert_output_contains '-> 127.0.0.1:47001: stream "video" (line 2), dwcs on lo'
	wait_receiver "$BATS_TEST_TMPDIR/r1"
	grep -q 'len=6 ttl=100 ' "$BATS_TEST_TMPDIR/r1"

	start_receiver "$NS" 127.0.0.1 47009 1 "$BATS_TEST_TMPDIR/r2"
	run in_ns "$NS" env QSOCK_DEBUG=2 LD_PRELOAD="$SHIM_PRELOAD_FIRST$SHIM_FAKE" QSOCK_CONF="$conf" \
		socat -u - UDP:127.0.0.1:47009 <<<"hello"
	assert_status 0
	assert_output_contains '-> 127.0.0.1:47009: no stream rule matches'
	wait_receiver "$BATS_TEST_TMPDIR/r2"
	# untouched: the kernel's default TTL, no flags
	grep -q 'len=6 ttl=64 ' "$BATS_TEST_TMPDIR/r2"
}

@test "a process-name rule matches socat and not nc sending to the same port" {
	require_cmd nc
	conf=$(video_conf)
	run in_ns "$NS" env QSOCK_DEBUG=2 LD_PRELOAD="$SHIM_PRELOAD_FIRST$SHIM_FAKE" QSOCK_CONF="$conf" \
		socat -u - UDP:127.0.0.1:47002 <<<"x"
	assert_status 0
	assert_output_contains ':47002: stream "by-name"'
	run in_ns "$NS" env QSOCK_DEBUG=2 LD_PRELOAD="$SHIM_PRELOAD_FIRST$SHIM_FAKE" QSOCK_CONF="$conf" \
		nc -u -w0 127.0.0.1 47002 <<<"x"
	assert_output_contains ':47002: no stream rule matches'
	[[ "$output" != *'stream "by-name"'* ]]
}

@test "TCP: the accepted socket is matched by local port, the client by remote port" {
	conf=$(video_conf)
	ip netns exec "$NS" env QSOCK_DEBUG=2 LD_PRELOAD="$SHIM_PRELOAD_FIRST$SHIM_FAKE" \
		QSOCK_CONF="$conf" timeout 20 socat -u TCP-LISTEN:47003,reuseaddr - \
		>"$BATS_TEST_TMPDIR/srv.out" 2>"$BATS_TEST_TMPDIR/srv.err" 3>&- &
	wait_until 5 in_ns "$NS" sh -c 'ss -Htln "sport = :47003" | grep -q .' 
	run in_ns "$NS" env QSOCK_DEBUG=2 LD_PRELOAD="$SHIM_PRELOAD_FIRST$SHIM_FAKE" QSOCK_CONF="$conf" \
		socat -u - TCP:127.0.0.1:47003 <<<"over tcp"
	assert_status 0
	assert_output_contains '-> 127.0.0.1:47003: stream "tcp-client"'
	wait_until 5 grep -q 'over tcp' "$BATS_TEST_TMPDIR/srv.out"
	wait_until 5 grep -q 'stream "tcp-server"' "$BATS_TEST_TMPDIR/srv.err"
	grep -q 'tcp 127.0.0.1:47003 -> 127.0.0.1:' "$BATS_TEST_TMPDIR/srv.err"
}

@test "message rules: IDR frames non-droppable, RTP markers end frames, every 10th gets a deadline" {
	conf=$(video_conf)
	start_receiver "$NS" 127.0.0.1 47001 12 "$BATS_TEST_TMPDIR/r"
	run in_ns "$NS" env LD_PRELOAD="$SHIM_PRELOAD_FIRST$SHIM_FAKE" QSOCK_CONF="$conf" \
		"$SHIM_HARD" rtp 127.0.0.1 47001 12
	assert_status 0
	wait_receiver "$BATS_TEST_TMPDIR/r"
	# 0: IDR (101); 2,5,8,11: marker (116); 9: 10th message, deadline (150)
	[ "$(ttls "$BATS_TEST_TMPDIR/r")" = "101 100 116 100 100 116 100 100 116 150 100 116 " ]
}

@test "sendmmsg: every message of a batch is classified on its own, msg_len filled in" {
	conf=$(video_conf)
	start_receiver "$NS" 127.0.0.1 47001 12 "$BATS_TEST_TMPDIR/r"
	run in_ns "$NS" env LD_PRELOAD="$SHIM_PRELOAD_FIRST$SHIM_FAKE" QSOCK_CONF="$conf" \
		"$SHIM_HARD" mmsg 127.0.0.1 47001 12
	assert_status 0
	assert_output_contains 'sendmmsg = 12'
	[ "$(grep -c '^msg_len\[[0-9]*\] = 200$' <<<"$output")" -eq 12 ]
	wait_receiver "$BATS_TEST_TMPDIR/r"
	[ "$(ttls "$BATS_TEST_TMPDIR/r")" = "101 100 116 100 100 116 100 100 116 150 100 116 " ]
}

@test "writev on a connected socket is classified like sendto (scattered header and body)" {
	conf=$(video_conf)
	start_receiver "$NS" 127.0.0.1 47001 3 "$BATS_TEST_TMPDIR/r"
	run in_ns "$NS" env LD_PRELOAD="$SHIM_PRELOAD_FIRST$SHIM_FAKE" QSOCK_CONF="$conf" \
		"$SHIM_HARD" writev 127.0.0.1 47001 3
	assert_status 0
	wait_receiver "$BATS_TEST_TMPDIR/r"
	[ "$(ttls "$BATS_TEST_TMPDIR/r")" = "101 100 116 " ]
}

@test "the caller's own control message is kept: its TOS and our flags both arrive" {
	conf=$(video_conf)
	start_receiver "$NS" 127.0.0.1 47001 1 "$BATS_TEST_TMPDIR/r"
	run in_ns "$NS" env LD_PRELOAD="$SHIM_PRELOAD_FIRST$SHIM_FAKE" QSOCK_CONF="$conf" \
		"$SHIM_HARD" cmsg 127.0.0.1 47001
	assert_status 0
	# the caller's msghdr is not modified
	assert_output_contains 'controllen after = 24'
	wait_receiver "$BATS_TEST_TMPDIR/r"
	grep -q 'len=200 ttl=116 tos=16 head=80e0' "$BATS_TEST_TMPDIR/r"
}

@test "real backend: libqsock attaches the matched socket to an htb class that counts its packets" {
	require_file "$QSOCK_BUILD/test/apps/shim-qinit" "run make"
	new_ns PEER shimp
	veth_pair "$NS" 10.77.0.1/24 "$PEER" 10.77.0.2/24 va vb
	conf=$(shim_conf htb <<'EOF'
streams = ( { name = "bulk"; match = { protocol = "udp"; remote_port = 47010; }; dev = "va";
              scheduler = "htb"; rate = "50mbit"; } );
EOF
)
	# qsockinit and the sender share one `ip netns exec` (and so the bpffs it mounts). The
	# matched socat stays alive a second after its datagram (its stdin stays open), so that
	# its class can be read; at its exit the shim detaches the stream (the class goes).
	run in_ns "$NS" sh -c '
		"$1" va htb || exit 99
		{ echo m1; sleep 1; } |
			env QSOCK_DEBUG=2 LD_PRELOAD="$2" QSOCK_CONF="$3" socat -u - UDP:10.77.0.2:47010 &
		sleep 0.5
		echo unmatched | env LD_PRELOAD="$2" QSOCK_CONF="$3" socat -u - UDP:10.77.0.2:47011
		tc -s class show dev va
		wait
		echo "after exit: $(tc class show dev va | grep -c "^class htb ")"' \
		sh "$QSOCK_BUILD/test/apps/shim-qinit" "$SHIM_PRELOAD_FIRST$SHIM_SO" "$conf"
	if [ "$status" -eq 99 ]; then
		skip "qsockinit(va, htb) failed here: $output"
	fi
	assert_status 0
	assert_output_contains ':47010: stream "bulk" (line 1), htb on va'
	# exactly one qsock class (this tc prints no JSON for class stats), and it counted the
	# matched socket's one datagram (3 bytes + 28 + 14 + 12), not the unmatched one's
	[ "$(grep -c '^class htb ' <<<"$output")" -eq 1 ]
	[ "$(grep -c ' Sent 45 bytes 1 pkt ' <<<"$output")" -eq 1 ] ||
		{ echo "$output" >&2; false; }
	# the program exited without closing its socket: its class did not outlive it
	assert_output_contains "after exit: 0"
}

# Issue #18 item 1: what a program sends last is not lost when its stream goes. shim-hard
# sends 100 datagrams of 200 bytes (24 kB on the wire) into a 160 kbit/s class, 1.2 s of
# queue, and exits without closing: the shim detaches at exit, and the class lingers until
# its queue has drained (lib/linger.c). With QSOCK_LINGER_MS=0 (to a second port, in the same
# `ip netns exec`, whose bpffs holds the pins) the class goes at once, and its queue with it.
@test "real backend: a program that sends and exits loses nothing: its class lingers until drained" {
	require_file "$QSOCK_BUILD/test/apps/shim-qinit" "run make"
	new_ns PEER shimp
	veth_pair "$NS" 10.77.0.1/24 "$PEER" 10.77.0.2/24 va vb
	conf=$(shim_conf linger <<'EOF'
streams = ( { name = "tail"; match = { protocol = "udp"; remote_port = 47020; }; dev = "va";
              scheduler = "htb"; rate = "160kbit"; },
            { name = "tail0"; match = { protocol = "udp"; remote_port = 47021; }; dev = "va";
              scheduler = "htb"; rate = "160kbit"; } );
EOF
)
	start_receiver "$PEER" 10.77.0.2 47020 100 "$BATS_TEST_TMPDIR/r"
	start_receiver "$PEER" 10.77.0.2 47021 100 "$BATS_TEST_TMPDIR/r0"
	run in_ns "$NS" sh -c '
		"$1" va htb || exit 99
		env LD_PRELOAD="$2" QSOCK_CONF="$3" "$4" rtp 10.77.0.2 47020 100 >/dev/null
		echo "classes after exit: $(tc class show dev va | grep -c "^class htb ")"
		env QSOCK_LINGER_MS=0 LD_PRELOAD="$2" QSOCK_CONF="$3" "$4" rtp 10.77.0.2 47021 100 >/dev/null' \
		sh "$QSOCK_BUILD/test/apps/shim-qinit" "$SHIM_PRELOAD_FIRST$SHIM_SO" "$conf" "$SHIM_HARD"
	[ "$status" -ne 99 ] || skip "qsockinit(va, htb) failed here: $output"
	assert_status 0
	assert_output_contains "classes after exit: 0"
	wait_receiver "$BATS_TEST_TMPDIR/r"
	wait_receiver "$BATS_TEST_TMPDIR/r0"
	echo "with linger: $(tail -n 1 "$BATS_TEST_TMPDIR/r"); without: $(tail -n 1 "$BATS_TEST_TMPDIR/r0")"
	grep -q '^received 100$' "$BATS_TEST_TMPDIR/r"
	! grep -q '^received 100$' "$BATS_TEST_TMPDIR/r0"
}

@test "real backend: dscp = \"EF\" on an htb rule marks an unmodified sender's packets (TOS 184, ECN kept)" {
	require_file "$QSOCK_BUILD/test/apps/shim-qinit" "run make"
	new_ns PEER shimp
	veth_pair "$NS" 10.77.0.1/24 "$PEER" 10.77.0.2/24 va vb
	conf=$(shim_conf dscp <<'EOF'
streams = ( { name = "voice"; match = { protocol = "udp"; remote_port = 47012; }; dev = "va";
              scheduler = "htb"; rate = "10mbit"; dscp = "EF"; },
            { name = "af"; match = { protocol = "udp"; remote_port = 47013; }; dev = "va";
              scheduler = "htb"; rate = "10mbit"; dscp = "audio-video"; } );
EOF
)
	start_receiver "$PEER" 10.77.0.2 47012 2 "$BATS_TEST_TMPDIR/r"
	start_receiver "$PEER" 10.77.0.2 47013 1 "$BATS_TEST_TMPDIR/r2"
	run in_ns "$NS" sh -c '
		"$1" va htb || exit 99
		echo m1 | env QSOCK_DEBUG=2 LD_PRELOAD="$2" QSOCK_CONF="$3" socat -u - UDP:10.77.0.2:47012
		# the program set TOS 0x11 itself (ECT(1) in the ECN bits): DSCP replaced, ECN kept
		echo m2 | env LD_PRELOAD="$2" QSOCK_CONF="$3" socat -u - UDP:10.77.0.2:47012,ip-tos=0x11
		echo m3 | env LD_PRELOAD="$2" QSOCK_CONF="$3" socat -u - UDP:10.77.0.2:47013
		' sh "$QSOCK_BUILD/test/apps/shim-qinit" "$SHIM_PRELOAD_FIRST$SHIM_SO" "$conf"
	if [ "$status" -eq 99 ]; then
		skip "qsockinit(va, htb) failed here: $output"
	fi
	assert_status 0
	assert_output_contains ':47012: stream "voice" (line 1), htb on va'
	wait_receiver "$BATS_TEST_TMPDIR/r"
	wait_receiver "$BATS_TEST_TMPDIR/r2"
	# EF = 46 << 2 = 184; with the program's ECT(1) kept: 185; AF41 = 34 << 2 = 136
	grep -q 'len=3 ttl=64 tos=184 ' "$BATS_TEST_TMPDIR/r" || { cat "$BATS_TEST_TMPDIR/r" >&2; false; }
	grep -q 'len=3 ttl=64 tos=185 ' "$BATS_TEST_TMPDIR/r" || { cat "$BATS_TEST_TMPDIR/r" >&2; false; }
	grep -q 'len=3 ttl=64 tos=136 ' "$BATS_TEST_TMPDIR/r2" || { cat "$BATS_TEST_TMPDIR/r2" >&2; false; }
}

@test "real backend: the rule's DSCP survives the program's own later IP_TOS (ECN bits its own), unless dscp_override" {
	require_file "$QSOCK_BUILD/test/apps/shim-qinit" "run make"
	new_ns PEER shimp
	veth_pair "$NS" 10.77.0.1/24 "$PEER" 10.77.0.2/24 va vb
	conf=$(shim_conf dscp2 <<'EOF'
streams = ( { name = "voice"; match = { protocol = "udp"; remote_port = 47014; }; dev = "va";
              scheduler = "htb"; rate = "10mbit"; dscp = "voice"; },
            { name = "free"; match = { protocol = "udp"; remote_port = 47015; }; dev = "va";
              scheduler = "htb"; rate = "10mbit"; dscp = "voice"; dscp_override = true; } );
EOF
)
	start_receiver "$PEER" 10.77.0.2 47014 4 "$BATS_TEST_TMPDIR/r"
	start_receiver "$PEER" 10.77.0.2 47015 2 "$BATS_TEST_TMPDIR/r2"
	run in_ns "$NS" sh -c '
		"$1" va htb || exit 99
		env QSOCK_DEBUG=2 LD_PRELOAD="$2" QSOCK_CONF="$3" "$4" settos 10.77.0.2 47014 0x21
		env LD_PRELOAD="$2" QSOCK_CONF="$3" "$4" settos 10.77.0.2 47015 0x21
		# a bad pointer is the kernel'"'"'s EFAULT, not a crash in the shim
		env LD_PRELOAD="$2" QSOCK_CONF="$3" "$4" settos 10.77.0.2 47014 bad
		' sh "$QSOCK_BUILD/test/apps/shim-qinit" "$SHIM_PRELOAD_FIRST$SHIM_SO" "$conf" "$SHIM_HARD"
	if [ "$status" -eq 99 ]; then
		skip "qsockinit(va, htb) failed here: $output"
	fi
	assert_status 0
	assert_output_contains 'the program'"'"'s IP_TOS 0x21 becomes 0xb9: stream "voice" keeps its DSCP'
	# EF = 184; the program's 0x21 (CS1 + ECT(1)) keeps only its ECN bit: 185
	assert_output_contains 'IP_TOS = 185'
	assert_output_contains 'IP_TOS = 33'
	assert_output_contains 'setsockopt = -1 errno=14'
	wait_receiver "$BATS_TEST_TMPDIR/r"
	wait_receiver "$BATS_TEST_TMPDIR/r2"
	[ "$(sed -n 's/.* tos=\([0-9]*\) .*/\1/p' "$BATS_TEST_TMPDIR/r" | tr '\n' ' ')" = "184 185 184 184 " ] ||
		{ cat "$BATS_TEST_TMPDIR/r" >&2; false; }
	[ "$(sed -n 's/.* tos=\([0-9]*\) .*/\1/p' "$BATS_TEST_TMPDIR/r2" | tr '\n' ' ')" = "184 33 " ] ||
		{ cat "$BATS_TEST_TMPDIR/r2" >&2; false; }
}

@test "real backend: scheduler = \"none\" only marks: DSCP set, no qdisc, no class, no qsockinit needed" {
	conf=$(shim_conf none <<'EOF'
streams = ( { name = "mark"; match = { protocol = "udp"; remote_port = 47016; };
              scheduler = "none"; dscp = "audio-video"; } );
EOF
)
	start_receiver "$NS" 127.0.0.1 47016 2 "$BATS_TEST_TMPDIR/r"
	run in_ns "$NS" sh -c '
		env QSOCK_DEBUG=2 LD_PRELOAD="$1" QSOCK_CONF="$2" "$3" settos 127.0.0.1 47016 0x01
		tc class show dev lo; tc qdisc show dev lo | grep -c " root " || true' \
		sh "$SHIM_PRELOAD_FIRST$SHIM_SO" "$conf" "$SHIM_HARD"
	assert_status 0
	assert_output_contains ':47016: stream "mark" (line 1), none'
	[[ "$output" != *"gets no QoS"* ]]
	[[ "$output" != *"class "* ]]
	# AF41 = 136; the program's later ECT(1) kept, its DSCP bits not: 137
	assert_output_contains 'IP_TOS = 137'
	wait_receiver "$BATS_TEST_TMPDIR/r"
	[ "$(sed -n 's/.* tos=\([0-9]*\) .*/\1/p' "$BATS_TEST_TMPDIR/r" | tr '\n' ' ')" = "136 137 " ] ||
		{ cat "$BATS_TEST_TMPDIR/r" >&2; false; }
}

@test "systemd unit and cgroup: a process in janus.service's cgroup (or below it) is matched by unit and by cgroup glob" {
	cg2=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/self/mounts)
	[ -n "$cg2" ] && [ -w "$cg2" ] || skip "no writable cgroup v2 hierarchy"
	base=qsock-test-$(mktemp -u XXXXXX)
	mkdir -p "$cg2/$base/janus.service/worker" "$cg2/$base/other.service" || skip "cannot create cgroups in $cg2"
	defer rmdir "$cg2/$base/janus.service/worker" "$cg2/$base/janus.service" "$cg2/$base/other.service" "$cg2/$base"
	conf=$(shim_conf cg <<EOF
streams = (
  { name = "janus"; match = { unit = "janus.service"; remote_port = 47020; }; dev = "lo"; ipg = 10; },
  { name = "glob"; match = { cgroup = "/$base/*.service"; remote_port = 47021; }; dev = "lo"; ipg = 10; }
);
EOF
)
	# in_cgroup DIR CMD...: CMD as a process of cgroup DIR, in $NS (nsenter: `ip netns exec`
	# remounts /sys, and the cgroup tree with it)
	in_cgroup() {
		local dir=$1
		shift
		t nsenter --net="/run/netns/$NS" sh -c 'echo $$ >"$1/cgroup.procs" && shift && exec "$@"' sh "$dir" "$@"
	}
	# send PORT...: one datagram to each port, from a shimmed socat each
	cat >"$BATS_TEST_TMPDIR/send" <<EOF
#!/bin/sh
for p in "\$@"; do
	echo x | env QSOCK_DEBUG=2 LD_PRELOAD="$SHIM_PRELOAD_FIRST$SHIM_FAKE" QSOCK_CONF="$conf" socat -u - UDP:127.0.0.1:\$p
done
EOF
	chmod +x "$BATS_TEST_TMPDIR/send"
	run in_cgroup "$cg2/$base/janus.service/worker" "$BATS_TEST_TMPDIR/send" 47020
	assert_status 0
	assert_output_contains ':47020: stream "janus" (line 2)'
	run in_cgroup "$cg2/$base/other.service" "$BATS_TEST_TMPDIR/send" 47020 47021
	assert_output_contains ':47020: no stream rule matches'
	assert_output_contains ':47021: stream "glob" (line 3)'
	# the explanation says why, from the same code
	run t "$QSOCK_BUILD/tools/qsock/qsock" -c "$conf" explain --cgroup "/$base/other.service" --remote 127.0.0.1:47020
	assert_output_contains 'streams[0] "janus" (line 2): no: not in the unit (no component of its cgroup matches)'
}

# every_conf STREAM-KEYS ACTION: a stream on port 47030 whose every 10th message gets ACTION
every_conf() {
	shim_conf every <<EOF2
streams = (
  { name = "counted"; match = { protocol = "udp"; remote_port = 47030; }; dev = "lo"; $1
    messages = ( { name = "tenth"; every = 10; $2 } ); }
);
EOF2
}

# numbered LOG: the numbers of the QSOCK_DEBUG=3 lines of messages that went out, one a line
numbered() {
	sed -n 's/.* message \([0-9]*\) (200 bytes).*/\1/p' "$1"
}

@test "every = N and QSOCK_DEBUG=3 count the messages that went out, not sends that failed with EAGAIN" {
	# a slow root on lo: a non-blocking sender with the smallest send buffer hits EAGAIN
	tc -n "$NS" qdisc add dev lo root tbf rate 1mbit burst 1600 limit 100000
	conf=$(every_conf "ipg = 10;" 'deadline = "5ms";')
	for call in sendto send sendmsg write mmsg; do
		start_receiver "$NS" 127.0.0.1 47030 200 "$BATS_TEST_TMPDIR/r.$call"
		in_ns "$NS" env QSOCK_DEBUG=3 LD_PRELOAD="$SHIM_PRELOAD_FIRST$SHIM_FAKE" QSOCK_CONF="$conf" \
			"$SHIM_HARD" full 127.0.0.1 47030 200 "$call" >"$BATS_TEST_TMPDIR/s.$call" 2>&1
		wait_receiver "$BATS_TEST_TMPDIR/r.$call"
		eagain=$(sed -n 's/^sent 200 eagain \([0-9]*\)$/\1/p' "$BATS_TEST_TMPDIR/s.$call")
		echo "# $call: 200 sent, $eagain sends failed with EAGAIN" >&3
		[ "${eagain:-0}" -gt 0 ] # or this test proves nothing
		grep -q '^received 200$' "$BATS_TEST_TMPDIR/r.$call"
		# datagrams 10, 20, ..., 200 and only they carry the deadline (TTL 150); the rest 100
		ttls=$(ttls_in_send_order "$BATS_TEST_TMPDIR/r.$call")
		want=$(for i in $(seq 1 200); do [ $((i % 10)) -eq 0 ] && printf '150 ' || printf '100 '; done)
		[ "$ttls" = "$want" ] || { echo "$call: TTLs $ttls"; false; }
		# the log numbers them 1..200, once each, and says which sends did not go out
		[ "$(numbered "$BATS_TEST_TMPDIR/s.$call" | tr '\n' ' ')" = "$(seq 1 200 | tr '\n' ' ')" ]
		[ "$(grep -c 'rule "tenth"' "$BATS_TEST_TMPDIR/s.$call")" -eq 20 ]
		if [ "$call" != mmsg ]; then
			[ "$(grep -c 'not sent: Resource temporarily unavailable; not counted' "$BATS_TEST_TMPDIR/s.$call")" -eq "$eagain" ]
		fi
	done
}

@test "every = N with the real backend: a full htb class, sends without flags go out untouched, the count is of messages sent" {
	require_file "$QSOCK_BUILD/tools/qsock/qsock" "run make"
	conf=$(every_conf 'scheduler = "htb"; rate = "1mbit";' 'frame_end = true;')
	IN="nsenter --net=/run/netns/$NS"
	run t $IN "$QSOCK_BUILD/tools/qsock/qsock" init lo htb
	[ "$status" -eq 0 ] || skip "qsock init lo htb failed here: $output"
	start_receiver "$NS" 127.0.0.1 47030 200 "$BATS_TEST_TMPDIR/r"
	t $IN env QSOCK_DEBUG=3 LD_PRELOAD="$SHIM_PRELOAD_FIRST$SHIM_SO" QSOCK_CONF="$conf" \
		"$SHIM_HARD" full 127.0.0.1 47030 200 sendto >"$BATS_TEST_TMPDIR/s" 2>&1
	wait_receiver "$BATS_TEST_TMPDIR/r"
	grep -q 'stream "counted" (line 2), htb on lo' "$BATS_TEST_TMPDIR/s"
	eagain=$(sed -n 's/^sent 200 eagain \([0-9]*\)$/\1/p' "$BATS_TEST_TMPDIR/s")
	echo "# 200 sent, $eagain sends failed with EAGAIN (htb class at 1 Mbit/s)" >&3
	[ "${eagain:-0}" -gt 0 ]
	grep -q '^received 200$' "$BATS_TEST_TMPDIR/r"
	[ "$(numbered "$BATS_TEST_TMPDIR/s" | tr '\n' ' ')" = "$(seq 1 200 | tr '\n' ' ')" ]
	[ "$(grep -c 'rule "tenth"' "$BATS_TEST_TMPDIR/s")" -eq 20 ]
	# the 10th, 20th, ... of those sent
	[ "$(sed -n 's/.* message \([0-9]*\) (200 bytes): rule "tenth".*/\1/p' "$BATS_TEST_TMPDIR/s" | tr '\n' ' ')" = \
	  "$(seq 10 10 200 | tr '\n' ' ')" ]
	[ "$(grep -c 'not sent: Resource temporarily unavailable; not counted' "$BATS_TEST_TMPDIR/s")" -eq "$eagain" ]
}
