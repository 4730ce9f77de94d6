#!/usr/bin/env python3
"""P1 in detail: CPU time to compile the same kernel C files with and
without the plugin, alternating, several rounds.

    compile-time.py PLAIN_O_DIR PLUGIN_O_DIR [--files N] [--rounds R]

A whole-kernel build time on a shared 2-vCPU machine is noisy (other jobs,
objtool, linking), and the plugin only changes the compile step.  This
replays Kbuild's own compiler command (from each object's .X.o.cmd: the
part before objtool) for the N largest objects of each build, output to a
scratch file, and sums the children's user+sys CPU time (getrusage) per
variant.  Rounds alternate which variant goes first.  Prints
    P1 compile: N files x R rounds: plain X s, plugin Y s CPU, plugin/plain = Z
"""
import os
import re
import resource
import shlex
import subprocess
import sys
import tempfile


def compile_cmd(odir, obj):
    """Kbuild's gcc command for obj (relative to odir), writing to a scratch file."""
    d, f = os.path.split(obj)
    with open(os.path.join(odir, d, "." + f + ".cmd")) as fh:
        first = fh.readline()
    m = re.match(r"^(?:saved)?cmd_\S+ := (.*)$", first.rstrip("\n"))
    if not m:
        return None
    cmd = m.group(1).split(" ; ")[0].split("; ")[0]
    argv = shlex.split(cmd)
    if not argv or not argv[0].endswith("gcc") or "-c" not in argv:
        return None
    argv = [a for a in argv if not a.startswith("-Wp,-MMD")]
    return argv


def cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def main():
    args = sys.argv[1:]
    nfiles, rounds = 40, 3
    for opt in ("--files", "--rounds"):
        if opt in args:
            i = args.index(opt)
            val = int(args[i + 1])
            del args[i:i + 2]
            if opt == "--files":
                nfiles = val
            else:
                rounds = val
    if len(args) != 2:
        sys.exit("usage: compile-time.py PLAIN_O_DIR PLUGIN_O_DIR [--files N] [--rounds R]")
    plain, plug = args
    cands = []
    for dirpath, _dirs, files in os.walk(plain):
        for f in files:
            if not f.endswith(".o"):
                continue
            rel = os.path.relpath(os.path.join(dirpath, f), plain)
            if rel.startswith(("tools/", "scripts/")) or "/vdso/" in rel:
                continue
            if not os.path.exists(os.path.join(plug, rel)):
                continue
            cands.append((os.path.getsize(os.path.join(plain, rel)), rel))
    cands.sort(reverse=True)
    jobs = []
    for _size, rel in cands:
        try:
            a, b = compile_cmd(plain, rel), compile_cmd(plug, rel)
        except OSError:
            continue
        if not a or not b:
            continue
        if not any(x.startswith("-fplugin=") for x in b) or any(x.startswith("-fplugin=") for x in a):
            continue
        jobs.append((rel, a, b))
        if len(jobs) == nfiles:
            break
    if not jobs:
        sys.exit("compile-time: no comparable compiler commands found")
    total = {"plain": 0.0, "plugin": 0.0}
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "x.o")
        for r in range(rounds):
            order = ("plain", "plugin") if r % 2 == 0 else ("plugin", "plain")
            for variant in order:
                odir = plain if variant == "plain" else plug
                t = cpu()
                for rel, a, b in jobs:
                    argv = list(a if variant == "plain" else b)
                    argv[argv.index("-o") + 1] = out
                    res = subprocess.run(argv, cwd=odir, capture_output=True, text=True)
                    if res.returncode != 0:
                        sys.exit(f"compile-time: {variant} {rel} failed: {res.stderr.strip()[:400]}")
                dt = cpu() - t
                total[variant] += dt
                print(f"P1 compile: round {r + 1} {variant}: {dt:.1f} s CPU")
    print(f"P1 compile: {len(jobs)} largest files x {rounds} rounds: plain {total['plain']:.1f} s, "
          f"plugin {total['plugin']:.1f} s CPU, plugin/plain = {total['plugin'] / total['plain']:.4f} "
          f"(goal <= 1.03)")


if __name__ == "__main__":
    main()
