# Shared shell helpers for the page-alloc-bench scripts. Source, do not run.
# shellcheck shell=bash

PAB_ROOT=${PAB_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
PAB_CACHE=${PAB_CACHE:-/var/cache/page-alloc-bench}
PAB_PROG=${PAB_PROG:-$(basename "$0")}

pab_log() { [ -n "${PAB_QUIET:-}" ] || printf '%s: %s\n' "$PAB_PROG" "$*" >&2; }
pab_die() { printf '%s: error: %s\n' "$PAB_PROG" "$*" >&2; exit "${PAB_DIE_CODE:-1}"; }

# Run a command, keeping its output in a log file; show the tail only if it fails.
pab_quiet() {
	local logf=$1; shift
	if ! "$@" >"$logf" 2>&1; then
		printf '%s: command failed: %s (log: %s)\n' "$PAB_PROG" "$*" "$logf" >&2
		tail -n 30 "$logf" >&2
		return 1
	fi
}

# Serialise cache writers (two test runs may prepare the same kernel at once).
pab_lock() {
	mkdir -p "$PAB_CACHE"
	exec {PAB_LOCK_FD}>"$PAB_CACHE/.lock-$1"
	flock "$PAB_LOCK_FD"
}
pab_unlock() { [ -n "${PAB_LOCK_FD:-}" ] && exec {PAB_LOCK_FD}>&- ; PAB_LOCK_FD=; }

# Quote words for a POSIX shell (busybox ash in the guest).
pab_shquote() {
	local out= w
	for w in "$@"; do
		out+="'${w//\'/\'\\\'\'}' "
	done
	printf '%s' "${out% }"
}
