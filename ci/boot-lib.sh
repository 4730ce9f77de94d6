# Shared by ci/boot-native and ci/boot-xen (sourced, not run): run QEMU
# with the caller's qemu_args and judge the workload from the console log.
# The caller defines fail() (one "<script>: FAIL: ..." line, exit 1) and
# qemu_args(), and sets QEMU, TIMEOUT, LOG and MARKER.

# run_qemu NAME: QEMU under TIMEOUT, console to stdout and $LOG; sets rc, secs.
run_qemu() {
	_start=$(date +%s)
	_rcfile=$LOG.rc
	rm -f "$_rcfile"
	# QEMU's arguments may contain spaces (-append): split them on newlines
	# only.  Its exit status goes through a file because the pipe to tee
	# hides it, and is taken with || because the callers run under set -e,
	# which would end the group before the echo on any non-zero status.
	_old_ifs=$IFS
	IFS='
'
	# shellcheck disable=SC2046
	{ _s=0; timeout --foreground -k 5 "$TIMEOUT" "$QEMU" $(qemu_args) </dev/null 2>&1 || _s=$?
	  echo "$_s" >"$_rcfile"; } |
		tee "$LOG"
	IFS=$_old_ifs
	secs=$(($(date +%s) - _start))
	rc=$(cat "$_rcfile" 2>/dev/null || echo 255)
	rm -f "$_rcfile"
	echo
	echo "$1: QEMU exited with status $rc after ${secs}s"
}

# check_workload: no panic, the workload's success marker, a clean power-off.
check_workload() {
	grep -aq "Kernel panic" "$LOG" && fail "kernel panic: $(grep -a -m1 'Kernel panic' "$LOG")"
	grep -aq "previrt-workload: FAILED" "$LOG" &&
		fail "workload failed: $(grep -a -m1 'previrt-workload: FAILED' "$LOG")"
	if ! grep -aq "$MARKER" "$LOG"; then
		[ "$rc" = 124 ] && fail "timeout after ${TIMEOUT}s without the workload marker"
		grep -aq "previrt-init:" "$LOG" || fail "userspace never started (no previrt-init line)"
		fail "no '$MARKER' line on the console"
	fi
	grep -aq "reboot: Power down" "$LOG" ||
		fail "workload done but no clean power-off ('reboot: Power down' missing)"
	return 0
}

# check_exit WHAT: QEMU ended by itself (WHAT: what it should have exited after), status 0.
check_exit() {
	[ "$rc" = 124 ] && fail "timeout after ${TIMEOUT}s (QEMU did not exit after $1)"
	[ "$rc" = 0 ] || fail "QEMU exited with status $rc"
}
