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
refused "boot-xen-domu DOMU_VCPUS=0" "DOMU_VCPUS=0 is not a positive number" env DOMU_VCPUS=0 "$top/ci/boot-xen-domu"
refused "boot-xen-domu EXIT_RULE=maybe" "EXIT_RULE=maybe is not auto, on or off" env EXIT_RULE=maybe "$top/ci/boot-xen-domu"
refused "boot-xen-domu, no such guest kernel" "no guest kernel $work/nothing" \
	env KERNEL="$work/nothing" "$top/ci/boot-xen-domu"
refused "boot-xen-domu IO=2" "IO=2 is not 0 or 1" env IO=2 "$top/ci/boot-xen-domu"
refused "boot-xen-domu SHUTDOWN=now" "SHUTDOWN=now is not xl, xl-reboot, reboot or self" env SHUTDOWN=now "$top/ci/boot-xen-domu"
refused "boot-xen-domu ICOUNT=fast" "ICOUNT=fast is not a shift" env ICOUNT=fast "$top/ci/boot-xen-domu"
refused "boot-xen-domu IO_DISK_BYTES=8M" "IO_DISK_BYTES=8M is not a number of bytes" env IO_DISK_BYTES=8M "$top/ci/boot-xen-domu"
refused "bench-xen-domu without kernels" "A_KERNEL" env -u A_KERNEL "$top/ci/bench-xen-domu"
refused "bench-xen-domu REPS=0" "REPS=0 is not a positive number" \
	env A_KERNEL="$top/Makefile" B_KERNEL="$top/Makefile" INITRD="$top/Makefile" REPS=0 "$top/ci/bench-xen-domu"
refused "mkinitramfs without arguments" "usage" "$top/xen-host/mkinitramfs"
mkdir -p "$work/userland/usr/lib/xen-4.17/bin" "$work/userland/lib64" "$work/userland/usr/share/doc/x"
echo fake >"$work/userland/usr/lib/xen-4.17/bin/xl"
echo doc >"$work/userland/usr/share/doc/x/README"
ln -s /lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 "$work/userland/lib64/ld-linux-x86-64.so.2"
echo 'name = "domu"' >"$work/domu.cfg"
echo kernel >"$work/vmlinux"
refused "mkinitramfs DOMU_TIMEOUT=soon" "DOMU_TIMEOUT=soon is not a number" \
	env GEN="$gen" USERLAND="$work/userland" DOMU_TIMEOUT=soon "$top/xen-host/mkinitramfs" "$work/x.cpio.gz" "$work/domu.cfg"
refused "mkinitramfs XL_END=yes" "XL_END=yes is not 0, shutdown or reboot" \
	env GEN="$gen" USERLAND="$work/userland" XL_END=yes "$top/xen-host/mkinitramfs" "$work/x.cpio.gz" "$work/domu.cfg"
refused "mkinitramfs, a userland without Xen 4.17" "holds no Xen 4.17 userland" \
	env GEN="$gen" USERLAND="$work" "$top/xen-host/mkinitramfs" "$work/x.cpio.gz" "$work/domu.cfg"

refused "mkinitramfs SINK_PORT=9000 without the sink program" "SINK_PORT needs SINK" \
	env GEN="$gen" USERLAND="$work/userland" SINK_PORT=9000 SINK="$work/nothing" "$top/xen-host/mkinitramfs" "$work/x.cpio.gz" "$work/domu.cfg"

# a good archive from the fake tree
if GEN="$gen" USERLAND="$work/userland" DOMU_TIMEOUT=42 XL_END=reboot "$top/xen-host/mkinitramfs" "$work/dom0.cpio.gz" \
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
	grep -qx "DOMU_TIMEOUT=42" "$work/etc/previrt/host.conf" && grep -qx "XL_END=reboot" "$work/etc/previrt/host.conf" &&
		ok "host.conf carries DOMU_TIMEOUT=42 and XL_END=reboot" ||
		bad "host.conf: $(cat "$work/etc/previrt/host.conf" 2>/dev/null)"
else
	bad "mkinitramfs failed on a good tree: $(cat "$work/err")"
fi

bb=${BUSYBOX:-/bin/busybox}
"$bb" sh -n "$top/xen-host/init.sh" && ok "dom0's /init parses under busybox sh" || bad "dom0's /init: syntax error"
"$bb" sh -n "$top/workload/power-button.sh" && ok "the guest's power-button handler (busybox acpid's PWRF action) parses" ||
	bad "workload/power-button.sh: syntax error"
for h in hotplug-block hotplug-vif; do
	"$bb" sh -n "$top/xen-host/$h" && ok "libxl's $h script parses under busybox sh" || bad "$h: syntax error"
done

# the sink dom0 runs for the guest's network test, against ci/io-sink's protocol (loopback only)
if cc -static -O2 -o "$work/previrt-sink" "$top/xen-host/previrt-sink.c" 2>"$work/err"; then
	port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	"$work/previrt-sink" "$port" "$work/sink.count" &
	spid=$!
	answer=$(python3 - "$port" <<'PY'
import socket, sys, time
for _ in range(50):
    try:
        s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
        break
    except OSError:
        time.sleep(0.1)
s.sendall(b"previrt-io-send 100000\n" + b"x" * 100000)
print(s.recv(100).decode().strip())
s.sendall(b"yyy")
s.close()
PY
)
	wait $spid
	[ "$answer" = "previrt-io-sink 100000" ] && ok "previrt-sink answers once the announced bytes are in" ||
		bad "previrt-sink answered '$answer'"
	[ "$(cat "$work/sink.count" 2>/dev/null)" = 100003 ] && ok "previrt-sink counts every byte after the header, to the end" ||
		bad "previrt-sink counted $(cat "$work/sink.count" 2>/dev/null)"
else
	bad "previrt-sink does not build: $(cat "$work/err")"
fi
chain=$(KCONFIG=xen-host "$top/ci/kernel-build" --chain | sed 's|.*/||' | tr '\n' ' ')
[ "$chain" = "tinyconfig tiny.config xen-pvh.config xen-host.config " ] &&
	ok "xen-host.config builds on tinyconfig, tiny.config, xen-pvh.config" || bad "xen-host.config's chain: $chain"
grep -q '^CONFIG_XEN_PV=y' "$top/kernel-configs/xen-host.config" &&
	grep -q '^# CONFIG_XEN_PV is not set' "$top/kernel-configs/xen-pvh.config" &&
	ok "xen-host.config turns XEN_PV on over xen-pvh.config's 'not set' (a PV dom0)" ||
	bad "XEN_PV lines in xen-pvh.config / xen-host.config changed"

echo "xen-host-tests: $pass passed, $failed failed"
[ "$failed" = 0 ]
