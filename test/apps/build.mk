# test/apps — the programs of the paper's evaluation (docs/evaluation.md): a simulated MPEG
# video server and its client (Figures 4-6), a sensor sender and its receiver (Figure 7).
# The --qsock modes are compiled in only when libqsock exists (include/qsock.h + lib/).
# Files named paper-*, dwcs-*, shim-* here belong to other components and their own build.mk.

EVAL_APPS_DIR := $(BUILD)/test/apps
EVAL_APPS := $(addprefix $(EVAL_APPS_DIR)/,video-server video-client sensor-sender sensor-receiver)
BINS += $(EVAL_APPS)

EVAL_UTIL_OBJS := $(EVAL_APPS_DIR)/eval-util.o

$(EVAL_APPS_DIR)/video-server: $(EVAL_APPS_DIR)/video-server.o $(EVAL_APPS_DIR)/video-send.o $(EVAL_UTIL_OBJS)
$(EVAL_APPS_DIR)/video-client: $(EVAL_APPS_DIR)/video-client.o $(EVAL_APPS_DIR)/gap-stats.o $(EVAL_UTIL_OBJS)
$(EVAL_APPS_DIR)/sensor-sender: $(EVAL_APPS_DIR)/sensor-sender.o $(EVAL_APPS_DIR)/sensor-send.o $(EVAL_UTIL_OBJS)
$(EVAL_APPS_DIR)/sensor-receiver: $(EVAL_APPS_DIR)/sensor-receiver.o $(EVAL_UTIL_OBJS)

$(EVAL_APPS): EVAL_LDLIBS = -lm
$(EVAL_APPS):
	$(quiet) LD $@
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(EVAL_LDLIBS)
