# SPDX-License-Identifier: GPL-2.0
# Comparison D (the paper's Figure 7 setting): sensor readings with per-message deadlines beside
# bulk TCP. Per contender: readings late and lost over the run, stacked (top); late + lost per
# 5 s interval, one line per contender, from each contender's sensor.csv (bottom).
# gnuplot -e "dir='scripts/figures'; data='cmp-d.csv'; out='cmp-d.png'; n=7; labels='A|B|…'; files='a/sensor.csv …'; titles='A|B|…'; perturb='30'; loaded=0; note=''" cmp-d.gp
set terminal pngcairo size 1100,900 font "sans,10"
set output out
load dir."/cmp-style.gp"
set lmargin at screen 0.08
set rmargin at screen 0.98
set multiplot title "Comparison D: sensor readings with deadlines beside bulk TCP, per contender"
set tmargin at screen 0.92
set bmargin at screen 0.62
set key inside top left horizontal opaque box
set ylabel "readings that missed their deadline"
set boxwidth 0.6
stats [*:*][*:*] data skip 1 using 7 nooutput
set yrange [0:STATS_max * 1.35 + 1]
plot data skip 1 using 0:7:xtic(tic(8)) with boxes lc rgb "#d95f02" title "lost (never arrived)", \
     "" skip 1 using 0:5 with boxes lc rgb "#e6ab02" title "late (arrived after the deadline)", \
     "" skip 1 using 0:7:(sprintf("late %d\nlost %d", $5, $6)) with labels offset 0,1.6 notitle

set tmargin at screen 0.50
set bmargin at screen 0.08
set rmargin at screen 0.76	# the key sits right of the lines, off their peaks
set autoscale x
set xtics auto scale 1
set yrange [0:*]
set xlabel "time (s), 5 s intervals"
set ylabel "late + lost per interval"
set key outside right top vertical Left reverse box
unset label 100	# the note went out with the upper panel
do for [p in perturb] {
	set arrow from p+0, graph 0 to p+0, graph 1 nohead dt 2 lc rgb "gray40"
	set label "bulk TCP starts" at p+0, graph 1 right offset -0.5,-1 tc rgb "gray40" font ",9"
}
plot for [k=1:words(files)] word(files, k) using (($1+$2)/2):($4+$5) skip 1 with linespoints lw 2 pt k+3 title field(titles, k)
unset multiplot
