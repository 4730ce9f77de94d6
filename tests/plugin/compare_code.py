#!/usr/bin/env python3
"""compare_code.py PLAIN.o ANNOTATED.o

Proves the plugin changed nothing but padding: the two objects must define
the same functions, and every function's code must be identical once NOPs
are removed and branch targets are rewritten as instruction indexes (the
pads shift addresses, and may turn a short jump into a near one, which
objdump prints with the same mnemonic).

Same functions with the same code means inlining and unrolling decisions
were not changed either.  Prints each differing function and exits 1.
"""
import re
import sys

from binutils import Object

TARGET = re.compile(r"\b([0-9a-f]+) <([^>]+)>")


def normalized(obj):
    """function -> list of normalized instruction texts."""
    by_section = {}
    for insn in obj.insns:
        if not insn.is_nop():
            by_section.setdefault(insn.section, []).append(insn)
    funcs = {}
    for section, insns in by_section.items():
        index = {i.addr: n for n, i in enumerate(insns)}
        addrs = sorted(index)

        def target(m):
            addr = int(m.group(1), 16)
            # a branch into a pad or onto a NOP lands on the next real instruction
            nxt = next((a for a in addrs if a >= addr), None)
            return f"@{index[nxt]}" if nxt is not None else "@end"
        for insn in insns:
            text = " ".join(insn.prefixes + [insn.mnemonic, TARGET.sub(target, insn.operands)])
            funcs.setdefault(insn.function, []).append(text.strip())
    return funcs


def main(argv):
    plain, annotated = normalized(Object(argv[1])), normalized(Object(argv[2]))
    problems = []
    if set(plain) != set(annotated):
        problems.append(f"function sets differ: only plain {sorted(set(plain) - set(annotated))}, "
                        f"only annotated {sorted(set(annotated) - set(plain))}")
    for fn in sorted(set(plain) & set(annotated)):
        if plain[fn] != annotated[fn]:
            a, b = plain[fn], annotated[fn]
            i = next((k for k in range(min(len(a), len(b))) if a[k] != b[k]), min(len(a), len(b)))
            problems.append(f"{fn}: differs at instruction {i}: "
                            f"{a[i] if i < len(a) else '<end>'!r} vs {b[i] if i < len(b) else '<end>'!r}")
    for p in problems:
        print(f"{argv[2]}: {p}")
    print(f"{argv[2]}: {len(plain)} functions compared, {len(problems)} differ")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
