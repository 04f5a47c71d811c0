"""Backends: the Backend trait, registry, and the vulkan and software backends.

Importing this package does not start Vulkan; backend classes load on demand.
"""
from .base import Backend, CompiledModule
from .registry import available_backends, backend_class, get_backend, registered_backends

__all__ = ["Backend", "CompiledModule", "available_backends", "backend_class", "get_backend",
           "registered_backends"]
