"""The rt_vulkan_* table (runtime/ffi_vulkan.py) in-process, through its ctypes
callbacks: spec/implementation pairing, a kernel driven through recorded dispatches,
fences with timeouts, shared handles with rt_vk_*, and errors. The same table from C:
tests/native/c/rt_vulkan_main.c."""
from __future__ import annotations

import ctypes
import struct

import pytest

from simple_vkbackend.runtime import abi, ffi, ffi_vulkan


class RV:
    """rt_vulkan_* through ctypes at the table's addresses."""

    def __init__(self) -> None:
        for name, entry in ffi_vulkan.TABLE.items():
            proto = ctypes.CFUNCTYPE(ffi.CTYPES[entry.ret], *(ffi.CTYPES[p] for p in entry.params))
            setattr(self, name.removeprefix("rt_vulkan_"), proto(entry.address))

    def error(self) -> str:
        return ctypes.string_at(self.get_last_error()).decode()


@pytest.fixture
def rv():
    table = RV()
    assert table.init() == 1
    yield table
    assert table.shutdown() == 1


def test_specs_are_all_int64_and_fail_with_zero():
    assert [f.name for f in abi.VULKAN_FUNCTIONS] == list(ffi_vulkan.TABLE)
    for spec in abi.VULKAN_FUNCTIONS:
        assert spec.on_error == 0
        assert set(spec.param_types) <= {"i64"} and spec.ret in ("i64", "str")
    assert not set(abi.SPECS) & set(abi.VULKAN_SPECS)


def test_push_constants_per_dispatch_and_fence(rv, spirv):
    code = spirv("push_scalars")
    shader = rv.compile_spirv_raw(ctypes.cast(code, ctypes.c_void_p).value, len(code))
    assert shader, rv.error()
    pipe = rv.create_compute_pipeline(shader, 0, 20)       # entry 0: the module's own
    assert pipe, rv.error()
    out = rv.alloc_buffer(64, 0)
    sets = rv.create_descriptor_set(pipe)
    assert rv.bind_buffer(sets, 0, out) == 1
    cmd = rv.begin_compute()
    assert rv.bind_pipeline(cmd, pipe) and rv.bind_descriptors(cmd, sets)
    push = struct.pack("<IfiII", 7, 1.5, -3, 0, 11)
    assert rv.push_constants_raw(cmd, pipe, ctypes.cast(push, ctypes.c_void_p).value, len(push)) == 1
    assert rv.dispatch(cmd, 1, 1, 1) == 1 and rv.end_compute(cmd) == 1
    fence = rv.submit_and_wait_fence(cmd)
    assert fence, rv.error()
    assert rv.wait_fence(fence, 10_000_000_000) == 1      # a finite timeout, long enough
    assert rv.destroy_fence(fence) == 1
    data = ctypes.create_string_buffer(16)
    assert rv.copy_from_buffer_raw(ctypes.addressof(data), 16, out, 0) == 1
    a, b2, c, d = struct.unpack("<IfiI", data.raw)
    assert (a, b2, c, d) == (7, 3.0, -3, 11)
    # the buffer is an rt_vk_* buffer handle: downloading through rt_vk_* sees the same bytes
    again = ctypes.create_string_buffer(16)
    download = ffi.TABLE["rt_vk_buffer_download"]
    fn = ctypes.CFUNCTYPE(ctypes.c_int32, ctypes.c_uint64, ctypes.c_void_p, ctypes.c_uint64)(download.address)
    assert fn(out, ctypes.addressof(again), 16) == 0 and again.raw == data.raw


def test_errors_set_the_shared_last_error(rv):
    assert rv.free_buffer(10 ** 9) == 0
    assert "does not exist" in rv.error()
    status = ctypes.CFUNCTYPE(ctypes.c_int32)(ffi.TABLE["rt_vk_last_status"].address)
    assert status() == abi.Status.INVALID_HANDLE
    assert rv.alloc_buffer(0, 0) == 0 and "buffer size 0" in rv.error()
    assert rv.select_device(rv.device_count()) == 0 and "out of range" in rv.error()
    assert rv.submit_and_wait(rv.begin_compute()) == 0 and "not ended" in rv.error()


def test_shutdown_frees_everything_made_on_the_device(spirv):
    table = RV()
    assert table.init() == 1
    code = spirv("add_one")
    shader = table.compile_spirv_raw(ctypes.cast(code, ctypes.c_void_p).value, len(code))
    pipe = table.create_compute_pipeline(shader, ctypes.cast(b"add_one", ctypes.c_void_p).value, 0)
    assert shader and pipe, table.error()
    buf = table.alloc_buffer(256, 0)
    assert table.shutdown() == 1
    assert table.free_buffer(buf) == 0 and table.destroy_pipeline(pipe) == 0
    assert table.begin_compute() == 0 and "rt_vulkan_init" in table.error()
