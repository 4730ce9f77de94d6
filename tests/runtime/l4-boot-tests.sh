#!/bin/bash
# The L4 boot path's host-side parts (no L4Re needed):
#   - runtime/l4/mkbootconf writes the ned script and modules list that
#     ci/boot-l4 hands to the user's L4Re: every module the script names is
#     in the list, the loader is uvmm's kernel, the bundle its ramdisk,
#     virt-pc.dtb its device tree, the command line and RAM size as given;
#     each bad input is one "mkbootconf:" line and exit 2, nothing written;
#   - mkbootconf --direct (the baselines ci/bench-l4 boots without
#     previrt-loader) gives uvmm the kernel and the plain initramfs instead,
#     and refuses what is neither a bzImage nor an ELF kernel, and a bundle;
#   - make boot-l4 / ci/boot-l4 without L4RE_OBJ and FIASCO_OBJ, or with
#     directories that hold no L4 build, refuse in one line, exit non-zero,
#     before building anything; ci/boot-l4 DIRECT=1 refuses a BACKEND;
#     make bench-l4 / ci/bench-l4 refuse without an L4 build, without the
#     KVM guest kernel, and with an initramfs that is not the workload's.
#
#   tests/runtime/l4-boot-tests.sh LOADER WORKDIR
# Ends with "N passed, M failed".
set -u
loader=$1 WORK=$2
here=$(cd "$(dirname "$0")/../.." && pwd)
. "$here/tests/testlib.sh"
rm -rf "$WORK" && mkdir -p "$WORK"

# inputs: a small bundle (any ELF stands for vmlinux here), a device tree header, a vmm.lua
printf 'not really vmlinux' >"$WORK/vmlinux"
printf 'not really an initramfs' >"$WORK/initrd"
"$here/runtime/mkbundle" "$loader" "$WORK/initrd" "$WORK/bundle" >/dev/null
printf '\xd0\x0d\xfe\xed\0\0\0\x28' >"$WORK/virt-pc.dtb"
echo 'return _ENV' >"$WORK/vmm.lua"
conf=$WORK/conf
mk() { "$here/runtime/l4/mkbootconf" "$@"; }

t "mkbootconf: accepts the loader, a bundle, a device tree, vmm.lua" \
	mk "$conf" "$loader" "$WORK/bundle" "$WORK/virt-pc.dtb" "$WORK/vmm.lua" "console=ttyS0 previrt.backend=l4" 384
ned=$conf/previrt-l4.ned list=$conf/modules.list
t "ned: uvmm's kernel is the loader"   grep -qx '  kernel = "rom/previrt-loader.elf",' "$ned"
t "ned: the ramdisk is the bundle"     grep -qx '  rd = "rom/previrt-bundle",' "$ned"
t "ned: the device tree is virt-pc.dtb" grep -qx '  fdt = "rom/virt-pc.dtb",' "$ned"
t "ned: the command line as given"     grep -qx '  bootargs = "console=ttyS0 previrt.backend=l4",' "$ned"
t "ned: RAM as given (384 MiB)"        grep -qx '  mem = 384,' "$ned"
t "ned: prints uvmm's exit status (what ci/boot-l4 waits for)" \
	grep -qF 'print("previrt-l4: uvmm exited with status " .. tostring(vm:wait()));' "$ned"
t "modules.list: entry previrt-l4, ned started by moe" \
	sh -c "grep -qx 'entry previrt-l4' '$list' && grep -qx 'roottask moe rom/previrt-l4.ned' '$list' && grep -qx 'kernel fiasco' '$list'"
# every rom/NAME the ned script opens is a module, and every module file we provide was copied
missing=
[ -s "$ned" ] || missing=" (no ned script)"
for m in $(grep -o 'rom/[A-Za-z0-9._-]*' "$ned" | sed 's|rom/||; s|?|vmm|' | sort -u); do
	grep -qx "module $m" "$list" || missing="$missing $m"
done
t "modules.list: every rom/ file the ned script opens is a module${missing:+ (missing:$missing)}" test -z "$missing"
t "the copies are the inputs" sh -c "cmp -s '$loader' '$conf/previrt-loader.elf' && cmp -s '$WORK/bundle' '$conf/previrt-bundle' && cmp -s '$WORK/virt-pc.dtb' '$conf/virt-pc.dtb' && cmp -s '$WORK/vmm.lua' '$conf/vmm.lua'"
t "default RAM is 512 MiB" sh -c "'$here/runtime/l4/mkbootconf' '$WORK/conf2' '$loader' '$WORK/bundle' '$WORK/virt-pc.dtb' '$WORK/vmm.lua' 'console=ttyS0' >/dev/null && grep -qx '  mem = 512,' '$WORK/conf2/previrt-l4.ned'"

# --direct (the baselines, ci/bench-l4's (c)): uvmm gets the kernel and a plain initramfs
{ head -c 514 /dev/zero; printf 'HdrS'; head -c 64 /dev/zero; } >"$WORK/bzImage"
dconf=$WORK/dconf
t "mkbootconf --direct: accepts a bzImage (HdrS at 0x202) and a plain initramfs" \
	mk --direct "$dconf" "$WORK/bzImage" "$WORK/initrd" "$WORK/virt-pc.dtb" "$WORK/vmm.lua" "console=ttyS0 nolapic_timer" 256
dned=$dconf/previrt-l4.ned dlist=$dconf/modules.list
t "ned --direct: uvmm's kernel is the kernel given, no previrt-loader" \
	sh -c "grep -qx '  kernel = \"rom/guest-kernel\",' '$dned' && ! grep -q 'previrt-loader.elf\|previrt-bundle' '$dned' '$dlist'"
t "ned --direct: the ramdisk is the initramfs given"   grep -qx '  rd = "rom/guest-initrd",' "$dned"
t "ned --direct: the command line and RAM as given" \
	sh -c "grep -qx '  bootargs = \"console=ttyS0 nolapic_timer\",' '$dned' && grep -qx '  mem = 256,' '$dned'"
t "ned --direct: prints uvmm's exit status as a previrt boot does" \
	grep -qF 'print("previrt-l4: uvmm exited with status " .. tostring(vm:wait()));' "$dned"
missing=
for m in $(grep -o 'rom/[A-Za-z0-9._-]*' "$dned" | sed 's|rom/||; s|?|vmm|' | sort -u); do
	grep -qx "module $m" "$dlist" || missing="$missing $m"
done
t "modules.list --direct: every rom/ file the ned script opens is a module${missing:+ (missing:$missing)}" \
	sh -c "test -z '$missing' && grep -qx 'entry previrt-l4' '$dlist'"
t "the --direct copies are the inputs" sh -c "cmp -s '$WORK/bzImage' '$dconf/guest-kernel' && cmp -s '$WORK/initrd' '$dconf/guest-initrd'"
t "mkbootconf --direct: an ELF kernel is accepted too" \
	sh -c "'$here/runtime/l4/mkbootconf' --direct '$WORK/dconf2' '$loader' '$WORK/initrd' '$WORK/virt-pc.dtb' '$WORK/vmm.lua' x >/dev/null"

# bad input: one line, exit 2, no configuration written
refuse() {
	local name=$1 want=$2; shift 2
	rm -rf "$WORK/bad"
	if [ "${1:-}" = --direct ]; then
		shift
		mk --direct "$WORK/bad" "$@" >"$WORK/out" 2>"$WORK/err"
	else
		mk "$WORK/bad" "$@" >"$WORK/out" 2>"$WORK/err"
	fi
	local rc=$?
	if [ $rc = 2 ] && [ "$(wc -l <"$WORK/err")" = 1 ] && grep -q "^mkbootconf: .*$want" "$WORK/err" && [ ! -e "$WORK/bad" ]; then
		ok "mkbootconf refuses $name: $(cat "$WORK/err")"
	else
		cp "$WORK/err" "$WORK/last.log"; bad "mkbootconf refuses $name (rc $rc)"
	fi
}
refuse "a quote in the command line" "double quotes" "$loader" "$WORK/bundle" "$WORK/virt-pc.dtb" "$WORK/vmm.lua" 'console=ttyS0 x="y"'
refuse "a backslash in the command line" "backslashes" "$loader" "$WORK/bundle" "$WORK/virt-pc.dtb" "$WORK/vmm.lua" 'a\b'
refuse "a ramdisk that is no bundle" "not a previrt bundle" "$loader" "$WORK/initrd" "$WORK/virt-pc.dtb" "$WORK/vmm.lua" "x"
refuse "a loader that is no ELF" "not an ELF" "$WORK/vmlinux" "$WORK/bundle" "$WORK/virt-pc.dtb" "$WORK/vmm.lua" "x"
refuse "a device tree that is none" "not a flattened device tree" "$loader" "$WORK/bundle" "$WORK/vmm.lua" "$WORK/vmm.lua" "x"
refuse "a missing file" "no file" "$loader" "$WORK/bundle" "$WORK/none.dtb" "$WORK/vmm.lua" "x"
refuse "RAM of 32 MiB" "64 to 3072" "$loader" "$WORK/bundle" "$WORK/virt-pc.dtb" "$WORK/vmm.lua" "x" 32
refuse "RAM that is no number" "not a number" "$loader" "$WORK/bundle" "$WORK/virt-pc.dtb" "$WORK/vmm.lua" "x" 1g
refuse "too few arguments" "usage" "$loader"
refuse "--direct with a kernel that is neither bzImage nor ELF" "neither a bzImage nor an ELF" --direct "$WORK/vmlinux" "$WORK/initrd" "$WORK/virt-pc.dtb" "$WORK/vmm.lua" "x"
refuse "--direct with a previrt bundle for a ramdisk" "is a previrt bundle" --direct "$WORK/bzImage" "$WORK/bundle" "$WORK/virt-pc.dtb" "$WORK/vmm.lua" "x"

# make boot-l4 / bench-l4 and their ci/ scripts refusing: a non-zero exit,
# exactly one "PREFIX: " line on stderr, and nothing on stdout saying the run
# started (STARTED, a pattern)
refuse_as() {
	local prefix=$1 started=$2 name=$3; shift 3
	"$@" >"$WORK/out" 2>"$WORK/err"
	local rc=$?
	if [ $rc != 0 ] && [ "$(grep -c "^$prefix: " "$WORK/err")" = 1 ] && ! grep -q "$started" "$WORK/out"; then
		ok "$name: $(grep "^$prefix: " "$WORK/err")"
	else
		cat "$WORK/out" "$WORK/err" >"$WORK/last.log"; bad "$name (rc $rc)"
	fi
}

# make boot-l4 and ci/boot-l4 without an L4 build
refuse_boot() { refuse_as boot-l4 '^== runtime' "$@"; }
refuse_boot "make boot-l4 without L4RE_OBJ/FIASCO_OBJ" make -s -C "$here" boot-l4 L4RE_OBJ= FIASCO_OBJ=
refuse_boot "make boot-l4 with FIASCO_OBJ only" make -s -C "$here" boot-l4 L4RE_OBJ= FIASCO_OBJ=/tmp
refuse_boot "ci/boot-l4 with directories that hold no Fiasco" env L4RE_OBJ="$WORK" FIASCO_OBJ="$WORK" "$here/ci/boot-l4"
mkdir -p "$WORK/fiasco-obj" && : >"$WORK/fiasco-obj/fiasco"
refuse_boot "ci/boot-l4 with an L4Re dir that holds no uvmm" env L4RE_OBJ="$WORK" FIASCO_OBJ="$WORK/fiasco-obj" "$here/ci/boot-l4"
mkdir -p "$WORK/l4re-obj/bin/amd64_gen/l4f" "$WORK/l4re-obj/assets" && : >"$WORK/l4re-obj/bin/amd64_gen/l4f/uvmm" &&
	: >"$WORK/l4re-obj/virt-pc.dtb" && : >"$WORK/l4re-obj/assets/vmm.lua"
refuse_boot "ci/boot-l4 DIRECT=1 with a BACKEND (no loader to choose one)" \
	env L4RE_OBJ="$WORK/l4re-obj" FIASCO_OBJ="$WORK/fiasco-obj" DIRECT=1 BACKEND=l4 KERNEL="$WORK/bzImage" INITRD="$WORK/initrd" OUT="$WORK/direct-out" "$here/ci/boot-l4"

# make bench-l4 / ci/bench-l4 without an L4 build (the KVM guest kernel it builds itself)
refuse_bench() { refuse_as bench-l4 'uvmm on Fiasco' "$@"; }
refuse_bench "make bench-l4 without L4RE_OBJ/FIASCO_OBJ" make -s -C "$here" bench-l4 L4RE_OBJ= FIASCO_OBJ=
refuse_bench "ci/bench-l4 without L4RE_OBJ/FIASCO_OBJ" env -u L4RE_OBJ -u FIASCO_OBJ "$here/ci/bench-l4" "$WORK/bench"
refuse_bench "ci/bench-l4 with an initramfs that is not the workload's" \
	env L4RE_OBJ="$WORK/l4re-obj" FIASCO_OBJ="$WORK/fiasco-obj" A_KERNEL="$loader" C_KERNEL="$WORK/bzImage" INITRD="$WORK/initrd" "$here/ci/bench-l4" "$WORK/bench"
test_summary l4-boot-tests
