"""The rt_vulkan_* table: upstream Simple's newer compute functions over the same runtime.

`TABLE` maps each name of `abi.VULKAN_FUNCTIONS` to an `ffi.FfiFunction` (a ctypes
callback address), as `ffi.TABLE` does for rt_vk_*; the native library exports both.

Model (docs/runtime.md, "The rt_vulkan_* table"): one process-wide device, made by
`rt_vulkan_init` (the one `rt_vulkan_select_device` chose, else the default) and freed
with everything made on it by `rt_vulkan_shutdown`. SPIR-V bytes become a shader
(checked, not yet compiled); a pipeline is a compiled `Kernel` with its entry name and
push-constant size; a descriptor set maps bindings to buffers; a command buffer records
pipeline and descriptor binds, push constants and dispatches (work-group counts at the
module's local size) and runs them on submit, in order. Handles come from the same
registry as rt_vk_* (a buffer handle is valid for both tables). Results are 1/0 or a
handle/0; a failure's status and text are the calling thread's last error, shared with
rt_vk_last_status / rt_vk_last_error and returned by rt_vulkan_get_last_error.
"""
from __future__ import annotations

import ctypes
import threading
import time
import types

from . import abi
from .buffer import Buffer
from .device import Device
from .errors import BufferTooSmallError, CompilationError, InvalidParameterError, NotAvailableError
from .ffi import REGISTRY, bind_table, last_error
from .instance import list_devices, unavailable_reason
from .kernel import Kernel
from .reflect import reflect


class _State:
    """The process-wide device of the rt_vulkan_* functions."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.device: Device | None = None
        self.selected: int | None = None

    def require(self) -> Device:
        device = self.device
        if device is None or not device.alive:
            raise NotAvailableError("no device: call rt_vulkan_init first")
        return device


STATE = _State()
_strings = threading.local()   # per thread: the ctypes buffer of the last returned string


def _string(text: str) -> int:
    """Address of a NUL-terminated copy of `text`, valid until this thread's next call."""
    buf = ctypes.create_string_buffer(text.encode("utf-8", "replace"))
    _strings.last = buf
    return ctypes.addressof(buf)


class _Child:
    """Base of the objects only this table makes; `device` lets a device free drop them."""

    kind = "object"

    def __init__(self, device: Device) -> None:
        self.device = device


class Shader(_Child):
    kind = "shader"

    def __init__(self, device: Device, spirv: bytes) -> None:
        super().__init__(device)
        self.info = reflect(spirv)        # malformed or unsupported SPIR-V fails here (-4)
        self.spirv = spirv


class Pipeline(_Child):
    kind = "pipeline"

    def __init__(self, device: Device, kernel: Kernel, push_size: int) -> None:
        super().__init__(device)
        self.kernel, self.push_size = kernel, push_size


class DescriptorSet(_Child):
    kind = "descriptor set"

    def __init__(self, pipeline: Pipeline) -> None:
        super().__init__(pipeline.device)
        self.bindings = pipeline.kernel.info.bindings
        self.buffers: dict[int, Buffer] = {}

    def ordered(self) -> list:
        missing = [b for b in self.bindings if b not in self.buffers]
        if missing:
            raise InvalidParameterError(f"descriptor set has no buffer at binding(s) {missing}")
        return [self.buffers[b] for b in self.bindings]


class CommandBuffer(_Child):
    """Recorded steps; each dispatch keeps the pipeline, buffers and push bytes bound
    when it was recorded."""

    kind = "command buffer"

    def __init__(self, device: Device) -> None:
        super().__init__(device)
        self.pipeline: Pipeline | None = None
        self.sets: DescriptorSet | None = None
        self.push: dict[Pipeline, bytes] = {}       # the last bytes pushed for each pipeline
        self.steps: list[tuple[Kernel, list, bytes, tuple]] = []
        self.ended = False

    def writable(self) -> "CommandBuffer":
        if self.ended:
            raise InvalidParameterError("command buffer already ended")
        return self


class Fence(_Child):
    kind = "fence"

    def __init__(self, device: Device, serial: int) -> None:
        super().__init__(device)
        self.serial = serial


def _get(handle: int, cls: type):
    return REGISTRY.get(handle, cls)


def _bytes_at(address: int, size: int, what: str) -> bytes:
    if size < 0:
        raise InvalidParameterError(f"{what} size {size} is negative")
    if size and not address:
        raise InvalidParameterError(f"{what} is a null pointer")
    return ctypes.string_at(address, size) if size else b""


# -- instance and device ------------------------------------------------------------

def rt_vulkan_init() -> int:
    with STATE.lock:
        if STATE.device is None or not STATE.device.alive:
            STATE.device = Device(STATE.selected)
    return 1


def rt_vulkan_shutdown() -> int:
    with STATE.lock:
        device, STATE.device = STATE.device, None
    if device is not None:
        REGISTRY.drop_children(device)
        device.free()
    return 1


def rt_vulkan_is_available() -> int:
    return 0 if unavailable_reason() else 1


def rt_vulkan_device_count() -> int:
    return len(list_devices())


def _device_info(index: int):
    devices = list_devices()
    if not 0 <= index < len(devices):
        raise InvalidParameterError(f"device id {index} out of range (0..{len(devices) - 1})")
    return devices[index]


def rt_vulkan_select_device(index: int) -> int:
    _device_info(index)
    with STATE.lock:
        if STATE.device is not None and STATE.device.alive and STATE.device.index != index:
            raise InvalidParameterError("a device is in use: call rt_vulkan_shutdown before selecting another")
        STATE.selected = index
    return 1


def rt_vulkan_get_device() -> int:
    return STATE.require().index


def rt_vulkan_device_name(index: int) -> int:
    return _string(_device_info(index).name)


def rt_vulkan_device_type(index: int) -> int:
    return _string(_device_info(index).type)


def rt_vulkan_selected_device_name() -> int:
    return _string(STATE.require().name)


def rt_vulkan_selected_device_type() -> int:
    return _string(STATE.require().info.type)


# -- buffers ------------------------------------------------------------------------

def rt_vulkan_alloc_buffer(size: int, usage: int) -> int:
    """`usage` is accepted and ignored: every buffer is a storage and transfer buffer."""
    if size <= 0:
        raise InvalidParameterError(f"buffer size {size}")
    return REGISTRY.add(STATE.require().alloc(size))


def rt_vulkan_free_buffer(buf: int) -> int:
    REGISTRY.pop(buf, Buffer).free()
    return 1


def _range(buffer: Buffer, size: int, offset: int) -> None:
    if size < 0 or offset < 0:
        raise InvalidParameterError(f"size {size}, offset {offset}")
    if offset + size > buffer.size:
        raise BufferTooSmallError(f"bytes [{offset}, {offset + size}) outside a buffer of {buffer.size}")


def rt_vulkan_copy_to_buffer_raw(buf: int, data: int, size: int, offset: int) -> int:
    buffer = _get(buf, Buffer)
    _range(buffer, size, offset)
    if size == 0:
        return 1
    if not data:
        raise InvalidParameterError("data is a null pointer")
    buffer.upload_from(data, size, offset=offset)
    return 1


def rt_vulkan_copy_from_buffer_raw(data: int, size: int, buf: int, offset: int) -> int:
    buffer = _get(buf, Buffer)
    _range(buffer, size, offset)
    if size == 0:
        return 1
    if not data:
        raise InvalidParameterError("data is a null pointer")
    buffer.download_to(data, size, offset=offset)
    return 1


# -- shaders and pipelines ----------------------------------------------------------

def rt_vulkan_compile_spirv_raw(data: int, size: int) -> int:
    device = STATE.require()
    return REGISTRY.add(Shader(device, _bytes_at(data, size, "spirv")))


def rt_vulkan_destroy_shader(shader: int) -> int:
    REGISTRY.pop(shader, Shader)
    return 1


def rt_vulkan_create_compute_pipeline(shader: int, entry: int, push_size: int) -> int:
    """entry: a NUL-terminated name (0: the module's entry point); push_size: the
    pipeline's push-constant bytes, at least the module's block."""
    source = _get(shader, Shader)
    name = ctypes.string_at(entry).decode("utf-8", "replace") if entry else source.info.entry_point
    if name != source.info.entry_point:
        raise CompilationError(f"the module has no GLCompute entry point {name!r} "
                               f"(its entry point is {source.info.entry_point!r})")
    block = source.info.push_constant_size
    limit = source.device.limits.max_push_constants_size
    if not block <= push_size <= limit:
        raise InvalidParameterError(f"push-constant size {push_size}: the module's block takes {block} "
                                    f"bytes and the device allows {limit}")
    kernel = source.device.compile(source.spirv)
    return REGISTRY.add(Pipeline(source.device, kernel, push_size))


def rt_vulkan_destroy_pipeline(pipeline: int) -> int:
    REGISTRY.pop(pipeline, Pipeline).kernel.free()
    return 1


def rt_vulkan_create_descriptor_set(pipeline: int) -> int:
    return REGISTRY.add(DescriptorSet(_get(pipeline, Pipeline)))


def rt_vulkan_bind_buffer(sets: int, binding: int, buf: int) -> int:
    target = _get(sets, DescriptorSet)
    buffer = _get(buf, Buffer)
    if binding not in target.bindings:
        raise InvalidParameterError(f"binding {binding} is not a storage buffer of the pipeline "
                                    f"(bindings {list(target.bindings)})")
    target.buffers[binding] = buffer
    return 1


def rt_vulkan_destroy_descriptor_set(sets: int) -> int:
    REGISTRY.pop(sets, DescriptorSet)
    return 1


# -- command buffers ----------------------------------------------------------------

def rt_vulkan_begin_compute() -> int:
    return REGISTRY.add(CommandBuffer(STATE.require()))


def rt_vulkan_bind_pipeline(cmd: int, pipeline: int) -> int:
    _get(cmd, CommandBuffer).writable().pipeline = _get(pipeline, Pipeline)
    return 1


def rt_vulkan_bind_descriptors(cmd: int, sets: int) -> int:
    _get(cmd, CommandBuffer).writable().sets = _get(sets, DescriptorSet)
    return 1


def rt_vulkan_push_constants_raw(cmd: int, pipeline: int, data: int, size: int) -> int:
    commands = _get(cmd, CommandBuffer).writable()
    target = _get(pipeline, Pipeline)
    if size > target.push_size:
        raise InvalidParameterError(f"{size} push-constant bytes; the pipeline takes {target.push_size}")
    commands.push[target] = _bytes_at(data, size, "push-constant data")
    return 1


def rt_vulkan_dispatch(cmd: int, x: int, y: int, z: int) -> int:
    commands = _get(cmd, CommandBuffer).writable()
    pipeline, sets = commands.pipeline, commands.sets
    if pipeline is None or sets is None:
        raise InvalidParameterError("dispatch needs a bound pipeline and descriptor set")
    if sets.bindings != pipeline.kernel.info.bindings:
        raise InvalidParameterError("the bound descriptor set was made for a pipeline with other bindings")
    groups = (x, y, z)
    if any(not 0 <= g < 1 << 32 for g in groups):
        raise InvalidParameterError(f"work-group counts {groups} out of range")
    kernel = pipeline.kernel
    push = commands.push.get(pipeline, b"")[:kernel.push_constant_size]   # bytes past the block are unread
    commands.steps.append((kernel, sets.ordered(), push, groups))
    return 1


def rt_vulkan_end_compute(cmd: int) -> int:
    _get(cmd, CommandBuffer).writable().ended = True
    return 1


def _submit(cmd: int) -> tuple[Device, int]:
    """Run the recorded dispatches in order without waiting; (device, last serial).
    The command buffer is consumed."""
    commands = _get(cmd, CommandBuffer)
    if not commands.ended:
        raise InvalidParameterError("command buffer not ended (rt_vulkan_end_compute)")
    REGISTRY.pop(cmd, CommandBuffer)
    serial = 0
    for kernel, buffers, push, groups in commands.steps:
        local = kernel.default_local_size
        global_size = tuple(g * n for g, n in zip(groups, local))
        serial = max(serial, kernel.launch(buffers, push, global_size, local, wait=False))
    commands.device.ctx.submitter.flush()       # the steps were batched: submit them now
    commands.device.ctx.submitter.raise_deferred()
    return commands.device, serial


def rt_vulkan_submit_and_wait(cmd: int) -> int:
    device, serial = _submit(cmd)
    device.ctx.submitter.wait(serial)
    return 1


def rt_vulkan_submit_and_wait_fence(cmd: int) -> int:
    """Submits and returns at once: a fence to wait on (rt_vulkan_wait_fence)."""
    device, serial = _submit(cmd)
    return REGISTRY.add(Fence(device, serial))


def rt_vulkan_wait_fence(fence: int, timeout_ns: int) -> int:
    """Wait for the fence's work; timeout_ns <= 0 waits without limit, else 0 (failure)
    when it has not finished in time."""
    target = _get(fence, Fence)
    submitter = target.device.ctx.submitter
    if timeout_ns > 0:
        deadline = time.monotonic() + timeout_ns / 1e9
        while submitter.completed() < target.serial:
            if time.monotonic() >= deadline:
                raise InvalidParameterError(f"fence not signalled within {timeout_ns} ns")
            time.sleep(min(0.0005, timeout_ns / 1e9))
    submitter.wait(target.serial)
    return 1


def rt_vulkan_destroy_fence(fence: int) -> int:
    REGISTRY.pop(fence, Fence)
    return 1


def rt_vulkan_wait_idle() -> int:
    STATE.require().sync()
    return 1


def rt_vulkan_get_last_error() -> int:
    return _string(last_error()[1])


# -- the table ----------------------------------------------------------------------

_CALLBACKS: dict[str, object] = {}


def _build() -> types.MappingProxyType:
    defined = {n: f for n, f in globals().items() if n.startswith("rt_vulkan_") and callable(f)}
    if set(defined) != set(abi.VULKAN_SPECS):
        raise ImportError(f"rt_vulkan_* implementations and abi.VULKAN_FUNCTIONS differ: "
                          f"{sorted(set(defined) ^ set(abi.VULKAN_SPECS))}")
    return bind_table(abi.VULKAN_FUNCTIONS, defined)


TABLE = _build()
