#!/usr/bin/env python3
"""selftest.py WORKDIR -- pin the oracle's classifier against binutils.

Generates an assembly file with every opcode of tests/oracle/classify.py in
a few operand forms (registers, memory, REX.W, 0x66, segment and address-size
prefixes, lock where the CPU accepts it) and a list of common instructions
that are NOT sensitive.  Each instruction gets its own symbol.  `as`
assembles it; then the whole oracle runs on the object (objdump decoding,
classification from bytes) and:

  * every positive must be reported under its class, as ONE instruction;
  * no negative may be reported;
  * every class classify.py can return must have at least one positive.

Encodings gas 2.40 does not accept are written as .byte.  Prints PASS/FAIL
lines and `N passed, M failed`; exit 1 on any failure.
"""
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from classify import all_names, classify  # noqa: E402

# class -> forms.  Forms are AT&T assembly, or .byte for what gas cannot spell.
POSITIVE = {
    "cli": ["cli", "data16 cli"],
    "sti": ["sti"],
    "hlt": ["hlt", "rex.W hlt"],
    "pushf": ["pushf", "pushfq", "pushfw"],
    "popf": ["popf", "popfq", "popfw"],
    "in": ["inb $0x80,%al", "inw $0x80,%ax", "inl $0x80,%eax", "inb %dx,%al", "inw %dx,%ax",
           "inl (%dx),%eax"],
    "out": ["outb %al,$0x80", "outw %ax,$0x80", "outl %eax,$0x80", "outb %al,%dx",
            "outw %ax,(%dx)", "outl %eax,(%dx)"],
    "ins": ["insb", "insw", "insl", "rep insb", "rex.W insl"],
    "outs": ["outsb", "outsw", "outsl", "rep outsw", "rep outsl"],
    "mov_from_sreg": ["mov %ds,%eax", "mov %ss,%ax", "mov %cs,%eax", "mov %fs,%r11d",
                      "mov %gs,%rax", "mov %es,(%rax)", "mov %fs,0x10(%rsp)"],
    "mov_to_sreg": ["mov %eax,%ds", "mov %eax,%ss", "mov %edi,%fs", "mov %r8d,%gs",
                    "movw %ax,%es", "mov (%rdi),%fs", "mov %rax,%ss"],
    "push_sreg": ["push %fs", "push %gs", "pushw %fs"],
    "pop_sreg": ["pop %fs", "pop %gs", "popw %gs"],
    "lret": ["lret", "lretq", "lretw", "lret $8"],
    "lcall": ["lcall *(%rax)", "rex.W lcall *8(%rbx)", "lcall *0x10(%rip)"],
    "ljmp": ["ljmp *(%rax)", "rex.W ljmp *(%rax)", "ljmp *0x18(%rax)"],
    "int_n": ["int $0x80", "int $0x20", ".byte 0xcd, 0x03"],     # gas spells int $3 as CC
    "iret": ["iret", "iretq", "iretw"],
    "sgdt": ["sgdt (%rax)", "sgdt 8(%rsp)"],
    "sidt": ["sidt (%rax)", "sidt %gs:0x10"],
    "sldt": ["sldt %eax", "sldt %ax", "sldt (%rax)"],
    "str": ["str %eax", "str (%rax)"],
    "smsw": ["smsw %eax", "smsw %rax", "smsw (%rax)"],
    "lgdt": ["lgdt (%rax)", "lgdt %gs:(%rax)", "addr32 lgdt (%eax)", "lgdt 0x10(%rip)"],
    "lidt": ["lidt (%rax)", "lidt 8(%rsp)"],
    "lldt": ["lldt %ax", "lldt (%rax)"],
    "ltr": ["ltr %ax", "ltr (%rax)"],
    "lmsw": ["lmsw %ax", "lmsw (%rax)"],
    "verr": ["verr %ax", "verr (%rax)"],
    "verw": ["verw %ax", "verw (%rax)", "verw 0x10(%rip)"],
    "lar": ["lar %ax,%eax", "lar (%rax),%eax", "lar %rax,%rax"],
    "lsl": ["lsl %eax,%eax", "lsl (%rax),%rbx", "lsl %rax,%rax"],
    "clts": ["clts"],
    "mov_from_cr": ["mov %cr0,%rax", "mov %cr4,%rcx", "mov %cr8,%rax",
                    ".byte 0xf0, 0x0f, 0x20, 0xc0"],          # lock mov %cr0 = cr8 (AMD)
    "mov_to_cr": ["mov %rax,%cr3", "mov %rcx,%cr4", "mov %rax,%cr8",
                  ".byte 0xf0, 0x0f, 0x22, 0xc0"],
    "mov_from_dr": ["mov %db7,%rax", "mov %db0,%r9"],
    "mov_to_dr": ["mov %rax,%db0", "mov %r10,%db7"],
    "rdmsr": ["rdmsr", "rex.W rdmsr"],
    "wrmsr": ["wrmsr", "data16 wrmsr"],
    "wrmsrns": ["wrmsrns"],
    "rdmsrlist": ["rdmsrlist"],
    "wrmsrlist": ["wrmsrlist"],
    "rdtsc": ["rdtsc", "data16 rdtsc"],
    "rdtscp": ["rdtscp"],
    "rdpmc": ["rdpmc"],
    "rdpid": ["rdpid %rax", "rdpid %r12"],
    "rdpru": ["rdpru"],
    "cpuid": ["cpuid", "rex.W cpuid"],
    "xgetbv": ["xgetbv"],
    "xsetbv": ["xsetbv"],
    "xsaves": ["xsaves (%rdi)", "xsaves64 (%rdi)", "xsaves64 0x40(%rdi,%rcx,8)"],
    "xrstors": ["xrstors (%rdi)", "xrstors64 (%rdi)"],
    "invlpg": ["invlpg (%rax)", "invlpg %fs:(%rax)", "invlpg 0x1000(%rbx)"],
    "invpcid": ["invpcid (%rax),%rbx", "invpcid 8(%rsp),%r8"],
    "invlpga": ["invlpga", "invlpga %rax,%ecx"],
    "invlpgb": ["invlpgb"],
    "tlbsync": ["tlbsync"],
    "swapgs": ["swapgs"],
    "sysret": ["sysretl", "sysretq"],
    "sysexit": ["sysexitl", "sysexitq"],
    "wbinvd": ["wbinvd"],
    "wbnoinvd": ["wbnoinvd"],
    "invd": ["invd"],
    "monitor": ["monitor", "monitor %rax,%ecx,%edx"],
    "mwait": ["mwait", "mwait %eax,%ecx"],
    "monitorx": ["monitorx %rax,%ecx,%edx"],
    "mwaitx": ["mwaitx %eax,%ecx,%ebx"],
    "clac": ["clac"],
    "stac": ["stac"],
    "rdfsbase": ["rdfsbase %rax", "rdfsbase %eax"],
    "rdgsbase": ["rdgsbase %rbx", "rdgsbase %r9"],
    "wrfsbase": ["wrfsbase %rax"],
    "wrgsbase": ["wrgsbase %r12", "wrgsbase %eax"],
    "rdpkru": ["rdpkru"],
    "wrpkru": ["wrpkru"],
    "vmcall": ["vmcall"],
    "vmlaunch": ["vmlaunch"],
    "vmresume": ["vmresume"],
    "vmxoff": ["vmxoff"],
    "vmxon": ["vmxon (%rax)"],
    "vmptrld": ["vmptrld (%rax)", "vmptrld 8(%rsp)"],
    "vmptrst": ["vmptrst (%rax)"],
    "vmclear": ["vmclear (%rax)"],
    "vmread": ["vmread %rax,%rbx", "vmread %rax,(%rbx)"],
    "vmwrite": ["vmwrite %rax,%rbx", "vmwrite (%rax),%rbx"],
    "invept": ["invept (%rax),%rbx"],
    "invvpid": ["invvpid (%rax),%rbx"],
    "vmfunc": ["vmfunc"],
    "vmrun": ["vmrun", "vmrun %rax"],
    "vmmcall": ["vmmcall"],
    "vmgexit": ["vmgexit", ".byte 0xf2, 0x0f, 0x01, 0xd9"],
    "vmload": ["vmload", "vmload %rax"],
    "vmsave": ["vmsave"],
    "stgi": ["stgi"],
    "clgi": ["clgi"],
    "skinit": ["skinit", "skinit %eax"],
    "lss": ["lss (%rax),%esp"],
    "lfs": ["lfs (%rax),%eax", "lfs (%rax),%ax"],
    "lgs": ["lgs (%rax),%ebx", "rex.W lgs (%rax),%ebx"],
    "encls": ["encls"],
    "enclv": ["enclv"],
    "pconfig": ["pconfig"],
    "getsec": ["getsec"],
    "rsm": ["rsm"],
    "lkgs": [".byte 0xf2, 0x0f, 0x00, 0xf0", ".byte 0xf2, 0x0f, 0x00, 0x30"],
    "erets": [".byte 0xf2, 0x0f, 0x01, 0xca"],
    "eretu": [".byte 0xf3, 0x0f, 0x01, 0xca"],
    "wruss": ["wrussd %eax,(%rbx)", "wrussq %rax,(%rbx)"],
    "setssbsy": ["setssbsy"],
    "clrssbsy": ["clrssbsy (%rax)"],
    "loadiwkey": ["loadiwkey %xmm1,%xmm2"],
    "enqcmds": ["enqcmds (%rax),%rbx"],
    "hreset": ["hreset $1"],
    "tdcall": ["tdcall"],
    "seamcall": ["seamcall"],
    "seamret": ["seamret"],
    "seamops": ["seamops"],
    "pvalidate": ["pvalidate"],
    "psmash": ["psmash"],
    "rmpupdate": ["rmpupdate"],
    "rmpadjust": ["rmpadjust"],
    "rmpquery": ["rmpquery"],
}

# Instructions decoders must NOT call sensitive: the common ones, the
# deliberate exclusions, and user-mode neighbours of sensitive opcode rows.
NEGATIVE = [
    "mov %rax,%rbx", "mov (%rax),%eax", "mov %eax,(%rbx)", "movabs $0x1122334455667788,%rax",
    "mov %fs:0x28,%rax", "mov %gs:0x10,%rax", "mov %rax,%gs:(%rbx)", "mov %cs:(%rax),%eax",
    "push %rax", "pop %rax", "push %r12", "pushq $1", "push (%rax)", "pop (%rax)",
    "call .", "call *%rax", "call *(%rax)", "jmp .", "jmp *%rax", "jmp *(%rax)",
    "notrack jmp *%rax", "incl (%rax)", "lock incl (%rax)", "decl (%rax)",
    "ret", "ret $8", "lea 8(%rax,%rbx,4),%rcx", "leave", "enter $8,$0",
    "syscall", "sysenter", "int3", "int $3", "int1", "ud2", "ud0 (%rax),%eax",
    "ud1 (%rax),%eax", "nop", "nopl 0(%rax)", "nopw 0(%rax,%rax,1)",
    "cs nopw 0(%rax,%rax,1)", "xchg %ax,%ax", "endbr64", "pause",
    "xsave (%rdi)", "xsave64 (%rdi)", "xrstor (%rdi)", "xrstor64 (%rdi)", "xsaveopt (%rdi)",
    "xsavec (%rdi)", "fxsave (%rdi)", "fxrstor (%rdi)", "ldmxcsr (%rax)",
    "rdrand %eax", "rdseed %rax", "serialize", "lfence", "mfence", "sfence",
    "clflush (%rax)", "clflushopt (%rax)", "clwb (%rax)", "prefetchw (%rax)",
    "movq %rax,%xmm0", "movd %xmm0,%eax", "vzeroupper", "vpxor %ymm0,%ymm1,%ymm2",
    "vpxord %zmm0,%zmm1,%zmm2", "bextr $0x3,%eax,%ebx", "movsxd %eax,%rbx",
    "cmpxchg8b (%rax)", "cmpxchg16b (%rax)", "lock cmpxchg %rbx,(%rax)",
    "xend", "xtest", "xabort $1", "clzero", "enclu", "umonitor %rax", "umwait %eax",
    "tpause %eax", "saveprevssp", "rstorssp (%rax)", "wrssd %eax,(%rax)", "incsspq %rax",
    "rdsspq %rax", "extrq $1,$2,%xmm0", "insertq %xmm1,%xmm0", "enqcmd (%rax),%rbx",
    "movdir64b (%rax),%rbx", "aesenc128kl (%rax),%xmm1", "adcx %rax,%rbx", "adox %rax,%rbx",
    "ptwrite %eax", "tzcnt %eax,%ebx", "popcnt %eax,%ebx", "xresldtrk", "xsusldtrk",
    "testui", "clui", "stui", "uiret", "senduipi %rax",
    "rep movsb", "rep stosq", "movsb", "stosl", "lodsb", "cld", "std", "clc", "stc", "cmc",
    "lahf", "sahf", "bswap %eax", "cwtl", "cltq", "cqto",
]


def run(*cmd):
    return subprocess.run(cmd, capture_output=True, text=True)


def main(argv):
    work = argv[1]
    os.makedirs(work, exist_ok=True)
    src, obj = os.path.join(work, "selftest.s"), os.path.join(work, "selftest.o")
    labels = {}                 # symbol -> (expected class or None, form)
    lines = [".text"]
    n = 0
    for name, forms in POSITIVE.items():
        for form in forms:
            sym = f"pos{n:04d}"
            n += 1
            labels[sym] = (name, form)
            lines += [f"{sym}:", f"\t{form}"]
    for form in NEGATIVE:
        sym = f"neg{n:04d}"
        n += 1
        labels[sym] = (None, form)
        lines += [f"{sym}:", f"\t{form}"]
    lines.append("end_of_selftest:\n\tret")
    with open(src, "w") as f:
        f.write("\n".join(lines) + "\n")

    passed = failed = 0

    def report(ok, name, detail=""):
        nonlocal passed, failed
        if ok:
            passed += 1
            print(f"PASS {name}")
        else:
            failed += 1
            print(f"FAIL {name}")
            if detail:
                print("    " + detail.replace("\n", "\n    "))

    r = run(os.environ.get("AS", "as"), "--64", "-o", obj, src)
    report(r.returncode == 0, "selftest_assembles", r.stderr.strip())
    if r.returncode:
        print(f"{passed} passed, {failed} failed")
        return 1

    # binutils' view: instructions per symbol (each label must hold exactly one)
    r = run(os.environ.get("OBJDUMP", "objdump"), "-d", "-w", "--insn-width=15", obj)
    per_sym, cur = {}, None
    for line in r.stdout.splitlines():
        if line.endswith(">:"):
            cur = line.split("<", 1)[1][:-2]
            per_sym[cur] = []
        elif cur and line.count("\t") >= 2:
            _, raw, text = line.split("\t", 2)
            per_sym[cur].append((bytes.fromhex(raw), text.strip()))

    # the oracle's view: everything it reports uncovered (there is no .previrt)
    r = run(sys.executable, os.path.join(HERE, "oracle.py"), "--json", "--report-only", obj)
    try:
        doc = json.loads(r.stdout)
    except ValueError:
        report(False, "oracle_runs_on_selftest_object", r.stderr.strip())
        print(f"{passed} passed, {failed} failed")
        return 1
    report(r.returncode == 0, "oracle_runs_on_selftest_object", r.stderr.strip())
    found = {}
    for u in doc["uncovered"]:
        found.setdefault(u["symbol"], []).append(u)

    undecodable = []
    by_class = {}
    for sym, (name, form) in labels.items():
        insns = per_sym.get(sym, [])
        if name is None:
            continue
        errs = by_class.setdefault(name, [])
        if len(insns) != 1 or "(bad)" in insns[0][1]:
            # what the installed libopcodes cannot decode: the classifier must
            # know it from the bytes, and the oracle delimits it itself
            # (classify.modrm_length) and so still reports it
            raw = b"".join(i[0] for i in insns)
            hit = classify(raw)
            got = found.get(sym, [])
            if hit is None or hit[0] != name:
                errs.append(f"{form!r}: bytes {raw.hex(' ')} classified {hit}")
            elif len(got) != 1 or got[0]["name"] != name:
                errs.append(f"{form!r}: objdump cannot decode {raw.hex(' ')} and the oracle "
                            f"says {[g['name'] for g in got] or 'not sensitive'}")
            else:
                undecodable.append(f"{name} ({raw.hex(' ')})")
            continue
        got = found.get(sym, [])
        if len(got) != 1 or got[0]["name"] != name:
            errs.append(f"{form!r} -> {insns[0][0].hex(' ')} {insns[0][1]!r}: oracle says "
                        f"{[g['name'] for g in got] or 'not sensitive'}")
    for name, errs in by_class.items():
        report(not errs, f"positive_{name}_classified_sensitive ({len(POSITIVE[name])} forms)",
               "\n".join(errs))
    for sym, (name, form) in labels.items():
        if name is not None:
            continue
        insns = per_sym.get(sym, [])
        got = found.get(sym, [])
        report(not got and len(insns) == 1,
               f"negative_not_sensitive: {form}",
               f"{[g['name'] for g in got]} from {[i[1] for i in insns]}")
    missing = sorted(set(all_names()) - set(POSITIVE))
    report(not missing, "every_class_in_the_table_has_a_positive", f"missing: {missing}")
    extra = sorted(set(POSITIVE) - set(all_names()))
    report(not extra, "every_positive_class_is_in_the_table", f"unknown: {extra}")
    if undecodable:
        print("note: this objdump cannot decode, the oracle delimits itself: "
              + ", ".join(undecodable))
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
