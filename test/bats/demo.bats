#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# scripts/demo's own behaviour, with the test VM replaced by a fake runner (QSOCK_DEMO_VM):
# every line from the VM is shown with the elapsed time, and the demo gives up with a clear
# message, killing the VM, when the VM stalls or times out, instead of hanging.

load ../lib/common

setup() {
	require_file "$QSOCK_BUILD/test/apps/video-server" make
	OUT=$(mktemp -d "$QSOCK_BUILD/demo-test.XXXXXX")
	defer rm -rf "$OUT"
	FAKE=$BATS_TEST_TMPDIR/fake-vm
}

@test "demo: the VM's progress lines are shown with the elapsed time; a stalled VM is given up and killed" {
	cat >"$FAKE" <<EOF
#!/bin/bash
echo \$\$ >"$BATS_TEST_TMPDIR/pid"
echo "fig4 api: running"
exec sleep 1000
EOF
	chmod +x "$FAKE"
	start=$SECONDS
	QSOCK_DEMO_VM=$FAKE QSOCK_DEMO_STALL=2 run t "$QSOCK_REPO/scripts/demo" "$OUT"
	assert_status 1
	[ $((SECONDS - start)) -lt 20 ]
	assert_output_contains "demo: booting the test VM for fig4"
	assert_output_contains "[ 0:00]   vm: fig4 api: running"
	assert_output_contains "demo: GAVE UP: no output from the VM for 2 s"
	assert_output_contains "QSOCK_DEMO_STALL=SECONDS"
	pid=$(cat "$BATS_TEST_TMPDIR/pid")
	wait_until 5 sh -c "! kill -0 $pid"
}

@test "demo: a VM that times out or dies is named as such" {
	for rc in 240:"did not finish within" 241:"the VM died" 242:"could not be started"; do
		printf '#!/bin/bash\necho "fig4 api: running"\nexit %s\n' "${rc%%:*}" >"$FAKE"
		chmod +x "$FAKE"
		QSOCK_DEMO_VM=$FAKE run t "$QSOCK_REPO/scripts/demo" "$OUT"
		assert_status 1
		assert_output_contains "${rc#*:}"
		assert_output_contains "the VM run produced nothing (exit ${rc%%:*})"
	done
}

@test "demo: a finished run prints the result table, and qsock beside the best stock contender" {
	require_cmd gnuplot
	fix=$QSOCK_REPO/test/bats/fixtures/figures
	# The fake VM leaves what test/scenarios/figures.sh would: the published runs of Figures 4
	# and 7 (docs/figures) and, as a run that had the comparisons would, cmp-a and cmp-b.
	cat >"$FAKE" <<EOF
#!/bin/bash
out=\$3
"$fix/from-docs" "\$out"
cp -r "$fix/cmp-a" "$fix/cmp-b" "\$out"/
printf 'fig4 api ran\nfig4 shim ran\nfig4 unmanaged ran\n' >"\$out/variants.txt"
echo "fig4: done"
EOF
	chmod +x "$FAKE"
	QSOCK_DEMO_VM=$FAKE run t "$QSOCK_REPO/scripts/demo" "$OUT"
	assert_status 0
	assert_output_contains "Result table (frames per second per 5 s interval; $OUT/table.md):"
	assert_output_contains "| 15-20 * | 20.00 | 20.00 | 18.00 |"
	assert_output_contains "Against stock Linux QoS"
	assert_output_contains "    best stock: prio, top band            19.80 decodable fps, gap p99 55.2 ms"
	assert_output_contains "  B (4 streams, 130 % load): qsock 69.90 decodable fps, best stock fq 56.00, ratio 1.25×"
	assert_output_contains "Figures: fig4.png fig5.png fig7.png cmp-a.png cmp-b.png in $OUT"
	grep -q "^### Comparison B:" "$OUT/table.md"
}
