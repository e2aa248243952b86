# SPDX-License-Identifier: GPL-2.0
# Figure 4: frames per second per 5 s interval, one line per variant.
# gnuplot -e "data='fig4.csv'; out='fig4.png'; ncols=N; perturb='15 30'" fig4.gp
set terminal pngcairo size 900,540 font "sans,11"
set output out
set datafile separator ","
set key autotitle columnhead bottom left box opaque
set title "Figure 4: frame rate of a 20 fps video stream, bulk TCP transfers from the dashed lines"
set xlabel "time (s), 5 s intervals"
set ylabel "frames per second"
set yrange [0:22]
set ytics 2
set grid ytics
do for [p in perturb] { set arrow from p+0, graph 0 to p+0, graph 1 nohead dt 2 lc rgb "gray40" }
plot for [i=3:ncols] data using (($1+$2)/2):i with linespoints lw 2 pt i+3 ps 1.2 title columnhead(i)
