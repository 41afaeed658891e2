#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The tmmr authors
"""Prints the directory from which the installed DPDK's EAL loads every driver at
start-up. EAL embeds it as "DPDK_PLUGIN_PATH=<dir>" in librte_eal.so, so the answer
comes from the library itself, not from a guess of its version.

usage: dpdk-plugin-dir.py LIBDIR    (LIBDIR: where librte_eal.so is, pkg-config's libdir)
"""

import os
import re
import sys


def plugin_dir(libdir):
    path = os.path.join(libdir, "librte_eal.so")
    with open(path, "rb") as f:
        data = f.read()
    match = re.search(rb"DPDK_PLUGIN_PATH=([^\0]+)\0", data)
    if not match:
        raise ValueError(f"{path} names no DPDK_PLUGIN_PATH")
    return match.group(1).decode()


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    try:
        print(plugin_dir(sys.argv[1]))
    except (OSError, ValueError) as err:
        print(f"dpdk-plugin-dir: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
