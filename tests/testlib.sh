# Shared by the shell test runners: named checks, counted, with the output
# of a failing command shown under its FAIL line.  The runner sets WORK
# (scratch directory) before sourcing this file, and ends with test_summary.
pass=0 fail=0

ok()   { pass=$((pass + 1)); echo "PASS $1"; }
bad()  { fail=$((fail + 1)); echo "FAIL $1"; [ -f "$WORK/last.log" ] && sed 's/^/    /' "$WORK/last.log" | head -20; }
# t NAME CMD...: passes when CMD succeeds
t()    { local n=$1; shift; if "$@" >"$WORK/last.log" 2>&1; then ok "$n"; else bad "$n"; fi; }
# tfail NAME CMD...: passes when CMD fails
tfail(){ local n=$1; shift; if "$@" >"$WORK/last.log" 2>&1; then bad "$n (expected failure)"; else ok "$n"; fi; }
# tcatch NAME INPUT CMD...: a negative test whose INPUT must exist (a missing
# input must not pass for a caught problem)
tcatch() { local n=$1 f=$2; shift 2; if [ ! -f "$f" ]; then bad "$n (input $f missing)"; else tfail "$n" "$@"; fi; }

# test_summary GROUP: the closing lines; the runner's exit status
test_summary() {
	echo "$1: $pass passed, $fail failed"
	echo "$pass passed, $fail failed"
	[ "$fail" = 0 ]
}
