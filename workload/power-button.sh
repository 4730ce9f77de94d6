#!/bin/sh
# busybox acpid's handler for the ACPI power button (KEY_POWER is its
# "button/power PWRF 00000080" event, whose default action runs
# /etc/acpi/PWRF/00000080): what a distribution's acpid or logind does,
# shortened: say so, sync, power off.  workload/init.sh starts acpid when
# the command line has previrt.shutdown=button (ci/boot-xen-domu: xl shutdown).
echo "previrt-init: power button pressed: syncing and powering off" >/dev/console
/bin/busybox sync
/bin/busybox poweroff -f
