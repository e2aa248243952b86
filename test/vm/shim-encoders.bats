#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# A real encoder under the shim with the dwcs qdisc (issue #18 item 2): Debian's ffmpeg sends
# MPEG-2 video in MPEG-TS over UDP through a stream whose frame presets mark every datagram
# of an I picture non-droppable and P and B pictures' with drop priorities 1 and 3, into a
# link shaped well below its rate. Overflow then drops B and P datagrams and never an I
# picture's: the I-frames arrive whole.
#
# Which datagram carried what comes from a first run of the same bit-exact encoding through
# the fake-backend shim on an unshaped link, which writes each datagram's flags into its TTL
# (test/bats/shim-match.bats): the datagrams of both runs are matched by their bytes.

load ../lib/common
load ../lib/dwcs

SHIM_HARD=$QSOCK_BUILD/test/apps/shim-hard
SHIM_FAKE=$QSOCK_BUILD/test/shim/libqsockshim-fake.so
SHIM_SO=$QSOCK_BUILD/shim/libqsockshim.so
QSOCK_ROOT=$QSOCK_BUILD/test/apps/qsock-root
# two seconds of 320x180 at 25 fps, a GOP of 12 with 2 B pictures between references: 50
# pictures, 5 of them I; one thread and bitexact, so that two runs send the same bytes; in
# real time (-re), as a live encoder sends
ENC_ARGS=(-hide_banner -loglevel error -nostdin -re -f lavfi -i testsrc=size=320x180:rate=25
	-t 2 -c:v mpeg2video -g 12 -bf 2 -b:v 1M -threads 1 -bitexact -f mpegts)

setup() {
	dwcs_require
	require_cmd ffmpeg python3
	for f in "$SHIM_HARD" "$SHIM_FAKE" "$SHIM_SO" "$QSOCK_ROOT"; do
		require_file "$f" "make build-tests"
	done
	dwcs_link
	IN="nsenter --net=/run/netns/$SND"
	RX="nsenter --net=/run/netns/$RCV"
	local stream='name = "video"; match = { protocol = "udp"; remote_port = 47100; };
	  dev = "veth0"; ipg = "1ms"; lossless = true; limit = 10;'
	CONF=$BATS_TEST_TMPDIR/qsock.conf
	cat >"$CONF" <<-EOF
	streams = ( { $stream
	  messages = ( { preset = "mpeg-video-i"; }, { preset = "mpeg-video-p"; },
	               { preset = "mpeg-video-b"; } ); } );
	EOF
	# the same stream with no message rules: every datagram alike
	CONF_PLAIN=$BATS_TEST_TMPDIR/plain.conf
	echo "streams = ( { $stream } );" >"$CONF_PLAIN"
}

# encode NAME PRELOAD [CONF]: ffmpeg under PRELOAD (with CONF, default $CONF) to the
# receiver, which writes NAME (the bytes) and NAME.log (a line per datagram: length and TTL)
encode() {
	$RX "$SHIM_HARD" capture "$DWCS_RCV_IP" 47100 3000 "$BATS_TEST_TMPDIR/$1" \
		>"$BATS_TEST_TMPDIR/$1.log" 3>&- &
	local rx=$!
	wait_until 15 grep -q ready "$BATS_TEST_TMPDIR/$1.log"
	# the class lingers at exit until its queue has drained, however slow the link
	run t $IN env QSOCK_LINGER_MS=20000 LD_PRELOAD="$2" QSOCK_CONF="${3:-$CONF}" ffmpeg "${ENC_ARGS[@]}" \
		"udp://$DWCS_RCV_IP:47100"
	assert_status 0
	wait "$rx"
}

# tally REF [GOT [plain]]: what REF's datagrams carried (by their TTL: the fake backend's
# flags) and, with GOT, which of them arrived there (matched by their bytes). Prints
# "I_BYTES OTHER_BYTES" for REF alone, the verdict line with GOT. Fails when an I-picture
# datagram is missing, or the others were not thinned (no overload: the test would show
# nothing); with "plain" (no message rules), when no I-picture datagram is missing.
tally() {
	python3 - "$@" <<-'EOF'
	import collections, sys
	def datagrams(name):
	    data, off, out = open(name, "rb").read(), 0, []
	    for line in open(name + ".log"):
	        if line.startswith("len="):
	            f = dict(w.split("=", 1) for w in line.split())
	            n = int(f["len"])
	            out.append((data[off:off + n], int(f["ttl"])))
	            off += n
	    return out
	kind, sent, size = {}, collections.Counter(), collections.Counter()
	for b, ttl in datagrams(sys.argv[1]):
	    k = "I" if (ttl - 100) & 1 else "other"
	    kind[b] = k
	    sent[k] += 1
	    size[k] += len(b)
	if len(sys.argv) == 2:
	    print(size["I"], size["other"])
	    sys.exit(0 if sent["I"] >= 10 and sent["other"] >= 10 else 1)
	got = collections.Counter(kind.get(b, "unknown") for b, _ in datagrams(sys.argv[2]))
	print("I-picture datagrams %d of %d arrived, the others %d of %d, unknown %d" %
	      (got["I"], sent["I"], got["other"], sent["other"], got["unknown"]))
	if len(sys.argv) > 3:
	    sys.exit(0 if got["I"] < sent["I"] and got["unknown"] == 0 else 1)
	sys.exit(0 if got["I"] == sent["I"] and got["unknown"] == 0 and
	         got["other"] < 0.9 * sent["other"] else 1)
	EOF
}

@test "shim-encoders: ffmpeg's MPEG-TS through a dwcs stream over its link's rate: with the frame presets every I-picture datagram arrives, B and P ones are dropped; without, I pictures break" {
	encode ref "$SHIM_FAKE"
	run tally "$BATS_TEST_TMPDIR/ref"
	echo "reference: I pictures, other pictures: $output bytes"
	assert_status 0
	read -r ibytes obytes <<<"$output"
	# the link: room for the I pictures and a sixth of the rest over the 2 s, with 10 % for
	# the headers (UDP, IP, Ethernet: 42 bytes a 1,472-byte datagram, and slack); what is
	# left over must overflow the stream's queue of 10 datagrams, not just wait in it
	rate=$(((ibytes + obytes / 6) * 11 / 20))
	echo "link: $rate bytes/s"
	run t $IN "$QSOCK_ROOT" init veth0 dwcs --rate "$rate"
	assert_status 0
	encode got "$SHIM_SO"
	run tally "$BATS_TEST_TMPDIR/ref" "$BATS_TEST_TMPDIR/got"
	echo "frame presets: $output"
	assert_status 0
	# the same stream without the presets, on the same link: I pictures are broken too
	encode plain "$SHIM_SO" "$CONF_PLAIN"
	run tally "$BATS_TEST_TMPDIR/ref" "$BATS_TEST_TMPDIR/plain" plain
	echo "no message rules: $output"
	assert_status 0
}
