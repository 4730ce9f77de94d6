#!/bin/busybox sh
# /init of the Xen host's dom0 (ci/boot-xen-domu): bring up Debian's Xen
# userland, start the one guest /etc/previrt/domu.cfg describes with
# `xl create`, copy its console to dom0's console (hvc0, i.e. Xen's com1,
# i.e. QEMU's serial log) line by line with a "domU| " prefix, wait for
# the guest to end by itself, destroy it if it does not, power off.
#
# Every line the host says starts with "xen-host:"; ci/boot-xen-domu
# judges them.  /etc/previrt/host.conf (written by xen-host/mkinitramfs)
# sets DOMU_TIMEOUT, the seconds the guest gets to power itself off, and
# XL_END (shutdown or reboot: end the guest with `xl shutdown` or `xl
# reboot` once it waits for it; 0: it ends by itself).
bb=/bin/busybox
say() { echo "xen-host: $*"; }
fail() { echo "xen-host: FAIL: $*"; $bb sync; $bb poweroff -f; }
XEN=/usr/lib/xen-4.17/bin
export PATH=$XEN:/usr/sbin:/usr/bin:/sbin:/bin
DOMU_TIMEOUT=600
XL_END=0
. /etc/previrt/host.conf

$bb mount -t proc proc /proc
$bb mount -t sysfs sysfs /sys
$bb mount -t devtmpfs devtmpfs /dev
$bb mkdir -p /dev/pts /dev/shm
# xenconsoled gives every guest a pty; xl, xenstored and xenconsoled keep
# sockets, pid files, locks and logs under /run and /var
$bb mount -t devpts devpts /dev/pts
for d in /run /var/run /var/log /var/lib/xen /var/lib/xenstored /tmp; do
	$bb mkdir -p $d && $bb mount -t tmpfs tmpfs $d
done
# libxenstore, libxenctrl and xl open /proc/xen/{xenbus,privcmd,capabilities}
$bb mount -t xenfs xenfs /proc/xen || fail "cannot mount xenfs on /proc/xen"
$bb grep -q control_d /proc/xen/capabilities || fail "this kernel is not Xen's control domain"
$bb mkdir -p /run/xen /run/xenstored /var/log/xen/console /var/lib/xen/dump
say "dom0 kernel $($bb uname -r), $($bb cat /sys/hypervisor/type 2>/dev/null) $($bb cat /sys/hypervisor/version/major 2>/dev/null).$($bb cat /sys/hypervisor/version/minor 2>/dev/null)"

xenstored --pid-file=/run/xenstored.pid || fail "xenstored did not start (status $?)"
# the dom0 entries of the store (name, domid 0) that xl expects
xen-init-dom0 >/dev/null || fail "xen-init-dom0 failed (status $?)"
xenconsoled --pid-file=/run/xenconsoled.pid --log=guest --log-dir=/var/log/xen/console ||
	fail "xenconsoled did not start (status $?)"
say "xenstored and xenconsoled running"

# The guest's network test (SINK_PORT set: ci/boot-xen-domu IO=1): a sink
# on dom0's end of the guest's vif (xen-host/hotplug-vif gives it
# SINK_ADDR) that counts what the guest sends on one TCP connection.
if [ -n "${SINK_PORT:-}" ]; then
	/bin/previrt-sink "$SINK_PORT" /run/sink.count &
	say "sink listening on port $SINK_PORT (address ${SINK_ADDR:-10.0.2.100} on the guest's vif)"
fi

xl create /etc/previrt/domu.cfg || fail "xl create failed (status $?)"
say "domU created: $(xl list | $bb awk 'NR > 1 && $1 != "Domain-0" { print $1 " id " $2 ", " $3 " MiB, " $4 " vCPU(s)" }')"
log=/var/log/xen/console/guest-domu.log
# xenconsoled opens the log when the guest's console connects
i=0
while [ ! -e $log ] && [ $i -lt 50 ]; do $bb usleep 100000; i=$((i + 1)); done
$bb tail -n +1 -f $log 2>/dev/null | while IFS= read -r l; do echo "domU| $l"; done &
tailer=$!

# Console input: once the guest's user space runs, type one line into the
# pty that xenconsoled gave the guest (what `xl console` opens).  The
# guest's tty echoes it, so it comes back on the guest's console.
(
	# the workload's /init says "previrt-init:"; any other init gets 5 s after the kernel starts it
	i=0 after=0
	until $bb grep -q "previrt-init:" $log 2>/dev/null || [ $after -ge 25 ] || [ $i -ge 3000 ]; do
		$bb grep -q "Run /init" $log 2>/dev/null && after=$((after + 1))
		$bb usleep 200000
		i=$((i + 1))
	done
	tty=$(xenstore-read /local/domain/$(xl domid domu)/console/tty 2>/dev/null)
	if [ -n "$tty" ] && [ -c "$tty" ]; then
		echo "xen-host-typed-this-line" >"$tty" && say "typed a line into the guest's console ($tty)"
	else
		say "no console pty for the guest in xenstore"
	fi
) &

# XL_END=shutdown|reboot: the guest's init waits for its power button
# ("previrt-init: waiting for the power button"); `xl shutdown` asks it to
# power off (control/shutdown = poweroff), `xl reboot` to reboot, and -w
# waits for the domain to go
if [ "$XL_END" != 0 ]; then
	(
		i=0
		until $bb grep -q "previrt-init: waiting for the power button" $log 2>/dev/null || [ $i -ge 6000 ]; do
			$bb usleep 200000
			i=$((i + 1))
		done
		if [ $i -ge 6000 ]; then
			say "the guest never said it waits for its power button: no xl $XL_END"
		else
			say "xl $XL_END domu (the guest waits for its power button)"
			xl "$XL_END" -w domu >/tmp/xl-end.out 2>&1
			say "xl $XL_END: status $? $($bb tr '\n' ' ' </tmp/xl-end.out)"
		fi
	) &
fi

# the guest ends by itself (its workload powers it off); xl's own watcher
# then destroys it (on_poweroff = "destroy")
start=$($bb cut -d. -f1 /proc/uptime)
while xl domid domu >/dev/null 2>&1; do
	now=$($bb cut -d. -f1 /proc/uptime)
	if [ $((now - start)) -ge "$DOMU_TIMEOUT" ]; then
		say "domU still running after ${DOMU_TIMEOUT}s: its vCPUs' registers (Xen's 'd' key) on Xen's console, then xl destroy"
		xl debug-keys d 2>/dev/null
		$bb sleep 2
		xl destroy domu
		$bb sleep 1
		kill $tailer 2>/dev/null
		fail "the domU did not end by itself within ${DOMU_TIMEOUT}s"
	fi
	$bb sleep 1
done
$bb sleep 1                        # the last lines through tail
kill $tailer 2>/dev/null
end=$($bb cut -d. -f1 /proc/uptime)
say "domU ended after $((end - start))s (dom0 uptime clock); guest console log $($bb wc -c <$log) bytes"
# xl's watcher logs why the domain ended: reason code 0 is SHUTDOWN_poweroff
# (SCHEDOP_shutdown or Xen's own "all vCPUs down"), 1 reboot, 3 crash
$bb grep -h "shut down, reason code\|Domain .* is dead\|destroyed" /var/log/xen/xl-domu.log 2>/dev/null |
	while IFS= read -r l; do say "xl: $l"; done
if [ -n "${SINK_PORT:-}" ]; then
	i=0
	while [ ! -s /run/sink.count ] && [ $i -lt 20 ]; do $bb usleep 100000; i=$((i + 1)); done
	say "sink counted $($bb cat /run/sink.count 2>/dev/null || echo none) bytes"
fi
say "domains left: $(xl list | $bb awk 'NR > 1 { printf "%s ", $1 }')"
say "done"
$bb sync
$bb poweroff -f
