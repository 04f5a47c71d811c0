"""The rt_vk_* table, called through ctypes at the TABLE addresses as native code would."""
from __future__ import annotations

import ctypes
import dataclasses
import struct
import threading

import numpy as np
import pytest

from simple_vkbackend import runtime
from simple_vkbackend.runtime import ffi

OK, NOT_AVAILABLE, INVALID_HANDLE, ALLOC, COMPILE, EXEC, TOO_SMALL, INVALID_PARAM = 0, -1, -2, -3, -4, -5, -6, -7

ABI = {
    "rt_vk_available": ((), "i32"),
    "rt_vk_device_create": ((), "u64"),
    "rt_vk_device_free": (("u64",), "i32"),
    "rt_vk_device_sync": (("u64",), "i32"),
    "rt_vk_buffer_alloc": (("u64", "u64"), "u64"),
    "rt_vk_buffer_free": (("u64",), "i32"),
    "rt_vk_buffer_upload": (("u64", "ptr", "u64"), "i32"),
    "rt_vk_buffer_download": (("u64", "ptr", "u64"), "i32"),
    "rt_vk_kernel_compile": (("u64", "ptr", "u64"), "u64"),
    "rt_vk_kernel_free": (("u64",), "i32"),
    "rt_vk_kernel_launch": (("u64", "ptr", "u64") + ("u32",) * 6, "i32"),
    "rt_vk_kernel_launch_1d": (("u64", "ptr", "u64", "u32"), "i32"),
    "rt_vk_kernel_launch_pc": (("u64", "ptr", "u64", "ptr", "u64") + ("u32",) * 6, "i32"),
    "rt_vk_kernel_launch_async": (("u64", "ptr", "u64", "ptr", "u64") + ("u32",) * 6, "i32"),
    "rt_vk_device_count": ((), "i32"),
    "rt_vk_device_create_index": (("i32",), "u64"),
    "rt_vk_last_error": (("ptr", "u64"), "i32"),
    "rt_vk_last_status": ((), "i32"),
    "rt_vk_device_limits": (("u64", "ptr", "u64"), "i32"),
    "rt_vk_device_name": (("u64", "ptr", "u64"), "i32"),
}


@pytest.fixture
def dev(rt):
    handle = rt.device_create()
    assert handle != 0, rt.error()
    yield handle
    rt.device_free(handle)


def compile_(rt, dev, code: bytes) -> int:
    k = rt.kernel_compile(dev, code, len(code))
    assert k != 0, rt.error()
    return k


# -- the table itself --------------------------------------------------------------

def test_table_has_exactly_the_abi():
    assert set(ffi.TABLE) == set(ABI)
    for name, (params, ret) in ABI.items():
        entry = ffi.TABLE[name]
        assert entry.name == name and entry.params == params and entry.ret == ret
        assert isinstance(entry.address, int) and entry.address != 0
        assert entry.c_signature.split("(")[0].endswith(name)
        with pytest.raises(dataclasses.FrozenInstanceError):
            entry.address = 1  # type: ignore[misc]
    assert ffi.TABLE["rt_vk_buffer_upload"].c_signature == \
        "int32_t rt_vk_buffer_upload(uint64_t buffer, const uint8_t *data, uint64_t size)"
    assert ffi.TABLE["rt_vk_kernel_launch"].c_signature == (
        "int32_t rt_vk_kernel_launch(uint64_t kernel, const uint64_t *buffers, uint64_t count, "
        "uint32_t gx, uint32_t gy, uint32_t gz, uint32_t lx, uint32_t ly, uint32_t lz)")
    with pytest.raises(TypeError):
        ffi.TABLE["x"] = None  # read-only mapping


def test_available_and_count(rt):
    assert rt.available() == 1
    assert rt.device_count() == len(runtime.list_devices()) >= 1


def test_device_create_free(rt):
    before = runtime.live_objects()
    h = rt.device_create()
    assert h != 0
    assert rt.device_sync(h) == OK
    assert rt.device_free(h) == OK
    assert rt.device_free(h) == INVALID_HANDLE
    assert runtime.live_objects() == before


def test_device_create_index(rt):
    h = rt.device_create_index(0)
    assert h != 0
    assert rt.device_free(h) == OK
    assert rt.device_create_index(rt.device_count()) == 0
    assert rt.last_status() == INVALID_PARAM
    assert rt.device_create_index(-1) == 0


def test_device_name(rt, dev):
    full = rt.device_name(dev, None, 0)
    buf = ctypes.create_string_buffer(full + 1)
    assert rt.device_name(dev, buf, len(buf)) == full
    assert buf.value.decode() in {d.name for d in runtime.list_devices()}
    small = ctypes.create_string_buffer(5)
    assert rt.device_name(dev, small, 5) == full and len(small.value) == 4
    assert rt.device_name(0, buf, len(buf)) == INVALID_HANDLE


def test_device_limits(rt, dev):
    out = (ctypes.c_uint32 * 16)(*([0xAAAAAAAA] * 16))
    assert rt.device_limits(dev, out, 16) == OK
    lim = runtime.list_devices()[0].limits
    assert list(out[:4]) == [*lim.max_compute_work_group_size, lim.max_compute_work_group_invocations]
    assert list(out[4:11]) == [*lim.max_compute_work_group_count, lim.max_push_constants_size,
                               lim.subgroup_size, lim.max_storage_buffer_range,
                               lim.max_compute_shared_memory_size]
    assert out[11] == 0xAAAAAAAA   # only the 11 documented values are written
    few = (ctypes.c_uint32 * 2)(9, 9)
    assert rt.device_limits(dev, few, 2) == OK and list(few) == list(out[:2])
    assert rt.device_limits(dev, None, 4) == INVALID_PARAM
    assert rt.device_limits(dev, out, 0) == INVALID_PARAM
    assert len(ffi.LIMITS_ORDER) == 11


# -- buffers -----------------------------------------------------------------------

@pytest.mark.parametrize("size", [1, 3, 1001, 16 << 20])
def test_round_trip(rt, dev, size):
    data = np.random.default_rng(size).integers(0, 256, size, dtype=np.uint8)
    out = np.zeros_like(data)
    b = rt.buffer_alloc(dev, size)
    assert b != 0
    assert rt.buffer_upload(b, data.ctypes.data, size) == OK
    assert rt.buffer_download(b, out.ctypes.data, size) == OK
    assert np.array_equal(out, data)
    assert rt.buffer_free(b) == OK


def test_buffer_alloc_refusals(rt, dev):
    assert rt.buffer_alloc(dev, 0) == 0
    assert rt.last_status() == INVALID_PARAM and "positive" in rt.error()
    limit = runtime.list_devices()[0].limits.max_storage_buffer_range
    assert rt.buffer_alloc(dev, limit + 1) == 0
    assert "maxStorageBufferRange" in rt.error()
    assert rt.buffer_alloc(12345, 16) == 0 and rt.last_status() == INVALID_HANDLE


def test_transfer_errors(rt, dev):
    b = rt.buffer_alloc(dev, 8)
    host = ctypes.create_string_buffer(16)
    assert rt.buffer_upload(b, None, 4) == INVALID_PARAM
    assert rt.buffer_download(b, None, 4) == INVALID_PARAM
    assert rt.buffer_upload(b, host, 9) == TOO_SMALL
    assert rt.buffer_download(b, host, 9) == TOO_SMALL
    assert "8 bytes" in rt.error()
    assert rt.buffer_upload(b, host, 0) == OK
    assert rt.buffer_download(b, host, 0) == OK
    assert rt.buffer_upload(b, host, 8) == OK
    assert rt.buffer_free(b) == OK


# -- kernels -----------------------------------------------------------------------

def test_saxpy_through_the_table(rt, dev, spirv):
    n = 1000
    x = np.arange(n, dtype=np.float32)
    y = np.ones(n, dtype=np.float32)
    k = compile_(rt, dev, spirv("saxpy"))
    bx, by = rt.buffer_alloc(dev, x.nbytes), rt.buffer_alloc(dev, y.nbytes)
    rt.buffer_upload(bx, x.ctypes.data, x.nbytes)
    rt.buffer_upload(by, y.ctypes.data, y.nbytes)
    push = struct.pack("<fI", 3.0, n)
    assert rt.kernel_launch_pc(k, rt.handles(bx, by), 2, push, len(push), n, 1, 1, 64, 1, 1) == OK
    out = np.zeros(n, np.float32)
    assert rt.buffer_download(by, out.ctypes.data, out.nbytes) == OK
    np.testing.assert_array_equal(out, 3 * x + 1)
    for h in (bx, by):
        assert rt.buffer_free(h) == OK
    assert rt.kernel_free(k) == OK


def test_launch_and_launch_1d(rt, dev, spirv):
    n = 1001   # not a multiple of any local size used
    k = compile_(rt, dev, spirv("add_one"))
    b = rt.buffer_alloc(dev, 4 * n)
    zeros = np.zeros(n, np.uint32)
    rt.buffer_upload(b, zeros.ctypes.data, zeros.nbytes)
    assert rt.kernel_launch(k, rt.handles(b), 1, n, 1, 1, 0, 0, 0) == OK      # default local size
    assert rt.kernel_launch(k, rt.handles(b), 1, n, 1, 1, 100, 1, 1) == OK
    assert rt.kernel_launch_1d(k, rt.handles(b), 1, n) == OK
    out = np.zeros(n, np.uint32)
    rt.buffer_download(b, out.ctypes.data, out.nbytes)
    assert (out == 3).all()
    rt.buffer_free(b)
    rt.kernel_free(k)


def test_launch_3d(rt, dev, spirv):
    nx, ny, nz = 6, 5, 3
    k = compile_(rt, dev, spirv("index3d"))
    b = rt.buffer_alloc(dev, 4 * nx * ny * nz)
    push = struct.pack("<3I", nx, ny, nz)
    assert rt.kernel_launch_pc(k, rt.handles(b), 1, push, 12, nx, ny, nz, 4, 2, 2) == OK
    out = np.zeros((nz, ny, nx), np.uint32)
    rt.buffer_download(b, out.ctypes.data, out.nbytes)
    z, y, x = np.meshgrid(range(nz), range(ny), range(nx), indexing="ij")
    np.testing.assert_array_equal(out, x + 100 * y + 10000 * z)
    rt.buffer_free(b)
    rt.kernel_free(k)


def test_async_launch_and_sync(rt, dev, spirv):
    n = 256
    k = compile_(rt, dev, spirv("add_one"))
    b = rt.buffer_alloc(dev, 4 * n)
    zeros = np.zeros(n, np.uint32)      # kept alive: .ctypes.data is a bare address
    rt.buffer_upload(b, zeros.ctypes.data, 4 * n)
    for _ in range(20):
        assert rt.kernel_launch_async(k, rt.handles(b), 1, None, 0, n, 1, 1, 0, 0, 0) == OK
    assert rt.device_sync(dev) == OK
    out = np.zeros(n, np.uint32)
    rt.buffer_download(b, out.ctypes.data, out.nbytes)
    assert (out == 20).all()
    rt.buffer_free(b)
    rt.kernel_free(k)


def test_launch_parameter_errors(rt, dev, spirv):
    k = compile_(rt, dev, spirv("saxpy"))
    b1, b2 = rt.buffer_alloc(dev, 64), rt.buffer_alloc(dev, 64)
    other = rt.device_create()
    ob = rt.buffer_alloc(other, 64)
    push = struct.pack("<fI", 1.0, 16)
    L = rt.kernel_launch_pc
    assert L(k, rt.handles(b1), 1, push, 8, 16, 1, 1, 0, 0, 0) == INVALID_PARAM        # 1 of 2 buffers
    assert "takes 2 buffers" in rt.error()
    assert L(k, None, 2, push, 8, 16, 1, 1, 0, 0, 0) == INVALID_PARAM                   # null array
    assert L(k, rt.handles(b1, ob), 2, push, 8, 16, 1, 1, 0, 0, 0) == INVALID_PARAM     # other device
    assert L(k, rt.handles(b1, b2), 2, None, 8, 16, 1, 1, 0, 0, 0) == INVALID_PARAM     # null push
    assert L(k, rt.handles(b1, b2), 2, bytes(12), 12, 16, 1, 1, 0, 0, 0) == INVALID_PARAM   # push too big
    assert L(k, rt.handles(b1, b2), 2, push, 1 << 40, 16, 1, 1, 0, 0, 0) == INVALID_PARAM   # not read
    assert L(k, rt.handles(b1, b2), 2, push, 8, 16, 1, 1, 0, 1, 1) == INVALID_PARAM     # local x = 0
    assert L(k, rt.handles(b1, b2), 2, push, 8, 16, 1, 1, 4096, 1, 1) == INVALID_PARAM  # too large
    assert L(k, rt.handles(b1, 777777), 2, push, 8, 16, 1, 1, 0, 0, 0) == INVALID_HANDLE
    assert L(k, rt.handles(b1, b2), 2, push, 8, 16, 1, 1, 0, 0, 0) == OK
    assert rt.device_free(other) == OK
    assert rt.buffer_free(ob) == INVALID_HANDLE   # freed with its device
    for h in (b1, b2):
        rt.buffer_free(h)
    rt.kernel_free(k)


def test_invalid_spirv(rt, dev, spirv):
    garbage = b"this is not spir-v at all"
    assert rt.kernel_compile(dev, garbage, len(garbage)) == 0
    assert rt.last_status() == COMPILE
    assert "SPIR-V" in rt.error()
    code = spirv("saxpy")
    assert rt.kernel_compile(dev, code, 24) == 0 and rt.last_status() == COMPILE
    assert rt.kernel_compile(dev, None, 100) == 0 and rt.last_status() == INVALID_PARAM
    assert rt.kernel_compile(dev, code, 0) == 0 and rt.last_status() == COMPILE


# -- handles -----------------------------------------------------------------------

def test_invalid_and_wrong_kind_handles(rt, dev, spirv):
    k = compile_(rt, dev, spirv("add_one"))
    b = rt.buffer_alloc(dev, 64)
    host = ctypes.create_string_buffer(64)
    for bad in (0, 99999999):
        assert rt.device_free(bad) == INVALID_HANDLE
        assert rt.device_sync(bad) == INVALID_HANDLE
        assert rt.buffer_free(bad) == INVALID_HANDLE
        assert rt.buffer_upload(bad, host, 4) == INVALID_HANDLE
        assert rt.buffer_download(bad, host, 4) == INVALID_HANDLE
        assert rt.kernel_free(bad) == INVALID_HANDLE
        assert rt.kernel_launch(bad, rt.handles(b), 1, 1, 1, 1, 0, 0, 0) == INVALID_HANDLE
        assert rt.buffer_alloc(bad, 4) == 0
        assert rt.kernel_compile(bad, host, 64) == 0
    # a handle of another kind
    assert rt.device_free(b) == INVALID_HANDLE
    assert "is a buffer, not a device" in rt.error()
    assert rt.buffer_free(k) == INVALID_HANDLE
    assert rt.buffer_upload(dev, host, 4) == INVALID_HANDLE
    assert rt.kernel_free(b) == INVALID_HANDLE
    assert rt.kernel_launch_1d(b, rt.handles(b), 1, 4) == INVALID_HANDLE
    assert rt.kernel_launch_1d(k, rt.handles(k), 1, 4) == INVALID_HANDLE
    assert rt.device_sync(k) == INVALID_HANDLE
    assert rt.buffer_alloc(b, 4) == 0 and rt.last_status() == INVALID_HANDLE
    assert rt.kernel_free(k) == OK and rt.buffer_free(b) == OK


def test_double_free_and_use_after_free(rt, dev, spirv):
    k = compile_(rt, dev, spirv("add_one"))
    b = rt.buffer_alloc(dev, 64)
    assert rt.buffer_free(b) == OK
    assert rt.buffer_free(b) == INVALID_HANDLE
    host = ctypes.create_string_buffer(64)
    assert rt.buffer_upload(b, host, 4) == INVALID_HANDLE
    assert rt.kernel_launch_1d(k, rt.handles(b), 1, 16) == INVALID_HANDLE
    assert rt.kernel_free(k) == OK
    assert rt.kernel_free(k) == INVALID_HANDLE
    assert rt.kernel_launch_1d(k, None, 0, 16) == INVALID_HANDLE


def test_handles_are_unique_across_kinds(rt, dev, spirv):
    k = compile_(rt, dev, spirv("empty"))
    b = rt.buffer_alloc(dev, 4)
    d2 = rt.device_create()
    assert len({dev, k, b, d2}) == 4 and 0 not in {dev, k, b, d2}
    assert d2 > b > k > dev
    rt.device_free(d2)
    rt.buffer_free(b)
    rt.kernel_free(k)


def test_device_free_frees_children(rt, spirv):
    before = runtime.live_objects()
    d = rt.device_create()
    k = compile_(rt, d, spirv("add_one"))
    b = rt.buffer_alloc(d, 1024)
    assert rt.kernel_launch_1d(k, rt.handles(b), 1, 256) == OK
    assert rt.device_free(d) == OK
    assert rt.kernel_free(k) == INVALID_HANDLE
    assert rt.buffer_free(b) == INVALID_HANDLE
    assert runtime.live_objects() == before


# -- last error ----------------------------------------------------------------------

def test_last_error_copy_and_truncation(rt, dev):
    assert rt.buffer_free(0) == INVALID_HANDLE
    full = rt.last_error(None, 0)
    assert full > 10
    buf = ctypes.create_string_buffer(8)
    ctypes.memset(buf, 0x41, 8)
    assert rt.last_error(buf, 8) == full
    assert buf.raw[7] == 0 and len(buf.value) == 7
    big = ctypes.create_string_buffer(full + 1)
    assert rt.last_error(big, full + 1) == full
    assert big.value.decode().startswith("rt_vk_buffer_free:")


def test_last_error_is_per_thread(rt):
    assert rt.buffer_free(0) == INVALID_HANDLE
    seen = {}

    def other():
        seen["len"] = rt.last_error(None, 0)
        seen["status"] = rt.last_status()

    t = threading.Thread(target=other)
    t.start()
    t.join()
    assert seen == {"len": 0, "status": 0}
    assert rt.last_status() == INVALID_HANDLE


def test_live_handle_registry_returns_to_empty(rt, spirv):
    before = ffi.REGISTRY.live()
    d = rt.device_create()
    k = compile_(rt, d, spirv("empty"))
    assert ffi.REGISTRY.live().get("kernel", 0) == before.get("kernel", 0) + 1
    rt.device_free(d)
    assert ffi.REGISTRY.live() == before
