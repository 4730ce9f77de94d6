#!/bin/busybox sh
# /init of the previrt workload initramfs: mount the pseudo file systems,
# run the workload once, report its exit status and power off (or, with
# previrt.shutdown=button, wait for the ACPI power button; with
# previrt.shutdown=reboot, reboot).  The boot
# test (ci/boot-native) reads these lines on the serial console.
bb=/bin/busybox
$bb mount -t proc proc /proc
$bb mount -t sysfs sysfs /sys
$bb mount -t devtmpfs devtmpfs /dev 2>/dev/null
echo "previrt-init: kernel $($bb uname -r), cmdline: $($bb cat /proc/cmdline)"
# seconds since the kernel started, as the guest's clock says (boot to userspace)
echo "previrt-init: userspace after $($bb cut -d' ' -f1 /proc/uptime) s"
# modules the initramfs carries (tests/kmod via mkinitramfs), in name order
for m in /lib/previrt-modules/*.ko; do
	[ -e "$m" ] || continue
	if $bb insmod "$m"; then
		echo "previrt-init: insmod ${m##*/}: loaded"
	else
		echo "previrt-init: insmod ${m##*/}: refused (status $?)"
	fi
done
# The I/O test (workload/previrt-io.c), only when the command line asks
# for it (IO=1 boots, ci/io-devices.sh).  The NIC gets QEMU user
# networking's usual guest address; the sink's address is in the same /24,
# so no route is needed.
cmdline=" $($bb cat /proc/cmdline) "
case $cmdline in *" previrt.io.net="*)
	$bb ifconfig eth0 10.0.2.15 netmask 255.255.255.0 up ||
		echo "previrt-init: ifconfig eth0 failed (status $?)" ;;
esac
case $cmdline in *" previrt.io."*)
	/bin/previrt-io
	echo "previrt-init: previrt-io exit status $?" ;;
esac
/bin/previrt-workload
echo "previrt-init: workload exit status $?"
# previrt.shutdown=button: stay up until the power button is pressed
# (busybox acpid runs /etc/acpi/PWRF/00000080, workload/power-button.sh);
# ci/boot-xen-domu presses it with `xl shutdown`.
case $cmdline in *" previrt.shutdown=reboot "*)
	echo "previrt-init: rebooting (reboot -f)"
	$bb reboot -f ;;
esac
case $cmdline in *" previrt.shutdown=button "*)
	if [ -e /dev/input/event0 ] && $bb acpid -c /etc/acpi -l /tmp/acpid.log; then
		echo "previrt-init: waiting for the power button (acpid)"
		while :; do $bb sleep 3600; done
	fi
	echo "previrt-init: no input event device or no acpid: not waiting for the power button" ;;
esac
$bb poweroff -f
