"""Check the handler pools a compiler reserved in one object (lib/pool.h).

    check_pools.py OBJ MAIN_BYTES NOINSTR_BYTES

Read with binutils only (objdump -t, objcopy), not with previrt code:
  * MAIN_BYTES > 0: previrt_pool .. previrt_pool_end span MAIN_BYTES bytes in
    .text.unlikely.previrt_pool, 64-byte aligned, every byte int3 (0xcc);
    0: neither symbol exists.
  * NOINSTR_BYTES: the same for previrt_noinstr_pool(_end) in .noinstr.text,
    the section Linux's linker script puts between __noinstr_text_start and
    __noinstr_text_end.
  * previrt_counters .. previrt_counters_end in .data.unlikely: one u64 per
    64 bytes of both pools together, all zero; absent when both are 0.
Prints what it found; exits 1 on the first mismatch.
"""
import os
import subprocess
import sys
import tempfile

POOLS = [("previrt_pool", ".text.unlikely.previrt_pool", 0xCC, 1),
         ("previrt_noinstr_pool", ".noinstr.text", 0xCC, 1)]


def symbols(obj):
    out = subprocess.run(["objdump", "-t", obj], capture_output=True, text=True, check=True).stdout
    syms = {}
    for line in out.splitlines():
        p = line.split()
        if len(p) >= 5 and p[-1].startswith("previrt_"):
            syms[p[-1]] = (p[-3], int(p[0], 16))      # section, value
    return syms


def section_bytes(obj, sec):
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "sec.bin")
        subprocess.run(["objcopy", "-O", "binary", "--only-section=" + sec, obj, out], check=True)
        with open(out, "rb") as f:
            return f.read()


def fail(msg):
    print("check_pools: " + msg)
    sys.exit(1)


def check_span(obj, syms, name, sec, fill, want):
    end = name + "_end"
    if want == 0:
        if name in syms or end in syms:
            fail(f"{name} exists, but its size option was 0")
        return
    if name not in syms or end not in syms:
        fail(f"{name}/{end} missing (want {want} bytes in {sec})")
    (s1, a), (s2, b) = syms[name], syms[end]
    if s1 != sec or s2 != sec:
        fail(f"{name} in {s1}/{s2}, want {sec}")
    if b - a != want or a % (64 if fill == 0xCC else 8):
        fail(f"{name}: {b - a} bytes at {a:#x}, want {want} bytes, aligned")
    data = section_bytes(obj, sec)[a:b]
    if len(data) != want or any(x != fill for x in data):
        fail(f"{name}: not {want} bytes of {fill:#x}")
    print(f"{name}: {want} bytes in {sec} at +{a:#x}, all {fill:#x}")


def main():
    obj, main_bytes, noinstr_bytes = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    syms = symbols(obj)
    check_span(obj, syms, "previrt_pool", ".text.unlikely.previrt_pool", 0xCC, main_bytes)
    check_span(obj, syms, "previrt_noinstr_pool", ".noinstr.text", 0xCC, noinstr_bytes)
    check_span(obj, syms, "previrt_counters", ".data.unlikely", 0,
               (main_bytes + noinstr_bytes) // 64 * 8)


main()
