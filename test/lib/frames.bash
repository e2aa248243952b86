# SPDX-License-Identifier: GPL-2.0
#
# Made-up video-server --frames-csv files, for the tests of the tools that read them
# (test/bats/edf-oracle.bats, test/bats/dwcs-replay.bats): frames whose answer is known.

# frames FILE STREAM FPS N I_BYTES P_BYTES B_BYTES [SKIP]: a video-server --frames-csv of N
# frames of the GOP IBBBPBBBPBBBPBBB, captured from t = 1 s at FPS, with these wire sizes (each
# a whole number of datagrams: 1376 bytes of payload and 66 of headers a full one). SKIP: a
# frame number the sender skipped (no row), as video-server does when it falls behind.
frames() {
	awk -v s="$2" -v fps="$3" -v n="$4" -v i="$5" -v p="$6" -v b="$7" -v skip="${8:--1}" 'BEGIN {
		gop = "IBBBPBBBPBBBPBBB"
		print "capture_ns,stream,frame,type,wire_bytes"
		for (k = 0; k < n; k++) {
			if (k == skip)
				continue
			t = substr(gop, k % 16 + 1, 1)
			printf "%.0f,%d,%d,%s,%d\n", 1000000000 + k * 1000000000 / fps, s, k, t,
				t == "I" ? i : t == "P" ? p : b
		}
	}' >"$1"
}
