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

# Best of three runs: wall-clock seconds, CPU seconds (user + system) and peak RSS (KiB) of that run.
# CPU time is shown too because on a shared 2-core machine wall time mostly measures the neighbours.
measure() {
    local best="" cpu="" rss=""
    for _ in 1 2 3; do
        /usr/bin/time -f "%e %U %S %M" -o "$work/time" "$@" >/dev/null 2>"$work/stderr" < "$input" || { cat "$work/stderr" >&2; exit 1; }
        read -r t u s m < "$work/time"
        if [ -z "$best" ] || awk -v a="$t" -v b="$best" 'BEGIN { exit !(a < b) }'; then
            best=$t; cpu=$(awk -v u="$u" -v s="$s" 'BEGIN { print u + s }'); rss=$m
        fi
    done
    echo "$best $cpu $rss"
}

{
    measure jq -c .
    measure "$report" --format text
    measure "$report" --format text --output-path "$work/out.json"
    measure "$report" --format jsonl
} > "$work/results"

awk -v values="$values" -v bytes="$bytes" -v load="$(cut -d' ' -f1 /proc/loadavg)" -v ncpu="$(nproc)" '
BEGIN {
    split("jq -c . >/dev/null|pab-report --format text|pab-report --format text --output-path F|pab-report --format jsonl", name, "|")
    printf "input: %d values, %.1f MiB of JSON lines; load average %s on %d CPUs\n", values, bytes / 1048576, load, ncpu
    printf "%-42s %8s %14s %8s %14s %12s\n", "command", "wall", "values/s", "CPU", "values/CPU-s", "peak RSS"
}
{
    wall[NR] = $1; cpu[NR] = $2; rss[NR] = $3
    printf "%-42s %7.2fs %14.0f %7.2fs %14.0f %8.1f MiB\n", name[NR], $1, values / $1, $2, values / $2, $3 / 1024
}
END {
    printf "pab-report --format text relative to jq: %.2f× (wall), %.2f× (CPU)\n", wall[1] / wall[2], cpu[1] / cpu[2]
    ok = (values / wall[2] >= 5e6) && (wall[2] <= wall[1]) && (rss[2] / 1024 < 200)
    okcpu = (values / cpu[2] >= 5e6) && (cpu[2] <= cpu[1]) && (rss[2] / 1024 < 200)
    printf "goal (>= 5 M values/s, not slower than jq, < 200 MiB): %s by wall time, %s by CPU time\n", ok ? "met" : "NOT met", okcpu ? "met" : "NOT met"
}' "$work/results"
