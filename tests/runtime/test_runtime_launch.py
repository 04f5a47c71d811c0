"""Kernels: compilation, 1-D and 3-D launches, push constants, local sizes, sync."""
from __future__ import annotations

import struct

import numpy as np
import pytest

from simple_vkbackend import runtime
from simple_vkbackend.runtime import recording

import runtime_spirv


def saxpy(device, spirv, n, a=2.0, global_size=None, local=None):
    x = np.arange(n, dtype=np.float32)
    y = np.full(n, 0.5, dtype=np.float32)
    with device.compile(spirv("saxpy")) as k, device.alloc(x.nbytes) as bx, device.alloc(y.nbytes) as by:
        bx.upload(x)
        by.upload(y)
        k.launch([bx, by], struct.pack("<fI", a, n), global_size or n, local)
        out = np.frombuffer(by.download(), np.float32)
    np.testing.assert_array_equal(out, a * x + 0.5)


def test_compile_reports_module_info(device, spirv):
    with device.compile(spirv("saxpy")) as k:
        assert k.entry_point == "saxpy"
        assert k.binding_count == 2 and k.push_constant_size == 8
        assert k.default_local_size == (64, 1, 1)


@pytest.mark.parametrize("n", [1, 64, 1000, 4097])
def test_saxpy_1d(device, spirv, n):
    saxpy(device, spirv, n)


@pytest.mark.parametrize("local", [(1, 1, 1), (7, 1, 1), (64, 1, 1), (256, 1, 1), (0, 0, 0), None])
def test_saxpy_local_sizes_with_ragged_global(device, spirv, local):
    saxpy(device, spirv, 1000, local=local)   # 1000 is a multiple of none of them but 1


def test_global_larger_than_data_is_bounds_checked(device, spirv):
    saxpy(device, spirv, 100, global_size=(1000, 1, 1))


def index3d_expected(nx, ny, nz):
    z, y, x = np.meshgrid(np.arange(nz), np.arange(ny), np.arange(nx), indexing="ij")
    return (x + 100 * y + 10000 * z).astype(np.uint32)


@pytest.mark.parametrize("shape, local", [
    ((5, 6, 7), (2, 3, 4)), ((8, 8, 8), (4, 4, 4)), ((13, 1, 3), (16, 1, 1)),
    ((3, 17, 2), (1, 8, 2)), ((9, 9, 9), None),
])
def test_index3d(device, spirv, shape, local):
    nx, ny, nz = shape
    with device.compile(spirv("index3d")) as k, device.alloc(nx * ny * nz * 4) as out:
        k.launch([out], struct.pack("<3I", nx, ny, nz), shape, local)
        got = np.frombuffer(out.download(), np.uint32).reshape(nz, ny, nx)
    np.testing.assert_array_equal(got, index3d_expected(nx, ny, nz))


def test_push_constants_at_offsets(device, spirv):
    with device.compile(spirv("push_scalars")) as k, device.alloc(16) as out:
        push = struct.pack("<IfiII", 0xDEADBEEF, 1.25, -42, 0, 123456789)
        k.launch([out], push, 1)
        a, b, c, d = struct.unpack("<IfiI", bytes(out.download()))
    assert (a, b, c, d) == (0xDEADBEEF, 2.5, -42, 123456789)


def test_short_push_data_is_zero_padded(device, spirv):
    with device.compile(spirv("push_scalars")) as k, device.alloc(16) as out:
        k.launch([out], struct.pack("<I", 7), 1)
        assert struct.unpack("<IfiI", bytes(out.download())) == (7, 0.0, 0, 0)


def test_too_many_push_bytes(device, spirv):
    with device.compile(spirv("push_scalars")) as k, device.alloc(16) as out:
        with pytest.raises(runtime.InvalidParameterError, match="push-constant"):
            k.launch([out], bytes(24), 1)


def test_consecutive_dispatches_see_each_others_writes(device, spirv):
    n = 3000
    with device.compile(spirv("add_one")) as k, device.alloc(4 * n) as buf:
        buf.upload(np.zeros(n, np.uint32))
        for _ in range(50):
            k.launch_1d([buf], n, wait=False)
        got = np.frombuffer(buf.download(), np.uint32)   # waits for the launches
    assert (got == 50).all()


def test_async_launches_then_sync(device, spirv):
    n = 512
    with device.compile(spirv("add_one")) as k, device.alloc(4 * n) as buf:
        buf.upload(np.full(n, 5, np.uint32))
        serial = 0
        for _ in range(10):
            serial = k.launch([buf], b"", n, wait=False)
        assert serial > 0
        device.sync()
        assert device.ctx.submitter.completed() >= serial
        assert (np.frombuffer(buf.download(), np.uint32) == 15).all()


def test_launch_1d_picks_256(device, spirv):
    with device.compile(spirv("add_one")) as k:
        assert k.local_1d() == (256, 1, 1)


def test_fixed_local_size_module(device, spirv):
    n = 100
    with device.compile(spirv("fixed_local")) as k, device.alloc(4 * n) as buf:
        assert k.local_1d() == (32, 1, 1)
        buf.upload(np.arange(n, dtype=np.uint32))
        k.launch_1d([buf], n)
        k.launch([buf], b"", n, (32, 1, 1))
        k.launch([buf], b"", n, (0, 0, 0))
        assert np.array_equal(np.frombuffer(buf.download(), np.uint32), np.arange(n) * 8)
        with pytest.raises(runtime.InvalidParameterError, match="fixes dimension 0"):
            k.launch([buf], b"", n, (64, 1, 1))


def test_pipeline_per_local_size_is_cached(device, spirv):
    with device.compile(spirv("add_one")) as k, device.alloc(64) as buf:
        for local in [(1, 1, 1), (8, 1, 1), (1, 1, 1), (8, 1, 1), None]:
            k.launch([buf], b"", 16, local)
        assert set(k.program.pipelines) == {(256, 1, 1), (1, 1, 1), (8, 1, 1)}


def test_launch_caches_are_bounded(device, spirv):
    with device.compile(spirv("push_scalars")) as k, device.alloc(16) as out:
        for i in range(recording.MAX_RECORDINGS * 3):
            k.launch([out], struct.pack("<I", i), 1, wait=i % 7 == 0)
        assert len(k.cache.recordings) <= recording.MAX_RECORDINGS + 1
        assert struct.unpack("<I", bytes(out.download(size=4)))[0] == i


@pytest.mark.parametrize("local, match", [
    ((0, 1, 1), "dimension 0"), ((1, 0, 1), "dimension 1"), ((2048, 1, 1), "dimension 0"),
    ((64, 64, 1), "invocations"), ((1, 2, 3, 4), "1 to 3"),
])
def test_bad_local_sizes(device, spirv, local, match):
    with device.compile(spirv("add_one")) as k, device.alloc(64) as buf:
        with pytest.raises(runtime.InvalidParameterError, match=match):
            k.launch([buf], b"", 16, local)


def test_too_many_groups(device, spirv):
    limit = device.limits.max_compute_work_group_count[0]
    with device.compile(spirv("add_one")) as k, device.alloc(64) as buf:
        with pytest.raises(runtime.InvalidParameterError, match="work groups"):
            k.launch([buf], b"", (limit + 1) * 1, (1, 1, 1))


def test_zero_global_size_is_a_no_op(device, spirv):
    with device.compile(spirv("add_one")) as k, device.alloc(16) as buf:
        buf.upload(bytes(16))
        assert k.launch([buf], b"", 0) == 0
        assert bytes(buf.download()) == bytes(16)


def test_buffer_count_and_device_checks(device, spirv):
    with device.compile(spirv("saxpy")) as k, device.alloc(16) as a, runtime.Device() as other:
        with pytest.raises(runtime.InvalidParameterError, match="takes 2 buffers, 1 given"):
            k.launch([a], b"", 4)
        b = other.alloc(16)
        with pytest.raises(runtime.InvalidParameterError, match="another device"):
            k.launch([a, b], b"", 4)
        with pytest.raises(runtime.InvalidParameterError, match="not a buffer"):
            k.launch([a, "b"], b"", 4)


def test_freed_buffer_or_kernel(device, spirv):
    k = device.compile(spirv("add_one"))
    buf = device.alloc(64)
    k.launch([buf], b"", 16)
    buf.free()
    with pytest.raises(runtime.InvalidHandleError, match="buffer was freed"):
        k.launch([buf], b"", 16)
    assert not k.cache.sets and not k.cache.recordings   # caches dropped the buffer
    k.free()
    with device.alloc(64) as buf2, pytest.raises(runtime.InvalidHandleError, match="kernel was freed"):
        k.launch([buf2], b"", 16)


def test_invalid_spirv_is_refused_before_the_driver(device, spirv):
    before = runtime.live_objects()
    with pytest.raises(runtime.CompilationError, match="(?i)magic number"):
        device.compile(b"\x00" * 64)
    # well-formed words, semantically invalid: a floating-point add of integers
    text = runtime_spirv.fixture_text("add_one").replace("OpIAdd %uint %v %uint_1", "OpFAdd %uint %v %uint_1")
    bad = runtime_spirv.assemble_text(text, validate=False)
    with pytest.raises(runtime.CompilationError, match="invalid SPIR-V"):
        device.compile(bad)
    assert runtime.live_objects() == before


def test_missing_device_feature_is_refused(spirv):
    text = runtime_spirv.fixture_text("empty").replace(
        "OpCapability Shader", "OpCapability Shader\n               OpCapability Float64")
    code = runtime_spirv.assemble_text(text)
    with runtime.Device() as dev:
        dev.enabled_features = frozenset()
        with pytest.raises(runtime.CompilationError, match="Float64.*shaderFloat64"):
            dev.compile(code)


def test_default_local_size_beyond_the_device_limits(device):
    too_big = device.limits.max_compute_work_group_size[0] * 2
    spec = runtime_spirv.assemble_text(runtime_spirv.fixture_text("add_one").replace(
        "%lx = OpSpecConstant %uint 256", f"%lx = OpSpecConstant %uint {too_big}"))
    with device.compile(spec) as k, device.alloc(64) as buf:
        with pytest.raises(runtime.InvalidParameterError, match="dimension 0"):
            k.launch([buf], b"", 16)              # the default does not fit ...
        k.launch([buf], b"", 16, (16, 1, 1))      # ... an explicit local size does
        k.launch_1d([buf], 16)
    fixed = runtime_spirv.assemble_text(runtime_spirv.fixture_text("fixed_local").replace(
        "LocalSize 32 1 1", f"LocalSize {too_big} 1 1"))
    with pytest.raises(runtime.CompilationError, match="dimension 0"):
        device.compile(fixed)
