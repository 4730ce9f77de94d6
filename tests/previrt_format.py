"""The .previrt record layout, read from include/previrt/format.h.

The header is the contract (docs/format.md); this module is the one place
Python tests get the 12-byte site and header record layouts from, so that a
changed field order or size cannot leave a test reading a stale format
string.  It parses the two struct definitions (fixed-width integer fields
and byte arrays only, which is all the format uses) and builds
little-endian struct.Struct objects plus per-field offsets.

    from previrt_format import RECORD, HEADER, REC_SIZE, FIELD, MAGIC, VERSION
    addr, kind, length, insn_length, flags, width, reserved = RECORD.unpack_from(b, off)
    b[off + FIELD['flags']] |= 0x01
"""
import os
import re
import struct

_HERE = os.path.dirname(os.path.abspath(__file__))
FORMAT_H = os.path.join(_HERE, "..", "include", "previrt", "format.h")
_CODES = {"int32_t": "i", "uint32_t": "I", "int16_t": "h", "uint16_t": "H",
          "int8_t": "b", "uint8_t": "B"}


def _layout(text, name):
    m = re.search(r"struct\s+%s\s*\{(.*?)\};" % name, text, re.S)
    if not m:
        raise SystemExit("previrt_format: no struct %s in %s" % (name, FORMAT_H))
    fmt, fields, off = "<", {}, 0
    for line in m.group(1).splitlines():
        line = re.sub(r"/\*.*?\*/|//.*", "", line).strip()
        if not line:
            continue
        f = re.fullmatch(r"(\w+)\s+(\w+)(?:\[(\d+)\])?\s*;", line)
        if not f or f.group(1) not in _CODES:
            raise SystemExit("previrt_format: cannot read field %r of struct %s" % (line, name))
        code, n = _CODES[f.group(1)], int(f.group(3) or 1)
        size = struct.calcsize("<" + code)
        if off % size:
            raise SystemExit("previrt_format: struct %s field %s is not naturally aligned" % (name, f.group(2)))
        fields[f.group(2)] = off
        fmt += ("%ds" % n) if (n > 1 and code == "B") else code * n
        off += size * n
    return struct.Struct(fmt), fields


with open(FORMAT_H) as _f:
    _TEXT = _f.read()
RECORD, FIELD = _layout(_TEXT, "previrt_site")
HEADER, HEADER_FIELD = _layout(_TEXT, "previrt_header")
REC_SIZE = RECORD.size
MAGIC = int(re.search(r"#define\s+PREVIRT_MAGIC\s+(0x[0-9a-fA-F]+)", _TEXT).group(1), 16)
VERSION = int(re.search(r"#define\s+PREVIRT_FORMAT_VERSION\s+(\d+)", _TEXT).group(1))
# the extended flags (xflags) the format defines, by name: {"NOSTACK": 1, ...}
XFLAG = {m.group(1): int(m.group(2), 16) for m in
         re.finditer(r"#define\s+PREVIRT_X_(\w+)\s+(0x[0-9a-fA-F]+)", _TEXT) if m.group(1) != "KNOWN"}
X_KNOWN = int(re.search(r"#define\s+PREVIRT_X_KNOWN\s+(0x[0-9a-fA-F]+)", _TEXT).group(1), 16)
assert RECORD.size == HEADER.size == 12, "format.h: both records are 12 bytes"
