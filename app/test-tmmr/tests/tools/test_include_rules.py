#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The tmmr authors

"""Who may include what (doc/guides/prog_guide/developer.rst, "Layout").

For each rule, every compile of a source under its directories (from the build's
compile_commands.json, so a meson change that widens an include path fails) may
only have include paths inside the allowed directories (source or build tree)
or a target's private directory, and the sources themselves may only include
project headers found there by a plain name, and no header matching a
forbidden pattern.

usage: test_include_rules.py SOURCE_ROOT BUILD_ROOT
"""

import json
import os
import re
import shlex
import sys

# rule: the sources it applies to, the targets whose compiles it checks (output
# prefixes in the build tree; None: all), the include paths allowed (None: any but
# the forbidden ones) and forbidden, and the #include patterns forbidden. Tests may
# compile a part of the model with fakes of their own: only the model's targets count.
RULES = [
    {"rule": "the model sees only the shared headers",
     "sources": ["app/test-tmmr/vfemu"],
     "targets": ["app/test-tmmr/vfemu/", "app/test-tmmr/fuzz/libfuzz_vfemu.a.p/"],
     "allowed": ["app/test-tmmr/vfemu", "drivers/common/tmmr"], "forbidden": [],
     "patterns": [r"^<(dpdk/)?rte_", r"ethdev", r"^<bus_"]},
    {"rule": "the shared headers include nothing of the project nor of DPDK",
     "sources": ["drivers/common/tmmr"], "targets": ["drivers/common/tmmr/"],
     "allowed": ["drivers/common/tmmr"], "forbidden": [],
     "patterns": [r"^<(dpdk/)?rte_", r"ethdev", r"^<bus_"]},
    {"rule": "the PCI glue knows no ethdev",
     "sources": ["drivers/bus/pci"], "targets": None,
     "allowed": None, "forbidden": ["drivers/net/virtio_tmmr"],
     "patterns": [r"ethdev", r"^\"tmmr_(ethdev|rxtx|vq|ctrlq|legacy|devargs|logs)\.h\""]},
    {"rule": "the ring code never sees the transport (only the doorbell it rings)",
     "sources": ["drivers/net/virtio_tmmr"], "targets": None,
     "files": ["tmmr_vq.h", "tmmr_rxtx.h", "tmmr_rx.c", "tmmr_tx.c", "tmmr_ring.c",
               "tmmr_dp_stats.c"],
     "allowed": None, "forbidden": [],
     "patterns": [r"ethdev", r"^\"tmmr_(pci|pci_priv|caps|legacy|hw|ctrlq)\.h\""]},
]
INCLUDE_OPTS = ("-I", "-isystem", "-iquote", "-idirafter")
INCLUDE = re.compile(r"^\s*#\s*include\s+([<\"][^>\"]+[>\"])", re.M)


def inside(path, dirs):
    return any(path == d or path.startswith(d + os.sep) for d in dirs)


def include_paths(entry):
    args = entry["arguments"] if "arguments" in entry else shlex.split(entry["command"])
    out = []
    for i, a in enumerate(args):
        for opt in INCLUDE_OPTS:
            if a == opt and i + 1 < len(args):
                out.append(args[i + 1])
            elif a.startswith(opt) and a != opt:
                out.append(a[len(opt):])
            else:
                continue
            break
    return [os.path.realpath(os.path.join(entry["directory"], p)) for p in out]


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    src, build = (os.path.realpath(p) for p in sys.argv[1:])
    with open(os.path.join(build, "compile_commands.json")) as f:
        commands = json.load(f)
    errors = []
    for r in RULES:
        rule, allowed, patterns = r["rule"], r["allowed"], r["patterns"]
        where_src = [os.path.join(src, d) for d in r["sources"]]
        ok_dirs = None
        if allowed is not None:
            ok_dirs = [os.path.join(root, d) for d in allowed for root in (src, build)]
        bad_dirs = [os.path.join(root, d) for d in r["forbidden"] for root in (src, build)]
        compiled = 0
        for e in commands:
            path = os.path.realpath(os.path.join(e["directory"], e["file"]))
            if not inside(path, where_src):
                continue
            if "files" in r and os.path.basename(path) not in r["files"]:
                continue
            out = os.path.relpath(os.path.realpath(os.path.join(e["directory"], e["output"])),
                                  build)
            if r["targets"] is not None and not out.startswith(tuple(r["targets"])):
                continue
            compiled += 1
            for inc in include_paths(e):
                private = inside(inc, [build]) and inc.endswith(".p")
                if inside(inc, bad_dirs) or (ok_dirs is not None and not private and
                                             not inside(inc, ok_dirs)):
                    errors.append("%s: %s is compiled with %s"
                                  % (rule, os.path.relpath(path, src), inc))
        if compiled == 0:
            errors.append("%s: nothing of %s is compiled in %s" % (rule, r["sources"], build))
        # the sources: project headers by a plain name from the allowed directories
        for d in where_src:
            for name in sorted(os.listdir(d)):
                if not name.endswith((".c", ".h")):
                    continue
                if "files" in r and name not in r["files"]:
                    continue
                with open(os.path.join(d, name)) as f:
                    text = f.read()
                for inc in INCLUDE.findall(text):
                    where_inc = "%s: %s includes %s" % (rule, os.path.relpath(
                        os.path.join(d, name), src), inc)
                    if any(re.search(p, inc) for p in patterns):
                        errors.append(where_inc)
                    elif inc.startswith('"') and allowed is not None:
                        hdr = inc.strip('"')
                        if "/" in hdr or not any(
                                os.path.isfile(os.path.join(src, a, hdr)) for a in allowed):
                            errors.append(where_inc + ", not found in " + ", ".join(allowed))
    for e in errors:
        print("FAIL:", e)
    print("%d rules checked" % len(RULES))
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
