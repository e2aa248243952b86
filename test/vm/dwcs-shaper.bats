#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# sch_dwcs's link shaper: with `rate R` and a sender that keeps the qdisc backlogged, the
# packets leave at R within ±2% over 5 s. Measured from the receiver's kernel timestamps
# (taken at netif_rx, right after veth transmits), so tc's own latency in the VM does not
# blur it; the rate is the least-squares slope of cumulative wire bits against time.

load ../lib/common
load ../lib/dwcs

# A 65000-byte MTU: 100 Mbit/s then needs only a few hundred packets per second of a slow VM.
setup() {
	dwcs_require
	dwcs_link 65000
}

# shaped_rate MBIT PAYLOAD: run 6 s of best-effort UDP through `dwcs rate MBITmbit`, print the
# measured Mbit/s (wire bytes, Ethernet+IP+UDP headers included, as the qdisc counts them)
# over the last 5 s of the run.
shaped_rate() {
	local f=$BATS_TEST_TMPDIR/rx-$1
	stc qdisc add dev veth0 root handle 1: dwcs rate "$1mbit"
	recv_start 9000 8 "$f"
	snd 9000 -t 6 -s "$2"
	recv_wait_clock
	echo "qdisc: $(stc -s qdisc show dev veth0 | head -3 | tr '\n' ' ')" >&2
	echo "receiver: $(tail -n 1 "$f"); softnet drops: $(awk '{ print $2 }' /proc/net/softnet_stat | tr '\n' ' ')" >&2
	# Least-squares slope of cumulative bits against time, after a 1 s warm-up: a VM stall
	# at either end of the window (the host is shared) moves one point, not the whole line.
	awk '!/^#/ { t[n] = $5; b[n] = $6 + 42; n++ }
	     END {
		i0 = 0; while (i0 < n && t[i0] - t[0] < 1e9) i0++
		if (n - i0 < 50) { print "too few packets: " n > "/dev/stderr"; exit 1 }
		for (i = i0; i < n; i++) {
			x = (t[i] - t[i0]) / 1e9; y += b[i] * 8; m++
			sx += x; sy += y; sxx += x * x; sxy += x * y
		}
		printf "%.4f\n", (m * sxy - sx * sy) / (m * sxx - sx * sx) / 1e6 }' "$f"
}

# within_2pct MEASURED SET
within_2pct() {
	echo "rate $2 Mbit/s: measured $1 Mbit/s"
	awk -v m="$1" -v r="$2" 'BEGIN { exit !(m >= r * 0.98 && m <= r * 1.02) }'
}

@test "dwcs shaper: 1 Mbit/s held within 2%" {
	m=$(shaped_rate 1 1400)
	within_2pct "$m" 1
}

@test "dwcs shaper: 10 Mbit/s held within 2%" {
	m=$(shaped_rate 10 9000)
	within_2pct "$m" 10
}

@test "dwcs shaper: 100 Mbit/s held within 2%" {
	m=$(shaped_rate 100 60000)
	within_2pct "$m" 100
}

@test "dwcs shaper: unlimited rate does not throttle" {
	stc qdisc add dev veth0 root handle 1: dwcs
	json_eq "$(stc -j qdisc show dev veth0)" '.[0].options.rate' 0
	recv_start 9000 4 "$BATS_TEST_TMPDIR/rx"
	snd 9000 -n 200 -s 1000
	recv_wait
	json_eq "$(stc -j -s qdisc show dev veth0)" '.[0].throttled' 0
	grep -q '^# received 200$' "$BATS_TEST_TMPDIR/rx"
}
