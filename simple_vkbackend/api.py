"""The Python API: compile Simple source (or kernel IR) for a backend and call its
kernels as methods.

    module = simple_vkbackend.compile_file("fixtures/saxpy.spl")
    module.saxpy(x, y, 2.0)          # y now holds the result

Buffers are numpy arrays of exactly the element dtype, or device `Buffer`s
(`module.saxpy(2.0, dx, dy)` moves no data); arrays of written buffers hold the
results after the call. See docs/backend.md.
"""
from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import Any, Callable, Optional, Union

import numpy as np

from simple_vkbackend.lowering import ir

from .arguments import bind_arguments, default_global_size, local_size_arg, signature
from .backends.base import Backend, CompiledModule
from .backends.registry import get_backend
from .dtypes import numeric_dtype
from .sizes import SizeArg, check_launch
from . import traps

BackendArg = Union[str, Backend]


def compile_source(text: str, backend: BackendArg = "auto", filename: str = "<source>",
                   device: Any = None, strict: bool = False, bounds: Optional[str] = None,
                   exact: bool = False) -> "Module":
    """Compile Simple source text. Raises frontend.CompileError on bad source.
    `strict`: upstream's buffer rule for every kernel (docs/language.md);
    `bounds="trap"`: every access of every kernel traps (None: SIMPLE_VK_BOUNDS);
    `exact`: every kernel's float arithmetic exactly as written (see compile_ir)."""
    def front() -> ir.Module:
        from .frontend import CompileOptions, compile_source as front_end
        return front_end(text, filename=filename, options=CompileOptions(strict=strict, bounds=bounds))
    data = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else bytes(text)
    return _compile_cached(data, filename, _options_tag(strict, bounds, exact), front, backend, device, exact)


def compile_file(path: Union[str, Path], backend: BackendArg = "auto", device: Any = None,
                 strict: bool = False, bounds: Optional[str] = None, exact: bool = False) -> "Module":
    """Compile a Simple source file. Raises frontend.CompileError on bad source.
    `strict`: upstream's buffer rule for every kernel (docs/language.md);
    `bounds="trap"`: every access of every kernel traps (None: SIMPLE_VK_BOUNDS);
    `exact`: every kernel's float arithmetic exactly as written (see compile_ir)."""
    def front() -> ir.Module:
        from .frontend import CompileOptions, compile_file as front_end
        return front_end(str(path), CompileOptions(strict=strict, bounds=bounds))
    try:
        data = Path(path).read_bytes()
    except OSError:
        data = None         # the front end reports it
    return _compile_cached(data, str(path), _options_tag(strict, bounds, exact), front, backend, device, exact)


def _options_tag(strict: bool, bounds: Optional[str], exact: bool) -> str:
    """The compile options in a cache key (bounds None means SIMPLE_VK_BOUNDS)."""
    bounds_tag = bounds if bounds is not None else os.environ.get('SIMPLE_VK_BOUNDS', '')
    return f"strict={strict};bounds={bounds_tag};exact={exact}"


def _compile_cached(source: Optional[bytes], filename: str, options: str, front: Callable[[], ir.Module],
                    backend: BackendArg, device: Any, exact: bool = False) -> "Module":
    """Compile through the on-disk module cache when the backend has a cache tag
    (module_cache.py); `front()` gives the kernel IR on a miss."""
    chosen, owns = _backend(backend, device)
    try:
        tag = getattr(chosen, "cache_tag", None)
        key = None
        if tag is not None and source is not None and module_cache_on():
            from . import module_cache
            key = module_cache.module_key(source, filename, chosen.name, f"{tag()};{options}")
            compiled = module_cache.load_module(key)
            if compiled is not None:
                return Module(compiled, chosen, owns_backend=owns)
        module = front()
        from simple_vkbackend.lowering.ir.verify import verify_module
        verify_module(module)
        compiled = chosen.compile(exact_module(module) if exact else module)
        if key is not None:
            module_cache.store_module(key, compiled)
        return Module(compiled, chosen, owns_backend=owns)
    except BaseException:
        if owns:
            chosen.close()
        raise


def module_cache_on() -> bool:
    """Whether the on-disk cache is on (SIMPLE_VK_CACHE); when off no key is computed."""
    from simple_vkbackend.runtime.disk_cache import cache_root
    return cache_root() is not None


def compile_parsed(module: ir.Module, source: bytes, filename: str, backend: BackendArg = "auto",
                   device: Any = None, strict: bool = False, bounds: Optional[str] = None,
                   exact: bool = False) -> "Module":
    """compile_ir of `module`, already parsed from `source` (the bytes of `filename`,
    with `strict`, `bounds` and `exact`), through the on-disk module cache (the CLI's path: its
    front end runs first, so that source errors come before device errors)."""
    return _compile_cached(source, filename, _options_tag(strict, bounds, exact), lambda: module, backend, device,
                           exact)


def _backend(backend: BackendArg, device: Any) -> tuple[Backend, bool]:
    """(the backend to compile for, whether the module owns it)."""
    if isinstance(backend, Backend):
        return backend, False
    options = {} if device is None else {"device": device}
    return get_backend(backend, **options), True


def compile_ir(module: ir.Module, backend: BackendArg = "auto", device: Any = None,
               exact: bool = False) -> "Module":
    """Compile a kernel IR module (from any front end). `backend`: a name
    ('vulkan', 'software', 'auto') or a Backend; `device` (vulkan): a Device, an
    index or part of a device name; `exact`: every kernel's float arithmetic
    exactly as written, as if each were marked exact (no contraction into fused
    multiply-adds, no reassociation). The module is verified first (IRVerifyError)."""
    from simple_vkbackend.lowering.ir.verify import verify_module
    verify_module(module)
    if exact:
        module = exact_module(module)
    chosen, owns = _backend(backend, device)
    try:
        return Module(chosen.compile(module), chosen, owns_backend=owns)
    except BaseException:
        if owns:
            chosen.close()
        raise


def exact_module(module: ir.Module) -> ir.Module:
    """`module` with every kernel marked exact (the given module is left as it is)."""
    kernels = [dataclasses.replace(k, exact=True) for k in module.kernels]
    return dataclasses.replace(module, kernels=kernels)


class Module:
    """A compiled module: its kernels are methods (`module.saxpy(...)`), also
    reachable as `module["saxpy"]`."""

    def __init__(self, compiled: CompiledModule, backend: Backend, owns_backend: bool = False):
        self.compiled = compiled
        self.backend = backend
        self._owns_backend = owns_backend
        self._kernels: dict[str, Any] = {}     # name -> Kernel on the module's device

    @property
    def kernels(self) -> list[str]:
        return self.compiled.kernels

    @property
    def manifest(self) -> dict:
        return self.compiled.manifest

    @property
    def host_glue(self) -> str:
        """The host glue LLVM IR ('' for backends without host glue)."""
        return self.compiled.host_glue

    @property
    def ir_module(self) -> ir.Module:
        return self.compiled.module

    def spirv(self, kernel: str) -> bytes:
        self.compiled.interface(kernel)
        if kernel not in self.compiled.spirv:
            raise ValueError(f"the {self.compiled.backend} backend produces no SPIR-V")
        return self.compiled.spirv[kernel]

    def kernel(self, name: str, device: Any = None):
        """`name` as a device-resident Kernel (Vulkan only) for launches on Buffers;
        `device` defaults to the module's."""
        from .vulkan.objects import Kernel
        device = device if device is not None else getattr(self.backend, "device", None)
        if device is None:
            raise ValueError(f"the {self.compiled.backend} backend has no device; compile with backend='vulkan'")
        same = device is getattr(self.backend, "device", None)
        features = getattr(self.backend, "features", None) if same else None
        return Kernel(device, self.spirv(name), self.compiled.interface(name), features=features)

    def resident_kernel(self, name: str):
        """`kernel(name)` on the module's device, made once and kept (calls with Buffers)."""
        found = self._kernels.get(name)
        if found is None or found.closed:
            found = self._kernels[name] = self.kernel(name)
        return found

    def __getitem__(self, name: str) -> "KernelFunction":
        self.compiled.interface(name)
        return KernelFunction(self, name)

    def __getattr__(self, name: str) -> "KernelFunction":
        compiled = self.__dict__.get("compiled")
        if compiled is None or name not in compiled.interfaces:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute or kernel {name!r}")
        function = KernelFunction(self, name)
        self.__dict__[name] = function      # made once: later `module.name` finds it directly
        return function

    def __dir__(self):
        return [*super().__dir__(), *self.kernels]

    def close(self) -> None:
        """Release what the module's backend holds, when the module created it."""
        for kernel in self._kernels.values():
            kernel.free()
        self._kernels.clear()
        if self._owns_backend:
            self.backend.close()

    def __enter__(self) -> "Module":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<simple_vkbackend.Module {self.compiled.module.name!r} on {self.compiled.backend}: " \
               f"{', '.join(self.kernels)}>"


class KernelFunction:
    """One kernel of a Module, called like a function."""

    def __init__(self, module: Module, name: str):
        self.module, self.name = module, name
        self.compiled_interface = module.compiled.interface(name)
        self.interface = traps.user_view(self.compiled_interface)
        self.__doc__ = f"{signature(self.interface)}; keyword arguments global_size, local_size"

    def __call__(self, *args: Any, global_size: SizeArg = None, local_size: SizeArg = None,
                 **kwargs: Any) -> None:
        resident = self.module._kernels.get(self.name)
        if resident is not None and not kwargs and not resident.closed and not resident.device.closed \
                and resident.launch_fast(args, global_size, local_size, True, None):
            return                      # all Buffers and plain numbers: a blocking launch, no data moved
        named = [(f"argument {i + 1}", v) for i, v in enumerate(args)] + list(kwargs.items())
        for what, value in named:
            if isinstance(value, np.ndarray):
                numeric_dtype(value.dtype, f"{self.name}(): {what}")
        if any(getattr(v, "is_device_buffer", False) for _, v in named):
            if getattr(self.module.backend, "device", None) is None:
                bind_arguments(self.interface, args, kwargs)     # mistakes first, then the backend
                raise TypeError(f"{self.name}(): device Buffers need the vulkan backend; the "
                                f"{self.module.compiled.backend} backend takes numpy arrays")
            self.module.resident_kernel(self.name).launch(*args, global_size=global_size,
                                                          local_size=local_size, **kwargs)
            return
        bound = bind_arguments(self.interface, args, kwargs)
        size = default_global_size(self.interface, bound, global_size)
        check_launch(self.interface, size, local_size_arg(local_size))
        flat = {name: value.reshape(-1) if isinstance(value, np.ndarray) else value
                for name, value in bound.items()}  # views: results land in the caller's arrays
        words = traps.arm(self.compiled_interface, flat)
        self.module.backend.run(self.module.compiled, self.name, flat, size, local_size_arg(local_size))
        traps.check(self.compiled_interface, words)

    def __repr__(self) -> str:
        return f"<kernel {signature(self.interface)}>"
