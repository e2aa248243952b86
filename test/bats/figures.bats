#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# scripts/figures on fixture results, without the VM: the comparison figures and tables against
# stock Linux QoS (test/bats/fixtures/figures/cmp-a … cmp-d: cake missing from A, the shim from C,
# HTB from D; A's fq and D's unmanaged ran on a loaded VM; A's unmanaged ran twice; htb and prio
# tie in A on decodable fps), and Figures 4, 5, 7 drawn from the published runs of docs/figures.

load ../lib/common

FIX=$BATS_TEST_DIRNAME/fixtures/figures
FIGS=$QSOCK_REPO/scripts/figures

setup() {
	require_cmd gnuplot
	OUT=$BATS_TEST_TMPDIR/results
	mkdir -p "$OUT"
	cp -r "$FIX"/cmp-a "$FIX"/cmp-b "$FIX"/cmp-c "$FIX"/cmp-d "$OUT"/
	"$FIX/from-docs" "$OUT"
	# gnuplot as the scripts call it, with each call's settings logged: what a figure
	# annotates (labels, the loaded-VM stall row, what did not run) is checked there.
	mkdir -p "$BATS_TEST_TMPDIR/bin"
	printf '#!/bin/bash\nprintf "%%s\\n" "$*" >>"%s"\nexec %s "$@"\n' "$BATS_TEST_TMPDIR/gnuplot.log" "$(command -v gnuplot)" \
		>"$BATS_TEST_TMPDIR/bin/gnuplot"
	chmod +x "$BATS_TEST_TMPDIR/bin/gnuplot"
	export PATH=$BATS_TEST_TMPDIR/bin:$PATH
}

is_png() { [ "$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]; }
# column CSV NAME: the values of column NAME (by header), one per row.
column() { awk -F, -v n="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == n) c = i; next } { print $c }' "$1"; }
# gp_call FIG: the logged gnuplot call that drew FIG.png.
gp_call() { grep "$1.png" "$BATS_TEST_TMPDIR/gnuplot.log"; }

@test "figures: plot draws cmp-a … cmp-d and Figures 4, 5, 7, each PNG with its CSV" {
	run t "$FIGS/plot" "$OUT"
	assert_status 0
	for f in cmp-a cmp-b cmp-c cmp-d fig4 fig5 fig7; do
		is_png "$OUT/$f.png" || { echo "$f.png is not a PNG" >&2; false; }
		[ -s "$OUT/$f.csv" ] || { echo "$f.csv is missing" >&2; false; }
	done
	[ -s "$OUT/cmp-d-intervals.csv" ]
	assert_output_contains "plot: no Figure 6 run in $OUT/fig6"
	assert_output_contains "plot: wrote fig4.png fig5.png fig7.png cmp-a.png cmp-b.png cmp-c.png cmp-d.png"
	# Figures 4 and 7 merge the runs back into the published CSV exactly.
	cmp "$OUT/fig4.csv" "$QSOCK_REPO/docs/figures/fig4.csv"
	cmp "$OUT/fig7.csv" "$QSOCK_REPO/docs/figures/fig7.csv"
}

@test "figures: the comparison CSVs hold what ran, in display order, each contender's latest run" {
	run t "$FIGS/plot" "$OUT"
	assert_status 0
	# A: cake did not run; unmanaged's second run (11.38 fps) replaced its first (6.67).
	[ "$(column "$OUT/cmp-a.csv" contender | tr '\n' ' ')" = "unmanaged htb prio fq qsock-shim qsock-api " ]
	[ "$(column "$OUT/cmp-a.csv" decodable_fps | head -n 1)" = 11.38 ]
	grep -qx 'prio,"prio, top band",19.80,19.92,55.2,98.0,75,75,7.7' "$OUT/cmp-a.csv"
	grep -q '^htb,"HTB class per stream",' "$OUT/cmp-a.csv"
	assert_output_contains "cmp-a: not in this run: cake diffserv4, DSCP"
	# B: all seven, four streams each, their total, I-frames summed over streams.
	[ "$(column "$OUT/cmp-b.csv" contender | tr '\n' ' ')" = "unmanaged htb prio fq cake qsock-shim qsock-api " ]
	head -n 1 "$OUT/cmp-b.csv" | grep -q '^contender,label,s0_decodable_fps,s1_decodable_fps,s2_decodable_fps,s3_decodable_fps,total_decodable_fps,'
	[ "$(column "$OUT/cmp-b.csv" total_decodable_fps | tail -n 1)" = 69.90 ]
	[ "$(column "$OUT/cmp-b.csv" s1_window_violations | head -n 1)" = 86 ]
	[ "$(column "$OUT/cmp-b.csv" i_delivered | tail -n 1)" = 260 ]
	# C: the shim's run failed; audio on time in percent, the video's frame rate.
	[ "$(column "$OUT/cmp-c.csv" contender | tr '\n' ' ')" = "unmanaged htb prio fq cake qsock-api " ]
	[ "$(column "$OUT/cmp-c.csv" audio_on_time_pct | head -n 1)" = 53.3 ]
	[ "$(column "$OUT/cmp-c.csv" video_decodable_fps | tail -n 1)" = 19.90 ]
	assert_output_contains "cmp-c: not in this run: qsock dwcs (shim)"
	# D: no HTB; late and lost per contender, and every interval of every sensor.csv.
	[ "$(column "$OUT/cmp-d.csv" contender | tr '\n' ' ')" = "unmanaged prio fq cake qsock-lossless qsock-lossy " ]
	grep -qx 'qsock-lossy,"qsock EDF lossy",60000,57568,0,2432,2432,5.0' "$OUT/cmp-d.csv"
	[ "$(tail -n +2 "$OUT/cmp-d-intervals.csv" | wc -l)" -eq 72 ]
	assert_output_contains "cmp-d: not in this run: HTB class per stream"
}

@test "figures: each contender is labelled on its figure; a loaded VM puts the stall row on it" {
	run t "$FIGS/plot" "$OUT"
	assert_status 0
	for s in a b c; do
		gp_call cmp-$s | grep -q "labels='unmanaged (FIFO)|HTB class per stream|prio, top band|fq + pacing rate|"
	done
	gp_call cmp-d | grep -q "|qsock EDF lossless|qsock EDF lossy'"
	# A (fq at 34.5 ms) and D (unmanaged at 45.2 ms) were loaded; B and C were not.
	gp_call cmp-a | grep -q "loaded=1; note='not in this run: cake diffserv4, DSCP.   VM stall above 20 ms"
	gp_call cmp-d | grep -q "loaded=1;"
	gp_call cmp-b | grep -q "loaded=0; note=''"
	gp_call cmp-c | grep -q "loaded=0; note='not in this run: qsock dwcs (shim)'"
}

@test "figures: a contender without a row of the kind a figure draws is left out of it, labels unshifted" {
	echo "a,cake,1,audio,,,,,,,,,,,,,2250,2250,0,0,5.0" >>"$OUT/cmp-a/summary.csv"
	run t "$FIGS/plot" "$OUT"
	assert_status 0
	[ "$(column "$OUT/cmp-a.csv" contender | tr '\n' ' ')" = "unmanaged htb prio fq qsock-shim qsock-api " ]
	gp_call cmp-a | grep -q "n=6; labels='unmanaged (FIFO)|HTB class per stream|prio, top band|fq + pacing rate|qsock dwcs (shim)|qsock dwcs (API)'"
}

@test "figures: plot skips a comparison that did not run, or whose runs all failed, with a note" {
	rm -r "$OUT/cmp-b"
	head -n 1 "$FIX/cmp-c/summary.csv" >"$OUT/cmp-c/summary.csv"
	run t "$FIGS/plot" "$OUT"
	assert_status 0
	assert_output_contains "plot: no comparison b runs in $OUT/cmp-b"
	assert_output_contains "plot: no comparison c runs in $OUT/cmp-c"
	[ ! -e "$OUT/cmp-b.png" ] && [ ! -e "$OUT/cmp-c.png" ]
	is_png "$OUT/cmp-a.png"
}

@test "figures: table.md gains one comparison table per scenario, contenders as rows" {
	run t "$FIGS/table" "$OUT"
	assert_status 0
	assert_output_contains "| 15-20 * | 20.00 | 20.00 | 18.00 |"	# Figure 4's table is still first
	for s in A B C D; do assert_output_contains "### Comparison $s:"; done
	assert_output_contains "| prio, top band | 19.80 | 19.92 | 55.2 | 98.0 | 75/75 | 7.7 |"
	assert_output_contains "| unmanaged (FIFO) | 11.38 | 13.10 | 750.1 | 1210.4 | 40/75 | 6.3 |"
	assert_output_contains "| stream 0 (may lose 2 of 10) fps | stream 1 (may lose 1 of 5) fps |"
	assert_output_contains "| qsock dwcs (API) | 19.80 | 18.80 | 17.20 | 14.10 | 69.90 | 84/540 | 260/300 | 12.0 |"
	assert_output_contains "| qsock dwcs (API) | 2250 | 0 | 0 | 100.0 | 19.90 | 54.0 | 12.0 |"
	assert_output_contains "| qsock EDF lossless | 60000 | 53453 | 6547 | 0 | 6547 | 6.0 |"
	assert_output_contains "Not in this run: cake diffserv4, DSCP."
	assert_output_contains "Not in this run: qsock dwcs (shim)."
	assert_output_contains "Not in this run: HTB class per stream."
	# the loaded-VM warning under A and D only
	[ "$(grep -c "VM stall above 20 ms" <<<"$output")" -eq 2 ]
	# A's rows in display order
	rows=$(awk -F'|' '/^### Comparison A/ { f = 1; next } /^### / { f = 0 } f && /^\| / { print $2 }' <<<"$output" |
		sed -n '2,$p' | sed 's/^ //; s/ $//' | paste -sd';')	# the header row first
	[ "$rows" = "unmanaged (FIFO);HTB class per stream;prio, top band;fq + pacing rate;qsock dwcs (shim);qsock dwcs (API)" ] ||
		{ echo "rows of A: $rows" >&2; false; }
}

@test "figures: table without Figure 4 runs prints the comparisons alone" {
	rm -r "$OUT/fig4"
	run t "$FIGS/table" "$OUT"
	assert_status 0
	assert_output_contains "table: no Figure 4 runs in $OUT/fig4"
	assert_output_contains "### Comparison A:"
	rm -r "$OUT"/cmp-?
	run t "$FIGS/table" "$OUT"
	assert_status 1
	assert_output_contains "no comparison runs"
}

@test "figures: the demo lines put qsock next to the best stock contender (A), and B's ratio" {
	run t "$FIGS/cmp-table" --demo "$OUT"
	assert_status 0
	# htb and prio both delivered 19.80 fps: prio's lower gap p99 (55.2 against 60.1) wins.
	assert_output_contains "    qsock dwcs (API)                      20.00 decodable fps, gap p99 54.7 ms"
	assert_output_contains "    qsock dwcs (shim)                     20.00 decodable fps, gap p99 53.7 ms"
	assert_output_contains "    best stock: prio, top band            19.80 decodable fps, gap p99 55.2 ms"
	assert_output_contains "  B (4 streams, 130 % load): qsock 69.90 decodable fps, best stock fq 56.00, ratio 1.25×"
	# More decodable fps beats a lower gap p99; the loaded run says so.
	sed -i 's/^a,fq,0,video,900,810,18.00,/a,fq,0,video,900,810,19.90,/' "$OUT/cmp-a/summary.csv"
	run t "$FIGS/cmp-table" --demo "$OUT"
	assert_output_contains "best stock: fq + pacing rate          19.90 decodable fps, gap p99 140.5 ms (loaded VM: stall max 34.5 ms)"
	# Only qsock ran: said, not guessed.
	grep -v -e ',unmanaged,' -e ',htb,' -e ',prio,' -e ',fq,' -e ',cake,' "$FIX/cmp-a/summary.csv" >"$OUT/cmp-a/summary.csv"
	grep -v -e ',unmanaged,' -e ',htb,' -e ',prio,' -e ',fq,' -e ',cake,' "$FIX/cmp-b/summary.csv" >"$OUT/cmp-b/summary.csv"
	run t "$FIGS/cmp-table" --demo "$OUT"
	assert_output_contains "best stock: no stock contender ran"
	assert_output_contains "B (4 streams, 130 % load): qsock 69.90 decodable fps, best stock (none ran), ratio n/a"
	# qsock's B runs failed: said too.
	grep -v -e ',qsock-api,' -e ',qsock-shim,' "$FIX/cmp-b/summary.csv" >"$OUT/cmp-b/summary.csv"
	run t "$FIGS/cmp-table" --demo "$OUT"
	assert_output_contains "B (4 streams, 130 % load): qsock did not run, best stock fq 56.00, ratio n/a"
	# Neither A nor B ran: no lines at all.
	rm -r "$OUT/cmp-a" "$OUT/cmp-b"
	run t "$FIGS/cmp-table" --demo "$OUT"
	assert_status 0
	[ -z "$output" ]
}
