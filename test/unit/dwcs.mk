# dwcs_core unit and property tests: the scheduler core of kmod/ compiled in user space; and
# dwcs-bpf's rules (lib/bpf/dwcs_bpf_rules*.h) replayed on the same traces beside the core.
DWCS_CORE_OBJS := $(BUILD)/kmod/dwcs_core.o $(BUILD)/kmod/dwcs_tree.o
DWCS_UNIT := $(BUILD)/test/unit/dwcs_core_test $(BUILD)/test/unit/dwcs_property_test \
	     $(BUILD)/test/unit/dwcs_tree_test $(BUILD)/test/unit/dwcs_bpf_model_test
UNIT_TESTS += $(DWCS_UNIT)

$(DWCS_UNIT): $(BUILD)/test/unit/%: $(BUILD)/test/unit/%.o $(DWCS_CORE_OBJS)
	$(quiet) LINK $@
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ -lcmocka

# The tree's other builds (kmod/dwcs_tree.c), each with the same tree and property tests: its
# portable match (the x86-64 one is what the machines here run), and every match on three
# keys (otherwise only READY's in table A from 2,048 streams on).
define dwcs_tree_variant
$(BUILD)/kmod/dwcs_tree_$(1).o: kmod/dwcs_tree.c
	$$(quiet) CC $$@
	$$(Q)mkdir -p $$(dir $$@)
	$$(Q)$$(CC) $$(ALL_CFLAGS) $(2) -c -o $$@ $$<

$(BUILD)/test/unit/dwcs_tree_test_$(1) $(BUILD)/test/unit/dwcs_property_test_$(1): \
$(BUILD)/test/unit/%_$(1): $(BUILD)/test/unit/%.o $(BUILD)/kmod/dwcs_core.o $(BUILD)/kmod/dwcs_tree_$(1).o
	$$(quiet) LINK $$@
	$$(Q)$$(CC) $$(LDFLAGS) -o $$@ $$^ -lcmocka

UNIT_TESTS += $(BUILD)/test/unit/dwcs_tree_test_$(1) $(BUILD)/test/unit/dwcs_property_test_$(1)
endef
$(eval $(call dwcs_tree_variant,portable,-DDWCS_TREE_PORTABLE_MATCH))
$(eval $(call dwcs_tree_variant,third,-DDWCS_TREE_ALWAYS_THIRD_KEY))
