# SPDX-License-Identifier: GPL-2.0
# Figure 5: every inter-frame gap at the client, one panel per variant.
# gnuplot -e "files='a.csv b.csv'; titles='A|B'; out='fig5.png'; perturb='15 30'" fig5.gp
set terminal pngcairo size 900,260*words(files)+60 font "sans,11"
set output out
set datafile separator ","
n = words(files)
# Each panel's y range fits its own gaps (50 ms managed, seconds unmanaged), and its title says
# that range, so that a reader does not compare heights across panels. Taken before any range is
# set: stats would obey it.
array top[n]
xmax = 5
do for [k=1:n] {
	stats word(files, k) using 1 skip 1 nooutput
	if (STATS_max > xmax) { xmax = STATS_max }
	stats word(files, k) using 5 skip 1 nooutput
	u = STATS_max * 1.05 <= 60 ? 60 : 10**floor(log10(STATS_max * 1.05)) / 2
	top[k] = u == 60 ? 60 : ceil(STATS_max * 1.05 / u) * u
}
# One time axis for all panels: the same x range, and fixed margins, so that a wider y tick
# label ("1200") does not move a panel's origin right of the others'.
set xrange [0:ceil(xmax / 5) * 5]
set lmargin 10
set rmargin 3
set multiplot layout n,1 title "Figure 5: time between consecutive frames at the client (ideal 50 ms); dashed lines: a bulk TCP transfer starts"
set ylabel "gap (ms)"
set grid ytics
unset key
do for [p in perturb] { set arrow from p+0, graph 0 to p+0, graph 1 nohead dt 2 lc rgb "gray40" }
do for [k=1:n] {
	if (k == n) { set xlabel "time (s)" } else { unset xlabel }
	t = system(sprintf("echo '%s' | cut -d'|' -f%d", titles, k))
	set yrange [0:top[k]]
	set title sprintf("%s (y axis 0-%g ms)", t, top[k]) offset 0,-0.6
	plot word(files, k) using 1:5 skip 1 with points pt 7 ps 0.4 lc k
}
unset multiplot
