#!/usr/bin/env bash
# pab-report throughput and peak memory on a large synthetic run, beside jq over the same file.
# Usage: bench/report-throughput.sh [CPUS] [SAMPLES_PER_CPU]   (defaults 64 50000: 12.8 million values)
# Goal: ≥ 5 million values/s, at least as fast as `jq -c . >/dev/null`, peak RSS < 200 MiB.
set -euo pipefail
cpus=${1:-64}
per_cpu=${2:-50000}
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for tool in jq awk /usr/bin/time dotnet; do
    command -v "$tool" >/dev/null || { echo "report-throughput: $tool is needed" >&2; exit 2; }
done

echo "building pab-report (Release)…" >&2
dotnet publish "$repo/tools/pab-report" -c Release -o "$work/bin" --nologo -v quiet >&2
report="$work/bin/pab-report"

# 2 orders × 2 latency metrics × CPUS samples records of SAMPLES_PER_CPU values each, plus
# 10 iterations of the exhaust metrics, as pab-antagonize and pab-exhaust write them.
input="$work/run.jsonl"
awk -v cpus="$cpus" -v n="$per_cpu" 'BEGIN {
    srand(42)
    printf "{\"v\":1,\"type\":\"meta\",\"run\":\"bench\",\"tool\":\"pab-antagonize\",\"tool_version\":\"0.1.0\",\"time\":\"2026-11-22T00:00:00Z\",\"host\":{\"kernel_release\":\"6.1.0-56-amd64\",\"cpus\":%d}}\n", cpus
    split("kernel_page_alloc_latencies_ns kernel_page_free_latencies_ns", metrics, " ")
    for (order = 0; order <= 3; order += 3)
        for (m = 1; m <= 2; m++)
            for (cpu = 0; cpu < cpus; cpu++) {
                printf "{\"v\":1,\"type\":\"samples\",\"run\":\"bench\",\"tool\":\"pab-antagonize\",\"time\":\"2026-11-22T00:00:01Z\",\"metric\":\"%s\",\"order\":%d,\"label\":\"antagonized\",\"cpu\":%d,\"unit\":\"ns\",\"values\":[", metrics[m], order, cpu
                for (i = 0; i < n; i++) {
                    # a long-tailed latency: mostly hundreds of ns, sometimes tens of µs
                    v = int(150 + 400 * rand() + (rand() < 0.01 ? 50000 * rand() : 0))
                    printf (i ? ",%d" : "%d"), v
                }
                printf "],\"population\":%d,\"details\":{\"p50_ns\":350,\"p99_ns\":20000,\"max_ns\":60000}}\n", n * 40
            }
    for (it = 0; it < 10; it++)
        printf "{\"v\":1,\"type\":\"metric\",\"run\":\"bench\",\"tool\":\"pab-exhaust\",\"metric\":\"idle_available_bytes\",\"label\":\"idle\",\"iteration\":%d,\"unit\":\"bytes\",\"value\":%d}\n", it, 20000000000 + it
}' > "$input"

values=$((cpus * per_cpu * 4 + 10))
bytes=$(stat -c %s "$input")

# Best of three wall-clock times (seconds) and the peak RSS (KiB) of that run.
measure() {
    local best="" rss=""
    for _ in 1 2 3; do
        /usr/bin/time -f "%e %M" -o "$work/time" "$@" >/dev/null 2>"$work/stderr" < "$input" || { cat "$work/stderr" >&2; exit 1; }
        read -r t m < "$work/time"
        if [ -z "$best" ] || awk -v a="$t" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$t; rss=$m; fi
    done
    echo "$best $rss"
}

read -r jq_s jq_kib < <(measure jq -c .)
read -r text_s text_kib < <(measure "$report" --format text)
read -r orig_s orig_kib < <(measure "$report" --format text --output-path "$work/out.json")

awk -v values="$values" -v bytes="$bytes" -v jq_s="$jq_s" -v jq_kib="$jq_kib" \
    -v text_s="$text_s" -v text_kib="$text_kib" -v orig_s="$orig_s" -v orig_kib="$orig_kib" 'BEGIN {
    printf "input: %d values, %.1f MiB of JSON lines\n", values, bytes / 1048576
    printf "%-44s %8s %14s %12s\n", "command", "time", "values/s", "peak RSS"
    printf "%-44s %7.2fs %14.0f %8.1f MiB\n", "jq -c . >/dev/null", jq_s, values / jq_s, jq_kib / 1024
    printf "%-44s %7.2fs %14.0f %8.1f MiB\n", "pab-report --format text", text_s, values / text_s, text_kib / 1024
    printf "%-44s %7.2fs %14.0f %8.1f MiB\n", "pab-report --format text --output-path F", orig_s, values / orig_s, orig_kib / 1024
    printf "pab-report speed relative to jq: %.2f×\n", jq_s / text_s
    ok = (values / text_s >= 5e6) && (text_s <= jq_s) && (text_kib / 1024 < 200)
    printf "goal (≥ 5 M values/s, not slower than jq, < 200 MiB): %s\n", ok ? "met" : "NOT met"
}'
