"""A SPIR-V module builder driven by the grammar (see spirv_grammar).

`instr("OpDecorate", target, "ArrayStride", 4)` encodes each operand by the kind the
grammar gives its slot: ids and literal integers as words, literal strings as
nul-padded words, enumerant names as their values (a BitEnum takes '|'-joined names),
enumerant parameters after their enumerant. The instruction lands in the section the
SPIR-V logical layout asks for (capabilities, extensions, imports, memory model,
entry points, execution modes, debug, annotations, types/constants/globals,
functions). Ids are assigned in call order, so the same calls give byte-identical
modules. Types and constants are deduplicated; aggregates are keyed with their
decorations, so differently decorated structs or arrays stay distinct.
"""
from __future__ import annotations

import array
import struct
import sys
from typing import Iterable, Optional, Sequence, Union

from .errors import LoweringError
from ..runtime.spirv.grammar import Grammar, InstructionSpec, OperandSpec, grammar

Operand = Union[int, str, float, tuple, list]

SECTIONS = ("capabilities", "extensions", "ext_inst_imports", "memory_model", "entry_points",
            "execution_modes", "debug", "annotations", "types", "functions")

_OPNAME_SECTIONS = {
    "OpCapability": "capabilities", "OpExtension": "extensions",
    "OpExtInstImport": "ext_inst_imports", "OpMemoryModel": "memory_model",
    "OpEntryPoint": "entry_points", "OpExecutionMode": "execution_modes",
    "OpExecutionModeId": "execution_modes",
}
_CLASS_SECTIONS = {"Debug": "debug", "Annotation": "annotations",
                   "Type-Declaration": "types", "Constant-Creation": "types"}

_TYPE_CAPABILITIES = {("int", 8): "Int8", ("int", 16): "Int16", ("int", 64): "Int64",
                      ("float", 16): "Float16", ("float", 64): "Float64"}
_FLOAT_FORMATS = {16: "<e", 32: "<f", 64: "<d"}


def encode_string(s: str) -> list[int]:
    """A LiteralString: UTF-8, nul-terminated, padded to whole words."""
    data = s.encode("utf-8") + b"\0"
    data += b"\0" * (-len(data) % 4)
    return list(struct.unpack(f"<{len(data) // 4}I", data))


class _Function:
    """A function being built: its OpFunction/parameters, the body, and the
    Function-storage variables (spliced in after the entry block's label)."""

    def __init__(self) -> None:
        self.header: list[int] = []
        self.body: list[int] = []
        self.variables: list[int] = []
        self.entry_end: Optional[int] = None

    def words(self, function_end: list[int]) -> list[int]:
        if self.entry_end is None:
            raise LoweringError("SPIR-V function has no blocks")
        cut = self.entry_end
        return self.header + self.body[:cut] + self.variables + self.body[cut:] + function_end


class ModuleBuilder:
    """Builds one SPIR-V module; see the module docstring."""

    def __init__(self, version: tuple[int, int] = (1, 3), spirv_grammar: Optional[Grammar] = None):
        self.g = spirv_grammar or grammar()
        self.version = version
        self.sections: dict[str, list[int]] = {name: [] for name in SECTIONS}
        self._next_id = 1
        self._function: Optional[_Function] = None
        self.capabilities: list[str] = []
        self.extensions: list[str] = []
        self._imports: dict[str, int] = {}
        self._types: dict[tuple, int] = {}
        self._constants: dict[tuple, int] = {}
        self._scalars: dict[int, tuple[str, int, bool]] = {}  # type id -> (kind, bits, signed)
        self._int_values: dict[int, int] = {}  # integer constant id -> value
        self._encoders: dict[str, tuple[InstructionSpec, str]] = {}

    # ------------------------------------------------------------------ ids and encoding

    def new_id(self) -> int:
        i = self._next_id
        self._next_id += 1
        return i

    @property
    def bound(self) -> int:
        return self._next_id

    def instr(self, opname: str, *operands: Operand, result: Optional[int] = None) -> Optional[int]:
        """Encode `opname` with `operands` (result type first where the instruction
        has one; the result id is new unless `result` is given) and append it to
        its section. Returns the result id, or None."""
        spec, section, id_counts = self._encoder(opname)
        rid = None
        if spec.has_result:
            rid = result if result is not None else self.new_id()
        if id_counts is not None and _fits(operands, id_counts):
            words = [0, *operands]  # ids only: no lookups needed
            if rid is not None:
                words.insert(2 if spec.has_result_type else 1, rid)
        else:
            words = [0]
            try:
                self._encode_operands(spec.operands, operands, 0, rid, words, opname)
            except (KeyError, TypeError, ValueError, IndexError) as e:
                raise LoweringError(f"cannot encode {opname} {operands!r}: {e}") from None
        words[0] = (len(words) << 16) | spec.opcode
        self._append(opname, section, operands, words)
        return rid

    def _encoder(self, opname: str) -> tuple[InstructionSpec, str, Optional[tuple[int, bool]]]:
        enc = self._encoders.get(opname)
        if enc is None:
            spec = self.g.instruction(opname)
            section = _OPNAME_SECTIONS.get(opname) or _CLASS_SECTIONS.get(spec.cls, "functions")
            enc = self._encoders[opname] = (spec, section, spec.id_prefix)
        return enc

    def _append(self, opname: str, section: str, operands: Sequence[Operand], words: list[int]) -> None:
        if section != "functions":
            self.sections[section].extend(words)
            return
        if opname == "OpVariable" and operands[1] not in ("Function", self._function_storage()):
            self.sections["types"].extend(words)
            return
        fn = self._function
        if fn is None:
            raise LoweringError(f"{opname} outside a function")
        if opname == "OpVariable":
            fn.variables.extend(words)
        elif opname in ("OpFunction", "OpFunctionParameter"):
            fn.header.extend(words)
        else:
            fn.body.extend(words)
            if opname == "OpLabel" and fn.entry_end is None:
                fn.entry_end = len(fn.body)

    def _function_storage(self) -> int:
        return self.g.enum_value("StorageClass", "Function")

    def _encode_operands(self, specs: Sequence[OperandSpec], ops: Sequence[Operand], i: int,
                         rid: Optional[int], out: list[int], opname: str) -> int:
        n = len(ops)
        for spec in specs:
            if spec.kind == "IdResult":
                out.append(rid)
                continue
            if spec.quantifier == "*":
                while i < n:
                    i = self._encode_one(spec, ops, i, out)
            elif spec.quantifier == "?":
                if i < n:
                    i = self._encode_one(spec, ops, i, out)
            else:
                if i >= n:
                    raise IndexError(f"missing operand of kind {spec.kind}")
                i = self._encode_one(spec, ops, i, out)
        if i < n and opname:
            raise ValueError(f"{n - i} operand(s) too many")
        return i

    def _encode_one(self, spec: OperandSpec, ops: Sequence[Operand], i: int, out: list[int]) -> int:
        value = ops[i]
        category = spec.category
        if category == "Id":
            out.append(_as_word(value))
            return i + 1
        if category == "Literal":
            out.extend(self._literal(spec.kind, value))
            return i + 1
        if category == "ValueEnum":
            kind = self.g.kinds[spec.kind]
            e = kind.by_name[value] if isinstance(value, str) else kind.by_value[value]
            out.append(e.value)
            return self._encode_operands(e.parameters, ops, i + 1, None, out, "")
        if category == "BitEnum":
            return self._bit_enum(spec.kind, ops, i, out)
        if category == "Composite":
            for base in self.g.kinds[spec.kind].bases:
                i = self._encode_one(OperandSpec(base, self.g.kinds[base].category, ""), ops, i, out)
            return i
        raise ValueError(f"operand kind {spec.kind} of category {category}")

    def _literal(self, kind: str, value: Operand) -> list[int]:
        if kind == "LiteralString":
            return encode_string(value)
        if isinstance(value, (tuple, list)):
            return [_as_word(v) for v in value]
        if isinstance(value, float):
            return list(struct.unpack("<I", struct.pack("<f", value)))
        if kind == "LiteralExtInstInteger" and isinstance(value, str):
            return [self.g.glsl_opcode(value)]
        return [_as_word(value)]

    def _bit_enum(self, kind_name: str, ops: Sequence[Operand], i: int, out: list[int]) -> int:
        kind = self.g.kinds[kind_name]
        value = ops[i]
        if isinstance(value, str):
            mask = self.g.enum_value(kind_name, value)
        else:
            mask = _as_word(value)
        out.append(mask)
        i += 1
        bit = 1
        while bit <= mask:
            if mask & bit:
                e = kind.by_value.get(bit)
                if e is not None and e.parameters:
                    i = self._encode_operands(e.parameters, ops, i, None, out, "")
            bit <<= 1
        return i

    # ------------------------------------------------------------------ module-level

    def capability(self, name: str) -> None:
        """Declare `name` (once), with the extension it needs in this SPIR-V version."""
        if name in self.capabilities:
            return
        self.g.enumerant("Capability", name)
        self.capabilities.append(name)
        self.instr("OpCapability", name)
        for ext in self.g.capability_extensions(name, self.version):
            self.extension(ext)

    def extension(self, name: str) -> None:
        if name not in self.extensions:
            self.extensions.append(name)
            self.instr("OpExtension", name)

    def ext_inst_import(self, name: str) -> int:
        rid = self._imports.get(name)
        if rid is None:
            rid = self._imports[name] = self.instr("OpExtInstImport", name)
        return rid

    def glsl(self, result_type: int, name: str, *args: int) -> int:
        """A GLSL.std.450 extended instruction."""
        return self.instr("OpExtInst", result_type, self.ext_inst_import("GLSL.std.450"),
                          self.g.glsl_opcode(name), *args)

    def name(self, target: int, text: str) -> None:
        self.instr("OpName", target, text)

    def member_name(self, struct_type: int, member: int, text: str) -> None:
        self.instr("OpMemberName", struct_type, member, text)

    def decorate(self, target: int, decoration: str, *params: Operand) -> None:
        self.instr("OpDecorate", target, decoration, *params)

    def member_decorate(self, struct_type: int, member: int, decoration: str, *params: Operand) -> None:
        self.instr("OpMemberDecorate", struct_type, member, decoration, *params)

    # ------------------------------------------------------------------ types

    def type(self, opname: str, *operands: Operand) -> int:
        """A deduplicated type without decorations (OpTypeVoid, OpTypePointer, ...)."""
        key = (opname, *operands)
        rid = self._types.get(key)
        if rid is None:
            rid = self._types[key] = self.instr(opname, *operands)
        return rid

    def type_void(self) -> int:
        return self.type("OpTypeVoid")

    def type_bool(self) -> int:
        rid = self.type("OpTypeBool")
        self._scalars[rid] = ("bool", 1, False)
        return rid

    def type_int(self, bits: int, signed: bool) -> int:
        cap = _TYPE_CAPABILITIES.get(("int", bits))
        if cap:
            self.capability(cap)
        rid = self.type("OpTypeInt", bits, int(signed))
        self._scalars[rid] = ("int", bits, signed)
        return rid

    def type_float(self, bits: int) -> int:
        cap = _TYPE_CAPABILITIES.get(("float", bits))
        if cap:
            self.capability(cap)
        rid = self.type("OpTypeFloat", bits)
        self._scalars[rid] = ("float", bits, True)
        return rid

    def type_vector(self, component: int, count: int) -> int:
        return self.type("OpTypeVector", component, count)

    def type_pointer(self, storage_class: str, pointee: int) -> int:
        return self.type("OpTypePointer", storage_class, pointee)

    def type_function(self, result_type: int, *params: int) -> int:
        return self.type("OpTypeFunction", result_type, *params)

    def type_array(self, element: int, length: int, stride: Optional[int] = None) -> int:
        """OpTypeArray of `length` (a Python int; the constant is made here)."""
        length_id = self.constant(self.type_int(32, False), length)
        return self._aggregate(("OpTypeArray", element, length_id), (("ArrayStride", stride),) if stride else ())

    def type_runtime_array(self, element: int, stride: Optional[int] = None) -> int:
        return self._aggregate(("OpTypeRuntimeArray", element), (("ArrayStride", stride),) if stride else ())

    def type_struct(self, members: Sequence[int], decorations: Iterable[tuple] = (),
                    member_decorations: Iterable[tuple] = ()) -> int:
        """A struct; `decorations` are (name, *params) tuples, `member_decorations`
        (member, name, *params) tuples. Equal members and decorations share an id."""
        return self._aggregate(("OpTypeStruct", *members), tuple(decorations), tuple(member_decorations))

    def _aggregate(self, instr: tuple, decorations: tuple, member_decorations: tuple = ()) -> int:
        key = (instr, decorations, member_decorations)
        rid = self._types.get(key)
        if rid is None:
            rid = self._types[key] = self.instr(*instr)
            for d in decorations:
                self.decorate(rid, *d)
            for d in member_decorations:
                self.member_decorate(rid, *d)
        return rid

    def scalar_info(self, type_id: int) -> tuple[str, int, bool]:
        """(kind, bits, signed) of a scalar type made by type_bool/int/float."""
        return self._scalars[type_id]

    # ------------------------------------------------------------------ constants

    def constant(self, type_id: int, value: Union[bool, int, float]) -> int:
        """A deduplicated scalar constant of a type made by type_bool/int/float."""
        kind, bits, signed = self._scalars[type_id]
        if kind == "bool":
            return self._constant(("OpConstantTrue" if value else "OpConstantFalse", type_id))
        if kind == "float":
            return self._constant(("OpConstant", type_id, _float_words(float(value), bits)))
        rid = self._constant(("OpConstant", type_id, _int_words(int(value), bits, signed)))
        self._int_values[rid] = _wrap(int(value), bits, signed)
        return rid

    def int_constant_value(self, value_id: int) -> Optional[int]:
        """The value of an integer OpConstant made by `constant`, else None."""
        return self._int_values.get(value_id)

    def constant_null(self, type_id: int) -> int:
        return self._constant(("OpConstantNull", type_id))

    def constant_composite(self, type_id: int, parts: Sequence[int]) -> int:
        return self._constant(("OpConstantComposite", type_id, *parts))

    def _constant(self, key: tuple) -> int:
        rid = self._constants.get(key)
        if rid is None:
            rid = self._constants[key] = self.instr(*key)
        return rid

    def spec_constant(self, type_id: int, value: int, spec_id: int) -> int:
        """An integer specialization constant decorated SpecId (never shared)."""
        _, bits, signed = self._scalars[type_id]
        rid = self.instr("OpSpecConstant", type_id, _int_words(value, bits, signed))
        self.decorate(rid, "SpecId", spec_id)
        return rid

    # ------------------------------------------------------------------ globals and functions

    def global_variable(self, pointer_type: int, storage_class: str, initializer: Optional[int] = None) -> int:
        if initializer is None:
            return self.instr("OpVariable", pointer_type, storage_class)
        return self.instr("OpVariable", pointer_type, storage_class, initializer)

    def begin_function(self, result_type: int, function_type: int, control: str = "None",
                       result: Optional[int] = None) -> int:
        if self._function is not None:
            raise LoweringError("nested SPIR-V function")
        self._function = _Function()
        return self.instr("OpFunction", result_type, control, function_type, result=result)

    def function_parameter(self, type_id: int) -> int:
        return self.instr("OpFunctionParameter", type_id)

    def local_variable(self, pointer_type: int, initializer: Optional[int] = None) -> int:
        """A Function-storage variable, placed at the start of the entry block."""
        if initializer is None:
            return self.instr("OpVariable", pointer_type, "Function")
        return self.instr("OpVariable", pointer_type, "Function", initializer)

    def label(self, label_id: Optional[int] = None) -> int:
        return self.instr("OpLabel", result=label_id)

    def end_function(self) -> None:
        fn = self._function
        if fn is None:
            raise LoweringError("end_function without begin_function")
        end = [(1 << 16) | self.g.opcode("OpFunctionEnd")]
        self.sections["functions"].extend(fn.words(end))
        self._function = None

    # ------------------------------------------------------------------ output

    def words(self) -> list[int]:
        if self._function is not None:
            raise LoweringError("a SPIR-V function is still open")
        major, minor = self.version
        out = [self.g.magic_number, (major << 16) | (minor << 8), 0, self._next_id, 0]
        for name in SECTIONS:
            out.extend(self.sections[name])
        return out

    def assemble(self) -> bytes:
        """The module as SPIR-V bytes (little-endian words)."""
        a = array.array("I", self.words())
        if sys.byteorder != "little":
            a.byteswap()
        return a.tobytes()


def _fits(operands: Sequence[Operand], counts: tuple[int, bool]) -> bool:
    fixed, tail = counts
    n = len(operands)
    if n != fixed and not (tail and n > fixed):
        return False
    for o in operands:
        if type(o) is not int or not 0 < o <= 0xFFFFFFFF:
            return False
    return True


def _as_word(v: Operand) -> int:
    if not isinstance(v, int) or v < 0 or v > 0xFFFFFFFF:
        raise ValueError(f"{v!r} is not a 32-bit word")
    return v


def _wrap(value: int, bits: int, signed: bool) -> int:
    value &= (1 << bits) - 1
    return value - (1 << bits) if signed and value >> (bits - 1) else value


def _int_words(value: int, bits: int, signed: bool) -> tuple[int, ...]:
    value &= (1 << bits) - 1
    if bits < 32:
        if signed and value >> (bits - 1):
            value |= 0xFFFFFFFF ^ ((1 << bits) - 1)  # sign-extend into the word
        return (value,)
    if bits == 32:
        return (value,)
    return (value & 0xFFFFFFFF, value >> 32)


def _float_words(value: float, bits: int) -> tuple[int, ...]:
    try:
        data = struct.pack(_FLOAT_FORMATS[bits], value)
    except OverflowError:
        raise LoweringError(f"constant {value!r} is out of range of f{bits}") from None
    if bits == 16:
        return (struct.unpack("<H", data)[0],)
    return struct.unpack(f"<{bits // 32}I", data)
