"""The SPIR-V toolkit: grammar tables (grammar.py), a module reader (reader.py) and the
one SPIRV-Tools binding (tools.py: validate, disassemble, assemble, optimize).

The lowest layer that uses SPIR-V holds it, and it touches no Vulkan part of the
runtime: the lowering (which builds modules) imports it as well as the runtime
(which reflects and checks them before a driver sees them). Errors derive from
`errors.SpirvError`.
"""
