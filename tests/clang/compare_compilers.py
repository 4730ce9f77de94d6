#!/usr/bin/env python3
"""compare_compilers.py RULES GCC.o CLANG.o

The GCC plugin and the Clang pass must emit the same records for the same
code.  Per function defined in both objects, from binutils' view only:

  same code      the function's instructions are identical once NOPs are
                 dropped and branch targets normalised (compare_code.py):
                 the records must be identical as multisets of
                 (kind, instruction text, length, insn_length, flags, width),
                 MMIO records included;
  same sensitive the sensitive instructions binutils finds are the same texts:
                 the non-MMIO records must be identical as above;
  same kinds     only registers differ ("mov %rax,%cr3" / "mov %rdi,%cr3"),
                 binutils classifies the same kinds in the same numbers: the
                 non-MMIO records must agree in (kind, length, flags, width);
                 the text and its encoded length are the code's;
  otherwise      skipped (listed): the compilers emitted different code.

Where the code is not the same, how many copies of an inlined readl a
compiler keeps is its own decision, so MMIO records are compared as sets of
(kind, length, flags, width): the same kinds of MMIO access annotated alike.

Exits 1 on any difference, or when no function could be compared at all.
"""
import collections
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "plugin"))
from binutils import Object, RECORD  # noqa: E402
from compare_code import normalized  # noqa: E402

MMIO = ("mmio_read", "mmio_write")


def rule_names(path):
    names = {64: "mmio_read", 65: "mmio_write"}
    for line in open(path, encoding="utf-8"):
        f = line.split("#", 1)[0].split()
        if len(f) >= 6:
            names[int(f[0])] = f[1]
    return names


class Functions:
    """Per function: code, sensitive texts and kinds, records."""

    def __init__(self, path, names):
        obj = Object(path)
        self.code = normalized(obj)
        self.texts = collections.defaultdict(collections.Counter)
        self.kinds = collections.defaultdict(collections.Counter)
        self.records = collections.defaultdict(collections.Counter)
        for insn in obj.insns:
            if insn.kind() and not insn.section.startswith(".altinstr_replacement"):
                self.texts[insn.function][insn.text] += 1
                self.kinds[insn.function][insn.kind()] += 1
        data = obj.section_bytes(".previrt") or b""
        relocs = obj.relocations(".previrt")
        for off in range(0, len(data) - len(data) % 12, 12):
            _, kind, length, ilen, flags, width, xflags = RECORD.unpack_from(data, off)
            if kind == 0 or off not in relocs:
                continue
            sec, start = obj.resolve(*relocs[off])
            # the instruction, after its pad with PAD_BEFORE (xflags 0x2, format.h)
            if xflags & 0x2 and ilen <= length:
                start += length - ilen
            insn = obj.by_addr.get((sec, start))
            fn = insn.function if insn else f"?{sec}+{start:#x}"
            text = insn.text if insn else "?"
            self.records[fn][(names.get(kind, str(kind)), text, length, ilen, flags, width)] += 1

    def names(self):
        return set(self.code) | set(self.records)


def split(records, mmio):
    return collections.Counter({r: n for r, n in records.items() if (r[0] in MMIO) == mmio})


def without_text(records):
    return collections.Counter({(r[0], r[2]) + r[4:]: n for r, n in records.items()})


def diff(fn, tier, g, c):
    if g == c:
        return None
    return (f"{fn} ({tier}): only GCC {sorted((g - c).elements())}, "
            f"only Clang {sorted((c - g).elements())}")


def compare(fn, g, c):
    """(tier, problem or None) for one function."""
    gr, cr = g.records[fn], c.records[fn]
    if g.code.get(fn) == c.code.get(fn):
        return "same code", diff(fn, "same code", gr, cr)
    if g.texts[fn] == c.texts[fn]:
        tier, p = "same sensitive", diff(fn, "same sensitive", split(gr, False), split(cr, False))
    elif g.kinds[fn] == c.kinds[fn]:
        tier, p = "same kinds", diff(fn, "same kinds", without_text(split(gr, False)),
                                     without_text(split(cr, False)))
    else:
        return "skipped", None
    gm = set(without_text(split(gr, True)))
    cm = set(without_text(split(cr, True)))
    if not p and gm != cm:
        p = f"{fn} ({tier}): MMIO only GCC {sorted(gm - cm)}, only Clang {sorted(cm - gm)}"
    return tier, p


def main(argv):
    names = rule_names(argv[1])
    g, c = Functions(argv[2], names), Functions(argv[3], names)
    tiers, skipped, problems = collections.Counter(), [], []
    for fn in sorted(g.names() & c.names()):
        tier, p = compare(fn, g, c)
        if tier == "skipped":
            skipped.append(fn)
            continue
        tiers[tier] += 1
        if p:
            problems.append(p)
    for p in problems:
        print(f"{argv[3]}: {p}")
    if skipped:
        print(f"{argv[3]}: skipped (compilers emit different sensitive code): {', '.join(skipped)}")
    compared = sum(tiers.values())
    nsites = sum(sum(v.values()) for v in c.records.values())
    print(f"{argv[3]}: {compared} functions compared with GCC "
          f"({', '.join(f'{n} {t}' for t, n in sorted(tiers.items()))}), "
          f"{len(skipped)} skipped, {nsites} Clang sites, {len(problems)} differ")
    if compared == 0:
        print(f"{argv[3]}: nothing to compare")
        return 1
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
