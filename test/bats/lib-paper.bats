#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# The paper's four code examples (test/apps/paper-*.c, compiled as printed with only
# `#include <qsock.h>` added). They name the dwcs scheduler, which the host kernel lacks, so
# here they must fail cleanly with a message that says what to do; test/vm/lib-dwcs.bats runs
# them for real with sch_dwcs.ko loaded.

load ../lib/common

setup() {
	require_root
	require_cmd nsenter tc
	for e in init qsocket qsendto qattach; do
		require_file "$QSOCK_BUILD/test/apps/paper-$e" "make"
	done
	[ ! -d /sys/module/sch_dwcs ] || skip "sch_dwcs is loaded here: test/vm/lib-dwcs.bats covers it"
	new_ns S qsp
	new_ns R qsp
	veth_pair "$S" 10.98.0.1/24 "$R" 10.98.0.2/24
	IN="nsenter --net=/run/netns/$S"
	export QSOCK_EXAMPLE_DEV=veth0 QSOCK_EXAMPLE_PEER=10.98.0.2
}

@test "paper §3.1.1: qsockinit without the dwcs module fails with a message saying what to do" {
	run t $IN "$QSOCK_BUILD/test/apps/paper-init"
	assert_status 1
	assert_output_contains "qsockinit: this kernel has no dwcs qdisc: load the module first"
	run $IN tc -j qdisc show dev veth0
	json_eq "$output" '.[0].kind' noqueue	# nothing left behind
}

@test "paper §3.1.2, §3.1.3, §3.2: without qsockinit the calls fail and leave no fd or class" {
	run t $IN "$QSOCK_BUILD/test/apps/paper-qsocket"
	assert_status 1
	assert_output_contains "qsocket: no qsock scheduler on veth0: call qsockinit first"
	run t $IN "$QSOCK_BUILD/test/apps/paper-qsendto"
	assert_status 1
	assert_output_contains "qsocket: no qsock scheduler on veth0"
	run t $IN "$QSOCK_BUILD/test/apps/paper-qattach"
	assert_status 1
	assert_output_contains "qattach did not attach: qinfo: fd"
	assert_output_contains "has no stream (qattach it first)"
}
