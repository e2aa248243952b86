# dwcs_core unit and property tests: the scheduler core of kmod/ compiled in user space; and
# dwcs-bpf's rules (lib/bpf/dwcs_bpf_rules*.h) replayed on the same traces beside the core.
DWCS_CORE_OBJS := $(BUILD)/kmod/dwcs_core.o $(BUILD)/kmod/dwcs_tree.o
DWCS_UNIT := $(BUILD)/test/unit/dwcs_core_test $(BUILD)/test/unit/dwcs_property_test \
	     $(BUILD)/test/unit/dwcs_tree_test $(BUILD)/test/unit/dwcs_bpf_model_test
UNIT_TESTS += $(DWCS_UNIT)

$(DWCS_UNIT): $(BUILD)/test/unit/%: $(BUILD)/test/unit/%.o $(DWCS_CORE_OBJS)
	$(quiet) LINK $@
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ -lcmocka
