#!/usr/bin/env python3
"""check_clang_sites.py [--min-size=N] RULES OBJECT [SOURCE]

tests/plugin/check_sites.py (binutils ground truth for every record and every
sensitive instruction), holding the header record to the Clang producer id
(2) instead of the GCC plugin's (1).  Everything else is the GCC checker's
code, unchanged, so both compilers are judged by the same rules.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "plugin"))
import check_sites  # noqa: E402

CLANG, GCC = 2, 1


class ClangHeader:
    """check_sites.HEADER with the producer field translated: the Clang id
    reads as the id check_sites accepts, any other id (GCC's included) as one
    it rejects."""

    def __init__(self, real):
        self.real = real

    def unpack_from(self, data, off):
        magic, kind, version, size, producer, rest = self.real.unpack_from(data, off)
        return magic, kind, version, size, GCC if producer == CLANG else 255, rest


check_sites.HEADER = ClangHeader(check_sites.HEADER)
sys.exit(check_sites.main(sys.argv))
