#!/usr/bin/env bash
# Bash completion for pab-load, pab-exhaust, pab-antagonize and pab-report: each tool lists its own
# options, subcommands and values through System.CommandLine's [suggest] directive, so this file never
# goes stale. Turn it on in ~/.bashrc:  . /path/to/page-alloc-bench/scripts/completion.bash
_pab_complete() {
	local line=${COMP_LINE:0:COMP_POINT} words
	words=$("$1" "[suggest:${#line}]" "$line" 2>/dev/null) || return 0
	local IFS=$'\n'
	mapfile -t COMPREPLY < <(compgen -W "$words" -- "$2")
}
complete -o default -F _pab_complete pab-load pab-exhaust pab-antagonize pab-report
