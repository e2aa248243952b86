# SPDX-License-Identifier: GPL-2.0
# Comparison C: a 50 packets/s audio stream beside a video stream with key-frame bursts and bulk
# TCP. Per contender: the audio packets that arrived on time, late and never (top), the video's
# decodable and received frame rate (bottom).
# gnuplot -e "dir='scripts/figures'; data='cmp-c.csv'; out='cmp-c.png'; n=7; labels='A|B|…'; loaded=0; note=''" cmp-c.gp
set terminal pngcairo size 1100,860 font "sans,10"
set output out
load dir."/cmp-style.gp"
set lmargin at screen 0.08
set rmargin at screen 0.98
set multiplot title "Comparison C: 50 packets/s audio beside video with key-frame bursts and bulk TCP, per contender"
set key inside top left horizontal opaque box
pct(c) = column(3) > 0 ? 100.0 * column(c) / column(3) : NaN
set tmargin at screen 0.92
set bmargin at screen 0.60
set ylabel "audio packets (% of sent)"
set yrange [0:125]
set ytics 0, 20, 100
set boxwidth 0.6
# Stacked: on time from 0, late on top of it, lost on top of both; the on-time share is printed.
plot data skip 1 using 0:(pct(4) + pct(5) + pct(6)):xtic(tic(11)) with boxes lc rgb "#d95f02" title "lost", \
     "" skip 1 using 0:(pct(4) + pct(5)) with boxes lc rgb "#e6ab02" title "late", \
     "" skip 1 using 0:(pct(4)) with boxes lc rgb "#1b9e77" title "on time", \
     "" skip 1 using 0:(pct(4) + pct(5) + pct(6)):(sprintf("%.1f %% on time", column(7))) with labels offset 0,0.7 notitle
set tmargin at screen 0.46
set bmargin at screen 0.13
set ylabel "video frames per second"
set yrange [0:26]
set ytics 0, 5, 20
set boxwidth 0.36
plot data skip 1 using ($0-0.19):8:xtic(tic(11)) with boxes lc rgb "#1b9e77" title "decodable (complete in time, references decodable)", \
     "" skip 1 using ($0-0.19):8:(fps($8)) with labels offset 0,0.6 notitle, \
     "" skip 1 using ($0+0.19):9 with boxes lc rgb "#bdbdbd" title "received (complete frames)", \
     "" skip 1 using ($0+0.19):9:(fps($9)) with labels offset 0,0.6 notitle
unset multiplot
