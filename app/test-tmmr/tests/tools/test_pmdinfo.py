#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The tmmr authors
"""Tests of devtools/pmdinfogen.py, read back with Debian's dpdk-pmdinfo.py.

  test_pmdinfo.py pmd PMDINFO SO NAME VENDOR:DEVICE...
      the driver NAME in SO advertises (at least) these PCI IDs
  test_pmdinfo.py generator PMDINFO GENERATOR FIXTURE_SO FIXTURE_LIB CASE=LIB...
      the generator's output for the fixture driver, its archive handling and
      its refusal of each hostile case (CASE is the expected error text)
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

failures = []


def check(cond, what):
    print(("ok    " if cond else "FAIL  ") + what)
    if not cond:
        failures.append(what)


def pmdinfo(tool, path):
    out = subprocess.run([tool, path], check=True, capture_output=True, text=True).stdout
    return {d["name"]: d for d in json.loads(out)}


def pci_pairs(info):
    return [f"{i.get('vendor')}:{i.get('device')}" for i in info.get("pci_ids", [])]


def test_pmd(tool, so, name, ids):
    drivers = pmdinfo(tool, so)
    check(name in drivers, f"{so} advertises {name} (found {sorted(drivers)})")
    for pair in ids:
        check(pair in pci_pairs(drivers.get(name, {})), f"{name} advertises PCI ID {pair}")


def run_generator(generator, inputs, output):
    return subprocess.run([sys.executable, generator, *inputs, output],
                          capture_output=True, text=True, check=False)


def archive_members(lib):
    # ar names the members of a thin archive by their path from the current directory
    return subprocess.run(["ar", "t", lib], check=True, capture_output=True,
                          text=True).stdout.split()


def test_fixture(tool, so):
    drivers = pmdinfo(tool, so)
    pci = drivers.get("net_tmmr_fixture", {})
    check(pci.get("pci_ids") == [{"vendor": "1af4", "device": "10f9"},
                                 {"vendor": "1af4", "device": "10fa",
                                  "subsystem_vendor": "1af4", "subsystem_device": "0002"}],
          f"fixture PCI IDs, stopping at the terminator: {pci.get('pci_ids')}")
    check(pci.get("params") == 'mode=<"fast"|slow> path=C:\\tmp',
          f"fixture params survive escaping: {pci.get('params')!r}")
    check(pci.get("kmod") == "* vfio-pci", f"fixture kmod: {pci.get('kmod')!r}")
    second = drivers.get("net_tmmr_fixture2", {})
    check(second.get("pci_ids") == [{"vendor": "1af4", "device": "10fb"}],
          f"a same-named static table in another object: {second.get('pci_ids')}")
    vdev = drivers.get("net_tmmr_fixture_vdev", {})
    check(vdev == {"name": "net_tmmr_fixture_vdev", "params": "iface=<name>"},
          f"a driver without PCI table: {vdev}")


def test_archives(generator, lib, tmp):
    """A thin archive, a regular one and the bare objects give the same output."""
    thin = run_generator(generator, [lib], f"{tmp}/thin.c")
    check(thin.returncode == 0, f"generator on the thin archive: {thin.stderr.strip()}")
    objs = archive_members(lib)
    regular = f"{tmp}/regular.a"
    subprocess.run(["ar", "rc", regular, *objs], check=True)
    with open(regular, "rb") as f:
        data = f.read()
    check(data.startswith(b"!<arch>\n"), "ar built a regular archive")
    # GNU ar may end the name field of a long name with '/', as in '/0             /'
    slashed = f"{tmp}/slashed.a"
    data, count = re.subn(rb"\n(/\d+ *) 0 ", lambda m: b"\n" + m.group(1) + b"/0 ", data)
    check(count > 0, f"{count} long member names rewritten to end in '/'")
    with open(slashed, "wb") as f:
        f.write(data)
    for label, inputs in (("regular archive", [regular]), ("object files", objs),
                          ("name fields ending in '/'", [slashed])):
        res = run_generator(generator, inputs, f"{tmp}/out.c")
        same = res.returncode == 0 and open(f"{tmp}/out.c").read() == open(
            f"{tmp}/thin.c").read()
        check(same, f"generator on {label} matches the thin archive")
    return regular


def test_malformed(generator, regular, tmp):
    """Cut or damaged input is an error message, never a traceback or a wrong file."""
    with open(regular, "rb") as f:
        data = f.read()
    bad = 0
    cuts = sorted(set([9, 60, 68, 100] + list(range(200, len(data), max(1, len(data) // 40)))))
    for cut in cuts:
        broken = f"{tmp}/cut.a"
        with open(broken, "wb") as f:
            f.write(data[:cut])
        out = f"{tmp}/cut.c"
        if os.path.exists(out):
            os.unlink(out)
        res = run_generator(generator, [broken], out)
        clean = ("Traceback" not in res.stderr and
                 (res.returncode == 0 or (res.returncode == 1 and not os.path.exists(out) and
                                          res.stderr.startswith("pmdinfogen: "))))
        if not clean:
            bad += 1
            print(f"      cut at {cut}: rc {res.returncode}: {res.stderr.strip()[-300:]}")
    check(bad == 0, f"{len(cuts)} truncated archives fail cleanly")
    garbage = f"{tmp}/garbage.o"
    with open(garbage, "wb") as f:
        f.write(b"\x7fELF" + bytes(range(256)) * 4)
    res = run_generator(generator, [garbage], f"{tmp}/garbage.c")
    check(res.returncode == 1 and "Traceback" not in res.stderr,
          f"a corrupt ELF is refused: {res.stderr.strip()[-200:]}")


def test_hostile(generator, cases, tmp):
    for case in cases:
        expected, lib = case.split("=", 1)
        out = f"{tmp}/hostile.c"
        res = run_generator(generator, [lib], out)
        check(res.returncode == 1 and expected in res.stderr and not os.path.exists(out),
              f"refuses {os.path.basename(lib)} with '{expected}': {res.stderr.strip()}")


def main(argv):
    if len(argv) >= 5 and argv[1] == "pmd":
        test_pmd(argv[2], argv[3], argv[4], argv[5:])
    elif len(argv) >= 6 and argv[1] == "generator":
        tool, generator, so, lib = argv[2:6]
        tmp = tempfile.mkdtemp(prefix="tmmr-pmdinfo-")
        try:
            test_fixture(tool, so)
            regular = test_archives(generator, lib, tmp)
            test_malformed(generator, regular, tmp)
            test_hostile(generator, argv[6:], tmp)
        finally:
            shutil.rmtree(tmp)
    else:
        print(__doc__, file=sys.stderr)
        return 2
    if failures:
        print(f"{len(failures)} check(s) failed")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
