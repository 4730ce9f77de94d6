#!/usr/bin/env python3
"""Compare previrt-report --json with an independent `objdump -d` listing.

usage: check_objdump.py REPORT.json OBJDUMP.txt

For every site: objdump must show an instruction starting at exactly that
place (address in linked files, section+offset in objects) whose mnemonic
belongs to the site's kind (an independent table below, not the tool's
matcher).  Then: every instruction objdump shows with a sensitive mnemonic
is either a site or inside .altinstr_replacement / an ALTERNATIVE (listed
with --allow).  Prints one line per problem and a summary; exit 1 on any.
"""
import json
import re
import sys

# kind -> mnemonics objdump prints for it (AT&T, no suffix games beyond these)
KIND_MNEMONICS = {
    'cli': {'cli'}, 'sti': {'sti'}, 'sti_hlt': {'sti'}, 'hlt': {'hlt'},
    'pushf': {'pushf', 'pushfq', 'pushfw'}, 'popf': {'popf', 'popfq', 'popfw'},
    'in': {'in'}, 'out': {'out'}, 'ins': {'insb', 'insw', 'insl'},
    'outs': {'outsb', 'outsw', 'outsl'},
    'mov_from_cr': {'mov'}, 'mov_to_cr': {'mov'}, 'mov_from_dr': {'mov'}, 'mov_to_dr': {'mov'},
    'rdmsr': {'rdmsr'}, 'wrmsr': {'wrmsr'}, 'cpuid': {'cpuid'}, 'invlpg': {'invlpg'},
    'invpcid': {'invpcid'}, 'lgdt': {'lgdt'}, 'lidt': {'lidt'}, 'lldt': {'lldt'},
    'ltr': {'ltr'}, 'sgdt': {'sgdt'}, 'sidt': {'sidt'}, 'sldt': {'sldt'}, 'str': {'str'},
    'smsw': {'smsw'}, 'lmsw': {'lmsw'}, 'clts': {'clts'}, 'swapgs': {'swapgs'},
    'iret': {'iretq', 'iret', 'iretw'}, 'sysret': {'sysretq', 'sysretl', 'sysret'},
    'wbinvd': {'wbinvd'}, 'invd': {'invd'}, 'xsetbv': {'xsetbv'}, 'xgetbv': {'xgetbv'},
    'rdtsc': {'rdtsc'}, 'rdtscp': {'rdtscp'}, 'rdpmc': {'rdpmc'}, 'monitor': {'monitor'},
    'mwait': {'mwait'}, 'rdfsbase': {'rdfsbase'}, 'rdgsbase': {'rdgsbase'},
    'wrfsbase': {'wrfsbase'}, 'wrgsbase': {'wrgsbase'}, 'rdpkru': {'rdpkru'},
    'wrpkru': {'wrpkru'}, 'wbnoinvd': {'wbnoinvd'}, 'rdpid': {'rdpid'},
    'sysexit': {'sysexit', 'sysexitl', 'sysexitq'},
    'lar': {'lar'}, 'lsl': {'lsl'}, 'verr': {'verr'}, 'verw': {'verw'},
    'push_seg': {'push', 'pushw'}, 'pop_seg': {'pop', 'popw'}, 'pop_ss': {'pop', 'popw'},
    'mov_to_ss': {'mov'}, 'mov_to_seg': {'mov'}, 'mov_from_seg': {'mov'},
    'far_jmp': {'ljmp'}, 'far_call': {'lcall'}, 'far_ret': {'lret', 'lretq', 'lretw'},
    'int_n': {'int'}, 'load_far_ptr': {'lfs', 'lgs', 'lss'}, 'stac': {'stac'}, 'clac': {'clac'},
    'xsaves': {'xsaves', 'xsaves64'}, 'xrstors': {'xrstors', 'xrstors64'},
    'vmcall': {'vmcall'}, 'vmmcall': {'vmmcall'},
    'vmx': {'vmxon', 'vmxoff', 'vmread', 'vmwrite', 'vmptrld', 'vmptrst', 'vmclear', 'invept',
            'invvpid'},
    'vmx_enter': {'vmlaunch', 'vmresume'}, 'vmfunc': {'vmfunc'},
    'svm': {'vmload', 'vmsave', 'stgi', 'clgi', 'invlpga'}, 'vmrun': {'vmrun'}, 'skinit': {'skinit'},
    'invlpgb': {'invlpgb'}, 'tlbsync': {'tlbsync'}, 'pconfig': {'pconfig'}, 'encls': {'encls'},
    'enclv': {'enclv'}, 'wrmsrns': {'wrmsrns'}, 'rdmsrlist': {'rdmsrlist'},
    'wrmsrlist': {'wrmsrlist'}, 'wruss': {'wrussd', 'wrussq'}, 'setssbsy': {'setssbsy'},
    'clrssbsy': {'clrssbsy'}, 'loadiwkey': {'loadiwkey'}, 'tdcall': {'tdcall'},
    'seamcall': {'seamcall'}, 'rdpru': {'rdpru'}, 'enqcmds': {'enqcmds'}, 'hreset': {'hreset'},
    'getsec': {'getsec'}, 'pvalidate': {'pvalidate'}, 'rmpadjust': {'rmpadjust'},
    'rmpupdate': {'rmpupdate'}, 'psmash': {'psmash'}, 'monitorx': {'monitorx'},
    'mwaitx': {'mwaitx'},
}
PREFIXES = {'rep', 'repz', 'repnz', 'repe', 'repne', 'lock', 'data16', 'cs', 'ds', 'rex.W', 'rex'}
SEGMENT_REGS = ('%es', '%cs', '%ss', '%ds', '%fs', '%gs')
# mov, push and pop are sensitive only with a control, debug or segment register (below)
SENSITIVE = set().union(*KIND_MNEMONICS.values()) - {'mov', 'push', 'pushw', 'pop', 'popw'}


def operands(text):
    words = text.split('#')[0].split()
    while words and words[0] in PREFIXES:
        words = words[1:]
    return [o.strip() for o in re.split(r',(?![^(]*\))', ''.join(words[1:]))] if len(words) > 1 else []


def register_kind(mn, text):
    """the kind of a mov/push/pop with a special register, else None"""
    ops = operands(text)
    if mn in ('push', 'pushw') and len(ops) == 1 and ops[0] in SEGMENT_REGS:
        return 'push_seg'
    if mn in ('pop', 'popw') and len(ops) == 1 and ops[0] in SEGMENT_REGS:
        return 'pop_ss' if ops[0] == '%ss' else 'pop_seg'
    if mn == 'mov' and len(ops) == 2:
        if ops[1] == '%ss':
            return 'mov_to_ss'
        if ops[1] in SEGMENT_REGS:
            return 'mov_to_seg'
        if ops[0] in SEGMENT_REGS:
            return 'mov_from_seg'
        if ops[0].startswith('%cr'):
            return 'mov_from_cr'
        if ops[1].startswith('%cr'):
            return 'mov_to_cr'
        if ops[0].startswith(('%db', '%dr')):
            return 'mov_from_dr'
        if ops[1].startswith(('%db', '%dr')):
            return 'mov_to_dr'
    return None


def mnemonic(text):
    words = text.split()
    while words and words[0] in PREFIXES:
        words = words[1:]
    return words[0] if words else ''


def parse_objdump(path):
    """{(section, key): (mnemonic, text)}; key = address (int)."""
    insns = {}
    section = None
    for line in open(path):
        m = re.match(r'^Disassembly of section (\S+):', line)
        if m:
            section = m.group(1)
            continue
        m = re.match(r'^\s*([0-9a-f]+):\t([0-9a-f ]+)\t(.*)$', line)
        if m and section:
            text = m.group(3).strip()
            insns[(section, int(m.group(1), 16))] = (mnemonic(text), text)
    return insns


def main():
    rep = json.load(open(sys.argv[1]))
    insns = parse_objdump(sys.argv[2])
    rel = rep['relocatable']
    problems = 0
    sites = set()
    # instructions inside a site after its first: the shadowed follower of
    # a SHADOW pair (its byte range is [address, address + insn_length))
    inside = set()
    for s in rep['sites']:
        # the instruction: at the site's start, or after its pad (insn_offset, format v3 PAD_BEFORE)
        key = (s['section'], s['address'] + s.get('insn_offset', 0))
        sites.add(key)
        if 'shadow' in s['flag_names']:
            inside.update((s['section'], a) for a in range(key[1] + 1, key[1] + s['insn_length']))
        if key not in insns:
            print('site %s+%#x (%s): objdump shows no instruction there' % (key[0], key[1], s['kind']))
            problems += 1
            continue
        mn, text = insns[key]
        if s['kind'].startswith('mmio'):
            # a base/index operand, or an absolute address (the fixmap LAPIC)
            ok = mn.startswith('mov') and ('(' in text or
                                           re.search(r'(^|[ ,])0x[0-9a-f]+($|,)', text.split(None, 1)[-1]) is not None)
        else:
            # binutils 2.40 predates FRED: F2/F3 0F 01 CA show as a prefixed clac
            fred = {'erets': 'repnz clac', 'eretu': 'repz clac'}.get(s['kind'])
            ok = (fred is not None and ' '.join(text.split()) == fred) or \
                mn in KIND_MNEMONICS.get(s['kind'], ()) and \
                (mn not in ('mov', 'push', 'pushw', 'pop', 'popw') or
                 register_kind(mn, text) == s['kind'])
        if not ok:
            print('site %s+%#x: kind %s but objdump says "%s"' % (key[0], key[1], s['kind'], text))
            problems += 1
    allowed = set(a for a in sys.argv[3:])
    stray = 0
    for (sec, addr), (mn, text) in sorted(insns.items()):
        if (mn in SENSITIVE or register_kind(mn, text)) and (sec, addr) not in sites and sec != '.altinstr_replacement':
            # the hlt of a sti_hlt site sits one byte after its site start
            if mn == 'hlt' and (sec, addr - 1) in sites:
                continue
            if (sec, addr) in inside:
                continue
            if '%s+%#x' % (sec, addr) in allowed or '%#x' % addr in allowed or text in allowed:
                continue
            print('objdump: %s+%#x "%s" is sensitive but no site starts there' % (sec, addr, text))
            stray += 1
    print('%d sites checked against objdump (%s), %d problems, %d sensitive instructions without a site'
          % (len(rep['sites']), 'section offsets' if rel else 'addresses', problems, stray))
    sys.exit(1 if problems or stray else 0)


main()
