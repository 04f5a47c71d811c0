"""Lowering layer: the kernel IR (ir/), the SPIR-V module builder, and IR -> SPIR-V
code generation (codegen/; entry points in lower.py).

Imports nothing else of the project but the runtime's SPIR-V toolkit
(simple_vkbackend.runtime.spirv), which touches no Vulkan part.
"""
