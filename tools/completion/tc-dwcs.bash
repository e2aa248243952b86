# SPDX-License-Identifier: GPL-2.0
# bash completion for tc-dwcs(8): the options of `tc qdisc ... dwcs` and `tc class ... dwcs`.
#
# iproute2's own tc completion knows a fixed list of qdiscs; this wraps it. When the word
# `dwcs` precedes the cursor in a qdisc or class command, the options come from the plugin's
# own usage (`tc qdisc add dev lo dwcs help`, tools/tc/q_dwcs.c, read once per shell through
# the tc being completed), so they cannot fall behind it; every other line goes to the
# completion tc had before (iproute2's, loaded on demand by bash-completion).
# COMPREPLY=($(compgen ...)) is bash-completion's own idiom; the words split here hold no spaces.
# shellcheck disable=SC2207

declare -gA _qsock_tc_dwcs_usage

# _qsock_tc_dwcs_groups TC qdisc|class: one line per "[ ... ]" group of the usage, its
# alternatives separated by "|", e.g. "rate RATE | rate unlimited".
_qsock_tc_dwcs_groups()
{
	local key="$1 $2"
	if [[ -z ${_qsock_tc_dwcs_usage[$key]+set} ]]; then
		# parse only, never sent: the plugin prints its usage and tc stops
		_qsock_tc_dwcs_usage[$key]=$("$1" "$2" add dev lo dwcs help 2>&1 |
			sed -n '/^Usage:/,/^[^ U]/p' | grep -oE '\[[^]]*\]' | sed 's/^\[ *//; s/ *\]$//')
	fi
	printf '%s\n' "${_qsock_tc_dwcs_usage[$key]}"
}

# _qsock_tc_dwcs TC qdisc|class FROM: COMPREPLY for the word at COMP_CWORD, the dwcs options
# starting at COMP_WORDS[FROM].
_qsock_tc_dwcs()
{
	local tc=$1 obj=$2 from=$3 cur=${COMP_WORDS[COMP_CWORD]} prev=""
	local used=" ${COMP_WORDS[*]:from:COMP_CWORD-from} " group alt kw rest takes_value=""
	local values=() keywords=() alts group_kws
	((COMP_CWORD > from)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
	COMPREPLY=()
	while IFS= read -r group; do
		[[ -n $group ]] || continue
		IFS='|' read -ra alts <<<"$group"
		group_kws=()
		for alt in "${alts[@]}"; do
			read -r kw rest <<<"$alt"
			group_kws+=("$kw")
			# the word after a keyword that takes one: "order deadline | order window"
			if [[ -n $prev && $kw == "$prev" && -n $rest ]]; then
				takes_value=yes
				[[ $rest == [a-z]* ]] && values+=("$rest")
			fi
		done
		# a group once: lossy | lossless, or limit, is offered until one of them is written
		[[ $used == *" ${group_kws[0]} "* ]] && continue
		for kw in "${group_kws[@]:1}"; do
			[[ $used == *" $kw "* ]] && continue 2
		done
		keywords+=("${group_kws[@]}")
	done < <(_qsock_tc_dwcs_groups "$tc" "$obj")
	if [[ -n $takes_value ]]; then
		# its named values ("unlimited", "deadline"), nothing for a number or a time
		COMPREPLY=($(compgen -W "${values[*]}" -- "$cur"))
		return 0
	fi
	COMPREPLY=($(compgen -W "$(printf '%s\n' "${keywords[@]}" help | sort -u)" -- "$cur"))
}

# Which completion tc had before this file: loaded now if bash-completion has one on demand.
_qsock_tc_previous()
{
	local spec
	spec=$(complete -p tc 2>/dev/null) || spec=""
	if [[ -z $spec || $spec == *"_qsock_tc "* ]] && declare -F __load_completion >/dev/null; then
		complete -r tc 2>/dev/null || true
		__load_completion tc || true
		spec=$(complete -p tc 2>/dev/null) || spec=""
		complete -F _qsock_tc tc
	fi
	if [[ $spec =~ -F\ ([^ ]+) && ${BASH_REMATCH[1]} != _qsock_tc ]]; then
		_qsock_tc_next=${BASH_REMATCH[1]}
	fi
	return 0
}

_qsock_tc()
{
	local i obj="" w
	COMPREPLY=()
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		case $w in
		-*) ;;
		q | qd | qdi | qdis | qdisc) [[ -z $obj ]] && obj=qdisc ;;
		c | cl | cla | clas | class) [[ -z $obj ]] && obj=class ;;
		dwcs)
			if [[ -n $obj ]]; then
				_qsock_tc_dwcs "${COMP_WORDS[0]}" "$obj" $((i + 1))
				return 0
			fi
			;;
		esac
		# only qdisc and class take dwcs; filter, action, ... go to tc's own completion
		[[ -z $obj && $w != -* ]] && break
	done
	[[ -n ${_qsock_tc_next:-} ]] || _qsock_tc_previous
	if [[ -n ${_qsock_tc_next:-} ]]; then
		"$_qsock_tc_next" "$@"
		# offer dwcs where tc offers the other qdisc kinds
		[[ $obj == qdisc || $obj == class ]] && [[ " ${COMPREPLY[*]} " == *" htb "* ]] &&
			COMPREPLY+=($(compgen -W dwcs -- "${COMP_WORDS[COMP_CWORD]}"))
	fi
	return 0
}
_qsock_tc_next=""
_qsock_tc_previous
complete -F _qsock_tc tc
