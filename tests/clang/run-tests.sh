#!/bin/bash
# Clang pass tests: the GCC plugin's corpus (tests/corpus) and the LLVM
# template shapes (tests/clang/corpus) at -O0/-O2/-Os, checked with binutils,
# no miscompilation, the same records as the GCC plugin, the pass placement,
# every option, bad options, a plugin for the wrong LLVM, make install.
#
#   run-tests.sh CLANG_PASS GCC_PLUGIN RULES WORKDIR
#
# Ends with "N passed, M failed"; exits 1 if anything failed.
set -u
PASS=$1 GCCPLUGIN=$2 RULES=$3 WORK=$4
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
PLUGDIR=$ROOT/tests/plugin
CLANG=${CLANG:-clang-16}
LLVM_CONFIG=${LLVM_CONFIG:-llvm-config-16}
KFLAGS="-mcmodel=kernel -fno-pic -mno-red-zone -ffreestanding -Wall -Werror"
# clang, unlike gcc, warns about unused static inline functions in a .c file
CKFLAGS="$KFLAGS -Wno-unused-function"
. "$(dirname "$0")/../testlib.sh"
mkdir -p "$WORK"
rm -f "$WORK"/*.o "$WORK"/*.log "$WORK"/*.txt


annot() { $CLANG -fpass-plugin="$PASS" $CKFLAGS "$@"; }
# -mllvm options of a pass plugin need the plugin loaded early too (-fplugin)
annot_opt() { $CLANG -fpass-plugin="$PASS" -fplugin="$PASS" $CKFLAGS "$@"; }
plain() { $CLANG $CKFLAGS "$@"; }
gccannot() { gcc -fplugin="$GCCPLUGIN" $KFLAGS "$@"; }
check() { [ -f "$1" ] || { echo "missing $1"; return 2; }; python3 "$HERE/check_clang_sites.py" "$RULES" "$@"; }
compare() { python3 "$PLUGDIR/compare_code.py" "$@"; }
same_as_gcc() { python3 "$HERE/compare_compilers.py" "$RULES" "$@"; }
recs() { python3 "$PLUGDIR/records.py" "$1"; }

# ---- the corpus ------------------------------------------------------------------
for src in "$ROOT"/tests/corpus/*.c "$HERE"/corpus/*.c; do
	b=$(basename "$src" .c)
	for O in -O0 -O2 -Os; do
		a=$WORK/$b$O.o p=$WORK/$b$O.plain.o g=$WORK/$b$O.gcc.o
		if ! annot $O -c "$src" -o "$a" 2>"$WORK/last.log" ||
		   ! plain $O -c "$src" -o "$p" 2>>"$WORK/last.log" ||
		   ! gccannot $O -c "$src" -o "$g" 2>>"$WORK/last.log"; then
			bad "corpus_compiles_$b$O"; continue
		fi
		# accessors are inlined (and so countable per function) only when optimizing
		if [ "$O" = -O0 ]; then
			t "every_sensitive_insn_has_one_valid_record_$b$O" check "$a"
		else
			t "every_sensitive_insn_has_one_valid_record_$b$O" check "$a" "$src"
		fi
		t "code_identical_without_pads_$b$O" compare "$p" "$a"
		t "same_records_as_gcc_$b$O" same_as_gcc "$g" "$a"
	done
done

# ---- the checkers can fail -----------------------------------------------------------
tcatch "checker_catches_unannotated_object" "$WORK/msr-O2.plain.o" check "$WORK/msr-O2.plain.o"
tcatch "checker_catches_gcc_header_in_clang_check" "$WORK/msr-O2.gcc.o" check "$WORK/msr-O2.gcc.o"
annot_opt -O2 -mllvm -previrt-kinds=cli -c "$ROOT/tests/corpus/irqflags.c" -o "$WORK/cli-only.o"
tcatch "checker_catches_missing_kinds" "$WORK/cli-only.o" check "$WORK/cli-only.o"
tcatch "gcc_comparison_catches_missing_records" "$WORK/cli-only.o" same_as_gcc "$WORK/irqflags-O2.gcc.o" "$WORK/cli-only.o"
annot_opt -O2 -mllvm -previrt-min-size=9 -c "$ROOT/tests/corpus/msr.c" -o "$WORK/min9.o"
tcatch "gcc_comparison_catches_other_lengths" "$WORK/min9.o" same_as_gcc "$WORK/msr-O2.gcc.o" "$WORK/min9.o"
tcatch "comparator_catches_different_code" "$WORK/irqflags-Os.o" compare "$WORK/irqflags-O2.plain.o" "$WORK/irqflags-Os.o"

# ---- where the passes run ---------------------------------------------------------------
# the marker pass before any inlining, the rewrite after the last inliner and
# unroller, at -O0 too (LLVM 16 runs both extension points in its -O0 pipeline)
pm_order() {
	local O=$1 log=$WORK/pm$1.txt
	annot $O -Xclang -fdebug-pass-manager -c "$ROOT/tests/corpus/mmio.c" -o "$WORK/pm.o" 2>"$log" || return 1
	awk '/PrevirtMarkMmioPass/ && !m { m = NR }
	     /Inliner/ { if (!first_inl) first_inl = NR }
	     /Inliner|LoopUnroll|LoopFullUnroll/ { last_inl = NR }
	     /PrevirtRewritePass/ { r = NR }
	     END { print "mark", m, "inliners/unrollers", first_inl, "-", last_inl, "rewrite", r;
		   exit !(m && r && first_inl && m < first_inl && r > last_inl) }' "$log"
}
t "passes_around_inlining_at_O0" pm_order -O0
t "passes_around_inlining_at_O2" pm_order -O2

# ---- options ------------------------------------------------------------------------------
t "min_size_9_pads_every_site_to_9" bash -c "[ -n \"\$(python3 $PLUGDIR/records.py $WORK/min9.o)\" ] && python3 $PLUGDIR/records.py $WORK/min9.o | awk '\$2 != 9 { exit 1 }'"
t "min_size_9_sites_still_valid" python3 "$HERE/check_clang_sites.py" --min-size=9 "$RULES" "$WORK/min9.o"
PREVIRT_CLANG_OPTIONS="min-size=9" annot -O2 -c "$ROOT/tests/corpus/msr.c" -o "$WORK/min9env.o"
t "env_min_size_9_same_as_mllvm" cmp <(recs "$WORK/min9.o") <(recs "$WORK/min9env.o")
annot_opt -O2 -mllvm -previrt-kinds=mmio -c "$ROOT/tests/corpus/mmio.c" -o "$WORK/kinds-mmio.o"
t "kinds_mmio_keeps_only_mmio" bash -c "[ \$(python3 $PLUGDIR/records.py $WORK/kinds-mmio.o | wc -l) = 11 ] && python3 $PLUGDIR/records.py $WORK/kinds-mmio.o | awk '\$1 != 64 && \$1 != 65 { exit 1 }'"
PREVIRT_CLANG_OPTIONS="kinds=cli,sti_hlt" annot -O2 -c "$ROOT/tests/corpus/irqflags.c" -o "$WORK/kinds2.o"
t "kinds_list_keeps_only_listed" bash -c "python3 $PLUGDIR/records.py $WORK/kinds2.o | awk '{ k[\$1]++ } END { exit !(k[1] == 5 && k[3] == 1 && length(k) == 2) }'"
PREVIRT_CLANG_OPTIONS="kinds=int_n,psmash,mov_to_ss" annot -O2 -c "$ROOT/tests/corpus/sensitive_set.c" -o "$WORK/kinds3.o"
t "kinds_list_takes_ids_above_127" bash -c "python3 $PLUGDIR/records.py $WORK/kinds3.o | awk '{ k[\$1]++ } END { exit !(k[129] == 2 && k[167] == 1 && k[58] == 1 && length(k) == 3) }'"
annot_opt -O2 -mllvm -previrt-disable -c "$ROOT/tests/corpus/irqflags.c" -o "$WORK/disabled.o"
t "disable_emits_nothing" bash -c "[ -f $WORK/disabled.o ] && ! readelf -S $WORK/disabled.o | grep -q previrt"
t "disable_changes_no_code" compare "$WORK/irqflags-O2.plain.o" "$WORK/disabled.o"
$CLANG -O2 -fpass-plugin="$PASS" -c "$ROOT/tests/corpus/irqflags.c" -o "$WORK/small-model.o"
t "non_kernel_code_model_is_left_alone" bash -c "[ -f $WORK/small-model.o ] && ! readelf -S $WORK/small-model.o | grep -q previrt"
$CLANG -O2 -fpic -fpass-plugin="$PASS" -c "$ROOT/tests/corpus/irqflags.c" -o "$WORK/vdso-like.o"
t "vdso_like_pic_object_is_left_alone" bash -c "[ -f $WORK/vdso-like.o ] && ! readelf -S $WORK/vdso-like.o | grep -q previrt"
$CLANG -O2 -fpass-plugin="$PASS" -fplugin="$PASS" -mllvm -previrt-all-code-models -c "$ROOT/tests/corpus/irqflags.c" -o "$WORK/all-models.o"
t "all_code_models_annotates_user_code" check "$WORK/all-models.o"
t "verbose_notes_each_annotated_asm" bash -c "$CLANG -O2 $CKFLAGS -fpass-plugin=$PASS -fplugin=$PASS -mllvm -previrt-verbose -c $ROOT/tests/corpus/asmforms.c -o $WORK/v.o 2>&1 | grep -q \"in function 'asm_goto': note: previrt: asm: 1 site(s) \[cli\]\""
t "verbose_reports_alternative_left_alone" bash -c "PREVIRT_CLANG_OPTIONS=verbose $CLANG -O2 $CKFLAGS -fpass-plugin=$PASS -c $ROOT/tests/corpus/asmforms.c -o $WORK/v.o 2>&1 | grep -q 'left alone: 1 in ALTERNATIVE original, 1 in replacement'"
t "verbose_reports_top_level_asm" bash -c "PREVIRT_CLANG_OPTIONS=verbose $CLANG -O2 $CKFLAGS -fpass-plugin=$PASS -c $ROOT/tests/corpus/asmforms.c -o $WORK/v.o 2>&1 | grep -q 'top level: note: previrt: top-level asm: 6 site(s)'"
# the GNU assembler path (LLVM_IAS=0 kernels): same records as the integrated assembler
annot -O2 -fno-integrated-as -c "$ROOT/tests/corpus/asmforms.c" -o "$WORK/gas.o"
t "gnu_as_path_sites_valid" check "$WORK/gas.o"
t "gnu_as_path_same_records_as_gcc" same_as_gcc "$WORK/asmforms-O2.gcc.o" "$WORK/gas.o"

# bitcode written with the pass and compiled again with it: one record per site, not two
annot -O2 -emit-llvm -c "$ROOT/tests/corpus/mmio.c" -o "$WORK/mmio.bc"
annot -O2 -c "$WORK/mmio.bc" -o "$WORK/mmio-from-bc.o"
t "bitcode_annotated_once" check "$WORK/mmio-from-bc.o" "$ROOT/tests/corpus/mmio.c"

# the handler pools (lib/pool.h), as the GCC plugin reserves them: only in the unit
# that defines start_kernel, sizes from -mllvm or PREVIRT_CLANG_OPTIONS
pools() { python3 "$PLUGDIR/check_pools.py" "$@"; }
annot -O2 -c "$PLUGDIR/anchor.c" -o "$WORK/anchor.o"
t "pools_default_sizes_in_the_start_kernel_unit" pools "$WORK/anchor.o" 262144 16384
annot_opt -O2 -mllvm -previrt-pool=4096 -mllvm -previrt-noinstr-pool=128 -c "$PLUGDIR/anchor.c" -o "$WORK/anchor-small.o"
t "pool_and_noinstr_pool_options_set_the_sizes" pools "$WORK/anchor-small.o" 4096 128
PREVIRT_CLANG_OPTIONS="noinstr-pool=0" annot -O2 -c "$PLUGDIR/anchor.c" -o "$WORK/anchor-nonoinstr.o"
t "env_noinstr_pool_0_leaves_only_the_main_pool" pools "$WORK/anchor-nonoinstr.o" 262144 0
t "no_pools_outside_the_start_kernel_unit" pools "$WORK/irqflags-O2.o" 0 0

# bad options: one error line naming previrt, non-zero exit, no object written
one_error() {
	local out=$WORK/err.o
	rm -f "$out"
	if "$@" -c "$ROOT/tests/corpus/irqflags.c" $CKFLAGS -o "$out" 2>"$WORK/err.txt"; then
		echo "compiled"; return 1
	fi
	cat "$WORK/err.txt"
	[ "$(grep -c 'error:' "$WORK/err.txt")" = 1 ] && grep -q 'previrt' "$WORK/err.txt" && [ ! -e "$out" ]
}
P="-fpass-plugin=$PASS -fplugin=$PASS"
t "min_size_out_of_range_is_one_error" one_error $CLANG $P -mllvm -previrt-min-size=65
t "min_size_not_a_number_is_one_error" one_error $CLANG $P -mllvm -previrt-min-size=5x
t "unknown_kind_is_one_error" one_error $CLANG $P -mllvm -previrt-kinds=cli,nosuch
t "env_unknown_key_is_one_error" one_error env PREVIRT_CLANG_OPTIONS=colour=red $CLANG -fpass-plugin="$PASS"
t "env_flag_with_value_is_one_error" one_error env PREVIRT_CLANG_OPTIONS=disable=1 $CLANG -fpass-plugin="$PASS"
t "env_bad_min_size_is_one_error" one_error env PREVIRT_CLANG_OPTIONS=min-size=0 $CLANG -fpass-plugin="$PASS"
t "noinstr_pool_not_a_multiple_of_64_is_one_error" one_error $CLANG $P -mllvm -previrt-noinstr-pool=100
t "env_bad_noinstr_pool_is_one_error" one_error env PREVIRT_CLANG_OPTIONS=noinstr-pool=-64 $CLANG -fpass-plugin="$PASS"
# an unknown -mllvm key is refused by LLVM's own option parser
t "unknown_mllvm_key_is_refused" bash -c "! $CLANG $P $CKFLAGS -mllvm -previrt-colour=red -c $ROOT/tests/corpus/irqflags.c -o $WORK/err2.o 2>$WORK/err2.txt; cat $WORK/err2.txt; grep -q \"Unknown command line argument '-previrt-colour=red'\" $WORK/err2.txt && [ ! -e $WORK/err2.o ]"

# ---- a plugin for another LLVM is refused, not run ---------------------------------------------
# (1) the version the plugin was built for differs from the host's: a copy built with a fake one
BUILD_DIR=$(dirname "$PASS")
if ${CXX:-g++} $(make -s --no-print-directory -C "$ROOT" BUILD="$BUILD_DIR" print-clang-pass-cxxflags) \
	-DPREVIRT_BUILT_FOR_MAJOR=15 -DPREVIRT_BUILT_FOR_MINOR=0 -DPREVIRT_BUILT_FOR_PATCH=7 -shared \
	"$ROOT"/clang-pass/*.cpp "$BUILD_DIR/lib/libprevirt-rewrite.a" \
	$(make -s --no-print-directory -C "$ROOT" BUILD="$BUILD_DIR" print-clang-pass-ldflags) \
	-o "$WORK/fake-version.so" >"$WORK/last.log" 2>&1; then
	t "wrong_llvm_version_is_refused_clearly" bash -c "rm -f $WORK/fv.o; ! $CLANG $CKFLAGS -fpass-plugin=$WORK/fake-version.so -c $ROOT/tests/corpus/irqflags.c -o $WORK/fv.o 2>$WORK/fv.txt; cat $WORK/fv.txt; grep -q '^previrt: plugin built for LLVM 15.0.7 .* cannot run in LLVM 16' $WORK/fv.txt && [ \$(grep -c 'error:' $WORK/fv.txt) = 1 ] && [ ! -e $WORK/fv.o ]"
else
	bad "wrong_llvm_version_plugin_builds"
fi
# (2) a really different LLVM, when one is installed (Debian 12's default clang is 14)
OTHER=$(for c in clang-14 clang-15 clang-17 clang-18; do command -v $c; done 2>/dev/null | head -1)
if [ -n "$OTHER" ]; then
	t "other_llvm_$(basename "$OTHER")_refuses_plugin" bash -c "rm -f $WORK/o.o; ! $OTHER -O2 -fpass-plugin=$PASS -c $ROOT/tests/corpus/irqflags.c -o $WORK/o.o 2>$WORK/o.txt; cat $WORK/o.txt; grep -q '^previrt: plugin built for LLVM 16.* cannot run in LLVM' $WORK/o.txt && [ ! -e $WORK/o.o ]"
else
	echo "SKIP other_llvm_refuses_plugin (no clang other than $CLANG installed)"
fi

# ---- make install ------------------------------------------------------------------------------
DEST=$WORK/destdir
rm -rf "$DEST"
if make -s -C "$ROOT" BUILD="$BUILD_DIR" DESTDIR="$DEST" install-clang-pass >"$WORK/last.log" 2>&1; then
	INST=$DEST$($LLVM_CONFIG --libdir)/previrt-clang.so
	t "installed_pass_works" bash -c "$CLANG -O2 $CKFLAGS -fpass-plugin=$INST -c $ROOT/tests/corpus/msr.c -o $WORK/inst.o && python3 $HERE/check_clang_sites.py $RULES $WORK/inst.o"
else
	bad "install_clang_pass"
fi

test_summary "clang pass tests"
