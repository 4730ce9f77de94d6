#!/usr/bin/env python3
"""records.py [--xflags] OBJECT: print each .previrt site as 'kind_id length
insn_length flags width' (and xflags with --xflags; headers are skipped;
prints nothing when there is no .previrt).  Reads the section with objcopy
only, for the option tests."""
import sys

from binutils import Object, RECORD

xf = sys.argv[1] == "--xflags"
data = Object(sys.argv[-1]).section_bytes(".previrt") or b""
for off in range(0, len(data) - len(data) % 12, 12):
    _, kind, length, ilen, flags, width, xflags = RECORD.unpack_from(data, off)
    if kind:
        print(kind, length, ilen, flags, width, *([xflags] if xf else []))
