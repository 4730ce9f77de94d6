#!/bin/sh
# The Xen host's scripts without QEMU or Debian's archive (a second each):
# ci/boot-xen-domu and xen-host/mkinitramfs refuse bad settings with one
# clear line and a non-zero status; dom0's /init parses; xen-host.config's
# chain is what kernel-configs/README.md says; mkinitramfs puts /init, the
# guest's xl config and files and a (fake) userland tree where dom0's
# /init and the config expect them.
#
#   tests/xen-host/run-tests.sh GEN_INIT_CPIO WORKDIR
set -u
gen=$1 work=$2
top=$(cd "$(dirname "$0")/../.." && pwd)
pass=0 failed=0
ok() { echo "ok   - $*"; pass=$((pass + 1)); }
bad() { echo "FAIL - $*"; failed=$((failed + 1)); }

rm -rf "$work" && mkdir -p "$work"
# refused: status 1 and exactly one line, a FAIL line naming the setting
refused() {     # refused WHAT PATTERN COMMAND...
	what=$1 pat=$2
	shift 2
	out=$("$@" 2>&1 >/dev/null) && { bad "$what: accepted"; return; }
	if [ "$(printf '%s\n' "$out" | wc -l)" = 1 ] && printf '%s' "$out" | grep -q -- "$pat"; then
		ok "$what: refused with one line: $out"
	else
		bad "$what: status non-zero but said: $out"
	fi
}
refused "boot-xen-domu GUEST=foo" "GUEST must be previrt or pvops" env GUEST=foo "$top/ci/boot-xen-domu"
refused "boot-xen-domu DOMU_MEM=lots" "DOMU_MEM=lots is not a positive number" env DOMU_MEM=lots "$top/ci/boot-xen-domu"
refused "boot-xen-domu TIMEOUT=0" "TIMEOUT=0 is not a positive number" env TIMEOUT=0 "$top/ci/boot-xen-domu"
refused "boot-xen-domu, no such guest kernel" "no guest kernel $work/nothing" \
	env KERNEL="$work/nothing" "$top/ci/boot-xen-domu"
refused "mkinitramfs without arguments" "usage" "$top/xen-host/mkinitramfs"
mkdir -p "$work/userland/usr/lib/xen-4.17/bin" "$work/userland/lib64" "$work/userland/usr/share/doc/x"
echo fake >"$work/userland/usr/lib/xen-4.17/bin/xl"
echo doc >"$work/userland/usr/share/doc/x/README"
ln -s /lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 "$work/userland/lib64/ld-linux-x86-64.so.2"
echo 'name = "domu"' >"$work/domu.cfg"
echo kernel >"$work/vmlinux"
refused "mkinitramfs DOMU_TIMEOUT=soon" "DOMU_TIMEOUT=soon is not a number" \
	env GEN="$gen" USERLAND="$work/userland" DOMU_TIMEOUT=soon "$top/xen-host/mkinitramfs" "$work/x.cpio.gz" "$work/domu.cfg"
refused "mkinitramfs, a userland without Xen 4.17" "holds no Xen 4.17 userland" \
	env GEN="$gen" USERLAND="$work" "$top/xen-host/mkinitramfs" "$work/x.cpio.gz" "$work/domu.cfg"

# a good archive from the fake tree
if GEN="$gen" USERLAND="$work/userland" DOMU_TIMEOUT=42 "$top/xen-host/mkinitramfs" "$work/dom0.cpio.gz" \
	"$work/domu.cfg" "$work/vmlinux" >/dev/null 2>"$work/err"; then
	list=$(gzip -dc "$work/dom0.cpio.gz" | cpio -it --quiet 2>/dev/null)
	missing=""
	for m in init bin/busybox etc/previrt/domu.cfg etc/previrt/host.conf etc/xen/xl.conf \
		var/lib/previrt/domu/vmlinux usr/lib/xen-4.17/bin/xl lib64/ld-linux-x86-64.so.2 dev/console; do
		printf '%s\n' "$list" | grep -qx "$m" || missing="$missing $m"
	done
	[ -z "$missing" ] && ok "dom0's archive holds /init, busybox, the guest's config and file, the userland tree" ||
		bad "dom0's archive lacks:$missing"
	printf '%s\n' "$list" | grep -q "^usr/share" && bad "usr/share was packed" || ok "usr/share (documentation) left out"
	gzip -dc "$work/dom0.cpio.gz" | (cd "$work" && cpio -id --quiet etc/previrt/host.conf 2>/dev/null)
	grep -qx "DOMU_TIMEOUT=42" "$work/etc/previrt/host.conf" && ok "host.conf carries DOMU_TIMEOUT=42" ||
		bad "host.conf: $(cat "$work/etc/previrt/host.conf" 2>/dev/null)"
else
	bad "mkinitramfs failed on a good tree: $(cat "$work/err")"
fi

bb=${BUSYBOX:-/bin/busybox}
"$bb" sh -n "$top/xen-host/init.sh" && ok "dom0's /init parses under busybox sh" || bad "dom0's /init: syntax error"
chain=$(KCONFIG=xen-host "$top/ci/kernel-build" --chain | sed 's|.*/||' | tr '\n' ' ')
[ "$chain" = "tinyconfig tiny.config xen-pvh.config xen-host.config " ] &&
	ok "xen-host.config builds on tinyconfig, tiny.config, xen-pvh.config" || bad "xen-host.config's chain: $chain"
grep -q '^CONFIG_XEN_PV=y' "$top/kernel-configs/xen-host.config" &&
	grep -q '^# CONFIG_XEN_PV is not set' "$top/kernel-configs/xen-pvh.config" &&
	ok "xen-host.config turns XEN_PV on over xen-pvh.config's 'not set' (a PV dom0)" ||
	bad "XEN_PV lines in xen-pvh.config / xen-host.config changed"

echo "xen-host-tests: $pass passed, $failed failed"
[ "$failed" = 0 ]
