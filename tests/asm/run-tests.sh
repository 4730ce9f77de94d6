#!/bin/bash
# The assembler path: hand-written assembly (tests/asm/corpus/*.S) annotated
# through the GCC plugin (-fplugin=previrt on the .S, as KAFLAGS gives it)
# and through previrt-as (clang -fno-integrated-as -B<dir>), checked with
# binutils only: every sensitive instruction has one valid record,
# EXTABLE matches __ex_table, interrupt shadows keep their follower, code is
# unchanged but for pads, and both paths give the same bytes and records.
#
#   run-tests.sh GCC_PLUGIN AS_DIR RULES WORKDIR
set -u
PLUGIN=$1 ASDIR=$2 RULES=$3 WORK=$4
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
PLUGDIR=$ROOT/tests/plugin
CLANG=${CLANG:-clang-16}
. "$ROOT/tests/testlib.sh"
mkdir -p "$WORK"
rm -f "$WORK"/*.o "$WORK"/*.log

check() { python3 "$PLUGDIR/check_sites.py" --producer=3 "$RULES" "$@"; }
compare() { python3 "$PLUGDIR/compare_code.py" "$@"; }
recs() { python3 "$PLUGDIR/records.py" "$1"; }
same_bytes() { cmp <(objcopy -O binary -j "$3" "$1" /dev/stdout) <(objcopy -O binary -j "$3" "$2" /dev/stdout); }

for src in "$HERE"/corpus/*.S; do
	b=$(basename "$src" .S)
	g=$WORK/$b.gcc.o c=$WORK/$b.clang.o p=$WORK/$b.plain.o
	gcc -c "$src" -o "$p" 2>"$WORK/last.log" || { bad "plain_assembles_$b"; continue; }
	if gcc -fplugin="$PLUGIN" -c "$src" -o "$g" 2>"$WORK/last.log"; then
		t "gcc_plugin_every_sensitive_insn_has_one_valid_record_$b" check "$g"
		t "gcc_plugin_code_unchanged_but_pads_shadows_kept_$b" compare "$p" "$g"
	else
		bad "gcc_plugin_assembles_$b"
	fi
	if $CLANG -fno-integrated-as -B"$ASDIR/" -c "$src" -o "$c" 2>"$WORK/last.log"; then
		t "previrt_as_every_sensitive_insn_has_one_valid_record_$b" check "$c"
		t "previrt_as_same_records_as_gcc_plugin_$b" bash -c "diff <(python3 $PLUGDIR/records.py $g) <(python3 $PLUGDIR/records.py $c)"
		t "previrt_as_same_code_as_gcc_plugin_$b" same_bytes "$g" "$c" .entry.text
	else
		bad "previrt_as_assembles_$b"
	fi
done

# what the corpus must show, pinned: every record (kind length insn_length
# flags width, in emission order) of each file's GCC-plugin object, against
# corpus/NAME.records.  Flags: 0x80 SHADOW, 0x10 PUSHED, 0x08 BYTES,
# 0x02 NOINSTR, 0x01 EXTABLE.  entry_like pins: one site per macro expansion
# (flags unknown in a macro body), sti+sysretq and sti+mwait(.byte) as SHADOW
# pairs, EXTABLE on the protected rdmsr only (not on the wrmsr that reuses
# its label) and on the segment load behind a code-less macro, nothing in
# replacement code, nor in a macro an ALTERNATIVE's arguments name.
# secondary_like (Linux 6.12's secondary_startup_64 in .text) pins NOSTACK
# (xflags 1) from the cr3 write to the %rsp load, none after it or in the
# next symbol; the records file has no xflags column, so it is checked here
t "nostack_from_cr3_write_to_rsp_load_secondary_like" bash -c \
	"[ \"\$(python3 $PLUGDIR/records.py --xflags $WORK/secondary_like.gcc.o | awk '{ printf \"%s \", \$6 }')\" = '1 1 1 1 0 0 ' ] &&
	 [ \"\$(python3 $PLUGDIR/records.py --xflags $WORK/secondary_like.clang.o | awk '{ printf \"%s \", \$6 }')\" = '1 1 1 1 0 0 ' ]"
for want in "$HERE"/corpus/*.records; do
	b=$(basename "$want" .records)
	t "records_pinned_$b" diff "$want" <(recs "$WORK/$b.gcc.o")
done
tcatch "checker_catches_unannotated_assembly" "$WORK/entry_like.plain.o" check "$WORK/entry_like.plain.o"

# output to a pipe cannot be rewritten: one warning, not silence
t "pipe_output_is_warned_about" bash -c "gcc -fplugin=$PLUGIN -pipe -c $HERE/corpus/entry_like.S -o $WORK/pipe.o 2>&1 | grep -q 'previrt: preprocessed assembly goes to a pipe'"
# the vDSO is user code: never annotated
t "vdso_assembly_left_alone" bash -c "gcc -fplugin=$PLUGIN -DBUILD_VDSO -c $HERE/corpus/entry_like.S -o $WORK/vdso.o && ! readelf -S $WORK/vdso.o | grep -q previrt"
# previrt-as: bad input is one line and an exit status
t "previrt_as_missing_input_is_one_error" bash -c "! $ASDIR/as -o $WORK/x.o $WORK/nonexistent.s 2>$WORK/e.txt; cat $WORK/e.txt; [ \$(wc -l < $WORK/e.txt) = 1 ] && grep -q '^previrt-as: cannot open' $WORK/e.txt"
t "previrt_as_passes_32bit_through" bash -c "printf 'cli\n' | $ASDIR/as --32 -o $WORK/b32.o && ! readelf -S $WORK/b32.o | grep -q previrt"
test_summary "asm path tests"
