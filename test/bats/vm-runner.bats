#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# scripts/vm, the test VM runner: it must report the guest command's exit status and output
# faithfully, and fail the run when the guest kernel complains.

load ../lib/common

setup() {
	require_file /usr/bin/qemu-system-x86_64 "qemu-system-x86, from scripts/deps"
	PRIMARY=$("$QSOCK_REPO/scripts/kernels" primary)
	[ -n "$PRIMARY" ] || skip "needs an installed kernel image (linux-image-amd64, from scripts/deps)"
	VM="$QSOCK_REPO/scripts/vm --timeout 120"
}

# One boot for three facts (each boot costs ~15 s of emulation): the default kernel, the
# output streamed as the command wrote it, and the command's own exit status (7: neither the
# runner's 0/1 nor one of its own 240-243).
@test "vm: boots the primary kernel by default, streams the command's output, returns its exit status" {
	run $VM -- sh -c 'uname -r; exit 7'
	assert_status 7
	[ "$output" = "$PRIMARY" ] || { echo "expected $PRIMARY, got: $output"; false; }
}

@test "vm: --kernel RELEASE boots that release, whose modules load (virtio_pci built in or not)" {
	newest=$("$QSOCK_REPO/scripts/kernels" images | grep -v -- '-rt-' | tail -n 1)
	[ "$newest" != "$PRIMARY" ] || skip "only one plain kernel is installed ($PRIMARY)"
	run $VM --kernel "$newest" -- sh -c 'uname -r; modprobe sch_htb && echo modprobe-ok'
	assert_status 0
	assert_output_contains "$newest"
	assert_output_contains "modprobe-ok"
}

@test "vm: --kernel with an unknown release is a setup error naming the installed ones" {
	run $QSOCK_REPO/scripts/vm --kernel 0.0.0-none -- true
	assert_status 242
	assert_output_contains '"0.0.0-none"'
	assert_output_contains "$PRIMARY"
}

@test "vm: checkout is read-write at the same path, host root read-only, /tmp and /run writable" {
	mark="$QSOCK_BUILD/vm-test-$$"
	run $VM -- sh -c "pwd; touch '$mark' && touch /tmp/a /run/a && ! touch /usr/qsock-ro-test 2>/dev/null && echo writable-ok"
	assert_status 0
	assert_output_contains "$PWD"
	assert_output_contains "writable-ok"
	[ -e "$mark" ]
	rm -f "$mark"
}

@test "vm: stock modules load and network namespaces work" {
	run $VM -- sh -c 'modprobe veth && modprobe sch_htb && modprobe cls_bpf &&
		ip netns add a && ip netns add b &&
		ip link add x netns a type veth peer name y netns b &&
		ip -n a link set x up && tc -n a qdisc add dev x root handle 1: htb && echo net-ok'
	assert_status 0
	assert_output_contains "net-ok"
}

@test "vm: a kernel WARNING in the guest fails the run (exit 243) even when the command succeeds" {
	mod="$QSOCK_BUILD/kmod/$PRIMARY/warnmod/warnmod.ko"
	require_file "$mod" "built by make"
	run $VM -- insmod "$mod"
	assert_status 0
	run $VM -- insmod "$mod" warn=1
	assert_status 243
	assert_output_contains "KERNEL SPLAT"
	assert_output_contains "deliberate warning"
}

@test "vm: a timeout is reported with its own status (240)" {
	run $QSOCK_REPO/scripts/vm --timeout 8 -- sleep 60
	assert_status 240
	assert_output_contains "TIMEOUT"
}

@test "vm: bad arguments and a missing kernel are setup errors (242)" {
	run $QSOCK_REPO/scripts/vm --kernel /nonexistent/vmlinuz -- true
	assert_status 242
	assert_output_contains "/nonexistent/vmlinuz"
	run $QSOCK_REPO/scripts/vm --mem lots -- true
	assert_status 242
	run $QSOCK_REPO/scripts/vm
	assert_status 242
}
