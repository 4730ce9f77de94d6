#!/usr/bin/env python3
"""Plant one corruption into a copy of an annotated ELF file (test helper).

usage: plant.py IN OUT OP

Reads the section header table with struct (the test must not trust the
tool it tests), patches bytes, writes OUT.  Ops:
  truncate   .previrt sh_size -= 5                    (unparseable: exit 2)
  version    first header record says a version past the newest (exit 2)
  magic      first header record loses its magic      (exit 2)
  outside    a site points at its own record (.previrt, not code)
  beyond     a site points far outside every section
  duplicate  site 1 starts where site 0 starts
  overlap    site 1 starts one byte into site 0
  kind       the first cli site says sti
  pad        the first pad byte of the first padded site becomes int3 (0xcc)
  flags      a cli site has the SHADOW flag (0x80), which only shadow kinds may have
  extable    the first site claims an __ex_table entry it does not have (a note, not an error)
  insnlen    a site's insn_length exceeds its length
  addend     (objects) the first site's relocation addend moves past .text
"""
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from previrt_format import RECORD, REC_SIZE as REC, FIELD, HEADER_FIELD  # noqa: E402


def sections(b):
    shoff, = struct.unpack_from('<Q', b, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from('<HHH', b, 0x3a)
    secs = []
    for i in range(shnum):
        o = shoff + i * shentsize
        name, typ, flags, addr, off, size, link, info, align, entsize = \
            struct.unpack_from('<IIQQQQIIQQ', b, o)
        secs.append(dict(idx=i, hdr=o, name=name, type=typ, addr=addr, off=off, size=size,
                         info=info, entsize=entsize))
    strtab = secs[shstrndx]
    for s in secs:
        end = b.index(b'\0', strtab['off'] + s['name'])
        s['name'] = b[strtab['off'] + s['name']:end].decode()
    return secs


def main():
    src, dst, op = sys.argv[1:4]
    b = bytearray(open(src, 'rb').read())
    secs = sections(b)
    by = {s['name']: s for s in secs}
    pv = by['.previrt']
    rel = struct.unpack_from('<H', b, 0x10)[0] == 1   # ET_REL
    recs = []
    for i in range(pv['size'] // REC):
        o = pv['off'] + i * REC
        addr, kind, length, insn, _, _, _ = RECORD.unpack_from(b, o)
        recs.append(dict(i=i, off=o, addr=addr, kind=kind, length=length, insn=insn,
                         flags=b[o + FIELD['flags']], xflags=struct.unpack_from('<H', b, o + FIELD['xflags'])[0]))
    sites = [r for r in recs if r['kind'] != 0]
    headers = [r for r in recs if r['kind'] == 0]

    def target(r):          # linked files only: the site's address
        return pv['addr'] + r['i'] * REC + r['addr']

    def set_target(r, addr):
        struct.pack_into('<i', b, r['off'], addr - (pv['addr'] + r['i'] * REC))

    if op == 'truncate':
        struct.pack_into('<Q', b, pv['hdr'] + 0x20, pv['size'] - 5)
    elif op == 'version':
        b[headers[0]["off"] + HEADER_FIELD["version"]] = 99
    elif op == 'magic':
        struct.pack_into('<I', b, headers[0]['off'], 0x12345678)
    elif op == 'outside':
        struct.pack_into('<i', b, sites[0]['off'], 0)
    elif op == 'beyond':
        struct.pack_into('<i', b, sites[0]['off'], 0x7ff00000)
    elif op == 'duplicate':
        set_target(sites[1], target(sites[0]))
    elif op == 'overlap':
        set_target(sites[1], target(sites[0]) + 1)
    elif op == 'kind':
        r = next(r for r in sites if r['kind'] == 1)
        struct.pack_into('<H', b, r['off'] + FIELD['kind'], 2)
    elif op == 'pad':
        r = next(r for r in sites if r['length'] > r['insn'])
        t = target(r) + r['insn']
        text = next(s for s in secs if s['addr'] <= t < s['addr'] + s['size'] and s['type'] == 1
                    and s['name'] != '.previrt')
        b[text['off'] + t - text['addr']] = 0xcc
    elif op == 'flags':
        r = next(r for r in sites if r['kind'] == 1)
        b[r['off'] + FIELD['flags']] |= 0x80
    elif op == 'extable':
        b[sites[0]['off'] + FIELD['flags']] |= 0x01
    elif op == 'insnlen':
        b[sites[0]['off'] + FIELD['insn_length']] = sites[0]['length'] + 1
    elif op == 'altorig-elsewhere':     # ALT_ORIG on an MMIO site outside every ALTERNATIVE
        r = next(r for r in sites if r['flags'] & 0x04 and not r['xflags'] & 0x0004)
        struct.pack_into('<H', b, r['off'] + FIELD['xflags'], r['xflags'] | 0x0004)
    elif op == 'altorig-nonmmio':       # ALT_ORIG on a cli site
        r = next(r for r in sites if r['kind'] == 1)
        struct.pack_into('<H', b, r['off'] + FIELD['xflags'], r['xflags'] | 0x0004)
    elif op == 'altorig-clear':         # the LAPIC write's ALT_ORIG taken away
        r = next(r for r in sites if r['xflags'] & 0x0004)
        struct.pack_into('<H', b, r['off'] + FIELD['xflags'], r['xflags'] & ~0x0004)
    elif op == 'addend':
        assert rel
        rela = by['.rela.previrt']
        o = rela['off']      # Elf64_Rela: r_offset, r_info, r_addend
        roff, = struct.unpack_from('<Q', b, o)
        assert roff == sites[0]['i'] * REC
        struct.pack_into('<q', b, o + 16, by['.text']['size'] + 0x1000)
    else:
        sys.exit('plant.py: unknown op ' + op)
    if rel and op in ('outside', 'beyond', 'duplicate', 'overlap', 'pad'):
        sys.exit('plant.py: op %s is for linked files' % op)
    open(dst, 'wb').write(b)


main()
