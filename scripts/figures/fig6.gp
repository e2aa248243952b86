# SPDX-License-Identifier: GPL-2.0
# Figure 6: three video streams under overload, frames per second per 5 s interval.
# gnuplot -e "data='fig6.csv'; out='fig6.png'; managed='qsock API'; perturb='5'" fig6.gp
set terminal pngcairo size 900,540 font "sans,11"
set output out
set datafile separator ","
set key bottom left box opaque
set title "Figure 6: two managed streams (".managed.") and one unmanaged, under overload"
set xlabel "time (s), 5 s intervals"
set ylabel "frames per second"
set yrange [0:22]
set ytics 2
set grid ytics
do for [p in perturb] { set arrow from p+0, graph 0 to p+0, graph 1 nohead dt 2 lc rgb "gray40" }
plot data using (($1+$2)/2):3 with linespoints lw 2 pt 7 title "managed 20 fps", \
     data using (($1+$2)/2):4 with linespoints lw 2 pt 5 title "managed 15 fps", \
     data using (($1+$2)/2):5 with linespoints lw 2 pt 9 title "unmanaged 20 fps"
