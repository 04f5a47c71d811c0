"""What a launch needs to know about a lowered kernel: the parameter slots
(descriptor bindings, push-constant offsets), the local size and the device
features. The manifest is built from this; it is derived from the kernel IR
alone, so the lowering, the host glue and the software backend agree on it.

Push-constant layout: the scalar parameters in parameter order, each at the
next offset aligned to its own size (bool is stored as a 32-bit 0/1); the
block's size is rounded up to a multiple of 4.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Optional

from . import ir
from .ir.walk import all_exprs, buffer_usage, called_functions, coop_types_of, vector_widths, walk_stmts
from .quirks import ALL_QUIRKS, Quirk

DEFAULT_LOCAL_SIZES = {1: (256, 1, 1), 2: (16, 16, 1), 3: (8, 8, 4)}

SPIRV_ENVS = {(1, 3): "vulkan1.1", (1, 4): "vulkan1.1spv1.4", (1, 5): "vulkan1.2", (1, 6): "vulkan1.3"}


@dataclass(frozen=True)
class Target:
    """What the SPIR-V is generated for. `quirks`: the driver workarounds to emit
    (quirks.py; every one unless a driver is known); `driver`: the driver id they
    were chosen for (None: no device, or one that does not say)."""

    spirv_version: tuple[int, int] = (1, 3)
    float_atomic_add: bool = False  # SPV_EXT_shader_atomic_float_add usable
    quirks: frozenset[Quirk] = ALL_QUIRKS
    driver: Optional[str] = None
    # maxComputeSharedMemorySize of the device compiled for: a kernel whose shared arrays
    # exceed it is a LoweringError at build time. None (portable): the runtime checks at load.
    max_shared_memory: Optional[int] = None
    # Loop back edges a work item may run in all before the driver ends its loops
    # (lavapipe: 65535); None: no such limit. When set, a kernel with loops counts
    # them and reports reaching the limit through the hidden trap buffer.
    loop_iteration_limit: Optional[int] = None

    @property
    def env(self) -> str:
        """The SPIRV-Tools target environment name, e.g. 'vulkan1.1'."""
        return SPIRV_ENVS[self.spirv_version]


@dataclass(frozen=True)
class ParamSlot:
    name: str
    kind: str  # "buffer" | "scalar"
    type: str  # buffer element type or scalar type, e.g. "f32"
    binding: Optional[int] = None  # buffers: descriptor set 0 binding
    offset: Optional[int] = None  # scalars: byte offset in the push-constant block
    access: Optional[str] = None  # buffers: "read" | "write" | "readwrite" | "none"
    vector: int = 1  # buffers: accessed as vectors of this many elements; the length must be a multiple


@dataclass(frozen=True)
class KernelInterface:
    name: str
    params: tuple[ParamSlot, ...]
    push_size: int
    local_size: tuple[int, int, int]  # the default: the hint, else by dims
    local_size_hint: Optional[tuple[int, int, int]]
    dims: int
    features: tuple[str, ...]  # Vulkan feature names the device must have enabled
    capabilities: tuple[str, ...] = field(default=())
    extensions: tuple[str, ...] = field(default=())
    target_tag: Optional[str] = None  # the source's target tag, e.g. "vulkan", "cuda"
    grid_size: Optional[tuple[int, int, int]] = None  # the default global size, from the source
    exact: bool = False  # float arithmetic exactly as written (ir.Kernel.exact)
    trap_param: Optional[str] = None  # the hidden bounds-trap buffer (ir.TRAP_PARAM), if any
    trap_sites: tuple[tuple[str, str, bool], ...] = ()  # per site: buffer, FILE:LINE:COL, signed index
    # the target's loop_iteration_limit when the kernel has loops: site number
    # len(trap_sites) of the trap buffer then means "the launch reached it"
    loop_limit: Optional[int] = None

    @property
    def loop_limit_site(self) -> Optional[int]:
        """The trap site that records reaching the driver's loop limit, if any."""
        return None if self.loop_limit is None else len(self.trap_sites)

    @property
    def user_params(self) -> tuple[ParamSlot, ...]:
        """The parameters a caller passes (the hidden trap buffer left out)."""
        return tuple(p for p in self.params if p.name != self.trap_param)

    @property
    def buffers(self) -> tuple[ParamSlot, ...]:
        return tuple(p for p in self.params if p.kind == "buffer")

    @property
    def scalars(self) -> tuple[ParamSlot, ...]:
        return tuple(p for p in self.params if p.kind == "scalar")

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, d: dict) -> "KernelInterface":
        d = dict(d)
        d["params"] = tuple(ParamSlot(**p) for p in d["params"])
        d["trap_sites"] = tuple(tuple(site) for site in d.get("trap_sites", ()))
        for key in ("local_size", "local_size_hint", "features", "capabilities", "extensions", "grid_size"):
            if d.get(key) is not None:
                d[key] = tuple(d[key])
        return cls(**d)


def kernel_interface(module: ir.Module, kernel: ir.Kernel, target: Target = Target()) -> KernelInterface:
    """The interface of `kernel`; capabilities and extensions are left for the
    lowering to fill in from the module it builds."""
    usage, widths = buffer_usage(kernel), vector_widths(kernel)
    params, binding, offset = [], 0, 0
    for p in kernel.params:
        if isinstance(p.type, ir.BufferType):
            params.append(ParamSlot(p.name, "buffer", p.type.elem.name, binding=binding,
                                    access=usage[p.name].access, vector=widths.get(p.name, 1)))
            binding += 1
        else:
            size = p.type.size
            offset = (offset + size - 1) // size * size
            params.append(ParamSlot(p.name, "scalar", p.type.name, offset=offset))
            offset += size
    loop_limit = target.loop_iteration_limit if has_loops(module, kernel) else None
    if loop_limit is not None and not kernel.traps:
        params.append(ParamSlot(ir.TRAP_PARAM, "buffer", "u32", binding=binding, access="readwrite"))
    return KernelInterface(
        name=kernel.name,
        params=tuple(params),
        push_size=(offset + 3) // 4 * 4,
        local_size=kernel.local_size or DEFAULT_LOCAL_SIZES[kernel.dims],
        local_size_hint=kernel.local_size,
        dims=kernel.dims,
        features=required_features(module, kernel, target),
        target_tag=kernel.target,
        grid_size=kernel.grid_size,
        exact=kernel.exact,
        trap_param=ir.TRAP_PARAM if kernel.traps or loop_limit is not None else None,
        trap_sites=tuple((t.buffer, t.location, t.signed) for t in kernel.traps),
        loop_limit=loop_limit,
    )


def has_loops(module: ir.Module, kernel: ir.Kernel) -> bool:
    """Whether the kernel or a helper it calls has a loop statement."""
    functions: list[ir.Kernel | ir.Function] = [kernel, *called_functions(module, kernel)]
    return any(isinstance(s, ir.Loop) for fn in functions for s in walk_stmts(fn.body))


def required_features(module: ir.Module, kernel: ir.Kernel, target: Target = Target()) -> tuple[str, ...]:
    """Vulkan feature names (VkPhysicalDevice*Features members) the kernel needs."""
    needed: set[str] = set()
    arith = {"i64": "shaderInt64", "u64": "shaderInt64", "f64": "shaderFloat64",
             "i16": "shaderInt16", "u16": "shaderInt16", "f16": "shaderFloat16",
             "i8": "shaderInt8", "u8": "shaderInt8"}
    for t in _types_used(module, kernel):
        if t.name in arith:
            needed.add(arith[t.name])
    for p in kernel.params:
        bits = p.type.elem.bits if isinstance(p.type, ir.BufferType) else p.type.bits
        is_buffer = isinstance(p.type, ir.BufferType)
        if bits in (8, 16):
            kind = "storageBuffer" if is_buffer else "storagePushConstant"
            needed.add(f"{kind}{bits}BitAccess" if is_buffer else f"{kind}{bits}")
    reached: list[ir.Kernel | ir.Function] = [kernel, *called_functions(module, kernel)]
    for fn in reached:
        for e in all_exprs(fn.body):
            if isinstance(e, ir.Builtin) and e.name in ir.SUBGROUP_CLASS:
                needed.add(subgroup_feature(e.name))
                value = e.args[0].type if e.args else None
                if value is not None and not value.is_bool and value.bits != 32 and value != ir.F64:
                    needed.add("shaderSubgroupExtendedTypes")  # 8/16/64-bit ints, f16
    if coop_types_of(kernel):
        needed.update((COOP_FEATURE, "vulkanMemoryModel"))
    shared_names = {s.name for s in kernel.shared}
    if COOP_FEATURE in needed and (
            kernel.traps or (target.loop_iteration_limit is not None and has_loops(module, kernel))
            or any(isinstance(e, ir.Atomic) and e.base not in shared_names for e in all_exprs(kernel.body))):
        # device-scope atomics (the kernel's own, or the bounds-trap and loop-limit
        # recorders') in the Vulkan memory model, which matrix kernels use
        needed.add("vulkanMemoryModelDeviceScope")
    for e in all_exprs(kernel.body):
        if isinstance(e, ir.Atomic) and e.type is not None and e.type.is_float and target.float_atomic_add:
            needed.add("shaderSharedFloat32AtomicAdd" if e.base in shared_names
                       else "shaderBufferFloat32AtomicAdd")
    return tuple(sorted(needed))


COOP_FEATURE = "cooperativeMatrix"  # VkPhysicalDeviceCooperativeMatrixFeaturesKHR::cooperativeMatrix


def subgroup_feature(builtin: str) -> str:
    """The device feature a subgroup builtin needs: "subgroup" + its class in camel
    case ("subgroupArithmetic", "subgroupShuffleRelative"), as the runtime reports the
    VkPhysicalDeviceSubgroupProperties::supportedOperations bits."""
    return "subgroup" + "".join(p.capitalize() for p in ir.SUBGROUP_CLASS[builtin].split("_"))


def _types_used(module: ir.Module, kernel: ir.Kernel) -> set[ir.ScalarType]:
    types: set[ir.ScalarType] = set()
    functions: list[ir.Kernel | ir.Function] = [kernel, *called_functions(module, kernel)]
    for fn in functions:
        for p in fn.params:
            types.add(p.type.elem if isinstance(p.type, ir.BufferType) else p.type)
        for loc in fn.locals:
            types.add(loc.type if isinstance(loc.type, ir.ScalarType) else loc.type.elem)
        types.update(e.type for e in all_exprs(fn.body) if e.type is not None)
    for s in kernel.shared:
        types.add(s.type.elem)
    return types
