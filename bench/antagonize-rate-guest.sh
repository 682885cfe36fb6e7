#!/bin/sh
# Guest half of bench/antagonize-rate.sh: runs inside the VM (busybox sh), module loaded here.
# Per order, interleaved REPS times: the module's in-kernel loop, pab-antagonize --batch 1 and
# pab-antagonize with its default batch; prints the medians of pages per second per CPU, and the
# medians of the ratios taken within each repetition (neighbouring runs share the host's mood).
set -u
orders=${1:-0 4} duration=${2:-5} selftest_count=${3:-200000} reps=${4:-3}
insmod /opt/pab/kmod/page_alloc_bench.ko 2>/dev/null || pab-load insert >/dev/null || { echo "cannot load the module" >&2; exit 1; }

# per_cpu FILE METRIC: the per_cpu_pages_per_s detail of METRIC's record in FILE.
per_cpu() {
	grep "\"metric\":\"$2\"" "$1" | sed -n 's/.*"per_cpu_pages_per_s":\([0-9.eE+-]*\).*/\1/p' | head -n 1
}
median() { tr ' ' '\n' | grep . | sort -n | awk '{ v[NR] = $1 } END { print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
run() { # NAME ARGS...: one pab-antagonize run into NAME.jsonl, its log kept in NAME.err
	name=$1; shift
	pab-antagonize "$@" >"$name.jsonl" 2>"$name.err" || { cat "$name.err" >&2; exit 1; }
}

echo "kernel $(uname -r), $(nproc) CPUs, clocksource $(cat /sys/devices/system/clocksource/clocksource0/current_clocksource), cmdline: $(sed 's/ pab\.[^ ]*//g' /proc/cmdline)"
echo "in-kernel: the module's loop in the antagonist's bursts (allocate --middle blocks, 1000 by default, free them oldest first)"
echo "medians of $reps interleaved runs of ${duration} s each; pages/s per CPU; ratios: medians of the per-repetition ratios"
echo "order  in-kernel  batch 1  default  default:in-kernel  default:batch1  in-kernel:batch1 (ceiling)"
for order in $orders; do
	k= b= d= rk= rb= rc=
	rep=0
	while [ $rep -lt "$reps" ]; do
		run selftest --order "$order" --selftest "$selftest_count"
		run batch1 --order "$order" --batch 1 --duration "$duration"
		run default --order "$order" --duration "$duration"
		kv=$(per_cpu selftest.jsonl kernel_selftest_alloc_rate)
		bv=$(per_cpu batch1.jsonl kernel_page_alloc_rate)
		dv=$(per_cpu default.jsonl kernel_page_alloc_rate)
		k="$k $kv" b="$b $bv" d="$d $dv"
		# shellcheck disable=SC2046 # three numbers, split on purpose
		set -- $(awk -v k="$kv" -v b="$bv" -v d="$dv" 'BEGIN { print 100 * d / k, d / b, k / b }')
		rk="$rk $1" rb="$rb $2" rc="$rc $3"
		rep=$((rep + 1))
	done
	echo "$order $(echo "$k" | median) $(echo "$b" | median) $(echo "$d" | median) $(echo "$rk" | median) $(echo "$rb" | median) $(echo "$rc" | median)" | awk '{
		printf "%5d  %9.0f  %7.0f  %7.0f  %16.1f%%  %13.2fx  %15.2fx\n", $1, $2, $3, $4, $5, $6, $7
		a = "not met"; if ($5 >= 70) a = "met"
		b = "not met"; if ($6 >= 2) b = "met"; else if ($7 < 2) b = "not met, out of reach: in-kernel itself is under 2x batch 1"
		printf "       goal default >= 70%% of in-kernel: %s; default >= 2x batch 1: %s\n", a, b
	}'
	echo "       runs: in-kernel$k; batch 1$b; default$d" | awk '{ gsub(/\.[0-9]+/, ""); print }'
	for f in batch1 default; do sed -n 's/^pab-antagonize: \(.*latency.*\)/       last '"$f"' run: \1/p' $f.err; done
done
