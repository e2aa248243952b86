#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# Rules in media terms (#18 item 3) through the real shim and libqsock, on an htb root on a
# veth pair (the host has no dwcs module; htb grants the same packets a second): a 2 Mbit/s,
# 25 fps stream of RTP-sized datagrams through the example's video rule arrives whole, where
# the old rule of one datagram per 40 ms loses most of it; and `share = "process"` gives one
# program's IPv4 and IPv6 sockets one class.

load ../lib/common
load ../lib/shim

SHIM_MEDIA=$SHIM_APPS/shim-media

setup() {
	require_root
	require_shim
	require_file "$SHIM_MEDIA" "run make"
	require_file "$QSOCK_BUILD/test/apps/shim-qinit" "run make"
	one_ns
	new_ns PEER shimp
	veth_pair "$NS" 10.78.0.1/24 "$PEER" 10.78.0.2/24 va vb
}

# The example's video rule's rate keys (bitrate, fps, packet_size), as they are there.
example_rate_keys() {
	sed -n '/name = "video";/,/^	}/p' "$QSOCK_REPO/qsock.conf.example" |
		grep -E '^[[:space:]]*(bitrate|fps|packet_size) = ' | tr -d '\t\n'
}

@test "the example's video rule carries a 2 Mbit/s, 25 fps RTP stream whole; one datagram per 40 ms loses most" {
	keys=$(example_rate_keys)
	[[ "$keys" == *bitrate* ]] || { echo "no bitrate in the example's video rule" >&2; false; }
	# the same rate keys on htb; the old rule's grant, one 1200-byte datagram per 40 ms, as
	# the htb rate it is (1200 bytes + 62 of headers, 25 times a second)
	conf=$(shim_conf rates <<EOF
streams = (
  { name = "video"; match = { protocol = "udp"; remote_port = 47101; }; dev = "va";
    scheduler = "htb"; $keys },
  { name = "old-video"; match = { protocol = "udp"; remote_port = 47102; }; dev = "va";
    scheduler = "htb"; rate = $(( (1200 + 62) * 8 * 25 )); }
);
EOF
)
	# receivers give up 3 s after their last datagram (or before the first): a class
	# lingers until it drained (lib/linger.c), at the old rule's 25 datagrams a second
	ip netns exec "$PEER" timeout 60 "$SHIM_HARD" recv 10.78.0.2 47101 100000 3000 \
		>"$BATS_TEST_TMPDIR/new" 2>&1 3>&- &
	ip netns exec "$PEER" timeout 60 "$SHIM_HARD" recv 10.78.0.2 47102 100000 3000 \
		>"$BATS_TEST_TMPDIR/old" 2>&1 3>&- &
	wait_until 15 grep -q ready "$BATS_TEST_TMPDIR/new"
	wait_until 15 grep -q ready "$BATS_TEST_TMPDIR/old"
	# 3 s of 25 frames/s of 10,000 bytes in datagrams of at most 1200 bytes: 675 datagrams,
	# both streams at once (the same machine load for both); a datagram the socket refuses
	# (EAGAIN: the class's backlog holds the send buffer) is lost, as to a live source
	run in_ns "$NS" sh -c '
		"$1" va htb || exit 99
		env QSOCK_DEBUG=2 LD_PRELOAD="$2" QSOCK_CONF="$3" "$4" stream 10.78.0.2 47101 2000000 25 1200 3 &
		env QSOCK_DEBUG=2 LD_PRELOAD="$2" QSOCK_CONF="$3" "$4" stream 10.78.0.2 47102 2000000 25 1200 3
		wait' \
		sh "$QSOCK_BUILD/test/apps/shim-qinit" "$SHIM_PRELOAD_FIRST$SHIM_SO" "$conf" "$SHIM_MEDIA"
	[ "$status" -ne 99 ] || skip "qsockinit(va, htb) failed here: $output"
	assert_status 0
	assert_output_contains ':47101: stream "video" (line 2), htb on va'
	assert_output_contains ':47102: stream "old-video" (line 4), htb on va'
	wait_receiver "$BATS_TEST_TMPDIR/new"
	wait_receiver "$BATS_TEST_TMPDIR/old"
	sent=675
	new=$(sed -n 's/^received //p' "$BATS_TEST_TMPDIR/new")
	old=$(sed -n 's/^received //p' "$BATS_TEST_TMPDIR/old")
	echo "$output"
	echo "of $sent datagrams: the example's rule delivered $new, one datagram per 40 ms $old"
	# nearly all through the rate rule (at most one in a hundred lost); the old one loses most
	[ "$new" -ge $((sent * 99 / 100)) ]
	[ "$old" -lt $((sent / 2)) ]
}

# share = "process": a dual-stack sink's two senders, one IPv4 and one IPv6 socket of one
# program, under one rule. With the default ("socket") each gets a class; with "process"
# both are in one, which counts both datagrams, stays when the IPv4 socket is closed and
# goes when the program exits.
@test "share = \"process\": one program's IPv4 and IPv6 sockets under one rule get one class" {
	ip -n "$NS" -6 addr add fd78::1/64 dev va nodad
	ip -n "$PEER" -6 addr add fd78::2/64 dev vb nodad
	for share in socket process; do
		conf=$(shim_conf "share-$share" <<EOF
streams = ( { name = "sink"; match = { protocol = "udp"; remote_port = 47103; }; dev = "va";
              scheduler = "htb"; bitrate = "2mbit"; share = "$share"; } );
EOF
)
		# the program sends from both sockets, then closes the IPv4 one and exits at our
		# word (lines on a FIFO), the classes read in between; each round installs its
		# own root (its pins live in its `ip netns exec`)
		ip netns exec "$NS" tc qdisc del dev va root 2>/dev/null || true
		mkdir -p "$BATS_TEST_TMPDIR/$share"
		run in_ns "$NS" sh -c '
			"$1" va htb || exit 99
			mkfifo "$5/go" && exec 3<>"$5/go"
			env QSOCK_DEBUG=2 LD_PRELOAD="$2" QSOCK_CONF="$3" "$4" dual 10.78.0.2 fd78::2 47103 \
				<&3 >"$5/out" 2>&1 &
			out=$5/out
			wait_for() { i=0; until grep -q "$1" "$out" 2>/dev/null; do
				i=$((i + 1)); [ $i -le 200 ] || { echo "no \"$1\""; exit 1; }; sleep 0.05; done; }
			wait_for "sent v4 and v6"
			echo "both open:"; tc -s class show dev va
			echo >&3
			wait_for "closed v4"
			echo "v4 closed: $(tc class show dev va | grep -c "^class htb ")"
			echo >&3
			wait
			cat "$5/out"
			echo "after exit: $(tc class show dev va | grep -c "^class htb ")"' \
			sh "$QSOCK_BUILD/test/apps/shim-qinit" "$SHIM_PRELOAD_FIRST$SHIM_SO" "$conf" \
			"$SHIM_MEDIA" "$BATS_TEST_TMPDIR/$share"
		[ "$status" -ne 99 ] || skip "qsockinit(va, htb) failed here: $output"
		assert_status 0
		echo "share = $share: $output"
		assert_output_contains ':47103: stream "sink" (line 1), htb on va'
		assert_output_contains "after exit: 0"
		classes=$(sed -n '/^both open:/,/^v4 closed/p' <<<"$output" | grep -c '^class htb ')
		if [ "$share" = socket ]; then
			[ "$classes" -eq 2 ]
			# the IPv4 socket's class went with it
			assert_output_contains "v4 closed: 1"
		else
			[ "$classes" -eq 1 ]
			assert_output_contains "in fd "
			# the one class counted both datagrams: 2 bytes + 28 + 14 and 2 + 48 + 14
			grep -q ' Sent 108 bytes 2 pkt ' <<<"$output"
			# and stays for the IPv6 socket when the IPv4 one is closed
			assert_output_contains "v4 closed: 1"
		fi
	done
}
