#!/bin/bash
# The coverage oracle's own tests (make check-oracle):
#   1. selftest.py: every opcode of the oracle's table, assembled by gas in
#      several forms, is classified sensitive; common instructions are not;
#   2. a plugin-annotated object (cli, verw, mov to %ds) built with rules
#      that lack two kinds (the plugin's kinds=cli stands for a rules file
#      without them): the oracle covers cli and reports verw and the
#      segment move, in the object (through .rela.previrt) and in a linked
#      image (self-relative addresses); with the full rules it covers all;
#   3. ALTERNATIVE originals and .altinstr_replacement are excluded, the
#      exclusion can be turned off, struct alt_instr's layout (6.1 or 6.3+)
#      is recognised from the table and a wrong one is not trusted; an
#      instruction libopcodes cannot decode (lkgs) is delimited by the
#      oracle and the decode goes on from its end;
#   4. a record planted one byte off no longer covers its instruction.
#
#   run-tests.sh PLUGIN WORKDIR
#
# Ends with "N passed, M failed"; exits 1 if anything failed.
set -u
PLUGIN=$1 WORK=$2
HERE=$(cd "$(dirname "$0")" && pwd)
CC=${CC:-gcc}
PY=${PYTHON:-python3}
ORACLE="$PY $HERE/oracle.py"
KFLAGS="-mcmodel=kernel -fno-pic -mno-red-zone -ffreestanding -O2 -Wall -Werror"
. "$HERE/../testlib.sh"
mkdir -p "$WORK"
rm -f "$WORK"/*.o "$WORK"/*.elf "$WORK"/*.out "$WORK"/*.log

# ---- 1. the classifier against binutils ---------------------------------------
$PY "$HERE/selftest.py" "$WORK/selftest" >"$WORK/selftest.out" 2>&1
st=$?
grep -E '^(PASS|FAIL|    |note:)' "$WORK/selftest.out"
sp=$(grep -c '^PASS' "$WORK/selftest.out")
sf=$(grep -c '^FAIL' "$WORK/selftest.out")
pass=$((pass + sp)) fail=$((fail + sf))
if [ "$st" != 0 ] && [ "$sf" = 0 ]; then
	bad "selftest_ran"; sed 's/^/    /' "$WORK/selftest.out" | tail -20
fi

# ---- 2. a plugin-annotated object ----------------------------------------------
cat >"$WORK/three.c" <<'EOF'
static unsigned short sel;
void f_cli(void) { asm volatile("cli" ::: "memory"); }
void f_verw(void) { asm volatile("verw %0" :: "m"(sel)); }
void f_ds(unsigned v) { asm volatile("mov %0,%%ds" :: "r"(v)); }
EOF
# kinds=cli: the rules as if verw and the segment moves were missing
t plugin_object_compiles $CC -fplugin="$PLUGIN" -fplugin-arg-previrt-kinds=cli $KFLAGS \
	-c "$WORK/three.c" -o "$WORK/three.o"
t full_rules_object_compiles $CC -fplugin="$PLUGIN" $KFLAGS -c "$WORK/three.c" -o "$WORK/three.full.o"
t plain_object_compiles $CC $KFLAGS -c "$WORK/three.c" -o "$WORK/three.plain.o"
t object_links ld -e 0 -o "$WORK/three.elf" "$WORK/three.o"

# expect FILE COVERED/TOTAL NAMES...: the oracle's last line and exactly the
# listed uncovered classes (sorted), from its JSON
expect() {
	local f=$1 frac=$2; shift 2
	[ -f "$f" ] || { echo "missing $f"; return 1; }
	$ORACLE --report-only "$f" >"$WORK/o.out" 2>&1 || { cat "$WORK/o.out"; return 1; }
	cat "$WORK/o.out"
	tail -1 "$WORK/o.out" | grep -q "^oracle: $frac covered" || { echo "want $frac"; return 1; }
	$ORACLE --report-only --json "$f" >"$WORK/o.json" || return 1
	local got want
	got=$($PY -c 'import json,sys; print(" ".join(sorted(u["name"] for u in json.load(open(sys.argv[1]))["uncovered"])))' "$WORK/o.json")
	want=$(printf '%s\n' "$@" | sort | tr '\n' ' ' | sed 's/ $//')
	[ "$got" = "$want" ] || { echo "uncovered: got '$got', want '$want'"; return 1; }
}
t object_cli_covered_verw_and_mov_ds_reported expect "$WORK/three.o" 1/3 verw mov_to_sreg
t linked_cli_covered_verw_and_mov_ds_reported expect "$WORK/three.elf" 1/3 verw mov_to_sreg
t plain_object_nothing_covered expect "$WORK/three.plain.o" 0/3 cli verw mov_to_sreg
t full_rules_cover_everything expect "$WORK/three.full.o" 3/3
tcatch uncovered_exits_1 "$WORK/three.o" $ORACLE "$WORK/three.o"
t report_only_exits_0 $ORACLE --report-only "$WORK/three.o"
t uncovered_list_names_function_and_bytes \
	sh -c "$ORACLE --report-only '$WORK/three.elf' | grep -E '^  0x[0-9a-f]+ +f_verw .*\.text +verw +0f 00 2d .*\| verw'"
tfail not_an_elf_is_an_error $ORACLE "$WORK/three.c"
t not_an_elf_exits_2 sh -c "$ORACLE '$WORK/three.c'; [ \$? = 2 ]"

# ---- 3. ALTERNATIVE originals and replacement code -----------------------------
# struct alt_instr of Linux 6.1: s32 instr_offset, s32 repl_offset, u16 cpuid,
# u8 instrlen, u8 replacementlen (12 bytes); recognised without an option
alt_asm() {
	cat <<'EOF'
	.text
	.globl f
f:
661:	stac
662:
	.pushsection .altinstructions,"a"
	.long 661b - .
	.long 6641f - .
	.word 0x1234
	.byte 662b - 661b
	.byte 6642f - 6641f
	.popsection
	.pushsection .altinstr_replacement,"ax"
6641:	clac
6642:
	.popsection
	cli
	ret
EOF
}
alt_asm >"$WORK/alt.s"
{ alt_asm; printf '\t.pushsection .altinstructions,"a"\n\t.byte 0\n\t.popsection\n'; } >"$WORK/altbad.s"
t alt_objects_assemble sh -c "as --64 -o '$WORK/alt.o' '$WORK/alt.s' && as --64 -o '$WORK/altbad.o' '$WORK/altbad.s' && ld -e 0 -o '$WORK/alt.elf' '$WORK/alt.o'"
t alt_original_and_replacement_excluded_object expect "$WORK/alt.o" 0/1 cli
t alt_original_and_replacement_excluded_linked expect "$WORK/alt.elf" 0/1 cli
t alt_exclusion_counts_both_reasons \
	sh -c "$ORACLE --report-only '$WORK/alt.elf' | grep -q 'excluded, cannot be sites (2): ALTERNATIVE original 1, replacement section 1'"
t no_alt_exclude_counts_the_original sh -c "$ORACLE --report-only --no-alt-exclude '$WORK/alt.elf' | tail -1 | grep -q '^oracle: 0/2 covered'"
t misaligned_altinstructions_not_trusted \
	sh -c "$ORACLE --report-only '$WORK/altbad.o' >'$WORK/altbad.out'; grep -q 'fits no known struct alt_instr layout' '$WORK/altbad.out' && tail -1 '$WORK/altbad.out' | grep -q '^oracle: 0/2 covered'"
t misaligned_altinstructions_named_layout_not_trusted \
	sh -c "$ORACLE --report-only --alt-layout=6.1 '$WORK/altbad.o' | grep -q 'not a multiple'"
t other_alt_layout_not_trusted \
	sh -c "$ORACLE --report-only --alt-layout=6.3 '$WORK/alt.o' | tail -1 | grep -q '^oracle: 0/2 covered'"
t auto_layout_names_6_1 sh -c "$ORACLE --report-only '$WORK/alt.elf' | grep -q '1 .altinstructions entries (6.1 layout)'"

# Linux 6.3 on: u32 ft_flags (14 bytes), the labels and nesting of 6.12's
# ALTERNATIVE_2 (771/772/773, the outer entry naming the inner original), and
# an empty replacement that ends .altinstr_replacement (its address is one
# past the section).  No option: the table's own layout is recognised.
alt63_asm() {
	cat <<'EOF'
	.text
	.globl f
f:
771:
771:	rdtsc
772:
773:
	.pushsection .altinstructions,"a"
	.long 771b - .
	.long 774f - .
	.4byte 0x12345
	.byte 773b - 771b
	.byte 775f - 774f
	.popsection
	.pushsection .altinstr_replacement,"ax"
774:	lfence; rdtsc
775:
	.popsection
772:
773:
	.pushsection .altinstructions,"a"
	.long 771b - .
	.long 774f - .
	.4byte 0x23456
	.byte 773b - 771b
	.byte 775f - 774f
	.popsection
	.pushsection .altinstr_replacement,"ax"
774:
775:
	.popsection
	cli
	ret
EOF
}
alt63_asm >"$WORK/alt63.s"
t alt63_objects_assemble sh -c "as --64 -o '$WORK/alt63.o' '$WORK/alt63.s' && ld -e 0 -o '$WORK/alt63.elf' '$WORK/alt63.o'"
t alt63_original_and_replacement_excluded_object expect "$WORK/alt63.o" 0/1 cli
t alt63_original_and_replacement_excluded_linked expect "$WORK/alt63.elf" 0/1 cli
t alt63_auto_layout_names_6_3 sh -c "$ORACLE --report-only '$WORK/alt63.elf' | grep -q '2 .altinstructions entries (6.3 layout)'"
t alt63_read_as_6_1_not_trusted \
	sh -c "$ORACLE --report-only --alt-layout=6.1 '$WORK/alt63.elf' | tail -1 | grep -q '^oracle: 0/2 covered'"

# ---- 3b. an instruction this libopcodes cannot decode ----------------------------
# Linux 6.12's native_lkgs writes LKGS as .byte (binutils 2.40 prints it as
# "(bad)" and resumes inside it, which would swallow the pushf and cli after
# it).  The oracle delimits it itself (classify.modrm_length), counts it and
# decodes on from its end.
cat >"$WORK/lkgs.c" <<'EOF'
void f_lkgs(unsigned short sel)
{
	asm volatile("1: .byte 0xf2,0x0f,0x00,0xf7" : "+D"(sel));
	asm volatile("pushf; pop %%rax; cli" ::: "rax", "memory");
}
EOF
t lkgs_objects_compile sh -c "$CC -fplugin='$PLUGIN' $KFLAGS -c '$WORK/lkgs.c' -o '$WORK/lkgs.o' && $CC $KFLAGS -c '$WORK/lkgs.c' -o '$WORK/lkgs.plain.o' && ld -e 0 -o '$WORK/lkgs.elf' '$WORK/lkgs.o'"
t lkgs_plain_object_all_three_uncovered expect "$WORK/lkgs.plain.o" 0/3 cli lkgs pushf
t lkgs_annotated_object_covered expect "$WORK/lkgs.o" 3/3
t lkgs_annotated_linked_covered expect "$WORK/lkgs.elf" 3/3
t lkgs_nothing_undecodable_no_odd_site \
	sh -c "$ORACLE --report-only '$WORK/lkgs.elf' >'$WORK/lkgs.out'; grep -q ' 0 undecodable' '$WORK/lkgs.out' && ! grep -q 'does not see' '$WORK/lkgs.out'"

# ---- 4. a planted record --------------------------------------------------------
# move the cli site one byte on: it no longer covers cli, and the oracle says why
plant() {
	cp "$WORK/three.elf" "$WORK/planted.elf" && $PY - "$WORK/planted.elf" <<'EOF'
import os, struct, sys
sys.path.insert(0, os.environ["ORACLE_DIR"])
from oracle import Elf
path = sys.argv[1]
elf = Elf(path)
sec = elf.by_name(".previrt")[0]
data = bytearray(open(path, "rb").read())
for off in range(sec.offset, sec.offset + sec.size, 12):
    addr, kind = struct.unpack_from("<iH", data, off)
    if kind:
        struct.pack_into("<i", data, off, addr + 1)
        break
open(path, "wb").write(data)
EOF
}
export ORACLE_DIR=$HERE
t plant_record plant
t planted_record_no_longer_covers expect "$WORK/planted.elf" 0/3 cli verw mov_to_sreg
t planted_record_is_named sh -c "$ORACLE --report-only '$WORK/planted.elf' | grep -Eq 'f_cli\+0x1 +kind 1: first instruction not sensitive here'"

test_summary oracle
