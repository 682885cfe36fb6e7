#!/usr/bin/env bash
# Benchmark: the antagonized fill's time against the idle one's, for scheduling variants of the
# antagonist and the fill, side by side in one boot (variants alternated, rounds repeated), so a
# busy host moves every variant alike. Prints per variant and order the ratio antagonized:idle of
# fill seconds (median over rounds of each round's median ratio) and, from that median round, the
# antagonized child's start (spawn to every fill thread pinned and waiting: outside the fill, inside
# the run) and the workers' pages/s.
#   bench/antagonized-time.sh [--variants "base nice19 unpinned"] [--rounds 3] [--iterations 2]
#                             [--orders 0,4] [--use DIR] [vm-run options, e.g. --cpus 8 --mem 1G]
# --use DIR: summarise the records of an earlier run (its "records:" folder) instead of running.
# Variants: base (the defaults), niceN (workers at niceness N), batchN (N blocks per module call
# instead of 256: more returns to user space, where a worker can be preempted), unpinned
# (pab-fill's threads not pinned to a CPU each: built here from child/pab-fill.c without its pin).
# Tools: build/bin.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
variants="base nice19 unpinned" rounds=3 iterations=2 orders=0,4 use=
vm=()
while [ $# -gt 0 ]; do
	case "$1" in
	--variants) variants=$2; shift 2 ;;
	--rounds) rounds=$2; shift 2 ;;
	--iterations) iterations=$2; shift 2 ;;
	--orders) orders=$2; shift 2 ;;
	--use) use=$2; shift 2 ;;
	-h | --help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) vm+=("$1"); shift ;;
	esac
done
command -v jq >/dev/null || { echo "antagonized-time: jq is needed" >&2; exit 2; }
if [ -n "$use" ]; then
	[ -d "$use" ] || { echo "antagonized-time: --use $use: no such folder" >&2; exit 2; }
	share=$use
else
	bin="$root/build/bin"
	[ -x "$bin/pab-antagonize" ] || { echo "antagonized-time: no $bin/pab-antagonize; run make tools" >&2; exit 2; }
	share=$(mktemp -d "${TMPDIR:-/tmp}/antagonized-time.XXXXXX")
	mkdir -p "$share/unpinned"
	cp "$bin/pab-exhaust" "$share/unpinned/"
	# The variant's child: the same source with the pin left out.
	sed 's/err = pthread_setaffinity_np(pthread_self(), sizeof(set), &set);/err = 0; (void)set;/' \
		"$root/tools/pab-exhaust/child/pab-fill.c" >"$share/unpinned/pab-fill.c"
	grep -q 'err = 0; (void)set;' "$share/unpinned/pab-fill.c" || { echo "antagonized-time: could not unpin pab-fill.c" >&2; exit 2; }
	gcc -O2 -static -pthread -o "$share/unpinned/pab-fill" "$share/unpinned/pab-fill.c"

	guest='
	insmod /opt/pab/kmod/page_alloc_bench.ko || exit 1
	for r in $(seq 1 '"$rounds"'); do
		for v in '"$variants"'; do
			ex=pab-exhaust nice=
			case $v in
			unpinned) ex=/opt/pab/share/unpinned/pab-exhaust ;;
			nice*) nice="--nice ${v#nice}" ;;
			batch*) nice="--batch ${v#batch}" ;;
			esac
			pab-antagonize --order '"$orders"' --idle-first $nice -- $ex --iterations '"$iterations"' \
				>/opt/pab/share/$v.$r.jsonl 2>/opt/pab/share/$v.$r.err || echo "$v round $r failed: $(tail -2 /opt/pab/share/$v.$r.err)"
		done
	done
	'
	echo "antagonized-time: load before: $(cut -d" " -f1-3 /proc/loadavg)" >&2
	"$root/scripts/vm-run" --timeout 3000 --share "$share" ${vm[@]+"${vm[@]}"} -- sh -c "$guest"
	echo "antagonized-time: load after: $(cut -d" " -f1-3 /proc/loadavg)" >&2
fi

# Per round and order: median fill seconds of each phase and their ratio; the workers' rate.
printf '%-10s %-5s %-8s %-8s %-7s %-30s %-8s %s\n' variant order idle_s antag_s ratio "ratios by round" start_s "worker pages/s"
for v in $variants; do
	for o in ${orders//,/ }; do
		for f in "$share"/$v.*.jsonl; do
			jq -rs --argjson o "$o" '
				def med: sort | if length == 0 then null else .[length / 2 | floor] end;
				[.[] | select(.type == "metric" and .order == $o)] as $m
				| ([$m[] | select(.metric == "idle_available_bytes") | .details.duration_s] | med) as $i
				| ([$m[] | select(.metric == "antagonized_available_bytes") | .details.duration_s] | med) as $a
				| ([$m[] | select(.metric == "antagonized_available_bytes") | .details.child_start_s] | med) as $start
				| ([$m[] | select(.metric == "kernel_page_alloc_rate") | .value] | med) as $rate
				| if $i and $a then "\($i) \($a) \($a / $i) \($rate // 0) \($start // 0)" else empty end' "$f"
		done | sort -g -k3 | awk -v v="$v" -v o="$o" '
			{ i[NR] = $1; a[NR] = $2; r[NR] = $3; p[NR] = $4; c[NR] = $5; all = all sprintf("%.2f ", $3) }
			END { if (NR == 0) { printf "%-10s %-5s no records\n", v, o; exit }
				m = int((NR + 1) / 2); printf "%-10s %-5s %-8.2f %-8.2f %-7.2f %-30s %-8.2f %.0f\n", v, o, i[m], a[m], r[m], all, c[m], p[m] }'
	done
done
echo "(records: $share)"
