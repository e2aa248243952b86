# test/apps — the programs of the paper's evaluation (docs/evaluation.md): a simulated MPEG
# video server and its client (Figures 4-6), a sensor sender and its receiver (Figure 7),
# qsock-root (qsockinit/qsockfini for the scenarios), stall-probe (how long the machine left
# the run's processes unscheduled) and edf-oracle (whether any scheduler could have delivered a
# run's frames: scenario B's yardstick).
# The Q.Sockets paths (--qsock, qsock-root) are compiled in only when libqsock is part of the
# tree (include/qsock.h and lib/build.mk's LIB_SO).
# Files named paper-*, dwcs-*, shim-*, lib_driver here belong to other components and their
# own .mk files.

EVAL_APPS_DIR := $(BUILD)/test/apps
EVAL_APPS := $(addprefix $(EVAL_APPS_DIR)/,video-server video-client sensor-sender sensor-receiver \
	stall-probe edf-oracle)
EVAL_UTIL_OBJS := $(EVAL_APPS_DIR)/eval-util.o $(EVAL_APPS_DIR)/eval-cli.o
EVAL_VIDEO_OBJS := $(addprefix $(EVAL_APPS_DIR)/,video-server.o video-send.o video-quality.o \
	eval-sockopts.o)
EVAL_SENSOR_OBJS := $(addprefix $(EVAL_APPS_DIR)/,sensor-sender.o sensor-send.o eval-sockopts.o)

ifneq ($(and $(wildcard include/qsock.h),$(LIB_SO)),)
EVAL_QSOCK := 1
EVAL_APPS += $(EVAL_APPS_DIR)/qsock-root
EVAL_VIDEO_OBJS += $(EVAL_APPS_DIR)/video-qsock.o $(EVAL_APPS_DIR)/eval-qsock.o
EVAL_SENSOR_OBJS += $(EVAL_APPS_DIR)/sensor-qsock.o $(EVAL_APPS_DIR)/eval-qsock.o
$(EVAL_VIDEO_OBJS) $(EVAL_SENSOR_OBJS): CFLAGS += -DHAVE_QSOCK
# Found next to the binary in the checkout (the VM mounts it at the same path).
EVAL_QSOCK_LIBS := -L$(BUILD)/lib -Wl,-rpath,$(CURDIR)/$(BUILD)/lib -lqsock
$(EVAL_APPS_DIR)/video-server $(EVAL_APPS_DIR)/sensor-sender $(EVAL_APPS_DIR)/qsock-root: $(LIB_SO)
$(EVAL_APPS_DIR)/video-server $(EVAL_APPS_DIR)/sensor-sender $(EVAL_APPS_DIR)/qsock-root: \
	EVAL_LDLIBS += $(EVAL_QSOCK_LIBS)
$(EVAL_APPS_DIR)/qsock-root: $(EVAL_APPS_DIR)/qsock-root.o $(EVAL_UTIL_OBJS)
endif

TEST_BINS += $(EVAL_APPS)

$(EVAL_APPS_DIR)/video-server: $(EVAL_VIDEO_OBJS) $(EVAL_UTIL_OBJS)
$(EVAL_APPS_DIR)/video-client: $(addprefix $(EVAL_APPS_DIR)/,video-client.o gap-stats.o \
	video-quality.o) $(EVAL_UTIL_OBJS)
$(EVAL_APPS_DIR)/sensor-sender: $(EVAL_SENSOR_OBJS) $(EVAL_UTIL_OBJS)
$(EVAL_APPS_DIR)/sensor-receiver: $(EVAL_APPS_DIR)/sensor-receiver.o $(EVAL_APPS_DIR)/gap-stats.o \
	$(EVAL_UTIL_OBJS)
$(EVAL_APPS_DIR)/stall-probe: $(EVAL_APPS_DIR)/stall-probe.o $(EVAL_APPS_DIR)/gap-stats.o $(EVAL_UTIL_OBJS)
$(EVAL_APPS_DIR)/edf-oracle: $(addprefix $(EVAL_APPS_DIR)/,edf-oracle.o frame-oracle.o \
	video-quality.o) $(EVAL_UTIL_OBJS)

$(EVAL_APPS): EVAL_LDLIBS += -lm
$(EVAL_APPS):
	$(quiet) LD $@
	$(Q)$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(EVAL_LDLIBS)

# `make figures`: all four figures of the paper (4 and 5 from one scenario, 6, 7) in the test
# VM, written to results/ (about 10 minutes).
.PHONY: figures
figures: build-all
	$(Q)scripts/demo --all
