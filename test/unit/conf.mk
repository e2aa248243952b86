# SPDX-License-Identifier: GPL-2.0
# Unit tests of conf/: presets against built packets, loading and validation (errors with
# their line numbers), stream and message matching, compiled message rules vs the interpreter,
# rates in media terms (bitrate, fps) and their grants.
CONF_UNIT := $(BUILD)/test/unit/conf_presets $(BUILD)/test/unit/conf_load \
	     $(BUILD)/test/unit/conf_match $(BUILD)/test/unit/conf_prog $(BUILD)/test/unit/conf_rate
UNIT_TESTS += $(CONF_UNIT)

$(CONF_UNIT): $(BUILD)/test/unit/%: $(BUILD)/test/unit/%.o $(CONF_LIB)
	$(quiet) LINK $@
	$(Q)$(CC) -o $@ $< $(CONF_LIB) $(LDFLAGS) -lcmocka $(CONF_LIBS)
