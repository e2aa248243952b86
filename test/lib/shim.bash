# SPDX-License-Identifier: GPL-2.0
#
# Helpers for libqsockshim's bats suites (test/bats/shim-*.bats). Load after common:
#     load ../lib/common
#     load ../lib/shim
#
# QSOCK_SHIM_ASAN=1 switches every suite to the ASan+UBSan builds of the shim (libasan is
# preloaded first, as the sanitizer requires); test/bats/shim-asan.bats does that.

SHIM_APPS=$QSOCK_BUILD/test/apps
SHIM_HARD=$SHIM_APPS/shim-hard
if [ "${QSOCK_SHIM_ASAN:-0}" = 1 ]; then
	SHIM_SO=$QSOCK_BUILD/asan/shim/libqsockshim.so
	SHIM_FAKE=$QSOCK_BUILD/asan/test/shim/libqsockshim-fake.so
	SHIM_PRELOAD_FIRST="$(gcc -print-file-name=libasan.so):"
	# leaks: the programs under test are not ours to judge; errors abort with a report
	export ASAN_OPTIONS=detect_leaks=0:abort_on_error=0:exitcode=86
	export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:exitcode=87
else
	SHIM_SO=$QSOCK_BUILD/shim/libqsockshim.so
	SHIM_FAKE=$QSOCK_BUILD/test/shim/libqsockshim-fake.so
	SHIM_PRELOAD_FIRST=
fi
export SHIM_SO SHIM_FAKE SHIM_HARD

require_shim() {
	require_file "$SHIM_SO" "run make"
	require_file "$SHIM_FAKE" "run make"
	require_file "$SHIM_HARD" "run make"
}

# shim_conf NAME <<'EOF' ... EOF: write a config into the test's tmpdir, print its path.
shim_conf() {
	local f=$BATS_TEST_TMPDIR/$1.conf
	cat >"$f"
	echo "$f"
}

# preloaded SO CONF CMD...: run CMD with SO preloaded and CONF as its config (extra QSOCK_*
# variables pass through from the caller's environment).
preloaded() {
	local so=$1 conf=$2
	shift 2
	env LD_PRELOAD="$SHIM_PRELOAD_FIRST$so" QSOCK_CONF="$conf" "$@"
}

# in_ns NS CMD...: CMD inside namespace NS, with the standard timeout.
in_ns() {
	local ns=$1
	shift
	t ip netns exec "$ns" "$@"
}

# start_receiver NS ADDR PORT COUNT OUTFILE: shim-hard's datagram printer in the background
# (unpreloaded; it gives up after 10 s without a datagram); returns once it listens.
start_receiver() {
	local ns=$1 addr=$2 port=$3 count=$4 out=$5
	ip netns exec "$ns" timeout 30 "$SHIM_HARD" recv "$addr" "$port" "$count" 10000 >"$out" 2>&1 3>&- &
	wait_until 15 grep -q ready "$out"
}

# wait_receiver OUTFILE: until the receiver has printed its summary.
wait_receiver() {
	wait_until 25 grep -q '^received' "$1"
}

# assert_no_sanitizer_report TEXT: neither ASan nor UBSan complained.
assert_no_sanitizer_report() {
	if [[ "$1" == *"AddressSanitizer"* || "$1" == *"runtime error:"* ]]; then
		printf 'sanitizer report:\n%s\n' "$1" >&2
		return 1
	fi
}

# one_ns: a namespace with loopback up, name in $NS.
one_ns() {
	new_ns NS shim
}
