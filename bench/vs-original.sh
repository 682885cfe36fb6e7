#!/usr/bin/env bash
# Our pipeline against the original's Go userspace, side by side in one VM boot, both on this
# checkout's module: guest time of a whole run, what our processes hold during the fills, and idle
# available bytes at order 0. The sides alternate (AB BA ...) so drift falls on both.
#   bench/vs-original.sh [--runs 3] [--iterations 2] [--orders 0,4] [--orig TARBALL] [--keep DIR] [--vm-arg ARG]...
# --orig: the original's built userspace (default ../shared/anchors/original-userspace.tar.gz;
# its README says how it was built). It is unpacked into a temporary share, never into the tree.
# Goals (issue #25): ours ≤ 0.6× the original's time at --iterations 2, ≤ 0.4× at 5; each of our
# resident processes ≤ 8 MiB (rss, pss, anon) during a fill; idle available bytes at order 0 within
# 1 % of the original's. Each side's time counts its module load and unload. Needs python3.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=3 iterations=2 orders=0,4 keep= vm_args=() orig=$(dirname "$PWD")/shared/anchors/original-userspace.tar.gz
while [ $# -gt 0 ]; do
	case $1 in
	--runs) runs=${2:?--runs needs a value}; shift 2 ;;
	--iterations) iterations=${2:?--iterations needs a value}; shift 2 ;;
	--orders) orders=${2:?--orders needs a value}; shift 2 ;;
	--orig) orig=${2:?--orig needs a value}; shift 2 ;;
	--keep) keep=${2:?--keep needs a value}; shift 2 ;;
	--vm-arg) vm_args+=("${2:?--vm-arg needs a value}"); shift 2 ;;
	-h | --help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "vs-original: unknown option $1 (see --help)" >&2; exit 2 ;;
	esac
done
[ -f "$orig" ] || { echo "vs-original: the original's userspace '$orig' not found (--orig)" >&2; exit 2; }
make -s tools kmod-vm
out=${keep:-$(mktemp -d /tmp/pab-vs-original.XXXXXX)}
[ -n "$keep" ] || trap 'rm -rf "$out"' EXIT
mkdir -p "$out/ours" "$out/orig"
cp scripts/page-alloc-bench "$out/ours/"
ln -sfn /opt/pab/bin "$out/ours/bin"
tar -xzf "$orig" -C "$out/orig"
[ -x "$out/orig/page_alloc_bench" ] || { echo "vs-original: no page_alloc_bench in $orig" >&2; exit 2; }

cat >"$out/guest.sh" <<'GUEST'
#!/bin/sh
# In the guest: each side timed from /proc/uptime, module load and unload included.
s=/opt/pab/share runs=$1 iterations=$2 orders=$3
ko=/opt/pab/kmod/page_alloc_bench.ko
: >"$s/runs.txt"
ours() { # K
	sh "$s/ours/page-alloc-bench" --iterations "$iterations" --alloc-orders "$orders" --ko "$ko" \
		--run-id "ours-$1" --records "$s/ours-$1.jsonl" >"$s/ours-$1.report" 2>"$s/ours-$1.err"
}
orig() { # K: its parent is sometimes OOM-killed itself (137): that attempt is retried, not counted
	cd "$s/orig" || return 1
	echo 1 >/proc/sys/vm/overcommit_memory # its child maps more than it can fill
	insmod "$ko" || return 1
	./page_alloc_bench --iterations "$iterations" --alloc-orders "$orders" --findlimit-mmap-size-gib=1 \
		--output-path "$s/orig-$1.json" >"$s/orig-$1.out" 2>"$s/orig-$1.err"
	rc=$?
	rmmod page_alloc_bench
	echo 0 >/proc/sys/vm/overcommit_memory
	cd / && return $rc
}
k=1
while [ "$k" -le "$runs" ]; do
	list="ours orig"
	[ $((k % 2)) -eq 0 ] && list="orig ours"
	for side in $list; do
		tries=1
		while :; do
			read -r u0 _ </proc/uptime
			"$side" "$k"
			rc=$?
			read -r u1 _ </proc/uptime
			[ "$side" = orig ] && [ $rc -eq 137 ] && [ $tries -lt 3 ] && { tries=$((tries + 1)); continue; }
			break
		done
		echo "$side $k $rc $u0 $u1 $tries" >>"$s/runs.txt"
	done
	k=$((k + 1))
done
exit 0
GUEST

echo "vs-original: $runs run(s) per side, --iterations $iterations --alloc-orders $orders, in one VM" >&2
scripts/vm-run "${vm_args[@]}" --share "$out" --log-dir "$out/vm" --timeout $((600 + runs * 900)) -- \
	sh /opt/pab/share/guest.sh "$runs" "$iterations" "$orders" >&2 ||
	{ echo "vs-original: the VM run failed; logs in $out/vm" >&2; trap - EXIT; exit 1; }
python3 bench/vs-original-report.py "$out" "$iterations"
[ -z "$keep" ] || echo "vs-original: kept in $keep" >&2
