#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# libqsockshim under a real, unmodified encoder: Debian's ffmpeg encoding MPEG-2 video from a
# test pattern and sending it over UDP, as MPEG-TS (its udp output: 1,472-byte datagrams that
# cut TS packets, and a short one where each PES ends) and as a bare elementary stream.
#
# What is checked is issue #18 item 2: the frame presets mark every datagram of a picture, not
# only the one with its picture header. The truth comes from outside the shim: ffmpeg encodes
# the same input bit-exactly once more into a file, ffprobe lists each picture's type and byte
# position there, and a datagram carries a picture when its byte range (the received stream
# equals the file, checked) overlaps the picture's (from its position to the next one's). The
# flags are seen through the fake backend, which writes them into the TTL (shim-match.bats):
# TTL = 100 + DWCS mark bits (nondroppable 1, drop priority << 1, frame_start 8, frame_end 16).
# H.264 over RTP is checked by its RTP timestamps. The last test runs the real backend with an
# htb root and checks the encoder is unaffected.

load ../lib/common
load ../lib/shim

# two seconds of 640x360 at 25 fps, a GOP of 12 with 2 B pictures between references: 50
# pictures, 5 of them I; one thread and bitexact, so that two runs give the same bytes
ENC_ARGS=(-hide_banner -loglevel error -nostdin -f lavfi -i testsrc=size=640x360:rate=25 -t 2
	-c:v mpeg2video -g 12 -bf 2 -b:v 4M -threads 1 -bitexact)

setup() {
	require_root
	require_shim
	require_cmd ffmpeg ffprobe
	one_ns
}

frames_conf() {
	shim_conf frames <<'EOF'
streams = (
  { name = "video"; match = { protocol = "udp"; remote_port = 47100; process = "ffmpeg"; };
    dev = "lo"; ipg = 10;
    messages = (
      { preset = "mpeg-video-i"; },
      { preset = "mpeg-video-p"; },
      { preset = "mpeg-video-b"; }
    ); }
);
EOF
}

# encode FORMAT FILE: the reference encoding, and its pictures in stream order ("POS TYPE" in
# FILE.pics)
encode() {
	ffmpeg "${ENC_ARGS[@]}" -y -f "$1" "$2"
	ffprobe -v error -select_streams v -show_entries frame=pkt_pos,pict_type -of csv=p=0 "$2" |
		awk -F, 'NF >= 2 && $1 != "" { print $1, $2 }' | sort -n -k1,1 >"$2.pics"
}

# send FORMAT OUT: ffmpeg under the fake-backend shim to 127.0.0.1:47100, received by
# shim-hard capture into OUT (its datagrams' lines in OUT.log)
send() {
	ip netns exec "$NS" timeout 60 "$SHIM_HARD" capture 127.0.0.1 47100 1500 "$2" >"$2.log" 3>&- &
	wait_until 15 grep -q ready "$2.log"
	run in_ns "$NS" env LD_PRELOAD="$SHIM_PRELOAD_FIRST$SHIM_FAKE" QSOCK_CONF="$(frames_conf)" \
		ffmpeg "${ENC_ARGS[@]}" -f "$1" udp://127.0.0.1:47100
	assert_status 0
	wait_until 25 grep -q '^received' "$2.log"
}

# classify PICS LOG: one line per datagram, "TYPES FLAGS": the picture types its bytes overlap
# (I, P, B in stream order, "-" for none) and its mark bits
classify() {
	awk 'FNR == NR { pos[++n] = $1; typ[n] = $2; next }
	     /^len=/ {
		split($1, a, "="); split($2, b, "=")
		lo = off; off += a[2]; t = ""
		for (k = 1; k <= n; k++) {
			e = k < n ? pos[k + 1] : off + 1
			if (pos[k] < off && e > lo && index(t, typ[k]) == 0)
				t = t typ[k]
		}
		print (t == "" ? "-" : t), b[2] - 100
	     }' "$1" "$2"
}

# check_marks CLASSIFIED PICTURES: every datagram of an I picture nondroppable, of P and B
# pictures alone drop priority 1 and 3, and one frame_start per picture
check_marks() {
	local f=$1 pictures=$2
	awk -v pictures="$pictures" '
		function bit(m, b) { return int(m / b) % 2 }
		{ prio = int($2 / 2) % 4 }
		index($1, "I") { i++; if (bit($2, 1)) i_ok++ }
		$1 == "P" { p++; if (prio == 1 && !bit($2, 1)) p_ok++ }
		$1 == "B" { b++; if (prio == 3 && !bit($2, 1)) b_ok++ }
		bit($2, 8) { starts++ }
		END {
			printf "I-picture datagrams %d, nondroppable %d; P alone %d, priority 1 %d; " \
			       "B alone %d, priority 3 %d; frame starts %d for %d pictures\n",
			       i, i_ok, p, p_ok, b, b_ok, starts, pictures
			exit !(i > 5 && i_ok == i && p > 0 && p_ok == p && b > 0 && b_ok == b &&
			       starts == pictures)
		}' "$f"
}

@test "ffmpeg, MPEG-2 in MPEG-TS over UDP: every datagram of an I picture is nondroppable, P and B get their priorities" {
	encode mpegts "$BATS_TEST_TMPDIR/ref.ts"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/ref.ts.pics")" -eq 50 ]
	send mpegts "$BATS_TEST_TMPDIR/got.ts"
	# nothing lost over lo, and the shim changed no byte: the offsets below are the file's
	cmp "$BATS_TEST_TMPDIR/ref.ts" "$BATS_TEST_TMPDIR/got.ts"
	classify "$BATS_TEST_TMPDIR/ref.ts.pics" "$BATS_TEST_TMPDIR/got.ts.log" >"$BATS_TEST_TMPDIR/c"
	check_marks "$BATS_TEST_TMPDIR/c" 50
	# frame_end where a PES visibly ends (its stuffed last packet): on the last datagram of
	# its frame, so the next one starts a frame (or carries no video, and no flags)
	awk '{ m[NR] = $2 } END {
		for (k = 1; k < NR; k++)
			if (int(m[k] / 16) % 2) { e++; if (!(int(m[k + 1] / 8) % 2) && m[k + 1]) bad++ }
		printf "frame ends %d, not followed by a frame start %d\n", e, bad
		exit !(e > 40 && !bad) }' "$BATS_TEST_TMPDIR/c"
}

@test "ffmpeg, MPEG-2 elementary stream over UDP: every datagram of an I picture is nondroppable" {
	encode mpeg2video "$BATS_TEST_TMPDIR/ref.m2v"
	send mpeg2video "$BATS_TEST_TMPDIR/got.m2v"
	cmp "$BATS_TEST_TMPDIR/ref.m2v" "$BATS_TEST_TMPDIR/got.m2v"
	classify "$BATS_TEST_TMPDIR/ref.m2v.pics" "$BATS_TEST_TMPDIR/got.m2v.log" >"$BATS_TEST_TMPDIR/c"
	check_marks "$BATS_TEST_TMPDIR/c" 50
}

# H.264 over RTP (RFC 6184), which h264-keyframe already followed fragment by fragment: the
# truth is the RTP timestamp (one per picture) and x264 set to an IDR picture every 12th
# (-g 12, no scene cuts, no B pictures: sent in display order)
@test "ffmpeg, H.264 over RTP: every datagram of an IDR picture is nondroppable, no other" {
	ip netns exec "$NS" timeout 60 "$SHIM_HARD" capture 127.0.0.1 47100 1500 \
		"$BATS_TEST_TMPDIR/got.rtp" >"$BATS_TEST_TMPDIR/log" 3>&- &
	wait_until 15 grep -q ready "$BATS_TEST_TMPDIR/log"
	conf=$(shim_conf h264 <<'EOF'
streams = (
  { name = "video"; match = { protocol = "udp"; remote_port = 47100; process = "ffmpeg"; };
    dev = "lo"; ipg = 10;
    messages = ( { preset = "h264-keyframe"; continue = true; }, { preset = "rtp-marker"; } ); }
);
EOF
)
	run in_ns "$NS" env LD_PRELOAD="$SHIM_PRELOAD_FIRST$SHIM_FAKE" QSOCK_CONF="$conf" \
		ffmpeg -hide_banner -loglevel error -nostdin -f lavfi -i testsrc=size=640x360:rate=25 \
		-t 2 -c:v libx264 -g 12 -bf 0 -x264-params scenecut=0 -threads 1 \
		-f rtp rtp://127.0.0.1:47100
	assert_status 0
	wait_until 25 grep -q '^received' "$BATS_TEST_TMPDIR/log"
	awk '/^len=/ {
		split($2, t, "="); split($3, s, "=")
		if (s[2] != last) { k++; last = s[2] }
		idr = (k - 1) % 12 == 0; nd = (t[2] - 100) % 2
		if (idr) { i++; if (nd) i_ok++ } else { o++; if (nd) o_bad++ }
	     }
	     END {
		printf "pictures %d; IDR datagrams %d, nondroppable %d; others %d, nondroppable %d\n",
		       k, i, i_ok, o, o_bad
		exit !(k == 50 && i > 5 && i_ok == i && o > 0 && !o_bad)
	     }' "$BATS_TEST_TMPDIR/log"
}

@test "ffmpeg, real backend and htb: the encoder's exit status and bytes are those without the shim" {
	require_file "$QSOCK_BUILD/test/apps/shim-qinit" "run make"
	new_ns PEER shimp
	veth_pair "$NS" 10.77.0.1/24 "$PEER" 10.77.0.2/24 va vb
	conf=$(shim_conf htb <<'EOF'
streams = ( { name = "video"; match = { protocol = "udp"; remote_port = 47101; }; dev = "va";
              scheduler = "htb"; rate = "200mbit";
              messages = ( { preset = "mpeg-video-i"; }, { preset = "mpeg-video-p"; },
                           { preset = "mpeg-video-b"; } ); } );
EOF
)
	ffmpeg "${ENC_ARGS[@]}" -y -f mpegts "$BATS_TEST_TMPDIR/ref.ts"
	ip netns exec "$PEER" timeout 60 "$SHIM_HARD" capture 10.77.0.2 47101 1500 \
		"$BATS_TEST_TMPDIR/got.ts" >"$BATS_TEST_TMPDIR/log" 3>&- &
	wait_until 15 grep -q ready "$BATS_TEST_TMPDIR/log"
	run in_ns "$NS" sh -c '
		qinit=$1 so=$2 conf=$3
		shift 3
		"$qinit" va htb || exit 99
		env QSOCK_DEBUG=2 LD_PRELOAD="$so" QSOCK_CONF="$conf" "$@"
		echo "ffmpeg exit $?"' \
		sh "$QSOCK_BUILD/test/apps/shim-qinit" "$SHIM_PRELOAD_FIRST$SHIM_SO" "$conf" \
		ffmpeg "${ENC_ARGS[@]}" -f mpegts udp://10.77.0.2:47101
	[ "$status" -ne 99 ] || skip "qsockinit(va, htb) failed here: $output"
	assert_status 0
	assert_output_contains 'stream "video" (line 1), htb on va'
	assert_output_contains "ffmpeg exit 0"
	wait_until 25 grep -q '^received' "$BATS_TEST_TMPDIR/log"
	cmp "$BATS_TEST_TMPDIR/ref.ts" "$BATS_TEST_TMPDIR/got.ts"
}

# Issue #18 item 1 with a real encoder: ffmpeg encodes faster than its 5 Mbit/s class drains
# (no -re), so its socket keeps a queue in the class; it exits without any call of ours. The
# shim removes its stream at exit and the class lingers until drained (lib/linger.c): the
# receiver gets the whole file. With QSOCK_LINGER_MS=0, in the same run, the tail is lost.
@test "ffmpeg, real backend and htb: what the encoder sent last is not lost when it exits" {
	require_file "$QSOCK_BUILD/test/apps/shim-qinit" "run make"
	new_ns PEER shimp
	veth_pair "$NS" 10.77.0.1/24 "$PEER" 10.77.0.2/24 va vb
	conf=$(shim_conf linger <<'EOF'
streams = ( { name = "video"; match = { protocol = "udp"; remote_port = "47102-47103"; };
              dev = "va"; scheduler = "htb"; rate = "5mbit"; } );
EOF
)
	ffmpeg "${ENC_ARGS[@]}" -y -f mpegts "$BATS_TEST_TMPDIR/ref.ts"
	local p
	for p in 47102 47103; do
		ip netns exec "$PEER" timeout 60 "$SHIM_HARD" capture 10.77.0.2 "$p" 1500 \
			"$BATS_TEST_TMPDIR/got.$p" >"$BATS_TEST_TMPDIR/log.$p" 3>&- &
		wait_until 15 grep -q ready "$BATS_TEST_TMPDIR/log.$p"
	done
	# both encoders in one `ip netns exec`, whose bpffs holds the pins on this host
	run in_ns "$NS" sh -c '
		qinit=$1 so=$2 conf=$3
		shift 3
		"$qinit" va htb || exit 99
		env LD_PRELOAD="$so" QSOCK_CONF="$conf" "$@" udp://10.77.0.2:47102
		echo "ffmpeg exit $?; classes after exit: $(tc class show dev va | grep -c "^class htb ")"
		env QSOCK_LINGER_MS=0 LD_PRELOAD="$so" QSOCK_CONF="$conf" "$@" udp://10.77.0.2:47103' \
		sh "$QSOCK_BUILD/test/apps/shim-qinit" "$SHIM_PRELOAD_FIRST$SHIM_SO" "$conf" \
		ffmpeg "${ENC_ARGS[@]}" -f mpegts
	[ "$status" -ne 99 ] || skip "qsockinit(va, htb) failed here: $output"
	assert_status 0
	assert_output_contains "ffmpeg exit 0; classes after exit: 0"
	wait_until 25 grep -q '^received' "$BATS_TEST_TMPDIR/log.47102"
	wait_until 25 grep -q '^received' "$BATS_TEST_TMPDIR/log.47103"
	echo "reference $(stat -c %s "$BATS_TEST_TMPDIR/ref.ts") bytes; with the linger" \
		"$(stat -c %s "$BATS_TEST_TMPDIR/got.47102"), without $(stat -c %s "$BATS_TEST_TMPDIR/got.47103")"
	cmp "$BATS_TEST_TMPDIR/ref.ts" "$BATS_TEST_TMPDIR/got.47102"
	[ "$(stat -c %s "$BATS_TEST_TMPDIR/got.47103")" -lt "$(stat -c %s "$BATS_TEST_TMPDIR/ref.ts")" ]
}
