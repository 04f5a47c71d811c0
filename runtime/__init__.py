"""Vulkan runtime: devices, buffers, pipelines, launches, and the rt_vk_* FFI table.

Imports nothing else of the project.
"""
