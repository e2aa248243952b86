# SPDX-License-Identifier: GPL-2.0
# bash completion for qsock(1): its commands, each command's options, and their values.
#
# Nothing is listed here: the commands and options are read from the qsock being completed
# (`qsock --help`, `qsock COMMAND --help`), once per shell and binary, so this file cannot
# fall behind the tool. Works with or without the bash-completion package.
# COMPREPLY=($(compgen ...)) is bash-completion's own idiom; the words split here hold no spaces.
# shellcheck disable=SC2207

declare -gA _qsock_help_cache

# _qsock_help QSOCK [COMMAND]: the --help text of QSOCK (or of its COMMAND), cached.
_qsock_help()
{
	local key="$1 ${2:-}"
	if [[ -z ${_qsock_help_cache[$key]+set} ]]; then
		_qsock_help_cache[$key]=$("$1" ${2:+"$2"} --help 2>/dev/null)
	fi
	printf '%s\n' "${_qsock_help_cache[$key]}"
}

# The commands: the lines "  NAME  ARGS" after the "commands" line of qsock --help.
_qsock_commands()
{
	_qsock_help "$1" | sed -n '/^commands/,$ s/^  \([a-z][a-z0-9-]*\)  .*/\1/p'
}

# The options of QSOCK [COMMAND]: every -x/--word on the option lines of its --help (its usage
# lines, and the lines starting with spaces then "-"), without the descriptions.
_qsock_options()
{
	{
		# a command's usage line: only what follows its name (the global options precede it)
		_qsock_help "$1" "${2:-}" | sed -n -e "s/^usage: .*${2:-qsock} //p" \
			-e 's/^ *qsock --/qsock --/p' -e 's/^  \(-.*\)/\1/p' | sed 's/   .*//' |
			grep -oE -- '(^|[][ ,|])--?[a-zA-Z][a-zA-Z0-9-]*' | sed 's/^[][ ,|]//'
		# every command takes --help, and -j anywhere (main.c)
		[[ -n ${2:-} ]] && printf '%s\n' -j --json
		echo --help
	} | sort -u
}

# The argument OPTION takes in QSOCK [COMMAND]'s --help: "FILE", "udp|tcp", ... or nothing.
_qsock_option_arg()
{
	_qsock_help "$1" "${2:-}" | sed 's/   .*//' |
		grep -oE -- "(^|[][ ,])$3[ =][^] |-][^] ]*" | head -n 1 | sed 's/.*[ =]//'
}

_qsock()
{
	local qsock=${COMP_WORDS[0]} cur=${COMP_WORDS[COMP_CWORD]} prev=""
	local i word cmd="" arg
	((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
	COMPREPLY=()
	# the word as typed: a leading ~/ is not expanded yet
	# shellcheck disable=SC2088
	[[ $qsock == "~/"* ]] && qsock=$HOME/${qsock#"~/"}

	# the command: the first word that is neither an option nor a global option's value
	for ((i = 1; i < COMP_CWORD; i++)); do
		word=${COMP_WORDS[i]}
		case $word in
		--) break ;;
		-c | --config) ((i++)) ;;
		-*) ;;
		*) cmd=$word; break ;;
		esac
	done
	# qsock run ... -- PROG ARGS: complete the program's command line as its own
	if [[ $cmd == run ]]; then
		for ((i = i + 1; i < COMP_CWORD; i++)); do
			if [[ ${COMP_WORDS[i]} == -- ]]; then
				if declare -F _command_offset >/dev/null; then
					_command_offset $((i + 1))
				elif ((i + 1 == COMP_CWORD)); then
					COMPREPLY=($(compgen -c -- "$cur"))
				else
					COMPREPLY=($(compgen -f -- "$cur"))
				fi
				return 0
			fi
		done
	fi

	# an option's value: files for FILE and PATH, the words of "a|b|c"
	if [[ $prev == -* ]]; then
		arg=$(_qsock_option_arg "$qsock" "$cmd" "$prev")
		case $arg in
		FILE | PATH) COMPREPLY=($(compgen -f -- "$cur")); return 0 ;;
		*[a-z]\|[a-z]*) COMPREPLY=($(compgen -W "${arg//|/ }" -- "$cur")); return 0 ;;
		?*) return 0 ;; # a value of the user's own: nothing to offer
		esac
	fi

	if [[ -z $cmd ]]; then
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "$(_qsock_options "$qsock")" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$(_qsock_commands "$qsock")" -- "$cur"))
		fi
		return 0
	fi
	# a prefix of a command is accepted by qsock; its --help is the full name's
	cmd=$(_qsock_commands "$qsock" | grep -m 1 "^$cmd")
	case $cmd in
	help)
		COMPREPLY=($(compgen -W "$(_qsock_commands "$qsock")" -- "$cur")) ;;
	check)
		[[ $cur == -* ]] && COMPREPLY=($(compgen -W "$(_qsock_options "$qsock" check)" -- "$cur")) ||
			COMPREPLY=($(compgen -f -- "$cur")) ;;
	?*)
		COMPREPLY=($(compgen -W "$(_qsock_options "$qsock" "$cmd")" -- "$cur")) ;;
	esac
	return 0
}
complete -F _qsock qsock
