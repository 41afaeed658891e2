#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The tmmr authors
"""Figures from a callgrind output file, for devtools/bench (one parser for all).

usage: cg.py stats FILE FUNCTION...   "calls Ir [events...]" per FUNCTION, one line
                                      each: how often it was called and its inclusive
                                      cost (self + callees), every event
       cg.py self FILE [MAP]          "name Ir" per function, its own cost; functions
                                      callgrind names by address inside librte_vhost
                                      get their name from MAP (vhost_syms.py)
       cg.py split FILE OBJ ROOT      the cost of ROOT (a function of the object whose
                                      path ends with /OBJ) split at OBJ's boundary:
                                      "self FN Ir" for each function of OBJ that ROOT
                                      reaches, "ext FN Ir calls" for each function
                                      outside OBJ that OBJ's code calls (inclusive of
                                      what that calls), "calls FN n" for the calls
                                      between OBJ's own functions
"""
import re
import sys

NAME = re.compile(r"(c?ob|c?fn)=\((\d+)\)(?: (.*))?")


class Profile:
    """A callgrind file (--compress-strings, the default), costs per (object, function).

    selfc[(ob, fn)]: the function's own cost, one value per event
    calls[(ob, fn, cob, cfn)]: [number of calls, their inclusive cost per event]
    fns[id]: the function's name, obs[id]: the object's path, fn_ob[id]: the object
    the function was named in first
    """

    def __init__(self, path):
        self.nev = 1
        self.obs, self.fns, self.fn_ob = {}, {}, {}
        self.selfc, self.calls = {}, {}
        ob = fn = cob = cfn = None
        pending = None
        for line in open(path, errors="replace"):
            if line.startswith("events:"):
                self.nev = len(line.split()) - 1
                continue
            m = NAME.match(line)
            if m:
                kind, ident, name = m.group(1), m.group(2), m.group(3)
                if kind in ("ob", "cob"):
                    if name:
                        self.obs[ident] = name.strip()
                    if kind == "ob":
                        ob = ident
                    else:
                        cob = ident
                    continue
                if name and ident not in self.fns:
                    self.fns[ident] = name.strip()
                    self.fn_ob[ident] = cob if kind == "cfn" and cob else ob
                if kind == "fn":
                    fn, cob = ident, None
                    self.selfc.setdefault((ob, fn), [0] * self.nev)
                else:
                    cfn = ident
                continue
            m = re.match(r"calls=(\d+)", line)
            if m:
                pending = int(m.group(1))
                continue
            if line[:1] in "0123456789+-*" and fn is not None:
                v = [int(x) for x in line.split()[1:]][:self.nev]
                v += [0] * (self.nev - len(v))
                if pending is not None:
                    c = self.calls.setdefault((ob, fn, cob or ob, cfn),
                                              [0, [0] * self.nev])
                    c[0] += pending
                    c[1] = [a + b for a, b in zip(c[1], v)]
                    pending, cob = None, None
                else:
                    acc = self.selfc.setdefault((ob, fn), [0] * self.nev)
                    for i in range(self.nev):
                        acc[i] += v[i]

    def name(self, fn):
        return self.fns.get(fn, fn)

    def stats(self, names):
        """calls and inclusive cost of each function named so (every object)"""
        for name in names:
            n, tot = 0, [0] * self.nev
            for (o, f), v in self.selfc.items():
                if self.name(f) == name:
                    tot = [a + b for a, b in zip(tot, v)]
            for (o, f, co, cf), (k, v) in self.calls.items():
                if self.name(f) == name:
                    tot = [a + b for a, b in zip(tot, v)]
                if self.name(cf) == name:
                    n += k
            print(n, " ".join(str(x) for x in tot))

    def own(self, mapfile):
        """own cost (first event) per function name"""
        names = {}
        if mapfile:
            for line in open(mapfile):
                a, _, n = line.split()
                names[int(a, 16)] = n
        tot = {}
        for (o, f), v in self.selfc.items():
            n = self.name(f)
            if (re.fullmatch(r"0x[0-9a-f]+", n) and
                    "librte_vhost" in self.obs.get(self.fn_ob.get(f), "")):
                n = names.get(int(n, 16), n)
            tot[n] = tot.get(n, 0) + v[0]
        for n, v in tot.items():
            if v:
                print(n, v)

    def split(self, obj, root):
        """ROOT's cost split at OBJ's boundary (first event)"""
        mine = {k for k, n in self.obs.items() if n.endswith("/" + obj)}
        todo = [(o, f) for (o, f) in self.selfc if o in mine and self.name(f) == root]
        seen = set(todo)
        while todo:
            o, f = todo.pop()
            for (a, b, co, cf) in self.calls:
                if (a, b) == (o, f) and co in mine and (co, cf) not in seen:
                    seen.add((co, cf))
                    todo.append((co, cf))
        for (o, f) in seen:
            print("self", self.name(f), self.selfc.get((o, f), [0])[0])
        ext, inner = {}, {}
        for (a, b, co, cf), (n, v) in self.calls.items():
            if (a, b) not in seen:
                continue
            if co in mine:
                inner[self.name(cf)] = inner.get(self.name(cf), 0) + n
            else:
                c = ext.setdefault(self.name(cf), [0, 0])
                c[0] += v[0]
                c[1] += n
        for k, (v, n) in ext.items():
            print("ext", k, v, n)
        for k, n in inner.items():
            print("calls", k, n)


def main(argv):
    if len(argv) < 3 or argv[1] not in ("stats", "self", "split"):
        sys.stderr.write(__doc__)
        return 2
    p = Profile(argv[2])
    if argv[1] == "stats":
        p.stats(argv[3:])
    elif argv[1] == "self":
        p.own(argv[3] if len(argv) > 3 else None)
    else:
        if len(argv) != 5:
            sys.stderr.write(__doc__)
            return 2
        p.split(argv[3], argv[4])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
