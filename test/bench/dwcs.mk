# dwcs_core microbenchmark: cost per decision at 100 / 1,000 / 10,000 streams.
DWCS_BENCH := $(BUILD)/test/bench/dwcs_bench
TEST_BINS += $(DWCS_BENCH)
BENCHES += $(DWCS_BENCH)

$(DWCS_BENCH): $(BUILD)/test/bench/dwcs_bench.o $(BUILD)/kmod/dwcs_core.o $(BUILD)/kmod/dwcs_tree.o
	$(quiet) LINK $@
	$(Q)$(CC) $(LDFLAGS) -o $@ $^

# The VM half: UDP flood through pfifo, fq, dwcs and dwcs-bpf, side by side in one boot per kernel.
BENCHES += test/bench/vm-flood
