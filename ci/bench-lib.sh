# Shared by the ci/bench-* scripts (sourced, not run).
# Environment: KCONFIG, BENCH (dir for the bench builds), PLUGIN (absolute
# path of previrt.so), SRC, TARBALL, JOBS, REPORT; INITRD for boots.
# The two builds compared live side by side in $BENCH/$KCONFIG-plain and
# $BENCH/$KCONFIG-plugin; bench-build-time makes them from scratch, the
# other benchmarks reuse them (ci/kernel-build is incremental).
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
KCONFIG=${KCONFIG:-tiny}
: "${BENCH:?BENCH (benchmark build dir) not set}"
: "${PLUGIN:?PLUGIN (absolute path of previrt.so) not set}"
export SRC TARBALL JOBS REPORT
PLAIN_O=$BENCH/$KCONFIG-plain
PLUGIN_O=$BENCH/$KCONFIG-plugin

# build_variant plain|plugin: build (or bring up to date) one side.
build_variant() {
	case $1 in
	plain) KCONFIG=$KCONFIG O=$PLAIN_O PLUGIN=0 "$here/ci/kernel-build" ;;
	plugin) KCONFIG=$KCONFIG O=$PLUGIN_O PLUGIN=$PLUGIN "$here/ci/kernel-build" ;;
	esac
}

ensure_both() {
	[ -f "$PLAIN_O/vmlinux" ] && [ -f "$PLUGIN_O/vmlinux" ] && [ "${REBUILD:-0}" = 0 ] &&
		[ "$(cat "$PLUGIN_O/.previrt-plugin-stamp")" = "plugin $(sha256sum "$PLUGIN" | cut -d' ' -f1)" ] &&
		return 0
	build_variant plain >"$BENCH/$KCONFIG-plain.out" 2>&1 ||
		{ cat "$BENCH/$KCONFIG-plain.out"; exit 1; }
	build_variant plugin >"$BENCH/$KCONFIG-plugin.out" 2>&1 ||
		{ cat "$BENCH/$KCONFIG-plugin.out"; exit 1; }
}

# ratio A B: A/B with 4 decimals
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "n/a"; else printf "%.4f\n", a / b }'; }
mkdir -p "$BENCH"
