#!/bin/sh
# Boot tests of previrt-loader under QEMU TCG (check-runtime-boot):
#   1. the tiny annotated kernel through the loader, backend native, reaches
#      the workload and powers off (ci/boot-native LOADER=1: same contract
#      as the plain native boot);
#   2. the same as one bundle module (runtime/mkbundle), as Xen's PVH dom0 gets;
#   3. the same vmlinux with its last site record corrupted: the loader
#      prints FATAL, the kernel never starts (QEMU's isa-debug-exit ends it);
#   4. optional (PROFILE_KERNEL=vmlinux with a handler pool): backend
#      profile boots too and the per-site counts load into previrt-report.
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

if [ -n "${PROFILE_KERNEL:-}" ]; then
	if LOADER=1 BACKEND=profile MARKER='' PREVIRT_LOADER="$loader" KERNEL="$PROFILE_KERNEL" INITRD="$initrd" \
		LOG="$work/boot-profile.log" "$here/ci/boot-native" >"$work/boot-profile.out" 2>&1; then
		ok "loader + profile backend: $(grep 'previrt-loader: .* valid' "$work/boot-profile.log" | tr -d '\r')"
		if [ -n "$report" ] && [ -x "$report" ]; then
			if "$report" --profile "$work/boot-profile.log.profile" --top 15 "$PROFILE_KERNEL" \
				>"$work/boot-profile.report" 2>&1; then
				ok "previrt-report --profile: $(grep 'executions in all' "$work/boot-profile.report")"
			else
				cat "$work/boot-profile.report"
				bad "previrt-report --profile failed"
			fi
		fi
	else
		tail -25 "$work/boot-profile.out"
		bad "loader + profile backend: $(grep 'boot-native: FAIL' "$work/boot-profile.out")"
	fi
fi
echo "$pass passed, $failn failed"
[ "$failn" = 0 ]
