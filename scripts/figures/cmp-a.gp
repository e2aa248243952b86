# SPDX-License-Identifier: GPL-2.0
# Comparison A (the paper's Figure 4/5 setting): one 20 fps video stream beside bulk TCP, per
# contender: decodable and received frame rate (top), inter-frame gap p99 and max (bottom).
# gnuplot -e "dir='scripts/figures'; data='cmp-a.csv'; out='cmp-a.png'; n=7; labels='A|B|…'; loaded=0; note=''" cmp-a.gp
set terminal pngcairo size 1100,860 font "sans,10"
set output out
# The largest gap, for the log axis' headroom; before cmp-style.gp, whose ranges stats would obey.
set datafile separator ","
stats data skip 1 using 6 nooutput
gapmax = STATS_max
load dir."/cmp-style.gp"
# Fixed panel edges: gnuplot's own layout does not leave room for three-line tick labels.
set lmargin at screen 0.08
set rmargin at screen 0.98
set multiplot title "Comparison A: one 20 fps video stream beside bulk TCP, per contender"
set boxwidth 0.36
set key inside top left horizontal opaque box
set tmargin at screen 0.92
set bmargin at screen 0.60
set ylabel "frames per second"
set yrange [0:26]
set ytics 0, 5, 20
plot data skip 1 using ($0-0.19):3:xtic(tic(9)) with boxes lc rgb "#1b9e77" title "decodable (complete in time, references decodable)", \
     "" skip 1 using ($0-0.19):3:(fps($3)) with labels offset 0,0.6 notitle, \
     "" skip 1 using ($0+0.19):4 with boxes lc rgb "#bdbdbd" title "received (complete frames)", \
     "" skip 1 using ($0+0.19):4:(fps($4)) with labels offset 0,0.6 notitle
set tmargin at screen 0.46
set bmargin at screen 0.13
set ylabel "gap between frames (ms), log scale"
set logscale y
set yrange [10:gapmax*8]
set ytics auto
plot data skip 1 using ($0-0.19):5:xtic(tic(9)) with boxes lc rgb "#7570b3" title "gap p99", \
     "" skip 1 using ($0-0.19):5:(num($5)) with labels offset 0,0.6 notitle, \
     "" skip 1 using ($0+0.19):6 with boxes lc rgb "#d95f02" title "gap max (the sender's gap: 50 ms)", \
     "" skip 1 using ($0+0.19):6:(num($6)) with labels offset 0,0.6 notitle
unset multiplot
