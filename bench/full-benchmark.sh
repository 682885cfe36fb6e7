#!/usr/bin/env bash
# Reliability and speed of the whole benchmark, as figures: runs page-alloc-bench N times in a
# fresh VM at each memory size and prints, per size, the runs that completed, the median guest
# wall time of a run, and the coefficient of variation of each available-bytes metric.
#   bench/full-benchmark.sh [--runs N] [--sizes 1G,2G] [--iterations 3] [--orders 0,4]
# The original, with --iterations 3 --alloc-orders 0,4 in a 2-CPU TCG VM, finished 5 of 7 runs at
# 1 GiB and none of 6 at 2 GiB (its main process was OOM-killed after the child), in 18-22 s.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=3 sizes=1G,2G iterations=3 orders=0,4
while [ $# -gt 0 ]; do
	case $1 in
	--runs) runs=$2; shift 2 ;;
	--sizes) sizes=$2; shift 2 ;;
	--iterations) iterations=$2; shift 2 ;;
	--orders) orders=$2; shift 2 ;;
	*) echo "full-benchmark: unknown option $1" >&2; exit 2 ;;
	esac
done
make -s tools kmod-vm
out=$(mktemp -d /tmp/pab-full.XXXXXX)
trap 'rm -rf "$out"' EXIT

printf '%-5s %-9s %-14s %s\n' size completed "median wall" "CV of available bytes (per metric and order)"
for size in ${sizes//,/ }; do
	completed=0 walls=()
	: >"$out/records-$size.jsonl"
	for run in $(seq 1 "$runs"); do
		dir=$out/$size-$run
		mkdir -p "$dir"
		# Guest wall time from /proc/uptime around the run, so boot time is not counted.
		if scripts/vm-run --mem "$size" --share "$dir" --add scripts/page-alloc-bench --log-dir "$dir/vm" --timeout 1800 -- \
			sh -c "read a _ </proc/uptime; sh page-alloc-bench --iterations $iterations --alloc-orders $orders \
				--records /opt/pab/share/records.jsonl >/dev/null 2>/opt/pab/share/stderr; rc=\$?; read b _ </proc/uptime; \
				echo \"\$a \$b\" >/opt/pab/share/uptime; exit \$rc" >/dev/null 2>&1; then
			completed=$((completed + 1))
			walls+=("$(awk '{printf "%.1f", $2 - $1}' "$dir/uptime")")
			# Tag each run's records so the CV is taken within a run, as the original's figures were.
			sed "s/\"run\":\"[^\"]*\"/\"run\":\"$size-$run\"/" "$dir/records.jsonl" >>"$out/records-$size.jsonl"
		else
			echo "full-benchmark: $size run $run failed; logs in $dir/vm (kept)" >&2
			trap - EXIT
		fi
	done
	median=$(printf '%s\n' "${walls[@]:-}" | sort -n | awk 'NF {a[n++]=$1} END {if (n) print a[int((n-1)/2)] " s"; else print "-"}')
	cv=$(jq -r 'select(.type=="metric" and (.metric|endswith("_available_bytes"))) | "\(.run) \(.metric)_order\(.order) \(.value)"' \
		"$out/records-$size.jsonl" | awk '
		{ k = $2; key[$1 " " k] = 1; n[$1 " " k]++; s[$1 " " k] += $3; q[$1 " " k] += $3 * $3; metric[k] = 1 }
		END {
			for (rk in key) { split(rk, p, " "); m = s[rk] / n[rk]; v = (q[rk] - n[rk] * m * m) / (n[rk] - 1)
				if (n[rk] > 1 && m > 0) { cv = 100 * sqrt(v > 0 ? v : 0) / m; sum[p[2]] += cv; cnt[p[2]]++; if (cv > mx[p[2]]) mx[p[2]] = cv } }
			for (k in metric) if (cnt[k]) printf "%s %.3f%% (max %.3f%%); ", k, sum[k] / cnt[k], mx[k]
		}')
	printf '%-5s %-9s %-14s %s\n' "$size" "$completed/$runs" "$median" "${cv:--}"
done
echo "(CV: mean over runs of the within-run coefficient of variation across iterations; wall: guest time of one whole run)"
