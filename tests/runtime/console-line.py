#!/usr/bin/env python3
"""console-line.py TEXT LOG: exit 0 when user-space printed the line TEXT on
a Xen console log, also when one kernel message cut into it.

On Xen, dom0's COM1 has no interrupt: user-space output leaves the 16550
model polled, a few bytes at a time, while printk writes whole lines at
once (docs/xen.md).  A kernel line can therefore land inside a user line:
"previrt-init: insmod 20-previrt_" + "input: ImExPS/2 ... input3" + newline
+ "testmod.ko: loaded".  TEXT counts as printed when a log line holds it,
or when a line starts with a non-empty head of TEXT and the next line
starts with the rest.  Prints the line(s) it matched.
"""
import sys


def main(text, path):
    lines = open(path, "rb").read().decode("utf-8", "replace").replace("\r", "").split("\n")
    for i, line in enumerate(lines):
        if text in line:
            print(line)
            return 0
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        for k in range(1, len(text)):
            if line.startswith(text[:k]) and nxt.startswith(text[k:]):
                print(f"{text[:k]}[kernel line]{text[k:]}")
                return 0
    return 1


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print("usage: console-line.py TEXT LOG", file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1], sys.argv[2]))
