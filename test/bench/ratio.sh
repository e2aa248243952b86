# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# test/bench/ratio.sh — the one way qsock's shell benchmarks compare two contenders, sourced
# by each of them (test/bench/*-bench.sh). It exists because the machines we measure on are
# shared (2 cores, other builds running): a figure taken as "all of A, then all of B" or as
# the best of each measures the neighbours as much as the code.
#
#   bench_header TITLE            the title, the CPU model it runs on (/proc/cpuinfo "model
#                                 name"), cores and the load average at the start
#   bench_rounds DEFAULT          BENCH_ROUNDS if set (at least 5), else DEFAULT (at least 7)
#   bench_interleave DIR ROUNDS FUNCTION NAME...
#                                 ROUNDS rounds; in each, FUNCTION NAME is run once per
#                                 contender and its output (one number) appended to
#                                 DIR/NAME. The order alternates: A B C in even rounds,
#                                 C B A in odd ones (A B C C B A ...), so that neither a
#                                 warm-up nor a neighbour that starts or stops always hits
#                                 the same contender. A FUNCTION that measures a pair
#                                 itself, interleaved more finely in one process, prints
#                                 two numbers, "BASE CASE": they go to DIR/NAME.base and
#                                 DIR/NAME.case.
#   bench_ratio LABEL GOAL BASE CASE
#                                 prints one figure: CASE/BASE per round (line i of each
#                                 file is round i, measured side by side), their median,
#                                 spread (interquartile range and min–max) and a verdict
#                                 against GOAL, the largest ratio that meets it ("" for a
#                                 reference figure without a goal):
#                                   met           the whole interquartile range <= GOAL
#                                   not met       the whole interquartile range >  GOAL
#                                   not resolved  GOAL lies inside it: the rounds disagree
#                                                 by more than the margin between the
#                                                 median and the goal, so this run can
#                                                 claim neither
#                                 Sets BENCH_VERDICT to the verdict.
#   bench_summary                 one line: how many figures were met, not met, unresolved
#
# Why the interquartile range: with 7-15 rounds the extremes are the rounds a neighbour
# happened to hit, and would make every claim "not resolved"; the middle half of the rounds
# is what the code does on this machine, and it is printed next to min–max so nobody has to
# trust the choice. Rounds are no substitute for measuring side by side within a round:
# separate processes differed by up to 50 % from one round to the next on our shared 2-core
# machine, calls alternated in one process by 0.1-0.5 % (docs/architecture.md, Cost). Cost:
# every contender runs ROUNDS times.

BENCH_MET=0 BENCH_NOT_MET=0 BENCH_UNRESOLVED=0 BENCH_VERDICT=

bench_cpu_model() {
	local model
	model=$(sed -n 's/^model name[[:space:]]*:[[:space:]]*//p' /proc/cpuinfo 2>/dev/null | head -n 1)
	echo "${model:-unknown CPU (no model name in /proc/cpuinfo)}"
}

bench_header() {
	local load
	load=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)
	echo "$1"
	echo "  cpu: $(bench_cpu_model), $(nproc) cores; load average at start: $load"
}

bench_rounds() {
	local n=${BENCH_ROUNDS:-$1}
	if ! [[ "$n" =~ ^[0-9]+$ ]] || [ "$n" -lt 5 ]; then
		echo "bench: BENCH_ROUNDS=$n: at least 5 rounds are needed for a median and a spread" >&2
		return 1
	fi
	echo "$n"
}

# (Its locals are prefixed: bash scopes dynamically, so FUNCTION would see a plain "dir"
# or "name" of ours in place of its own global of that name.)
bench_interleave() {
	local _bi_dir=$1 _bi_rounds=$2 _bi_fn=$3 _bi_r _bi_i _bi_name _bi_v
	local _bi_num='[0-9]+([.][0-9]+)?'
	shift 3
	local _bi_names=("$@")
	for ((_bi_r = 0; _bi_r < _bi_rounds; _bi_r++)); do
		for ((_bi_i = 0; _bi_i < ${#_bi_names[@]}; _bi_i++)); do
			_bi_name=${_bi_names[_bi_i]}
			((_bi_r % 2 == 0)) || _bi_name=${_bi_names[${#_bi_names[@]} - 1 - _bi_i]}
			_bi_v=$("$_bi_fn" "$_bi_name") ||
				{ echo "bench: $_bi_fn $_bi_name failed (round $_bi_r)" >&2; return 1; }
			if [[ "$_bi_v" =~ ^$_bi_num$ ]]; then
				echo "$_bi_v" >>"$_bi_dir/$_bi_name"
			elif [[ "$_bi_v" =~ ^($_bi_num)\ ($_bi_num)$ ]]; then
				echo "${BASH_REMATCH[1]}" >>"$_bi_dir/$_bi_name.base"
				echo "${BASH_REMATCH[3]}" >>"$_bi_dir/$_bi_name.case"
			else
				echo "bench: $_bi_fn $_bi_name printed '$_bi_v', not a number or a pair" >&2
				return 1
			fi
		done
	done
}

# The statistics, on per-round values of BASE and CASE (one per line, paired by line).
# Prints "median q1 q3 min max rounds base_median case_median verdict".
bench_ratio_stats() {
	paste -d' ' "$1" "$2" | awk -v goal="$3" '
		function q(p,   h, lo) { # quantile of r[1..n] (sorted), linear interpolation
			h = (n - 1) * p + 1; lo = int(h)
			return lo >= n ? r[n] : r[lo] + (h - lo) * (r[lo + 1] - r[lo])
		}
		function sortv(v, m,   i, j, t) {
			for (i = 2; i <= m; i++)
				for (j = i; j > 1 && v[j - 1] > v[j]; j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
		}
		NF == 2 && $1 > 0 { n++; r[n] = $2 / $1; b[n] = $1; c[n] = $2 }
		NF != 2 || $1 <= 0 { bad = 1 }
		END {
			if (bad || n == 0) { print "error"; exit 1 }
			sortv(b, n); sortv(c, n); bm = n % 2 ? b[(n + 1) / 2] : (b[n / 2] + b[n / 2 + 1]) / 2
			cm = n % 2 ? c[(n + 1) / 2] : (c[n / 2] + c[n / 2 + 1]) / 2
			sortv(r, n)
			q1 = q(0.25); q3 = q(0.75)
			if (goal == "") v = "reference"
			else if (q3 <= goal) v = "met"
			else if (q1 > goal) v = "not-met"
			else v = "not-resolved"
			printf "%.4f %.4f %.4f %.4f %.4f %d %.6g %.6g %s\n", q(0.5), q1, q3, r[1], r[n], n, bm, cm, v
		}'
}

bench_ratio() {
	local label=$1 goal=$2 stats med q1 q3 lo hi n bm cm v goaltext
	stats=$(bench_ratio_stats "$3" "$4" "$goal") || { echo "bench: $label: no paired rounds" >&2; return 1; }
	read -r med q1 q3 lo hi n bm cm v <<<"$stats"
	BENCH_VERDICT=${v/-/ }
	case $v in
	met) BENCH_MET=$((BENCH_MET + 1)) ;;
	not-met) BENCH_NOT_MET=$((BENCH_NOT_MET + 1)) ;;
	not-resolved) BENCH_UNRESOLVED=$((BENCH_UNRESOLVED + 1)) ;;
	esac
	goaltext=${goal:+ (goal <= $goal)}
	printf '  %-36s %10s vs %10s  ratio %s  IQR %s-%s  min-max %s-%s  %d rounds  %s%s\n' \
		"$label" "$cm" "$bm" "$med" "$q1" "$q3" "$lo" "$hi" "$n" "$BENCH_VERDICT" "$goaltext"
}

bench_summary() {
	echo "  verdicts: $BENCH_MET met, $BENCH_NOT_MET not met, $BENCH_UNRESOLVED not resolved" \
		"(not resolved: the rounds' spread covers the goal; rerun on a quieter machine or with" \
		"BENCH_ROUNDS=15)"
}
