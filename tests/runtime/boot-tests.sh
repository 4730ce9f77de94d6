#!/bin/sh
# Boot tests of previrt-loader under QEMU TCG (check-runtime-boot):
#   1. the tiny annotated kernel through the loader, backend native, reaches
#      the workload and powers off (ci/boot-native LOADER=1: same contract
#      as the plain native boot);
#   2. the same as one bundle module (runtime/mkbundle), as Xen's PVH dom0 gets;
#   3. the same vmlinux with its last site record corrupted: the loader
#      prints FATAL, the kernel never starts (QEMU's isa-debug-exit ends it);
#   4. optional (PROFILE_KERNEL=vmlinux with a handler pool): backend
#      profile boots too, with page-table isolation forced on (pti=on;
#      QEMU's default CPU is AMD-like, where it is otherwise off), and the
#      per-site counts load into previrt-report.  The workload makes system
#      calls and takes page faults, int3 traps and timer interrupts in user
#      space, so every way into the kernel runs its entry and noinstr code.
#      From the counts (previrt-report's "by zone" table, runtime/patch/zone.h):
#      noinstr sites ran through thunks inside .noinstr.text (non-zero
#      counts, no handler outside the zone; syscall_exit_to_user_mode's at
#      least once per system call), no entry site was patched, PTI was on.
#
#   tests/runtime/boot-tests.sh LOADER VMLINUX INITRD WORKDIR CORRUPT_ELF [REPORT]
# Ends with "N passed, M failed".
set -u
loader=$1 vmlinux=$2 initrd=$3 work=$4 corrupt=$5 report=${6:-}
here=$(cd "$(dirname "$0")/../.." && pwd)
pass=0 failn=0
ok()   { echo "ok   - $*"; pass=$((pass + 1)); }
bad()  { echo "FAIL - $*"; failn=$((failn + 1)); }
mkdir -p "$work"

if LOADER=1 BACKEND=native MARKER='' PREVIRT_LOADER="$loader" KERNEL="$vmlinux" INITRD="$initrd" \
	LOG="$work/boot-native.log" "$here/ci/boot-native" >"$work/boot-native.out" 2>&1; then
	ok "loader + native backend: $(grep 'previrt-loader: .* valid' "$work/boot-native.log" | tr -d '\r')"
	ok "$(tail -1 "$work/boot-native.out")"
else
	tail -25 "$work/boot-native.out"
	bad "loader + native backend: $(grep 'boot-native: FAIL' "$work/boot-native.out")"
fi

# one module (as Xen gives a PVH dom0): vmlinux + initramfs bundled
if "$here/runtime/mkbundle" "$vmlinux" "$initrd" "$work/bundle" &&
	timeout 120 qemu-system-x86_64 -accel tcg -m 512 -nographic -no-reboot \
		-kernel "$loader" -initrd "$work/bundle" -append "console=ttyS0 panic=-1" \
		</dev/null >"$work/boot-bundle.log" 2>&1 &&
	grep -q "previrt-loader: bundle module" "$work/boot-bundle.log" &&
	grep -q "previrt-workload: done" "$work/boot-bundle.log" &&
	grep -q "reboot: Power down" "$work/boot-bundle.log"; then
	ok "single bundle module (runtime/mkbundle): workload done, powered off"
else
	tail -10 "$work/boot-bundle.log"
	bad "single bundle module boot"
fi

"$corrupt" "$vmlinux" "$work/vmlinux-corrupt" >/dev/null || bad "corrupt-elf failed"
timeout 120 qemu-system-x86_64 -accel tcg -m 512 -nographic -no-reboot \
	-device isa-debug-exit,iobase=0xf4,iosize=0x04 \
	-kernel "$loader" -initrd "$work/vmlinux-corrupt,$initrd" \
	-append "console=ttyS0 panic=-1 previrt.backend=native" \
	</dev/null >"$work/boot-corrupt.log" 2>&1
rc=$?
if [ "$rc" = 3 ] && grep -q "previrt-loader: FATAL" "$work/boot-corrupt.log" &&
	! grep -q "Linux version" "$work/boot-corrupt.log"; then
	ok "corrupt record refused before the kernel ran: $(grep 'previrt-loader: .previrt record' "$work/boot-corrupt.log" | tr -d '\r')"
else
	tail -10 "$work/boot-corrupt.log"
	bad "corrupt record: QEMU status $rc (want 3), FATAL line and no kernel"
fi

# zone_row REPORT ZONE FIELD: a number from the report's "by zone" table
zone_row() {
	awk -v z="$2" -v f="$3" '$1 == z && $2 == "sites" { for (i = 2; i < NF; i++) if ($i == f) { print $(i + 1); exit } }' "$1"
}

if [ -n "${PROFILE_KERNEL:-}" ]; then
	if LOADER=1 BACKEND=profile MARKER='' APPEND=pti=on PREVIRT_LOADER="$loader" KERNEL="$PROFILE_KERNEL" \
		INITRD="$initrd" LOG="$work/boot-profile.log" "$here/ci/boot-native" >"$work/boot-profile.out" 2>&1; then
		ok "loader + profile backend, pti=on: $(grep 'previrt-loader: .* valid' "$work/boot-profile.log" | tr -d '\r')"
		if grep -aq "Kernel/User page tables isolation: enabled" "$work/boot-profile.log"; then
			ok "page-table isolation was on: $(grep -a 'previrt-loader: zones:' "$work/boot-profile.log" | tr -d '\r')"
		else
			bad "page-table isolation was not enabled (no 'Kernel/User page tables isolation: enabled')"
		fi
		if [ -n "$report" ] && [ -x "$report" ]; then
			rep=$work/boot-profile.report
			if "$report" --profile "$work/boot-profile.log.profile" --top 15 "$PROFILE_KERNEL" >"$rep" 2>&1; then
				ok "previrt-report --profile: $(grep 'executions in all' "$rep")"
			else
				cat "$rep"
				bad "previrt-report --profile failed"
			fi
			np=$(zone_row "$rep" noinstr patched) nin=$(zone_row "$rep" noinstr handler-in-zone)
			nout=$(zone_row "$rep" noinstr handler-outside) nrun=$(zone_row "$rep" noinstr executions)
			ep=$(zone_row "$rep" entry patched) es=$(zone_row "$rep" entry sites)
			mout=$(zone_row "$rep" main handler-outside)
			if [ "${np:-0}" -gt 0 ] && [ "$nin" = "$np" ] && [ "$nout" = 0 ] && [ "${nrun:-0}" -gt 0 ] &&
				[ "${mout:-1}" = 0 ]; then
				ok "noinstr sites ran through thunks in .noinstr.text: $np patched, all $nin handlers in the zone, $nrun executions"
			else
				grep -A4 '^by zone' "$rep"
				bad "noinstr zone: patched ${np:-?}, handlers in zone ${nin:-?}, outside ${nout:-?}, executions ${nrun:-?}; main handlers outside ${mout:-?}"
			fi
			if [ "${es:-0}" -gt 0 ] && [ "$ep" = 0 ]; then
				ok "entry sites stayed native: 0 of $es patched"
			else
				bad "entry zone: ${ep:-?} of ${es:-?} sites patched (want 0 of more than 0)"
			fi
			# the workload's system calls (20000 getpid and more): each leaves through
			# syscall_exit_to_user_mode, whose noinstr site must have counted every one
			"$report" --list --profile "$work/boot-profile.log.profile" "$PROFILE_KERNEL" \
				>"$work/boot-profile.list" 2>/dev/null
			sx=$(awk '/ syscall_exit_to_user_mode\+/ && /\[noinstr/ { sub(/.*count=/, ""); print; exit }' "$work/boot-profile.list")
			if [ "${sx:-0}" -ge 20000 ]; then
				ok "syscall_exit_to_user_mode's noinstr site counted $sx exits (>= the workload's 20000 system calls)"
			else
				bad "syscall_exit_to_user_mode's noinstr site: count ${sx:-absent}, want >= 20000"
			fi
		fi
	else
		tail -25 "$work/boot-profile.out"
		bad "loader + profile backend: $(grep 'boot-native: FAIL' "$work/boot-profile.out")"
	fi
fi
echo "$pass passed, $failn failed"
[ "$failn" = 0 ]
