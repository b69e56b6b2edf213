#!/bin/busybox sh
# PID 1 of the L1 host that `runner ... --host-kernel K` boots. It loads the transport and
# KVM modules, mounts this host's root read-only under a tmpfs overlay (so /lib/modules and
# modprobe can exist in the chroot), runs the job the outer runner wrote, and powers off.
# ttyS1 is the channel to the outer runner: the inner runner's output and "ktest-l1:" lines;
# the console (ttyS0) goes to the L1 console log.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
exec 3>/dev/ttyS1
stty -F /dev/ttyS1 raw -echo 2>/dev/null

say() { echo "ktest-l1: $*" >&3; echo "ktest-l1: $*"; }
# QEMU exits 0 whatever happens in here, so the outcome travels in the results folder.
finish() { sync; poweroff -f; sleep 5; }
fail() { say "failed: $*"; dmesg | tail -n 40; finish; }

RELEASE=$(uname -r)
say "stage boot: Linux $RELEASE, $(grep -c ^processor /proc/cpuinfo) CPUs, up $(cut -d' ' -f1 /proc/uptime) s"

for m in $(cat /ktest/transport-modules); do
    modprobe "$m" || fail "modprobe $m"
done
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 results /results || fail "mount the results share"
. /results/job.env || fail "read /results/job.env"

if grep -qw svm /proc/cpuinfo; then KVM=kvm_amd; elif grep -qw vmx /proc/cpuinfo; then KVM=kvm_intel; else fail "no svm or vmx in L1's CPU flags: KVM cannot run here"; fi
eval "PARAMS=\${KTEST_PARAMS_$KVM}"
if grep -qx kvm /ktest/module-files; then
    modprobe kvm $KTEST_PARAMS_kvm || fail "modprobe kvm $KTEST_PARAMS_kvm"
fi
if grep -qx "$KVM" /ktest/module-files; then
    modprobe "$KVM" $PARAMS || fail "modprobe $KVM $PARAMS"
fi
[ -c /dev/kvm ] || fail "no /dev/kvm after loading $KVM"
P=""
for f in /sys/module/$KVM/parameters/*; do P="$P $(basename "$f")=$(cat "$f" 2>/dev/null)"; done
say "stage kvm: $KVM loaded:$P"
dmesg | grep -iE 'kvm|avic|svm|vmx' | while read -r line; do say "dmesg: $line"; done
# The host facts the inner runner probes, kept as they were: evidence for reports, and fixtures.
F=/results/facts
mkdir -p $F/proc $F/sys/module && cp /proc/cpuinfo $F/proc/cpuinfo
for m in /sys/module/kvm*; do
    mkdir -p "$F$m/parameters"
    for f in "$m"/parameters/*; do cat "$f" > "$F$f" 2>/dev/null; done
done

mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=512000,cache=loose hostroot /host || fail "mount the host root"
mount -t tmpfs -o mode=0755 tmpfs /rw && mkdir -p /rw/upper /rw/work
mount -t overlay overlay -o lowerdir=/host,upperdir=/rw/upper,workdir=/rw/work /newroot || fail "overlay over the host root"

R=/newroot
mount -t proc proc $R/proc
mount -t sysfs sysfs $R/sys
mount -t devtmpfs devtmpfs $R/dev
mkdir -p $R/dev/pts $R/dev/shm
mount -t devpts devpts $R/dev/pts
mount -t tmpfs tmpfs $R/dev/shm
mount -t tracefs tracefs $R/sys/kernel/tracing
mount -t debugfs debugfs $R/sys/kernel/debug
# /tmp stays the host's, under the overlay: a checkout may live there (CI clones anywhere).
mount -t tmpfs tmpfs $R/run
mkdir -p "$R/lib/modules/$RELEASE" && mount --bind "/lib/modules/$RELEASE" "$R/lib/modules/$RELEASE"
cp /bin/busybox $R/usr/sbin/ktest-busybox
for a in modprobe rmmod insmod lsmod; do
    [ -e "$R/usr/sbin/$a" ] || [ -e "$R/sbin/$a" ] || ln -s ktest-busybox "$R/usr/sbin/$a"
done
mkdir -p "$R$KTEST_RESULTS" && mount --bind /results "$R$KTEST_RESULTS" || fail "bind the results share at $KTEST_RESULTS"
mkdir -p "$R$KTEST_LOGS" && mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 logs "$R$KTEST_LOGS" || fail "mount the logs share at $KTEST_LOGS"

# The outer runner's idle limit catches an L1 that stops; this says it has not.
( while sleep 15; do echo "ktest-l1: alive" >&3; done ) &
HEARTBEAT=$!
say "stage run: up $(cut -d' ' -f1 /proc/uptime) s"
# Through a pipe, so the inner runner's stdout is not a terminal and stays plain text.
chroot $R /bin/sh "$KTEST_RESULTS/job.sh" </dev/null 2>&1 | cat >&3
kill $HEARTBEAT 2>/dev/null
say "stage done: status $(cat /results/status 2>/dev/null || echo none), up $(cut -d' ' -f1 /proc/uptime) s"
umount "$R$KTEST_LOGS" "$R$KTEST_RESULTS" /results 2>/dev/null
finish
