#!/usr/bin/env bash
# What a whole page-alloc-bench run costs: guest time against the original's, where that time goes
# (from the records' timestamps), and what our own processes hold. One VM boot runs the benchmark
# --runs times per side, the sides interleaved (AB BA ...), so every ratio is measured side by side.
#   bench/run-cost.sh [--before REV] [--runs N] [--iterations N] [--orders LIST] [--keep DIR] [--vm-arg ARG]...
# Sides: "now" is this checkout (build/bin and scripts/page-alloc-bench); --before REV adds that git
# revision, built in a worktree under build/run-cost. Both use this checkout's module. The before
# side's tools run from the 9p share, not the image: their starts are slower there and their
# resident sets count differently, so its figures overstate that build (docs/benchmarks.md).
# Reference: the original's userspace took 13 s of guest time for --iterations 2 --alloc-orders 0,4
# in vm-run's default VM (README), i.e. 13 / 2 x 5 = 32.5 s for the default 5 iterations; the goal
# is about 30 s. Also measured: an empty .NET program published like the tools (bench/dotnet-floor),
# the floor each tool sits on. Needs python3 and jq on the host.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
before= runs=3 iterations=5 orders=0,4 keep= vm_args=()
while [ $# -gt 0 ]; do
	case $1 in
	--before) before=$2; shift 2 ;;
	--runs) runs=$2; shift 2 ;;
	--iterations) iterations=$2; shift 2 ;;
	--orders) orders=$2; shift 2 ;;
	--keep) keep=$2; shift 2 ;;
	--vm-arg) vm_args+=("$2"); shift 2 ;;
	-h | --help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "run-cost: unknown option $1 (see --help)" >&2; exit 2 ;;
	esac
done
make -s tools kmod-vm
out=${keep:-$(mktemp -d /tmp/pab-run-cost.XXXXXX)}
mkdir -p "$out/sides/now"
[ -n "$keep" ] || trap 'rm -rf "$out"' EXIT
cp scripts/page-alloc-bench "$out/sides/now/"
ln -sfn /opt/pab/bin "$out/sides/now/bin"
sides=(now)

if [ -n "$before" ]; then
	rev=$(git rev-parse --short "$before")
	wt=$root/build/run-cost/$rev
	[ -d "$wt" ] || git worktree add --detach "$wt" "$rev" >/dev/null
	echo "run-cost: building $rev in $wt" >&2
	"$wt/scripts/publish-tools" --out "$wt/build/bin" >&2
	mkdir -p "$out/sides/$rev"
	cp "$wt/scripts/page-alloc-bench" "$out/sides/$rev/"
	rm -rf "$out/sides/$rev/bin"
	cp -a "$wt/build/bin" "$out/sides/$rev/bin"
	sides+=("$rev")
fi

echo "run-cost: publishing the empty .NET program" >&2
dotnet publish bench/dotnet-floor/dotnet-floor.csproj -c Release -r linux-x64 -p:PublishAot=true \
	--artifacts-path build/obj -o "$out/floor" >"$out/floor.log" 2>&1 ||
	{ tail "$out/floor.log" >&2; exit 1; }

cat >"$out/guest.sh" <<'GUEST'
#!/bin/sh
# In the guest: wall time from a file's mtime (busybox date has no %N), guest time from /proc/uptime.
s=/opt/pab/share runs=$1 iterations=$2 orders=$3; shift 3
wall() { touch /tmp/.now; stat -c %y /tmp/.now; }
: >"$s/runs.txt"; : >"$s/floor-start.txt"
k=1
while [ "$k" -le "$runs" ]; do
	list=$*
	# Drift balance: every other round the other way round.
	[ $((k % 2)) -eq 0 ] && list=$(for x in "$@"; do echo "$x"; done | sed '1!G;h;$!d' | tr '\n' ' ')
	for side in $list; do
		w0=$(wall); read -r u0 _ </proc/uptime
		sh "$s/sides/$side/page-alloc-bench" --iterations "$iterations" --alloc-orders "$orders" \
			--ko /opt/pab/kmod/page_alloc_bench.ko --run-id "$side-$k" --records "$s/$side-$k.jsonl" \
			>"$s/$side-$k.report" 2>"$s/$side-$k.err"
		rc=$?
		read -r u1 _ </proc/uptime; w1=$(wall)
		echo "$side $k $rc $u0 $u1 $w0 | $w1" >>"$s/runs.txt"
	done
	k=$((k + 1))
done
# The floor: an empty .NET program, as the tools are published: its start (it ends at once on
# end of input) and, waiting, what it holds.
for i in 1 2 3; do
	read -r a _ </proc/uptime; "$s/floor/dotnet-floor" </dev/null; read -r b _ </proc/uptime
	echo "$a $b" >>"$s/floor-start.txt"
done
sleep 60 | "$s/floor/dotnet-floor" &
sleep 5
pid=$(pidof dotnet-floor)
cat "/proc/$pid/smaps_rollup" >"$s/floor.smaps" 2>/dev/null
kill "$pid" 2>/dev/null
exit 0
GUEST

echo "run-cost: $runs run(s) per side (${sides[*]}), --iterations $iterations --alloc-orders $orders, in one VM" >&2
scripts/vm-run "${vm_args[@]}" --share "$out" --log-dir "$out/vm" --timeout $((600 + runs * 900)) -- \
	sh /opt/pab/share/guest.sh "$runs" "$iterations" "$orders" "${sides[@]}" >&2 ||
	{ echo "run-cost: the VM run failed; logs in $out/vm" >&2; trap - EXIT; exit 1; }
python3 bench/run-cost-report.py "$out" "${sides[@]}"
[ -z "$keep" ] || echo "run-cost: kept in $keep" >&2
