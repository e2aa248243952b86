# SPDX-License-Identifier: GPL-2.0
# The look the comparison figures (cmp-a.gp … cmp-d.gp) share; each loads it after setting
# data, n (contenders), labels (theirs, "|" between), loaded (1 when a run's VM stalled > 20 ms)
# and note (what did not run). The labels come as a string, not from the CSV: gnuplot's strcol()
# cuts a quoted field at its comma ("prio, top band").
set datafile separator ","
set style fill solid 0.85 border rgb "gray20"
set grid ytics
set xrange [-0.6:n-0.4]
set xtics scale 0 nomirror
# Contender labels run to 30 characters: break them before " (" or after ", " so that seven fit.
wrap(s) = strstrt(s, " (") > 0 ? s[1:strstrt(s, " (")-1]."\n".s[strstrt(s, " (")+1:] : \
          strstrt(s, ", ") > 0 ? s[1:strstrt(s, ", ")]."\n".s[strstrt(s, ", ")+2:] : s
# field(s, k): the k-th "|"-separated part of s.
field(s, k) = k <= 1 ? (strstrt(s, "|") > 0 ? s[1:strstrt(s, "|")-1] : s) : field(s[strstrt(s, "|")+1:], k-1)
# tic(stallcol): the contender's label, and under it its VM stall when any run was loaded.
tic(c) = wrap(field(labels, column(0)+1)) . (loaded ? sprintf("\nVM stall max %.0f ms", column(c)) : "")
# Values printed over bars: whole numbers as such, others with one decimal.
num(v) = v == int(v) ? sprintf("%d", v) : sprintf("%.1f", v)
fps(v) = sprintf("%.1f", v)
if (strlen(note) > 0) { set label 100 note at screen 0.01, screen 0.012 left font ",9" tc rgb "gray20" }
