"""Lowering layer: kernel IR, SPIR-V builder, IR -> SPIR-V lowering, SPIRV-Tools binding.

Imports nothing else of the project.
"""
