#!/bin/sh
# Guest half of bench/antagonize-rate.sh: runs inside the VM (busybox sh), module loaded here.
# Prints, per order, pages per second per CPU for the module's in-kernel loop, pab-antagonize --batch 1
# and pab-antagonize with its default batch, and the ratios.
set -u
orders=${1:-0 4} duration=${2:-5} selftest_count=${3:-200000}
insmod /opt/pab/kmod/page_alloc_bench.ko 2>/dev/null || pab-load insert >/dev/null || { echo "cannot load the module" >&2; exit 1; }

# per_cpu FILE METRIC: the per_cpu_pages_per_s detail of METRIC's record in FILE.
per_cpu() {
	grep "\"metric\":\"$2\"" "$1" | sed -n 's/.*"per_cpu_pages_per_s":\([0-9.eE+-]*\).*/\1/p' | head -n 1
}

echo "order  in-kernel/CPU  batch1/CPU  default/CPU  default:in-kernel  default:batch1   (pages/s; $(nproc) CPUs, ${duration} s runs)"
for order in $orders; do
	pab-antagonize --order "$order" --selftest "$selftest_count" >selftest.jsonl 2>selftest.err ||
		{ cat selftest.err >&2; exit 1; }
	pab-antagonize --order "$order" --batch 1 --duration "$duration" >batch1.jsonl 2>batch1.err ||
		{ cat batch1.err >&2; exit 1; }
	pab-antagonize --order "$order" --duration "$duration" >default.jsonl 2>default.err ||
		{ cat default.err >&2; exit 1; }
	k=$(per_cpu selftest.jsonl kernel_selftest_alloc_rate)
	b=$(per_cpu batch1.jsonl kernel_page_alloc_rate)
	d=$(per_cpu default.jsonl kernel_page_alloc_rate)
	awk -v o="$order" -v k="$k" -v b="$b" -v d="$d" 'BEGIN {
		printf "%5d  %13.0f  %10.0f  %11.0f  %16.1f%%  %13.2fx\n", o, k, b, d, 100 * d / k, d / b
	}'
	for f in batch1 default; do sed -n 's/^pab-antagonize: \(.*latency.*\)/    '"$f"' \1/p' $f.err; done
done
