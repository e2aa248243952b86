HOST_BATS += $(sort $(wildcard test/bats/*.bats))
