"""Classify one x86-64 instruction from its bytes: sensitive or not.

This is the oracle's own table of system and sensitive instructions.  It is
written from the instruction set (Intel SDM Vol. 2 opcode maps and Vol. 3A
section 5.9 "Privileged Instructions", the AMD APM Vol. 3, Robin & Irvine,
"Analysis of the Intel Pentium's ability to support a secure virtual machine
monitor", USENIX Security 2000), never from rewriting-rules/, the generated
tables or lib/insn_match.c: it exists to catch a rule the project forgot.

classify(b) takes the bytes of ONE instruction as libopcodes delimited it
(64-bit mode) and returns (name, group) or None:

  name   the canonical mnemonic class ("rdmsr", "mov_to_sreg", "int_n", ...)
  group  why it is in the table:
           priv   CPL0-only (faults at CPL3 in any mode)
           iopl   privileged through IOPL / TSC / PCE / UMIP / CR4 controls
           sens   sensitive but unprivileged (Robin & Irvine): reveals or
                  depends on privileged state without trapping
           vmx, svm, sgx, tdx, snp, cet, fred   privileged extension
                  instructions (CPL0 or VMX-root/SEAM only)

Deliberately NOT in the table (see tests/oracle/README.md): int3 (CC), ud0,
ud1, ud2, syscall, sysenter, int1/icebp (F1), rdrand, rdseed, xsave, xrstor,
xsaveopt, xsavec, fxsave/fxrstor, clflush, clflushopt, clwb, serialize,
pause, and other user-mode instructions sharing a sensitive opcode row
(enclu, xend/xtest, clzero, uintr, umonitor/umwait/tpause, saveprevssp, wrss,
rstorssp, tsxldtrk, extrq/insertq).  Encodings that are invalid in 64-bit
mode (push/pop es/cs/ss/ds 06/07/0E/16/17/1E/1F, far call/jmp ptr16:32
9A/EA, into CE, arpl 63, les/lds C4/C5) never reach this function as
instructions: libopcodes prints them as (bad) and the oracle counts those
separately.
"""

LEGACY_PREFIXES = frozenset((0xF0, 0xF2, 0xF3, 0x2E, 0x36, 0x3E, 0x26, 0x64, 0x65, 0x66, 0x67))

# One-byte opcodes that are sensitive whatever the ModRM (there is none or it
# does not matter).
ONE_BYTE = {
    0x6C: ("ins", "iopl"), 0x6D: ("ins", "iopl"),
    0x6E: ("outs", "iopl"), 0x6F: ("outs", "iopl"),
    0x8C: ("mov_from_sreg", "sens"),
    0x8E: ("mov_to_sreg", "sens"),
    0x9C: ("pushf", "sens"), 0x9D: ("popf", "sens"),
    0xCA: ("lret", "sens"), 0xCB: ("lret", "sens"),
    0xCD: ("int_n", "sens"),          # CD 03 too: INT n, not the CC INT3
    0xCF: ("iret", "sens"),
    0xE4: ("in", "iopl"), 0xE5: ("in", "iopl"), 0xEC: ("in", "iopl"), 0xED: ("in", "iopl"),
    0xE6: ("out", "iopl"), 0xE7: ("out", "iopl"), 0xEE: ("out", "iopl"), 0xEF: ("out", "iopl"),
    0xF4: ("hlt", "priv"),
    0xFA: ("cli", "iopl"), 0xFB: ("sti", "iopl"),
}

# 0F xx opcodes without ModRM-dependent meaning (prefix-dependent ones are in
# two_byte() below).
TWO_BYTE = {
    0x02: ("lar", "sens"), 0x03: ("lsl", "sens"),
    0x06: ("clts", "priv"), 0x07: ("sysret", "priv"), 0x08: ("invd", "priv"),
    0x20: ("mov_from_cr", "priv"), 0x21: ("mov_from_dr", "priv"),
    0x22: ("mov_to_cr", "priv"), 0x23: ("mov_to_dr", "priv"),
    0x30: ("wrmsr", "priv"), 0x31: ("rdtsc", "iopl"), 0x32: ("rdmsr", "priv"),
    0x33: ("rdpmc", "iopl"), 0x35: ("sysexit", "priv"), 0x37: ("getsec", "priv"),
    0xA0: ("push_sreg", "sens"), 0xA1: ("pop_sreg", "sens"),
    0xA8: ("push_sreg", "sens"), 0xA9: ("pop_sreg", "sens"),
    0xA2: ("cpuid", "sens"), 0xAA: ("rsm", "priv"),
}

# 0F 00 /reg
GRP6 = {0: ("sldt", "sens"), 1: ("str", "sens"), 2: ("lldt", "priv"), 3: ("ltr", "priv"),
        4: ("verr", "sens"), 5: ("verw", "sens")}
# 0F 01 /reg with mod != 3
GRP7_MEM = {0: ("sgdt", "sens"), 1: ("sidt", "sens"), 2: ("lgdt", "priv"), 3: ("lidt", "priv"),
            4: ("smsw", "sens"), 6: ("lmsw", "priv"), 7: ("invlpg", "priv")}
# 0F 01 with mod == 3, by the whole ModRM byte: {prefix: entry}; prefix None
# means "no 66/F2/F3" and "*" means "with any of them".
GRP7_REG = {
    0xC0: {"*": ("enclv", "sgx")},
    0xC1: {"*": ("vmcall", "vmx")},
    0xC2: {"*": ("vmlaunch", "vmx")},
    0xC3: {"*": ("vmresume", "vmx")},
    0xC4: {"*": ("vmxoff", "vmx")},
    0xC5: {"*": ("pconfig", "priv")},
    0xC6: {None: ("wrmsrns", "priv"), 0xF2: ("rdmsrlist", "priv"), 0xF3: ("wrmsrlist", "priv")},
    0xC8: {"*": ("monitor", "priv")},
    0xC9: {"*": ("mwait", "priv")},
    0xCA: {None: ("clac", "priv"), 0xF3: ("eretu", "fred"), 0xF2: ("erets", "fred")},
    0xCB: {"*": ("stac", "priv")},
    0xCC: {0x66: ("tdcall", "tdx")},
    0xCD: {0x66: ("seamret", "tdx")},
    0xCE: {0x66: ("seamops", "tdx")},
    0xCF: {None: ("encls", "sgx"), 0x66: ("seamcall", "tdx")},
    0xD0: {"*": ("xgetbv", "sens")},
    0xD1: {"*": ("xsetbv", "priv")},
    0xD4: {"*": ("vmfunc", "vmx")},
    0xD8: {"*": ("vmrun", "svm")},
    0xD9: {None: ("vmmcall", "svm"), 0xF3: ("vmgexit", "snp"), 0xF2: ("vmgexit", "snp")},
    0xDA: {"*": ("vmload", "svm")},
    0xDB: {"*": ("vmsave", "svm")},
    0xDC: {"*": ("stgi", "svm")},
    0xDD: {"*": ("clgi", "svm")},
    0xDE: {"*": ("skinit", "svm")},
    0xDF: {"*": ("invlpga", "svm")},
    0xE8: {0xF3: ("setssbsy", "cet")},          # NP E8 is serialize: not sensitive
    0xEE: {None: ("rdpkru", "sens")},           # F3 EE is clui (user interrupts)
    0xEF: {None: ("wrpkru", "sens")},           # F3 EF is stui
    0xF8: {"*": ("swapgs", "priv")},
    0xF9: {"*": ("rdtscp", "iopl")},
    0xFA: {"*": ("monitorx", "sens")},
    0xFB: {"*": ("mwaitx", "sens")},
    0xFD: {None: ("rdpru", "iopl"), 0xF3: ("rmpquery", "snp")},
    0xFE: {None: ("invlpgb", "priv"), 0xF3: ("rmpadjust", "snp"), 0xF2: ("rmpupdate", "snp")},
    0xFF: {None: ("tlbsync", "priv"), 0xF2: ("pvalidate", "snp"), 0xF3: ("psmash", "snp")},
}
for _m in range(0xE0, 0xE8):
    GRP7_REG[_m] = {"*": ("smsw", "sens")}
for _m in range(0xF0, 0xF8):
    GRP7_REG[_m] = {"*": ("lmsw", "priv")}


def _pick(row, mp):
    if "*" in row:
        return row["*"]
    return row.get(mp)


def classify(b):
    """(name, group) if the instruction in bytes b is sensitive, else None."""
    n = len(b)
    i = 0
    p66 = False
    rep = None                     # the last F2/F3, which wins as mandatory prefix
    while i < n:
        c = b[i]
        if 0x40 <= c <= 0x4F:              # REX (always, in 64-bit mode); one that a
            i += 1                         # legacy prefix follows is ignored by the CPU
            continue
        if c not in LEGACY_PREFIXES:
            break
        if c == 0x66:
            p66 = True
        elif c == 0xF2 or c == 0xF3:
            rep = c
        i += 1
    if i >= n:
        return None
    op = b[i]
    if op != 0x0F:
        hit = ONE_BYTE.get(op)
        if hit is not None:
            return hit
        if op == 0xFF and i + 1 < n:
            m = b[i + 1]
            if m < 0xC0:                   # far forms exist for memory operands only
                reg = (m >> 3) & 7
                if reg == 3:
                    return ("lcall", "sens")
                if reg == 5:
                    return ("ljmp", "sens")
        return None
    # two-byte map
    if i + 1 >= n:
        return None
    op = b[i + 1]
    hit = TWO_BYTE.get(op)
    if hit is not None:
        return hit
    mp = rep if rep is not None else (0x66 if p66 else None)
    m = b[i + 2] if i + 2 < n else None
    if op == 0x09:
        return ("wbnoinvd", "priv") if mp == 0xF3 else ("wbinvd", "priv")
    if m is None:                          # every remaining row has a ModRM byte
        return None
    mod, reg = m >> 6, (m >> 3) & 7
    if op == 0x00:
        hit = GRP6.get(reg)
        if hit is not None:
            return hit
        if reg == 6 and mp == 0xF2:
            return ("lkgs", "fred")
        return None
    if op == 0x01:
        if mod != 3:
            return GRP7_MEM.get(reg)
        row = GRP7_REG.get(m)
        return _pick(row, mp) if row is not None else None
    if op == 0x78 and mp is None:
        return ("vmread", "vmx")
    if op == 0x79 and mp is None:
        return ("vmwrite", "vmx")
    if op == 0xAE:
        if mod == 3 and mp == 0xF3 and reg <= 3:
            return (("rdfsbase", "rdgsbase", "wrfsbase", "wrgsbase")[reg], "iopl")
        if mod != 3 and reg == 6 and mp == 0xF3:
            return ("clrssbsy", "cet")
        return None
    if op in (0xB2, 0xB4, 0xB5):
        if mod != 3:
            return ({0xB2: "lss", 0xB4: "lfs", 0xB5: "lgs"}[op], "sens")
        return None
    if op == 0xC7:
        if mod == 3:
            if reg == 7 and mp == 0xF3:
                return ("rdpid", "iopl")
            return None
        if reg == 3 and mp is None:
            return ("xrstors", "priv")
        if reg == 5 and mp is None:
            return ("xsaves", "priv")
        if reg == 6:
            return {None: ("vmptrld", "vmx"), 0x66: ("vmclear", "vmx"),
                    0xF3: ("vmxon", "vmx")}.get(mp)
        if reg == 7 and mp is None:
            return ("vmptrst", "vmx")
        return None
    if op == 0x38:
        op3 = m
        m = b[i + 3] if i + 3 < n else None
        if m is None:
            return None
        if mp == 0x66:
            hit = {0x80: ("invept", "vmx"), 0x81: ("invvpid", "vmx"),
                   0x82: ("invpcid", "priv"), 0xF5: ("wruss", "cet")}.get(op3)
            return hit
        if mp == 0xF3:
            if op3 == 0xDC and m >= 0xC0:
                return ("loadiwkey", "priv")
            if op3 == 0xF8 and m < 0xC0:
                return ("enqcmds", "priv")
        return None
    if op == 0x3A:
        if m == 0xF0 and mp == 0xF3:
            return ("hreset", "priv")
        return None
    return None


# Every name classify() can return, with its group: the self-test checks
# that each one is exercised by at least one positive instruction.
def modrm_length(b):
    """Length of an instruction in the 0F 00 / 0F 01 groups (legacy prefixes,
    REX, 0F, opcode, ModRM, SIB, displacement) from its bytes, or None.

    The oracle needs it where libopcodes is older than the instruction set
    (binutils 2.40 prints lkgs, F2 0F 00 /6, as "(bad)" and resumes inside
    it): those rows have no immediate, so ModRM says how long they are."""
    n, i = len(b), 0
    while i < n and (b[i] in LEGACY_PREFIXES or 0x40 <= b[i] <= 0x4F):
        i += 1
    if i + 2 >= n or b[i] != 0x0F or b[i + 1] not in (0x00, 0x01):
        return None
    m = b[i + 2]
    mod, rm = m >> 6, m & 7
    length = i + 3
    if mod != 3 and rm == 4:               # SIB
        if length >= n:
            return None
        if mod == 0 and b[length] & 7 == 5:
            length += 4                     # no base: disp32
        length += 1
    if mod == 0 and rm == 5:
        length += 4                         # RIP-relative disp32
    elif mod == 1:
        length += 1
    elif mod == 2:
        length += 4
    return length if length <= min(n, 15) else None


def all_names():
    names = {}
    for tab in (ONE_BYTE, TWO_BYTE, GRP6, GRP7_MEM):
        for name, group in tab.values():
            names[name] = group
    for row in GRP7_REG.values():
        for name, group in row.values():
            names[name] = group
    extra = {"lcall": "sens", "ljmp": "sens", "wbinvd": "priv", "wbnoinvd": "priv",
             "lkgs": "fred", "vmread": "vmx", "vmwrite": "vmx",
             "rdfsbase": "iopl", "rdgsbase": "iopl", "wrfsbase": "iopl", "wrgsbase": "iopl",
             "clrssbsy": "cet", "lss": "sens", "lfs": "sens", "lgs": "sens", "rdpid": "iopl",
             "xrstors": "priv", "xsaves": "priv", "vmptrld": "vmx", "vmclear": "vmx",
             "vmxon": "vmx", "vmptrst": "vmx", "invept": "vmx", "invvpid": "vmx",
             "invpcid": "priv", "wruss": "cet", "loadiwkey": "priv", "enqcmds": "priv",
             "hreset": "priv"}
    names.update(extra)
    return names
