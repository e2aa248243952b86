# SPDX-License-Identifier: GPL-2.0
# The evaluation's viewer model (test/apps/video-quality.c): which frames a decoder can show.
EVAL_QUALITY_UNIT := $(BUILD)/test/unit/eval_video_quality
UNIT_TESTS += $(EVAL_QUALITY_UNIT)

$(EVAL_QUALITY_UNIT): $(BUILD)/test/unit/eval_video_quality.o $(BUILD)/test/apps/video-quality.o
	$(quiet) LINK $@
	$(Q)$(CC) -o $@ $^ $(LDFLAGS) -lcmocka
