#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The tmmr authors
"""Checks that a man page and its program's --help agree on the options: every option
--help prints is in the page, and every option the page's OPTIONS section describes is
one --help prints (so an option added, renamed or removed in one place fails here).

usage: man_options.py [--after MARKER] PROGRAM PAGE
  PROGRAM  the built program; run as "PROGRAM --help" (exit status 0 wanted)
  PAGE     the built man page (roff)
  --after MARKER  only the options printed after the line MARKER (tmmr_relay: its own
           options follow EAL's after "===== Application Usage =====")
"""

import re
import subprocess
import sys

OPTION = re.compile(r"(?<![\w-])--[a-z][a-z0-9-]*")


def fail(msg):
    print(f"FAIL: {msg}")
    sys.exit(1)


def help_options(program, after):
    try:
        res = subprocess.run([program, "--help"], stdin=subprocess.DEVNULL,
                             capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as err:
        fail(f"{program} --help: {err}")
    if res.returncode != 0:
        fail(f"{program} --help exited with {res.returncode}: {res.stderr.strip()}")
    text = res.stdout
    if after is not None:
        if after not in text:
            fail(f"{program} --help printed no line {after!r}")
        text = text.split(after, 1)[1]
    opts = set(OPTION.findall(text))
    if not opts:
        fail(f"{program} --help printed no options")
    return opts


def plain(roff):
    """the text of a roff line, without font escapes"""
    roff = roff.replace("\\-", "-").replace("\\(aq", "'")
    return re.sub(r"\\f[A-Z]|\\f\(..|\\&", "", roff)


def page_options(page):
    with open(page, encoding="utf-8") as f:
        lines = f.read().splitlines()
    everywhere = set()
    described = set()
    section = None
    term_next = False
    for line in lines:
        if line.startswith(".SH "):
            section = plain(line[4:]).strip('"')
        text = plain(line)
        everywhere.update(OPTION.findall(text))
        if section == "OPTIONS":
            if line == ".TP":
                term_next = True
                continue
            if term_next:
                term = OPTION.findall(text)
                if term:
                    described.add(term[0])
                term_next = False
    if not described:
        fail(f"{page} describes no options in an OPTIONS section")
    return everywhere, described


def main():
    args = sys.argv[1:]
    after = None
    if len(args) == 4 and args[0] == "--after":
        after = args[1]
        args = args[2:]
    if len(args) != 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    program, page = args
    in_help = help_options(program, after)
    everywhere, described = page_options(page)
    missing = sorted(in_help - everywhere)
    stale = sorted(described - in_help)
    undescribed = sorted(in_help - described)
    for o in missing:
        print(f"FAIL: {page} does not mention {o}, which {program} --help prints")
    for o in undescribed:
        print(f"FAIL: {page} has no OPTIONS entry for {o}, which {program} --help prints")
    for o in stale:
        print(f"FAIL: {page} describes {o}, which {program} --help does not print")
    if missing or stale or undescribed:
        return 1
    print(f"ok: {page} describes the {len(in_help)} options of {program} --help: "
          + " ".join(sorted(in_help)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
