#!/usr/bin/env bash
# Calibrates pab-report compare on real boots (docs/report.md):
#   A/A: every split of the runs of one kernel (sides a and b) into two halves: how many rows are called changed;
#   known effects: init_on_alloc=0 (order-4 allocation latency falls), mem= 2 % below the VM's memory (idle
#   available bytes fall by the memory taken away).
#   bench/compare-calibration.sh [--rounds 5] [--out DIR]   boots 4 sides × rounds with scripts/compare-kernels
#   bench/compare-calibration.sh --use DIR                  only the statistics, over a finished DIR
#   --save-fixtures: also copy DIR's runs, without their samples and events, to the unit tests' fixtures
#   bench/compare-calibration.sh --aa SIDEDIR [--aa SIDEDIR…] [--save-fixtures]
#                                  only the A/A, over every run in those folders (one kernel, one set of
#                                  options: e.g. two sides of one compare-kernels run and a third's side)
#   The A/A counts the headline rows and, apart, the kernel's account (explanatory rows).
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=5 out='' use='' save='' vm_mem=1024 cut_mib=21 aa_dirs=()
while [ $# -gt 0 ]; do
	case $1 in
	--rounds) rounds=${2:?--rounds needs a value}; shift 2 ;;
	--out) out=${2:?--out needs a folder}; shift 2 ;;
	--use) use=${2:?--use needs a folder}; shift 2 ;;
	--aa) aa_dirs+=("${2:?--aa needs a folder}"); shift 2 ;;
	--save-fixtures) save=1; shift ;;
	-h | --help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "compare-calibration: unknown option '$1' (see --help)" >&2; exit 2 ;;
	esac
done
command -v jq >/dev/null || scripts/install-deps
report=build/bin/pab-report

# Every split of the runs given into two halves (the first run always on side x, so none counts twice):
# how many headline and explanatory comparisons are called changed, and which rows most often.
aa() {
	local runs=("$@") n half splits=0 tested=0 called=0 atested=0 acalled=0 t c at ac mask i x y tmp
	n=${#runs[@]} half=$((${#runs[@]} / 2))
	[ "$n" -ge 8 ] || { echo "compare-calibration: A/A needs at least 8 runs of one kernel, found $n" >&2; exit 1; }
	tmp=$(mktemp -d)
	: >"$tmp/called-rows"
	for ((mask = 1; mask < (1 << n); mask += 2)); do
		x=() y=()
		for ((i = 0; i < n; i++)); do
			if (((mask >> i) & 1)); then x+=("${runs[i]}"); else y+=("${runs[i]}"); fi
		done
		[ ${#x[@]} -eq "$half" ] || continue
		"$report" compare "x=$(IFS=,; echo "${x[*]}")" "y=$(IFS=,; echo "${y[*]}")" --export-json "$tmp/split.json" >/dev/null 2>&1
		read -r t c at ac < <(jq -r '"\(.tested) \(.called) \(.account_tested) \(.account_called)"' "$tmp/split.json")
		jq -r '(.rows, .account_rows)[] | select(.sides[1].verdict == "higher" or .sides[1].verdict == "lower") | "\(.metric) order \(.order // "-")"' \
			"$tmp/split.json" >>"$tmp/called-rows"
		splits=$((splits + 1)) tested=$((tested + t)) called=$((called + c)) atested=$((atested + at)) acalled=$((acalled + ac))
	done
	pct() { awk -v c="$1" -v t="$2" 'BEGIN { printf "%.2f", t ? 100 * c / t : 0 }'; }
	echo "A/A: $splits splits of $n runs of one kernel into $half against $((n - half)):"
	echo "  headline rows: $called of $tested comparisons called changed ($(pct "$called" "$tested") %; goal at most 5 %)"
	echo "  the kernel's account: $acalled of $atested comparisons called changed ($(pct "$acalled" "$atested") %; goal at most 5 %)"
	if [ -s "$tmp/called-rows" ]; then
		echo "  rows called most often (times, of $splits splits):"
		sort "$tmp/called-rows" | uniq -c | sort -rn | head -n 10 | sed 's/^/   /'
	fi
	rm -rf "$tmp"
}

if [ ${#aa_dirs[@]} -gt 0 ]; then
	make -s tools
	runs=()
	for d in "${aa_dirs[@]}"; do
		[ -d "$d" ] || { echo "compare-calibration: --aa $d: no such folder" >&2; exit 2; }
		shopt -s nullglob
		runs+=("$d"/round-*.jsonl "$d"/round-*.jsonl.gz)
		shopt -u nullglob
	done
	if [ -n "$save" ]; then
		# Each run without its samples and events, gzipped, named after its result folder and side.
		fixtures=tests/Pab.Tests/Report/fixtures/account/aa
		rm -rf "$fixtures"
		mkdir -p "$fixtures"
		for f in "${runs[@]}"; do
			side=$(basename "$(dirname "$f")") result=$(basename "$(dirname "$(dirname "$f")")")
			jq -c 'select(.type == "meta" or .type == "metric")' "$f" | gzip -9n >"$fixtures/$result-$side-$(basename "${f%.gz}").gz"
		done
		echo "compare-calibration: fixtures in $fixtures" >&2
	fi
	aa "${runs[@]}"
	exit 0
fi
if [ -z "$use" ]; then
	use=${out:-build/results/calibration-$(date -u +%Y%m%dT%H%M%SZ)}
	scripts/compare-kernels --rounds "$rounds" --out "$use" a=bookworm b=bookworm noinit=bookworm+init_on_alloc=0 \
		"mem=bookworm+mem=$((vm_mem - cut_mib))M" -- --iterations 3 --alloc-orders 0,4 >/dev/null
else
	make -s tools
fi
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

# --- A/A: every split of a's and b's runs into two halves ---
mapfile -t runs < <(ls "$use"/a/round-*.jsonl "$use"/b/round-*.jsonl 2>/dev/null)
aa "${runs[@]}"

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
