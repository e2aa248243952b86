#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# `qsock check` and `qsock explain` on real files: the shipped example is valid, every
# mistake is reported as file:line: key: reason (all of them, exit 1), JSON output parses,
# and explain tells which rule a socket and a payload would match, and why.

load ../lib/common

QSOCK=$QSOCK_BUILD/tools/qsock/qsock

setup() {
	require_file "$QSOCK" "run make"
	require_cmd jq
}

@test "qsock.conf.example is valid and documents every key the loader knows" {
	run "$QSOCK" check "$QSOCK_REPO/qsock.conf.example"
	assert_status 0
	assert_output_contains "valid: 2 stream rule(s), 3 message rule(s)"
	# every key accepted by conf/load.c appears in the example
	keys=$(awk '/_keys\[\] = \{/ { f = 1 } f { print } /NULL/ { f = 0 }' "$QSOCK_REPO/conf/load.c" |
		grep -o '"[a-z_]*"' | tr -d '"' | sort -u)
	[ -n "$keys" ]
	for k in $keys; do
		grep -Eq "(^|[^a-z_])$k = " "$QSOCK_REPO/qsock.conf.example" ||
			{ echo "key $k is not documented in qsock.conf.example" >&2; false; }
	done
}

@test "every error is reported with file, line, key and reason; exit status 1" {
	f=$BATS_TEST_TMPDIR/bad.conf
	cat >"$f" <<'EOF'
version = 1;
streams = (
  { name = "a"; match = { protocol = "sctp"; }; dev = "eth0"; ipg = 10; },
  { name = "b"; match = {}; dev = "eth0";
    oln = 5; old = 2; ipg = "1 fortnight"; },
  { name = "c"; match = {}; dev = "eth0"; ipg = 10;
    messages = ( { preset = "rtp-marker"; drop_priority = 9; } ); }
);
policy = { default = { max_streams = "many"; }; };
EOF
	run "$QSOCK" check "$f"
	assert_status 1
	assert_output_contains "$f:3: streams[0].match.protocol: \"sctp\" is not one of: any, udp, tcp"
	assert_output_contains "$f:5: streams[1].ipg: \"1 fortnight\" is not a duration"
	assert_output_contains "$f:5: streams[1].oln: loss tolerance 5/2: oln must not exceed old"
	assert_output_contains "$f:7: streams[2].messages[0].drop_priority: 9 is out of range 0..3"
	assert_output_contains "$f:9: policy.default.max_streams: must be an integer, not a string"
	assert_output_contains "$f: 5 error(s)"
	# in file order
	[ "$(grep -o ':[0-9]*: ' <<<"$output" | tr -d ': \n')" = "35579" ]
}

@test "check -j: the errors as {file, line, key, reason} objects; a missing file is an error too" {
	f=$BATS_TEST_TMPDIR/bad.conf
	printf 'shim = { debug = 4; };\n' >"$f"
	run "$QSOCK" -j check "$f"
	assert_status 1
	json_eq "$output" .valid false
	json_eq "$output" '.errors[0].file' "$f"
	json_eq "$output" '.errors[0].line' 1
	json_eq "$output" '.errors[0].key' shim.debug
	json_eq "$output" '.errors[0].reason' "4 is out of range 0..3"
	run "$QSOCK" -j check "$BATS_TEST_TMPDIR/none.conf"
	assert_status 1
	json_eq "$output" '.errors | length' 1
	json_eq "$output" '.errors[0].line' null
	json_eq "$output" '.errors[0].key' null
	json_eq "$output" '.errors[0].reason' "cannot read: No such file or directory"
	run "$QSOCK" -j check "$QSOCK_REPO/qsock.conf.example"
	assert_status 0
	json_eq "$output" .valid true
	json_eq "$output" .streams 2
}

@test "check uses QSOCK_CONF, then -c, when no file is named" {
	QSOCK_CONF=$QSOCK_REPO/qsock.conf.example run "$QSOCK" check
	assert_status 0
	run "$QSOCK" -c "$BATS_TEST_TMPDIR/none.conf" check
	assert_status 1
	assert_output_contains "none.conf: cannot read: No such file or directory"
}

@test "check: a file that cannot be read safely is one clear error, never a crash or a hang" {
	mkdir "$BATS_TEST_TMPDIR/dir.conf"
	mkfifo "$BATS_TEST_TMPDIR/fifo.conf"
	truncate -s 2M "$BATS_TEST_TMPDIR/big.conf"
	for f in "$BATS_TEST_TMPDIR/dir.conf:a directory, not a regular file" \
		 "$BATS_TEST_TMPDIR/fifo.conf:a FIFO, not a regular file" \
		 "$BATS_TEST_TMPDIR/big.conf:2097152 bytes, more than the 1048576 allowed" \
		 "/proc/self/mem:Input/output error"; do
		run t "$QSOCK" check "${f%%:*}"
		assert_status 1
		assert_output_contains "${f%%:*}: cannot read: ${f#*:}"
		assert_output_contains "${f%%:*}: 1 error(s)"
	done
}

@test "check: a syntax error is reported once, not once per part of the file" {
	f=$BATS_TEST_TMPDIR/syn.conf
	printf 'version = 1;\nstreams = ( { match = {; } );\n' >"$f"
	run "$QSOCK" check "$f"
	assert_status 1
	assert_output_contains "$f:2: (syntax): syntax error"
	assert_output_contains "$f: 1 error(s)"
}

explain_conf() {
	cat >"$BATS_TEST_TMPDIR/e.conf" <<'EOF'
streams = (
  { name = "video"; match = { protocol = "udp"; remote_port = "5004-5006"; process = "ffmpeg*"; };
    dev = "eth0"; ipg = "40ms"; oln = 1; old = 10;
    messages = ( { preset = "h264-keyframe"; continue = true; },
                 { preset = "rtp-marker"; },
                 { name = "pace"; every = 2; fps = 25; } ); },
  { name = "web"; match = { protocol = "tcp"; local_port = 443; }; dev = "eth0";
    scheduler = "htb"; rate = "20mbit"; dscp = "audio-video"; }
);
EOF
	echo "$BATS_TEST_TMPDIR/e.conf"
}

@test "explain: the stream rule a socket matches, and why the others do not" {
	c=$(explain_conf)
	run "$QSOCK" -c "$c" explain --process ffmpeg --remote 10.0.0.2:5005
	assert_status 0
	assert_output_contains 'streams[0] "video" (line 2): matches'
	assert_output_contains '=> stream "video" (line 2): dwcs on eth0, ipg 40000 us, loss tolerance 1/10'
	run "$QSOCK" -c "$c" explain --process vlc --remote 10.0.0.2:5005
	assert_output_contains 'streams[0] "video" (line 2): no: process name, argv[0] and executable match no glob'
	assert_output_contains 'streams[1] "web" (line 7): no: protocol differs'
	assert_output_contains 'no stream rule matches'
	run "$QSOCK" -c "$c" explain --proto tcp --local '[::]:443'
	assert_output_contains '=> stream "web" (line 7): htb on eth0, rate 2500000 bytes/s, dscp AF41 (34)'
	run "$QSOCK" -j -c "$c" explain --proto tcp --local '[::]:443'
	json_eq "$output" .stream web
	json_eq "$output" .dscp 34
	json_eq "$output" '.streams[0].reason' 'protocol differs'
}

# #18 item 3: the example's video rule grants its 2 Mbit/s, 25 fps stream of 1200-byte
# datagrams (9 per frame: 10,000 bytes) what it sends, where an ipg of 40 ms grants one
# datagram of each frame.
@test "explain: a rule's grant in packets/s and bit/s; the example's video rule carries what it describes" {
	run "$QSOCK" -j -c "$QSOCK_REPO/qsock.conf.example" explain --process ffmpeg --remote 10.0.0.2:5004
	assert_status 0
	json_eq "$output" .stream video
	json_eq "$output" .grant.packets_per_frame 9
	json_eq "$output" .grant.window frames
	# the grant covers the stream: its bits, and its datagrams (9 a frame, 25 frames a second)
	jq -e '.grant.bits_per_s >= 2000000 and .grant.packets_per_s >= 9 * 25' <<<"$output"
	new_pps=$(jq '.grant.packets_per_s' <<<"$output")
	run "$QSOCK" -c "$QSOCK_REPO/qsock.conf.example" explain --process ffmpeg --remote 10.0.0.2:5004
	assert_output_contains 'grant: 225.0 packets/s, 2160000 bit/s (2.160 Mbit/s) of payload in 1200-byte datagrams'
	assert_output_contains '9 datagrams per frame at 25 fps; window 9/90 datagrams = 1/10 frames'
	# the same stream as an ipg of 40 ms: one datagram per frame
	c=$(explain_conf)
	run "$QSOCK" -j -c "$c" explain --process ffmpeg --remote 10.0.0.2:5005
	jq -e --argjson n "$new_pps" '.grant.packets_per_s == 25 and .grant.packets_per_s * 9 <= $n' <<<"$output"
	# htb: the rate counts whole packets, headers included
	run "$QSOCK" -c "$c" explain --proto tcp --local '[::]:443'
	assert_output_contains 'grant: 1981.0 packets/s, 20000000 bit/s (20.000 Mbit/s) on the wire, headers included, in 1200-byte datagrams'
}

@test "explain: which message rules an RTP/H.264 payload matches, and the flags it gets" {
	c=$(explain_conf)
	# RTP v2, marker set, payload type 96; an IDR NAL unit
	run "$QSOCK" -c "$c" explain --process ffmpeg --remote 10.0.0.2:5004 \
		--payload '80e0 0001 00000000 deadbeef 65 88 84'
	assert_status 0
	assert_output_contains 'messages[0] "messages[0]" (line 4), preset h264-keyframe: matches, continue'
	assert_output_contains 'messages[1] "messages[1]" (line 5), preset rtp-marker: matches'
	assert_output_contains '=> nondroppable,frame-end'
	# the second message of the socket, from a file: a non-key slice without the marker
	printf '\x80\x60\x00\x02\x00\x00\x00\x00\xde\xad\xbe\xef\x41\x9a' >"$BATS_TEST_TMPDIR/p.bin"
	run "$QSOCK" -j -c "$c" explain --process ffmpeg --remote 10.0.0.2:5004 \
		--payload-file "$BATS_TEST_TMPDIR/p.bin" --seq 2
	assert_status 0
	json_eq "$output" .message.length 14
	json_eq "$output" .message.rule 2
	json_eq "$output" .message.flags.nondroppable false
	json_eq "$output" .message.flags.deadline_ns 40000000
}

@test "check: a bad dscp names the key, the line and what is accepted" {
	printf 'streams = (\n  { match = {}; dev = "eth0"; ipg = 10;\n    dscp = "af51"; },\n  { match = {}; dev = "eth0"; ipg = 10; dscp = 64; }\n);\n' >"$BATS_TEST_TMPDIR/d.conf"
	run "$QSOCK" check "$BATS_TEST_TMPDIR/d.conf"
	assert_status 1
	assert_output_contains "d.conf:3: streams[0].dscp: \"af51\" is not a DSCP: use best-effort, background, excellent-effort, audio-video, voice, control, CS0..CS7, AF11..AF43, EF, VA, LE, DF, or 0..63"
	assert_output_contains "d.conf:4: streams[1].dscp: 64 is out of range 0..63"
}

@test "explain: bad arguments are named" {
	c=$(explain_conf)
	run "$QSOCK" -c "$c" explain --remote 10.0.0.300:5
	assert_status 2
	assert_output_contains '--remote: "10.0.0.300:5" is not ADDR, ADDR:PORT or [ADDR6]:PORT'
	run "$QSOCK" -c "$c" explain --payload 8
	assert_status 2
	assert_output_contains '--payload: not pairs of hex digits'
	run "$QSOCK" -c "$c" explain --stream nope --payload 00
	assert_status 1
	assert_output_contains 'no stream rule named "nope"'
	run "$QSOCK" frobnicate
	assert_status 2
	assert_output_contains 'unknown command "frobnicate"'
}
