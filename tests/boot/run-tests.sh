#!/bin/bash
# Boot targets judge a kernel with an initramfs that is not the project's
# (check-boot-user): a user-style initramfs (busybox-static, its own /init,
# packed with plain `cpio -o -H newc` from a directory, no previrt file in
# it) booted by ci/boot-native and `make boot-native`:
#   1. /init prints a line and runs `poweroff -f`: passes (clean power-off);
#   2. the same through `make boot-native MARKER=<that line>`: passes;
#   3. MARKER=<text never printed>: fails, the reason names the marker;
#   4. an /init that exits: the kernel panics ("Attempted to kill init"),
#      which fails with that reason;
#   5. `make boot-native LOADER=1` with the same initramfs and MARKER:
#      previrt-loader validates the kernel's sites, then the same verdict.
# Five short QEMU TCG boots of the tiny kernel (a few seconds each).  First,
# without a boot: the verdict on made-up console logs (oops, BUG, Call
# Trace, hang), and ci/boot-lib.sh tells the project's workload initramfs
# (WORKLOAD_INITRD, when given) from the user's, and a user archive named
# like the project's (initramfs.cpio.gz) is still the user's.
#
#   tests/boot/run-tests.sh BZIMAGE WORKDIR MAKE [LOADER [WORKLOAD_INITRD]]
# BZIMAGE: the tiny annotated kernel (its vmlinux next to it, or in the
# build dir above arch/x86/boot); MAKE: the make to run `boot-native` with;
# LOADER: previrt-loader.elf (test 5 is left out without it).
# Ends with "N passed, M failed".
set -u
kernel=$1 WORK=$2 make=$3 loader=${4:-} workload_initrd=${5:-}
here=$(cd "$(dirname "$0")/../.." && pwd)
. "$here/tests/testlib.sh"
unset MARKER
rm -rf "$WORK"
mkdir -p "$WORK"
start=$(date +%s)
line="user-init: hello from a user's own initramfs"

# its /init runs before any library could be found
if readelf -l /bin/busybox 2>/dev/null | grep -q INTERP; then
	bad "/bin/busybox is dynamically linked: install busybox-static"
	test_summary boot-user
	exit 1
fi

# mkinit NAME: a user initramfs whose /init is stdin (after the mounts)
mkinit() {
	local root=$WORK/$1.root
	mkdir -p "$root/bin" "$root/dev" "$root/proc"
	cp /bin/busybox "$root/bin/busybox"
	{ printf '#!/bin/busybox sh\n/bin/busybox mount -t devtmpfs devtmpfs /dev\nexec >/dev/console 2>&1\n'; cat; } >"$root/init"
	chmod 755 "$root/init"
	(cd "$root" && find . | cpio -o -H newc --quiet | gzip -n) >"$WORK/$1.cpio.gz"
}
mkinit user <<INIT
echo "$line"
/bin/busybox poweroff -f
INIT
mkinit exits <<'INIT'
echo "user-init: exiting instead of powering off"
exit 0
INIT

# which verdict: read from the archive, not from its name
is_workload() { (. "$here/ci/boot-lib.sh" && initrd_is_workload "$1"); }
mkdir -p "$WORK/named"
cp "$WORK/user.cpio.gz" "$WORK/named/initramfs.cpio.gz"
tfail "detect: a user initramfs named initramfs.cpio.gz is not the workload's" is_workload "$WORK/named/initramfs.cpio.gz"
(cd "$WORK/user.root" && find . | cpio -o -H newc --quiet) >"$WORK/named/plain.cpio"
tfail "detect: an uncompressed user cpio is not the workload's" is_workload "$WORK/named/plain.cpio"
if [ -n "$workload_initrd" ]; then
	t "detect: the project's $(basename "$workload_initrd") is the workload's" is_workload "$workload_initrd"
fi

# the verdict itself on made-up console logs (no boot): what a boot that
# cannot be staged cheaply (an oops, a hang) would print
# verdict NAME WORKLOAD RC WANT LINE...: check_boot + check_exit on a log of
# LINEs; WANT is "pass" or a text the one FAIL line must hold
verdict() {
	local n=$1 w=$2 r=$3 want=$4 got; shift 4
	printf '%s\n' "$@" >"$WORK/verdict-$n.log"
	got=$( (fail() { echo "FAIL: $*"; exit 1; }
		LOG=$WORK/verdict-$n.log WORKLOAD=$w rc=$r TIMEOUT=9 MARKER=''
		. "$here/ci/boot-lib.sh" && check_boot && check_exit power-off && echo pass) 2>&1)
	echo "$got" >"$WORK/last.log"
	case $want:$got in
	pass:pass) ok "verdict: $n passes" ;;
	pass:*) bad "verdict: $n should pass, got: $got" ;;
	*) case $got in "FAIL: "*"$want"*) ok "verdict: $n: $got" ;; *) bad "verdict: $n: wanted '$want', got: $got" ;; esac ;;
	esac
}
pd="reboot: Power down"
verdict "user initramfs, clean power-off" 0 0 pass "Run /init as init process" "hello" "$pd"
verdict "user initramfs, oops" 0 0 "kernel oops: Oops: 0002 [#1] SMP" "Oops: 0002 [#1] SMP" "$pd"
verdict "user initramfs, BUG" 0 0 "BUG: kernel NULL pointer dereference" \
	"[    1.5] BUG: kernel NULL pointer dereference, address: 0000000000000000" "$pd"
verdict "user initramfs, warning with a Call Trace" 0 0 "kernel oops:  Call Trace:" " Call Trace:" " <TASK>" "$pd"
verdict "user initramfs, hang" 0 124 "timeout after 9s (the machine never powered off)" "Run /init as init process"
verdict "user initramfs, powered off but QEMU hung" 0 124 "timeout after 9s (QEMU did not exit after power-off)" "$pd"
verdict "workload initramfs, user-style output only" 1 0 "userspace never started (no previrt-init line)" "hello" "$pd"

# The kernel through symlinks in WORK: the console logs land here, and
# `make boot-native KERNEL=...` outside the tiny build dir boots it as is
# (no kernel build).
[ -f "$kernel" ] || { bad "no kernel $kernel"; test_summary boot-user; exit 1; }
ln -sf "$(readlink -f "$kernel")" "$WORK/bzImage"
kdir=$(dirname "$(readlink -f "$kernel")")
for v in "$kdir/vmlinux" "${kdir%/arch/x86/boot}/vmlinux"; do
	[ -f "$v" ] && { ln -sf "$v" "$WORK/vmlinux"; break; }
done

# boot NAME [VAR=value...]: ci/boot-native, output in WORK/NAME.out
boot() {
	local n=$1; shift
	env "$@" KERNEL="$WORK/bzImage" LOG="$WORK/$n.log" TIMEOUT=120 \
		"$here/ci/boot-native" >"$WORK/$n.out" 2>&1
}
# makeboot NAME [VAR=value...]: the same through `make boot-native`
makeboot() {
	local n=$1; shift
	$make -C "$here" --no-print-directory boot-native KERNEL="$WORK/bzImage" \
		INITRD="$WORK/user.cpio.gz" "$@" LOG="$WORK/$n.log" TIMEOUT=120 >"$WORK/$n.out" 2>&1
}
# expect_fail NAME REASON: the boot failed with exactly one FAIL line holding REASON
expect_fail() {
	local n=$1 want=$2 got
	got=$(grep -a 'boot-native: FAIL' "$WORK/$n.out")
	cp "$WORK/$n.out" "$WORK/last.log"
	if [ "$(printf '%s\n' "$got" | grep -c .)" = 1 ] && printf '%s' "$got" | grep -qF -- "$want"; then
		ok "$n: fails with one reason: $got"
	else
		bad "$n: wanted one FAIL line with '$want', got: ${got:-none}"
	fi
}
# expect_pass NAME: passed; the PASS line shown
expect_pass() {
	cp "$WORK/$1.out" "$WORK/last.log"
	ok "$1: $(grep -a 'boot-native: PASS' "$WORK/$1.out")"
}

if boot clean INITRD="$WORK/user.cpio.gz"; then expect_pass clean
else cp "$WORK/clean.out" "$WORK/last.log"; bad "clean: a user initramfs that powers off cleanly failed"; fi

if makeboot make-marker MARKER="$line"; then expect_pass make-marker
else cp "$WORK/make-marker.out" "$WORK/last.log"; bad "make-marker: make boot-native MARKER=<a printed line> failed"; fi

if boot marker-missing INITRD="$WORK/user.cpio.gz" MARKER="previrt-test: never printed"; then
	cp "$WORK/marker-missing.out" "$WORK/last.log"; bad "marker-missing: a MARKER never printed passed"
else expect_fail marker-missing "no 'previrt-test: never printed' on the console"; fi

if boot init-exits INITRD="$WORK/exits.cpio.gz"; then
	cp "$WORK/init-exits.out" "$WORK/last.log"; bad "init-exits: a kernel panic passed"
else expect_fail init-exits "kernel panic: Kernel panic - not syncing: Attempted to kill init"; fi

if [ -n "$loader" ]; then
	if [ ! -e "$WORK/vmlinux" ]; then bad "loader: no vmlinux next to $kernel"
	elif makeboot loader LOADER=1 BACKEND=native MARKER="$line" &&
		grep -aq "previrt-loader: .* sites .* valid" "$WORK/loader.log"; then
		expect_pass loader
	else cp "$WORK/loader.out" "$WORK/last.log"; bad "loader: make boot-native LOADER=1 with a user initramfs failed"; fi
fi

echo "boot-user: $(($(date +%s) - start)) s for the group"
test_summary boot-user
