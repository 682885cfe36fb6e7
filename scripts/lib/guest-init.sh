#!/bin/sh
# /init of the page-alloc-bench guest (busybox). Loads the 9p modules, mounts the shares named
# on the kernel command line (pab.shares=tag:dir:mode,...), runs /opt/pab/run/cmd with stdout on
# ttyS1 and stderr on ttyS2 (raw: no \n -> \r\n), saves its status and dmesg, powers off.
/bin/busybox mkdir -p /bin /sbin /usr/bin /usr/sbin
/bin/busybox --install -s
export PATH=/opt/pab/bin:/bin:/sbin:/usr/bin:/usr/sbin HOME=/root TMPDIR=/tmp LANG=C.UTF-8
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

fail() {
	echo "PAB-GUEST-FAILURE: $*" >/dev/console
	[ -d /opt/pab/run ] && echo "$*" >/opt/pab/run/setup-failure
	poweroff -f
	sleep 60
}

mkdir -p /proc /sys /dev /tmp /root /run
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm /sys/fs/cgroup
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
mount -t cgroup2 cgroup2 /sys/fs/cgroup 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
if grep -q 'pab\.probe' /proc/cmdline; then
	echo "PAB-PROBE-OK" >/dev/console
	poweroff -f
fi

while read -r m; do
	[ -n "$m" ] || continue
	insmod "/lib/pab-modules/$m" || fail "insmod $m"
done </etc/pab-modules

shares=$(sed -n 's/.*pab\.shares=\([^ ]*\).*/\1/p' /proc/cmdline)
for s in $(echo "$shares" | tr , ' '); do
	tag=${s%%:*}; rest=${s#*:}; dir=${rest%%:*}; mode=${rest#*:}
	mkdir -p "$dir"
	if [ "$mode" = ro ]; then opts=ro,cache=loose; else opts=rw; fi
	mount -t 9p -o "trans=virtio,version=9p2000.L,msize=512000,$opts" "$tag" "$dir" || fail "mount 9p $tag on $dir"
done
[ -e /opt/pab/run/cmd ] || fail "no /opt/pab/run/cmd (run share missing)"

stty -F /dev/ttyS1 raw -echo || fail "stty ttyS1"
stty -F /dev/ttyS2 raw -echo || fail "stty ttyS2"
echo "PAB-GUEST-READY" >/dev/console
cd /opt/pab/run || fail "cd /opt/pab/run"
# The command's stdout and stderr are terminals only where vm-run's are (pab.tty=<out><err>), so
# tools choose their output (progress lines, text or JSON) as they would on the host.
tty=$(sed -n 's/.*pab\.tty=\([01][01]\).*/\1/p' /proc/cmdline)
out=/dev/ttyS1 err=/dev/ttyS2
if [ "${tty%?}" != 1 ]; then mkfifo /tmp/pab-out; cat /tmp/pab-out >/dev/ttyS1 & out=/tmp/pab-out; fi
if [ "${tty#?}" != 1 ]; then mkfifo /tmp/pab-err; cat /tmp/pab-err >/dev/ttyS2 & err=/tmp/pab-err; fi
sh /opt/pab/run/cmd </dev/null >$out 2>$err
rc=$?
wait
dmesg -s 8388608 >/opt/pab/run/dmesg
echo "$rc" >/opt/pab/run/rc
sync
echo "PAB-GUEST-DONE rc=$rc" >/dev/console
poweroff -f
sleep 60
