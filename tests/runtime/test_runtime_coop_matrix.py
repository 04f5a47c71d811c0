"""The cooperative-matrix shape query (runtime/coop_matrix.py): through the real cffi
declarations of the Vulkan binding, with vkGetPhysicalDeviceCooperativeMatrixPropertiesKHR
answered by a Python callback that lists what an NVIDIA H200 lists (lavapipe has no
VK_KHR_cooperative_matrix, so the device here lists nothing)."""
from __future__ import annotations

import types

import pytest

from simple_vkbackend.runtime import coop_matrix

vk = pytest.importorskip("vulkan")

# (M, N, K, A, B, C, Result) as VkComponentTypeKHR names, and saturatingAccumulation
H200 = [(16, 16, 16, "FLOAT16", "FLOAT16", "FLOAT32", "FLOAT32", False),
        (16, 8, 8, "FLOAT16", "FLOAT16", "FLOAT16", "FLOAT16", False),
        (16, 16, 32, "SINT8", "SINT8", "SINT32", "SINT32", True)]


def fake_vk(entries, calls):
    ffi = vk.ffi

    @ffi.callback("PFN_vkGetPhysicalDeviceCooperativeMatrixPropertiesKHR")
    def properties(device, count, props):
        calls.append(props == ffi.NULL)
        if props == ffi.NULL:
            count[0] = len(entries)
            return vk.VK_SUCCESS
        for i, (m, n, k, a, b, c, r, sat) in enumerate(entries[:count[0]]):
            p = props[i]
            assert p.sType == vk.VK_STRUCTURE_TYPE_COOPERATIVE_MATRIX_PROPERTIES_KHR
            p.MSize, p.NSize, p.KSize = m, n, k
            p.AType, p.BType, p.CType, p.ResultType = (getattr(vk, f"VK_COMPONENT_TYPE_{t}_KHR") for t in (a, b, c, r))
            p.saturatingAccumulation = sat
            p.scope = vk.VK_SCOPE_SUBGROUP_KHR
        return vk.VK_SUCCESS

    def get_proc(instance, name):
        assert name == b"vkGetPhysicalDeviceCooperativeMatrixPropertiesKHR"
        return ffi.cast("PFN_vkVoidFunction", properties)

    fake = types.SimpleNamespace(**{n: getattr(vk, n) for n in dir(vk) if n.startswith("VK_")})
    fake.ffi, fake.lib, fake.keep = ffi, types.SimpleNamespace(vkGetInstanceProcAddr=get_proc), properties
    return fake


def test_the_query_reads_every_entry():
    calls: list[bool] = []
    device = vk.ffi.cast("VkPhysicalDevice", 0)
    shapes = coop_matrix.query(fake_vk(H200, calls), object(), device, frozenset({coop_matrix.EXTENSION}))
    assert calls == [True, False]  # the count, then the entries
    assert [str(s) for s in shapes] == ["16x16x16 f16*f16+f32->f32", "16x8x8 f16*f16+f16->f16",
                                        "16x16x32 i8*i8+i32->i32"]
    assert {s.scope for s in shapes} == {"subgroup"} and [s.saturating for s in shapes] == [False, False, True]


def test_no_extension_no_query():
    calls: list[bool] = []
    assert coop_matrix.query(fake_vk(H200, calls), object(), object(), frozenset()) == ()
    assert calls == []
