# SPDX-License-Identifier: GPL-2.0
# Comparison B, real-time overload: four video streams asking ~130 % of the link beside bulk TCP,
# each with its own loss tolerance (x of y consecutive frames). Per contender: each stream's
# decodable frame rate and their total (top); the share of each stream's y-frame windows that
# lost more than x frames, and the I-frames delivered of all generated (bottom).
# gnuplot -e "dir='scripts/figures'; data='cmp-b.csv'; out='cmp-b.png'; n=7; ns=4; stitles='s0|s1|s2|s3'; labels='A|B|…'; loaded=0; note=''" cmp-b.gp
set terminal pngcairo size 1200,900 font "sans,10"
set output out
load dir."/cmp-style.gp"
set lmargin at screen 0.07
set rmargin at screen 0.98
set multiplot title "Comparison B: four video streams at about 130 % of the link beside bulk TCP, per contender"
w = 0.8 / ns
xs(i) = column(0) + (i - (ns - 1) / 2.0) * w	# bar i (0-based) of a contender's group
set boxwidth w * 0.92
set key inside top left horizontal opaque box
fps_c(i) = 3 + i
tot_c = 3 + ns
viol_c(i) = 4 + ns + 3 * i	# then windows, then the percentage
ifr_c = 4 + 4 * ns
stall_c = 6 + 4 * ns

set tmargin at screen 0.92
set bmargin at screen 0.60
set ylabel "decodable frames per second"
set yrange [0:32]	# the key above the totals (23.5), both above the tallest bars
set ytics 0, 5, 20
plot for [i=0:ns-1] data skip 1 using (xs(i)):(column(fps_c(i))) with boxes lc i+1 title field(stitles, i+1), \
     for [i=0:ns-1] "" skip 1 using (xs(i)):(column(fps_c(i))):(fps(column(fps_c(i)))) with labels offset 0,0.5 font ",8" notitle, \
     "" skip 1 using 0:(23.5):(sprintf("total %.1f fps", column(tot_c))):xtic(tic(stall_c)) with labels font ",10:Bold" notitle

set tmargin at screen 0.46
set bmargin at screen 0.13
set ylabel "windows that broke the tolerance (%)"
set yrange [0:135]
set ytics 0, 20, 100
itic(c) = tic(stall_c) . sprintf("\nI-frames decodable %d/%d", column(ifr_c + 1), column(ifr_c))
plot for [i=0:ns-1] data skip 1 using (xs(i)):(column(viol_c(i) + 2)) with boxes lc i+1 title field(stitles, i+1), \
     for [i=0:ns-1] "" skip 1 using (xs(i)):(column(viol_c(i) + 2)):(sprintf("%d/%d", column(viol_c(i)), column(viol_c(i) + 1))) \
	with labels rotate by 90 left offset 0,0.4 font ",8" notitle, \
     "" skip 1 using 0:(-1):xtic(itic(0)) with points pt -1 notitle	# the tick labels, one per contender
unset multiplot
