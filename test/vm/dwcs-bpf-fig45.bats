#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# Figures 4 and 5 on dwcs-bpf, the BPF qdisc (issue 16): the scenario of eval-fig45.bats with
# the managed variants' scheduler switched to "dwcs-bpf" (SCEN_QSOCK_SCHED, read by
# test/scenarios/lib.sh for qsockinit and the shim's rule, and by the senders' qattach). The
# same claim, with the same tolerances: >= 17 fps in every interval under bulk TCP, through the
# API and for the unmodified server under the shim. That unmanaged streams fall is shown on
# the module by eval-fig45.bats; it does not depend on the scheduler. Runs where BPF qdiscs
# exist (the smoke role, test/vm/build.mk); elsewhere every test skips and says why.

load ../lib/common
load ../lib/eval

DURATION=12
export PERTURB_AT=2
export SCEN_QSOCK_SCHED=dwcs-bpf

setup() {
	grep -qaF bpf_struct_ops_Qdisc_ops /sys/kernel/btf/vmlinux 2>/dev/null ||
		skip "kernel $(uname -r) has no BPF qdiscs (CONFIG_NET_SCH_BPF, Linux 6.16+, Debian 6.17+)"
	OUT=$(mktemp -d "$QSOCK_BUILD/dwcs-bpf-fig45.XXXXXX")
	defer rm -rf "$OUT"
}

api_claim() { video_managed_claim api "$DURATION"; }
shim_claim() { video_managed_claim shim "$DURATION"; }

@test "dwcs-bpf fig4/5: through the API the stream keeps its frame rate under bulk TCP" {
	eval_require_managed
	eval_twice api_claim
}

@test "dwcs-bpf fig4/5: the unmodified server under the shim keeps its frame rate under bulk TCP" {
	eval_require_managed shim
	eval_twice shim_claim
}
