#!/bin/bash
# Documented commands exist (check-docs-commands): every `make TARGET` in
# README.md, docs/*.md and the directories' README.md names a target make
# knows (check-make-commands.py: make's database, nothing built), and the
# check itself catches unknown targets (fixture.md).  No build, no boot.
#   tests/docs/run-tests.sh WORKDIR MAKE
set -u
WORK=$1 make=$2
here=$(cd "$(dirname "$0")/../.." && pwd)
. "$here/tests/testlib.sh"
mkdir -p "$WORK"
check=$here/tests/docs/check-make-commands.py

# one PASS/FAIL line per documented command, counted in this group
"$check" "$here" "$make" >"$WORK/docs.out" 2>&1
rc=$?
grep -E '^(PASS|FAIL|skip) ' "$WORK/docs.out"
set -- $(tail -1 "$WORK/docs.out" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p')
if [ $# = 2 ] && [ "$rc" = "$([ "$2" = 0 ] && echo 0 || echo 1)" ] && [ "$1" -ge 40 ]; then
	pass=$((pass + $1)) fail=$((fail + $2))
else
	cp "$WORK/docs.out" "$WORK/last.log"
	bad "docs: check-make-commands.py did not finish (status $rc, or fewer than 40 commands found)"
fi

# the fixture: 5 known commands pass (a bare `make` is not counted), 3 unknown targets fail, one line each
"$check" "$here" "$make" "$here/tests/docs/fixture.md" >"$WORK/fixture.out" 2>&1
rc=$?
cp "$WORK/fixture.out" "$WORK/last.log"
want="FAIL tests/docs/fixture.md:12: make previrt-no-such-target: No rule to make target 'previrt-no-such-target'
FAIL tests/docs/fixture.md:13: make BUILD=/tmp/b bench-p1|previrt-no-such-bench [KCONFIG=defconfig]: No rule to make target 'previrt-no-such-bench'
FAIL tests/docs/fixture.md:15: make build/previrt-no-such-file.so: No rule to make target 'build/previrt-no-such-file.so'"
if [ "$rc" != 0 ] && [ "$(grep '^FAIL' "$WORK/fixture.out")" = "$want" ] &&
	[ "$(grep -c "^PASS" "$WORK/fixture.out")" = 5 ] && grep -q "^skip .*make -C linux" "$WORK/fixture.out"; then
	ok "fixture: unknown targets fail, one line each; known ones (a|b, build/FILE, VAR=…, && chains) pass"
else
	bad "fixture: not the expected PASS/FAIL lines"
fi
test_summary docs-commands
