# SPDX-License-Identifier: GPL-2.0
# Figure 7: sensor readings that missed their deadline per 5 s interval: arrived late (top) and
# never arrived (bottom), one line per variant.
# gnuplot -e "files='a.csv b.csv'; titles='A|B'; out='fig7.png'; perturb='30'" fig7.gp
set terminal pngcairo size 1000,700 font "sans,11"
set output out
set datafile separator ","
n = words(files)
set multiplot layout 2,1 title "Figure 7: remote data acquisition, bulk TCP transfer from the dashed line"
set grid ytics
# The key right of the panels, outside: inside, it covered the lossless stream's late peak.
# Fixed margins keep both panels' time axes aligned whatever their y tick labels' width.
set key outside right top vertical Left reverse box
set lmargin 10
set rmargin at screen 0.76
set yrange [0:*]
do for [p in perturb] {
	set arrow from p+0, graph 0 to p+0, graph 1 nohead dt 2 lc rgb "gray40"
	set label "bulk TCP starts" at p+0, graph 0.95 right offset -0.5,0 tc rgb "gray40" font ",9"
}
set ylabel "late readings"
plot for [k=1:n] word(files, k) using (($1+$2)/2):4 skip 1 with linespoints lw 2 pt k+5 \
	title system(sprintf("echo '%s' | cut -d'|' -f%d", titles, k))
set ylabel "lost readings"
set xlabel "time (s), 5 s intervals"
plot for [k=1:n] word(files, k) using (($1+$2)/2):5 skip 1 with linespoints lw 2 pt k+5 \
	title system(sprintf("echo '%s' | cut -d'|' -f%d", titles, k))
unset multiplot
