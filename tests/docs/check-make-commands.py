#!/usr/bin/env python3
"""Every `make TARGET` command the documentation names must be a target
make knows (check-docs-commands).

  tests/docs/check-make-commands.py [TOPDIR [MAKE [DOC...]]]

Reads README.md, docs/*.md and every directory's README.md under TOPDIR
(not build/ or .git), or only the DOC files given.  Commands are taken from code only: indented and
fenced code blocks and `inline code`, wherever a `make` word starts a
command (also after `&&`, `;` or `or:` in a comment).  For each command
the targets are the words that are not options or VAR=value assignments;
`a|b|c` names three targets, `[...]` marks optional words, `...` and `…`
are placeholders.  Commands given to another makefile (`make -C dir`,
`-f`) and Linux's own Kbuild targets (LINUX_TARGETS, documented as
what our scripts run inside the kernel tree) are listed as skipped.

Nothing is built and no recipe runs: make reads the makefiles with the
command's own VAR=value words and prints its database (`make -p -q
.DEFAULT`, the way bash completion lists targets; .DEFAULT has no recipe,
so even recipe lines with $(MAKE) stay unrun).  A target is known when the
database has it as a target (explicit rule, or .PHONY), or when a pattern
rule's prerequisites, with the stem put in, are known targets or existing
files (e.g. `make build/previrt-clang.so`).

Prints PASS/FAIL per command and ends with "N passed, M failed".
"""
import os
import re
import shlex
import subprocess
import sys

LINUX_TARGETS = {"tinyconfig", "x86_64_defconfig", "olddefconfig", "defconfig", "menuconfig"}
PLACEHOLDERS = {"...", "…", "..", "TARGET"}

top = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else ".")
make = sys.argv[2] if len(sys.argv) > 2 else "make"
only = [os.path.abspath(d) for d in sys.argv[3:]]


def doc_files():
    out = [os.path.join(top, "README.md")]
    docs = os.path.join(top, "docs")
    if os.path.isdir(docs):
        out += sorted(os.path.join(docs, f) for f in os.listdir(docs) if f.endswith(".md"))
    for d, subdirs, files in os.walk(top):
        subdirs[:] = sorted(s for s in subdirs if s not in ("build", ".git") and not s.startswith("."))
        if d != top and "README.md" in files:
            out.append(os.path.join(d, "README.md"))
    return [f for f in out if os.path.isfile(f)]


def code_pieces(path):
    """(line number, code text) for code blocks and inline code spans."""
    fenced = False
    prev_blank = True
    in_indented = False
    for n, line in enumerate(open(path, encoding="utf-8"), 1):
        line = line.rstrip("\n")
        if line.lstrip().startswith("```"):
            fenced = not fenced
            continue
        if fenced:
            yield n, line
            continue
        indented = line.startswith("    ") or line.startswith("\t")
        # an indented block starts after a blank line (not a list continuation)
        if indented and (prev_blank or in_indented) and not re.match(r"\s*([-*+]|\d+\.)\s", line):
            in_indented = True
            yield n, line.strip()
        else:
            in_indented = in_indented and (indented or not line.strip())
            for span in re.findall(r"`([^`]+)`", line):
                yield n, span
        prev_blank = not line.strip()


MAKE_WORD = re.compile(r"(?:^|(?<=[\s;&(]))make(?=\s|$)")


def commands(text):
    """Each `make ...` command in one piece of code: its argument words,
    split as the shell would (quotes, comments).  `&&`, `;`, a pipe with
    spaces around it, or a parenthesis (prose: "make (part of ALL)") ends
    the command; `a|b` without spaces stays one word (alternatives)."""
    for m in MAKE_WORD.finditer(text):
        rest = re.sub(r"(?<=\S)\|(?=\S)", "\0", text[m.end():])
        lex = shlex.shlex(rest, posix=True, punctuation_chars=";&|()")
        lex.whitespace_split = True
        lex.commenters = "#"
        words = []
        try:
            for w in lex:
                if w and all(c in ";&|()" for c in w):
                    break
                words.append(w.replace("\0", "|"))
        except ValueError:  # unbalanced quotes: plain words up to a comment
            words = [w.replace("\0", "|") for w in rest.split("#")[0].split()]
        yield words


def parse(words):
    """-> (vars dict, targets list) or None when the command is another makefile's."""
    vars_, targets = {}, []
    it = iter(words)
    for w in it:
        w = w.strip("[]")
        if not w or w in PLACEHOLDERS:
            continue
        if w in ("-C", "-f", "--file", "--directory") or w.startswith(("-C", "-f", "--directory=", "--file=")):
            return None
        if w in ("-o", "-W", "-I", "-j", "-l") :
            next(it, None)
            continue
        if w.startswith("-"):
            continue
        if re.match(r"^[A-Za-z_][A-Za-z0-9_]*[:+?]?=", w):
            k, v = w.split("=", 1)
            vars_[k.rstrip(":+?")] = v
            continue
        if not re.match(r"^[A-Za-z0-9_./%-]+(\|[A-Za-z0-9_./%-]+)*$", w):
            continue  # prose caught in a span, e.g. a placeholder in angle brackets
        targets += [t for t in w.split("|") if t]
    return vars_, targets


_db_cache = {}


def database(vars_):
    key = tuple(sorted(vars_.items()))
    if key in _db_cache:
        return _db_cache[key]
    env = {k: v for k, v in os.environ.items()
           if k not in ("MAKEFLAGS", "MFLAGS", "MAKEOVERRIDES", "MAKELEVEL", "MAKE_TERMOUT", "MAKE_TERMERR")}
    args = [make, "-C", top, "--no-print-directory", "-p", "-q"] + \
        ["%s=%s" % kv for kv in key] + [".DEFAULT"]
    try:
        out = subprocess.run(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                             stdin=subprocess.DEVNULL, timeout=60).stdout.decode("utf-8", "replace")
    except subprocess.TimeoutExpired:
        out = ""
    explicit, patterns = set(), []
    section = None
    not_target = False
    for line in out.splitlines():
        if line.startswith("# ") and line[2:].strip() in ("Files", "Implicit Rules", "Variables",
                                                         "Directories", "Pattern-specific Variable Values"):
            section = line[2:].strip()
            continue
        if line.startswith("# files hash-table stats") or line.startswith("# VPATH Search Paths"):
            section = None
            continue
        if line == "# Not a target:":
            not_target = True
            continue
        m = re.match(r"^([^#\s][^:=]*?)::?(?!=)(.*)$", line) if section in ("Files", "Implicit Rules") else None
        if m:
            name, rest = m.group(1).strip(), m.group(2).split("|")[0].split()
            if section == "Files":
                if not not_target:
                    explicit.add(name)
            elif "%" in name:
                patterns.append((name, rest))
            not_target = False
    _db_cache[key] = (explicit, patterns, bool(out))
    return _db_cache[key]


def known(target, explicit, patterns):
    if target in explicit:
        return True
    for pat, prereqs in patterns:
        pre, _, post = pat.partition("%")
        if "/" not in pat or not (target.startswith(pre) and target.endswith(post)) or \
                len(target) < len(pre) + len(post):
            continue  # only our own path patterns, not make's built-in suffix rules
        stem = target[len(pre):len(target) - len(post)]
        deps = [p.replace("%", stem) for p in prereqs]
        if deps and all(d in explicit or os.path.exists(os.path.join(top, d)) for d in deps):
            return True
    return False


passed = failed = 0
seen = set()
for path in only or doc_files():
    rel = os.path.relpath(path, top)
    for n, text in code_pieces(path):
        for words in commands(text):
            parsed = parse(words)
            cmd = " ".join(["make"] + words)
            if parsed is None:
                print("skip %s:%d: %s (another makefile)" % (rel, n, cmd))
                continue
            vars_, targets = parsed
            ours = [t for t in targets if t not in LINUX_TARGETS]
            if targets and not ours:
                print("skip %s:%d: %s (Linux's own Kbuild target)" % (rel, n, cmd))
                continue
            if not ours:
                continue  # no target named: the default goal
            key = (rel, tuple(ours), tuple(sorted(vars_.items())))
            if key in seen:
                continue
            seen.add(key)
            explicit, patterns, ok = database(vars_)
            missing = [t for t in ours if not known(t, explicit, patterns)]
            if not ok:
                failed += 1
                print("FAIL %s:%d: %s: make printed no database" % (rel, n, cmd))
            elif missing:
                failed += 1
                print("FAIL %s:%d: %s: No rule to make target %s" % (rel, n, cmd,
                      ", ".join("'%s'" % t for t in missing)))
            else:
                passed += 1
                print("PASS %s:%d: %s" % (rel, n, cmd))
print("docs-commands: %d passed, %d failed" % (passed, failed))
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
