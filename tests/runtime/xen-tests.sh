#!/bin/sh
# Boot tests of the Xen backend: Xen 4.17 (Debian's, fetched by
# ci/fetch-xen) under QEMU TCG, previrt-loader as its PVH dom0.
#   1. the tiny annotated kernel with the handler pool, no Xen support
#      configured, boots as dom0 through the Xen backend: the workload
#      runs, its output reaches Xen's console through the 16550 model, the
#      kernel powers off and Xen enters ACPI S5 (ci/boot-xen's contract);
#   2. the loader's own lines prove the Xen path: PVH entry, memory map,
#      port-I/O thunks, the PM timer model, the added TSC frequency;
#   3. a kernel without the handler pool: the loader refuses (FATAL), the
#      kernel never starts, Xen reports the domain as crashed.
#   2a. dom0 has 2 vCPUs (QEMU -smp 2, dom0_max_vcpus=2): the loader
#      presents Xen's x2APIC MADT entries as xAPIC ones, the kernel starts
#      its second CPU with INIT/SIPI through Xen's emulated local APIC, and
#      the workload runs user code on both CPUs;
#   4. with the module initramfs (tests/kmod, check-runtime-modules): the
#      corrupted module is refused, the good one is patched at load by the
#      Xen backend and its own COM1 output (outb to 0x3f8, which Xen keeps
#      from dom0) reaches Xen's console through the 16550 model.
#
#   tests/runtime/xen-tests.sh LOADER VMLINUX NOPOOL_VMLINUX INITRD WORKDIR
# (INITRD: the module initramfs for part 4; with another one, part 4 is skipped)
# Ends with "N passed, M failed".
set -u
loader=$1 pool=$2 plain=$3 initrd=$4 work=$5
here=$(cd "$(dirname "$0")/../.." && pwd)
pass=0 failn=0
ok()  { echo "ok   - $*"; pass=$((pass + 1)); }
bad() { echo "FAIL - $*"; failn=$((failn + 1)); }
mkdir -p "$work"

# Instruction-counted time (-icount): the polled console drains the
# workload's output on the guest's clock, so whether all of it is out
# before the power-off must not depend on how fast the host is.
#
# Known open problem (docs/xen.md, "Intermittent dom0 stall"): in about one
# boot in four under QEMU TCG, dom0 stops after "Run /init" with its one
# vCPU spinning in queued_spin_lock_slowpath on the IRQ stack.  A boot that
# stalls like that (a timeout without the workload marker, nothing else
# wrong) is tried again, at most three boots in all, and each stall is
# reported; any other failure, or three stalls, fails the test.
attempt=0
while :; do
	attempt=$((attempt + 1))
	if ICOUNT=0 SMP=2 MARKER='' PREVIRT_LOADER="$loader" KERNEL="$pool" INITRD="$initrd" \
		LOG="$work/xen.log" TIMEOUT=${XEN_BOOT_TIMEOUT:-150} \
		"$here/ci/boot-xen" >"$work/xen.out" 2>&1; then
		ok "$(tail -1 "$work/xen.out") (boot $attempt)"
		break
	fi
	if [ "$attempt" -lt 3 ] &&
		grep -aq "boot-xen: FAIL: timeout after .* without the workload marker" "$work/xen.out" &&
		grep -aq "Run /init as init process" "$work/xen.log" &&
		! grep -aq "previrt-loader: FATAL\|Kernel panic\|Oops" "$work/xen.log"; then
		echo "note - boot $attempt stalled after Run /init (the known intermittent stall): booting again"
		cp "$work/xen.log" "$work/xen-stall-$attempt.log"
		continue
	fi
	tail -25 "$work/xen.out"
	bad "$(grep -a 'boot-xen: FAIL' "$work/xen.out") (boot $attempt)"
	break
done
# on_console WHAT PATTERN: ok with the first matching line of Xen's console
# (the kernel's timestamp cut off), else one failure naming the pattern
on_console() {
	if grep -aq -- "$2" "$work/xen.log"; then
		ok "$1: $(grep -a -m1 -- "$2" "$work/xen.log" | tr -d '\r' | sed 's/^\[ *[0-9.]*\] //' | cut -c1-110)"
	else
		bad "$1: not on Xen's console: $2"
	fi
}
for want in "previrt-loader: PVH entry (dom0, Xen's console), hvm_start_info" \
	"previrt-loader: VMM xen (\"XenVMMXenVMM\"), backend xen" \
	"previrt-loader: xen: [0-9]* port-I/O thunks" \
	"PM timer at port 0x[0-9a-f]* from the TSC" \
	"kernel parameter added: tsc_early_khz=" \
	"[0-9]* e820 entries, RSDP 0x" \
	"ttyS0 at I/O 0x3f8" \
	"previrt-init: workload exit status 0" \
	"previrt-xen: port I/O emulated [1-9][0-9]*, passed to Xen [0-9]*" \
	"previrt-loader: modules: resident patcher .* hooked [1-9]"; do
	on_console "on Xen's console" "$want"
done
for want in "previrt-loader: MADT: 2 x2APIC CPU entries .* presented as xAPIC ones" \
	"smpboot: Allowing 2 CPUs" \
	"smp: Brought up 1 node, 2 CPUs" \
	"previrt-workload: cpus *ok .* 2 online, ran on CPU 0 1"; do
	on_console "2 vCPUs" "$want"
done

# modules patched at load by the Xen backend (when the initramfs carries tests/kmod)
if grep -aq "previrt-init: insmod " "$work/xen.log"; then
	for want in "previrt: module previrt_testmod: .previrt record .* module refused" \
		"previrt-init: insmod 10-corrupt-previrt_testmod.ko: ref" \
		"previrt: module previrt_testmod: [0-9]* sites valid, [1-9][0-9]* patched (xen)" \
		"previrt-testmod: hello through COM1 port I/O"; do
		on_console "module on Xen" "$want"
	done
	# insmod's own line is user output, polled out while printk is not: a
	# kernel line may cut into it (tests/runtime/console-line.py)
	want="previrt-init: insmod 20-previrt_testmod.ko: loaded"
	if got=$("$here/tests/runtime/console-line.py" "$want" "$work/xen.log"); then
		ok "module on Xen: $(echo "$got" | cut -c1-110)"
	else
		bad "module on Xen: not on Xen's console: $want"
	fi
fi

# no handler pool: refused before the kernel runs
if MARKER='' PREVIRT_LOADER="$loader" KERNEL="$plain" INITRD="$initrd" LOG="$work/xen-nopool.log" TIMEOUT=120 \
	"$here/ci/boot-xen" >"$work/xen-nopool.out" 2>&1; then
	bad "a kernel without the handler pool booted with the Xen backend"
elif grep -aq "FATAL: previrt_pool/previrt_counters symbols" "$work/xen-nopool.out" &&
	! grep -aq "Linux version" "$work/xen-nopool.log"; then
	ok "no handler pool: $(grep -a -m1 'boot-xen: FAIL' "$work/xen-nopool.out" | cut -c1-110)"
else
	tail -10 "$work/xen-nopool.out"
	bad "no handler pool: not refused with the loader's FATAL line"
fi
echo "$pass passed, $failn failed"
[ "$failn" = 0 ]
