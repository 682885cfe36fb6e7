#!/usr/bin/env bash
# Benchmark: pab-antagonize's allocation rate against the module's in-kernel loop (the machine's limit),
# side by side in one VM run. Goal: the default batch reaches >= 70 % of the in-kernel rate and >= 2x --batch 1.
#   bench/antagonize-rate.sh [--bin DIR] [--orders "0 4"] [--duration S] [--selftest-count N] [vm-run options...]
# The tools must be published first (scripts/publish-tools; --bin defaults to build/bin).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
bin="$root/build/bin" orders="0 4" duration=5 count=200000
vm=()
while [ $# -gt 0 ]; do
	case "$1" in
	--bin) bin=$2; shift 2 ;;
	--orders) orders=$2; shift 2 ;;
	--duration) duration=$2; shift 2 ;;
	--selftest-count) count=$2; shift 2 ;;
	-h | --help) sed -n '2,5p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) vm+=("$1"); shift ;;
	esac
done
[ -x "$bin/pab-antagonize" ] || { echo "antagonize-rate: no $bin/pab-antagonize; run scripts/publish-tools (or pass --bin)" >&2; exit 2; }
exec "$root/scripts/vm-run" --bin "$bin" --add "$here/antagonize-rate-guest.sh" --timeout 1200 ${vm[@]+"${vm[@]}"} \
	-- sh antagonize-rate-guest.sh "$orders" "$duration" "$count"
