#!/usr/bin/env python3
"""oracle.py [options] ELF -- ground-truth coverage of sensitive instructions.

Decodes every instruction of every executable section with libopcodes
(objdump), classifies each from its bytes against tests/oracle/classify.py
(an independent table: nothing from rewriting-rules/, the generated tables
or lib/insn_match.c), reads the .previrt records itself and lists every
sensitive instruction that no site covers.  Exit status: 0 when everything
counted is covered, 1 when something is not (0 with --report-only), 2 on a
usage or input error.

Options:
  --report-only          exit 0 even when something is uncovered
  --json                 one JSON document instead of the text report
  --no-alt-exclude       count instructions inside .altinstructions originals
  --alt-layout=NAME      struct alt_instr layout: auto (default: the one layout
                         under which every entry names ordinary code and a
                         replacement), 6.1 (12 bytes, u16 cpuid) or 6.3 (14
                         bytes, u32 ft_flags)
  --replacement=PREFIX   one more section-name prefix of replacement code
                         (repeatable; .altinstr_replacement is always one)
  --list-excluded        also list each excluded instruction
  --objdump=PATH         objdump to run (default: $OBJDUMP or objdump)
  --time                 print the wall time taken on stderr
"""
import bisect
import json
import os
import struct
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from classify import classify, modrm_length  # noqa: E402

SHF_ALLOC, SHF_EXECINSTR = 0x2, 0x4
SHT_SYMTAB, SHT_RELA, SHT_NOBITS = 2, 4, 8
ET_REL = 1
R_X86_64_64, R_X86_64_PC32, R_X86_64_PLT32 = 1, 2, 4

RECORD = struct.Struct("<iHBBBBH")   # docs/format.md: s32 addr, u16 kind, u8 length,
HEADER = struct.Struct("<IHBBB3s")   # u8 insn_length, u8 flags, u8 width, u16 xflags
MAGIC = 0x54525650                   # "PVRT"
F_MMIO = 0x04

# Linux struct alt_instr, by kernel version: (struct format, field names).
# The entry size and the offsets of instr_offset/instrlen come from these.
ALT_LAYOUTS = {
    "6.1": ("<iiHBB", ("instr_offset", "repl_offset", "cpuid", "instrlen", "replacementlen")),
    "6.3": ("<iiIBB", ("instr_offset", "repl_offset", "ft_flags", "instrlen", "replacementlen")),
}

REPLACEMENT_PREFIXES = [".altinstr_replacement"]


class InputError(Exception):
    pass


class Section:
    __slots__ = ("index", "name", "type", "flags", "addr", "offset", "size", "link", "info",
                 "entsize")

    @property
    def exec(self):
        return bool(self.flags & SHF_EXECINSTR) and self.type != SHT_NOBITS


class Elf:
    """The parts of an ELF64 little-endian x86-64 file the oracle needs."""

    def __init__(self, path):
        self.path = path
        with open(path, "rb") as f:
            self.data = f.read()
        d = self.data
        if d[:4] != b"\x7fELF" or d[4] != 2 or d[5] != 1:
            raise InputError(f"{path}: not a little-endian ELF64 file")
        (self.type, machine, _, _, _, shoff, _, _, _, _, shentsize, shnum,
         shstrndx) = struct.unpack_from("<HHIQQQIHHHHHH", d, 16)
        if machine != 62:
            raise InputError(f"{path}: not x86-64 (e_machine {machine})")
        if shoff == 0:
            raise InputError(f"{path}: no section headers")
        if shnum == 0:        # more than 0xff00 sections: the count is in section 0
            shnum = struct.unpack_from("<Q", d, shoff + 32)[0]
        if shstrndx == 0xFFFF:
            shstrndx = struct.unpack_from("<I", d, shoff + 40)[0]
        self.sections = []
        for i in range(shnum):
            s = Section()
            (name, s.type, s.flags, s.addr, s.offset, s.size, s.link, s.info, _,
             s.entsize) = struct.unpack_from("<IIQQQQIIQQ", d, shoff + i * shentsize)
            s.index, s.name = i, name
            self.sections.append(s)
        strtab = self.sections[shstrndx]
        for s in self.sections:
            s.name = self._cstr(strtab.offset + s.name)
        self.relocatable = self.type == ET_REL
        self._symbols = None
        self._relocs = {}
        self._symtab = None

    def _cstr(self, off):
        return self.data[off:self.data.index(b"\0", off)].decode("utf-8", "replace")

    def by_name(self, name):
        return [s for s in self.sections if s.name == name]

    def bytes_of(self, s):
        if s.type == SHT_NOBITS:
            return b""
        return self.data[s.offset:s.offset + s.size]

    def symtab(self):
        """[(st_name, st_info, st_shndx, st_value, st_size)] of .symtab, or []."""
        if self._symtab is None:
            self._symtab = self._read_symtab()
        return self._symtab

    def _read_symtab(self):
        tabs = [s for s in self.sections if s.type == SHT_SYMTAB]
        if not tabs:
            return [], None
        tab = tabs[0]
        strs = self.sections[tab.link]
        out = []
        for off in range(tab.offset, tab.offset + tab.size - 23, 24):
            name, info, _, shndx, value, size = struct.unpack_from("<IBBHQQ", self.data, off)
            out.append((name, info, shndx, value, size))
        return out, strs

    def symbols(self):
        """shndx -> sorted [(offset in section, name)] of named code/data symbols."""
        if self._symbols is None:
            syms, strs = self.symtab()
            per = {}
            for name, info, shndx, value, _ in syms:
                typ = info & 0xF
                if not name or shndx == 0 or shndx >= 0xFF00 or typ in (3, 4):   # SECTION, FILE
                    continue
                sec = self.sections[shndx] if shndx < len(self.sections) else None
                if sec is None:
                    continue
                nm = self._cstr(strs.offset + name)
                off = value if self.relocatable else value - sec.addr
                per.setdefault(shndx, []).append((off, typ != 2, nm))   # FUNC sorts first
            self._symbols = {k: sorted(v) for k, v in per.items()}
            self._symkeys = {k: [e[0] for e in v] for k, v in self._symbols.items()}
        return self._symbols

    def describe(self, shndx, off):
        """'symbol+0xN' for a location, or '?'."""
        syms = self.symbols().get(shndx)
        if not syms:
            return "?"
        k = bisect.bisect_right(self._symkeys[shndx], off) - 1
        if k < 0:
            return "?"
        # among the symbols at that offset, prefer a FUNC (sorted first)
        base = syms[k][0]
        j = bisect.bisect_left(self._symkeys[shndx], base)
        name = syms[j][2]
        return f"{name}+{off - base:#x}" if off != base else name

    def relocations_for(self, target):
        """{offset in target: (shndx, value)} from the RELA sections applying to target."""
        out = {}
        for rs in self.sections:
            if rs.type != SHT_RELA or rs.info != target.index:
                continue
            syms, _ = self.symtab()
            for off in range(rs.offset, rs.offset + rs.size - 23, 24):
                r_off, r_info, addend = struct.unpack_from("<QQq", self.data, off)
                typ, symi = r_info & 0xFFFFFFFF, r_info >> 32
                if typ not in (R_X86_64_PC32, R_X86_64_PLT32) or symi >= len(syms):
                    continue
                _, _, shndx, value, _ = syms[symi]
                if 0 < shndx < len(self.sections):
                    # PC32 at field P: value = S + A - P, so P + value = S + A
                    out[r_off] = (shndx, value + addend)
        return out

    def locate(self, vaddr, code_only=True):
        """(shndx, offset) of a virtual address in a linked image, or None."""
        for s in self.sections:
            if not s.flags & SHF_ALLOC or (code_only and not s.exec):
                continue
            if s.addr <= vaddr < s.addr + s.size:
                return s.index, vaddr - s.addr
        return None

    def self_relative(self, sec, rec_off, field_off, value):
        """Resolve a self-relative s32 at sec+rec_off+field_off: (shndx, off) or None."""
        if self.relocatable:
            if sec.index not in self._relocs:
                self._relocs[sec.index] = self.relocations_for(sec)
            return self._relocs[sec.index].get(rec_off + field_off)
        return self.locate(sec.addr + rec_off + field_off + value)


def read_sites(elf, warnings):
    """[(shndx, instruction start, insn_length, kind, flags)] from .previrt; header count."""
    secs = elf.by_name(".previrt")
    sites, headers = [], 0
    if not secs:
        warnings.append("no .previrt section: every sensitive instruction is uncovered")
        return sites, 0
    for sec in secs:
        data = elf.bytes_of(sec)
        if len(data) % RECORD.size:
            raise InputError(f".previrt size {len(data)} is not a multiple of {RECORD.size}")
        for off in range(0, len(data), RECORD.size):
            addr, kind, length, ilen, flags, width, xflags = RECORD.unpack_from(data, off)
            if kind == 0:
                magic, _, version, rsize, _, _ = HEADER.unpack_from(data, off)
                if magic != MAGIC or version not in (1, 2, 3, 4) or rsize != RECORD.size:   # docs/format.md: versions 1..4
                    raise InputError(f".previrt+{off:#x}: bad header record "
                                     f"(magic {magic:#x}, version {version}, size {rsize})")
                headers += 1
                continue
            where = elf.self_relative(sec, off, 0, addr)
            if where is None:
                warnings.append(f".previrt+{off:#x}: site address does not resolve into code")
                continue
            if ilen == 0 or ilen > length:
                warnings.append(f".previrt+{off:#x}: insn_length {ilen} > length {length}")
            # PAD_BEFORE (xflags 0x2): the pad first, the instruction at its end
            start = where[1] + (length - ilen if xflags & 0x2 and ilen <= length else 0)
            sites.append((where[0], start, ilen, kind, flags))
    if headers == 0:
        raise InputError(".previrt has no header record")
    return sites, headers


def alt_layout_fits(elf, layout, replacement):
    """Does every .altinstructions entry, read with this layout, name an original
    in ordinary code and a replacement inside a replacement section?"""
    fmt, fields = ALT_LAYOUTS[layout]
    st = struct.Struct(fmt)
    pos = {f: struct.calcsize(fmt[:1 + fields.index(f)]) for f in ("instr_offset", "repl_offset")}
    n = 0
    for sec in elf.by_name(".altinstructions"):
        data = elf.bytes_of(sec)
        if len(data) % st.size:
            return False
        for off in range(0, len(data), st.size):
            ent = dict(zip(fields, st.unpack_from(data, off)))
            orig = elf.self_relative(sec, off, pos["instr_offset"], ent["instr_offset"])
            if orig is None or orig[0] in replacement:
                return False
            if elf.relocatable:
                repl = elf.self_relative(sec, off, pos["repl_offset"], ent["repl_offset"])
            else:
                # an empty replacement may sit at the very end of its section
                v = sec.addr + off + pos["repl_offset"] + ent["repl_offset"]
                repl = next(((r, v - elf.sections[r].addr) for r in replacement
                             if elf.sections[r].addr <= v <= elf.sections[r].addr
                             + elf.sections[r].size), None)
            if repl is None or repl[0] not in replacement or \
                    repl[1] + ent["replacementlen"] > elf.sections[repl[0]].size:
                return False
            n += 1
    return n > 0


def pick_alt_layout(elf, replacement, warnings):
    """The struct alt_instr layout the image's own table fits (ALT_LAYOUTS in
    order), so no kernel version has to be named; None when none fits."""
    if not any(elf.bytes_of(s) for s in elf.by_name(".altinstructions")):
        return None
    for layout in ALT_LAYOUTS:
        if alt_layout_fits(elf, layout, replacement):
            return layout
    warnings.append(".altinstructions fits no known struct alt_instr layout "
                    f"({', '.join(ALT_LAYOUTS)}): not excluding ALTERNATIVE originals")
    return None


def read_alt_ranges(elf, layout, warnings):
    """Sorted, merged {shndx: [(start, end)]} of ALTERNATIVE original instructions."""
    if layout is None:
        return {}, 0
    fmt, fields = ALT_LAYOUTS[layout]
    st = struct.Struct(fmt)
    pos_instr = struct.calcsize(fmt[:1 + fields.index("instr_offset")])
    ranges = {}
    entries = bad = 0
    for sec in elf.by_name(".altinstructions"):
        data = elf.bytes_of(sec)
        if len(data) % st.size:
            warnings.append(f".altinstructions size {len(data)} is not a multiple of the "
                            f"{layout} struct alt_instr ({st.size} bytes): not excluding "
                            "ALTERNATIVE originals (try --alt-layout)")
            return {}, 0
        for off in range(0, len(data), st.size):
            ent = dict(zip(fields, st.unpack_from(data, off)))
            where = elf.self_relative(sec, off, pos_instr, ent["instr_offset"])
            entries += 1
            if where is None:
                bad += 1
                continue
            if ent["instrlen"]:
                ranges.setdefault(where[0], []).append((where[1], where[1] + ent["instrlen"]))
    if bad:
        warnings.append(f".altinstructions: {bad} of {entries} entries do not point into code "
                        f"(wrong --alt-layout?)")
    merged = {}
    for shndx, v in ranges.items():
        v.sort()
        out = []
        for a, b in v:
            if out and a <= out[-1][1]:
                out[-1] = (out[-1][0], max(out[-1][1], b))
            else:
                out.append((a, b))
        merged[shndx] = out
    return merged, entries


def in_ranges(ranges, starts, off, end):
    """Does [off, end) overlap one of the merged ranges?"""
    k = bisect.bisect_right(starts, off) - 1
    if k >= 0 and off < ranges[k][1]:
        return True
    return k + 1 < len(ranges) and ranges[k + 1][0] < end


def own_decode(elf, shndx, off):
    """(length, bytes) of a sensitive instruction libopcodes printed as (bad)
    at shndx+off that the oracle's own table knows, or None."""
    data = elf.bytes_of(elf.sections[shndx])[off:off + 15]
    n = modrm_length(data)
    if n is None or classify(data[:n]) is None:
        return None
    return n, data[:n]


def objdump_range(elf, objdump, shndx, start, stop):
    """[(offset, bytes, text)] objdump decodes in shndx from start to stop."""
    sec = elf.sections[shndx]
    base = 0 if elf.relocatable else sec.addr
    cmd = [objdump, "-d", "-w", "--insn-width=15", "-j", sec.name,
           f"--start-address={base + start:#x}", f"--stop-address={base + stop:#x}", "--", elf.path]
    out = subprocess.run(cmd, capture_output=True, text=True, errors="replace").stdout
    got = []
    for line in out.splitlines():
        parts = line.split("\t", 2)
        if len(parts) == 3 and parts[0].endswith(":"):
            got.append((int(parts[0][:-1], 16) - base, bytes.fromhex(parts[1]), parts[2].rstrip()))
    return got


def disassemble(elf, objdump):
    """Yield (shndx, offset, bytes, text) for every instruction of every executable
    section.  Where objdump prints (bad) for an instruction the oracle's own table
    knows (classify.modrm_length), that instruction is yielded whole and objdump's
    lines are replaced by a fresh decode from its end until both agree on an
    instruction boundary again: a linear sweep that resumed inside it would
    misread the bytes after it (pads, and sensitive instructions)."""
    window = 256
    resync = None          # (shndx, {offset: (bytes, text)} of the fresh decode, its end)
    for shndx, off, raw, text in _objdump_all(elf, objdump):
        if resync is not None:
            r_shndx, fresh, r_end = resync
            if shndx == r_shndx and off not in fresh and off < r_end:
                continue                    # objdump is still out of step
            for o in sorted(fresh):
                if shndx != r_shndx or o < off:
                    yield r_shndx, o, fresh[o][0], fresh[o][1]
            resync = None
            if shndx == r_shndx and off >= r_end:
                raise InputError(f"{elf.sections[shndx].name}+{off:#x}: objdump did not "
                                 f"get back in step within {window} bytes of an "
                                 "instruction it cannot decode")
        if "(bad)" in text:
            own = own_decode(elf, shndx, off)
            if own is not None:
                n, b = own
                yield shndx, off, b, "(oracle) " + classify(b)[0]
                sec = elf.sections[shndx]
                fresh = {o: (rb, t) for o, rb, t in
                         objdump_range(elf, objdump, shndx, off + n, min(off + n + window, sec.size))}
                resync = (shndx, fresh, min(off + n + window, sec.size))
                if not fresh:
                    resync = None
                continue
        yield shndx, off, raw, text
    if resync is not None:
        r_shndx, fresh, _ = resync
        for o in sorted(fresh):
            yield r_shndx, o, fresh[o][0], fresh[o][1]


def _objdump_all(elf, objdump):
    """Yield (shndx, offset, bytes, text) as one objdump run prints them."""
    exec_secs = [s for s in elf.sections if s.exec and s.size]
    by_name = {}
    for s in exec_secs:
        by_name.setdefault(s.name, []).append(s)
    cmd = [objdump, "-d", "-w", "--insn-width=15"]
    for name in by_name:
        cmd += ["-j", name]
    errf = tempfile.TemporaryFile()       # not a pipe: warnings must not stall objdump
    proc = subprocess.Popen(cmd + ["--", elf.path], stdout=subprocess.PIPE,
                            stderr=errf, text=True, bufsize=1 << 20,
                            encoding="utf-8", errors="replace")
    cur = None
    base = 0
    seen = set()
    fromhex = bytes.fromhex
    for line in proc.stdout:
        parts = line.split("\t", 2)
        if len(parts) < 3:
            if line.startswith("Disassembly of section "):
                name = line[len("Disassembly of section "):].rstrip().rstrip(":")
                queue = by_name.get(name)
                if not queue:
                    raise InputError(f"objdump disassembled unknown section {name}")
                cur = queue.pop(0)
                seen.add(cur.index)
                base = 0 if elf.relocatable else cur.addr
            continue
        if cur is None:
            continue
        a, raw, text = parts
        if not a.endswith(":"):
            continue
        yield cur.index, int(a[:-1], 16) - base, fromhex(raw), text.rstrip()
    rc = proc.wait()
    errf.seek(0)
    err = errf.read().decode("utf-8", "replace")
    if rc != 0:
        raise InputError(f"{' '.join(cmd[:1])} failed (exit {rc}): {err.strip()}")
    missing = [s.name for s in exec_secs if s.index not in seen]
    if missing:
        # objdump prints nothing for a section of only zeros; anything else is a gap
        for s in exec_secs:
            if s.index not in seen and elf.bytes_of(s).strip(b"\0"):
                raise InputError(f"objdump did not disassemble {s.name}")


def scan(elf, opts):
    warnings = []
    sites, headers = read_sites(elf, warnings)
    site_idx = {}
    for shndx, start, ilen, kind, flags in sites:
        site_idx.setdefault(shndx, []).append((start, start + ilen, kind, flags))
    for v in site_idx.values():
        v.sort()
    site_starts = {k: [e[0] for e in v] for k, v in site_idx.items()}

    replacement = {s.index for s in elf.sections
                   if any(s.name.startswith(p) for p in opts["replacement"])}

    layout = opts["alt_layout"]
    if opts["alt_exclude"] and layout == "auto":
        layout = pick_alt_layout(elf, replacement, warnings)
    if opts["alt_exclude"]:
        alt, alt_entries = read_alt_ranges(elf, layout, warnings)
    else:
        alt, alt_entries = {}, 0
    alt_starts = {k: [e[0] for e in v] for k, v in alt.items()}

    insns = total_bytes = bad_decodes = 0
    covered, uncovered, excluded = [], [], []
    site_start_sets = {k: set(v) for k, v in site_starts.items()}
    at_boundary = set()         # (shndx, start) of sites that start an instruction
    sens_at = {}                # (shndx, off) -> name, for the reverse check
    for shndx, off, raw, text in disassemble(elf, opts["objdump"]):
        insns += 1
        total_bytes += len(raw)
        ss = site_start_sets.get(shndx)
        if ss and off in ss:
            at_boundary.add((shndx, off))
        if "(bad)" in text or text.startswith(".byte"):
            bad_decodes += 1
            continue
        hit = classify(raw)
        if hit is None:
            continue
        name, group = hit
        end = off + len(raw)
        sens_at[(shndx, off)] = name
        item = {"shndx": shndx, "off": off, "len": len(raw), "name": name, "group": group,
                "bytes": raw.hex(" "), "text": text}
        if shndx in replacement:
            item["reason"] = "replacement section"
            excluded.append(item)
            continue
        v = site_idx.get(shndx)
        if v:
            k = bisect.bisect_right(site_starts[shndx], off) - 1
            if k >= 0 and v[k][0] <= off and end <= v[k][1]:
                covered.append(item)
                continue
        a = alt.get(shndx)
        if a and in_ranges(a, alt_starts[shndx], off, end):
            item["reason"] = "ALTERNATIVE original"
            excluded.append(item)
            continue
        uncovered.append(item)

    # Sites the oracle does not agree with: not at an instruction boundary, or
    # (non-MMIO) on an instruction this table does not call sensitive.
    odd_sites = []
    for shndx, start, ilen, kind, flags in sites:
        if (shndx, start) not in at_boundary:
            odd_sites.append((shndx, start, kind, "not at an instruction boundary"))
        elif not flags & F_MMIO and (shndx, start) not in sens_at:
            odd_sites.append((shndx, start, kind, "first instruction not sensitive here"))

    return {
        "sites": len(sites), "headers": headers, "alt_entries": alt_entries,
        "alt_layout": layout if alt_entries else None,
        "instructions": insns, "code_bytes": total_bytes, "bad_decodes": bad_decodes,
        "covered": covered, "uncovered": uncovered, "excluded": excluded,
        "odd_sites": odd_sites, "warnings": warnings,
    }


def tally(items, key):
    out = {}
    for it in items:
        out[it[key]] = out.get(it[key], 0) + 1
    return dict(sorted(out.items(), key=lambda kv: (-kv[1], kv[0])))


def address(elf, shndx, off):
    if elf.relocatable:
        return f"{elf.sections[shndx].name}+{off:#x}"
    return f"{elf.sections[shndx].addr + off:#x}"


def percent(c, t):
    # tenths rounded down, so 1999/2000 shows 99.9%, never 100.0%
    tenths = c * 1000 // t if t else 1000
    return f"{tenths // 10}.{tenths % 10}%"


def main(argv):
    opts = {"report_only": False, "json": False, "alt_exclude": True, "alt_layout": "auto",
            "replacement": list(REPLACEMENT_PREFIXES), "list_excluded": False,
            "objdump": os.environ.get("OBJDUMP", "objdump"), "time": False}
    files = []
    for a in argv[1:]:
        if a == "--report-only":
            opts["report_only"] = True
        elif a == "--json":
            opts["json"] = True
        elif a == "--no-alt-exclude":
            opts["alt_exclude"] = False
        elif a.startswith("--alt-layout="):
            opts["alt_layout"] = a.split("=", 1)[1]
            if opts["alt_layout"] not in ALT_LAYOUTS and opts["alt_layout"] != "auto":
                print(f"oracle: unknown --alt-layout (known: auto, {', '.join(ALT_LAYOUTS)})",
                      file=sys.stderr)
                return 2
        elif a.startswith("--replacement="):
            opts["replacement"].append(a.split("=", 1)[1])
        elif a == "--list-excluded":
            opts["list_excluded"] = True
        elif a.startswith("--objdump="):
            opts["objdump"] = a.split("=", 1)[1]
        elif a == "--time":
            opts["time"] = True
        elif a in ("-h", "--help"):
            print(__doc__)
            return 0
        elif a.startswith("-"):
            print(f"oracle: unknown option {a}", file=sys.stderr)
            return 2
        else:
            files.append(a)
    if len(files) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    t0 = time.monotonic()
    try:
        elf = Elf(files[0])
        res = scan(elf, opts)
    except (InputError, OSError) as e:
        print(f"oracle: {e}", file=sys.stderr)
        return 2
    elapsed = time.monotonic() - t0

    cov, unc, exc = res["covered"], res["uncovered"], res["excluded"]
    total = len(cov) + len(unc)
    for lst in (cov, unc, exc):
        for it in lst:
            it["address"] = address(elf, it["shndx"], it["off"])
            it["section"] = elf.sections[it["shndx"]].name
    for it in unc + exc:
        it["symbol"] = elf.describe(it["shndx"], it["off"])

    if opts["json"]:
        doc = {
            "file": files[0], "covered": len(cov), "total": total,
            "sites": res["sites"], "headers": res["headers"],
            "instructions": res["instructions"], "code_bytes": res["code_bytes"],
            "bad_decodes": res["bad_decodes"], "alt_entries": res["alt_entries"],
            "alt_layout": res["alt_layout"],
            "uncovered": [{k: it[k] for k in ("address", "section", "symbol", "name", "group",
                                              "bytes", "text")} for it in unc],
            "uncovered_by_name": tally(unc, "name"), "uncovered_by_group": tally(unc, "group"),
            "covered_by_name": tally(cov, "name"),
            "excluded": [{k: it[k] for k in ("address", "section", "symbol", "name", "reason",
                                             "bytes", "text")} for it in exc],
            "odd_sites": [{"address": address(elf, s, o), "kind": k, "why": w}
                          for s, o, k, w in res["odd_sites"]],
            "warnings": res["warnings"], "seconds": round(elapsed, 2),
        }
        json.dump(doc, sys.stdout, indent=1)
        print()
    else:
        out = sys.stdout
        for w in res["warnings"]:
            print(f"warning: {w}", file=out)
        print(f"{files[0]}: {res['instructions']} instructions in {res['code_bytes']} bytes "
              f"of code, {res['bad_decodes']} undecodable; {res['sites']} sites "
              f"({res['headers']} header records); {res['alt_entries']} .altinstructions "
              f"entries" + (f" ({res['alt_layout']} layout)" if res["alt_layout"] else ""),
              file=out)
        if unc:
            print(f"sensitive instructions no site covers ({len(unc)}):", file=out)
            for it in unc:
                print(f"  {it['address']:<20} {it['symbol']:<40} {it['section']:<14} "
                      f"{it['name']:<14} {it['bytes']:<24} | {it['text']}", file=out)
        if exc:
            print(f"excluded, cannot be sites ({len(exc)}): "
                  + ", ".join(f"{k} {v}" for k, v in tally(exc, "reason").items()), file=out)
            for reason in tally(exc, "reason"):
                sub = [it for it in exc if it["reason"] == reason]
                print(f"  {reason}: " + "  ".join(f"{k} {v}" for k, v in
                                                 tally(sub, "name").items()), file=out)
                if opts["list_excluded"]:
                    for it in sub:
                        print(f"    {it['address']:<20} {it['symbol']:<40} {it['name']:<14} "
                              f"| {it['text']}", file=out)
        if res["odd_sites"]:
            print(f"sites the oracle does not see on a sensitive instruction "
                  f"({len(res['odd_sites'])}):", file=out)
            for s, o, k, w in res["odd_sites"][:50]:
                print(f"  {address(elf, s, o):<20} {elf.describe(s, o):<40} kind {k}: {w}",
                      file=out)
        print("covered by category:   " + "  ".join(f"{k} {v}" for k, v in
                                                     tally(cov, "name").items()), file=out)
        print("uncovered by category: " + ("  ".join(f"{k} {v}" for k, v in
                                                      tally(unc, "name").items()) or "none"),
              file=out)
        print("uncovered by group:    " + ("  ".join(f"{k} {v}" for k, v in
                                                      tally(unc, "group").items()) or "none"),
              file=out)
        print(f"oracle: {len(cov)}/{total} covered ({percent(len(cov), total)})", file=out)
    if opts["time"]:
        print(f"oracle: {elapsed:.1f} s", file=sys.stderr)
    return 1 if unc and not opts["report_only"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
