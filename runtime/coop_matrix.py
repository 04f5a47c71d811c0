"""The cooperative-matrix shapes a device runs (VK_KHR_cooperative_matrix).

`query(vk, instance, handle, extensions)` asks
vkGetPhysicalDeviceCooperativeMatrixPropertiesKHR for the list; each entry is a
`CoopShape`: an M x K `a` times a K x N `b` plus an M x N `c` giving an M x N result,
with the component type of each (IR scalar names: "f16", "f32", "i8", ...) and the
scope ("subgroup", ...). A device without the extension lists nothing.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

EXTENSION = "VK_KHR_cooperative_matrix"

# VkComponentTypeKHR -> IR scalar type name (the bfloat16 and float8 types have no IR type)
_COMPONENTS = {
    "FLOAT16": "f16", "FLOAT32": "f32", "FLOAT64": "f64",
    "SINT8": "i8", "SINT16": "i16", "SINT32": "i32", "SINT64": "i64",
    "UINT8": "u8", "UINT16": "u16", "UINT32": "u32", "UINT64": "u64",
}
# component types newer than the `vulkan` binding's headers (1.3.275): name them anyway
_NEWER_COMPONENTS = {1000141000: "bfloat16", 1000491000: "float8_e4m3", 1000491001: "float8_e5m2"}
_SCOPES = {1: "device", 2: "workgroup", 3: "subgroup", 5: "queue_family"}  # VkScopeKHR


@dataclass(frozen=True)
class CoopShape:
    """One VkCooperativeMatrixPropertiesKHR: result (M x N) = a (M x K) * b (K x N) + c."""

    m: int
    n: int
    k: int
    a: str
    b: str
    c: str
    result: str
    scope: str = "subgroup"
    saturating: bool = False

    def __str__(self) -> str:
        return f"{self.m}x{self.n}x{self.k} {self.a}*{self.b}+{self.c}->{self.result}"


def component_name(vk: Any, value: int) -> str:
    """The IR type name of a VkComponentTypeKHR (others: the Vulkan name, lower case)."""
    for name, short in _COMPONENTS.items():
        if getattr(vk, f"VK_COMPONENT_TYPE_{name}_KHR", None) == value:
            return short
    names = [n for n in dir(vk) if n.startswith("VK_COMPONENT_TYPE_") and n.endswith("_KHR")
             and getattr(vk, n) == value]
    if names:
        return names[0][len("VK_COMPONENT_TYPE_"):-len("_KHR")].lower()
    return _NEWER_COMPONENTS.get(value, f"component{value}")


def query(vk: Any, instance: Any, handle: Any, extensions: frozenset[str]) -> tuple[CoopShape, ...]:
    """The shapes the physical device `handle` lists (none without the extension)."""
    if EXTENSION not in extensions or instance is None:
        return ()
    ffi = vk.ffi
    address = vk.lib.vkGetInstanceProcAddr(instance, b"vkGetPhysicalDeviceCooperativeMatrixPropertiesKHR")
    if address == ffi.NULL:
        return ()
    fn = ffi.cast("PFN_vkGetPhysicalDeviceCooperativeMatrixPropertiesKHR", address)
    count = ffi.new("uint32_t*")
    if fn(handle, count, ffi.NULL) != vk.VK_SUCCESS or count[0] == 0:
        return ()
    props = ffi.new(f"VkCooperativeMatrixPropertiesKHR[{count[0]}]")
    for i in range(count[0]):
        props[i].sType = vk.VK_STRUCTURE_TYPE_COOPERATIVE_MATRIX_PROPERTIES_KHR
    if fn(handle, count, props) not in (vk.VK_SUCCESS, vk.VK_INCOMPLETE):
        return ()
    return tuple(CoopShape(p.MSize, p.NSize, p.KSize, component_name(vk, p.AType), component_name(vk, p.BType),
                           component_name(vk, p.CType), component_name(vk, p.ResultType),
                           _SCOPES.get(p.scope, f"scope{p.scope}"), bool(p.saturatingAccumulation))
                 for p in props[0:count[0]])
