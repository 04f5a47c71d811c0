"""simple-vkbackend: a Vulkan compute backend for the Simple language.

Importing this package is cheap: it does not start Vulkan. The lowering layer
(`simple_vkbackend.lowering`) and the runtime (`simple_vkbackend.runtime`) are
subpackages that live in the top-level folders `lowering/` and `runtime/`.

The public API is loaded on first use:

    import simple_vkbackend as svk
    module = svk.compile_file("fixtures/saxpy.spl")   # backend="auto"
    module.saxpy(x, y, 2.0)
"""

__version__ = "0.1.0"

# public name -> module that defines it, imported when the name is first used
_LAZY = {
    "compile_file": "api", "compile_source": "api", "compile_ir": "api", "Module": "api",
    "KernelFunction": "api",
    "Device": "vulkan.objects", "Buffer": "vulkan.objects", "Kernel": "vulkan.objects",
    "default_device": "vulkan.objects",
    "BackendError": "errors", "BackendUnavailableError": "errors", "MissingFeatureError": "errors",
    "VulkanError": "errors", "SoftwareRunError": "errors", "BoundsTrapError": "traps", "LoopLimitError": "traps",
    "get_backend": "backends", "available_backends": "backends", "Backend": "backends",
    "CompiledModule": "backends",
    "list_devices": "vulkan.device_info",
}

__all__ = sorted(_LAZY)  # noqa: PLE0605 - the names of _LAZY, listed there once


def __getattr__(name: str):
    if name == "list_devices":
        from .vulkan.device_info import list_device_infos
        return list_device_infos
    if name in _LAZY:
        import importlib
        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted([*globals(), *_LAZY])
