#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The tmmr authors
#
# Counts the packets of a pcapng file by direction and length, from the flags option of each
# enhanced packet block (what dpdk-dumpcap records: inbound = received by the port,
# outbound = sent), one "DIRECTION LENGTH COUNT" line each, sorted (DIRECTION: in, out,
# none). The vfio suite's guest reads dumpcap's capture with it (tcpdump does not show the
# direction of a pcapng packet).
#
# usage: pcapng_dir.py FILE
import collections
import struct
import sys

SHB, EPB = 0x0A0D0D0A, 6
OPT_END, EPB_FLAGS = 0, 2


def packets(data):
    """(direction, original length) of each enhanced packet block"""
    end = '<'
    off = 0
    while off + 12 <= len(data):
        btype, = struct.unpack_from(end + 'I', data, off)
        if btype == SHB:
            magic = data[off + 8:off + 12]
            end = '<' if magic == b'\x4d\x3c\x2b\x1a' else '>'
        blen, = struct.unpack_from(end + 'I', data, off + 4)
        if blen < 12 or off + blen > len(data):
            raise ValueError(f'truncated block at {off}')
        if btype == EPB:
            caplen, origlen = struct.unpack_from(end + 'II', data, off + 20)
            opt = off + 28 + (caplen + 3) // 4 * 4
            direction = 'none'
            while opt + 4 <= off + blen - 4:
                code, olen = struct.unpack_from(end + 'HH', data, opt)
                if code == OPT_END:
                    break
                if code == EPB_FLAGS and olen == 4:
                    flags, = struct.unpack_from(end + 'I', data, opt + 4)
                    direction = ('none', 'in', 'out', 'none')[flags & 3]
                opt += 4 + (olen + 3) // 4 * 4
            yield direction, origlen
        off += blen


def main():
    with open(sys.argv[1], 'rb') as f:
        count = collections.Counter(packets(f.read()))
    for (direction, length), n in sorted(count.items()):
        print(direction, length, n)


if __name__ == '__main__':
    main()
