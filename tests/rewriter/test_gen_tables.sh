#!/bin/bash
# gen-tables.py: malformed rules are one error line naming file:line, exit 1,
# and leave existing outputs untouched; adding an instruction is one line in
# the rules, after which the rewriter annotates it.
#
#   test_gen_tables.sh WORKDIR CC
set -u
WORK=$1 CC=${2:-gcc}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
GEN="python3 $ROOT/rewriting-rules/gen-tables.py"
RULES=$ROOT/rewriting-rules/x86_64.rules MMIO=$ROOT/rewriting-rules/x86_64-mmio.rules
pass=0 fail=0
mkdir -p "$WORK/out"
res() { if [ "$1" = 0 ]; then pass=$((pass + 1)); echo "PASS $2"; else fail=$((fail + 1)); echo "FAIL $2"; fi; }

$GEN "$RULES" "$MMIO" "$WORK/out"; res $? "real_rules_generate"
sum_before=$(cat "$WORK/out"/previrt_rules.* | md5sum)

bad_rule() {  # NAME LINE EXPECTED-MESSAGE-PART
	cp "$RULES" "$WORK/bad.rules"
	echo "$2" >>"$WORK/bad.rules"
	local err rc
	err=$($GEN "$WORK/bad.rules" "$MMIO" "$WORK/out" 2>&1); rc=$?
	if [ $rc = 1 ] && [ "$(printf '%s\n' "$err" | wc -l)" = 1 ] &&
		printf '%s' "$err" | grep -q "bad.rules:[0-9]*: .*$3" &&
		[ "$(cat "$WORK/out"/previrt_rules.* | md5sum)" = "$sum_before" ]; then
		res 0 "rejects_$1"
	else
		res 1 "rejects_$1"
		echo "    exit $rc: $err"
	fi
}
bad_rule duplicate_id      "1 dup sens 5 - nop"            "duplicate"
bad_rule duplicate_kind    "1000 cli sens 5 - nop"         "duplicate"
bad_rule id_in_mmio_range  "64 big sens 5 - nop"           "ids are 1..63 and 128..1023"
bad_rule id_in_mmio_range2 "127 big sens 5 - nop"          "64..127 are MMIO"
bad_rule id_above_format   "1024 big sens 5 - nop"         "ids are 1..63 and 128..1023"
bad_rule id_zero           "0 big sens 5 - nop"            "ids are 1..63 and 128..1023"
bad_rule bad_class         "1000 x maybe 5 - nop"          "class"
bad_rule bad_size          "1000 x sens 0 - nop"           "size"
bad_rule unknown_attr      "1000 x sens 5 fast nop"        "unknown attribute"
bad_rule unknown_register  "1000 x sens 5 uses=rzz nop"    "unknown register"
bad_rule bad_operand       "1000 x sens 5 - mov %xmm*,*"   "operand pattern"
bad_rule bad_immediate     "1000 x sens 5 - int \$x"       "operand pattern"
bad_rule bad_bytes         "1000 x sens 5 - .byte 0x0f,0x1ff" "bad .byte"
bad_rule missing_columns   "1000 x sens 5"                 "expected"
bad_rule long_sequence     "1000 x sens 5 - a ; b ; c"     "sequences"
bad_rule only_exclusions   "1000 x sens 5 - !nop"          "not an exclusion"
bad_rule exclusion_bytes   "1000 x sens 5 - nop | !.byte 0x90" "exclusion"

printf 'readl read 3\n' >"$WORK/bad-mmio.rules"
$GEN "$RULES" "$WORK/bad-mmio.rules" "$WORK/out" 2>/dev/null
[ $? = 1 ] && [ "$(cat "$WORK/out"/previrt_rules.* | md5sum)" = "$sum_before" ]
res $? "rejects_bad_mmio_width"

printf 'readl read 4 alternate\n' >"$WORK/bad-mmio.rules"
$GEN "$RULES" "$WORK/bad-mmio.rules" "$WORK/out" 2>/dev/null
[ $? = 1 ] && [ "$(cat "$WORK/out"/previrt_rules.* | md5sum)" = "$sum_before" ]
res $? "rejects_an_mmio_fourth_column_other_than_alternative"

grep -q '{ "native_apic_mem_write", 1, 4, 1 }' "$WORK/out/previrt_rules.c" &&
	grep -q '{ "readl", 1, 4, 0 }\|{ "readl", 0, 4, 0 }' "$WORK/out/previrt_rules.c"
res $? "mmio_alternative_column_reaches_the_table"

# one line makes a new sensitive instruction: here ud2 (kind 1000, the second id range)
cp "$RULES" "$WORK/plus.rules"
echo "1000 ud2_test sens 6 - ud2" >>"$WORK/plus.rules"
mkdir -p "$WORK/plus"
if $GEN "$WORK/plus.rules" "$MMIO" "$WORK/plus" &&
	$CC -std=gnu11 -I"$ROOT/include" -I"$ROOT/lib" -I"$WORK/plus" -o "$WORK/plus/drv" \
		"$ROOT/tests/rewriter/rewrite_one.c" "$ROOT/lib/asm_rewrite.c" "$ROOT/lib/insn_match.c" \
		"$WORK/plus/previrt_rules.c"; then
	out=$("$WORK/plus/drv" "ud2")
	printf '%s' "$out" | grep -q '.short 1000' && printf '%s' "$out" | grep -q '(6-(98471b'
	res $? "one_rule_line_adds_an_instruction"
else
	res 1 "one_rule_line_adds_an_instruction"
fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
