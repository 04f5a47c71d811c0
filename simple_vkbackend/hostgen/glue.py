"""Host glue: one LLVM function per kernel that runs it through the rt_vk_* table.

ABI (docs/backend.md has the whole of it):

    i32 @simple_<kernel>(i64 device,
                         ptr data, i64 bytes     for each buffer parameter,
                         <scalar>                for each scalar parameter (llvm_types.py),
                         i32 global_x, i32 global_y, i32 global_z)

returns 0 or the first negative rt_vk_* status. `@"simple_<kernel>.local"` takes
three more i32 (local x, y, z) after the global size: local x = 0 lets the glue
choose, anything else is used as given. `@"simple.release"(i64 device)` frees the
kernels the glue compiled for `device` (0: for every device).

A call compiles the kernel once per device (SPIR-V embedded as a private
constant; handles cached in a per-kernel table of (device, kernel) pairs),
allocates and uploads every buffer the kernel reads or writes (a write-only buffer
is uploaded too: the kernel need not write every element, and those it leaves
keep the host's values), chooses the local size, packs the scalars into the
push-constant block, launches, syncs, downloads every written buffer and frees its
buffers, on failure paths too. The globals make the glue non-reentrant: callers
serialise calls into one module (the Python side holds a lock).
"""
from __future__ import annotations

import functools

from contextlib import contextmanager
from typing import Callable, Iterator, Sequence

from llvmlite import ir as ll

from simple_vkbackend.lowering.interface import KernelInterface
from simple_vkbackend.lowering.ir import scalar
from simple_vkbackend.runtime.abi import LOCAL_SIZE_LIMITS, SPECS, Status

from .glue_names import RELEASE, glue_function_name, glue_local_function_name
from .llvm_types import I8, I32, I64, PTR, VOID, ffi_type, scalar_type

CACHE_SLOTS = 8
# rt_vk_device_limits values the glue reads (abi.LIMITS_ORDER): maxComputeWorkGroupSize
# x, y, z, maxComputeWorkGroupInvocations, maxComputeWorkGroupCount x, y, z
LIMIT_COUNT = LOCAL_SIZE_LIMITS
KERNEL_FOR = "simple.kernel_for"
LOCAL_SIZE = "simple.local_size"
CACHE_RELEASE = "simple.cache_release"

STATUS_ALLOCATION_FAILED = int(Status.ALLOCATION_FAILED)
STATUS_COMPILATION_FAILED = int(Status.COMPILATION_FAILED)


def emit_glue(module_name: str, kernels: Sequence[tuple[KernelInterface, bytes]]) -> str:
    """The host glue LLVM IR text for `kernels` (interface, SPIR-V), deterministic."""
    return str(GlueEmitter(module_name).emit(kernels))


class GlueEmitter:
    """Builds one llvmlite module: helpers, then each kernel, then the release."""

    def __init__(self, module_name: str):
        self.module = ll.Module(name=f"simple_glue.{module_name}")
        self.rt_functions: dict[str, ll.Function] = {}
        self.caches: list[tuple[ll.GlobalVariable, ll.GlobalVariable]] = []

    def emit(self, kernels: Sequence[tuple[KernelInterface, bytes]]) -> ll.Module:
        self.emit_kernel_for()
        self.emit_local_size()
        self.emit_cache_release()
        for interface, spirv in kernels:
            KernelGlue(self, interface, spirv).emit()
        self.emit_release()
        return self.module

    def rt(self, name: str) -> ll.Function:
        """The declaration of runtime function `name` (from abi.SPECS), added on first use."""
        if name not in self.rt_functions:
            spec = SPECS[name]
            fnty = ll.FunctionType(ffi_type(spec.ret), [ffi_type(p) for p in spec.param_types])
            self.rt_functions[name] = ll.Function(self.module, fnty, name)
        return self.rt_functions[name]

    def helper(self, name: str) -> ll.Function:
        return self.module.get_global(name)

    def function(self, name: str, ret: ll.Type, params: list[tuple[ll.Type, str]],
                 internal: bool = False) -> tuple[ll.Function, ll.IRBuilder]:
        fn = ll.Function(self.module, ll.FunctionType(ret, [t for t, _ in params]), name)
        for arg, (_, arg_name) in zip(fn.args, params):
            arg.name = arg_name
        if internal:
            fn.linkage = "internal"
        return fn, ll.IRBuilder(fn.append_basic_block("entry"))

    def global_(self, name: str, typ: ll.Type, value, constant: bool = False) -> ll.GlobalVariable:
        g = ll.GlobalVariable(self.module, typ, name)
        g.initializer = ll.Constant(typ, value)
        g.type = PTR  # print references as opaque pointers
        if constant:
            g.linkage, g.global_constant, g.unnamed_addr, g.align = "private", True, True, 4
        else:
            g.linkage = "internal"
        return g

    def emit_kernel_for(self) -> None:
        """i64 kernel_for(dev, devices, kernels, next, spirv, len): the cached kernel
        for `dev`, compiled on a miss into slot next % SLOTS (freeing the kernel it
        evicts); 0 when compiling fails."""
        fn, b = self.function(KERNEL_FOR, I64, [(I64, "device"), (PTR, "devices"), (PTR, "kernels"),
                                                (PTR, "next"), (PTR, "spirv"), (I64, "spirv.bytes")],
                              internal=True)
        dev, devices, kernels, next_slot, spirv, length = fn.args
        with counted_loop(b, CACHE_SLOTS, "search") as slot:
            cached = b.load(element_ptr(b, kernels, slot, I64), typ=I64, name="cached")
            same = b.icmp_unsigned("==", b.load(element_ptr(b, devices, slot, I64), typ=I64), dev)
            with if_then(b, b.and_(same, nonzero(b, cached)), "hit"):
                b.ret(cached)
        kernel = b.call(self.rt("rt_vk_kernel_compile"), [dev, spirv, length], name="kernel")
        with if_then(b, b.icmp_unsigned("==", kernel, const(0, I64)), "failed"):
            b.ret(const(0, I64))
        count = b.load(next_slot, typ=I32, name="count")
        slot = b.urem(count, const(CACHE_SLOTS), name="slot")
        kernel_ptr = element_ptr(b, kernels, slot, I64)
        evicted = b.load(kernel_ptr, typ=I64, name="evicted")
        with if_then(b, nonzero(b, evicted), "evict"):
            b.call(self.rt("rt_vk_kernel_free"), [evicted])
        b.store(dev, element_ptr(b, devices, slot, I64))
        b.store(kernel, kernel_ptr)
        b.store(b.add(count, const(1)), next_slot)
        b.ret(kernel)

    def emit_local_size(self) -> None:
        """i32 local_size(dev, global, local, shrink): the local-size policy of
        runtime/local_size.py (`shrink` != 0: the kernel has no
        hint), starting from local[0..2]."""
        fn, b = self.function(LOCAL_SIZE, I32, [(I64, "device"), (PTR, "global"), (PTR, "local"),
                                                (I32, "shrink")], internal=True)
        dev, global_, local, shrink = fn.args
        limits = alloca(b, ll.ArrayType(I32, LIMIT_COUNT), "limits")
        status = b.call(self.rt("rt_vk_device_limits"), [dev, limits, const(LIMIT_COUNT, I64)], name="status")
        with if_then(b, b.icmp_signed("<", status, const(0)), "no_limits"):
            b.ret(status)
        limit = [load_i32(b, element_ptr(b, limits, const(i), I32)) for i in range(LIMIT_COUNT)]
        sizes = [element_ptr(b, local, const(d), I32) for d in range(3)]
        globals_ = [umax(b, load_i32(b, element_ptr(b, global_, const(d), I32)), const(1)) for d in range(3)]
        shrinking = b.icmp_unsigned("!=", shrink, const(0), name="shrinking")
        for d in range(3):  # clamp to the device, and (no hint) to the global size
            size = umin(b, load_i32(b, sizes[d]), limit[d])
            b.store(umax(b, b.select(shrinking, umin(b, size, globals_[d]), size), const(1)), sizes[d])
        self.emit_halving(fn, b, sizes, limit[3])
        with if_then(b, shrinking, "grow"):
            for d in range(3):
                self.emit_growing(fn, b, sizes, d, globals_[d], limit)
        b.ret(const(0))

    @staticmethod
    def invocations(b: ll.IRBuilder, sizes: list) -> ll.Value:
        x, y, z = (b.zext(load_i32(b, p), I64) for p in sizes)
        return b.mul(b.mul(x, y), z, name="invocations")

    def emit_halving(self, fn, b: ll.IRBuilder, sizes: list, most: ll.Value) -> None:
        """Halve the largest dimension while the product exceeds `most` (and is > 1)."""
        fit, halve, done = (fn.append_basic_block(n) for n in ("fit", "halve", "fitted"))
        b.branch(fit)
        b.position_at_end(fit)
        product = self.invocations(b, sizes)
        fits = b.or_(b.icmp_unsigned("<=", product, b.zext(most, I64)),
                     b.icmp_unsigned("==", product, const(1, I64)))
        b.cbranch(fits, done, halve)
        b.position_at_end(halve)
        x, y, z = (load_i32(b, p) for p in sizes)
        x_largest = b.and_(b.icmp_unsigned(">=", x, y), b.icmp_unsigned(">=", x, z))
        largest = b.select(x_largest, const(0), b.select(b.icmp_unsigned(">=", y, z), const(1), const(2)))
        size_ptr = b.gep(sizes[0], [largest], source_etype=I32)
        b.store(umax(b, b.lshr(load_i32(b, size_ptr), const(1)), const(1)), size_ptr)
        b.branch(fit)
        b.position_at_end(done)

    def emit_growing(self, fn, b: ll.IRBuilder, sizes: list, d: int, global_: ll.Value, limit: list) -> None:
        """Double dimension `d` while the launch needs more groups than
        maxComputeWorkGroupCount[d] allows and the doubled size still fits."""
        head, grow, done = (fn.append_basic_block(f"{n}.{'xyz'[d]}") for n in ("grow_check", "grow", "grown"))
        b.branch(head)
        b.position_at_end(head)
        size = load_i32(b, sizes[d])
        wide_size, wide_global = b.zext(size, I64), b.zext(global_, I64)
        groups = b.udiv(b.sub(b.add(wide_global, wide_size), const(1, I64)), wide_size)
        too_many = b.icmp_unsigned(">", groups, b.zext(limit[4 + d], I64))
        doubled = b.shl(wide_size, const(1, I64))
        size_ok = b.icmp_unsigned("<=", doubled, b.zext(limit[d], I64))
        count_ok = b.icmp_unsigned("<=", b.shl(self.invocations(b, sizes), const(1, I64)), b.zext(limit[3], I64))
        b.cbranch(b.and_(too_many, b.and_(size_ok, count_ok)), grow, done)
        b.position_at_end(grow)
        b.store(b.trunc(doubled, I32), sizes[d])
        b.branch(head)
        b.position_at_end(done)

    def emit_cache_release(self) -> None:
        """void cache_release(devices, kernels, dev): free the cached kernels of `dev`
        (of every device when dev is 0) and clear their slots."""
        fn, b = self.function(CACHE_RELEASE, VOID, [(PTR, "devices"), (PTR, "kernels"), (I64, "device")],
                              internal=True)
        devices, kernels, dev = fn.args
        any_device = b.icmp_unsigned("==", dev, const(0, I64), name="any_device")
        with counted_loop(b, CACHE_SLOTS, "slots") as slot:
            dev_ptr, kernel_ptr = element_ptr(b, devices, slot, I64), element_ptr(b, kernels, slot, I64)
            kernel = b.load(kernel_ptr, typ=I64, name="kernel")
            mine = b.or_(any_device, b.icmp_unsigned("==", b.load(dev_ptr, typ=I64), dev))
            with if_then(b, b.and_(mine, nonzero(b, kernel)), "free"):
                b.call(self.rt("rt_vk_kernel_free"), [kernel])
                b.store(const(0, I64), kernel_ptr)
                b.store(const(0, I64), dev_ptr)
        b.ret_void()

    def emit_release(self) -> None:
        fn, b = self.function(RELEASE, VOID, [(I64, "device")])
        for devices, kernels in self.caches:
            b.call(self.helper(CACHE_RELEASE), [devices, kernels, fn.args[0]])
        b.ret_void()


def glue_params(interface: KernelInterface) -> list[tuple[ll.Type, str]]:
    """The glue function's parameters, (LLVM type, name): the device, the kernel's
    parameters (a buffer as data pointer and byte size), the global size."""
    params = [(I64, "device")]
    for p in interface.params:
        if p.kind == "buffer":
            params += [(PTR, f"p.{p.name}.data"), (I64, f"p.{p.name}.bytes")]
        else:
            params.append((scalar_type(p.type), f"p.{p.name}"))
    return params + [(I32, f"global.{axis}") for axis in "xyz"]


class KernelGlue:
    """The globals and the two functions of one kernel."""

    def __init__(self, emitter: GlueEmitter, interface: KernelInterface, spirv: bytes):
        self.emitter, self.interface, self.spirv = emitter, interface, spirv
        self.name = interface.name

    def emit(self) -> None:
        e, prefix = self.emitter, f"simple_{self.name}"
        spirv = e.global_(f"{prefix}.spirv", ll.ArrayType(I8, len(self.spirv)), bytearray(self.spirv),
                          constant=True)
        devices = e.global_(f"{prefix}.cache.devices", ll.ArrayType(I64, CACHE_SLOTS), None)
        kernels = e.global_(f"{prefix}.cache.kernels", ll.ArrayType(I64, CACHE_SLOTS), None)
        next_slot = e.global_(f"{prefix}.cache.next", I32, 0)
        e.caches.append((devices, kernels))
        launch_fn = self.emit_launch([devices, kernels, next_slot, spirv, const(len(self.spirv), I64)])
        self.emit_wrapper(launch_fn)

    def params(self) -> list[tuple[ll.Type, str]]:
        return glue_params(self.interface)

    def emit_wrapper(self, launch_fn: ll.Function) -> None:
        fn, b = self.emitter.function(glue_function_name(self.name), I32, self.params())
        b.ret(b.call(launch_fn, [*fn.args, const(0), const(0), const(0)], tail=True))

    def emit_launch(self, cache_args: list) -> ll.Function:
        params = self.params() + [(I32, f"local.{axis}") for axis in "xyz"]
        fn, b = self.emitter.function(glue_local_function_name(self.name), I32, params)
        launch = LaunchBuilder(self.emitter, b, dict(zip([n for _, n in params], fn.args)), self.interface)
        kernel = b.call(self.emitter.helper(KERNEL_FOR), [launch.args["device"], *cache_args], name="kernel")
        with if_then(b, b.icmp_unsigned("==", kernel, const(0, I64)), "compile_failed"):
            b.store(const(STATUS_COMPILATION_FAILED), launch.status)
        launch.check_sizes()
        launch.check_vector_lengths()
        launch.choose_local_size()
        launch.alloc_buffers()
        launch.upload_buffers()
        launch.pack_push_constants()
        launch.launch(kernel)
        launch.download_buffers()
        launch.free_buffers()
        b.ret(b.load(launch.status, typ=I32, name="result"))
        return fn


class LaunchBuilder:
    """Emits the steps of one launch; every step after the first failure is skipped
    (`guarded`), the frees are not."""

    def __init__(self, emitter: GlueEmitter, b: ll.IRBuilder, args: dict, interface: KernelInterface):
        self.emitter, self.b, self.args, self.interface = emitter, b, args, interface
        self.status = alloca(b, I32, "status")
        self.global_ = alloca(b, ll.ArrayType(I32, 3), "global")
        self.local = alloca(b, ll.ArrayType(I32, 3), "local")
        n = len(interface.buffers)
        self.handles = alloca(b, ll.ArrayType(I64, n), "buffers") if n else ll.Constant(PTR, None)
        size = interface.push_size
        self.push = alloca(b, ll.ArrayType(I8, size), "push", align=8) if size else ll.Constant(PTR, None)
        b.store(const(0), self.status)
        if n:
            b.store(ll.Constant(ll.ArrayType(I64, n), None), self.handles)

    def guarded(self, label: str, step: Callable[[], ll.Value]) -> None:
        """Run `step` (returning an i32 status) only while status is 0, and keep its
        status when negative."""
        b = self.b
        with if_then(b, b.icmp_signed("==", b.load(self.status, typ=I32), const(0)), label):
            result = step()
            with if_then(b, b.icmp_signed("<", result, const(0)), f"{label}.failed"):
                b.store(result, self.status)

    def check_sizes(self) -> None:
        self.guarded("sizes", self.sizes_status)

    def sizes_status(self) -> ll.Value:
        """A launch the kernel cannot honour is INVALID_PARAMETER: the rule of
        simple_vkbackend/sizes.py check_launch (sizes past the kernel's dims are 1, a given
        local size is the declared one), emitted for native callers."""
        b, args = self.b, self.args
        dims, hint = self.interface.dims, self.interface.local_size_hint
        given = b.icmp_unsigned("!=", args["local.x"], const(0), name="local_given")
        bad = ll.Constant(ll.IntType(1), 0)
        for d, axis in enumerate("xyz"):
            if d >= dims:
                bad = b.or_(bad, b.icmp_unsigned("!=", args[f"global.{axis}"], const(1)))
                bad = b.or_(bad, b.and_(given, b.icmp_unsigned("!=", args[f"local.{axis}"], const(1))))
            elif hint is not None:
                bad = b.or_(bad, b.and_(given, b.icmp_unsigned("!=", args[f"local.{axis}"], const(hint[d]))))
        return b.select(bad, const(int(Status.INVALID_PARAMETER)), const(0), name="sizes_status")

    def check_vector_lengths(self) -> None:
        """INVALID_PARAMETER when a buffer the kernel accesses as vectors of n
        elements has a length that is not a multiple of n (the rule of
        arguments.vector_length_error)."""
        b = self.b

        def status(name: str, whole: ll.Value) -> ll.Value:
            partial = b.icmp_unsigned("!=", b.urem(self.args[f"p.{name}.bytes"], whole), const(0, I64))
            return b.select(partial, const(int(Status.INVALID_PARAMETER)), const(0))
        for p in self.interface.buffers:
            if p.vector > 1:
                whole = const(p.vector * scalar(p.type).size, I64)
                self.guarded(f"vector_length.{p.name}", functools.partial(status, p.name, whole))

    def choose_local_size(self) -> None:
        b, args = self.b, self.args
        for d, axis in enumerate("xyz"):
            b.store(args[f"global.{axis}"], element_ptr(b, self.global_, const(d), I32))
        choose = b.icmp_unsigned("==", args["local.x"], const(0), name="auto_local")
        for d, axis in enumerate("xyz"):
            size = b.select(choose, const(self.interface.local_size[d]), args[f"local.{axis}"])
            b.store(size, element_ptr(b, self.local, const(d), I32))
        shrink = const(0 if self.interface.local_size_hint else 1)
        with if_then(b, choose, "choose"):
            self.guarded("limits", lambda: b.call(self.emitter.helper(LOCAL_SIZE),
                                                  [args["device"], self.global_, self.local, shrink]))

    def handle(self, i: int) -> ll.Value:
        return element_ptr(self.b, self.handles, const(i), I64)

    def alloc_buffers(self) -> None:
        b = self.b
        for i, p in enumerate(self.interface.buffers):
            def alloc(i=i, name=p.name):
                h = b.call(self.emitter.rt("rt_vk_buffer_alloc"),
                           [self.args["device"], self.args[f"p.{name}.bytes"]], name=f"{name}.buffer")
                b.store(h, self.handle(i))
                failed = b.icmp_unsigned("==", h, const(0, I64))
                return b.select(failed, const(STATUS_ALLOCATION_FAILED), const(0))
            self.guarded(f"alloc.{p.name}", alloc)

    def transfer(self, i: int, name: str, function: str, label: str) -> None:
        b = self.b
        self.guarded(f"{label}.{name}", lambda: b.call(self.emitter.rt(function), [
            b.load(self.handle(i), typ=I64), self.args[f"p.{name}.data"], self.args[f"p.{name}.bytes"]]))

    def upload_buffers(self) -> None:
        for i, p in enumerate(self.interface.buffers):
            if p.access != "none":
                self.transfer(i, p.name, "rt_vk_buffer_upload", "upload")

    def download_buffers(self) -> None:
        for i, p in enumerate(self.interface.buffers):
            if p.access in ("write", "readwrite"):
                self.transfer(i, p.name, "rt_vk_buffer_download", "download")

    def pack_push_constants(self) -> None:
        b, size = self.b, self.interface.push_size
        if size:
            b.store(ll.Constant(ll.ArrayType(I8, size), None), self.push)
        for p in self.interface.scalars:
            value = self.args[f"p.{p.name}"]
            assert p.offset is not None  # a scalar slot has an offset
            if p.type == "bool":
                value = b.zext(b.icmp_unsigned("!=", value, const(0)), I32)
            b.store(value, element_ptr(b, self.push, const(p.offset), I8), align=scalar(p.type).size)

    def launch(self, kernel: ll.Value) -> None:
        b, args = self.b, self.args
        sizes = [args[f"global.{axis}"] for axis in "xyz"]
        count, push_size = const(len(self.interface.buffers), I64), const(self.interface.push_size, I64)

        def launch_pc():
            local = [load_i32(b, element_ptr(b, self.local, const(d), I32)) for d in range(3)]
            return b.call(self.emitter.rt("rt_vk_kernel_launch_pc"),
                          [kernel, self.handles, count, self.push, push_size, *sizes, *local])
        self.guarded("launch", launch_pc)
        self.guarded("sync", lambda: b.call(self.emitter.rt("rt_vk_device_sync"), [args["device"]]))

    def free_buffers(self) -> None:
        b = self.b
        for i, p in enumerate(self.interface.buffers):
            h = b.load(self.handle(i), typ=I64)
            with if_then(b, nonzero(b, h), f"free.{p.name}"):
                result = b.call(self.emitter.rt("rt_vk_buffer_free"), [h])
                first = b.and_(b.icmp_signed("<", result, const(0)),
                               b.icmp_signed("==", b.load(self.status, typ=I32), const(0)))
                with if_then(b, first, f"free.{p.name}.failed"):
                    b.store(result, self.status)


# ---------------------------------------------------------------------- IR helpers


@contextmanager
def if_then(b: ll.IRBuilder, cond: ll.Value, label: str) -> Iterator[None]:
    """`if cond: <body>` with blocks `label` and `label.end`, in source order."""
    head = b.block
    then = b.append_basic_block(label)
    b.position_at_end(then)
    yield
    after = b.append_basic_block(f"{label}.end")
    if not b.block.is_terminated:
        b.branch(after)
    b.position_at_end(head)
    b.cbranch(cond, then, after)
    b.position_at_end(after)


@contextmanager
def counted_loop(b: ll.IRBuilder, count: int, label: str) -> Iterator[ll.Value]:
    """`for i in 0..count: <body>` with an i32 counter; the body may return."""
    entry = b.block
    head = b.append_basic_block(label)
    b.branch(head)
    b.position_at_end(head)
    index = b.phi(I32, name=f"{label}.i")
    index.add_incoming(const(0), entry)
    body = b.append_basic_block(f"{label}.body")
    b.position_at_end(body)
    yield index
    step = b.add(index, const(1), name=f"{label}.next")
    index.add_incoming(step, b.block)
    b.branch(head)
    after = b.append_basic_block(f"{label}.end")
    b.position_at_end(head)
    b.cbranch(b.icmp_unsigned("<", index, const(count)), body, after)
    b.position_at_end(after)


def const(value: int, typ: ll.Type = I32) -> ll.Constant:
    return ll.Constant(typ, value)


def nonzero(b: ll.IRBuilder, value: ll.Value) -> ll.Value:
    return b.icmp_unsigned("!=", value, ll.Constant(value.type, 0))


def umin(b: ll.IRBuilder, x, y):
    return b.select(b.icmp_unsigned("<", x, y), x, y)


def umax(b: ll.IRBuilder, x, y):
    return b.select(b.icmp_unsigned(">", x, y), x, y)


def load_i32(b: ll.IRBuilder, ptr: ll.Value) -> ll.Value:
    return b.load(ptr, typ=I32)


def element_ptr(b: ll.IRBuilder, base: ll.Value, index: ll.Value, elem: ll.Type) -> ll.Value:
    """Address of element `index` of the `elem` array at `base`."""
    return b.gep(base, [index], source_etype=elem)


def alloca(b: ll.IRBuilder, typ: ll.Type, name: str, align: int | None = None) -> ll.Value:
    """An alloca whose value is an opaque `ptr` like every other pointer here
    (llvmlite still types allocas' pointers internally)."""
    slot = b.alloca(typ, name=name)
    slot.type = PTR
    slot.align = align
    return slot
