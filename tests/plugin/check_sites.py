#!/usr/bin/env python3
"""check_sites.py [--min-size=N] [--producer=N] RULES OBJECT [SOURCE]

With --min-size=N (the plugin's min-size option) sites are held to N bytes
instead of each rule's size.

Checks a plugin-annotated object against binutils' view of it:

  * .previrt is whole 12-byte records with exactly one current-version header of
    the producer (GCC plugin by default; --producer=3 for assembly, where a
    macro body's NOINSTR flag may be missing: its section is unknown);
  * every record points, through its relocation, into an executable section
    that is not replacement code, at an instruction boundary, at an
    instruction of the record's kind (classified independently of previrt),
    with insn_length covering exactly that instruction (two for sti_hlt, and
    two for a SHADOW pair: a shadow-opening instruction and the very next
    instruction, nothing between them),
    followed by NOPs up to exactly `length` bytes, length >= the rule's size;
  * flags agree with binutils: EXTABLE iff __ex_table has an entry at an
    instruction of the site, SHADOW iff the kind opens an interrupt shadow
    and the template has a next instruction, NOINSTR iff the section is .noinstr.text/.entry.text, MMIO iff kind
    is mmio_*; MMIO sites are movs to/from memory of the recorded direction
    and width;
  * every sensitive instruction in executable sections, other than kernel
    ALTERNATIVE originals (from .altinstructions) and replacement code, has
    exactly one record;
  * with SOURCE, its `expect-mmio: FUNC KIND WIDTH COUNT` lines hold.

Prints one line per problem and exits 1 if there is any.
"""
import re
import sys

from binutils import Object, RECORD, HEADER, MAGIC, VERSION, XFLAG, X_KNOWN

# kinds whose instruction opens an interrupt shadow (rules attribute `shadow`)
SHADOW_KINDS = {"sti", "mov_to_ss", "pop_ss"}


def load_rules(path):
    """id -> (name, size) from the rules file (the specification)."""
    rules = {64: ("mmio_read", 5), 65: ("mmio_write", 5)}
    for line in open(path, encoding="utf-8"):
        line = line.split("#", 1)[0].split()
        if len(line) >= 6:
            rules[int(line[0])] = (line[1], int(line[3]))
    return rules


def alt_ranges(obj):
    """(section, start, end) of ALTERNATIVE originals (struct alt_instr, Linux 6.1)."""
    data = obj.section_bytes(".altinstructions")
    if not data:
        return []
    relocs, out = obj.relocations(".altinstructions"), []
    for off in range(0, len(data) - len(data) % 12, 12):
        if off in relocs:
            sec, start = obj.resolve(*relocs[off])
            out.append((sec, start, start + data[off + 10]))
    return out


def extable_sites(obj):
    data = obj.section_bytes("__ex_table")
    if not data:
        return set()
    relocs = obj.relocations("__ex_table")
    return {obj.resolve(*relocs[off]) for off in range(0, len(data), 12) if off in relocs}


def main(argv):
    min_override, producer = None, 1
    while len(argv) > 1 and argv[1].startswith("--"):
        key, _, val = argv[1].partition("=")
        if key == "--min-size":
            min_override = int(val)
        elif key == "--producer":
            producer = int(val)       # 3: hand-written assembly (docs/format.md)
        else:
            print(f"check_sites.py: unknown option {argv[1]}")
            return 2
        argv = argv[:1] + argv[2:]
    rules = load_rules(argv[1])
    if min_override is not None:
        rules = {k: (v[0], min_override) for k, v in rules.items()}
    obj = Object(argv[2])
    problems = []

    def bad(msg):
        problems.append(f"{argv[2]}: {msg}")

    data = obj.section_bytes(".previrt") or b""
    if len(data) % 12:
        bad(f".previrt size {len(data)} is not a multiple of 12")
    relocs = obj.relocations(".previrt")
    headers, sites = 0, {}
    # hand-written code with no stack of its own, from objdump's view: from a
    # write to %cr3 (that instruction included) to a mov/lea into %rsp, or to
    # the end of the sized symbol (function) it is in
    stackless, on, func = set(), False, None
    for insn in obj.insns:
        if insn.function != func or (insn.function in obj.functions and
                                     insn.addr >= obj.functions[insn.function][2]):
            on, func = False, insn.function
        dst = insn.operands.rsplit(",", 1)[-1]
        if insn.mnemonic.startswith("mov") and dst == "%cr3":
            on = True
        elif insn.mnemonic.startswith(("mov", "lea")) and dst == "%rsp":
            on = False
        if on:
            stackless.add((insn.section, insn.addr))
    exsites = extable_sites(obj)
    for off in range(0, len(data) - len(data) % 12, 12):
        rec = RECORD.unpack_from(data, off)
        if rec[1] == 0:
            magic, _, version, size, hdr_producer, _ = HEADER.unpack_from(data, off)
            if magic != MAGIC or version != VERSION or size != 12 or hdr_producer != producer:
                bad(f"bad header at .previrt+{off}")
            headers += 1
            continue
        _, kind, length, ilen, flags, width, xflags = rec
        if off not in relocs:
            bad(f"record .previrt+{off} has no relocation")
            continue
        sec, start = obj.resolve(*relocs[off])
        where = f"{sec}+{start:#x}"
        if kind not in rules:
            bad(f"{where}: unknown kind {kind}")
            continue
        name, minsize = rules[kind]
        # PAD_BEFORE (format.h): the pad first, the instruction last
        pad_before = bool(xflags & XFLAG["PAD_BEFORE"])
        istart = start + (length - ilen if pad_before and ilen <= length else 0)
        # keyed by the instruction's address: that is what the coverage pass looks up
        if (sec, istart) in sites:
            bad(f"{where}: two records")
        sites[(sec, istart)] = (name, length, ilen, flags, width)
        if sec not in obj.exec_sections() or sec.startswith(".altinstr_replacement"):
            bad(f"{where}: record outside executable code")
            continue
        insn = obj.by_addr.get((sec, istart))
        if insn is None or (pad_before and obj.by_addr.get((sec, start)) is None):
            bad(f"{where}: not an instruction boundary")
            continue
        if pad_before and (name not in SHADOW_KINDS or flags & 0x80):
            bad(f"{where}: PAD_BEFORE on a {name} site{' with SHADOW' if flags & 0x80 else ''}")
        if xflags & ~X_KNOWN:
            bad(f"{where}: xflags {xflags:#x} use a bit the format does not define")
        # ALT_ORIG (format.h): only an MMIO accessor's access may claim it
        if xflags & XFLAG["ALT_ORIG"] and not name.startswith("mmio"):
            bad(f"{where}: ALT_ORIG on a {name} site")
        # NOSTACK (format.h PREVIRT_X_NOSTACK): always in early boot text;
        # elsewhere only in hand-written assembly after a cr3 write until
        # %rsp is loaded.  There it may also be clear: objdump cannot tell a
        # cr3 write that a .macro made (a PTI-style switch keeps the stack
        # mapped, and the rewriter does not follow macros), so the check is
        # that no site is NOSTACK where the code has a stack.
        nostack = bool(xflags & XFLAG["NOSTACK"])
        if sec == ".head.text" and not nostack:
            bad(f"{where}: NOSTACK clear in section {sec}")
        if nostack and sec != ".head.text" and not (producer == 3 and (sec, start) in stackless):
            bad(f"{where}: NOSTACK set in section {sec}, not after a cr3 write without a stack")
        insns_of_site = [istart]
        # the instruction(s)
        if name.startswith("mmio"):
            mm = insn.mmio()
            want = "read" if name == "mmio_read" else "write"
            if not mm or mm[0] != want or mm[1] != width:
                bad(f"{where}: {insn.text!r} is not an MMIO {want} of width {width}")
            if not flags & 0x04:
                bad(f"{where}: MMIO site without the MMIO flag")
            covered = insn.size
        elif name == "sti_hlt":
            nxt = obj.by_addr.get((sec, istart + insn.size))
            if insn.kind() != "sti" or nxt is None or nxt.kind() != "hlt":
                bad(f"{where}: sti_hlt record on {insn.text!r}")
            covered = insn.size + (nxt.size if nxt else 0)
        else:
            if insn.kind() != name:
                bad(f"{where}: record says {name}, binutils sees {insn.text!r}")
            covered = insn.size
            if flags & 0x04:
                bad(f"{where}: MMIO flag on a {name} site")
            if flags & 0x80:
                # the shadowed instruction follows with nothing between
                nxt = obj.by_addr.get((sec, istart + insn.size))
                if name not in SHADOW_KINDS:
                    bad(f"{where}: SHADOW flag on a {name} site")
                if nxt is None:
                    bad(f"{where}: SHADOW site without a following instruction")
                else:
                    covered += nxt.size
                    insns_of_site.append(istart + insn.size)
        # (a shadow instruction without the flag ended its template, which
        # binutils cannot tell; compare_code.py checks its follower instead)
        if ilen != covered:
            bad(f"{where}: insn_length {ilen}, instruction is {covered} bytes")
        if length < max(minsize, ilen):
            bad(f"{where}: site length {length} below the rule's {minsize}")
        # the pad: NOPs from the instruction's end up to exactly start+length,
        # or (PAD_BEFORE) from start up to exactly the instruction
        pos, pad_end = (start, istart) if pad_before else (start + covered, start + length)
        while pos < pad_end:
            pad = obj.by_addr.get((sec, pos))
            if pad is None or not pad.is_nop():
                bad(f"{where}: byte {pos - start} of the site is not a NOP "
                    f"({pad.text if pad else 'mid-instruction'!r})")
                break
            pos += pad.size
        if pos != pad_end:
            bad(f"{where}: pad overruns its end ({pos - start} > {pad_end - start})")
        noinstr = sec.startswith(".noinstr.text") or sec.startswith(".entry.text")
        # In assembly, a macro body's section is its invocation's, which the
        # text does not tell: there the flag may be missing, never wrong.
        if bool(flags & 0x02) != noinstr and not (producer == 3 and noinstr):
            bad(f"{where}: NOINSTR flag {bool(flags & 0x02)}, section {sec}")
        has_entry = any((sec, a) in exsites for a in insns_of_site)
        if bool(flags & 0x01) != has_entry:
            bad(f"{where}: EXTABLE flag {bool(flags & 1)} but __ex_table "
                f"{'has' if has_entry else 'has no'} entry")
    if sites and headers != 1:
        bad(f"{headers} header records, want 1")

    # every sensitive instruction is covered
    alts = alt_ranges(obj)
    for insn in obj.insns:
        k = insn.kind()
        if not k or insn.section.startswith(".altinstr_replacement"):
            continue
        if any(s == insn.section and a <= insn.addr < e for s, a, e in alts):
            if (insn.section, insn.addr) in sites:
                bad(f"{insn.section}+{insn.addr:#x}: site inside an ALTERNATIVE original")
            continue
        if (insn.section, insn.addr) in sites:
            continue
        prev = [p for p in obj.insns if p.section == insn.section and
                p.addr + p.size == insn.addr]
        if prev:
            owner = sites.get((insn.section, prev[0].addr))
            # the second instruction of sti_hlt, or the follower of a SHADOW pair
            if owner and ((k == "hlt" and owner[0] == "sti_hlt") or owner[3] & 0x80):
                continue
        bad(f"{insn.section}+{insn.addr:#x} in {insn.function}: {insn.text!r} has no record")

    # per-function MMIO expectations (meaningful when accessors are inlined)
    if len(argv) > 3:
        for line in open(argv[3], encoding="utf-8"):
            m = re.search(r"expect-mmio:\s+(\S+)\s+(\S+)\s+(\d+)\s+(\d+)", line)
            if not m:
                continue
            fn, kind, width, count = m.group(1), m.group(2), int(m.group(3)), int(m.group(4))
            sec, lo, hi = obj.functions.get(fn, (None, 0, 0))
            got = sum(1 for (s, a), v in sites.items()
                      if s == sec and lo <= a < hi and v[0] == kind and v[4] == width)
            if got != count:
                bad(f"{fn}: {got} {kind} sites of width {width}, expected {count}")

    for p in problems:
        print(p)
    print(f"{argv[2]}: {len(sites)} sites, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
