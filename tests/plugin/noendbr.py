#!/usr/bin/env python3
"""noendbr.py OBJ...: every .previrt site is named in .discard.noendbr too.

With indirect-branch tracking, objtool warns "data relocation to !ENDBR" for
each relocation from an unknown section into code unless .discard.noendbr
names the same place (lib/asm_rewrite.c, emit_after).  So in an object the
targets of .rela.previrt (one per site; header records have none) and of
.rela.discard.noendbr must be the same set, with nothing missing or extra.
Exit 1 with one line per object that differs.
"""
import re
import subprocess
import sys


def targets(obj):
    """{section name: set of (symbol, addend)} of every RELA section's entries."""
    out = subprocess.run(["readelf", "-rW", obj], capture_output=True, text=True,
                         check=True).stdout
    per, cur = {}, None
    for line in out.splitlines():
        m = re.match(r"Relocation section '\.rela(\S+)'", line)
        if m:
            cur = per.setdefault(m.group(1), [])
            continue
        f = line.split()
        if cur is not None and len(f) >= 7 and f[2].startswith("R_X86_64_") and f[-2] in "+-":
            cur.append((f[2], f[4], int(f[-1], 16) * (1 if f[-2] == "+" else -1)))
    return per


def main(objs):
    bad = 0
    for obj in objs:
        per = targets(obj)
        sites = per.get(".previrt", [])
        marks = per.get(".discard.noendbr", [])
        s = {(sym, add) for _, sym, add in sites}
        m = {(sym, add) for _, sym, add in marks}
        if not sites or len(sites) != len(marks) or s != m:
            print(f"{obj}: {len(sites)} site relocations, {len(marks)} .discard.noendbr entries, "
                  f"{len(s - m)} sites not named, {len(m - s)} names not sites")
            bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
