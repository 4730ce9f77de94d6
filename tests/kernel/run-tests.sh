#!/bin/bash
# The LINUX=<release> interface of the kernel targets, with nothing built
# (check-linux-release, about 2 s): `make -n` shows which tarball, source
# cache and build directories each release gets, the runtime's tests follow
# the same kernel, a malformed release is one clear error, and
# ci/fetch-linux-source refuses one too.
#   tests/kernel/run-tests.sh WORKDIR MAKE
set -u
WORK=$1 make=$2
here=$(cd "$(dirname "$0")/../.." && pwd)
. "$here/tests/testlib.sh"
mkdir -p "$WORK"
cd "$here" || exit 1

# dry run of a target: its recipe lines (nothing runs: no recursive $(MAKE) here)
dry() { $make -s -n --no-print-directory "$@" 2>&1; }
has() { grep -Eq -- "$1" "$WORK/out" || { echo "no /$1/ in:"; cat "$WORK/out"; return 1; }; }
hasnt() { ! grep -Eq -- "$1" "$WORK/out" || { echo "unexpected /$1/ in:"; cat "$WORK/out"; return 1; }; }
step() { dry "$@" >"$WORK/out"; }

step kernel
t default_is_6_1_with_the_plain_names sh -c '
	grep -Eq "TARBALL=/usr/src/linux-source-6\.1\.tar\.xz LINUX_RELEASE=6\.1 " "$0" &&
	grep -Eq "SRC=[^ ]*/linux-src " "$0" && grep -Eq " O=[^ ]*/kernel/tiny " "$0"' "$WORK/out"
step kernel LINUX=6.12
t release_6_12_gets_its_tarball_source_and_build_dir sh -c '
	grep -Eq "TARBALL=/usr/src/linux-source-6\.12\.tar\.xz LINUX_RELEASE=6\.12 " "$0" &&
	grep -Eq "SRC=[^ ]*/linux-src-6\.12 " "$0" && grep -Eq " O=[^ ]*/kernel/tiny-6\.12 " "$0"' "$WORK/out"
step kernel LINUX=6.12 KCONFIG=defconfig KPLUGIN=0
t release_suffix_follows_config_and_plain \
	grep -Eq " O=[^ ]*/kernel/defconfig-plain-6\.12 " "$WORK/out"
step kernel LINUX=6.12 KTARBALL=/x/t.tar.xz KSRC=/x/src O=/x/o
t explicit_tarball_source_and_dir_win sh -c 'grep -Eq "SRC=/x/src TARBALL=/x/t.tar.xz " "$0" && grep -Eq " O=/x/o " "$0"' "$WORK/out"
step check-runtime-boot LINUX=6.12 RT_PROFILE_KERNEL=
t runtime_boot_tests_follow_the_release sh -c 'tr -d "\\\\\n" <"$0" |
	grep -Eq "boot-tests\.sh [^ ]+ +[^ ]*/kernel/tiny-6\.12/vmlinux [^ ]+ [^ ]*/boot-6\.12 "' "$WORK/out"
step boot-xen LINUX=6.12
t xen_boot_follows_the_release grep -Eq "KERNEL=[^ ]*/kernel/tiny-6\.12/vmlinux " "$WORK/out"
step check-linux LINUX=6.12
t check_linux_runs_every_group_on_the_release sh -c '
	grep -Eq "LINUX=6\.12 check-kernel check-runtime-vmlinux check-runtime-boot check-runtime-modules check-runtime-xen" "$0" &&
	grep -q "check-linux: Linux 6.12: PASS" "$0"' "$WORK/out"

# a release Debian could not name: one line, non-zero, nothing run
$make -s -n kernel LINUX=6 >"$WORK/out" 2>&1
rc=$?
t malformed_release_is_one_error_line sh -c '[ "$0" != 0 ] && [ "$(grep -c . "$1")" = 1 ] &&
	grep -q "LINUX=6: want a release as Debian names linux-source-<release>" "$1"' "$rc" "$WORK/out"
"$here/ci/fetch-linux-source" "6.x; rm -rf /" "$WORK/cache" >"$WORK/out" 2>&1
rc=$?
t fetch_refuses_a_malformed_release sh -c '[ "$0" = 1 ] && [ "$(grep -c . "$1")" = 1 ] &&
	grep -q "is not MAJOR.MINOR" "$1" && [ ! -e "$2" ]' "$rc" "$WORK/out" "$WORK/cache"
t fetch_prefers_the_installed_tarball sh -c '
	for r in 6.1 6.12; do f=/usr/src/linux-source-$r.tar.xz; [ -f "$f" ] || continue
		[ "$("$0" "$r" "$1")" = "$f" ] || exit 1; done; [ ! -e "$1" ]' "$here/ci/fetch-linux-source" "$WORK/cache"

test_summary kernel-release
