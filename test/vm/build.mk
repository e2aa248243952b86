# The WARNING-on-demand module used to test scripts/vm's dmesg check, for every kernel
# sch_dwcs.ko is built for (kmod/build.mk: KMOD_KVERS), under build/kmod/RELEASE/warnmod/.
define warnmod_rule
$(call kmod_dir,$(1))/warnmod/warnmod.ko: test/vm/warnmod/warnmod.c test/vm/warnmod/Kbuild
	$$(quiet) KBUILD "$$@"
	$(Q)rm -rf $$(@D) && mkdir -p $$(@D) && cp $$^ $$(@D)/
	+$(Q)$$(call KBUILD,$(call kmod_kdir,$(1)),$$(@D)) modules
endef
$(foreach k,$(KMOD_KVERS),$(eval $(call warnmod_rule,$(k))))
TEST_BINS += $(foreach k,$(KMOD_KVERS),$(call kmod_dir,$(k))/warnmod/warnmod.ko)

# dwcs-bpf*.bats need a kernel with BPF qdiscs (6.16+): scripts/run-vm-matrix adds them to the
# run of every kernel built with CONFIG_NET_SCH_BPF (today the newest, unpacked,
# in the smoke role); elsewhere they would only skip.
VM_BATS_BPF_QDISC := test/vm/dwcs-bpf.bats test/vm/dwcs-bpf-fig45.bats
VM_BATS += $(filter-out $(VM_BATS_BPF_QDISC),$(sort $(wildcard test/vm/*.bats)))
# The roles of scripts/run-vm-matrix: the heavy files run on the primary kernel only; the smoke
# files are all a smoke kernel (PREEMPT_RT, unpacked) runs.
# Heavy: timing-heavy (the evaluation, Table 1, Figures 4-7 and the comparison with stock QoS;
# the shaper's 2 % precision at four rates, exercised functionally by the other files on every
# kernel; the shim's video claim and its real encoder's, whose classification and message
# rules the host suite and dwcs-traffic cover on every kernel) and scale (10,000 classes;
# dwcs-robust.bats's churn runs everywhere).
VM_BATS_HEAVY := $(sort $(wildcard test/vm/eval-*.bats)) test/vm/dwcs-shaper.bats \
	test/vm/dwcs-scale.bats test/vm/shim-video.bats test/vm/shim-encoders.bats
VM_BATS_SMOKE  := test/vm/dwcs-smoke.bats
# Timing: the files whose claims time the scheduler closely (the evaluation, the shaper's 2 %,
# the shim's video and encoder claims, Figures 4/5 on the BPF qdisc). scripts/run-vm-matrix
# runs them in a boot of their own, alone on the machine, after every other boot (which run
# two at once): a guest beside another is slower and stalls more.
VM_BATS_TIMING := $(filter-out test/vm/dwcs-scale.bats,$(VM_BATS_HEAVY)) test/vm/dwcs-bpf-fig45.bats
