# SPDX-License-Identifier: GPL-2.0
#
# Shared bats helpers for qsock's host and VM suites. Load with:
#     load ../lib/common
# Modelled on the kernel's net selftests: random namespace names, a defer stack of cleanups
# run after every test (pass or fail), `timeout` around every command that could hang, and
# assertions on JSON read through jq.

QSOCK_REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
QSOCK_BUILD=$QSOCK_REPO/build
export QSOCK_REPO QSOCK_BUILD
# Seconds any single command may take before it is treated as hung.
: "${QSOCK_CMD_TIMEOUT:=60}"

# ---------------------------------------------------------------- deferred cleanup
# defer CMD...: run CMD when the test ends, last deferred first. Failures are ignored: cleanup
# must never mask the test's own result.
_qsock_defer=()
defer() {
	local q
	printf -v q '%q ' "$@"
	_qsock_defer+=("$q")
}
run_deferred() {
	local i
	for ((i = ${#_qsock_defer[@]} - 1; i >= 0; i--)); do
		eval "${_qsock_defer[i]}" >/dev/null 2>&1 || true
	done
	_qsock_defer=()
}
# Suites that define their own teardown must call run_deferred from it.
teardown() { run_deferred; }

# t CMD...: CMD with the standard timeout.
t() { timeout --kill-after=5 "$QSOCK_CMD_TIMEOUT" "$@"; }

# ---------------------------------------------------------------- prerequisites
require_root() { [ "$(id -u)" -eq 0 ] || skip "needs root (network namespaces, tc)"; }
require_cmd() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null || skip "needs $c (run scripts/deps)"
	done
}
require_file() { [ -e "$1" ] || skip "needs $1${2:+ ($2)}"; }
require_vm() { [ "${QSOCK_IN_VM:-}" = 1 ] || skip "runs only inside the test VM (scripts/vm)"; }
# require_module NAME: a stock kernel module this kernel can load (the host kernel cannot).
require_module() {
	modprobe -q "$1" 2>/dev/null || [ -d "/sys/module/$1" ] || grep -qw "$1" /proc/modules 2>/dev/null ||
		skip "kernel module $1 is not available on $(uname -r)"
}

# ---------------------------------------------------------------- namespaces and links
# new_ns VAR [PREFIX]: create a namespace with a random name, store the name in VAR, bring up
# its loopback and delete it (killing what runs inside) when the test ends.
new_ns() {
	local __var=$1 prefix=${2:-qs} name
	name="$prefix-$(mktemp -u XXXXXXXX | tr 'A-Z' 'a-z')"
	t ip netns add "$name" || return 1
	defer cleanup_ns "$name"
	t ip -n "$name" link set lo up
	printf -v "$__var" '%s' "$name"
}
cleanup_ns() {
	local ns=$1 pids i
	pids=$(ip netns pids "$ns" 2>/dev/null)
	[ -n "$pids" ] && kill -9 $pids 2>/dev/null
	ip netns del "$ns" 2>/dev/null
	for i in $(seq 50); do
		ip netns list | grep -qw "$ns" || return 0
		sleep 0.1
	done
}

# veth_pair NS_A ADDR_A NS_B ADDR_B [DEV_A DEV_B]: a veth link between two namespaces with
# IPv4 addresses (ADDR with prefix length, e.g. 10.99.0.1/24), both ends up.
veth_pair() {
	local nsa=$1 addra=$2 nsb=$3 addrb=$4 deva=${5:-veth0} devb=${6:-veth1}
	t ip link add "$deva" netns "$nsa" type veth peer name "$devb" netns "$nsb" || return 1
	t ip -n "$nsa" addr add "$addra" dev "$deva"
	t ip -n "$nsb" addr add "$addrb" dev "$devb"
	t ip -n "$nsa" link set "$deva" up
	t ip -n "$nsb" link set "$devb" up
}

# ---------------------------------------------------------------- waiting and JSON
# wait_until SECONDS CMD...: poll CMD every 0.1 s until it succeeds; fail after SECONDS.
wait_until() {
	local limit=$1 end
	shift
	end=$((SECONDS + limit))
	until "$@" >/dev/null 2>&1; do
		[ $SECONDS -lt $end ] || { echo "wait_until: '$*' still failing after ${limit}s" >&2; return 1; }
		sleep 0.1
	done
}

# json_eq JSON JQ_FILTER EXPECTED: assert that the filter yields exactly EXPECTED.
json_eq() {
	local got
	got=$(jq -r "$2" <<<"$1") || { echo "json_eq: jq '$2' failed on: $1" >&2; return 1; }
	[ "$got" = "$3" ] || { echo "json_eq: $2 = '$got', expected '$3'" >&2; return 1; }
}
# json_cmp JSON JQ_FILTER OP NUMBER: numeric comparison (OP: -eq -ne -lt -le -gt -ge).
json_cmp() {
	local got
	got=$(jq -r "$2" <<<"$1") || { echo "json_cmp: jq '$2' failed" >&2; return 1; }
	[[ "$got" =~ ^-?[0-9]+$ ]] || { echo "json_cmp: $2 = '$got' is not an integer" >&2; return 1; }
	[ "$got" "$3" "$4" ] || { echo "json_cmp: $2 = $got, expected $3 $4" >&2; return 1; }
}

# assert_output_contains TEXT: after `run`, the output contains TEXT.
assert_output_contains() {
	[[ "$output" == *"$1"* ]] || { printf 'expected output to contain "%s", got:\n%s\n' "$1" "$output" >&2; return 1; }
}
assert_status() {
	[ "$status" -eq "$1" ] || { printf 'expected status %s, got %s; output:\n%s\n' "$1" "$status" "$output" >&2; return 1; }
}
