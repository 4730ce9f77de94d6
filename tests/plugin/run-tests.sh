#!/bin/bash
# GCC plugin tests: the corpus at -O0/-O2/-Os checked with binutils, no
# miscompilation, every site named in .discard.noendbr (objtool with IBT),
# the checkers' own ability to fail, and every option.
#
#   run-tests.sh PLUGIN RULES WORKDIR
#
# Ends with "N passed, M failed"; exits 1 if anything failed.
set -u
PLUGIN=$1 RULES=$2 WORK=$3
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
CORPUS=$ROOT/tests/corpus
CC=${CC:-gcc}
KFLAGS="-mcmodel=kernel -fno-pic -mno-red-zone -ffreestanding -Wall -Werror"
. "$(dirname "$0")/../testlib.sh"
mkdir -p "$WORK"
rm -f "$WORK"/*.o "$WORK"/*.log


annot() { $CC -fplugin="$PLUGIN" $KFLAGS "$@"; }
plain() { $CC "$@" $KFLAGS; }
check() { [ -f "$1" ] || { echo "missing $1"; return 2; }; python3 "$HERE/check_sites.py" "$RULES" "$@"; }
compare() { python3 "$HERE/compare_code.py" "$@"; }

# ---- the corpus --------------------------------------------------------------
for src in "$CORPUS"/*.c; do
	b=$(basename "$src" .c)
	for O in -O0 -O2 -Os; do
		a=$WORK/$b$O.o p=$WORK/$b$O.plain.o
		if ! annot $O -c "$src" -o "$a" 2>"$WORK/last.log" || ! plain $O -c "$src" -o "$p" 2>>"$WORK/last.log"; then
			bad "corpus_compiles_$b$O"; continue
		fi
		# accessors are inlined (and so countable per function) only when optimizing
		if [ "$O" = -O0 ]; then
			t "every_sensitive_insn_has_one_valid_record_$b$O" check "$a"
		else
			t "every_sensitive_insn_has_one_valid_record_$b$O" check "$a" "$src"
		fi
		t "code_identical_without_pads_$b$O" compare "$p" "$a"
	done
	# IBT kernels: objtool must see every site named as no branch target
	t "discard_noendbr_names_every_site_$b" python3 "$HERE/noendbr.py" "$WORK/$b-O2.o"
done

# ---- the checkers can fail ------------------------------------------------------
tcatch "checker_catches_unannotated_object" "$WORK/msr-O2.plain.o" check "$WORK/msr-O2.plain.o"
tcatch "noendbr_checker_catches_object_without_sites" "$WORK/msr-O2.plain.o" python3 "$HERE/noendbr.py" "$WORK/msr-O2.plain.o"
annot -O2 -fplugin-arg-previrt-kinds=cli -c "$CORPUS/irqflags.c" -o "$WORK/cli-only.o"
tcatch "checker_catches_missing_kinds" "$WORK/cli-only.o" check "$WORK/cli-only.o"
tcatch "comparator_catches_different_code" "$WORK/irqflags-Os.o" compare "$WORK/irqflags-O2.plain.o" "$WORK/irqflags-Os.o"
annot -O2 -fplugin-arg-previrt-min-size=1 -c "$CORPUS/control.c" -o "$WORK/min1.o"
t "min_size_1_leaves_unpadded_sites_valid" python3 "$HERE/check_sites.py" --min-size=1 "$RULES" "$WORK/min1.o"
tcatch "checker_holds_sites_to_rule_sizes" "$WORK/min1.o" check "$WORK/min1.o"

# ---- options ------------------------------------------------------------------------
recs() { python3 "$HERE/records.py" "$1"; }
annot -O2 -fplugin-arg-previrt-min-size=9 -c "$CORPUS/msr.c" -o "$WORK/min9.o"
t "min_size_9_pads_every_site_to_9" bash -c "[ -n \"\$(python3 $HERE/records.py $WORK/min9.o)\" ] && python3 $HERE/records.py $WORK/min9.o | awk '\$2 != 9 { exit 1 }'"
t "min_size_9_sites_still_valid" python3 "$HERE/check_sites.py" --min-size=9 "$RULES" "$WORK/min9.o"
annot -O2 -fplugin-arg-previrt-kinds=mmio -c "$CORPUS/mmio.c" -o "$WORK/kinds-mmio.o"
t "kinds_mmio_keeps_only_mmio" bash -c "[ \$(python3 $HERE/records.py $WORK/kinds-mmio.o | wc -l) = 11 ] && python3 $HERE/records.py $WORK/kinds-mmio.o | awk '\$1 != 64 && \$1 != 65 { exit 1 }'"
annot -O2 -fplugin-arg-previrt-kinds=cli,sti_hlt -c "$CORPUS/irqflags.c" -o "$WORK/kinds2.o"
t "kinds_list_keeps_only_listed" bash -c "python3 $HERE/records.py $WORK/kinds2.o | awk '{ k[\$1]++ } END { exit !(k[1] == 5 && k[3] == 1 && length(k) == 2) }'"
annot -O2 -fplugin-arg-previrt-kinds=int_n,psmash,mov_to_ss -c "$CORPUS/sensitive_set.c" -o "$WORK/kinds3.o"
t "kinds_list_takes_ids_above_127" bash -c "python3 $HERE/records.py $WORK/kinds3.o | awk '{ k[\$1]++ } END { exit !(k[129] == 2 && k[167] == 1 && k[58] == 1 && length(k) == 3) }'"
annot -O2 -fplugin-arg-previrt-disable -c "$CORPUS/irqflags.c" -o "$WORK/disabled.o"
t "disable_emits_nothing" bash -c "[ -f $WORK/disabled.o ] && ! readelf -S $WORK/disabled.o | grep -q previrt"
$CC -O2 -fplugin="$PLUGIN" -c "$CORPUS/irqflags.c" -o "$WORK/small-model.o"
t "non_kernel_code_model_is_left_alone" bash -c "[ -f $WORK/small-model.o ] && ! readelf -S $WORK/small-model.o | grep -q previrt"
$CC -O2 -fpic -fplugin="$PLUGIN" -c "$CORPUS/irqflags.c" -o "$WORK/vdso-like.o"
t "vdso_like_pic_object_is_left_alone" bash -c "[ -f $WORK/vdso-like.o ] && ! readelf -S $WORK/vdso-like.o | grep -q previrt"
$CC -O2 -fplugin="$PLUGIN" -fplugin-arg-previrt-all-code-models -c "$CORPUS/irqflags.c" -o "$WORK/all-models.o"
t "all_code_models_annotates_user_code" check "$WORK/all-models.o"
t "verbose_notes_each_annotated_asm" bash -c "$CC -O2 $KFLAGS -Wno-error -fplugin=$PLUGIN -fplugin-arg-previrt-verbose -c $CORPUS/asmforms.c -o $WORK/v.o 2>&1 | grep -q 'note: previrt: asm: 1 site(s) \[cli\]'"
t "verbose_reports_alternative_left_alone" bash -c "$CC -O2 $KFLAGS -Wno-error -fplugin=$PLUGIN -fplugin-arg-previrt-verbose -c $CORPUS/asmforms.c -o $WORK/v.o 2>&1 | grep -q 'left alone: 1 in ALTERNATIVE original, 1 in replacement'"

# the handler pools (lib/pool.h): only in the unit that defines start_kernel
pools() { python3 "$HERE/check_pools.py" "$@"; }
annot -O2 -c "$HERE/anchor.c" -o "$WORK/anchor.o"
t "pools_default_sizes_in_the_start_kernel_unit" pools "$WORK/anchor.o" 262144 16384
annot -O2 -fplugin-arg-previrt-pool=4096 -fplugin-arg-previrt-noinstr-pool=128 -c "$HERE/anchor.c" -o "$WORK/anchor-small.o"
t "pool_and_noinstr_pool_options_set_the_sizes" pools "$WORK/anchor-small.o" 4096 128
annot -O2 -fplugin-arg-previrt-noinstr-pool=0 -c "$HERE/anchor.c" -o "$WORK/anchor-nonoinstr.o"
t "noinstr_pool_0_leaves_only_the_main_pool" pools "$WORK/anchor-nonoinstr.o" 262144 0
tcatch "pool_checker_catches_a_missing_noinstr_pool" "$WORK/anchor-nonoinstr.o" pools "$WORK/anchor-nonoinstr.o" 262144 16384
t "no_pools_outside_the_start_kernel_unit" pools "$WORK/irqflags-O2.o" 0 0

# bad options: exactly one error line, non-zero exit, no object written
one_error() {
	local out=$WORK/err.o
	rm -f "$out"
	if $CC -c "$CORPUS/irqflags.c" $KFLAGS -fplugin="$PLUGIN" "$@" -o "$out" 2>"$WORK/err.txt"; then
		echo "compiled"; return 1
	fi
	cat "$WORK/err.txt"
	[ "$(grep -c 'error' "$WORK/err.txt")" = 1 ] && grep -q 'previrt' "$WORK/err.txt" && [ ! -e "$out" ]
}
t "unknown_key_is_one_error" one_error -fplugin-arg-previrt-colour=red
t "unknown_flag_is_one_error" one_error -fplugin-arg-previrt-fast
t "min_size_out_of_range_is_one_error" one_error -fplugin-arg-previrt-min-size=65
t "min_size_not_a_number_is_one_error" one_error -fplugin-arg-previrt-min-size=5x
t "unknown_kind_is_one_error" one_error -fplugin-arg-previrt-kinds=cli,nosuch
t "flag_with_value_is_one_error" one_error -fplugin-arg-previrt-disable=1
t "noinstr_pool_not_a_multiple_of_64_is_one_error" one_error -fplugin-arg-previrt-noinstr-pool=100

# a plugin built for another GCC refuses to run, with one clear line
GCC_INC=$($CC -print-file-name=plugin)/include
if g++ -std=gnu++17 -O0 -fPIC -fno-rtti -fno-exceptions -I"$GCC_INC" -I"$ROOT/include" -I"$ROOT/lib" \
	-I"$(dirname "$PLUGIN")/gen" -DPREVIRT_TEST_FAKE_BASEVER='"11.9.0"' -shared \
	"$ROOT"/gcc-plugin/*.cc \
	"$(dirname "$PLUGIN")/lib/libprevirt-rewrite.a" -o "$WORK/fake-version.so" 2>"$WORK/last.log"; then
	t "wrong_gcc_version_is_one_clear_error" bash -c "! $CC -c $CORPUS/irqflags.c -fplugin=$WORK/fake-version.so 2>$WORK/v.txt -o $WORK/fv.o; cat $WORK/v.txt; [ \$(grep -c error $WORK/v.txt) = 1 ] && grep -q 'built for GCC 11.9.0' $WORK/v.txt"
else
	bad "wrong_gcc_version_plugin_builds"
fi

# make install: -fplugin=previrt finds it in GCC's plugin directory
DEST=$WORK/destdir
rm -rf "$DEST"
if make -s -C "$ROOT" BUILD="$(dirname "$PLUGIN")" DESTDIR="$DEST" install-gcc-plugin >"$WORK/last.log" 2>&1; then
	PDIR=$DEST$($CC -print-file-name=plugin)
	t "installed_plugin_works_as_fplugin_previrt" bash -c "$CC -O2 $KFLAGS -iplugindir=$PDIR -fplugin=previrt -c $CORPUS/msr.c -o $WORK/inst.o && python3 $HERE/check_sites.py $RULES $WORK/inst.o"
else
	bad "install_gcc_plugin"
fi

test_summary "plugin tests"
