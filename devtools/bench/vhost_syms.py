#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The tmmr authors
"""Name the static functions of a stripped shared library.

Debian strips librte_vhost.so, so callgrind names its static functions
(virtio_dev_tx_split_compliant, copy_desc_to_mbuf, ...) only by address. The
static archive of the same build (librte_vhost.a, in libdpdk-dev) keeps its
local symbols, and DPDK links the shared library from the same objects: each
object's code is found in the library's .text (relocated bytes masked), which
gives every function's address.

usage: vhost_syms.py LIB.so LIB.a   prints "address size name" lines (hex address)
"""

import os
import re
import subprocess
import sys
import tempfile


def run(*cmd):
    return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout


def sections(path):
    """name -> (index, address, file offset, size)"""
    res = {}
    for m in re.finditer(r"\[\s*(\d+)\]\s+(\S+)\s+\S+\s+([0-9a-f]+)\s+([0-9a-f]+)\s+([0-9a-f]+)",
                         run("readelf", "-S", "-W", path)):
        res[m.group(2)] = (m.group(1), int(m.group(3), 16), int(m.group(4), 16),
                           int(m.group(5), 16))
    return res


def masked_pattern(obj, data, sec, off, size):
    """a regex of the section's bytes, the bytes relocations change as wildcards"""
    mask = bytearray(size)
    cur = None
    for line in run("readelf", "-r", "-W", obj).splitlines():
        m = re.match(r"Relocation section '(\S+)'", line)
        if m:
            cur = m.group(1)
            continue
        m = re.match(r"^([0-9a-f]{8,16})\s+\S+\s+(\S+)", line)
        if cur == ".rela" + sec and m:
            r = int(m.group(1), 16)
            # the linker may also rewrite the opcode of a GOT load (relaxation)
            for k in range(-2 if "GOTPCREL" in m.group(2) else 0, 4):
                if 0 <= r + k < size:
                    mask[r + k] = 1
    body = data[off:off + size]
    pat, i = [], 0
    while i < size:
        j = i
        while j < size and mask[j] == mask[i]:
            j += 1
        pat.append(b".{%d}" % (j - i) if mask[i] else re.escape(body[i:j]))
        i = j
    return re.compile(b"".join(pat), re.S)


def main():
    if len(sys.argv) != 3:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    lib, archive = sys.argv[1:]
    data = open(lib, "rb").read()
    _, taddr, toff, tsize = sections(lib)[".text"]
    text = data[toff:toff + tsize]
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["ar", "x", os.path.abspath(archive)], cwd=tmp, check=True)
        for name in sorted(os.listdir(tmp)):
            obj = os.path.join(tmp, name)
            odata = open(obj, "rb").read()
            osecs = sections(obj)
            syms = run("readelf", "-s", "-W", obj).splitlines()
            for sec in (".text", ".text.unlikely"):
                if sec not in osecs or osecs[sec][3] == 0:
                    continue
                idx, _, off, size = osecs[sec]
                hits = [m.start() for m in
                        masked_pattern(obj, odata, sec, off, size).finditer(text)]
                if len(hits) != 1:
                    print("# %s %s: %d matches" % (name, sec, len(hits)), file=sys.stderr)
                    continue
                for line in syms:
                    f = line.split()
                    if len(f) >= 8 and f[3] == "FUNC" and f[6] == idx:
                        print("%x %d %s" % (taddr + hits[0] + int(f[1], 16), int(f[2], 0), f[7]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
