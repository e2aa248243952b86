#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# test/bench/ratio.sh, the benchmarks' shared comparison: interleaving order, the median and
# spread of per-round ratios, and the verdicts (met / not met / not resolved). No timing here:
# the inputs are made-up numbers, so the arithmetic is checked exactly.

setup() {
	# shellcheck source=../bench/ratio.sh
	source "$BATS_TEST_DIRNAME/../bench/ratio.sh"
	dir=$BATS_TEST_TMPDIR
}

# rounds FILE V...: one value per line
rounds() {
	local f=$1
	shift
	printf '%s\n' "$@" >"$dir/$f"
}

@test "ratio: median, interquartile range and min-max of the per-round ratios" {
	rounds base 100 100 100 100 100
	rounds case 101 105 102 103 104
	run bench_ratio_stats "$dir/base" "$dir/case" 1.10
	[ "$status" -eq 0 ]
	[ "$output" = "1.0300 1.0200 1.0400 1.0100 1.0500 5 100 103 met" ]
}

@test "ratio: each round is divided by its own base, not by the base's median" {
	# a neighbour slowed round 2 for both contenders alike: the ratio stays 1.01
	rounds base 100 200 100 100 100
	rounds case 101 202 101 101 101
	run bench_ratio_stats "$dir/base" "$dir/case" 1.02
	[ "$output" = "1.0100 1.0100 1.0100 1.0100 1.0100 5 100 101 met" ]
}

@test "ratio: goal inside the interquartile range is not resolved, above it not met" {
	rounds base 100 100 100 100 100
	rounds case 101 105 102 103 104
	run bench_ratio_stats "$dir/base" "$dir/case" 1.03
	[[ "$output" == *" not-resolved" ]]
	run bench_ratio_stats "$dir/base" "$dir/case" 1.015
	[[ "$output" == *" not-met" ]]
	run bench_ratio_stats "$dir/base" "$dir/case" ""
	[[ "$output" == *" reference" ]]
}

@test "ratio: bench_ratio prints the figure and counts the verdicts" {
	rounds base 100 100 100 100 100
	rounds case 101 105 102 103 104
	bench_ratio "matched" 1.015 "$dir/base" "$dir/case" >"$dir/out"
	[ "$BENCH_VERDICT" = "not met" ]
	bench_ratio "matched" 1.04 "$dir/base" "$dir/case" >>"$dir/out"
	[ "$BENCH_VERDICT" = "met" ]
	bench_ratio "matched" 1.03 "$dir/base" "$dir/case" >>"$dir/out"
	[ "$BENCH_VERDICT" = "not resolved" ]
	grep -q 'ratio 1.0300  IQR 1.0200-1.0400  min-max 1.0100-1.0500  5 rounds  not met (goal <= 1.015)' "$dir/out"
	[ "$BENCH_MET $BENCH_NOT_MET $BENCH_UNRESOLVED" = "1 1 1" ]
	run bench_summary
	[[ "$output" == *"1 met, 1 not met, 1 not resolved"* ]]
}

@test "ratio: unpaired or empty rounds are an error, not a figure" {
	rounds base 100 100
	rounds case 101
	run bench_ratio_stats "$dir/base" "$dir/case" 1.02
	[ "$status" -ne 0 ]
	: >"$dir/empty"
	run bench_ratio x 1.02 "$dir/empty" "$dir/empty"
	[ "$status" -ne 0 ]
}

@test "interleave: A B C in even rounds, C B A in odd ones" {
	# each contender runs in a command substitution: the count is kept in a file
	record() {
		echo "$1" >>"$dir/order"
		wc -l <"$dir/order"
	}
	bench_interleave "$dir" 3 record A B C
	[ "$(paste -sd' ' "$dir/order")" = "A B C C B A A B C" ]
	[ "$(paste -sd' ' "$dir/A")" = "1 6 7" ]
	[ "$(paste -sd' ' "$dir/C")" = "3 4 9" ]
}

@test "interleave: a contender that measures a pair itself fills NAME.base and NAME.case" {
	pair() { echo "100 10$(wc -l <"$dir/order" 2>/dev/null || echo 0)"; echo "$1" >>"$dir/order"; }
	: >"$dir/order"
	bench_interleave "$dir" 2 pair A
	[ "$(paste -sd' ' "$dir/A.base")" = "100 100" ]
	[ "$(paste -sd' ' "$dir/A.case")" = "100 101" ]
}

@test "interleave: the contender function sees the caller's globals, not ratio.sh's locals" {
	dir=$BATS_TEST_TMPDIR/mine name=mine
	mkdir -p "$dir"
	probe() { echo "$dir $name" >"$BATS_TEST_TMPDIR/seen"; echo 1; }
	bench_interleave "$BATS_TEST_TMPDIR" 1 probe A
	[ "$(cat "$BATS_TEST_TMPDIR/seen")" = "$BATS_TEST_TMPDIR/mine mine" ]
}

@test "interleave: a contender that fails or prints no number stops the bench" {
	broken() { [ "$1" = B ] && echo oops || echo 1.5; }
	run bench_interleave "$dir" 2 broken A B
	[ "$status" -ne 0 ]
	[[ "$output" == *"printed 'oops'"* ]]
	failing() { [ "$1" = B ] && return 3 || echo 1; }
	run bench_interleave "$dir" 2 failing A B
	[ "$status" -ne 0 ]
}

@test "rounds: BENCH_ROUNDS overrides the default, fewer than 5 is refused" {
	[ "$(bench_rounds 9)" = 9 ]
	[ "$(BENCH_ROUNDS=15 bench_rounds 9)" = 15 ]
	BENCH_ROUNDS=3 run bench_rounds 9
	[ "$status" -ne 0 ]
	BENCH_ROUNDS=x run bench_rounds 9
	[ "$status" -ne 0 ]
}

@test "header: names the CPU model from /proc/cpuinfo and the load" {
	run bench_header "title"
	[ "${lines[0]}" = title ]
	model=$(sed -n 's/^model name[[:space:]]*:[[:space:]]*//p' /proc/cpuinfo | head -n 1)
	[[ "${lines[1]}" == "  cpu: ${model:-unknown}"* ]]
	[[ "${lines[1]}" == *"load average at start: "* ]]
}
