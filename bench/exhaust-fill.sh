#!/bin/sh
# Fill rate of pab-exhaust against the plain way (one thread per CPU writing to every page,
# bench/exhaust-touch.c), the same amount of memory each, side by side in one run, and the kernel
# filling it by itself (MAP_POPULATE, one thread per CPU): no trap per page, as with pab-exhaust's
# MADV_POPULATE_WRITE. Goal: pab-exhaust >= 1.5x the plain loop; where neither trap-free way gets
# there, the per-page work inside the kernel (allocate, zero, map, account) is what costs. Then the
# coefficient of variation of five idle pab-exhaust iterations (real OOM kills).
#
#   bench/exhaust-fill.sh [--size MIB] [--reps N] [--cv-limit MIB] [--no-cgroup] [--variants] [--no-cv]
#   bench/exhaust-fill.sh --vm [--vm-arg ARG]... [options above]
#
# --vm runs it all in a QEMU guest (scripts/vm-run, tools from build/bin, --no-cgroup: the guest
# is thrown away); each --vm-arg goes to vm-run (--vm-arg --mem --vm-arg 2G). --size defaults to
# 1024 MiB, and to 512 with --vm (vm-run's guest has 1 GiB).
#
# --variants also times pab-exhaust --touch and --huge-pages, and the plain loop printing a count
# per page as the original's child did, to show where the speed comes from.
#
# On a host everything runs inside a memory cgroup made below this shell's own (limit: the
# fill size plus headroom for the rate runs, --cv-limit for the OOM runs), and the rate runs
# are capped with --max-bytes too, so nothing outside can be pushed out. --no-cgroup is for a
# throwaway VM, where the five OOM runs take the whole guest. POSIX sh + awk: runs in the guest.
# Env: PAB_EXHAUST (tool; default the Debug build, else build/bin/pab-exhaust),
#      PAB_TOUCH (a built exhaust-touch; default: compiled here with cc -O2 -static).
set -eu
size_mib= reps=3 cv_limit_mib=1024 use_cgroup=1 variants= cv=1 vm= vm_args= guest_args=
pass() { guest_args="$guest_args $*"; } # what the guest's run of this script is given with --vm
while [ $# -gt 0 ]; do
	case "$1" in
	--vm) vm=1; shift ;;
	--vm-arg) vm_args="$vm_args $2"; shift 2 ;;
	--size) size_mib=$2; pass "$1" "$2"; shift 2 ;;
	--reps) reps=$2; pass "$1" "$2"; shift 2 ;;
	--cv-limit) cv_limit_mib=$2; pass "$1" "$2"; shift 2 ;;
	--no-cgroup) use_cgroup=; shift ;;
	--variants) variants=1; pass "$1"; shift ;;
	--no-cv) cv=; pass "$1"; shift ;;
	*) echo "exhaust-fill: unknown option $1" >&2; exit 2 ;;
	esac
done
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
tmp=$(mktemp -d "${TMPDIR:-/tmp}/exhaust-fill.XXXXXX")
cg=
cleanup() {
	[ -n "$cg" ] && rmdir "$cg" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

if [ -n "$vm" ]; then
	# vm-run's guest has 1 GiB: a fill of 1 GiB there would end in the OOM killer.
	[ -n "$size_mib" ] || guest_args="$guest_args --size 512"
	cc -O2 -static -pthread -o "$tmp/exhaust-touch" "$here/exhaust-touch.c"
	# shellcheck disable=SC2086 # word splitting of the collected arguments is wanted
	"$root/scripts/vm-run" $vm_args --no-kmod --timeout 3000 --add "$0" --add "$tmp/exhaust-touch" -- \
		env PAB_EXHAUST=/opt/pab/bin/pab-exhaust PAB_TOUCH=./exhaust-touch sh exhaust-fill.sh --no-cgroup $guest_args
	exit
fi

size_mib=${size_mib:-1024}
tool=${PAB_EXHAUST:-}
[ -n "$tool" ] || for t in "$root/tools/pab-exhaust/bin/Debug/net10.0/pab-exhaust" "$root/build/bin/pab-exhaust"; do
	[ -x "$t" ] && { tool=$t; break; }
done
[ -n "$tool" ] && [ -x "$tool" ] || { echo "exhaust-fill: no pab-exhaust (set PAB_EXHAUST or build it)" >&2; exit 2; }
touch_bin=${PAB_TOUCH:-}
if [ -z "$touch_bin" ]; then
	touch_bin=$tmp/exhaust-touch
	cc -O2 -static -pthread -o "$touch_bin" "$here/exhaust-touch.c" 2>/dev/null ||
		cc -O2 -pthread -o "$touch_bin" "$here/exhaust-touch.c"
fi
size=$((size_mib * 1048576))

# run LIMIT_MIB CMD...: CMD inside a fresh limited cgroup (or as is with --no-cgroup).
run() {
	limit=$(($1 * 1048576)); shift
	if [ -z "$use_cgroup" ]; then "$@"; return; fi
	self=$(awk -F: '$2 ~ /(^|,)memory(,|$)/ { print $3 }' /proc/self/cgroup)
	if [ -n "$self" ] && [ -d "/sys/fs/cgroup/memory$self" ]; then
		cg=/sys/fs/cgroup/memory$self/exhaust-fill-$$ lim=memory.limit_in_bytes
	else
		self=$(awk -F: '$1 == 0 { print $3 }' /proc/self/cgroup)
		cg=/sys/fs/cgroup$self/exhaust-fill-$$ lim=memory.max
	fi
	mkdir -p "$cg" && echo "$limit" >"$cg/$lim" && [ "$(cat "$cg/$lim")" = "$limit" ] || {
		echo "exhaust-fill: cannot make a limited memory cgroup ($cg); use --no-cgroup only in a throwaway VM" >&2
		exit 2
	}
	sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$cg" "$@"
	rc=$?
	rmdir "$cg" 2>/dev/null || true
	cg=
	return $rc
}
field() { # KEY: a number from a JSON record on stdin
	sed -n "s/.*\"$1\":\\([-0-9.e+E]*\\).*/\\1/p"
}

echo "exhaust-fill: $(nproc) CPUs, $(uname -r), THP $(cat /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null), filling $size_mib MiB per run, $reps runs each, alternating"
: >"$tmp/plain"; : >"$tmp/populate"; : >"$tmp/pab"; : >"$tmp/cpu"; : >"$tmp/touch"; : >"$tmp/huge"; : >"$tmp/print"
# One fill thrown away first: memory nobody has touched yet can cost more to hand out (a
# hypervisor backing it on first touch), and that should not fall on whichever runs first.
run $((size_mib + 512)) "$touch_bin" "$size" >/dev/null
i=0
while [ $i -lt "$reps" ]; do
	run $((size_mib + 512)) "$touch_bin" "$size" >"$tmp/out"
	sed -n 's/.*rate_bytes_per_s=\([0-9.]*\).*/\1/p' "$tmp/out" >>"$tmp/plain"
	run $((size_mib + 512)) "$touch_bin" "$size" 67108864 populate >"$tmp/out"
	sed -n 's/.*rate_bytes_per_s=\([0-9.]*\).*/\1/p' "$tmp/out" >>"$tmp/populate"
	run $((size_mib + 512)) "$tool" --iterations 1 --max-bytes "$size" 2>/dev/null >"$tmp/out"
	field fill_rate_bytes_per_s <"$tmp/out" >>"$tmp/pab"
	field parent_cpu_s <"$tmp/out" >>"$tmp/cpu"
	if [ -n "$variants" ]; then
		run $((size_mib + 512)) "$tool" --iterations 1 --max-bytes "$size" --touch 2>/dev/null >"$tmp/out"
		field fill_rate_bytes_per_s <"$tmp/out" >>"$tmp/touch"
		run $((size_mib + 512)) "$tool" --iterations 1 --max-bytes "$size" --huge-pages 2>/dev/null >"$tmp/out"
		field fill_rate_bytes_per_s <"$tmp/out" >>"$tmp/huge"
		run $((size_mib + 512)) sh -c '"$0" "$1" 67108864 print | tail -n 1 >/dev/null' "$touch_bin" "$size" 2>"$tmp/out"
		sed -n 's/.*rate_bytes_per_s=\([0-9.]*\).*/\1/p' "$tmp/out" >>"$tmp/print"
	fi
	i=$((i + 1))
done
awk -v plainf="$tmp/plain" -v popf="$tmp/populate" -v pabf="$tmp/pab" -v cpuf="$tmp/cpu" -v touchf="$tmp/touch" -v hugef="$tmp/huge" -v printf_="$tmp/print" '
function median(a, n,   i, j, t) {
	for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
function load(f, a,   v, n) { n = 0; runs = ""; while ((getline v < f) > 0) { a[++n] = v; runs = runs sprintf(" %.3f", v / 1073741824) }; return n }
BEGIN {
	G = 1073741824
	np = load(plainf, p); ps = runs
	nq = load(pabf, q); qs = runs
	mp = median(p, np); mq = median(q, nq)
	printf "plain touch loop (1 thread/CPU): median %.3f GiB/s  (runs:%s)\n", mp / G, ps
	printf "pab-exhaust:                     median %.3f GiB/s  (runs:%s)\n", mq / G, qs
	nm = load(popf, m); ms = runs; mm = median(m, nm)
	printf "kernel fills (MAP_POPULATE):     median %.3f GiB/s  (runs:%s)\n", mm / G, ms
	nt = load(touchf, t); ts = runs
	if (nt) printf "pab-exhaust --touch:             median %.3f GiB/s  (runs:%s)\n", median(t, nt) / G, ts
	nh = load(hugef, h); hs = runs
	if (nh) printf "pab-exhaust --huge-pages:        median %.3f GiB/s  (runs:%s)\n", median(h, nh) / G, hs
	nr = load(printf_, pr); rs = runs
	if (nr) printf "plain loop printing each page:   median %.3f GiB/s  (runs:%s)  (like the original child)\n", median(pr, nr) / G, rs
	printf "ratio pab-exhaust / plain: %.2f   (MAP_POPULATE / plain: %.2f)\n", mq / mp, mm / mp
	verdict = mq >= 1.5 * mp ? "met" : (mm < 1.5 * mp ? "not met; MAP_POPULATE is not either: skipping the trap per page saves less than a third here" : "not met")
	printf "goal pab-exhaust >= 1.5x plain: %s\n", verdict
	if (nr) printf "ratio pab-exhaust / plain loop printing each page: %.2f\n", mq / median(pr, nr)
	while ((getline v < cpuf) > 0) cs = cs sprintf(" %.3f", v)
	printf "pab-exhaust parent CPU while filling, s:%s (it prints nothing while filling)\n", cs
}'

[ -n "$cv" ] || exit 0
echo "exhaust-fill: five idle iterations until OOM kill$([ -n "$use_cgroup" ] && echo " in a $cv_limit_mib MiB cgroup")"
run "$cv_limit_mib" "$tool" --iterations 5 2>/dev/null >"$tmp/cv"
sed -n 's/.*"value":\([0-9]*\).*/\1/p' "$tmp/cv" | awk '
# busybox awk may lack math support: square root by Newton iteration
function root(x,   r, i) { if (x <= 0) return 0; r = x; for (i = 0; i < 100; i++) r = (r + x / r) / 2; return r }
{ v[++n] = $1; s += $1 }
END {
	if (n < 2) { print "exhaust-fill: fewer than two iterations finished"; exit 1 }
	m = s / n
	for (i = 1; i <= n; i++) ss += (v[i] - m) * (v[i] - m)
	sd = root(ss / (n - 1))
	for (i = 1; i <= n; i++) printf "  iteration %d: %d bytes (%.1f MiB)\n", i - 1, v[i], v[i] / 1048576
	printf "idle available: mean %.1f MiB, sd %.2f MiB, coefficient of variation %.3f %%\n", m / 1048576, sd / 1048576, 100 * sd / m
}'
