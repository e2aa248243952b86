#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# The conventions of a Linux command, as a new user tries them: --help and --version (exit 0)
# for qsock and qsockd, --help for every subcommand before anything is read, -j honoured by
# every subcommand and its errors (JSON on stdout), `qsock check` errors sorted by line and
# in the user's units, duplicate rule names refused, unreadable paths named clearly.

bats_require_minimum_version 1.5.0
load ../lib/common

QSOCK=$QSOCK_BUILD/tools/qsock/qsock
QSOCKD=$QSOCK_BUILD/daemon/qsockd

setup() {
	require_file "$QSOCK" "run make"
	require_cmd jq
}

@test "qsock --help, --version and qsockd --version exit 0; the versions are the one in VERSION" {
	v=$(cat "$QSOCK_REPO/VERSION")
	run t "$QSOCK" --help
	assert_status 0
	assert_output_contains "usage: qsock [-j] [-c FILE] COMMAND"
	for c in check explain status top run init fini help; do assert_output_contains "  $c "; done
	run t "$QSOCK" --version
	assert_status 0
	[ "$output" = "qsock $v" ]
	run t "$QSOCK" -j --version
	json_eq "$output" .version "$v"
	run t "$QSOCK_BUILD/daemon/qsockd" --version
	assert_status 0
	[ "$output" = "qsockd $v" ]
	run t "$QSOCK_BUILD/daemon/qsockd" --help
	assert_status 0
	assert_output_contains "--version"
}

@test "every subcommand takes --help (exit 0, its usage on stdout) and reads nothing" {
	cd "$BATS_TEST_TMPDIR"
	printf 'this = is not a config\n' >./--help # check --help must not read it
	for c in check explain status top run init fini help; do
		run t "$QSOCK" -c /nonexistent/qsock.conf "$c" --help
		assert_status 0
		assert_output_contains "usage: qsock"
		[[ "$output" != *"cannot read"* && "$output" != *"cannot reach"* ]]
		run t "$QSOCK" help "$c"
		assert_status 0
		assert_output_contains "usage: qsock"
	done
	# the file named --help is still reachable
	run t "$QSOCK" check -- --help
	assert_status 1
	assert_output_contains "--help:1: (syntax)"
}

@test "-j: every error is a JSON document on stdout, with the exit status of the text form" {
	sock=$BATS_TEST_TMPDIR/none.sock
	for args in "frobnicate:2" "check -x:2" "check a b:2" "status -s $sock:1" "top -s $sock -n 1:1" \
		    "top -d 0:2" "explain --proto sctp:2" "status --socket:2" "run:125" "run --ipg 1h -- true:125" \
		    "-c /nonexistent/qsock.conf explain:1" "init:2" "init lo:2" "init lo htb x:2" \
		    "init lo htb --rate fast:2" "init lo htb --limit 0:2" "fini:2" "fini lo lo:2" \
		    "init nosuchdev0 htb:1" "init lo nosuchsched:1" "fini nosuchdev0:1"; do
		run --separate-stderr t "$QSOCK" -j ${args%:*}
		[ "$status" -eq "${args##*:}" ] || { echo "qsock -j ${args%:*}: status $status"; false; }
		json_eq "$output" .status "${args##*:}"
		jq -e '.error | length > 0' <<<"$output" >/dev/null
	done
	run --separate-stderr t "$QSOCK" -j status -s "$sock"
	assert_status 1
	json_eq "$output" .command status
	json_eq "$output" .error "cannot reach qsockd at $sock: No such file or directory"
	[[ "$stderr" == "qsock status: cannot reach qsockd"* ]]
}

@test "check: errors sorted by line, in the user's units, duplicate names refused" {
	f=$BATS_TEST_TMPDIR/u.conf
	cat >"$f" <<'EOF2'
policy = { default = { max_streams = -1; }; };
streams = (
  { name = "v"; match = {}; dev = "eth0"; ipg = "90s"; nonsense = 1; },
  { name = "w"; match = {}; dev = "eth0"; scheduler = "htb"; rate = "200gbit"; },
  { name = "v"; match = {}; dev = "eth0"; ipg = "40ms";
    messages = ( { name = "k"; nondroppable = true; }, { name = "k"; frame_end = true; } ); }
);
EOF2
	run --separate-stderr t "$QSOCK" check "$f"
	assert_status 1
	want=("$f:1: policy.default.max_streams: -1 is out of range 0..100000"
	      "$f:3: streams[0].nonsense: unknown key"
	      "$f:3: streams[0].ipg: 90s is out of range 1us..60s"
	      "$f:4: streams[1].rate: 200gbit is out of range 1kbit..100gbit"
	      "$f:5: streams[2].name: \"v\" already names stream rule streams[0] (line 3): names must differ"
	      "$f:6: streams[2].messages[1].name: \"k\" already names message rule messages[0] (line 6): names must differ"
	      "$f: 6 error(s)")
	mapfile -t got <<<"$stderr"
	for i in "${!want[@]}"; do
		[ "${got[i]}" = "${want[i]}" ] || { printf 'line %d: got  %s\n        want %s\n' "$i" "${got[i]}" "${want[i]}"; false; }
	done
	[ "${#got[@]}" -eq "${#want[@]}" ]
	run t "$QSOCK" -j check "$f"
	json_eq "$output" '[.errors[].line] | join(",")' "1,3,3,4,5,6"
	json_eq "$output" '.errors[2].reason' "90s is out of range 1us..60s"
}

@test "check: a syntax error is said once; a directory and an unreadable file are named as such" {
	f=$BATS_TEST_TMPDIR/syn.conf
	printf 'policy = { default = { max_streams = 1; } };\nstreams = ( { match = {; } );\n' >"$f"
	run t "$QSOCK" -j check "$f"
	assert_status 1
	json_eq "$output" '.errors | length' 1
	json_eq "$output" '.errors[0].key' "(syntax)"
	json_eq "$output" '.errors[0].line' 2
	run t "$QSOCK" check "$BATS_TEST_TMPDIR"
	assert_status 1
	assert_output_contains "$BATS_TEST_TMPDIR: cannot read: a directory, not a regular file"
	if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
		d=$(mktemp -d /tmp/qsock-cli.XXXXXX)
		defer rm -rf "$d"
		chmod 755 "$d"
		printf 'version = 1;\n' >"$d/secret.conf"
		chmod 600 "$d/secret.conf"
		run t setpriv --reuid=nobody --regid=nogroup --clear-groups "$QSOCK" check "$d/secret.conf"
		assert_status 1
		assert_output_contains "$d/secret.conf: cannot read: Permission denied"
	fi
}

@test "man pages: qsock is in section 1, every page renders without a groff warning, tags stay on one line" {
	require_cmd groff
	[ -f "$QSOCK_REPO/man/qsock.1" ] && [ ! -e "$QSOCK_REPO/man/qsock.8" ]
	for m in "$QSOCK_REPO"/man/*.[1-8]; do
		run groff -man -Tutf8 -ww -z "$m"
		[ -z "$output" ] || { echo "$m: $output"; false; }
	done
	! grep -rn 'qsock (8)' "$QSOCK_REPO/man"
	page=$(MANWIDTH=100 groff -man -Tutf8 -P-cbou "$QSOCK_REPO/man/qsock.1" 2>/dev/null)
	grep -q '^       status \[-s socket\]$' <<<"$page"
	grep -q '^       top \[-s socket\] \[-d seconds\] \[-n count\]$' <<<"$page"
	grep -q '^       init dev sched \[--rate rate\] \[--limit n\] \[--work-conserving\]$' <<<"$page"
	grep -q '^       fini dev$' <<<"$page"
	# every option explain accepts is in the page
	for o in $(grep -o '{ "[a-z0-9-]*", [a-z_]*_argument' "$QSOCK_REPO/tools/qsock/cmd_explain.c" | cut -d'"' -f2); do
		grep -q -- "--$o" <<<"$page" || { echo "explain --$o is not in qsock(1)"; false; }
	done
}

@test "-j after the command works as before it" {
	run --separate-stderr t "$QSOCK" check -j "$QSOCK_REPO/qsock.conf.example"
	assert_status 0
	json_eq "$output" .valid true
	run --separate-stderr t "$QSOCK" status --json -s "$BATS_TEST_TMPDIR/none.sock"
	assert_status 1
	json_eq "$output" .command status
}

# complete FUNCTION WORD...: COMPREPLY of the bash completion FUNCTION for the command line
# WORD... (the last word is the one being completed), one word a line.
complete_words() {
	local fn=$1
	shift
	COMP_WORDS=("$@")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMPREPLY=()
	"$fn"
	printf '%s\n' "${COMPREPLY[@]}"
}

@test "bash completion: every command of qsock --help, and every option of each command's --help" {
	source "$QSOCK_REPO/tools/completion/qsock.bash"
	offered=$(complete_words _qsock "$QSOCK" "")
	# the commands as qsock --help lists them, read here independently of the completion
	commands=$("$QSOCK" --help | awk '/^commands/ { on = 1; next } on && /^  [a-z]/ { print $1 }')
	[ -n "$commands" ]
	for c in $commands; do
		grep -qx "$c" <<<"$offered" || { echo "qsock $c is not offered: $offered"; false; }
		# help's --help is qsock's own (its options are global ones, not help's)
		[ "$c" != help ] || continue
		offered_opts=$(complete_words _qsock "$QSOCK" "$c" -)
		for o in $("$QSOCK" "$c" --help | grep -E '^ +-' | grep -oE -- '--[a-z][a-z0-9-]*' | sort -u); do
			grep -qx -- "$o" <<<"$offered_opts" || { echo "qsock $c $o is not offered: $offered_opts"; false; }
		done
	done
	for o in --json --config --help --version; do
		grep -qx -- "$o" <<<"$(complete_words _qsock "$QSOCK" --)" || { echo "qsock $o is not offered"; false; }
	done
	# a prefix of a command, values named in the help, files for FILE
	[ "$(complete_words _qsock "$QSOCK" ex --payload-f)" = --payload-file ]
	[ "$(complete_words _qsock "$QSOCK" explain --proto "" | sort | paste -sd' ')" = "tcp udp" ]
	[ "$(complete_words _qsock "$QSOCK" check "$QSOCK_REPO/qsock.conf.ex")" = "$QSOCK_REPO/qsock.conf.example" ]
	[ "$(complete -p qsock)" = "complete -F _qsock qsock" ]
}

@test "bash completion: tc qdisc and class ... dwcs offer every option of the plugin's usage" {
	require_cmd tc
	require_file "$QSOCK_BUILD/tc/q_dwcs.so" "run make"
	export TC_LIB_DIR=$QSOCK_BUILD/tc
	source "$QSOCK_REPO/tools/completion/tc-dwcs.bash"
	# the keywords of q_dwcs.c's two usage texts, read from the source here
	usage() { sed -n "/^static void dwcs_explain_$1(void)/,/^}/p" "$QSOCK_REPO/tools/tc/q_dwcs.c" |
		grep -oE '\[ [a-z][^]]*\]' | grep -oE '(\[|\|) [a-z]+' | awk '{ print $2 }' | sort -u; }
	want=$(usage qdisc)
	[ -n "$want" ]
	got=$(complete_words _qsock_tc tc qdisc add dev eth0 root handle 1: dwcs "" | grep -v '^help$' | sort)
	[ "$got" = "$want" ] || { echo "qdisc: offered $got, usage has $want"; false; }
	want=$(usage class)
	got=$(complete_words _qsock_tc tc class add dev eth0 parent 1: classid 1:1 dwcs "" | grep -v '^help$' | sort)
	[ "$got" = "$want" ] || { echo "class: offered $got, usage has $want"; false; }
	# a pair once, and a keyword's named values
	got=$(complete_words _qsock_tc tc class change dev eth0 classid 1:1 dwcs lossless "")
	! grep -qx lossy <<<"$got"
	[ "$(complete_words _qsock_tc tc qdisc add dev eth0 root dwcs order "" | paste -sd' ')" = "deadline window" ]
	[ "$(complete_words _qsock_tc tc qdisc replace dev eth0 root dwcs rate "")" = unlimited ]
	[ "$(complete -p tc)" = "complete -F _qsock_tc tc" ]
}

@test "bash completion: make install puts both files in DATADIR/bash-completion/completions" {
	dest=$BATS_TEST_TMPDIR/root
	run t make -C "$QSOCK_REPO" -s install DESTDIR="$dest" PREFIX=/usr
	assert_status 0
	cmp "$QSOCK_REPO/tools/completion/qsock.bash" "$dest/usr/share/bash-completion/completions/qsock"
	cmp "$QSOCK_REPO/tools/completion/tc-dwcs.bash" "$dest/usr/share/bash-completion/completions/tc-dwcs"
	[ ! -e "$dest/etc" ]
}

@test "init and fini: qsock's root in place and removed, idempotent, a foreign root refused with what to do" {
	require_root
	require_cmd tc nsenter setpriv
	require_module sch_htb
	new_ns NS cli
	IN="nsenter --net=/run/netns/$NS"
	run t $IN "$QSOCK" init lo htb
	assert_status 0
	[ "$output" = "lo: qsock's htb root in place" ]
	tc -n "$NS" qdisc show dev lo | grep -q "qdisc htb 1: root"
	tc -n "$NS" filter show dev lo | grep -q "bpf" # the socket classifier
	# again: nothing changes, success; -j says what is there
	run --separate-stderr t $IN "$QSOCK" -j init lo htb
	assert_status 0
	json_eq "$output" .dev lo
	json_eq "$output" .sched htb
	json_eq "$output" .root installed
	# another scheduler over it: the library's message, exit 1
	run --separate-stderr t $IN "$QSOCK" init lo dwcs
	assert_status 1
	[ "$stderr" = "qsock init: lo already runs the qsock scheduler htb; qsockfini it before installing dwcs" ]
	# a user without CAP_NET_ADMIN and no qsockd: told what it needs, nothing removed
	run --separate-stderr t env QSOCKD_SOCKET="$BATS_TEST_TMPDIR/none.sock" $IN \
		setpriv --reuid=nobody --regid=nogroup --clear-groups "$QSOCK" fini lo
	assert_status 1
	[[ "$stderr" == "qsock fini: this needs CAP_NET_ADMIN, or qsockd listening at $BATS_TEST_TMPDIR/none.sock"* ]]
	tc -n "$NS" qdisc show dev lo | grep -q "qdisc htb 1: root"
	run --separate-stderr t $IN "$QSOCK" -j fini lo
	assert_status 0
	json_eq "$output" .dev lo
	json_eq "$output" .root removed
	! tc -n "$NS" qdisc show dev lo | grep -q "qdisc htb"
	run --separate-stderr t $IN "$QSOCK" fini lo
	assert_status 1
	[ "$stderr" = "qsock fini: lo has no root qdisc of qsock's: nothing removed" ]
	# a root installed by hand: refused with what to do, and left alone by init and fini
	tc -n "$NS" qdisc add dev lo root handle 1: htb
	run --separate-stderr t $IN "$QSOCK" init lo htb --rate 10mbit
	assert_status 1
	[ "$stderr" = 'qsock init: lo already has a root qdisc "htb" (handle 1:) that qsock did not install; remove it first (tc qdisc del dev lo root)' ]
	run --separate-stderr t $IN "$QSOCK" fini lo
	assert_status 1
	tc -n "$NS" qdisc show dev lo | grep -q "qdisc htb 1: root"
}
