#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The tmmr authors
"""Count the vfio-user requests a DPDK process sent, from an strace log.

The log comes from `strace -f -xx -s 32 -e trace=sendmsg` on the process that
drives the VFs: every request of the PCI glue's vfio-user client is one
sendmsg whose first iovec starts with the 16-byte header (msg_id, cmd, size,
flags, error). Other sendmsg calls of the process (EAL's multi-process socket)
do not parse as a vfio-user command and are ignored.

Usage: vfu_count.py LOG [START_BYTE]
Prints one line of key=value counts of the requests after START_BYTE of LOG:
reg_reads/reg_writes (REGION_READ/WRITE of BAR0, i.e. register accesses),
cfg_reads/cfg_writes (of the config space region), and every other command
by name.
"""

import re
import struct
import sys

CMDS = {1: "version", 2: "dma_map", 3: "dma_unmap", 4: "get_info", 5: "get_region_info",
        6: "get_region_io_fds", 7: "get_irq_info", 8: "set_irqs", 9: "region_read",
        10: "region_write", 11: "dma_read", 12: "dma_write", 13: "reset"}
REGION_CONFIG = 7
IOV_RE = re.compile(r'msg_iov=\[\{iov_base="((?:\\x[0-9a-f]{2})+)')


def main():
    path = sys.argv[1]
    start = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    counts = {"reg_reads": 0, "reg_writes": 0, "cfg_reads": 0, "cfg_writes": 0}
    with open(path, "rb") as f:
        f.seek(start)
        text = f.read().decode("ascii", "replace")
    for line in text.splitlines():
        if "sendmsg(" not in line or "resumed" in line:
            continue
        m = IOV_RE.search(line)
        if m is None:
            continue
        raw = bytes(int(h, 16) for h in m.group(1).split("\\x")[1:])
        if len(raw) < 16:
            continue
        _msg_id, cmd, size, flags, _err = struct.unpack_from("<HHIII", raw)
        if cmd not in CMDS or flags & 0xF != 0 or size < 16 or size > 1 << 20:
            continue
        name = CMDS[cmd]
        if cmd in (9, 10) and len(raw) >= 32:
            _off, region, _count = struct.unpack_from("<QII", raw, 16)
            kind = "cfg" if region == REGION_CONFIG else "reg"
            counts[kind + ("_reads" if cmd == 9 else "_writes")] += 1
        elif cmd in (9, 10):
            # body in a second iovec: counted as a register access
            counts["reg_reads" if cmd == 9 else "reg_writes"] += 1
        else:
            counts[name] = counts.get(name, 0) + 1
    print(" ".join(f"{k}={v}" for k, v in counts.items()))


if __name__ == "__main__":
    main()
