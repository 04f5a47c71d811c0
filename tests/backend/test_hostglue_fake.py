"""The host glue's logic, JIT-compiled and run against a Python stand-in for the
rt_vk_* table (backend_fake_runtime.py): no Vulkan needed."""
from __future__ import annotations

import llvmlite.binding as llvm
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from fuzz_budget import examples

from backend_fake_runtime import FakeRuntime
from simple_vkbackend.hostgen.glue import emit_glue
from simple_vkbackend.hostgen.jit import GlueLibrary
from simple_vkbackend.sizes import choose_local_size
from simple_vkbackend.lowering.interface import KernelInterface, ParamSlot

SAXPY_CODE = b"\x03\x02\x23\x07saxpy"
FILL_CODE = b"\x03\x02\x23\x07fill"
PUSH_CODE = b"\x03\x02\x23\x07push"


def saxpy_interface(hint=None) -> KernelInterface:
    return KernelInterface(
        "saxpy",
        (ParamSlot("x", "buffer", "f32", binding=0, access="read"),
         ParamSlot("y", "buffer", "f32", binding=1, access="readwrite"),
         ParamSlot("a", "scalar", "f32", offset=0)),
        push_size=4, local_size=hint or (256, 1, 1), local_size_hint=hint, dims=1, features=())


def fill_interface() -> KernelInterface:
    """out[i] = 7 for even i only: `out` is write-only and half of it is left alone."""
    return KernelInterface("fill", (ParamSlot("out", "buffer", "i32", binding=0, access="write"),),
                           push_size=0, local_size=(8, 8, 4), local_size_hint=None, dims=3, features=())


PUSH_SCALARS = (("b", "bool"), ("c", "i8"), ("h", "f16"), ("s", "i16"), ("w", "u32"),
                ("d", "f64"), ("q", "u64"), ("f", "f32"))


def push_interface() -> KernelInterface:
    slots, offset = [], 0
    for name, typ in PUSH_SCALARS:
        size = 4 if typ == "bool" else int(typ[1:]) // 8
        offset = (offset + size - 1) // size * size
        slots.append(ParamSlot(name, "scalar", typ, offset=offset))
        offset += size
    return KernelInterface("push", tuple(slots), push_size=(offset + 3) // 4 * 4, local_size=(256, 1, 1),
                           local_size_hint=None, dims=1, features=())


def run_saxpy(buffers, push, global_size, local_size):
    x = np.frombuffer(bytes(buffers[0]), np.float32)
    y = np.frombuffer(buffers[1], np.float32)
    y += np.frombuffer(push, np.float32)[0] * x


def run_fill(buffers, push, global_size, local_size):
    np.frombuffer(buffers[0], np.int32)[::2] = 7


@pytest.fixture
def fake():
    seen = {}

    def record_push(buffers, push, global_size, local_size):
        seen["push"] = push

    rt = FakeRuntime({SAXPY_CODE: run_saxpy, FILL_CODE: run_fill, PUSH_CODE: record_push})
    rt.seen = seen
    return rt


def library(rt: FakeRuntime, kernels) -> GlueLibrary:
    text = emit_glue("test", kernels)
    return GlueLibrary(text, {iface.name: iface for iface, _ in kernels}, rt.table)


def buffer_args(*arrays):
    args = []
    for a in arrays:
        args += [a.ctypes.data, a.nbytes]
    return args


def test_ir_is_deterministic_and_verifies():
    kernels = [(saxpy_interface(), SAXPY_CODE), (push_interface(), PUSH_CODE)]
    first = emit_glue("m", kernels)
    assert first == emit_glue("m", kernels)
    llvm.parse_assembly(first).verify()
    assert 'define i32 @"simple_saxpy"(i64 %"device", ptr %"p.x.data", i64 %"p.x.bytes"' in first


def test_glue_declares_the_abi_signatures():
    """Every rt_vk_* declaration in the glue is the one abi.SPECS gives."""
    from simple_vkbackend.hostgen.llvm_types import ffi_type
    from simple_vkbackend.runtime.abi import SPECS
    module = llvm.parse_assembly(emit_glue("m", [(saxpy_interface(), SAXPY_CODE)]))
    declared = {f.name: f for f in module.functions if f.is_declaration}
    assert declared and set(declared) <= set(SPECS)
    for name, fn in declared.items():
        spec = SPECS[name]
        expected = f"{ffi_type(spec.ret)} ({', '.join(str(ffi_type(p)) for p in spec.param_types)})"
        assert str(fn.global_value_type) == expected, name


def test_saxpy_runs_and_compiles_once_per_device(fake):
    lib = library(fake, [(saxpy_interface(), SAXPY_CODE)])
    x = np.arange(100, dtype=np.float32)
    y = np.ones(100, dtype=np.float32)
    args = buffer_args(x, y) + [2.0]
    assert lib.launch("saxpy", 5, args, (100, 1, 1)) == 0
    np.testing.assert_array_equal(y, 2 * np.arange(100) + 1)
    assert lib.launch("saxpy", 5, args, (100, 1, 1)) == 0
    assert lib.launch("saxpy", 6, args, (100, 1, 1)) == 0
    assert fake.names().count("rt_vk_kernel_compile") == 2
    launch = [c for c in fake.calls if c[0] == "rt_vk_kernel_launch_pc"][0]
    assert launch[6:] == (100, 1, 1, 100, 1, 1)  # 256 shrunk to the global size
    assert fake.buffers == {}  # every buffer freed
    lib.close()
    assert fake.kernels == {}  # cached kernels released


def test_call_order_uploads_reads_downloads_writes(fake):
    lib = library(fake, [(saxpy_interface(), SAXPY_CODE)])
    x, y = np.zeros(4, np.float32), np.zeros(4, np.float32)
    lib.launch("saxpy", 1, buffer_args(x, y) + [1.0], (4, 1, 1))
    assert fake.names() == [
        "rt_vk_kernel_compile", "rt_vk_device_limits", "rt_vk_buffer_alloc", "rt_vk_buffer_alloc",
        "rt_vk_buffer_upload", "rt_vk_buffer_upload", "rt_vk_kernel_launch_pc", "rt_vk_device_sync",
        "rt_vk_buffer_download", "rt_vk_buffer_free", "rt_vk_buffer_free"]
    download = [c for c in fake.calls if c[0] == "rt_vk_buffer_download"][0]
    assert download[2] == y.ctypes.data


def test_write_only_buffer_keeps_unwritten_elements(fake):
    lib = library(fake, [(fill_interface(), FILL_CODE)])
    out = np.full(10, -1, np.int32)
    assert lib.launch("fill", 1, buffer_args(out), (10, 1, 1)) == 0
    np.testing.assert_array_equal(out, [7, -1] * 5)
    launch = [c for c in fake.calls if c[0] == "rt_vk_kernel_launch_pc"][0]
    assert launch[9:] == (8, 1, 1)  # 8x8x4 shrunk to (10, 1, 1)


@pytest.mark.parametrize("failing, status", [("rt_vk_buffer_alloc", 0), ("rt_vk_buffer_upload", -6),
                                             ("rt_vk_kernel_launch_pc", -5), ("rt_vk_device_sync", -5),
                                             ("rt_vk_buffer_download", -6)])
def test_failure_returns_status_and_frees_everything(fake, failing, status):
    lib = library(fake, [(saxpy_interface(), SAXPY_CODE)])
    x, y = np.zeros(4, np.float32), np.zeros(4, np.float32)
    fake.fail[failing] = status
    result = lib.launch("saxpy", 1, buffer_args(x, y) + [1.0], (4, 1, 1))
    assert result == (status if status else -3)
    assert fake.buffers == {}
    first_failure = fake.names().index(failing)
    later = fake.names()[first_failure + 1:]
    assert "rt_vk_kernel_launch_pc" not in later and "rt_vk_buffer_download" not in later


def test_second_alloc_failing_frees_the_first(fake):
    real_alloc = fake.rt_vk_buffer_alloc
    count = {"n": 0}

    def alloc_once(dev, size):
        count["n"] += 1
        return real_alloc(dev, size) if count["n"] == 1 else 0
    fake.rt_vk_buffer_alloc = alloc_once
    lib = library(fake, [(saxpy_interface(), SAXPY_CODE)])
    x, y = np.zeros(4, np.float32), np.zeros(4, np.float32)
    assert lib.launch("saxpy", 1, buffer_args(x, y) + [1.0], (4, 1, 1)) == -3
    assert fake.buffers == {}
    assert fake.names().count("rt_vk_buffer_free") == 1


def test_compile_failure_allocates_nothing(fake):
    lib = library(fake, [(saxpy_interface(), b"\x03\x02\x23\x07unknown")])
    x, y = np.zeros(4, np.float32), np.zeros(4, np.float32)
    assert lib.launch("saxpy", 1, buffer_args(x, y) + [1.0], (4, 1, 1)) == -4
    assert "rt_vk_buffer_alloc" not in fake.names()


def test_push_constants_are_packed_at_interface_offsets(fake):
    iface = push_interface()
    lib = library(fake, [(iface, PUSH_CODE)])
    values = {"b": 5, "c": -3, "h": int(np.float16(1.5).view(np.uint16)), "s": -300, "w": 4000000000,
              "d": 2.25, "q": 2**63 + 5, "f": -0.5}
    assert lib.launch("push", 1, [values[n] for n, _ in PUSH_SCALARS], (1, 1, 1)) == 0
    expected = bytearray(iface.push_size)
    numpy_types = {"bool": np.int32, "i8": np.int8, "f16": np.float16, "i16": np.int16, "u32": np.uint32,
                   "f64": np.float64, "u64": np.uint64, "f32": np.float32}
    for slot in iface.scalars:
        value = {"b": 1, "h": 1.5}.get(slot.name, values[slot.name])
        raw = np.array(value, dtype=numpy_types[slot.type]).tobytes()
        expected[slot.offset:slot.offset + len(raw)] = raw
    assert fake.seen["push"] == bytes(expected)


def test_large_1d_launch_grows_the_local_size_to_fit_the_group_count(fake):
    lib = library(fake, [(fill_interface(), FILL_CODE)])
    out = np.zeros(1, np.int32)
    assert lib.launch("fill", 1, buffer_args(out), (65535 * 256 + 1, 1, 1)) == 0
    launch = [c for c in fake.calls if c[0] == "rt_vk_kernel_launch_pc"][0]
    assert launch[9:] == (512, 1, 1)  # 256 would need 65536 groups, one more than allowed


def test_explicit_local_size_is_used_as_given(fake):
    lib = library(fake, [(saxpy_interface(), SAXPY_CODE)])
    x, y = np.zeros(4, np.float32), np.zeros(4, np.float32)
    assert lib.launch("saxpy", 1, buffer_args(x, y) + [1.0], (4, 1, 1), (64, 1, 1)) == 0
    assert "rt_vk_device_limits" not in fake.names()
    launch = [c for c in fake.calls if c[0] == "rt_vk_kernel_launch_pc"][0]
    assert launch[9:] == (64, 1, 1)


sizes = st.integers(1, 2048)


@settings(max_examples=examples(60), deadline=None)
@given(hint=st.one_of(st.none(), st.tuples(sizes, st.integers(1, 64), st.integers(1, 8))),
       dims=st.integers(1, 3), global_size=st.tuples(sizes, sizes, st.integers(1, 64)),
       limits=st.tuples(st.integers(1, 1024), st.integers(1, 1024), st.integers(1, 64), st.integers(1, 1024),
                        st.integers(1, 64), st.integers(1, 64), st.integers(1, 64)))
def test_glue_local_size_matches_python_policy(hint, dims, global_size, limits):
    defaults = {1: (256, 1, 1), 2: (16, 16, 1), 3: (8, 8, 4)}
    global_size = tuple(n if d < dims else 1 for d, n in enumerate(global_size))  # launches the kernel honours
    iface = KernelInterface("fill", fill_interface().params, 0, hint or defaults[dims], hint, dims, ())
    rt = FakeRuntime({FILL_CODE: lambda *a: None}, limits=limits)
    lib = library(rt, [(iface, FILL_CODE)])
    out = np.zeros(1, np.int32)
    assert lib.launch("fill", 1, buffer_args(out), global_size) == 0
    launch = [c for c in rt.calls if c[0] == "rt_vk_kernel_launch_pc"][0]
    chosen = launch[9:]
    assert chosen == choose_local_size(iface, global_size, limits)
    assert chosen[0] * chosen[1] * chosen[2] <= max(limits[3], 1)
    assert all(c <= m for c, m in zip(chosen, limits[:3]))
    lib.close()


def test_a_vector_buffer_of_a_partial_vector_is_an_invalid_parameter(fake):
    """A buffer the kernel accesses as vectors of 4 f32 must be whole 16-byte vectors:
    any other byte count stops the launch before anything is allocated."""
    interface = KernelInterface(
        "saxpy",
        (ParamSlot("x", "buffer", "f32", binding=0, access="read", vector=4),
         ParamSlot("y", "buffer", "f32", binding=1, access="readwrite", vector=4),
         ParamSlot("a", "scalar", "f32", offset=0)),
        push_size=4, local_size=(256, 1, 1), local_size_hint=None, dims=1, features=())
    lib = library(fake, [(interface, SAXPY_CODE)])
    x, y = np.arange(8, dtype=np.float32), np.ones(8, dtype=np.float32)
    assert lib.launch("saxpy", 1, buffer_args(x, y) + [2.0], (2, 1, 1)) == 0
    np.testing.assert_array_equal(y, 2 * np.arange(8) + 1)
    fake.calls.clear()
    assert lib.launch("saxpy", 1, buffer_args(x[:6], y[:6]) + [2.0], (2, 1, 1)) == -7
    assert "rt_vk_buffer_alloc" not in fake.names()
    lib.close()
