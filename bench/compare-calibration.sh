#!/usr/bin/env bash
# Calibrates pab-report compare on real boots (docs/report.md):
#   A/A: every split of the runs of one kernel (sides a and b) into two halves: how many rows are called changed;
#   known effects: init_on_alloc=0 (order-4 allocation latency falls), mem= 2 % below the VM's memory (idle
#   available bytes fall by the memory taken away).
#   bench/compare-calibration.sh [--rounds 5] [--out DIR]   boots 4 sides × rounds with scripts/compare-kernels
#   bench/compare-calibration.sh --use DIR                  only the statistics, over a finished DIR
#   --save-fixtures: also copy DIR's runs, without their samples and events, to the unit tests' fixtures
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=5 out='' use='' save='' vm_mem=1024 cut_mib=21
while [ $# -gt 0 ]; do
	case $1 in
	--rounds) rounds=${2:?--rounds needs a value}; shift 2 ;;
	--out) out=${2:?--out needs a folder}; shift 2 ;;
	--use) use=${2:?--use needs a folder}; shift 2 ;;
	--save-fixtures) save=1; shift ;;
	-h | --help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "compare-calibration: unknown option '$1' (see --help)" >&2; exit 2 ;;
	esac
done
command -v jq >/dev/null || scripts/install-deps
if [ -z "$use" ]; then
	use=${out:-build/results/calibration-$(date -u +%Y%m%dT%H%M%SZ)}
	scripts/compare-kernels --rounds "$rounds" --out "$use" a=bookworm b=bookworm noinit=bookworm+init_on_alloc=0 \
		"mem=bookworm+mem=$((vm_mem - cut_mib))M" -- --iterations 3 --alloc-orders 0,4 >/dev/null
else
	make -s tools
fi
report=build/bin/pab-report
if [ -n "$save" ]; then
	fixtures=tests/Pab.Tests/Report/fixtures/calibration
	rm -rf "$fixtures"
	for f in "$use"/*/round-*.jsonl; do
		side=$(basename "$(dirname "$f")")
		mkdir -p "$fixtures/$side"
		jq -c 'select(.type == "meta" or .type == "metric")' "$f" >"$fixtures/$side/$(basename "$f")"
	done
	cp "$use/plan" "$fixtures/plan"
	echo "compare-calibration: fixtures in $fixtures" >&2
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# --- A/A: every split of a's and b's runs into two halves (the first run always on side x) ---
mapfile -t runs < <(ls "$use"/a/round-*.jsonl "$use"/b/round-*.jsonl 2>/dev/null)
n=${#runs[@]} half=$((${#runs[@]} / 2))
[ "$n" -ge 8 ] || { echo "compare-calibration: A/A needs at least 8 runs in $use/a and $use/b, found $n" >&2; exit 1; }
splits=0 tested=0 called=0
: >"$tmp/called-rows"
for ((mask = 1; mask < (1 << n); mask += 2)); do
	x=() y=()
	for ((i = 0; i < n; i++)); do
		if (((mask >> i) & 1)); then x+=("${runs[i]}"); else y+=("${runs[i]}"); fi
	done
	[ ${#x[@]} -eq "$half" ] || continue
	"$report" compare "x=$(IFS=,; echo "${x[*]}")" "y=$(IFS=,; echo "${y[*]}")" --export-json "$tmp/split.json" >/dev/null 2>&1
	read -r t c < <(jq -r '"\(.tested) \(.called)"' "$tmp/split.json")
	jq -r '.rows[] | select(.sides[1].verdict == "higher" or .sides[1].verdict == "lower") | "\(.metric) order \(.order // "-")"' \
		"$tmp/split.json" >>"$tmp/called-rows"
	splits=$((splits + 1)) tested=$((tested + t)) called=$((called + c))
done
echo "A/A: $splits splits of $n runs of one kernel into $half against $((n - half)): $called of $tested comparisons called changed" \
	"($(awk -v c="$called" -v t="$tested" 'BEGIN { printf "%.2f", 100 * c / t }') %; goal at most 5 %)"
if [ -s "$tmp/called-rows" ]; then
	echo "  rows called most often (times, of $splits splits):"
	sort "$tmp/called-rows" | uniq -c | sort -rn | head -n 8 | sed 's/^/   /'
fi

# --- known effects, one row each, against a ---
row() { # SIDE METRIC ORDER: change and interval of that row, in percent
	"$report" compare "a=$use/a" "$1=$use/$1" --export-json "$tmp/$1.json" >/dev/null 2>&1
	jq -r --arg m "$2" --argjson o "$3" '.rows[] | select(.metric == $m and .order == $o) | .sides[1] |
		"\(.verdict): change \(.change * 100 | . * 100 | round / 100) % [\(.low * 100 | . * 100 | round / 100), \(.high * 100 | . * 100 | round / 100)] at \(.confidence * 100 | . * 10 | round / 10) %"' "$tmp/$1.json"
}
echo "init_on_alloc=0, order-4 alloc latency p50: $(row noinit kernel_page_alloc_latency_p50_ns 4) (goal: lower)"
for o in 0 4; do
	"$report" compare "a=$use/a" "mem=$use/mem" --export-json "$tmp/mem.json" >/dev/null 2>&1
	base=$(jq -r --argjson o "$o" '.rows[] | select(.metric == "idle_available_bytes" and .order == $o) | .sides[0].run_values | sort | .[length / 2 | floor]' "$tmp/mem.json")
	expected=$(awk -v b="$base" -v c="$cut_mib" 'BEGIN { printf "%.2f", -100 * c * 1048576 / b }')
	echo "mem=$((vm_mem - cut_mib))M, idle available bytes order $o: $(row mem idle_available_bytes "$o") (goal: lower, interval holding the $cut_mib MiB taken away: $expected %)"
done
