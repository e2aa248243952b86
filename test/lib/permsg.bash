# SPDX-License-Identifier: GPL-2.0
#
# The per-message scenario's claims, for the suites that run it through lib_driver on a
# 1 Mbit/s shaped link (test/vm/lib-dwcs.bats on dwcs, test/vm/dwcs-bpf.bats on dwcs-bpf):
# three streams of 1000-byte messages with deadlines of 2-3 ms, each 8 ms on the link, whose
# `info` lines are the driver's slots 1 (lossy), 2 (the same marked non-droppable) and 3
# (frames of 4). Load after common.

# per_message_checks OUTPUT: the claims on the three info lines of the driver's OUTPUT
per_message_checks() {
	local lossy nd frames
	lossy=$(grep '"slot":1,' <<<"$1")
	nd=$(grep '"slot":2,' <<<"$1")
	frames=$(grep '"slot":3,' <<<"$1")
	echo "lossy: $lossy"
	echo "non-droppable: $nd"
	echo "frames: $frames"
	# 50 messages, 2 ms deadlines, 8 ms per message on the link: most are late and dropped
	json_cmp "$lossy" .drop_late -ge 30
	json_cmp "$lossy" .sent_pkts -le 20
	# the same messages marked non-droppable: all sent, late
	json_eq "$nd" .drop_late 0
	json_eq "$nd" .sent_pkts 50
	json_cmp "$nd" .late_sent -ge 30
	# frames of 4: the rest of a frame goes with its late packet
	json_cmp "$frames" .drop_frame -gt 0
}
