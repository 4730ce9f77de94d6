#!/usr/bin/env python3
"""compare_code.py PLAIN.o ANNOTATED.o

Proves the plugin changed nothing but padding: the two objects must define
the same functions, and every function's code must be identical once NOPs
are removed and branch targets are rewritten as instruction indexes (the
pads shift addresses, and may turn a short jump into a near one, which
objdump prints with the same mnemonic).

Same functions with the same code means inlining and unrolling decisions
were not changed either.

NOP-stripped code cannot see a pad that takes an interrupt shadow (sti;
nop; mwait), so the shadows are compared without stripping: after every
instruction that opens a shadow (sti, mov/pop to %ss), the annotated code
has exactly the plain code's next instruction.  The one allowed exception
is a site recorded without the SHADOW flag, whose instruction ended its asm
statement: the compiler chose what follows it, so no C code can rely on
that shadow, and the pad follows it.

Prints each differing function and exits 1.
"""
import re
import sys

from binutils import Object, opens_shadow, site_records

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


def followers(obj):
    """function -> [(opener address, next instruction's text or None)], NOPs kept."""
    out = {}
    by_section = {}
    for insn in obj.insns:
        by_section.setdefault(insn.section, []).append(insn)
    for insns in by_section.values():
        for n, insn in enumerate(insns):
            if opens_shadow(insn):
                nxt = insns[n + 1] if n + 1 < len(insns) and \
                    insns[n + 1].function == insn.function else None
                text = " ".join(nxt.prefixes + [nxt.mnemonic]).strip() if nxt else None
                out.setdefault(insn.function, []).append(((insn.section, insn.addr), text,
                                                          nxt is not None and nxt.is_nop()))
    return out


def shadow_problems(plain_obj, annotated_obj):
    plain, annotated = followers(plain_obj), followers(annotated_obj)
    sites = site_records(annotated_obj)
    problems = []
    for fn in sorted(set(plain) & set(annotated)):
        for (_, want, _), (where, have, have_nop) in zip(plain[fn], annotated[fn]):
            if have == want:
                continue
            rec = sites.get(where)
            lone = rec is not None and not rec[3] & 0x80 and have_nop
            if not lone:
                problems.append(f"{fn}: shadow at {where[0]}+{where[1]:#x} covers "
                                f"{have!r}, plain code has {want!r}")
    return problems


def main(argv):
    plain_obj, annotated_obj = Object(argv[1]), Object(argv[2])
    plain, annotated = normalized(plain_obj), normalized(annotated_obj)
    problems = shadow_problems(plain_obj, annotated_obj)
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
