#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# The shim's whole host suite again, with the shim (and its fake-backend test build) compiled
# with AddressSanitizer and UndefinedBehaviorSanitizer (build/asan/...), libasan preloaded in
# front of it. Any sanitizer report fails the test that triggered it (test/lib/shim.bash).

load ../lib/common

setup() {
	require_root
	require_file "$QSOCK_BUILD/asan/shim/libqsockshim.so" "run make"
	require_file "$QSOCK_BUILD/asan/test/shim/libqsockshim-fake.so" "run make"
	require_file "$(gcc -print-file-name=libasan.so)" "libasan (gcc)"
}

@test "the sanitizers are really loaded in front of the shim" {
	run env LD_PRELOAD="$(gcc -print-file-name=libasan.so):$QSOCK_BUILD/asan/shim/libqsockshim.so" \
		QSOCK_CONF=/nonexistent ASAN_OPTIONS=detect_leaks=0 cat /proc/self/maps
	assert_status 0
	assert_output_contains libasan.so
	assert_output_contains asan/shim/libqsockshim.so
}

@test "shim-match, shim-hard and shim-failopen run clean under ASan+UBSan" {
	run env QSOCK_SHIM_ASAN=1 QSOCK_SHIM_THREAD_SENDS=25000 timeout 600 bats --tap "$BATS_TEST_DIRNAME/shim-match.bats" \
		"$BATS_TEST_DIRNAME/shim-hard.bats" "$BATS_TEST_DIRNAME/shim-failopen.bats" 3>&-
	echo "$output" >&2
	assert_status 0
	! grep -q '^not ok' <<<"$output"
	[ "$(grep -c '^ok ' <<<"$output")" -ge 24 ]
}

@test "shim-encoders (ffmpeg's MPEG-2 and H.264 through the frame presets) runs clean under ASan+UBSan" {
	require_cmd ffmpeg ffprobe
	run env QSOCK_SHIM_ASAN=1 timeout 600 bats --tap "$BATS_TEST_DIRNAME/shim-encoders.bats" 3>&-
	echo "$output" >&2
	assert_status 0
	! grep -q '^not ok' <<<"$output"
	# every test of its plan ran and passed (none skipped for want of the encoder)
	[ "$(grep -c '^ok ' <<<"$output")" -eq "$(sed -n 's/^1\.\.//p' <<<"$output")" ]
	! grep -q '# skip' <<<"$output"
}
