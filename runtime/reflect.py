"""Minimal SPIR-V reflection: what the runtime must know to build a compute pipeline.

Reads the module word by word (spirv.reader; opcodes from the grammar JSON) and reports the GLCompute
entry point's name, the storage-buffer bindings of descriptor set 0, the push-constant
block's size, the local size (default values, and which dimensions are specialization
constants with which SpecId), and the declared capabilities.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from .errors import CompilationError
from .spirv.errors import SpirvError
from .spirv.grammar import Grammar, grammar
from .spirv.reader import instructions, literal_string, to_words


@dataclass(frozen=True)
class ModuleInfo:
    """What a compute module needs from the runtime."""

    entry_point: str
    bindings: tuple[int, ...]                   # storage buffers in set 0, ascending
    push_constant_size: int                     # bytes, multiple of 4 (0: no block)
    local_size: tuple[int, int, int]            # default local size
    local_size_spec_ids: tuple[int | None, int | None, int | None]   # None: fixed dimension
    capabilities: frozenset[str]
    version: tuple[int, int]
    shared_memory_size: int = 0                 # bytes of Workgroup variables

    @property
    def specializable(self) -> bool:
        """True when every local-size dimension is a specialization constant."""
        return all(s is not None for s in self.local_size_spec_ids)


class _Module:
    """The parts of a module reflection looks at, indexed by result id."""

    def __init__(self, words, g: Grammar) -> None:
        self.g = g
        self.version = ((words[1] >> 16) & 0xFF, (words[1] >> 8) & 0xFF)
        self.caps: set[str] = set()
        self.entries: list[tuple[int, int, str]] = []           # (model, id, name)
        self.modes: dict[int, list[tuple[int, list[int]]]] = defaultdict(list)
        self.deco: dict[int, dict[int, list[int]]] = defaultdict(dict)
        self.member_deco: dict[tuple[int, int], dict[int, list[int]]] = defaultdict(dict)
        self.types: dict[int, tuple[str, list[int]]] = {}
        self.consts: dict[int, tuple[str, list[int]]] = {}
        self.variables: list[tuple[int, int, int]] = []         # (type, id, storage)
        self._read(words)

    def _read(self, words) -> None:
        g, op = self.g, self.g.op
        handlers = {
            op("OpCapability"): self._capability, op("OpEntryPoint"): self._entry,
            op("OpExecutionMode"): self._mode, op("OpDecorate"): self._decorate,
            op("OpMemberDecorate"): self._member_decorate, op("OpVariable"): self._variable,
        }
        handlers.update(dict.fromkeys(op(n) for n in g.opcodes if n.startswith("OpType")))
        handlers.update(dict.fromkeys(op(n) for n in (
            "OpConstant", "OpSpecConstant", "OpConstantComposite", "OpSpecConstantComposite")))
        if "OpExecutionModeId" in g.opcodes:
            handlers[op("OpExecutionModeId")] = self._mode
        names = {v: k for k, v in g.opcodes.items()}
        for code, operands in instructions(words):
            if code not in handlers:
                continue
            handler = handlers[code]
            if handler is not None:
                handler(operands)
            elif names[code].startswith("OpType"):
                self.types[operands[0]] = (names[code], list(operands[1:]))
            else:
                self.consts[operands[1]] = (names[code], list(operands[2:]))

    def _capability(self, ops) -> None:
        self.caps.add(self.g.names["Capability"].get(ops[0], f"Capability{ops[0]}"))

    def _entry(self, ops) -> None:
        name, _ = literal_string(ops[2:])
        self.entries.append((ops[0], ops[1], name))

    def _mode(self, ops) -> None:
        self.modes[ops[0]].append((ops[1], list(ops[2:])))

    def _decorate(self, ops) -> None:
        self.deco[ops[0]][ops[1]] = list(ops[2:])

    def _member_decorate(self, ops) -> None:
        self.member_deco[(ops[0], ops[1])][ops[2]] = list(ops[3:])

    def _variable(self, ops) -> None:
        self.variables.append((ops[0], ops[1], ops[2]))


def reflect(code: bytes) -> ModuleInfo:
    """Reflect a SPIR-V compute module; raises CompilationError when it cannot be used
    (also for a malformed module the validator did not see: no IndexError escapes)."""
    try:
        return _reflect(code)
    except SpirvError as e:
        raise CompilationError(str(e)) from None
    except (IndexError, KeyError, ValueError, TypeError, OverflowError) as exc:
        raise CompilationError(f"malformed SPIR-V: {type(exc).__name__}: {exc}") from None


def _reflect(code: bytes) -> ModuleInfo:
    g = grammar()
    m = _Module(to_words(code), g)
    glcompute = g.value("ExecutionModel", "GLCompute")
    entries = [e for e in m.entries if e[0] == glcompute]
    if not entries:
        raise CompilationError("SPIR-V module has no GLCompute entry point")
    _, entry_id, name = entries[0]
    sizes, spec_ids = _local_size(m, entry_id)
    return ModuleInfo(
        entry_point=name, bindings=_bindings(m), push_constant_size=_push_size(m),
        local_size=sizes, local_size_spec_ids=spec_ids,
        capabilities=frozenset(m.caps), version=m.version, shared_memory_size=_shared_size(m))


def _shared_size(m: _Module) -> int:
    """Bytes of the module's Workgroup (shared memory) variables."""
    wg = m.g.value("StorageClass", "Workgroup")
    return sum(_natural_size(m, _pointee_any(m, t)) for t, _, storage in m.variables if storage == wg)


def _pointee_any(m: _Module, ptr_type: int) -> int:
    kind, ops = m.types.get(ptr_type, ("", []))
    if kind != "OpTypePointer":
        raise CompilationError(f"variable type %{ptr_type} is not a pointer")
    return ops[1]


def _natural_size(m: _Module, type_id: int, depth: int = 0) -> int:
    """Byte size of a type without explicit layout (shared memory): scalars by width,
    booleans 4 bytes, arrays length times element (or ArrayStride), structs the sum
    of their members (or the end of the last Offset)."""
    if depth > 64:
        raise CompilationError("type nesting too deep")
    kind, ops = m.types.get(type_id, ("?", []))
    if kind in ("OpTypeInt", "OpTypeFloat"):
        return max(ops[0] // 8, 1)
    if kind == "OpTypeBool":
        return 4
    if kind in ("OpTypeVector", "OpTypeMatrix"):
        return ops[1] * _natural_size(m, ops[0], depth + 1)
    if kind == "OpTypeArray":
        stride = m.deco[type_id].get(m.g.value("Decoration", "ArrayStride"), [None])[0]
        return _constant_value(m, ops[1]) * (stride or _natural_size(m, ops[0], depth + 1))
    if kind == "OpTypeStruct":
        return sum(_natural_size(m, member, depth + 1) for member in ops)
    raise CompilationError(f"unsupported type {kind} in shared memory")


def _bindings(m: _Module) -> tuple[int, ...]:
    g = m.g
    d_set, d_binding = g.value("Decoration", "DescriptorSet"), g.value("Decoration", "Binding")
    sc = g.enums["StorageClass"]
    found = []
    for type_id, var, storage in m.variables:
        if d_binding not in m.deco[var] and d_set not in m.deco[var]:
            continue
        if d_binding not in m.deco[var] or d_set not in m.deco[var]:
            raise CompilationError(f"resource variable %{var} lacks DescriptorSet or Binding")
        dset, binding = m.deco[var][d_set][0], m.deco[var][d_binding][0]
        if dset != 0:
            raise CompilationError(f"binding {binding} is in descriptor set {dset}; only set 0 is supported")
        if not _is_storage_buffer(m, type_id, storage, sc):
            raise CompilationError(f"binding {binding} is not a storage buffer; only storage buffers are supported")
        if binding in found:
            raise CompilationError(f"binding {binding} declared twice")
        found.append(binding)
    return tuple(sorted(found))


def _is_storage_buffer(m: _Module, type_id: int, storage: int, sc: dict[str, int]) -> bool:
    if storage == sc["StorageBuffer"]:
        return True
    if storage != sc["Uniform"]:
        return False
    pointee = _pointee(m, type_id)
    return pointee is not None and m.g.value("Decoration", "BufferBlock") in m.deco[pointee]


def _pointee(m: _Module, ptr_type: int) -> int | None:
    kind, ops = m.types.get(ptr_type, ("", []))
    pointee = ops[1] if kind == "OpTypePointer" else None
    # Arrays of buffers (descriptor arrays) are not supported: report them as non-buffers.
    return pointee if pointee is not None and m.types.get(pointee, ("",))[0] == "OpTypeStruct" else None


def _push_size(m: _Module) -> int:
    pc = m.g.value("StorageClass", "PushConstant")
    blocks = [t for t, _, storage in m.variables if storage == pc]
    if not blocks:
        return 0
    if len(blocks) > 1:
        raise CompilationError("more than one push-constant block")
    struct = _pointee(m, blocks[0])
    if struct is None:
        raise CompilationError("push-constant variable is not a pointer to a struct")
    size = _size_of(m, struct)
    return (size + 3) & ~3


def _size_of(m: _Module, type_id: int, matrix_stride: int | None = None) -> int:
    """Byte size of a type laid out with explicit Offset/ArrayStride/MatrixStride."""
    kind, ops = m.types.get(type_id, ("?", []))
    if kind in ("OpTypeInt", "OpTypeFloat"):
        return ops[0] // 8
    if kind == "OpTypeBool":
        return 4
    if kind == "OpTypeVector":
        return ops[1] * _size_of(m, ops[0])
    if kind == "OpTypeMatrix":
        return ops[1] * (matrix_stride or _size_of(m, ops[0]))
    if kind == "OpTypeArray":
        length = _constant_value(m, ops[1])
        stride = m.deco[type_id].get(m.g.value("Decoration", "ArrayStride"), [None])[0]
        return length * (stride or _size_of(m, ops[0]))
    if kind == "OpTypeStruct":
        return _struct_size(m, type_id, ops)
    raise CompilationError(f"unsupported type {kind} in a push-constant block")


def _struct_size(m: _Module, type_id: int, members: list[int]) -> int:
    d_offset = m.g.value("Decoration", "Offset")
    d_mstride = m.g.value("Decoration", "MatrixStride")
    end = 0
    for i, member in enumerate(members):
        deco = m.member_deco.get((type_id, i), {})
        offset = deco.get(d_offset, [None])[0]
        if offset is None:
            raise CompilationError(f"struct %{type_id} member {i} has no Offset decoration")
        stride = deco.get(d_mstride, [None])[0]
        end = max(end, offset + _size_of(m, member, stride))
    return end


def _constant_value(m: _Module, const_id: int) -> int:
    kind, ops = m.consts.get(const_id, ("?", []))
    if kind not in ("OpConstant", "OpSpecConstant") or not ops:
        raise CompilationError(f"%{const_id} is not an integer constant")
    return sum(word << (32 * i) for i, word in enumerate(ops))   # low-order word first


def _local_size(m: _Module, entry_id: int):
    """(default sizes, spec ids) from the WorkgroupSize built-in, LocalSizeId or LocalSize."""
    g = m.g
    builtin, wgsize = g.value("Decoration", "BuiltIn"), g.value("BuiltIn", "WorkgroupSize")
    for target, decos in m.deco.items():
        if decos.get(builtin) == [wgsize] and target in m.consts:
            kind, parts = m.consts[target]
            if kind not in ("OpConstantComposite", "OpSpecConstantComposite") or len(parts) != 3:
                raise CompilationError("WorkgroupSize is not a 3-component constant")
            return _dims(m, parts)
    for mode, operands in m.modes.get(entry_id, []):
        if mode == g.value("ExecutionMode", "LocalSize"):
            return tuple(operands[:3]), (None, None, None)
        if mode == g.value("ExecutionMode", "LocalSizeId"):
            return _dims(m, operands[:3])
    raise CompilationError("compute entry point declares no local size")


def _dims(m: _Module, ids: list[int]):
    spec_id = m.g.value("Decoration", "SpecId")
    sizes, specs = [], []
    for cid in ids:
        sizes.append(_constant_value(m, cid))
        is_spec = m.consts[cid][0] == "OpSpecConstant"
        specs.append(m.deco[cid][spec_id][0] if is_spec and spec_id in m.deco[cid] else None)
    return tuple(sizes), tuple(specs)
