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

# One boot of the default kernel serves the facts of the first tests below (each boot costs
# ~15 s of emulation): its output, exit status and the checkout mark are kept for them.
# The guest prints one tagged line per fact and ends with a status of its own (7: neither the
# runner's 0/1 nor one of its own 240-243). Loading warnmod without warn=1 is part of it: a
# module that loads quietly must not turn the run into a kernel splat (243).
setup_file() {
	local mark="$QSOCK_BUILD/vm-test-$$" mod primary rc newest
	primary=$("$QSOCK_REPO/scripts/kernels" primary)
	[ -x /usr/bin/qemu-system-x86_64 ] && [ -n "$primary" ] || return 0
	mod="$QSOCK_BUILD/kmod/$primary/warnmod/warnmod.ko"
	export SHARED_MARK=$mark SHARED_OUT=$BATS_FILE_TMPDIR/shared.out
	"$QSOCK_REPO/scripts/vm" --timeout 120 -- sh -c "
		echo kernel=\$(uname -r); echo pwd=\$(pwd)
		touch '$mark' && touch /tmp/a /run/a && ! touch /usr/qsock-ro-test 2>/dev/null && echo writable-ok
		modprobe veth && modprobe sch_htb && modprobe cls_bpf &&
			ip netns add a && ip netns add b &&
			ip link add x netns a type veth peer name y netns b &&
			ip -n a link set x up && tc -n a qdisc add dev x root handle 1: htb && echo net-ok
		[ -e '$mod' ] && insmod '$mod' && echo warnmod-quiet-ok
		exit 7" >"$SHARED_OUT" 2>&1 && rc=0 || rc=$?
	echo "$rc" >"$BATS_FILE_TMPDIR/shared.status"
	# A second boot, of the newest plain kernel, for two more facts: --kernel RELEASE boots
	# that release and its modules load, and a WARNING its warnmod logs fails the run (243).
	newest=$("$QSOCK_REPO/scripts/kernels" images | grep -v -- '-rt-' | tail -n 1)
	[ -n "$newest" ] && [ "$newest" != "$primary" ] || return 0
	mod="$QSOCK_BUILD/kmod/$newest/warnmod/warnmod.ko"
	export NEWEST=$newest NEWEST_OUT=$BATS_FILE_TMPDIR/newest.out
	"$QSOCK_REPO/scripts/vm" --kernel "$newest" --timeout 120 -- sh -c "
		uname -r; modprobe sch_htb && echo modprobe-ok
		insmod '$mod' warn=1 && echo insmod-ok" >"$NEWEST_OUT" 2>&1 && rc=0 || rc=$?
	echo "$rc" >"$BATS_FILE_TMPDIR/newest.status"
}

# newest_boot: skip unless setup_file booted the newest kernel; then $output and $status are
# that boot's.
newest_boot() {
	[ -s "$BATS_FILE_TMPDIR/newest.status" ] ||
		skip "only one plain kernel is installed ($PRIMARY), or its warnmod is not built"
	output=$(cat "$NEWEST_OUT")
	status=$(cat "$BATS_FILE_TMPDIR/newest.status")
	echo "$output"
}

teardown_file() { rm -f "${SHARED_MARK:-}"; }

# shared_boot: skip unless setup_file's boot ran; then $output and $status are its own.
shared_boot() {
	[ -s "$BATS_FILE_TMPDIR/shared.status" ] || skip "the shared boot did not run"
	output=$(cat "$SHARED_OUT")
	status=$(cat "$BATS_FILE_TMPDIR/shared.status")
	echo "$output"
}

@test "vm: boots the primary kernel by default, streams the command's output, returns its exit status" {
	shared_boot
	assert_status 7
	assert_output_contains "kernel=$PRIMARY"
}

@test "vm: --kernel RELEASE boots that release, whose modules load (virtio_pci built in or not)" {
	newest_boot
	assert_output_contains "$NEWEST"
	assert_output_contains "modprobe-ok"
}

@test "vm: --kernel with an unknown release is a setup error naming the installed ones" {
	run $QSOCK_REPO/scripts/vm --kernel 0.0.0-none -- true
	assert_status 242
	assert_output_contains '"0.0.0-none"'
	assert_output_contains "$PRIMARY"
}

@test "vm: checkout is read-write at the same path, host root read-only, /tmp and /run writable" {
	shared_boot
	assert_output_contains "pwd=$PWD"
	assert_output_contains "writable-ok"
	[ -e "$SHARED_MARK" ]
}

@test "vm: stock modules load and network namespaces work" {
	shared_boot
	assert_output_contains "net-ok"
}

@test "vm: a kernel WARNING in the guest fails the run (exit 243) even when the command succeeds" {
	# loaded without warn=1 in the shared boot: no splat, the command's own status
	shared_boot
	assert_status 7
	assert_output_contains "warnmod-quiet-ok"
	# with warn=1, in the newest kernel's boot: the command succeeded, the run fails
	newest_boot
	assert_status 243
	assert_output_contains "insmod-ok"
	assert_output_contains "KERNEL SPLAT"
	assert_output_contains "deliberate warning"
}

@test "vm: a timeout is reported with its own status (240)" {
	# shorter than a boot: the command never starts, and the timeout is still reported
	run $QSOCK_REPO/scripts/vm --timeout 4 -- sleep 60
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

# fake_qemu MODE: a qemu-system-x86_64 first on PATH that boots nothing; it counts its starts
# in $BATS_TEST_TMPDIR/boots and plays one guest: "dies-booting" (never reaches
# vm-guest-init's start mark), "dies-after-start" (marks the start, then dies), "dies-once"
# (dies booting the first time, then runs a command that exits 0). Real qemu is not needed,
# so these cost no emulation.
fake_qemu() {
	mkdir -p "$BATS_TEST_TMPDIR/bin"
	cat >"$BATS_TEST_TMPDIR/bin/qemu-system-x86_64" <<-FAKE
	#!/bin/bash
	boots=\$(( \$(cat "$BATS_TEST_TMPDIR/boots" 2>/dev/null || echo 0) + 1 ))
	echo \$boots >"$BATS_TEST_TMPDIR/boots"
	share=
	for a in "\$@"; do
		case \$a in local,path=*,mount_tag=share,*) share=\${a#local,path=}; share=\${share%%,*} ;; esac
	done
	case "$1" in
	dies-after-start) : >"\$share/started" ;;
	dies-once) [ \$boots -ge 2 ] && { : >"\$share/started"; : >"\$share/dmesg"; echo 0 >"\$share/status"; } ;;
	esac
	exit 0
	FAKE
	chmod +x "$BATS_TEST_TMPDIR/bin/qemu-system-x86_64"
	FAKE_PATH=$BATS_TEST_TMPDIR/bin:$PATH
}

@test "vm: a guest that dies while booting, before anything of qsock ran, is booted once more" {
	fake_qemu dies-once
	PATH=$FAKE_PATH run $QSOCK_REPO/scripts/vm --timeout 30 -- true
	assert_status 0
	[ "$(cat "$BATS_TEST_TMPDIR/boots")" = 2 ]
	assert_output_contains "died while booting"
	assert_output_contains "boot 1 of 2"
}

@test "vm: a guest that died after the command started is never booted again (241)" {
	fake_qemu dies-after-start
	PATH=$FAKE_PATH run $QSOCK_REPO/scripts/vm --timeout 30 -- true
	assert_status 241
	[ "$(cat "$BATS_TEST_TMPDIR/boots")" = 1 ]
	assert_output_contains "GUEST DIED"
}

@test "vm: a guest that dies at every boot fails after QSOCK_VM_BOOT_TRIES boots (241); a bad count is a setup error" {
	fake_qemu dies-booting
	QSOCK_VM_BOOT_TRIES=3 PATH=$FAKE_PATH run $QSOCK_REPO/scripts/vm --timeout 30 -- true
	assert_status 241
	[ "$(cat "$BATS_TEST_TMPDIR/boots")" = 3 ]
	assert_output_contains "boot 2 of 3"
	assert_output_contains "GUEST DIED"
	QSOCK_VM_BOOT_TRIES=0 PATH=$FAKE_PATH run $QSOCK_REPO/scripts/vm --timeout 30 -- true
	assert_status 242
	assert_output_contains "QSOCK_VM_BOOT_TRIES"
}
