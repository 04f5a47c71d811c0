"""The subcommands of `simple-vk` (main.py parses and handles errors)."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Optional

import numpy as np

from simple_vkbackend.lowering import ir

from .command_line import EXIT_OK, UsageError


def load(path: str, options=None, args: Optional[argparse.Namespace] = None, exact: bool = False) -> ir.Module:
    """The IR of the file at `path`; `args` gives the options `--bounds`; with
    `exact`, every kernel is marked exact (--exact)."""
    from ..api import exact_module
    from ..frontend import CompileOptions, compile_file
    if not Path(path).is_file():
        raise UsageError(f"no such file: {path}")
    bounds = getattr(args, "bounds", None)
    if options is None and bounds is not None:
        options = CompileOptions(bounds=bounds)
    module = compile_file(path, options)
    return exact_module(module) if exact else module


def compile_vulkan(module: ir.Module, driver: Optional[str] = None):
    """Compile for the driver named (its workarounds, no device needed), else for
    the default device when there is one (its target), else for the portable target
    (every driver workaround) with a note: building needs no device."""
    from ..backends.vulkan import VulkanBackend, compile_for_vulkan
    if driver is not None:
        from simple_vkbackend.lowering.interface import Target
        from simple_vkbackend.lowering.quirks import quirks_for
        return compile_for_vulkan(module, target=Target(quirks=quirks_for(driver), driver=driver))
    if VulkanBackend.is_available():
        backend = VulkanBackend()
        try:
            return backend.compile(module)
        finally:
            backend.close()
    print(f"simple-vk: note: no Vulkan device ({VulkanBackend.unavailable_reason()}); "
          "building for the portable target", file=sys.stderr)
    return compile_for_vulkan(module)


def build(args: argparse.Namespace) -> int:
    from simple_vkbackend.runtime.spirv.tools import disassemble
    compiled = compile_vulkan(load(args.file, args=args, exact=args.exact), args.driver)
    out = Path(args.output)
    out.mkdir(parents=True, exist_ok=True)
    for name, code in compiled.spirv.items():
        (out / f"{name}.spv").write_bytes(code)
        (out / f"{name}.spvasm").write_text(disassemble(code))
    (out / compiled.manifest["host_glue"]).write_text(compiled.host_glue)
    (out / "manifest.json").write_text(json.dumps(compiled.manifest, indent=2) + "\n")
    extra = ""
    if args.object:
        from ..hostgen.aot import emit_object, glue_header
        module = compiled.manifest["module"]
        (out / f"{module}.o").write_bytes(emit_object(compiled.host_glue, module, compiled.interfaces))
        (out / f"{module}.h").write_text(glue_header(module, compiled.interfaces))
        extra = f", {module}.o, {module}.h"
    print(f"wrote {len(compiled.spirv)} kernel(s) to {out}: "
          f"{', '.join(compiled.kernels)}; manifest.json, {compiled.manifest['host_glue']}{extra}")
    return EXIT_OK


def native(args: argparse.Namespace) -> int:
    from simple_vkbackend.runtime.native import NativeBuildError, build_library
    try:
        lib = build_library(args.output)
    except NativeBuildError as err:
        raise UsageError(str(err)) from None
    print(f"wrote {lib.library}, {lib.header}")
    return EXIT_OK


def check(args: argparse.Namespace) -> int:
    from ..frontend import CompileOptions
    from ..lowering.ir.verify import verify_module
    options = CompileOptions(strict=getattr(args, "strict", False))
    module = load(args.file, options)
    verify_module(module)
    if getattr(args, "max_shared_memory", None) is not None:
        from simple_vkbackend.lowering.interface import Target
        from simple_vkbackend.lowering.lower import check_shared_memory
        for kernel in module.kernels:
            check_shared_memory(kernel, Target(max_shared_memory=args.max_shared_memory))
    print(f"{args.file}: ok ({len(module.kernels)} kernel(s): {', '.join(k.name for k in module.kernels)})")
    if getattr(args, "verbose", False):
        for item in options.skipped:
            names = f" {', '.join(item.names)}" if item.names else ""
            print(f"{args.file}:{item.span.line}: skipped {item.kind}{names} ({item.reason})")
    return EXIT_OK


def only_kernel(module: ir.Module, name: str) -> ir.Module:
    """`module` reduced to kernel `name`, the helpers it calls and the constants."""
    from simple_vkbackend.lowering.ir.walk import called_functions
    try:
        kernel = module.kernel(name)
    except KeyError:
        raise UsageError(f"no kernel named {name!r} in {module.name} "
                         f"(kernels: {', '.join(k.name for k in module.kernels)})") from None
    return ir.Module(kernels=[kernel], functions=called_functions(module, kernel),
                     constants=list(module.constants), name=module.name)


def emit(args: argparse.Namespace) -> int:
    module = load(args.file, args=args, exact=args.exact)
    if args.kernel:
        module = only_kernel(module, args.kernel)
    if args.emit == "ir":
        from simple_vkbackend.lowering.ir.text import print_module
        sys.stdout.write(print_module(module))
        return EXIT_OK
    compiled = compile_vulkan(module, args.driver)
    if args.emit == "llvm":
        sys.stdout.write(compiled.host_glue)
        return EXIT_OK
    from simple_vkbackend.runtime.spirv.tools import disassemble
    for name, code in compiled.spirv.items():
        if len(compiled.spirv) > 1:
            sys.stdout.write(f"; kernel {name}\n")
        sys.stdout.write(disassemble(code))
    return EXIT_OK


def run(args: argparse.Namespace) -> int:
    from ..api import compile_parsed
    from .argspec import SpecError, parse_spec, split_assignment, summary
    from ..sizes import as_size3
    from ..traps import user_view
    if args.device is not None and args.backend == "software":
        raise UsageError("--device chooses a Vulkan device; the software backend has none")
    if args.repeat < 1:
        raise UsageError(f"--repeat needs at least 1 launch, got {args.repeat}")
    module = load(args.file, args=args, exact=args.exact)
    if args.kernel is None:
        if len(module.kernels) != 1:
            raise UsageError(f"{args.file} has {len(module.kernels)} kernels "
                             f"({', '.join(k.name for k in module.kernels) or 'none'}): pass --kernel NAME")
        args.kernel = module.kernels[0].name
    if args.kernel not in {k.name for k in module.kernels}:
        only_kernel(module, args.kernel)  # raises the usage error naming the kernels
    compiled = compile_parsed(module, Path(args.file).read_bytes(), args.file, args.backend, device=args.device,
                              bounds=getattr(args, "bounds", None), exact=args.exact)
    with compiled:
        interface = user_view(compiled.compiled.interface(args.kernel))
        params = {p.name: p for p in interface.params}
        values = {}
        try:
            for text in args.arg:
                name, spec = split_assignment(text)
                if name not in params:
                    raise UsageError(f"kernel {args.kernel} has no parameter {name!r} "
                                     f"(parameters: {', '.join(params)})")
                values[name] = parse_spec(params[name], spec, args.seed)
            if not args.global_size and interface.dims > 1 and interface.grid_size is None:
                raise UsageError(f"kernel {args.kernel} is {interface.dims}-D: pass "
                                 f"--global {','.join('XYZ'[:interface.dims])}")
            global_size = as_size3(parse_sizes(args.global_size), "--global") if args.global_size else None
            local_size = as_size3(parse_sizes(args.local_size), "--local") if args.local_size else None
            inputs = {n: v.copy() if isinstance(v, np.ndarray) else v for n, v in values.items()}
            compiled[args.kernel](**values, global_size=global_size, local_size=local_size)
        except (SpecError, TypeError, ValueError) as err:
            raise UsageError(str(err)) from None
        report(args, interface, values, summary)
        if args.time:
            from .timing import time_kernel
            print(time_kernel(compiled, args.kernel, inputs, global_size, local_size, args.repeat))
    return EXIT_OK


def parse_sizes(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in text.split(","))
    except ValueError:
        raise UsageError(f"expected N[,M[,L]], got {text!r}") from None


def report(args, interface, values, summary) -> None:
    written = [p.name for p in interface.buffers if p.access in ("write", "readwrite")]
    save = Path(args.save) if args.save else None
    if save:
        save.mkdir(parents=True, exist_ok=True)
    for name in written:
        print(summary(name, values[name]))
        if save:
            np.save(save / f"{name}.npy", values[name])


def devices(args: argparse.Namespace) -> int:
    from ..backends.vulkan import VulkanBackend
    from ..vulkan.device_info import list_device_infos
    from ..vulkan.feature_check import FEATURE_USES
    reason = VulkanBackend.unavailable_reason()
    if reason:
        print(f"no Vulkan devices: {reason}")
        return EXIT_OK
    for info in list_device_infos():
        x, y, z, invocations, gx, gy, gz = info.limits
        print(f"{info.index}: {info.name} ({info.type})")
        print(f"    maxComputeWorkGroupSize {x} x {y} x {z}, maxComputeWorkGroupInvocations {invocations}")
        print(f"    maxComputeWorkGroupCount {gx} x {gy} x {gz}")
        for label, value in info.extra:
            print(f"    {label} {value}")
        listed = [f for f in FEATURE_USES if f in info.enabled_features]
        print(f"    features: {', '.join(listed) if listed else 'none of the optional ones'}")
    return EXIT_OK
