# SPDX-License-Identifier: GPL-2.0
# Figure 4: frames per second per 5 s interval, one line per variant.
# gnuplot -e "data='fig4.csv'; out='fig4.png'; ncols=N; perturb='15 30'" fig4.gp
set terminal pngcairo size 1000,560 font "sans,11"
set output out
set datafile separator ","
# Right of the plot: inside, it covered a stream that fell towards 0 fps.
set key autotitle columnhead outside right top vertical Left reverse box
set title "Figure 4: frame rate of a 20 fps video stream, bulk TCP transfers from the dashed lines\n{/*0.85 (each variant's points drawn up to 0.5 s apart, and each line thinner than the one before, so that equal rates stay visible)}"
set xlabel "time (s), 5 s intervals"
set ylabel "frames per second"
set yrange [0:22]
set ytics 2
set grid ytics
do for [p in perturb] {
	set arrow from p+0, graph 0 to p+0, graph 1 nohead dt 2 lc rgb "gray40"
	set label "bulk TCP starts" at p+0, graph 0.04 right offset -0.5,0 tc rgb "gray40" font ",9"
}
# Variants that delivered the same rate (API and shim at 20.00) would be drawn on top of one
# another and the first would vanish: each is shifted by its own fraction of a second around
# the interval's middle, has its own point type, and is drawn thinner than the one before it, so
# that an earlier line shows around a later one. Data lines stay solid: dashes mean perturbations.
nv = ncols - 2
shift(i) = (i - 3 - (nv - 1) / 2.0) * (nv > 1 ? 1.0 / (nv - 1) : 0) * 0.5
plot for [i=3:ncols] data using (($1+$2)/2 + shift(i)):i with linespoints lw (2 + 2.5 * (ncols - i)) pt (2*i) ps 1.3 title columnhead(i)
