# Shared by ci/boot-native and ci/boot-xen (sourced, not run): run QEMU
# with the caller's qemu_args and judge the workload from the console log.
# The caller defines fail() (one "<script>: FAIL: ..." line, exit 1) and
# qemu_args(), sets QEMU, TIMEOUT, LOG, INITRD and MARKER (the user's text
# that must appear on the console, may be empty), calls judge_init before
# QEMU runs, run_qemu, then check_boot and check_exit.

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

# initrd_is_workload FILE: true when FILE is the project's workload
# initramfs (workload/mkinitramfs), i.e. its cpio archive holds the
# workload program bin/previrt-workload.  Decided from the archive's
# members, never from FILE's name: a user's initramfs may well be called
# initramfs.cpio.gz too.  An archive that cannot be listed (compression
# not installed, not a cpio at all) is the user's: mkinitramfs always
# writes gzip.
initrd_is_workload() {
	_magic=$(od -An -tx1 -N6 "$1" 2>/dev/null | tr -d ' \n')
	case $_magic in
	1f8b*) _cat="gzip -dc" ;;
	fd377a585a00) _cat="xz -dc" ;;
	28b52ffd*) _cat="zstd -dc" ;;
	425a68*) _cat="bzip2 -dc" ;;
	04224d18* | 02214c18*) _cat="lz4 -dc" ;;
	303730373031 | 303730373032) _cat="cat" ;; # "070701", "070702": plain newc
	*) return 1 ;;
	esac
	# shellcheck disable=SC2086
	$_cat <"$1" 2>/dev/null | cpio -it --quiet 2>/dev/null |
		grep -qE '^(\./|/)?bin/previrt-workload$'
}

# judge_init: which verdict this boot gets, decided before QEMU runs.
# WORKLOAD (1 or 0) is what initrd_is_workload says about INITRD; MARKER
# is the user's own text (may be empty).  Prints one line saying so.
judge_init() {
	if initrd_is_workload "$INITRD"; then
		WORKLOAD=1
		echo "$1: INITRD is the previrt workload initramfs: judging its lines" \
			"('previrt-workload: done', power-off)${MARKER:+ and '$MARKER'}"
	else
		WORKLOAD=0
		echo "$1: INITRD is not the previrt workload: judging a clean boot to power-off" \
			"(no panic, no oops)${MARKER:+ with '$MARKER' on the console}"
	fi
}

# check_boot: the verdict on the console log.  Both kinds of initramfs:
# no kernel panic, no timeout, the user's MARKER (if any) on the console,
# the kernel's "reboot: Power down".  The workload initramfs additionally
# needs its own lines (no FAILED phase, /init started, the done marker);
# any other initramfs needs no oops, BUG or Call Trace line instead.
check_boot() {
	grep -aq "Kernel panic" "$LOG" && fail "kernel panic: $(grep -a -m1 'Kernel panic' "$LOG" | tr -d '\r')"
	grep -aq "previrt-workload: FAILED" "$LOG" &&
		fail "workload failed: $(grep -a -m1 'previrt-workload: FAILED' "$LOG" | tr -d '\r')"
	if [ "$WORKLOAD" = 1 ]; then
		if ! grep -aqF "previrt-workload: done" "$LOG"; then
			[ "$rc" = 124 ] && fail "timeout after ${TIMEOUT}s without the workload marker"
			grep -aq "previrt-init:" "$LOG" || fail "userspace never started (no previrt-init line)"
			fail "no 'previrt-workload: done' line on the console"
		fi
	else
		_oops='Oops: |BUG: |kernel BUG at |general protection fault|Call Trace:'
		grep -aqE "$_oops" "$LOG" &&
			fail "kernel oops: $(grep -aE -m1 "$_oops" "$LOG" | tr -d '\r')"
	fi
	if [ -n "$MARKER" ] && ! grep -aqF -- "$MARKER" "$LOG"; then
		[ "$rc" = 124 ] && fail "timeout after ${TIMEOUT}s without '$MARKER' on the console"
		fail "no '$MARKER' on the console (MARKER)"
	fi
	if ! grep -aq "reboot: Power down" "$LOG"; then
		[ "$rc" = 124 ] && fail "timeout after ${TIMEOUT}s (the machine never powered off)"
		fail "no clean power-off ('reboot: Power down' missing)"
	fi
	return 0
}

# check_exit WHAT: QEMU ended by itself (WHAT: what it should have exited after), status 0.
check_exit() {
	[ "$rc" = 124 ] && fail "timeout after ${TIMEOUT}s (QEMU did not exit after $1)"
	[ "$rc" = 0 ] || fail "QEMU exited with status $rc"
}
