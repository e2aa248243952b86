/* SPDX-License-Identifier: GPL-2.0 */
/*
 * eval-summary.h — the one row per stream that the receivers (video-client, sensor-receiver)
 * write with --summary, for the comparison of issue #13. The scenario scripts prefix each row
 * with the scenario and the contender and append the VM's worst stall
 * (test/scenarios/lib.sh scen_summary), which gives scripts/figures the columns of
 * results/cmp-X/summary.csv. The columns of the other kind stay empty.
 */
#ifndef QSOCK_EVAL_SUMMARY_H
#define QSOCK_EVAL_SUMMARY_H

#define EVAL_SUMMARY_COLUMNS                                                                     \
	"stream,kind,frames,decodable,decodable_fps,raw_fps,gap_p99_ms,gap_max_ms,i_frames,"     \
	"i_delivered,window_x,window_y,windows,window_violations,msgs,on_time,late,lost"

#endif /* QSOCK_EVAL_SUMMARY_H */
