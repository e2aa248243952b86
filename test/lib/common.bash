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

# t CMD...: CMD with the standard timeout. Inside the test VM an exec costs 50-100 ms of
# emulated CPU, and `timeout` would double every command's cost; there bats' own per-test
# watchdog bounds a hang instead (BATS_TEST_TIMEOUT, which scripts/run-bats --vm sets), at the
# price of naming the hung test rather than the hung command.
if [ "${QSOCK_IN_VM:-}" = 1 ] && [ -n "${BATS_TEST_TIMEOUT:-}" ]; then
	t() { "$@"; }
else
	t() { timeout --kill-after=5 "$QSOCK_CMD_TIMEOUT" "$@"; }
fi

# ---------------------------------------------------------------- prerequisites
require_root() { [ "$EUID" -eq 0 ] || skip "needs root (network namespaces, tc)"; }
require_cmd() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null || skip "needs $c (run scripts/deps)"
	done
}
require_file() { [ -e "$1" ] || skip "needs $1${2:+ ($2)}"; }
# require_vm: skip outside the test VM. Inside it, also drop bats' DEBUG trap for the rest of
# the test: bats runs it before every shell command to remember the failing line, and under
# the emulated CPU it made a typical test 35-50 % slower (measured on the smoke test, 13-20 s
# against 9-13 s). The cost: a failure is reported without bats' "in test file, line N"
# location; our tests print what they compared, which says more.
require_vm() {
	[ "${QSOCK_IN_VM:-}" = 1 ] || skip "runs only inside the test VM (scripts/vm)"
	trap - DEBUG
}
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
	# bash's own random source: no process (each is expensive in the test VM)
	printf -v name '%s-%08x' "$prefix" "$SRANDOM"
	t ip netns add "$name" || return 1
	defer cleanup_ns "$name"
	t ip -n "$name" link set lo up
	printf -v "$__var" '%s' "$name"
}
cleanup_ns() {
	local ns=$1 pids
	pids=$(ip netns pids "$ns" 2>/dev/null)
	[ -z "$pids" ] || kill -9 $pids 2>/dev/null || true
	ip netns del "$ns" 2>/dev/null
}

# veth_pair NS_A ADDR_A NS_B ADDR_B [DEV_A DEV_B]: a veth link between two namespaces with
# IPv4 addresses (ADDR with prefix length, e.g. 10.99.0.1/24), both ends up, each end's MAC
# derived from its address (mac_of) and each side holding a permanent neighbour entry for the
# other: packets that wait for ARP reach a qdisc late or not at all, and ARP's own packets
# would show in its counters. VETH_MTU=N in the environment sets both ends' MTU.
# Two `ip -batch` runs, not ten `ip` runs: every exec costs 50-100 ms in the test VM.
veth_pair() {
	local nsa=$1 addra=$2 nsb=$3 addrb=$4 deva=${5:-veth0} devb=${6:-veth1}
	local maca macb mtu=${VETH_MTU:+mtu $VETH_MTU}
	mac_of maca "$addra"
	mac_of macb "$addrb"
	t ip -n "$nsa" -batch - <<-EOF || return 1
		link add $deva address $maca $mtu type veth peer name $devb address $macb $mtu netns $nsb
		addr add $addra dev $deva
		link set $deva up
		neigh replace ${addrb%/*} dev $deva lladdr $macb nud permanent
	EOF
	t ip -n "$nsb" -batch - <<-EOF
		addr add $addrb dev $devb
		link set $devb up
		neigh replace ${addra%/*} dev $devb lladdr $maca nud permanent
	EOF
}
# mac_of VAR ADDR[/LEN]: store in VAR a locally administered unicast MAC holding the IPv4
# address (10.77.0.1 -> 02:00:0a:4d:00:01), as unique as the addresses are.
mac_of() {
	local __octets
	IFS=. read -ra __octets <<<"${2%/*}"
	printf -v "$1" '02:00:%02x:%02x:%02x:%02x' "${__octets[@]}"
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
