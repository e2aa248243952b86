#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# Packaging facts that must stay true: each component's licence as COPYING states it (every
# file's SPDX line), the texts present, and one version number.

load ../lib/common

# spdx FILE: the licence expression of FILE's SPDX line
spdx() { sed -n 's/.*SPDX-License-Identifier: \(.*\)$/\1/p' "$1" | head -n 1 | sed 's| \*/$||'; }

@test "licences: every file says the licence COPYING gives its component, and the texts are there" {
	cd "$QSOCK_REPO"
	for f in LICENSES/GPL-2.0 LICENSES/LGPL-2.1 LICENSES/BSD-2-Clause COPYING; do [ -s "$f" ]; done
	bad=0
	for f in $(git ls-files 'lib/*.c' 'lib/*.h' include/qsock.h 'proto/*.c' 'proto/*.h'); do
		case $f in
		lib/bpf/dwcs_qdisc.bpf.c) want=GPL-2.0 ;;
		lib/bpf/*) want="(LGPL-2.1-or-later OR BSD-2-Clause)" ;;
		*) want=LGPL-2.1-or-later ;;
		esac
		[ "$(spdx "$f")" = "$want" ] || { echo "$f: '$(spdx "$f")', COPYING says $want"; bad=1; }
	done
	for f in $(git ls-files 'kmod/*.c' 'kmod/*.h' 'tools/*.c' 'shim/*.c' 'conf/*.c' 'daemon/*.c'); do
		[ "$(spdx "$f")" = GPL-2.0 ] || { echo "$f: '$(spdx "$f")', COPYING says GPL-2.0"; bad=1; }
	done
	[ "$(spdx include/uapi/linux/pkt_sch_dwcs.h)" = "GPL-2.0 WITH Linux-syscall-note" ]
	[ "$bad" -eq 0 ]
}

@test "one version number: VERSION is the tools', qsockd's, libqsock's, qsock.pc's, DKMS's and the module's" {
	v=$(cat "$QSOCK_REPO/VERSION")
	[[ "$v" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]
	[ "$("$QSOCK_BUILD/tools/qsock/qsock" --version)" = "qsock $v" ]
	[ "$("$QSOCK_BUILD/daemon/qsockd" --version)" = "qsockd $v" ]
	[ -e "$QSOCK_BUILD/lib/libqsock.so.$v" ]
	grep -qx "Version: $v" "$QSOCK_BUILD/lib/qsock.pc"
	src=$(make -s -C "$QSOCK_REPO" dkms-source | tail -n 1)
	[ "$(basename "$src")" = "sch-dwcs-$v" ]
	grep -qx "PACKAGE_VERSION=\"$v\"" "$QSOCK_REPO/$src/dkms.conf"
	[ "$(cat "$QSOCK_REPO/$src/VERSION")" = "$v" ]
	found=0
	for ko in "$QSOCK_BUILD"/kmod/*/dwcs/sch_dwcs.ko; do
		[ -e "$ko" ] || continue
		[ "$(modinfo -F version "$ko")" = "$v" ] || { echo "$ko: version $(modinfo -F version "$ko")"; false; }
		found=1
	done
	[ "$found" -eq 1 ] || skip "no sch_dwcs.ko built (no kernel headers)"
}
