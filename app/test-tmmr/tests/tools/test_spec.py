#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The tmmr authors
"""The binding spec names tests that exist.

usage: test_spec.py SPEC.rst TESTS_DIR INTRO_TESTS_JSON

Every clause DEV-n / DRV-n (numbered from 1 without gaps) has one 'Test:' field;
each ``name: function, ...`` in it names a meson test of the build and functions
defined in the C sources under TESTS_DIR; 'pending' is allowed and listed.
"""

import json
import os
import re
import sys

CLAUSE = re.compile(r"^(DEV|DRV)-(\d+) \S", re.M)
LITERAL = re.compile(r"``([^`]+)``")


def defined_functions(tests_dir):
    names = set()
    for root, _, files in os.walk(tests_dir):
        for name in files:
            if name.endswith(".c"):
                with open(os.path.join(root, name), encoding="utf-8") as f:
                    names.update(re.findall(r"^(test_\w+)\(", f.read(), re.M))
    return names


def main(argv):
    if len(argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    spec_path, tests_dir, intro = argv[1:]
    with open(spec_path, encoding="utf-8") as f:
        spec = f.read()
    with open(intro, encoding="utf-8") as f:
        meson_tests = {t["name"] for t in json.load(f)}
    functions = defined_functions(tests_dir)
    errors = []
    pending = []

    marks = list(CLAUSE.finditer(spec))
    for kind in ("DEV", "DRV"):
        numbers = [int(m.group(2)) for m in marks if m.group(1) == kind]
        if numbers != list(range(1, len(numbers) + 1)):
            errors.append(f"{kind} clauses are not numbered 1..n in order: {numbers}")
    for i, m in enumerate(marks):
        clause = f"{m.group(1)}-{m.group(2)}"
        end = marks[i + 1].start() if i + 1 < len(marks) else len(spec)
        body = spec[m.start():end]
        fields = re.findall(r"^\s+Test: (.*?)(?=\n\s*\n|\Z)", body, re.M | re.S)
        if len(fields) != 1:
            errors.append(f"{clause}: {len(fields)} Test: fields, expected 1")
            continue
        field = fields[0]
        if field.strip().startswith("pending"):
            pending.append(clause)
            continue
        refs = LITERAL.findall(field)
        if not refs:
            errors.append(f"{clause}: Test: names no test")
        for ref in refs:
            test, _, funcs = ref.partition(":")
            if test not in meson_tests:
                errors.append(f"{clause}: no meson test named {test}")
            for func in filter(None, (x.strip() for x in funcs.split(","))):
                if func not in functions:
                    errors.append(f"{clause}: no test function {func} (for {test})")

    print(f"{len(marks)} clauses, pending: {', '.join(pending) or 'none'}")
    for e in errors:
        print("FAIL  " + e)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
