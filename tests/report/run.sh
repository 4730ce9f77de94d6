#!/bin/sh
# Tests of previrt-report (tools/report): run by `make check-report`.
#
# Builds the plugin's corpus objects, links them into a kernel-like image
# (-Ttext in the top 2 GB, like vmlinux) and a user-space PIE, then checks
# every mode against independent evidence (objdump, byte patches made by
# plant.py) and prints "N passed, M failed".
#
# Environment: PREVIRT_REPORT (the tool), PREVIRT_PLUGIN (previrt.so),
# PREVIRT_WORK (scratch directory), CC (default gcc).
set -u

R=${PREVIRT_REPORT:?}
PLUGIN=${PREVIRT_PLUGIN:?}
W=${PREVIRT_WORK:?}
CC=${CC:-gcc}
[ "$CC" = cc ] && CC=gcc            # the plugin is built for gcc
PY=${PYTHON:-python3}
HERE=$(cd "$(dirname "$0")" && pwd)
FV=$(sed -n "s/^#define PREVIRT_FORMAT_VERSION \([0-9]*\).*/\1/p" "$HERE/../../include/previrt/format.h")   # the reader's format version
TOP=$(cd "$HERE/../.." && pwd)
CORPUS=$TOP/tests/corpus
FIX=$HERE/fixtures
KFLAGS="-O2 -g -mcmodel=kernel -fno-pic -mno-red-zone -ffreestanding"
LDK="ld -static -nostdlib -e 0 -Ttext=0xffffffff81000000 --defsym EX_TYPE_RDMSR=1 --defsym EX_TYPE_WRMSR=2"

passed=0
failed=0
ok()   { passed=$((passed + 1)); echo "PASS: $1"; }
bad()  { failed=$((failed + 1)); echo "FAIL: $1"; [ -f "$W/out" ] && sed 's/^/    | /' "$W/out" | head -20; }

# run EXPECTED_RC DESCRIPTION CMD...: output (stdout+stderr) goes to $W/out
run() {
	want=$1 desc=$2
	shift 2
	"$@" >"$W/out" 2>&1
	rc=$?
	if [ "$rc" = "$want" ]; then ok "$desc (exit $rc)"; else bad "$desc: exit $rc, expected $want"; fi
}

# has PATTERN DESCRIPTION: the last run's output matches an extended regex
has() {
	if grep -Eq -- "$1" "$W/out"; then ok "$2"; else bad "$2: no line matching /$1/"; fi
}
hasnt() {
	if grep -Eq -- "$1" "$W/out"; then bad "$2: unexpected /$1/"; else ok "$2"; fi
}

rm -rf "$W"
mkdir -p "$W/c"

echo "== building the corpus with the plugin"
for src in "$CORPUS"/*.c; do
	b=$(basename "$src" .c)
	$CC $KFLAGS -fplugin="$PLUGIN" -c "$src" -o "$W/c/$b.o" || { bad "compile $b.c"; continue; }
done
$CC $KFLAGS -fplugin="$PLUGIN" -c "$FIX/tables.c" -o "$W/tables.o" || bad "compile tables.c"
$CC $KFLAGS -c "$FIX/planted.c" -o "$W/planted.o" || bad "compile planted.c (no plugin)"
$CC -g -c "$FIX/planted.S" -o "$W/plantedS.o" || bad "assemble planted.S"
ld -r "$W"/c/*.o -o "$W/all.o" || bad "ld -r"
$LDK "$W"/c/*.o -o "$W/k.elf" || bad "link kernel-like image"
$LDK "$W"/c/*.o "$W/planted.o" "$W/plantedS.o" -o "$W/k2.elf" || bad "link image with planted code"
$CC -O2 -g -fplugin="$PLUGIN" -fplugin-arg-previrt-all-code-models "$FIX/user.c" -o "$W/user" ||
	bad "compile user program"

echo "== every corpus object: verify, coverage, JSON against objdump"
for o in "$W"/c/*.o; do
	b=$(basename "$o")
	run 0 "$b: --verify is clean" "$R" --verify "$o"
	[ -s "$W/out" ] && bad "$b: --verify printed something without -v" || ok "$b: --verify silent"
	run 0 "$b: --verify -v" "$R" --verify -v "$o"
	has "^$o: OK: [0-9]+ sites" "$b: one OK line"
	run 0 "$b: --coverage" "$R" --coverage "$o"
	tail -n 1 "$W/out" > "$W/last"
	grep -Eq '^coverage: ([0-9]+)/\1 \(100\.0%\)$' "$W/last" && ok "$b: coverage 100%, exact last line" ||
		bad "$b: coverage last line: $(cat "$W/last")"
	"$R" --json "$o" > "$W/$b.json" && objdump -d "$o" > "$W/$b.dis"
	run 0 "$b: --json sites match objdump" $PY "$HERE/check_objdump.py" "$W/$b.json" "$W/$b.dis" rdtsc
done

echo "== linked files"
# allowed without a site: the ALTERNATIVE original (rdtsc) and, in the user
# program, the hlt of glibc's unannotated _start
for f in all.o k.elf user; do
	run 0 "$f: --verify" "$R" --verify -v "$W/$f"
	"$R" --json "$W/$f" > "$W/$f.json" && objdump -d "$W/$f" > "$W/$f.dis"
	run 0 "$f: --json addresses match objdump" $PY "$HERE/check_objdump.py" "$W/$f.json" "$W/$f.dis" rdtsc hlt
done
# numbers the corpus decides (it grows): counted from the JSON objdump just confirmed
count() { $PY -c 'import json,sys; r=json.load(open(sys.argv[1])); print(sum(1 for s in r["sites"] if eval(sys.argv[2])))' "$@"; }
nobj=$(ls "$CORPUS"/*.c | wc -l)
nk=$(count "$W/k.elf.json" True)
nmmio_r=$(count "$W/k.elf.json" 's["kind"]=="mmio_read"')
run 0 "k.elf: summary" "$R" "$W/k.elf"
has "^\.previrt: format version $FV, $nobj headers \(gcc $nobj, clang 0, gas 0\), $nk sites$" "summary counts one header per object"
has "^  mmio_read +$nmmio_r\$" "summary: by kind"
has '^  read +([1248]-byte [0-9]+ *)+$' "summary: MMIO by width and direction"
has '^padding: [0-9]+ bytes of NOPs' "summary: padding cost"
has '^by function \(top 10 of [0-9]+\):' "summary: top functions"
run 0 "k.elf: --list" "$R" --list "$W/k.elf"
has '^0xffffffff81[0-9a-f]+ +cli +5/1 +irq_save\+0x6 +.*irqflags\.c:20 \(native_irq_disable inlined into irq_save at .*irqflags\.c:29\)  \| cli$' \
	"--list: address, kind, lengths, function+off, inlined frame and caller, disassembly"
has 'sti_hlt +5/2 .*\| sti; hlt$' "--list: sti_hlt shows both instructions"
has ' mmio_write .*\| mov .*\(%.*\[mmio\]  width=8' "--list: MMIO flags and width"
run 0 "all.o: --list of a relocatable object" "$R" --list "$W/all.o"
has '^\.noinstr\.text\+0x[0-9a-f]+ +swapgs' "--list: objects show section+offset"
run 0 "user: the annotated user program still runs" "$W/user"
has '^user: cpuid max leaf [0-9]+, IF 1, tsc moves 1$' "user program output"
run 0 "user (PIE): --list" "$R" --list "$W/user"
has 'cpuid +5/2 +main\+0x[0-9a-f]+ .*user\.c:[0-9]+ \(cpuid_max inlined into main' "PIE: DWARF inline info"

echo "== JSON is valid and complete"
run 0 "k.elf: --json parses" $PY -c '
import json, sys
r = json.load(open(sys.argv[1]))
need = {"address", "section", "kind", "length", "insn_length", "function", "file", "line"}
assert r["format_version"] == int(sys.argv[2]) and r["file"].endswith("k.elf"), r.keys()
assert all(need <= set(s) for s in r["sites"]), "missing keys"
assert all(s["kind"].startswith("mmio") == (64 <= s["kind_id"] <= 127) for s in r["sites"])
assert r["summary"]["sites"] == len(r["sites"]) > 0, r["summary"]
assert all(int(s["address_hex"], 16) == s["address"] >= 0xffffffff81000000 for s in r["sites"])
assert r["summary"]["padding_bytes"] == sum(s["length"] - s["insn_length"] for s in r["sites"])
print("ok", len(r["sites"]))' "$W/k.elf.json" "$FV"

echo "== planted corruptions (linked image)"
# op, expected exit, message pattern
while read -r op want pat; do
	$PY "$HERE/plant.py" "$W/k.elf" "$W/bad-$op.elf" "$op" || { bad "plant $op"; continue; }
	run "$want" "corruption '$op' caught by --verify" "$R" --verify "$W/bad-$op.elf"
	has "$pat" "corruption '$op': message"
done <<'EOF'
truncate  2 ^previrt-report: .*bad-truncate\.elf: \.previrt size [0-9]+ is not a multiple of 12
version   2 ^previrt-report: .*bad-version\.elf: unknown \.previrt format version 99
magic     2 has kind 0 but no PVRT magic
outside   1 points into \.previrt, which is not an executable section
beyond    1 record does not point into the file: address outside every section
duplicate 1 duplicates the site at 0xffffffff81000000
overlap   1 overlaps the site at 0xffffffff81000000
kind      1 instruction "cli" is cli, record says sti
pad       1 pad byte 0 of 4 is not a NOP \("int3"\)
flags     1 SHADOW flag on kind cli, which opens no interrupt shadow
insnlen   1 need 1 <= insn_length <= length
altorig-elsewhere 1 says ALT_ORIG, but no \.altinstructions original holds it
altorig-nonmmio   1 says ALT_ORIG, which only an MMIO site may
altorig-clear     1 mmio_write \(lapic_eoi\+0x2\): overlaps a \.altinstructions entry
EOF
$PY "$HERE/plant.py" "$W/k.elf" "$W/bad-extable.elf" extable
# EXTABLE is a promise the backends rely on: a flag the linked table does
# not back is an error (format version 2)
run 1 "EXTABLE flag without an __ex_table entry is an error" "$R" --verify "$W/bad-extable.elf"
has 'EXTABLE flag, but no __ex_table entry names the site' "EXTABLE disagreement named"
for m in --list --json "" --coverage; do
	run 2 "truncated .previrt: ${m:-summary} exits 2 too" "$R" $m "$W/bad-truncate.elf"
done
$PY "$HERE/plant.py" "$W/c/irqflags.o" "$W/bad-addend.o" addend && {
	run 1 "object: relocation moved past .text caught" "$R" --verify "$W/bad-addend.o"
	has 'runs past the end of \.text' "object: relocation message"
}

echo "== unreadable inputs: one line naming the file, exit 2"
echo "hello" > "$W/text.txt"
: > "$W/empty"
run 2 "not ELF" "$R" "$W/text.txt"
has "^previrt-report: .*text\.txt: not an ELF file" "not ELF: message"
run 2 "empty file" "$R" --verify "$W/empty"
run 2 "no .previrt" "$R" --verify "$W/planted.o"
has "^previrt-report: .*planted\.o: no \.previrt section" "no .previrt: message"
run 2 "missing file" "$R" "$W/does-not-exist"
head -c 3000 "$W/k.elf" > "$W/cut.elf"
run 2 "file cut short" "$R" --verify "$W/cut.elf"
[ "$(wc -l < "$W/out")" = 1 ] && ok "file cut short: one line" || bad "file cut short: one line"
run 2 "usage: no file" "$R"
run 2 "usage: --min without --coverage" "$R" --min 5 "$W/k.elf"
run 2 "usage: --profile with --verify" "$R" --verify --profile "$W/k.elf" "$W/k.elf"
run 2 "usage: two modes" "$R" --list --json "$W/k.elf"
run 2 "usage: unknown option" "$R" --frobnicate "$W/k.elf"

echo "== inputs the fuzzer once crashed on (tests/report/fuzz-regressions)"
for f in "$HERE"/fuzz-regressions/*.bin; do
	for m in "" --list --json --verify --coverage; do
		"$R" $m "$f" > /dev/null 2>&1
		rc=$?
		[ "$rc" -le 2 ] && ok "$(basename "$f") ${m:-summary}: exit $rc, no crash" ||
			bad "$(basename "$f") ${m:-summary}: exit $rc"
	done
done

echo "== coverage finds planted unannotated code"
run 0 "k.elf: --coverage" "$R" --coverage "$W/k.elf"
cov=$(tail -n 1 "$W/out" | sed -n 's|^coverage: \([0-9]*\)/\1 (100.0%)$|\1|p')
[ -n "$cov" ] && ok "k.elf: fully covered ($cov)" || bad "k.elf coverage: $(tail -n 1 "$W/out")"
cov_want=$($PY -c 'import sys; c=int(sys.argv[1]); t=c*1000//(c+4); print("coverage: %d/%d (%d.%d%%)" % (c, c + 4, t // 10, t % 10))' "${cov:-0}")
run 1 "k2.elf: --coverage --min 99 fails" "$R" --coverage --min 99 "$W/k2.elf"
has '^  0x[0-9a-f]+ +cli +planted_unannotated\+0x0 +C +.*planted\.c:5  \| cli$' "planted C cli listed with origin C"
has 'rdmsr +planted_rdmsr\+0x[0-9a-f]+ +C ' "planted C rdmsr listed"
has 'swapgs +planted_entry\+0x0 +\.S +.*planted\.S:[0-9]+' "planted .S swapgs listed with origin .S"
has '^uncovered by origin:  C 2  asm \(\.S\) 2$' "uncovered grouped by origin"
has '^uncovered by kind:  cli 1  rdmsr 1  swapgs 1  sysret 1$' "uncovered grouped by kind"
has '^inside ALTERNATIVE originals .*: 1$' "ALTERNATIVE original in its own category"
has '^in \.altinstr_replacement \(not counted\): 2$' "replacement code not counted"
[ "$(tail -n 1 "$W/out")" = "$cov_want" ] && ok "exact last line: $cov_want" ||
	bad "coverage line: $(tail -n 1 "$W/out"), expected $cov_want"
run 0 "k2.elf: --coverage --min 50 passes" "$R" --coverage --min 50 "$W/k2.elf"
PREVIRT_REPORT_JOBS=1 "$R" --coverage "$W/k2.elf" > "$W/cov1" 2>&1
PREVIRT_REPORT_JOBS=3 "$R" --coverage "$W/k2.elf" > "$W/cov3" 2>&1
cmp -s "$W/cov1" "$W/cov3" && ok "coverage: 3 worker processes give the same output as 1" ||
	bad "coverage: output differs between 1 and 3 workers"

echo "== every NOP encoding in a pad (hand-written records, producer gas)"
$CC -c "$FIX/nops.S" -o "$W/nops.o" && $CC -DBAD -c "$FIX/nops.S" -o "$W/nops-bad.o" || bad "assemble nops.S"
run 0 "nops.o: 90, 66 90, 0f 1f /0 forms, 66 0f 1f, data16 cs nopw pads all pass" "$R" --verify -v "$W/nops.o"
has '^.*nops\.o: OK: 5 sites in 1 header verified' "nops.o: all five sites checked"
run 0 "nops.o: summary names the producer" "$R" "$W/nops.o"
has "^\\.previrt: format version $FV, 1 header \\(gcc 0, clang 0, gas 1\\), 5 sites\$" "producer 3 counted as gas"
run 1 "nops-bad.o: xchg %eax,%eax is not a NOP" "$R" --verify "$W/nops-bad.o"
has 'cli \(nop_forms\+0x33\): pad byte 0 of 4 is not a NOP \("xchg +%eax,%eax"\)$' "nops-bad.o: message"

echo "== kernel patch tables"
run 1 "tables.o: overlaps with kernel patch tables" "$R" --verify "$W/tables.o"
has 'cli \(locked_cli\+0x0\): overlaps a \.smp_locks entry' ".smp_locks overlap (self-relative table)"
has 'hlt \(mcount_hlt\+0x0\): overlaps a __mcount_loc entry' "__mcount_loc overlap (absolute table)"
hasnt 'wbinvd' "__ex_table entry is not an error"

echo "== Linux 6.12 shapes: 14-byte struct alt_instr, nested ALTERNATIVE_2, lkgs as .byte"
# linked alone: an image has one struct alt_instr layout, found from the table
$CC $KFLAGS -fplugin="$PLUGIN" -c "$FIX/linux612.c" -o "$W/l612.o" && $LDK "$W/l612.o" -o "$W/l612.elf" ||
	bad "compile and link linux612.c"
for f in l612.o l612.elf; do
	run 0 "$f: --verify, lkgs (no binutils 2.40 mnemonic) checked against the rules' encoding" \
		"$R" --verify -v "$W/$f"
	has ": OK: 5 sites in 1 header verified; patch tables: \.altinstructions 2 __ex_table 1$" \
		"$f: both 14-byte entries read, every site checked"
	run 0 "$f: --coverage" "$R" --coverage "$W/$f"
	has '^inside ALTERNATIVE originals .*: 1$' "$f: the nested original (rdtsc) excluded"
	has '^in \.altinstr_replacement \(not counted\): 2$' "$f: both replacements excluded"
	has '^coverage: 5/5 \(100\.0%\)$' "$f: cli/sti around the ALTERNATIVE, lkgs and the pushf/cli after it all counted"
	run 0 "$f: --list" "$R" --list "$W/$f"
	has ' lkgs +5/4 +lkgs_612\+0x0 .*\| lkgs  \[extable,bytes\]$' "$f: lkgs listed with its kind and flags"
	has ' pushf +5/1 +lkgs_612\+0x5 ' "$f: the walk is back on instruction boundaries after lkgs"
done

echo "== --diff"
run 0 "diff of a file with itself: no differences" "$R" --diff "$W/k.elf" "$W/k.elf"
has "^diff: 0 added, 0 removed, 0 changed, $nk unchanged" "diff summary, same file"
"$R" --json "$W/c/irqflags.o" > "$W/irq.json"
nirq=$(count "$W/irq.json" True)
ncli=$(count "$W/irq.json" 's["kind"] in ("cli", "sti")')
$CC $KFLAGS -fplugin="$PLUGIN" -fplugin-arg-previrt-min-size=8 -c "$CORPUS/irqflags.c" -o "$W/irq8.o"
$CC $KFLAGS -fplugin="$PLUGIN" -fplugin-arg-previrt-kinds=cli,sti -c "$CORPUS/irqflags.c" -o "$W/irqcli.o"
run 1 "diff: bigger pads are changes" "$R" --diff "$W/c/irqflags.o" "$W/irq8.o"
has '^~ irq_save +cli +\.text\+0x6 -> \.text\+0x[0-9a-f]+: length 5 -> 8$' "diff: changed site by function and kind"
has "^diff: 0 added, 0 removed, $nirq changed" "diff summary, changed"
run 1 "diff: fewer kinds are removals" "$R" --diff "$W/c/irqflags.o" "$W/irqcli.o"
has '^- idle +hlt ' "diff: removed site"
has "^diff: 0 added, $((nirq - ncli)) removed, 0 changed, $ncli unchanged" "diff summary, removed"
run 1 "diff: reverse direction are additions" "$R" --diff "$W/irqcli.o" "$W/c/irqflags.o"
has "^diff: $((nirq - ncli)) added, 0 removed" "diff summary, added"

echo "== --profile"
$PY - "$W/k.elf.json" "$W/counts" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
with open(sys.argv[2], "w") as f:
    f.write("# previrt-profile 1\n")
    for n, s in enumerate(r["sites"]):
        if s["kind"] in ("cli", "sti"):
            f.write("0x%x %d %s\n" % (s["address"], 1000 + n, s["kind"]))
    f.write("0x1234 5\n")   # matches no site: a warning, not an error
EOF
run 0 "summary with counts" "$R" --profile "$W/counts" "$W/k.elf"
has '^  cli +[0-9]+ +[1-9][0-9]* executions$' "counts merged into the kind table"
has '^profile: [1-9][0-9]* executions in all$' "profile total"
has 'warning: 1 entries match no site' "unmatched entry warned about"
has '^hottest sites:$' "hottest sites section"
has '^  0x[0-9a-f]+ +(cli|sti) +[^ ]+ +1[0-9]{3} \([0-9.]+%\)$' "hottest site: place, kind, function, count, share"
run 0 "--list with counts" "$R" --list --profile "$W/counts" "$W/k.elf"
has ' cli .*count=1[0-9]{3}$' "count shown per site"
has ' hlt .*count=0$' "sites not in the file count 0"
run 0 "--json with counts" "$R" --json --profile "$W/counts" "$W/k.elf"
has '"count":1[0-9]{3}' "count in JSON"
printf '.text+0x6 12 cli\n' > "$W/counts.o"
run 0 "object counts use section+offset" "$R" --list --profile "$W/counts.o" "$W/c/irqflags.o"
has '^\.text\+0x6 +cli .*count=12$' "section+offset count merged"
printf '0xffffffff81000000 lots\n' > "$W/counts.bad"
run 2 "malformed counts file" "$R" --profile "$W/counts.bad" "$W/k.elf"
has 'counts\.bad:1: malformed line' "malformed counts: file:line"

echo "== zones (runtime/patch/zone.h): sites by address, handlers by zone, backend policies"
$CC $KFLAGS -fplugin="$PLUGIN" -c "$FIX/zones.c" -o "$W/zones.o" &&
	ld -static -nostdlib -e 0 --no-warn-rwx-segments -T "$FIX/zones.lds" "$W/zones.o" -o "$W/zones.elf" ||
	bad "build the zones image"
run 0 "zones: summary" "$R" "$W/zones.elf"
has '^  main +sites +1  noinstr-flag +0$' "zones: the main-text site"
has '^  noinstr +sites +1  noinstr-flag +1$' "zones: the .noinstr.text site, flagged"
has '^  entry +sites +1  noinstr-flag +1$' "zones: the .entry.text site, flagged"
has '^  noinstr pool 16384 bytes \(256 thunks of 64 bytes\), inside the noinstr zone$' "zones: the plugin's noinstr pool, inside the zone"
has '^  profile +main pool +zone pool +native *$' "zones: the profile backend's policy, from the runtime"
has '^  xen +main pool +native +native *$' "zones: the xen backend's policy, from the runtime"
# counts (format 2) whose handlers are: main -> main pool, noinstr -> noinstr pool,
# entry -> the main pool (what the runtime forbids: the report must show it)
"$R" --json "$W/zones.elf" >"$W/zones.json"
$PY - "$W/zones.elf" "$W/zones.json" "$W/zones.counts" <<'EOF2'
import json, subprocess, sys
sym = {l.split()[2]: int(l.split()[0], 16) for l in subprocess.run(["nm", sys.argv[1]], capture_output=True, text=True).stdout.splitlines() if len(l.split()) == 3}
site = {s["function"]: s for s in json.load(open(sys.argv[2]))["sites"]}
with open(sys.argv[3], "w") as f:
    f.write("# previrt-profile 2\n")
    for fn, h in (("main_text", "previrt_pool"), ("noinstr_text", "previrt_noinstr_pool"), ("entry_text", "previrt_pool")):
        f.write("0x%x 7 %s 0x%x\n" % (site[fn]["address"], site[fn]["kind"], sym[h] + 64))
EOF2
run 0 "zones: summary with counts and handlers" "$R" --profile "$W/zones.counts" "$W/zones.elf"
has '^  main +sites +1  noinstr-flag +0  patched +1  handler-in-zone +1  handler-outside +0  executions +7$' "zones: main handler in main text"
has '^  noinstr +sites +1  noinstr-flag +1  patched +1  handler-in-zone +1  handler-outside +0  executions +7$' "zones: noinstr handler inside .noinstr.text"
has '^  entry +sites +1  noinstr-flag +1  patched +1  handler-in-zone +0  handler-outside +1  executions +7$' "zones: an entry site jumping out of its zone is shown"
printf '0xffffffff81000000 3 cli 0xnothex\n' > "$W/counts.badh"
run 2 "malformed handler field" "$R" --profile "$W/counts.badh" "$W/k.elf"
has 'counts\.badh:1: malformed line' "malformed handler: file:line"

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
