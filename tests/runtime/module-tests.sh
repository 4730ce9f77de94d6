#!/bin/sh
# Modules validated and patched at load (check-runtime-modules).
#
# One QEMU TCG boot of the tiny kernel through previrt-loader with the
# profile backend on two CPUs (QEMU -smp 2: the secondary CPU's startup
# runs the kernel's early boot text, whose NOSTACK sites must stay native)
# and an initramfs that insmods, in this order,
#   10-corrupt-previrt_testmod.ko   tests/kmod's module with one .previrt
#                                   record lying about its instruction
#   20-previrt_testmod.ko           the module as built with the plugin
# then runs the workload and powers off.  What must hold:
#   1. the boot itself passes ci/boot-native's rules (workload, power-off),
#      with both CPUs up;
#   2. the loader hooked module_finalize (its console line);
#   3. the corrupted module is refused: the resident patcher's kernel
#      message names the record and the error, insmod fails, and none of
#      its code ran (no "previrt-testmod:" line before the good module);
#   4. the good module is validated and patched (kernel message with a
#      non-zero patched count), loads, and its COM1 line and printk appear;
#   5. its per-site counts (runtime/qemu-profile: $LOG.profile.NAME) load
#      into previrt-report --profile with the .ko, and its port-I/O sites
#      ran at least once per character it wrote.
#
#   tests/runtime/module-tests.sh LOADER VMLINUX INITRD MODULE.ko WORKDIR [REPORT]
# Ends with "N passed, M failed".
set -u
loader=$1 vmlinux=$2 initrd=$3 ko=$4 work=$5 report=${6:-}
here=$(cd "$(dirname "$0")/../.." && pwd)
pass=0 failn=0
ok()   { echo "ok   - $*"; pass=$((pass + 1)); }
bad()  { echo "FAIL - $*"; failn=$((failn + 1)); }
mkdir -p "$work"
log=$work/boot-modules.log
name=previrt_testmod

if SMP=2 LOADER=1 BACKEND=profile MARKER='' PREVIRT_LOADER="$loader" KERNEL="$vmlinux" INITRD="$initrd" \
	LOG="$log" "$here/ci/boot-native" >"$work/boot-modules.out" 2>&1 &&
	tr -d '\r' <"$log" | grep -q "smp: Brought up .* 2 CPUs"; then
	ok "profile boot on 2 CPUs with the module initramfs: $(tail -1 "$work/boot-modules.out")"
else
	tail -30 "$work/boot-modules.out"
	bad "profile boot with the module initramfs: $(grep 'boot-native: FAIL' "$work/boot-modules.out")"
fi
clean() { tr -d '\r' <"$log"; }

if clean | grep -q "previrt-loader: modules: resident patcher .* hooked [1-9]"; then
	ok "$(clean | grep -o 'previrt-loader: modules: .*')"
else
	bad "the loader did not install the resident patcher / hook module_finalize"
fi

refused=$(clean | grep "previrt: module $name: .previrt record .*module refused" | head -1)
if [ -n "$refused" ] && clean | grep -q "previrt-init: insmod 10-corrupt-$name.ko: ref"; then
	ok "corrupted module refused: ${refused#*] }"
else
	bad "corrupted module: want a 'module refused' kernel message and a failed insmod"
fi
# nothing of the refused module ran: its first output comes after the good module was patched
first_out=$(clean | grep -n "previrt-testmod: " | head -1 | cut -d: -f1)
patched_at=$(clean | grep -n "previrt: module $name: [0-9]* sites valid" | head -1 | cut -d: -f1)
if [ -n "$first_out" ] && [ -n "$patched_at" ] && [ "$first_out" -gt "$patched_at" ]; then
	ok "no code of the refused module ran (its first line comes after the good module's patching)"
else
	bad "module output before the good module was patched (line ${first_out:-none} vs ${patched_at:-none})"
fi

line=$(clean | grep "previrt: module $name: [0-9]* sites valid, [0-9]* patched (profile)" | head -1)
npatched=$(printf '%s\n' "$line" | sed -n 's/.* sites valid, \([0-9]*\) patched.*/\1/p')
if [ -n "$line" ] && [ "${npatched:-0}" -gt 0 ] &&
	clean | grep -q "previrt-init: insmod 20-$name.ko: load"; then
	ok "module patched at load: ${line#*] }"
else
	bad "good module: want 'N sites valid, M>0 patched (profile)' and a loaded insmod"
fi
if clean | grep -q "previrt-testmod: hello through COM1 port I/O" &&
	clean | grep -q "previrt-testmod: loaded: cpuid max leaf"; then
	ok "the patched module ran: its COM1 line and its printk"
else
	bad "the module's COM1 line or printk is missing"
fi

counts=$log.profile.$name
if [ -n "$report" ] && [ -x "$report" ]; then
	if [ -f "$counts" ] && "$report" --profile "$counts" --list "$ko" >"$work/module.list" 2>"$work/module.err"; then
		# the port-I/O sites of com1_puts ran once per character (46 of them) at least
		outs=$(awk '/ out / || /kind=out/ { for (i = 1; i <= NF; i++) if ($i ~ /^count=/) { sub(/count=/, "", $i); if ($i + 0 > m) m = $i + 0 } }
			END { print m + 0 }' "$work/module.list")
		total=$("$report" --profile "$counts" "$ko" 2>/dev/null | grep -o '[0-9]* executions in all' | cut -d' ' -f1)
		if [ "${outs:-0}" -ge 46 ] && ! grep -q "match no site" "$work/module.err"; then
			ok "module counts in previrt-report --profile: ${total:-?} executions in all, busiest out site ${outs} times"
		else
			head -20 "$work/module.list"; cat "$work/module.err"
			bad "module counts: busiest out site ran ${outs:-0} times (want >= 46), or entries matched no site"
		fi
	else
		cat "$work/module.err" 2>/dev/null
		bad "no module counts ($counts) or previrt-report --profile failed"
	fi
fi
echo "$pass passed, $failn failed"
[ "$failn" = 0 ]
