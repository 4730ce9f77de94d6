"""Read an x86-64 ELF object through binutils (objdump, readelf, objcopy) only.

The plugin tests use this instead of any previrt code, so that a bug in the
shared matcher or rewriter cannot hide itself: what counts as sensitive here
is spelled out independently in SENSITIVE below, from the instruction set,
not from rewriting-rules/.
"""
import re
import struct
import subprocess
import tempfile
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from previrt_format import RECORD, HEADER, MAGIC, VERSION, XFLAG, X_KNOWN  # noqa: E402  (layout from include/previrt/format.h)

# objdump mnemonic (prefixes stripped) -> kind name.  mov is decided by operands.
SENSITIVE = {
    "cli": "cli", "sti": "sti", "hlt": "hlt",
    "pushf": "pushf", "pushfq": "pushf", "pushfw": "pushf",
    "popf": "popf", "popfq": "popf", "popfw": "popf",
    "in": "in", "out": "out",
    "insb": "ins", "insw": "ins", "insl": "ins", "insd": "ins",
    "outsb": "outs", "outsw": "outs", "outsl": "outs", "outsd": "outs",
    "rdmsr": "rdmsr", "wrmsr": "wrmsr", "cpuid": "cpuid",
    "invlpg": "invlpg", "invpcid": "invpcid",
    "lgdt": "lgdt", "lidt": "lidt", "lldt": "lldt", "ltr": "ltr",
    "sgdt": "sgdt", "sidt": "sidt", "sldt": "sldt", "str": "str",
    "smsw": "smsw", "lmsw": "lmsw", "clts": "clts", "swapgs": "swapgs",
    "iret": "iret", "iretq": "iret", "iretl": "iret", "iretw": "iret",
    "sysret": "sysret", "sysretq": "sysret", "sysretl": "sysret",
    "sysexit": "sysexit", "sysexitl": "sysexit", "sysexitq": "sysexit",
    "wbinvd": "wbinvd", "invd": "invd", "wbnoinvd": "wbnoinvd",
    "xsetbv": "xsetbv", "xgetbv": "xgetbv",
    "rdtsc": "rdtsc", "rdtscp": "rdtscp", "rdpmc": "rdpmc",
    "monitor": "monitor", "mwait": "mwait",
    "rdfsbase": "rdfsbase", "rdgsbase": "rdgsbase",
    "wrfsbase": "wrfsbase", "wrgsbase": "wrgsbase",
    "rdpkru": "rdpkru", "wrpkru": "wrpkru", "rdpid": "rdpid",
    # Robin & Irvine's sensitive unprivileged instructions (segment forms: see kind())
    "lar": "lar", "lsl": "lsl", "verr": "verr", "verw": "verw",
    "ljmp": "far_jmp", "lcall": "far_call",
    "lret": "far_ret", "lretq": "far_ret", "lretl": "far_ret", "lretw": "far_ret",
    "lfs": "load_far_ptr", "lgs": "load_far_ptr", "lss": "load_far_ptr",
    # x86-64 system instructions
    "stac": "stac", "clac": "clac",
    "xsaves": "xsaves", "xsaves64": "xsaves", "xrstors": "xrstors", "xrstors64": "xrstors",
    "vmcall": "vmcall", "vmmcall": "vmmcall",
    "vmxon": "vmx", "vmxoff": "vmx", "vmread": "vmx", "vmwrite": "vmx", "vmptrld": "vmx",
    "vmptrst": "vmx", "vmclear": "vmx", "invept": "vmx", "invvpid": "vmx",
    "vmlaunch": "vmx_enter", "vmresume": "vmx_enter", "vmfunc": "vmfunc",
    "vmload": "svm", "vmsave": "svm", "stgi": "svm", "clgi": "svm", "invlpga": "svm",
    "vmrun": "vmrun", "skinit": "skinit",
    "invlpgb": "invlpgb", "tlbsync": "tlbsync", "pconfig": "pconfig",
    "encls": "encls", "enclv": "enclv", "lkgs": "lkgs", "erets": "erets", "eretu": "eretu",
    "wrmsrns": "wrmsrns", "rdmsrlist": "rdmsrlist", "wrmsrlist": "wrmsrlist",
    "wrussd": "wruss", "wrussq": "wruss", "setssbsy": "setssbsy", "clrssbsy": "clrssbsy",
    "loadiwkey": "loadiwkey", "tdcall": "tdcall", "seamcall": "seamcall", "rdpru": "rdpru",
    "enqcmds": "enqcmds", "hreset": "hreset", "getsec": "getsec",
    "pvalidate": "pvalidate", "rmpadjust": "rmpadjust", "rmpupdate": "rmpupdate",
    "psmash": "psmash", "monitorx": "monitorx", "mwaitx": "mwaitx",
}
SEGMENT_REGS = {"%es", "%cs", "%ss", "%ds", "%fs", "%gs"}
PREFIXES = {"rep", "repz", "repe", "repnz", "repne", "lock", "data16", "addr32",
            "cs", "ds", "es", "ss", "fs", "gs", "notrack", "rex.w", "rex", "rex.W"}
NOP_MNEMONICS = {"nop", "nopl", "nopw", "nopq", "xchg %ax,%ax"}

REG_WIDTH = {}
for _r in ["ax", "bx", "cx", "dx", "si", "di", "bp", "sp"]:
    REG_WIDTH["r" + _r], REG_WIDTH["e" + _r], REG_WIDTH[_r] = 8, 4, 2
for _r in ["al", "bl", "cl", "dl", "sil", "dil", "bpl", "spl", "ah", "bh", "ch", "dh"]:
    REG_WIDTH[_r] = 1
for _n in range(8, 16):
    REG_WIDTH[f"r{_n}"], REG_WIDTH[f"r{_n}d"] = 8, 4
    REG_WIDTH[f"r{_n}w"], REG_WIDTH[f"r{_n}b"] = 2, 1


def run(*cmd):
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


class Insn:
    __slots__ = ("section", "addr", "size", "text", "mnemonic", "operands", "prefixes",
                 "function")

    def __init__(self, section, addr, size, text, function):
        self.section, self.addr, self.size, self.text = section, addr, size, text
        self.function = function
        words = text.split()
        self.prefixes = []
        while len(words) > 1 and words[0] in PREFIXES:
            self.prefixes.append(words.pop(0))
        self.mnemonic = words[0] if words else ""
        self.operands = " ".join(words[1:])

    def is_nop(self):
        t = " ".join([self.mnemonic, self.operands]).strip()
        return self.mnemonic in ("nop", "nopl", "nopw", "nopq") or t == "xchg %ax,%ax"

    def kind(self):
        """Independent classification of one instruction, or None."""
        m = self.mnemonic
        if m == "clac" and ("repnz" in self.prefixes or "repz" in self.prefixes):
            # binutils 2.40 predates FRED: it shows F2/F3 0F 01 CA as a prefixed clac
            return "erets" if "repnz" in self.prefixes else "eretu"
        if m in SENSITIVE:
            return SENSITIVE[m]
        ops = [o.strip() for o in re.split(r",(?![^(]*\))", self.operands.split("#")[0])]
        if m == "int":              # int3 and int1 are other mnemonics
            return "int_n"
        if m in ("push", "pushq", "pushw") and len(ops) == 1 and ops[0] in SEGMENT_REGS:
            return "push_seg"
        if m in ("pop", "popq", "popw") and len(ops) == 1 and ops[0] in SEGMENT_REGS:
            return "pop_ss" if ops[0] == "%ss" else "pop_seg"
        if m in ("mov", "movq", "movl", "movw") and len(ops) == 2:
            if ops[1] == "%ss":
                return "mov_to_ss"
            if ops[1] in SEGMENT_REGS:
                return "mov_to_seg"
            if ops[0] in SEGMENT_REGS:
                return "mov_from_seg"
        if m in ("mov", "movq", "movl"):
            if len(ops) == 2:
                src, dst = ops[0].strip(), ops[1].strip()
                if re.match(r"%cr\d", src):
                    return "mov_from_cr"
                if re.match(r"%cr\d", dst):
                    return "mov_to_cr"
                if re.match(r"%d[rb]\d", src):
                    return "mov_from_dr"
                if re.match(r"%d[rb]\d", dst):
                    return "mov_to_dr"
        return None

    def mmio(self):
        """(direction, width) of a plain mov between a register/immediate and
        memory, or None."""
        if not self.mnemonic.startswith("mov") or self.mnemonic.startswith("movz") or \
                self.mnemonic.startswith("movs") or self.mnemonic in ("movabs",):
            return None
        ops = [o.strip() for o in re.split(r",(?![^(]*\))", self.operands)]
        if len(ops) != 2:
            return None
        src, dst = ops
        suffix = {"b": 1, "w": 2, "l": 4, "q": 8}.get(self.mnemonic[3:4]) \
            if len(self.mnemonic) == 4 else None
        # memory: a base/index form, or an absolute address (the fixmap
        # LAPIC: "mov %eax,0xffffffffff5fc0b0", no parentheses)
        def mem(op):
            return "(" in op or re.match(r"^(0x[0-9a-f]+|\d+)$", op) is not None

        if mem(src) and dst.startswith("%"):
            return ("read", REG_WIDTH.get(dst[1:], suffix))
        if mem(dst) and (src.startswith("%") or src.startswith("$")):
            w = REG_WIDTH.get(src[1:]) if src.startswith("%") else suffix
            return ("write", w or suffix)
        return None


class Object:
    """One relocatable x86-64 object, as binutils sees it."""

    def __init__(self, path):
        self.path = path
        self.sections = self._sections()
        self.insns = self._disassemble()
        self.by_addr = {(i.section, i.addr): i for i in self.insns}
        self.functions = self._functions()

    def _sections(self):
        out = {}
        for line in run("readelf", "-SW", self.path).splitlines():
            m = re.match(r"\s*\[\s*\d+\]\s+(\S+)\s+(\S+)\s+\S+\s+\S+\s+(\S+)\s+\S+\s+(.*)$", line)
            if m:
                flags = m.group(4).split()[0] if m.group(4).split() and \
                    not m.group(4).split()[0].isdigit() else ""
                out[m.group(1)] = {"type": m.group(2), "size": int(m.group(3), 16),
                                   "flags": flags}
        return out

    def exec_sections(self):
        return [s for s, v in self.sections.items() if "X" in v["flags"]]

    def _disassemble(self):
        insns, section, function = [], None, None
        text = run("objdump", "-d", "-w", "--no-show-raw-insn", self.path)
        for line in text.splitlines():
            m = re.match(r"Disassembly of section (\S+):", line)
            if m:
                section = m.group(1)
                continue
            m = re.match(r"[0-9a-f]+ <([^>]+)>:", line)
            if m:
                function = m.group(1)
                continue
            m = re.match(r"\s+([0-9a-f]+):\s+(.*)$", line)
            if m and section:
                t = re.sub(r"\s+#.*$", "", m.group(2)).strip()
                t = re.sub(r"\s+", " ", t)
                insns.append(Insn(section, int(m.group(1), 16), 0, t, function))
        # sizes: distance to the next instruction in the same section
        for a, b in zip(insns, insns[1:] + [None]):
            if b is not None and b.section == a.section:
                a.size = b.addr - a.addr
            else:
                a.size = self.sections[a.section]["size"] - a.addr
        return insns

    def _functions(self):
        """name -> (section, start, end) from the symbol table."""
        out = {}
        for line in run("readelf", "-sW", self.path).splitlines():
            f = line.split()
            if len(f) >= 8 and f[3] == "FUNC" and f[6].isdigit():
                secname = self.section_by_index(int(f[6]))
                out[f[7]] = (secname, int(f[1], 16), int(f[1], 16) + int(f[2], 0))
        return out

    def section_by_index(self, idx):
        for line in run("readelf", "-SW", self.path).splitlines():
            m = re.match(r"\s*\[\s*(\d+)\]\s+(\S+)", line)
            if m and int(m.group(1)) == idx:
                return m.group(2)
        return None

    def section_bytes(self, name):
        if name not in self.sections:
            return None
        with tempfile.TemporaryDirectory() as d:
            out = os.path.join(d, "sec.bin")
            run("objcopy", "-O", "binary", f"--only-section={name}",
                "--set-section-flags", f"{name}=alloc", self.path, out)
            with open(out, "rb") as f:
                return f.read()

    def relocations(self, section):
        """offset -> (target section or symbol, addend) for .rela<section>."""
        out, cur = {}, None
        for line in run("readelf", "-rW", self.path).splitlines():
            m = re.match(r"Relocation section '\.rela(\S+)'", line)
            if m:
                cur = m.group(1)
                continue
            f = line.split()
            if cur == section and len(f) >= 5 and re.match(r"^[0-9a-f]+$", f[0]):
                m = re.search(r"(\S+)\s*([+-])\s*([0-9a-f]+)$", line)
                if m:
                    add = int(m.group(3), 16) * (1 if m.group(2) == "+" else -1)
                    out[int(f[0], 16)] = (m.group(1), add)
        return out

    def resolve(self, target, addend):
        """(section, offset) for a PC32 relocation target symbol + addend
        (the addend of 'sym - .' is the field's distance to its own start, 0)."""
        if target in self.sections:
            return target, addend
        for line in run("readelf", "-sW", self.path).splitlines():
            f = line.split()
            if len(f) >= 8 and f[7] == target and f[6].isdigit():
                return self.section_by_index(int(f[6])), int(f[1], 16) + addend
        return None, None


def site_records(obj):
    """(section, offset) -> (kind, length, insn_length, flags) of every site
    record of a relocatable object, through its .rela.previrt."""
    data = obj.section_bytes(".previrt") or b""
    relocs = obj.relocations(".previrt")
    out = {}
    for off in range(0, len(data) - len(data) % 12, 12):
        _, kind, length, ilen, flags, _, _ = RECORD.unpack_from(data, off)
        if kind and off in relocs:
            out[obj.resolve(*relocs[off])] = (kind, length, ilen, flags)
    return out


def opens_shadow(insn):
    """sti, mov to %ss, pop %ss: the next instruction runs with interrupts
    still blocked (Intel SDM Vol. 3A 6.8.3, "interrupt shadow")."""
    ops = insn.operands.replace(" ", "")
    if insn.mnemonic == "sti":
        return True
    if insn.mnemonic in ("mov", "movw", "movl") and ops.endswith(",%ss"):
        return True
    return insn.mnemonic in ("pop", "popq", "popw") and ops == "%ss"
