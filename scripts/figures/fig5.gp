# SPDX-License-Identifier: GPL-2.0
# Figure 5: every inter-frame gap at the client, one panel per variant.
# gnuplot -e "files='a.csv b.csv'; titles='A|B'; out='fig5.png'; perturb='15 30'" fig5.gp
set terminal pngcairo size 900,260*words(files)+60 font "sans,11"
set output out
set datafile separator ","
n = words(files)
set multiplot layout n,1 title "Figure 5: time between consecutive frames at the client (ideal 50 ms)"
set ylabel "gap (ms)"
set grid ytics
set key top left box opaque
set yrange [0:*]
do for [p in perturb] { set arrow from p+0, graph 0 to p+0, graph 1 nohead dt 2 lc rgb "gray40" }
do for [k=1:n] {
	if (k == n) { set xlabel "time (s)" } else { unset xlabel }
	t = system(sprintf("echo '%s' | cut -d'|' -f%d", titles, k))
	plot word(files, k) using 1:5 skip 1 with points pt 7 ps 0.4 lc k title t
}
unset multiplot
