#!/usr/bin/env python3
"""Turn rewriting-rules/*.rules into the C tables every previrt component compiles in.

    gen-tables.py RULES MMIO_RULES OUT_DIR

writes OUT_DIR/previrt_rules.h (kind numbers, table types) and
OUT_DIR/previrt_rules.c (the tables).  Both are freestanding C: the runtime
includes them as well as the plugin, the Clang pass and the report tool.

A malformed rule is one error line naming file:line, exit status 1, and no
output file is touched (files are written to a temporary name and renamed).
"""
import os
import re
import sys

GPRS = ["rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
        "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"]
ATTR_BITS = {"fault": "PREVIRT_RA_FAULT", "cflow": "PREVIRT_RA_CFLOW",
             "shadow": "PREVIRT_RA_SHADOW", "ustack": "PREVIRT_RA_USTACK"}
OPND_PATTERNS = {"*": "PREVIRT_OP_ANY", "%cr*": "PREVIRT_OP_CR",
                 "%dr*": "PREVIRT_OP_DR", "%db*": "PREVIRT_OP_DR",
                 "(*": "PREVIRT_OP_MEM", "%sreg": "PREVIRT_OP_SREG",
                 "%ss": "PREVIRT_OP_SS", "$*": "PREVIRT_OP_IMM"}
IMM_RE = re.compile(r"^\$(0x[0-9a-fA-F]+|[0-9]+)$")   # '$N': exactly the immediate N
# instruction kinds: 1..63 (format version 1) and 128..1023 (version 2); 64..127 are MMIO
INSN_ID_RANGES = ((1, 63), (128, 1023))
KIND_RE = re.compile(r"^[a-z][a-z0-9_]*$")
MNEM_RE = re.compile(r"^[a-z][a-z0-9]*$")


class RuleError(Exception):
    pass


def regmask(spec, where):
    mask = 0
    for r in spec.split("/"):
        if r not in GPRS:
            raise RuleError(f"{where}: unknown register '{r}'")
        mask |= 1 << GPRS.index(r)
    return mask


def parse_form(text, where):
    """One '|'-separated form -> dict(kind of form, parts)."""
    text = text.strip()
    if not text:
        raise RuleError(f"{where}: empty form")
    exclude = text.startswith("!")
    if exclude:
        text = text[1:].strip()
        if text.startswith(".byte") or ";" in text:
            raise RuleError(f"{where}: an exclusion '!' is one instruction, not .byte or a sequence")
    if text.startswith(".byte"):
        raw = [b.strip() for b in text[len(".byte"):].split(",")]
        try:
            data = [int(b, 0) for b in raw]
        except ValueError:
            raise RuleError(f"{where}: bad .byte form '{text}'") from None
        if not 1 <= len(data) <= 15 or any(not 0 <= b <= 255 for b in data):
            raise RuleError(f"{where}: bad .byte form '{text}'")
        return {"bytes": data}
    steps = [s.strip() for s in text.split(";")]
    if len(steps) > 2:
        raise RuleError(f"{where}: sequences of more than two instructions are not supported")
    out = []
    for step in steps:
        mnem, _, ops = step.partition(" ")
        if not MNEM_RE.match(mnem):
            raise RuleError(f"{where}: bad mnemonic '{mnem}'")
        pats, imms = [], []
        ops = ops.strip()
        if ops:
            for o in ops.split(","):
                o = o.strip()
                m = IMM_RE.match(o)
                if m and int(m.group(1), 0) <= 0xffffffff:
                    pats.append("PREVIRT_OP_IMMVAL")
                    imms.append(int(m.group(1), 0))
                    continue
                if o not in OPND_PATTERNS:
                    raise RuleError(f"{where}: bad operand pattern '{o}' "
                                    f"(expected one of {', '.join(OPND_PATTERNS)}, $N)")
                pats.append(OPND_PATTERNS[o])
        if len(pats) > 2:
            raise RuleError(f"{where}: at most two operand patterns")
        if len(imms) > 1:
            raise RuleError(f"{where}: at most one '$N' operand pattern")
        out.append((mnem, pats, imms[0] if imms else 0))
    return {"steps": out, "exclude": exclude}


def rule_lines(path):
    """(file:line, text) for every line of a rules file, comments and blank lines left out."""
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.split("#", 1)[0].strip()
            if line:
                yield f"{path}:{n}", line


def parse_rules(path):
    rules, ids, names = [], set(), set()
    for where, line in rule_lines(path):
        cols = line.split(None, 5)
        if len(cols) != 6:
            raise RuleError(f"{where}: expected 'id kind class size attrs forms'")
        sid, kind, cls, ssize, attrs, forms = cols
        try:
            rid, size = int(sid), int(ssize)
        except ValueError:
            raise RuleError(f"{where}: id and size must be numbers") from None
        if not any(lo <= rid <= hi for lo, hi in INSN_ID_RANGES):
            raise RuleError(f"{where}: instruction kind ids are 1..63 and 128..1023 "
                            f"(64..127 are MMIO kinds)")
        if rid in ids or kind in names:
            raise RuleError(f"{where}: duplicate id {rid} or kind '{kind}'")
        if not KIND_RE.match(kind):
            raise RuleError(f"{where}: bad kind name '{kind}'")
        if cls not in ("priv", "sens"):
            raise RuleError(f"{where}: class must be priv or sens")
        if not 1 <= size <= 64:
            raise RuleError(f"{where}: size must be 1..64")
        bits, uses, defs = [], 0, 0
        for a in ([] if attrs == "-" else attrs.split(",")):
            if a in ATTR_BITS:
                bits.append(ATTR_BITS[a])
            elif a.startswith("uses="):
                uses = regmask(a[5:], where)
            elif a.startswith("defs="):
                defs = regmask(a[5:], where)
            else:
                raise RuleError(f"{where}: unknown attribute '{a}'")
        ids.add(rid)
        names.add(kind)
        rules.append({"id": rid, "kind": kind, "priv": cls == "priv", "size": size,
                      "attrs": bits, "uses": uses, "defs": defs,
                      "forms": [parse_form(t, where) for t in forms.split("|")]})
        if all(f.get("exclude") for f in rules[-1]["forms"]):
            raise RuleError(f"{where}: a rule needs a form that is not an exclusion")
    if not rules:
        raise RuleError(f"{path}: no rules")
    return rules


def parse_mmio(path):
    acc, seen = [], set()
    for where, line in rule_lines(path):
        cols = line.split()
        if len(cols) not in (3, 4) or cols[1] not in ("read", "write") or \
                cols[2] not in ("1", "2", "4", "8") or cols[3:] not in ([], ["alternative"]):
            raise RuleError(f"{where}: expected 'function read|write 1|2|4|8 [alternative]'")
        if not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", cols[0]) or cols[0] in seen:
            raise RuleError(f"{where}: bad or duplicate function '{cols[0]}'")
        seen.add(cols[0])
        acc.append((cols[0], cols[1] == "write", int(cols[2]), len(cols) == 4))
    return acc


HEADER = """/* Generated by rewriting-rules/gen-tables.py from {src}. Do not edit. */
#ifndef PREVIRT_RULES_H
#define PREVIRT_RULES_H

#include <stdint.h>

enum previrt_kind {{
{kinds}
}};

#define PREVIRT_RULES_KIND_LAST  {kmax}   /* largest kind id these rules define */
#ifndef PREVIRT_KIND_MAX                  /* also in previrt/format.h: the format's bound */
#define PREVIRT_KIND_MAX         1023     /* tables indexed by kind have this many + 1 */
#endif
#define PREVIRT_MMIO_SITE_SIZE   5        /* minimum site size of MMIO accesses */

/* rule attributes */
#define PREVIRT_RA_PRIV    0x01   /* privileged (faults outside ring 0) */
#define PREVIRT_RA_FAULT   0x02   /* may #GP: exception-table entries expected */
#define PREVIRT_RA_CFLOW   0x04   /* transfers control */
#define PREVIRT_RA_SHADOW  0x08   /* opens an interrupt shadow */
#define PREVIRT_RA_MMIO    0x10   /* MMIO access kind */
#define PREVIRT_RA_USTACK  0x20   /* may run while %rsp is the user's stack (swapgs) */

/* operand patterns of a form */
enum previrt_op {{
	PREVIRT_OP_NONE, PREVIRT_OP_ANY, PREVIRT_OP_CR, PREVIRT_OP_DR, PREVIRT_OP_MEM,
	PREVIRT_OP_SREG,            /* a segment register: %es %cs %ss %ds %fs %gs */
	PREVIRT_OP_SS,              /* exactly %ss */
	PREVIRT_OP_IMM,             /* an immediate ($...) */
	PREVIRT_OP_IMMVAL,          /* the immediate whose value is the form's imm */
}};

struct previrt_rule {{
	uint16_t    id;
	uint8_t     size;       /* minimum site size */
	uint8_t     attrs;      /* PREVIRT_RA_* */
	uint16_t    uses;       /* implicit register reads, bit n = GPR n (rax=0, rcx=1, ...) */
	uint16_t    defs;       /* implicit register writes */
	const char *name;
}};

/*
 * One spelling of a kind.  nsteps == 2: mnemonic then next_mnemonic (a sequence).
 * exclude: text matching this form is not an instruction of any kind (e.g. `int $3`,
 * which assemblers encode as int3); exclusions come first in previrt_forms.
 */
struct previrt_form {{
	uint16_t    kind;
	uint8_t     nsteps;     /* 1 or 2; 0 for a .byte form */
	uint8_t     nops;       /* operand patterns given for the first step (0 = any) */
	uint8_t     op[2];      /* enum previrt_op */
	uint8_t     exclude;    /* 1: an exclusion form */
	uint32_t    imm;        /* the value of a PREVIRT_OP_IMMVAL operand */
	uint8_t     nbytes;     /* .byte form length */
	uint8_t     bytes[15];  /* .byte form contents */
	const char *mnemonic;
	const char *next_mnemonic;
}};

struct previrt_mmio_accessor {{
	const char *function;
	uint8_t     write;      /* 0 = read (mmio_read), 1 = write (mmio_write) */
	uint8_t     width;      /* bytes */
	uint8_t     in_alternative; /* its access is an ALTERNATIVE's original instruction: a site there too */
}};

extern const struct previrt_rule previrt_rules[];          /* sorted by id */
extern const unsigned previrt_nrules;
extern const struct previrt_form previrt_forms[];          /* sequences first */
extern const unsigned previrt_nforms;
extern const struct previrt_mmio_accessor previrt_mmio_accessors[];
extern const unsigned previrt_nmmio_accessors;

/* The rule for a kind id, or 0 when the id is not defined. */
const struct previrt_rule *previrt_rule_by_id(unsigned id);
/* The rule for a kind name, or 0. */
const struct previrt_rule *previrt_rule_by_name(const char *name);

#endif /* PREVIRT_RULES_H */
"""


def c_str(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def emit(rules, mmio, src):
    kinds = [f"\tPREVIRT_KIND_{r['kind'].upper()} = {r['id']}," for r in rules]
    kinds += ["\tPREVIRT_KIND_MMIO_READ = 64,", "\tPREVIRT_KIND_MMIO_WRITE = 65,"]
    header = HEADER.format(src=src, kinds="\n".join(kinds),
                           kmax=max([65] + [r["id"] for r in rules]))

    allrules = rules + [
        {"id": 64, "kind": "mmio_read", "priv": False, "size": 5,
         "attrs": ["PREVIRT_RA_MMIO"], "uses": 0, "defs": 0},
        {"id": 65, "kind": "mmio_write", "priv": False, "size": 5,
         "attrs": ["PREVIRT_RA_MMIO"], "uses": 0, "defs": 0}]
    allrules.sort(key=lambda r: r["id"])
    lines = [f"/* Generated by rewriting-rules/gen-tables.py from {src}. Do not edit. */",
             '#include "previrt_rules.h"', "",
             "const struct previrt_rule previrt_rules[] = {"]
    for r in allrules:
        attrs = (["PREVIRT_RA_PRIV"] if r["priv"] else []) + r["attrs"]
        lines.append(f"\t{{ {r['id']}, {r['size']}, {' | '.join(attrs) or '0'}, "
                     f"0x{r['uses']:04x}, 0x{r['defs']:04x}, {c_str(r['kind'])} }},")
    lines += ["};", f"const unsigned previrt_nrules = {len(allrules)};", "",
              "const struct previrt_form previrt_forms[] = {"]
    forms = [(r["id"], f) for r in rules for f in r["forms"]]

    def order(kf):
        """exclusions, sequences, forms naming %ss (before %sreg), then file order"""
        f = kf[1]
        if f.get("exclude"):
            return 0
        if len(f.get("steps", [])) == 2:
            return 1
        if "steps" in f and "PREVIRT_OP_SS" in f["steps"][0][1]:
            return 2
        return 3
    forms.sort(key=order)
    for kid, f in forms:
        if "bytes" in f:
            b = ", ".join(f"0x{x:02x}" for x in f["bytes"])
            lines.append(f"\t{{ {kid}, 0, 0, {{ 0, 0 }}, 0, 0, {len(f['bytes'])}, {{ {b} }}, 0, 0 }},")
            continue
        (m, pats, imm) = f["steps"][0]
        nxt = c_str(f["steps"][1][0]) if len(f["steps"]) == 2 else "0"
        ops = (pats + ["PREVIRT_OP_NONE"] * 2)[:2]
        lines.append(f"\t{{ {kid}, {len(f['steps'])}, {len(pats)}, {{ {ops[0]}, {ops[1]} }}, "
                     f"{int(f['exclude'])}, {imm:#x}, 0, {{ 0 }}, {c_str(m)}, {nxt} }},")
    lines += ["};", f"const unsigned previrt_nforms = {len(forms)};", "",
              "const struct previrt_mmio_accessor previrt_mmio_accessors[] = {"]
    for fn, w, width, alt in mmio:
        lines.append(f"\t{{ {c_str(fn)}, {int(w)}, {width}, {int(alt)} }},")
    lines += ["};", f"const unsigned previrt_nmmio_accessors = {len(mmio)};", "",
              "const struct previrt_rule *previrt_rule_by_id(unsigned id)", "{",
              "\tunsigned i;", "",
              "\tfor (i = 0; i < previrt_nrules; i++)",
              "\t\tif (previrt_rules[i].id == id)",
              "\t\t\treturn &previrt_rules[i];",
              "\treturn 0;", "}", "",
              "const struct previrt_rule *previrt_rule_by_name(const char *name)", "{",
              "\tunsigned i;", "",
              "\tfor (i = 0; i < previrt_nrules; i++) {",
              "\t\tconst char *a = previrt_rules[i].name, *b = name;", "",
              "\t\twhile (*a && *a == *b)", "\t\t\ta++, b++;",
              "\t\tif (*a == *b)", "\t\t\treturn &previrt_rules[i];", "\t}",
              "\treturn 0;", "}", ""]
    return header, "\n".join(lines)


def write_atomic(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


def main(argv):
    if len(argv) != 4:
        print("usage: gen-tables.py RULES MMIO_RULES OUT_DIR", file=sys.stderr)
        return 2
    try:
        rules = parse_rules(argv[1])
        mmio = parse_mmio(argv[2])
    except (RuleError, OSError) as e:
        print(f"gen-tables: {e}", file=sys.stderr)
        return 1
    src = f"{os.path.basename(argv[1])}, {os.path.basename(argv[2])}"
    header, body = emit(rules, mmio, src)
    os.makedirs(argv[3], exist_ok=True)
    write_atomic(os.path.join(argv[3], "previrt_rules.h"), header)
    write_atomic(os.path.join(argv[3], "previrt_rules.c"), body)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
