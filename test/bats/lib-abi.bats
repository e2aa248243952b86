#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# libqsock's ABI and installation: only the public calls are exported, with symbol versions
# and a SONAME; `make install-lib` installs library, header, man page and qsock.pc, and a
# program builds against the installed copy with pkg-config alone.

load ../lib/common

setup() {
	require_cmd nm readelf pkg-config make cc
	require_file "$QSOCK_BUILD/lib/libqsock.so" "make"
}

@test "libqsock.so exports exactly the public API, versioned QSOCK_1.0 and QSOCK_1.1 (qnotify), with its SONAME" {
	run readelf -d "$QSOCK_BUILD/lib/libqsock.so"
	assert_output_contains "Library soname: [libqsock.so.1]"
	run sh -c "nm -D --defined-only '$QSOCK_BUILD/lib/libqsock.so' | awk '\$2 == \"T\" { print \$3 }' | sort"
	expected="qattach@@QSOCK_1.0
qchange@@QSOCK_1.0
qclose@@QSOCK_1.0
qdetach@@QSOCK_1.0
qinfo@@QSOCK_1.0
qnotify@@QSOCK_1.1
qnotify_read@@QSOCK_1.1
qsend@@QSOCK_1.0
qsendmsg@@QSOCK_1.0
qsendto@@QSOCK_1.0
qsock_now_ns@@QSOCK_1.0
qsock_strerror@@QSOCK_1.0
qsocket@@QSOCK_1.0
qsockfini@@QSOCK_1.0
qsockinit@@QSOCK_1.0"
	[ "$output" = "$expected" ] || { echo "$output"; false; }
}

@test "make install-lib installs what a program needs; the paper's example builds with pkg-config" {
	dest=$BATS_TEST_TMPDIR/root
	run t make -C "$QSOCK_REPO" -s install-lib DESTDIR="$dest" PREFIX=/usr
	assert_status 0
	# PREFIX=/usr: the multiarch directory (Debian's /usr/lib/x86_64-linux-gnu), where there is one
	libdir=$dest/usr/lib/$(cc -print-multiarch)
	libdir=${libdir%/}
	[ -f "$dest/usr/include/qsock.h" ]
	[ -f "$dest/usr/share/man/man3/qsock.3" ]
	[ -L "$libdir/libqsock.so" ]
	[ "$(readlink "$libdir/libqsock.so.1")" = "libqsock.so.$(cat "$QSOCK_REPO/VERSION")" ]
	run env PKG_CONFIG_PATH="$libdir/pkgconfig" pkg-config --cflags --libs qsock
	assert_output_contains "-lqsock"
	# the installed header alone (no tree headers) compiles an example from the paper
	src=$QSOCK_REPO/test/apps/paper-qsocket.c
	run cc -Wall -Werror -Wno-stringop-truncation -I"$dest/usr/include" \
		-I"$QSOCK_REPO/test/apps" -o "$BATS_TEST_TMPDIR/ex" "$src" -L"$libdir" -lqsock
	assert_status 0
	run env LD_LIBRARY_PATH="$libdir" ldd "$BATS_TEST_TMPDIR/ex"
	assert_output_contains "libqsock.so.1 => $libdir/libqsock.so.1"
}

@test "qsock.h compiles alone in strict C99, C11 and C++" {
	src=$BATS_TEST_TMPDIR/h.c
	printf '#include <qsock.h>\nint main(void) { struct qos_info i; return qinfo(0, &i); }\n' >"$src"
	run cc -std=c99 -Wall -Wextra -pedantic -Werror -I"$QSOCK_REPO/include" -c -o /dev/null "$src"
	assert_status 0
	run cc -std=c11 -Wall -Wextra -pedantic -Werror -I"$QSOCK_REPO/include" -c -o /dev/null "$src"
	assert_status 0
	if command -v c++ >/dev/null; then
		cp "$src" "$BATS_TEST_TMPDIR/h.cpp"
		run c++ -Wall -Wextra -pedantic -Werror -I"$QSOCK_REPO/include" -c -o /dev/null \
			"$BATS_TEST_TMPDIR/h.cpp"
		assert_status 0
	fi
}
