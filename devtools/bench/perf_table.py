#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The tmmr authors
"""The table of backend-perf.sh and switch-perf.sh: cycles per packet by code
location, one column per contender.

usage: perf_table.py [--by address|function] [--order diff|size] [--title T]
                     DIR SYMS NTOP CONTENDER...
DIR/CONTENDER.txt holds one line per perf row: "GROUP DSO SYM CYCLES" (GROUP:
which CPU or side the samples were taken on, "-" for a single one). SYMS is
vhost_syms.py's output (start size name), possibly empty: it names the
addresses perf leaves bare in librte_vhost. --by function adds up a function's
addresses. --order diff: the rows where the contenders differ most first (at
most NTOP); size: per group, the largest rows first (at most NTOP per group).
A last row per group gives the sum of all its samples.
"""

import argparse
import bisect


def load_syms(path):
    syms = []
    with open(path) as f:
        for line in f:
            a, size, name = line.split()
            syms.append((int(a, 16), int(size), name))
    syms.sort()
    return syms


def labeller(syms, by_function):
    starts = [s[0] for s in syms]

    def label(dso, sym):
        if dso.startswith("librte_vhost") and sym.startswith("0x") and syms:
            a = int(sym, 16)
            i = bisect.bisect_right(starts, a) - 1
            if i >= 0 and a < syms[i][0] + syms[i][1]:
                if by_function:
                    return "%s %s" % (dso, syms[i][2])
                return "%s %s+0x%x" % (dso, syms[i][2], a - syms[i][0])
        if by_function and "+0x" in sym:
            sym = sym.split("+0x")[0]
        return "%s %s" % (dso, sym)

    return label


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--by", choices=("address", "function"), default="address")
    ap.add_argument("--order", choices=("diff", "size"), default="diff")
    ap.add_argument("--title", default="cycles per packet by address (perf cpu-clock)")
    ap.add_argument("dir")
    ap.add_argument("syms")
    ap.add_argument("ntop", type=int)
    ap.add_argument("names", nargs="+")
    args = ap.parse_args()

    label = labeller(load_syms(args.syms), args.by == "function")
    cyc = {}
    total = {}
    for n in args.names:
        with open("%s/%s.txt" % (args.dir, n)) as f:
            for line in f:
                group, dso, sym, c = line.split()
                key = (group, label(dso, sym))
                row = cyc.setdefault(key, {})
                row[n] = row.get(n, 0.0) + float(c)
                tot = total.setdefault(group, {})
                tot[n] = tot.get(n, 0.0) + float(c)

    def spread(v):
        vals = [v.get(n, 0.0) for n in args.names]
        return max(vals) - min(vals)

    if args.order == "diff":
        rows = sorted(cyc.items(), key=lambda kv: -spread(kv[1]))[:args.ntop]
    else:
        rows = []
        for g in sorted(total):
            mine = [kv for kv in cyc.items() if kv[0][0] == g]
            mine.sort(key=lambda kv: -max(kv[1].values()))
            rows += mine[:args.ntop]
    grouped = any(g != "-" for g in total)

    def name(key):
        return "%s %s" % key if grouped else key[1]

    w = max([len(name(k)) for k, _ in rows] + [20])
    print(args.title)
    print("%-*s %s %9s" % (w, "address" if args.by == "address" else "function",
                           " ".join("%12s" % n for n in args.names), "diff"))
    for k, v in rows:
        vals = [v.get(n, 0.0) for n in args.names]
        print("%-*s %s %9.1f" % (w, name(k), " ".join("%12.1f" % x for x in vals),
                                 max(vals) - min(vals)))
    for g in sorted(total):
        key = (g, "all samples")
        print("%-*s %s" % (w, name(key), " ".join("%12.1f" % total[g].get(n, 0.0)
                                                  for n in args.names)))


if __name__ == "__main__":
    main()
