#!/usr/bin/env python3
"""R1: is every function's code the same with and without the plugin?

    same-code.py PLAIN_O_DIR PLUGIN_O_DIR [--show N] [--keep-nops]

(--keep-nops is the control experiment: without dropping NOPs the pads
must show up as differences, proving the comparison sees them.)

For every object file that both kernel build dirs hold (vmlinux's C and
assembly objects; not host tools, not the linked vmlinux.o), disassemble it
with objdump (-dr, no raw bytes) and compare function by function after
normalising away what padding is allowed to change:

  * NOP instructions are dropped on both sides (the plugin's pads are NOPs;
    the alignment NOPs gas emits are dropped symmetrically);
  * addresses are dropped; a branch with a relocation is compared by its
    relocation; a branch to a label of the same section becomes
    "L<n>", n = index of the target among the kept instructions, so a
    branch that crosses a pad still compares equal, and a branch to a
    different instruction does not;
  * '# ...' comments (resolved addresses) are dropped; relocation addends
    against an executable section (local labels that moved) are dropped.

Everything else (mnemonic, operands, relocation type and symbol) must be
identical.  Prints per-object differences and a summary:
    R1: N objects, F functions compared, D differing, M only in one build
and exits 0 only when D == 0 and M == 0.
"""
import multiprocessing
import os
import re
import subprocess
import sys

SKIP_DIRS = ("tools/", "scripts/", "arch/x86/boot/", "arch/x86/realmode/rm/")
SKIP_FILES = ("vmlinux.o", ".vmlinux.export.o")

FUNC_RE = re.compile(r"^([0-9a-f]+) <(.+)>:$")
SECT_RE = re.compile(r"^Disassembly of section (.+):$")
INSN_RE = re.compile(r"^\s*([0-9a-f]+):\t(.*)$")
KEEP_NOPS = "--keep-nops" in sys.argv
NOP_RE = re.compile(r"^((data16|cs|ds|rex(\.\w+)?)\s+)*(nop[wlq]?\b|xchg\s+%ax,%ax$)")
BRANCH_RE = re.compile(r"^((?:bnd\s+|notrack\s+)?(?:j\w+|call\w*|loop\w*|xbegin))\s+([0-9a-f]+) <[^>]*>(.*)$")
EXEC_SECT_RELOC_RE = re.compile(r"(R_X86_64_\w+\s+)(\.[\w.]*text[\w.]*|\.altinstr_replacement|\.noinstr\.text)([+-]0x[0-9a-f]+)?")


def is_nop(mnem):
    return not KEEP_NOPS and NOP_RE.match(mnem)


def disasm(path):
    """{(section, function): [normalised instruction text]}"""
    out = subprocess.run(["objdump", "-dr", "--no-show-raw-insn", "-w", path],
                         capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"objdump failed on {path}: {out.stderr.strip()}")
    # First pass: instructions per section, in order, with their function.
    sect, func = None, None
    insns = []          # (section, function, addr, text)
    for line in out.stdout.splitlines():
        m = SECT_RE.match(line)
        if m:
            sect = m.group(1)
            continue
        m = FUNC_RE.match(line)
        if m:
            func = m.group(2)
            continue
        m = INSN_RE.match(line)
        if m and sect is not None and func is not None:
            insns.append((sect, func, int(m.group(1), 16), m.group(2)))
    # Index of kept (non-NOP) instructions per section: a branch target that
    # is a NOP maps to the next kept instruction.
    kept_index = {}
    per_sect = {}
    for sect, func, addr, text in insns:
        per_sect.setdefault(sect, []).append((addr, text))
    for sect, lst in per_sect.items():
        n = 0
        pending = []
        idx = {}
        for addr, text in lst:
            mnem = text.split("\t", 1)[0].strip()
            pending.append(addr)
            if not is_nop(mnem):
                for a in pending:
                    idx[a] = n
                pending = []
                n += 1
        for a in pending:
            idx[a] = n
        kept_index[sect] = idx
    funcs = {}
    for sect, func, addr, text in insns:
        insn, _, reloc = text.partition("\t")
        insn = insn.split("#", 1)[0].strip()
        if is_nop(insn):
            continue
        m = BRANCH_RE.match(insn)
        if m and reloc:
            # call/jmp to a symbol: the encoded target is a placeholder, the
            # relocation (compared below) says where it goes.
            insn = f"{m.group(1)} <reloc>{m.group(3)}"
        elif m:
            tgt = int(m.group(2), 16)
            where = kept_index[sect].get(tgt)
            insn = f"{m.group(1)} " + (f"L{where}" if where is not None else f"?{m.group(2)}") + m.group(3)
        insn = re.sub(r"\s+", " ", insn)
        if reloc:
            reloc = re.sub(r"^[0-9a-f]+:\s*", "", reloc.strip())
            reloc = EXEC_SECT_RELOC_RE.sub(lambda r: r.group(1) + r.group(2) + "+?", reloc)
            reloc = re.sub(r"\s+", " ", reloc)
            insn += " {" + reloc + "}"
        funcs.setdefault((sect, func), []).append(insn)
    return funcs


def compare(pair):
    rel, plain, plug = pair
    try:
        a, b = disasm(plain), disasm(plug)
    except RuntimeError as e:
        return rel, 0, [], [str(e)]
    diff = []
    only = []
    for key in sorted(set(a) | set(b)):
        if key not in a or key not in b:
            only.append(f"{key[1]} ({key[0]}) only in {'plugin' if key in b else 'plain'} build")
        elif a[key] != b[key]:
            # First differing instruction, for the log.
            for i, (x, y) in enumerate(zip(a[key] + ["<end>"], b[key] + ["<end>"])):
                if x != y:
                    diff.append(f"{key[1]} ({key[0]}) insn {i}: plain '{x}' / plugin '{y}'")
                    break
    return rel, len(set(a) & set(b)), diff, only


def objects(root):
    for dirpath, _dirs, files in os.walk(root):
        for f in files:
            if not f.endswith(".o") or f in SKIP_FILES or f.endswith(".mod.o"):
                continue
            rel = os.path.relpath(os.path.join(dirpath, f), root)
            if rel.startswith(SKIP_DIRS) or "/vdso/" in rel:
                continue
            yield rel


def main():
    args = [a for a in sys.argv[1:] if a != "--keep-nops"]
    show = 20
    if "--show" in args:
        i = args.index("--show")
        show = int(args[i + 1])
        del args[i:i + 2]
    if len(args) != 2:
        sys.exit("usage: same-code.py PLAIN_O_DIR PLUGIN_O_DIR [--show N] [--keep-nops]")
    plain, plug = args
    pairs = []
    missing = []
    for rel in sorted(objects(plain)):
        if os.path.exists(os.path.join(plug, rel)):
            pairs.append((rel, os.path.join(plain, rel), os.path.join(plug, rel)))
        else:
            missing.append(rel)
    if not pairs:
        sys.exit(f"same-code: no common objects in {plain} and {plug}")
    with multiprocessing.Pool(os.cpu_count() or 2) as pool:
        results = pool.map(compare, pairs, chunksize=8)
    nfunc = ndiff = nonly = 0
    lines = []
    for rel, n, diff, only in results:
        nfunc += n
        ndiff += len(diff)
        nonly += len(only)
        lines += [f"  {rel}: {d}" for d in diff + only]
    for l in lines[:show]:
        print(l)
    if len(lines) > show:
        print(f"  ... {len(lines) - show} more")
    for rel in missing:
        print(f"  {rel}: object missing from the plugin build")
    print(f"R1: {len(pairs)} objects, {nfunc} functions compared, {ndiff} differing, "
          f"{nonly} only in one build, {len(missing)} objects missing")
    sys.exit(0 if ndiff == 0 and nonly == 0 and not missing else 1)


if __name__ == "__main__":
    main()
