#!/usr/bin/env bash
# Benchmark: pab-antagonize's allocation rate against the module's in-kernel loop (the machine's limit),
# side by side in one VM run, medians of interleaved repetitions. Goal: the default batch reaches >= 70 % of
# the in-kernel rate and >= 2x --batch 1 (which needs in-kernel:batch1, the ceiling printed, above 2).
#   bench/antagonize-rate.sh [--bin DIR] [--orders "0 4"] [--duration S] [--selftest-count N] [--reps N]
#                            [vm-run options, e.g. --append "tsc=reliable init_on_alloc=0"...]
# The tools must be published first (scripts/publish-tools; --bin defaults to build/bin).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
bin="$root/build/bin" orders="0 4" duration=5 count=200000 reps=3
vm=()
while [ $# -gt 0 ]; do
	case "$1" in
	--bin) bin=$2; shift 2 ;;
	--orders) orders=$2; shift 2 ;;
	--duration) duration=$2; shift 2 ;;
	--selftest-count) count=$2; shift 2 ;;
	--reps) reps=$2; shift 2 ;;
	-h | --help) sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) vm+=("$1"); shift ;;
	esac
done
[ -x "$bin/pab-antagonize" ] || { echo "antagonize-rate: no $bin/pab-antagonize; run scripts/publish-tools (or pass --bin)" >&2; exit 2; }
exec "$root/scripts/vm-run" --bin "$bin" --add "$here/antagonize-rate-guest.sh" --timeout 1200 ${vm[@]+"${vm[@]}"} \
	-- sh antagonize-rate-guest.sh "$orders" "$duration" "$count" "$reps"
