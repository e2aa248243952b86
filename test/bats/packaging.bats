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

# install_into DEST [VAR=VALUE...]: `make install` into the staging directory DEST.
install_into() {
	local dest=$1
	shift
	run t make -C "$QSOCK_REPO" -s install DESTDIR="$dest" "$@"
	[ "$status" -eq 0 ] || { echo "$output"; false; }
}

# files_outside DEST DIR: what DEST holds (files and links) anywhere but under DEST/DIR.
files_outside() { (cd "$1" && find . ! -type d ! -path ".$2/*" | sort); }

@test "make install PREFIX=/usr: libraries in the multiarch directory, nothing outside /usr" {
	require_cmd make cc
	multiarch=$(cc -print-multiarch)
	[ -n "$multiarch" ] || skip "cc -print-multiarch says nothing (not a multiarch system)"
	dest=$BATS_TEST_TMPDIR/root
	install_into "$dest" PREFIX=/usr
	lib=$dest/usr/lib/$multiarch
	for f in libqsock.so libqsock.so.1 libqsockshim.so pkgconfig/qsock.pc tc/q_dwcs.so; do
		[ -e "$lib/$f" ] || { echo "no $lib/$f"; find "$dest"; false; }
	done
	# tc's own plugin directory on Debian: the plugin is where the installed tc looks
	if [ -x /usr/sbin/tc ]; then
		strings /usr/sbin/tc | grep -qx "/usr/lib/$multiarch/tc/" || echo "# tc looks elsewhere"
	fi
	[ -z "$(cd "$dest/usr/lib" && find . -maxdepth 1 ! -type d)" ]
	grep -qx "libdir=/usr/lib/$multiarch" "$lib/pkgconfig/qsock.pc"
	[ -f "$dest/usr/lib/systemd/system/qsockd.service" ]
	grep -q "^ExecStart=/usr/sbin/qsockd " "$dest/usr/lib/systemd/system/qsockd.service"
	# qsock run preloads the shim where it was installed
	strings "$dest/usr/bin/qsock" | grep -qx "/usr/lib/$multiarch/libqsockshim.so"
	run files_outside "$dest" /usr
	[ -z "$output" ] || { echo "installed outside /usr: $output"; false; }
}

@test "make install with the default PREFIX: PREFIX/lib, and nothing outside /usr/local" {
	require_cmd make
	dest=$BATS_TEST_TMPDIR/root
	install_into "$dest"
	for f in bin/qsock sbin/qsockd lib/libqsock.so lib/libqsockshim.so lib/pkgconfig/qsock.pc \
		lib/tc/q_dwcs.so lib/systemd/system/qsockd.service include/qsock.h; do
		[ -e "$dest/usr/local/$f" ] || { echo "no /usr/local/$f"; find "$dest"; false; }
	done
	grep -q "^ExecStart=/usr/local/sbin/qsockd " "$dest/usr/local/lib/systemd/system/qsockd.service"
	run files_outside "$dest" /usr/local
	[ -z "$output" ] || { echo "installed outside /usr/local: $output"; false; }
}

@test "make uninstall removes every file make install wrote, and only those" {
	require_cmd make
	for prefix in /usr /usr/local; do
		dest=$BATS_TEST_TMPDIR/root$prefix
		mkdir -p "$dest$prefix/share/man/man1" && echo keep >"$dest$prefix/share/man/man1/other.1"
		install_into "$dest" PREFIX=$prefix
		run t make -C "$QSOCK_REPO" -s uninstall DESTDIR="$dest" PREFIX=$prefix
		[ "$status" -eq 0 ] || { echo "$output"; false; }
		run sh -c "cd '$dest' && find . ! -type d"
		[ "$output" = "./${prefix#/}/share/man/man1/other.1" ] || { echo "left after uninstall ($prefix): $output"; false; }
	done
}

@test "qsock.pc: the shared library with no other .pc present; --static links the installed libqsock.a" {
	require_cmd make cc pkg-config readelf
	multiarch=$(cc -print-multiarch)
	dest=$BATS_TEST_TMPDIR/root
	install_into "$dest" PREFIX=/usr
	lib=$dest/usr/lib${multiarch:+/$multiarch}
	[ -f "$lib/libqsock.a" ]
	# only qsock.pc on the search path: a machine without libnl's and libbpf's -dev packages
	pc() { env PKG_CONFIG_LIBDIR="$lib/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$dest" pkg-config "$@" qsock; }
	run pc --cflags --libs
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[ "$(echo $output)" = "-I$dest/usr/include -L$lib -lqsock" ] || { echo "flags: $output"; false; }
	src=$QSOCK_REPO/test/apps/paper-qsocket.c
	run cc -Wall -Werror -Wno-stringop-truncation -I"$QSOCK_REPO/test/apps" -o "$BATS_TEST_TMPDIR/ex" \
		"$src" $(pc --cflags --libs)
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	run pc --static --libs
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	for l in -lqsock -lnl-route-3 -lnl-3 -lbpf; do
		[[ " $output " == *" $l "* ]] || { echo "--static lacks $l: $output"; false; }
	done
	# the archive alone, with --static's flags: nothing of ours is missing from it
	run cc -Wno-stringop-truncation -I"$QSOCK_REPO/test/apps" -o "$BATS_TEST_TMPDIR/ex-static" \
		"$src" $(pc --cflags) ${output/-lqsock/-l:libqsock.a}
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	run readelf -d "$BATS_TEST_TMPDIR/ex-static"
	[[ "$output" != *libqsock* ]] || { echo "$output"; false; }
}

@test "one version number, the rest: SONAME, qsock.h, the man pages, and no file but VERSION states it" {
	require_cmd readelf make git
	v=$(cat "$QSOCK_REPO/VERSION")
	run readelf -d "$QSOCK_BUILD/lib/libqsock.so"
	[[ "$output" == *"Library soname: [libqsock.so.${v%%.*}]"* ]] || { echo "$output"; false; }
	h=$(sed -n 's/^#define QSOCK_VERSION_\(MAJOR\|MINOR\)[[:space:]]*\([0-9]*\).*/\2/p' \
		"$QSOCK_REPO/include/qsock.h" | paste -sd.)
	[ "$h" = "${v%.*}" ] || { echo "qsock.h: $h, VERSION: $v"; false; }
	dest=$BATS_TEST_TMPDIR/root
	install_into "$dest" PREFIX=/usr
	for page in "$dest"/usr/share/man/man*/*; do
		grep -q "^\.TH .* \"qsock $v\" " "$page" || { echo "$page: $(grep '^\.TH' "$page")"; false; }
		! grep -n "@VERSION@" "$page" || false
	done
	grep -q "dkms install sch-dwcs/$v\"" "$dest/usr/share/man/man8/tc-dwcs.8"
	# a literal copy anywhere else would be a second owner to forget
	cd "$QSOCK_REPO"
	run git grep -nP "(?<![0-9.])\Q$v\E(?![0-9])" -- ':!VERSION' ':!docs/figures' ':!results'
	[ -z "$output" ] || { echo "states $v besides VERSION: $output"; false; }
}

@test "symbol versions: libqsock.so defines the node qsock.h and qsock(3) name, and only that" {
	require_cmd readelf
	# the .so's version definitions but its base (the SONAME)
	defined=$(readelf -V "$QSOCK_BUILD/lib/libqsock.so" | sed -n '/\.gnu\.version_d/,/^$/p' |
		awk '/Name:/ && !/BASE/ { print $NF }' | sort -u)
	named_h=$(grep -o 'QSOCK_[0-9][0-9.]*[0-9]' "$QSOCK_REPO/include/qsock.h" | sort -u)
	named_man=$(grep -o 'QSOCK_[0-9][0-9.]*[0-9]' "$QSOCK_REPO/man/qsock.3" | sort -u)
	[ -n "$defined" ]
	[ "$defined" = "$named_h" ] || { echo "defined: $defined; qsock.h names: $named_h"; false; }
	[ "$defined" = "$named_man" ] || { echo "defined: $defined; qsock(3) names: $named_man"; false; }
}

# make_db ORDER: make's database (rules, prerequisites, variables) with the components' build.mk
# files read in ORDER, each line's words sorted and made unique (a list appended to by every
# component, BINS say, holds its words in reading order, and a prerequisite named by a rule and
# by a compiler's .d file is listed twice or once: neither is a dependence), the lines sorted.
# The goal is `help`, which builds nothing: the database holds the rules as read, not the
# files one traversal happened to consider.
make_db() {
	make -C "$QSOCK_REPO" -pq BUILD_MKS="$1" help 2>/dev/null |
		sed -n '/^# Files/,$p' | grep -v '^#\|^BUILD_MKS\|^MAKEFILE_LIST\|^$' |
		perl -ne 'chomp; my %s; print join(" ", sort grep { !$s{$_}++ } split " "), "\n"' |
		sort
}

@test "the build does not depend on the order the components' build.mk files are read" {
	cd "$QSOCK_REPO"
	local files reversed
	files=$(ls */build.mk */*/build.mk test/*/*.mk | sort | tr '\n' ' ')
	reversed=$(tr ' ' '\n' <<<"$files" | tac | tr '\n' ' ')
	make_db "$files" >"$BATS_TEST_TMPDIR/sorted"
	make_db "$reversed" >"$BATS_TEST_TMPDIR/reversed"
	# a real database, not two empty ones: the library's archive rule is in it
	grep -q ' build/lib/libqsock.a: .*build/proto/libqsockproto.a' "$BATS_TEST_TMPDIR/sorted"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/sorted")" -gt 500 ]
	diff "$BATS_TEST_TMPDIR/sorted" "$BATS_TEST_TMPDIR/reversed"
}
