"""Load the host glue's cached machine code without LLVM: a relocatable x86-64 ELF
object (what MCJIT made of the glue IR and the object cache kept) copied into fresh
pages, its relocations applied, its code pages made executable.

LLVM is a 180 MB library whose loading alone costs a new process tens of
milliseconds; the glue's object is a few kilobytes whose relocations MCJIT's large
code model makes all absolute (R_X86_64_64). This loader handles exactly the
subset such objects use (ELF64, little-endian, x86-64, RELA relocations of types
64, PC32, PLT32, PC64, 32 and 32S, symbols defined in the object or given by name)
and refuses anything else with UnsupportedObject, naming why; the caller then
compiles through MCJIT (on another architecture, every process does). Unwind tables (.eh_frame) are not registered:
no exception unwinds through the glue (ctypes calls it; its callees return status
codes).
"""
from __future__ import annotations

import ctypes
import functools
import mmap
import struct
from dataclasses import dataclass
from typing import Mapping

_EHDR = struct.Struct("<16sHHIQQQIHHHHHH")
_SHDR = struct.Struct("<IIQQQQIIQQ")
_SYM = struct.Struct("<IBBHQQ")
_RELA = struct.Struct("<QQq")

ET_REL, EM_X86_64 = 1, 62
SHT_SYMTAB, SHT_STRTAB, SHT_RELA, SHT_NOBITS, SHT_REL = 2, 3, 4, 8, 9
SHT_INIT_ARRAY, SHT_FINI_ARRAY, SHT_PREINIT_ARRAY = 14, 15, 16
SHT_X86_64_UNWIND = 0x70000001
SHF_WRITE, SHF_ALLOC, SHF_EXECINSTR, SHF_TLS = 0x1, 0x2, 0x4, 0x400
SHN_UNDEF, SHN_ABS, SHN_COMMON = 0, 0xFFF1, 0xFFF2
STT_SECTION = 3
R_64, R_PC32, R_32, R_32S, R_PLT32, R_PC64 = 1, 2, 10, 11, 4, 24
PAGE = mmap.PAGESIZE


class UnsupportedObject(Exception):
    """The object is outside what this loader handles (the caller uses MCJIT)."""


@dataclass
class _Section:
    name: str
    type: int
    flags: int
    offset: int
    size: int
    link: int
    info: int
    align: int


class LoadedObject:
    """An object's code and data in memory; `address(name)` of a defined symbol.
    The pages stay mapped for the life of this object."""

    def __init__(self, memory: mmap.mmap, anchor: ctypes.c_char, symbols: dict[str, int]):
        self._memory, self._anchor, self._symbols = memory, anchor, symbols

    def address(self, name: str) -> int:
        return self._symbols.get(name, 0)


def _cstr(table: bytes, offset: int) -> str:
    end = table.index(b"\0", offset)
    return table[offset:end].decode("utf-8", "replace")


def _sections(data: bytes) -> list[_Section]:
    if len(data) < _EHDR.size:
        raise UnsupportedObject("too short for an ELF header")
    ident, e_type, machine, _, _, _, shoff, _, _, _, _, shentsize, shnum, shstrndx = _EHDR.unpack_from(data)
    if ident[:4] != b"\x7fELF" or ident[4] != 2 or ident[5] != 1:
        raise UnsupportedObject("not a little-endian ELF64 object")
    if e_type != ET_REL or machine != EM_X86_64:
        raise UnsupportedObject(f"ELF type {e_type}, machine {machine}: not a relocatable x86-64 object")
    if shentsize != _SHDR.size or shoff + shnum * shentsize > len(data) or shstrndx >= shnum:
        raise UnsupportedObject("malformed section table")
    raw = [_SHDR.unpack_from(data, shoff + i * shentsize) for i in range(shnum)]
    names_at, names_size = raw[shstrndx][4], raw[shstrndx][5]
    names = data[names_at:names_at + names_size]
    out = []
    for name, typ, flags, _, offset, size, link, info, align, _ in raw:
        if typ != SHT_NOBITS and offset + size > len(data):
            raise UnsupportedObject("a section lies outside the file")
        out.append(_Section(_cstr(names, name), typ, flags, offset, size, link, info, max(align, 1)))
    return out


def _loaded(s: _Section) -> bool:
    return bool(s.flags & SHF_ALLOC) and s.size > 0 and s.type != SHT_X86_64_UNWIND and s.name != ".eh_frame"


def load(data: bytes, externals: Mapping[str, int]) -> LoadedObject:
    """Load `data` (an ELF relocatable object) resolving undefined symbols from
    `externals` (name -> address)."""
    sections = _sections(data)
    if any(s.type == SHT_REL for s in sections):
        raise UnsupportedObject("REL relocations")
    for s in sections:      # what would need a run-time linker's help
        if s.type in (SHT_INIT_ARRAY, SHT_FINI_ARRAY, SHT_PREINIT_ARRAY) or s.name in (".ctors", ".dtors"):
            raise UnsupportedObject(f"constructors or destructors ({s.name})")
        if s.flags & SHF_TLS:
            raise UnsupportedObject(f"thread-local data ({s.name})")
    # layout: code pages first (made executable), then data pages (read-write)
    offsets: dict[int, int] = {}
    end = 0
    for executable in (True, False):
        if not executable:
            end = -(-end // PAGE) * PAGE
        for i, s in enumerate(sections):
            if _loaded(s) and bool(s.flags & SHF_EXECINSTR) == executable:
                end = -(-end // s.align) * s.align
                offsets[i] = end
                end += s.size
    code_size = -(-max((offsets[i] + sections[i].size for i in offsets
                        if sections[i].flags & SHF_EXECINSTR), default=0) // PAGE) * PAGE
    total = max(-(-end // PAGE) * PAGE, PAGE)
    memory = mmap.mmap(-1, total, prot=mmap.PROT_READ | mmap.PROT_WRITE)
    anchor = ctypes.c_char.from_buffer(memory)
    base = ctypes.addressof(anchor)
    for i, at in offsets.items():
        s = sections[i]
        if s.type != SHT_NOBITS:
            memory[at:at + s.size] = data[s.offset:s.offset + s.size]

    symtabs = [s for s in sections if s.type == SHT_SYMTAB]
    if len(symtabs) != 1:
        raise UnsupportedObject("not exactly one symbol table")
    symtab = symtabs[0]
    strtab = sections[symtab.link]
    strings = data[strtab.offset:strtab.offset + strtab.size]
    symbols: list[tuple[str, int | None]] = []      # (name, address or None if not loaded)
    exported: dict[str, int] = {}
    for k in range(symtab.size // _SYM.size):
        name_at, info, _, shndx, value, _ = _SYM.unpack_from(data, symtab.offset + k * _SYM.size)
        name = _cstr(strings, name_at)
        if shndx == SHN_UNDEF:
            address = externals.get(name) if name else 0
        elif shndx == SHN_ABS:
            address = value
        elif shndx == SHN_COMMON:
            raise UnsupportedObject(f"common symbol {name}")
        else:
            address = base + offsets[shndx] + value if shndx in offsets else None
        symbols.append((name, address))
        if name and address and shndx != SHN_UNDEF and (info & 0xF) != STT_SECTION:
            exported[name] = address

    for s in sections:
        if s.type == SHT_RELA and s.info in offsets:
            if sections[s.link] is not symtab:
                raise UnsupportedObject("relocations against another symbol table")
            _relocate(memory, base, offsets[s.info], sections[s.info].size,
                      data[s.offset:s.offset + s.size], symbols)
    if code_size:
        _protect(base, code_size)
    return LoadedObject(memory, anchor, exported)


def _relocate(memory: mmap.mmap, base: int, at: int, size: int, table: bytes,
              symbols: list[tuple[str, int | None]]) -> None:
    for r_offset, r_info, addend in _RELA.iter_unpack(table):
        kind, index = r_info & 0xFFFFFFFF, r_info >> 32
        if index >= len(symbols):
            raise UnsupportedObject("relocation names no symbol")
        name, target = symbols[index]
        if target is None:
            raise UnsupportedObject(f"relocation against {name or 'a section'}, which is neither "
                                    f"given nor loaded")
        width = 8 if kind in (R_64, R_PC64) else 4
        if r_offset + width > size:
            raise UnsupportedObject("relocation outside its section")
        place = base + at + r_offset
        value = target + addend
        if kind in (R_PC32, R_PLT32, R_PC64):
            value -= place
        if kind == R_64 or kind == R_PC64:
            struct.pack_into("<Q", memory, at + r_offset, value & 0xFFFFFFFFFFFFFFFF)
        elif kind in (R_PC32, R_PLT32, R_32S):
            if not -(1 << 31) <= value < (1 << 31):
                raise UnsupportedObject(f"relocation to {name} out of 32-bit range")
            struct.pack_into("<i", memory, at + r_offset, value)
        elif kind == R_32:
            if not 0 <= value < (1 << 32):
                raise UnsupportedObject(f"relocation to {name} out of 32-bit range")
            struct.pack_into("<I", memory, at + r_offset, value)
        else:
            raise UnsupportedObject(f"relocation type {kind}")


@functools.cache
def _mprotect():
    fn = ctypes.CDLL(None, use_errno=True).mprotect
    fn.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
    fn.restype = ctypes.c_int
    return fn


def _protect(address: int, size: int) -> None:
    if _mprotect()(address, size, mmap.PROT_READ | mmap.PROT_EXEC) != 0:
        raise UnsupportedObject(f"mprotect failed (errno {ctypes.get_errno()}): executable pages refused")
