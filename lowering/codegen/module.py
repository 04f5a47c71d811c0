"""One kernel to one SPIR-V module: capabilities, memory model, resources,
helper functions (callees first), the kernel function, entry point and modes."""
from __future__ import annotations

from typing import Optional, Union

from .. import ir
from ..errors import LoweringError
from ..ir.walk import coop_types_of
from ..interface import KernelInterface, Target
from ..spirv_builder import ModuleBuilder
from .function import FunctionCodegen
from .loop_budget import LoopBudget
from .prescan import called_helpers
from .resources import KernelGlobals
from .type_map import TypeMap


def build_kernel_module(module: ir.Module, kernel: ir.Kernel, interface: KernelInterface,
                        target: Target) -> ModuleBuilder:
    """The builder holding `kernel`'s complete module (see DESIGN.md, SPIR-V)."""
    b = ModuleBuilder(target.spirv_version)
    b.capability("Shader")
    if coop_types_of(kernel):  # SPV_KHR_cooperative_matrix needs the Vulkan memory model in shaders
        b.capability("VulkanMemoryModel")
        if "vulkanMemoryModelDeviceScope" in interface.features:
            b.capability("VulkanMemoryModelDeviceScope")
        if target.spirv_version < (1, 5):
            b.extension("SPV_KHR_vulkan_memory_model")
        b.instr("OpMemoryModel", "Logical", "Vulkan")
    else:
        b.instr("OpMemoryModel", "Logical", "GLSL450")
    types = TypeMap(b)
    resources = KernelGlobals(b, types, kernel, interface, target)
    constants = {c.name: c for c in module.constants}
    site = interface.loop_limit_site
    budget = None if interface.loop_limit is None or site is None else \
        LoopBudget(types, resources, interface.loop_limit, site)
    function_ids: dict[str, int] = {}
    for helper in called_helpers(module, kernel):
        function_ids[helper.name] = _lower_function(b, types, resources, module, helper, function_ids, constants,
                                                    kernel.exact, target, budget)
    entry = _lower_function(b, types, resources, module, kernel, function_ids, constants, kernel.exact, target,
                            budget)
    b.instr("OpEntryPoint", "GLCompute", entry, kernel.name,
            *resources.entry_point_interface(target.spirv_version))
    b.instr("OpExecutionMode", entry, "LocalSize", *interface.local_size)
    return b


def _lower_function(b: ModuleBuilder, types: TypeMap, resources: KernelGlobals, module: ir.Module,
                    fn: Union[ir.Kernel, ir.Function], function_ids: dict[str, int],
                    constants: dict[str, ir.Constant], exact: bool, target: Target,
                    budget: Optional[LoopBudget]) -> int:
    is_kernel = isinstance(fn, ir.Kernel)
    result = types.result(fn.ret) if isinstance(fn, ir.Function) else types.void
    param_types = [] if is_kernel else [types.scalar(_helper_param_type(fn, p)) for p in fn.params]
    fid = b.begin_function(result, b.type_function(result, *param_types))
    b.name(fid, fn.name)
    cg = FunctionCodegen(b, types, resources, module, fn, function_ids, constants, exact, target.quirks, budget)
    if is_kernel:
        cg.arrays.update(resources.arrays)
    else:
        for p, ptype in zip(fn.params, param_types):
            cg.params[p.name] = b.function_parameter(ptype)
            b.name(cg.params[p.name], p.name)
    cg.em.start_block(cg.em.new_label())
    for local in fn.locals:
        cg.declare_local(local)
    cg.block(fn.body)
    if cg.em.open:
        cg.return_early()
    b.end_function()
    return fid


def _helper_param_type(fn: Union[ir.Kernel, ir.Function], p: ir.Param) -> ir.ScalarType:
    if not isinstance(p.type, ir.ScalarType):
        raise LoweringError(f"{fn.name}: helper parameter {p.name!r} must be a scalar, not {p.type}")
    return p.type
