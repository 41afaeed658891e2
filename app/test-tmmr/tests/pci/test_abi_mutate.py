#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The tmmr authors

"""A wrong shared value fails the build.

Copies drivers/common/tmmr to a temporary directory and, in the copy, changes
the shared headers and compiles tmmr_abi_check.c each time:
- as is, it must compile;
- every object-like #define of a number is changed (all at once: each check
  names only its own value), and for each one a static assertion naming it
  must fail;
- every member of every struct is, one at a time, moved (a member of its own
  type is put before it) and resized (its type made wider or narrower); a
  static assertion naming that member must fail each time.
The values and structs that Linux does not define are listed below with the
reason; changing them must still compile (so the list says exactly what the
check leaves out), and a listed name that no longer exists fails the test.

usage: test_abi_mutate.py SHARED_DIR CC [CC_ARGS...]
"""

import concurrent.futures
import os
import re
import shutil
import subprocess
import sys
import tempfile

HEADERS = ("tmmr_mmr.h", "tmmr_virtio_legacy.h", "tmmr_vfio_user.h")
CHECK = "tmmr_abi_check.c"

# no Linux twin: the binding page and its clause tests are the reference
NO_TWIN_VALUES = {
    # the binding's own identity, layout and VSEC, and the device limits
    "TMMR_PCI_VENDOR_ID", "TMMR_PCI_DEVICE_ID_NET", "TMMR_PCI_DEVICE_ID_BLOCK",
    "TMMR_PCI_DEVICE_ID_BALLOON", "TMMR_PCI_DEVICE_ID_CONSOLE", "TMMR_PCI_DEVICE_ID_SCSI",
    "TMMR_PCI_DEVICE_ID_ENTROPY", "TMMR_PCI_DEVICE_ID_9P", "TMMR_PCI_CLASS_NET",
    "TMMR_PCI_PF_DEVICE_ID", "TMMR_BAR0_SIZE", "TMMR_BAR0_NOTIFY_OFF", "TMMR_BAR0_NOTIFY_LEN",
    "TMMR_BAR0_LEGACY_OFF", "TMMR_BAR0_LEGACY_LEN", "TMMR_BAR0_MSIX_TABLE_OFF",
    "TMMR_BAR0_MSIX_PBA_OFF", "TMMR_NOTIFY_OFF_MULTIPLIER", "TMMR_VSEC_OFF",
    "TMMR_VSEC_CAP_VERSION", "TMMR_VSEC_ID", "TMMR_VSEC_REV", "TMMR_VSEC_LEN",
    "TMMR_VIRTIO_PCI_CAP_LEGACY_MMR", "TMMR_MAX_QUEUE_PAIRS", "TMMR_MSIX_VECTORS",
    "TMMR_NET_MAX_MAC_TABLE",
    # virtio: Linux names only the ISR config bit; bit 30 is vhost-user's; VLAN IDs
    # are 12 bits
    "TMMR_ISR_QUEUE", "TMMR_VHOST_USER_F_PROTOCOL_FEATURES", "TMMR_NET_MAX_VLAN",
    # vfio-user's own: version, limits, message header flags, ioeventfd flag
    "TMMR_VFU_VERSION_MAJOR", "TMMR_VFU_VERSION_MINOR", "TMMR_VFU_MAX_MSG_SIZE",
    "TMMR_VFU_MAX_DATA_XFER", "TMMR_VFU_MAX_FDS", "TMMR_VFU_F_TYPE_MASK",
    "TMMR_VFU_F_TYPE_COMMAND", "TMMR_VFU_F_TYPE_REPLY", "TMMR_VFU_F_NO_REPLY",
    "TMMR_VFU_F_ERROR", "TMMR_VFU_IOEVENTFD_F_DATAMATCH",
}
NO_TWIN_STRUCTS = {
    # the binding's own
    "tmmr_vsec_body",
    # vfio-user's own
    "tmmr_vfu_hdr", "tmmr_vfu_version", "tmmr_vfu_region_io_fds_req",
    "tmmr_vfu_sub_region_ioeventfd", "tmmr_vfu_region_io_fds_reply", "tmmr_vfu_region_access",
}
OTHER_TYPE = {"uint8_t": "uint16_t", "uint16_t": "uint32_t", "uint32_t": "uint64_t",
              "uint64_t": "uint32_t", "char": "uint16_t"}

DEFINE = re.compile(r"^#define[ \t]+(TMMR_\w+)(\(|[ \t]+)(.*?)[ \t]*(/\*.*)?$", re.M)
STRUCT = re.compile(r"^struct (tmmr_\w+) \{\n(.*?)\n\}", re.M | re.S)
MEMBER = re.compile(r"^\t((?:struct )?\w+) (\w+)(\[\])?;.*$", re.M)
ASSERT = re.compile(r"static.assert(ion)? failed")


def no_error_limit(cc, known={}):
    """The option that lets @cc report every failed assertion, not only the first ones."""
    key = tuple(cc)
    if key not in known:
        out = subprocess.run(cc + ["--version"], stdout=subprocess.PIPE, text=True).stdout
        known[key] = "-ferror-limit=0" if "clang" in out else "-fmax-errors=0"
    return known[key]


def compile_check(cc, tree, files):
    """Compile the check with @files (name: text) over the copy in @tree: its log, or None."""
    with tempfile.TemporaryDirectory(dir=tree) as work:
        for name in HEADERS + (CHECK,):
            shutil.copy(os.path.join(tree, name), work)
        for name, text in files.items():
            with open(os.path.join(work, name), "w") as f:
                f.write(text)
        res = subprocess.run(cc + ["-std=gnu11", "-fsyntax-only", no_error_limit(cc),
                                   os.path.join(work, CHECK)],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return None if res.returncode == 0 else res.stdout


def fired(log, name):
    """Did a static assertion that names @name fail?"""
    want = re.compile(re.escape('"' + name) + r"(\[\])? differs")
    return log is not None and any(ASSERT.search(line) and want.search(line)
                                   for line in log.splitlines())


def values(text):
    """The object-like #defines of a number: {name: match}."""
    out = {}
    for m in DEFINE.finditer(text):
        name, sep, value = m.group(1), m.group(2), m.group(3)
        if sep == "(" or (value and not value.startswith('"')):
            out[name] = m
    return out


def change_values(text, names):
    """@text with each value of @names one more."""
    def change(m):
        if m.group(1) not in names:
            return m.group(0)
        return "#define %s ((%s) + 1)" % (m.group(1), m.group(3))
    return DEFINE.sub(change, text)


def members(text):
    """(struct, member, type, is_flexible, start, end) of every struct member in @text."""
    for s in STRUCT.finditer(text):
        for m in MEMBER.finditer(s.group(2)):
            yield (s.group(1), m.group(2), m.group(1), bool(m.group(3)),
                   s.start(2) + m.start(), s.start(2) + m.end())


def moved(text, mem):
    """@text with a member of the same type put before @mem."""
    _, mname, mtype, _, start, end = mem
    return text[:start] + "\t%s tmmr_mutant_%s;\n" % (mtype, mname) + text[start:]


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    shared, cc = sys.argv[1], sys.argv[2:]
    for name in HEADERS + (CHECK,):
        if not os.path.isfile(os.path.join(shared, name)):
            sys.exit("FAIL: %s is not in %s" % (name, shared))
    text = {}
    for h in HEADERS:
        with open(os.path.join(shared, h)) as f:
            text[h] = f.read()
    errors = []
    nb_values = nb_exempt = 0
    jobs = []

    with tempfile.TemporaryDirectory(prefix="tmmr-abi-") as tree:
        for name in HEADERS + (CHECK,):
            shutil.copy(os.path.join(shared, name), tree)
        log = compile_check(cc, tree, {})
        if log is not None:
            sys.exit("FAIL: " + CHECK + " does not compile as is:\n" + log)

        # values: all of a header changed at once (each check names only its own value)
        seen = set()
        for h in HEADERS:
            vals = values(text[h])
            seen |= set(vals)
            for name, m in vals.items():
                if m.group(2) == "(" and name not in NO_TWIN_VALUES:
                    errors.append(name + ": a function-like macro that no check covers")
            checked = {n for n, m in vals.items() if n not in NO_TWIN_VALUES and m.group(2) != "("}
            exempt = {n for n, m in vals.items() if n in NO_TWIN_VALUES and m.group(2) != "("}
            nb_values += len(checked)
            nb_exempt += len(exempt)
            if checked:
                log = compile_check(cc, tree, {h: change_values(text[h], checked)})
                for name in sorted(checked):
                    if not fired(log, name):
                        errors.append("%s (%s): a wrong value compiles" % (name, h))
            if exempt:
                log = compile_check(cc, tree, {h: change_values(text[h], exempt)})
                if log is not None:
                    errors.append("%s: a value listed as without a Linux twin is checked: "
                                  "take it off the list\n%s" % (h, log))
        for name in sorted(NO_TWIN_VALUES - seen):
            errors.append(name + ": listed as without a Linux twin but defined nowhere")

        # struct members of the mirrored structs: one change per compile
        structs = set()
        for h in HEADERS:
            exempt_text = text[h]
            for mem in reversed(list(members(text[h]))):
                sname, mname, mtype, flex, start, end = mem
                structs.add(sname)
                if sname in NO_TWIN_STRUCTS:
                    exempt_text = moved(exempt_text, mem)
                    continue
                jobs.append((h, sname, mname, "moved", moved(text[h], mem)))
                if mtype in OTHER_TYPE:
                    resized = "\t%s %s%s;" % (OTHER_TYPE[mtype], mname, "[]" if flex else "")
                    jobs.append((h, sname, mname, "resized",
                                 text[h][:start] + resized + text[h][end:]))
            if exempt_text != text[h]:
                log = compile_check(cc, tree, {h: exempt_text})
                if log is not None:
                    errors.append("%s: a struct listed as without a Linux twin is checked: "
                                  "take it off the list\n%s" % (h, log))
        for sname in sorted(NO_TWIN_STRUCTS - structs):
            errors.append("struct " + sname + ": listed as without a Linux twin but not found")

        def run(job):
            return job, compile_check(cc, tree, {job[0]: job[4]})

        with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
            for (h, sname, mname, how, _), log in pool.map(run, jobs):
                label = "struct %s.%s" % (sname, mname)
                if not fired(log, label):
                    errors.append("%s (%s) %s: compiles" % (label, h, how))

    for e in errors:
        print("FAIL:", e)
    print("%d values and %d struct member changes tried; %d values and %d structs have no "
          "Linux twin" % (nb_values, len(jobs), nb_exempt, len(NO_TWIN_STRUCTS)))
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
