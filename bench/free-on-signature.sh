#!/bin/sh
# free-on signature, in a guest: pab-antagonize at order 0 on 2 CPUs, --free-on same and other
# alternated ABBA (drift-balanced), RUNS pairs, each DURATION seconds after steady state; every run
# has its own run id so pab-report compare counts each as one replicate.
#   scripts/vm-run --cpus 2 --mem 1G --share DIR --add bench/free-on-signature.sh -- sh free-on-signature.sh BOOT [RUNS] [DURATION]
# Records: /opt/pab/share/<mode>-<boot>-<k>.jsonl.
set -u
boot=${1:?boot name} runs=${2:-4} duration=${3:-10}
insmod /opt/pab/kmod/page_alloc_bench.ko || exit 90
one() {
	PAB_RUN_ID="$boot-$1-$2" pab-antagonize --order 0 --duration "$duration" --free-on "$1" \
		>"/opt/pab/share/$1-$boot-$2.jsonl" 2>>/opt/pab/share/err.txt || echo "run $1 $2 failed" >&2
}
k=1
while [ $k -le "$runs" ]; do
	if [ $((k % 2)) = 1 ]; then one same $k; one other $k; else one other $k; one same $k; fi
	k=$((k + 1))
done
dmesg | grep -ciE 'warning|bug:|oops' >/opt/pab/share/kernel-warnings-$boot.txt
