#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The tmmr authors
"""Generate the PMD_INFO_STRING of DPDK drivers from their objects.

DPDK's registration macros leave small exports in a driver's object file:
  this_pmd_name<N>                  the driver name (RTE_PMD_EXPORT_NAME)
  __<name>_pci_tbl_export           the name of its rte_pci_id table
  __<name>_param_string_export      its devargs help string
  __<name>_kmod_dep_export          the kernel modules it needs
This tool reads them from a static library (ar archive, regular or thin) or from
object files and writes a C file with one string per driver,
'PMD_INFO_STRING= {json}', which dpdk-pmdinfo.py finds in the linked binary.

usage: pmdinfogen.py INPUT.a|OBJ... OUTPUT.c
"""

import io
import json
import os
import re
import struct
import sys

from elftools.common.exceptions import ELFError
from elftools.elf.elffile import ELFFile
from elftools.elf.relocation import RelocationSection
from elftools.elf.sections import SymbolTableSection

# struct rte_pci_id (rte_pci.h): u32 class_id, u16 vendor_id, device_id,
# subsystem_vendor_id, subsystem_device_id; a vendor_id of 0 ends the table
PCI_ID_FORMAT = "I4H"
PCI_ID_SIZE = struct.calcsize("<" + PCI_ID_FORMAT)

NAME_SYMBOL = re.compile(r"this_pmd_name\d+$")

AR_MAGIC = b"!<arch>\n"
AR_THIN_MAGIC = b"!<thin>\n"
AR_HEADER_SIZE = 60


class GenError(Exception):
    """An input this tool cannot turn into correct PMD info."""


def ar_members(path):
    """Yield (member name, bytes) of the object files in an ar archive.

    Handles the GNU (and System V) long-name table, BSD '#1/len' names and
    thin archives, whose members stay in files beside the archive.
    """
    with open(path, "rb") as f:
        buf = f.read()
    thin = buf.startswith(AR_THIN_MAGIC)
    pos = len(AR_MAGIC)
    long_names = b""
    while pos < len(buf):
        if pos + AR_HEADER_SIZE > len(buf):
            raise GenError(f"{path}: truncated ar member header at offset {pos}")
        hdr = buf[pos:pos + AR_HEADER_SIZE]
        if hdr[58:60] != b"`\n":
            raise GenError(f"{path}: bad ar member header at offset {pos}")
        raw_name = hdr[0:16].rstrip(b" ")
        try:
            size = int(hdr[48:58].decode("ascii").strip())
        except ValueError:
            raise GenError(f"{path}: bad ar member size at offset {pos}") from None
        pos += AR_HEADER_SIZE
        special = raw_name in (b"/", b"/SYM64/", b"//")
        stored = size if (special or not thin) else 0
        if pos + stored > len(buf):
            raise GenError(f"{path}: ar member at offset {pos} runs past the end")
        data = buf[pos:pos + stored]
        pos += stored + (stored & 1)

        if raw_name == b"//":
            long_names = data
            continue
        if special:
            continue
        if raw_name.startswith(b"#1/"):
            # BSD: the name is the first len bytes of the data
            if not raw_name[3:].isdigit():
                raise GenError(f"{path}: bad ar member name {raw_name!r}")
            name_len = int(raw_name[3:])
            name = data[:name_len].rstrip(b"\0")
            data = data[name_len:]
        elif raw_name.startswith(b"/"):
            # '/offset' into the long-name table; GNU ar may follow the digits
            # with more (a '/' or ':offset' of a nested archive)
            digits = re.match(rb"/(\d+)", raw_name)
            if not digits:
                raise GenError(f"{path}: bad ar member name {raw_name!r}")
            offset = int(digits.group(1))
            end = long_names.find(b"\n", offset)
            if offset >= len(long_names) or end < 0:
                raise GenError(f"{path}: long name offset {offset} out of range")
            name = long_names[offset:end].rstrip(b"/")
        else:
            name = raw_name.rstrip(b"/")
        name = name.decode("utf-8", "replace")
        if name.startswith("__.SYMDEF"):
            continue  # the symbol table of a BSD archive
        if thin:
            member = os.path.join(os.path.dirname(path), name)
            with open(member, "rb") as f:
                data = f.read()
        yield name, data


def inputs(paths):
    """Yield (display name, bytes) of each ELF object given on the command line."""
    for path in paths:
        with open(path, "rb") as f:
            magic = f.read(len(AR_MAGIC))
        if magic in (AR_MAGIC, AR_THIN_MAGIC):
            for name, data in ar_members(path):
                yield f"{path}({name})", data
        else:
            with open(path, "rb") as f:
                yield path, f.read()


class ElfObject:
    """The defined symbols of one ELF file and a way to read their bytes."""

    def __init__(self, label, data):
        self.label = label
        try:
            self.elf = ELFFile(io.BytesIO(data))
        except ELFError as e:
            raise GenError(f"{label}: not an ELF object: {e}") from None
        self.endian = "<" if self.elf.little_endian else ">"
        self.relocatable = self.elf.header["e_type"] == "ET_REL"
        self.symbols = {}
        # names defined twice in one table: static symbols of several objects
        # linked together, which cannot be told apart
        self.ambiguous = set()
        for sec in self.elf.iter_sections():
            if not isinstance(sec, SymbolTableSection):
                continue
            table = {}
            for sym in sec.iter_symbols():
                shndx = sym["st_shndx"]
                if not sym.name or not isinstance(shndx, int) or shndx == 0:
                    continue
                if sym["st_info"]["type"] not in ("STT_OBJECT", "STT_NOTYPE"):
                    continue
                if sym.name in table:
                    self.ambiguous.add(sym.name)
                table[sym.name] = sym
            for name, sym in table.items():
                # the static symbol table (.symtab) comes before .dynsym and wins
                self.symbols.setdefault(name, sym)

    def is_global(self, name):
        sym = self.symbols.get(name)
        return sym is not None and sym["st_info"]["bind"] != "STB_LOCAL"

    def read(self, name):
        """Return the bytes of a data symbol, refusing ones relocated at load time."""
        if name in self.ambiguous:
            raise GenError(f"{self.label}: more than one symbol {name}")
        sym = self.symbols[name]
        sec = self.elf.get_section(sym["st_shndx"])
        size = sym["st_size"]
        offset = sym["st_value"] if self.relocatable else sym["st_value"] - sec["sh_addr"]
        if offset < 0 or offset + size > sec["sh_size"]:
            raise GenError(f"{self.label}: symbol {name} lies outside its section")
        self._refuse_relocations(name, sym, offset, size)
        if sec["sh_type"] == "SHT_NOBITS":
            return bytes(size)
        return sec.data()[offset:offset + size]

    def _refuse_relocations(self, name, sym, offset, size):
        # integer tables and strings carry no relocations; one here means the
        # bytes in the file are not the values the driver will see
        target = sym["st_shndx"]
        for rsec in self.elf.iter_sections():
            if not isinstance(rsec, RelocationSection):
                continue
            if self.relocatable:
                if rsec["sh_info"] != target:
                    continue
                lo, hi = offset, offset + size
            else:
                lo, hi = sym["st_value"], sym["st_value"] + size
            for rel in rsec.iter_relocations():
                if lo <= rel["r_offset"] < hi:
                    raise GenError(f"{self.label}: {name} has relocations, "
                                   "not a constant table")

    def read_string(self, name):
        data = self.read(name)
        end = data.find(b"\0")
        if end < 0:
            raise GenError(f"{self.label}: {name} is not NUL-terminated")
        try:
            return data[:end].decode("ascii")
        except UnicodeDecodeError:
            raise GenError(f"{self.label}: {name} is not ASCII") from None


def find_symbol(obj, others, name):
    """The object defining name: obj itself, else one defining it globally."""
    if name in obj.symbols:
        return obj
    for other in others:
        if other.is_global(name):
            return other
    return None


def pci_ids(obj, table):
    """The [vendor, device, subsystem vendor, subsystem device] rows of a table."""
    data = obj.read(table)
    fmt = obj.endian + PCI_ID_FORMAT
    rows = []
    for off in range(0, len(data) - PCI_ID_SIZE + 1, PCI_ID_SIZE):
        _, vendor, device, sub_vendor, sub_device = struct.unpack_from(fmt, data, off)
        if vendor == 0:
            return rows
        rows.append([vendor, device, sub_vendor, sub_device])
    raise GenError(f"{obj.label}: PCI table {table} has no terminating zero entry")


def driver_info(obj, objects, name_symbol):
    name = obj.read_string(name_symbol)
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        raise GenError(f"{obj.label}: driver name {name!r} is not an identifier")
    info = {"name": name}
    for key, tag in (("params", "param_string_export"), ("kmod", "kmod_dep_export")):
        owner = find_symbol(obj, objects, f"__{name}_{tag}")
        if owner:
            info[key] = owner.read_string(f"__{name}_{tag}")
    # dpdk-pmdinfo.py expects the key even for drivers of other buses
    info["pci_ids"] = []
    owner = find_symbol(obj, objects, f"__{name}_pci_tbl_export")
    if owner:
        table = owner.read_string(f"__{name}_pci_tbl_export")
        table_owner = find_symbol(owner, objects, table)
        if table_owner is None:
            raise GenError(f"{owner.label}: PCI table {table} of {name} not found")
        info["pci_ids"] = pci_ids(table_owner, table)
    return info


def c_string(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def generate(paths):
    objects = [ElfObject(label, data) for label, data in inputs(paths)]
    drivers = []
    for obj in objects:
        for sym in sorted(s for s in obj.symbols if NAME_SYMBOL.match(s)):
            drivers.append(driver_info(obj, objects, sym))
    names = [d["name"] for d in drivers]
    if len(set(names)) != len(names):
        raise GenError(f"a driver name is registered twice: {names}")

    lines = ["/* SPDX-License-Identifier: BSD-3-Clause",
             " * Generated by devtools/pmdinfogen.py: do not edit.",
             " */", ""]
    for info in drivers:
        text = "PMD_INFO_STRING= " + json.dumps(info)
        lines.append("static const char tmmr_pmd_info_%s[] __attribute__((used)) =" %
                     info["name"])
        lines.append("\t" + c_string(text) + ";")
    if not drivers:
        # an empty translation unit is not valid C
        lines.append("typedef int tmmr_pmd_info_none;")
    return "\n".join(lines) + "\n"


def main(argv):
    if len(argv) < 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    *paths, output = argv[1:]
    try:
        text = generate(paths)
    except (GenError, OSError) as e:
        print(f"pmdinfogen: {e}", file=sys.stderr)
        return 1
    except Exception as e:  # pylint: disable=broad-except
        # pyelftools raises many kinds of errors on a damaged object
        print(f"pmdinfogen: malformed input ({type(e).__name__}: {e})", file=sys.stderr)
        return 1
    with open(output, "w", encoding="ascii") as f:
        f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
