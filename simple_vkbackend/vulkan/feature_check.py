"""Checking a kernel's required Vulkan features against a device's, with messages
that say what in the kernel needs each feature."""
from __future__ import annotations

from typing import Iterable

from simple_vkbackend.lowering.interface import KernelInterface

# What in a kernel makes lowering/interface.py ask for each feature.
FEATURE_USES = {
    "shaderFloat64": "f64 arithmetic",
    "shaderInt64": "64-bit integer arithmetic",
    "shaderInt16": "16-bit integer arithmetic",
    "shaderInt8": "8-bit integer arithmetic",
    "shaderFloat16": "f16 arithmetic",
    "storageBuffer16BitAccess": "16-bit buffer elements",
    "storageBuffer8BitAccess": "8-bit buffer elements",
    "storagePushConstant16": "16-bit scalar parameters",
    "storagePushConstant8": "8-bit scalar parameters",
    "shaderBufferFloat32AtomicAdd": "f32 atomic add on a buffer",
    "shaderSharedFloat32AtomicAdd": "f32 atomic add on a shared array",
    "shaderSubgroupExtendedTypes": "subgroup operations on 8-, 16- or 64-bit integers or f16",
    "cooperativeMatrix": "cooperative matrices (VK_KHR_cooperative_matrix, CooperativeMatrixKHR)",
    "vulkanMemoryModel": "cooperative matrices (they need the Vulkan memory model)",
    "vulkanMemoryModelDeviceScope": "buffer atomics in a kernel with cooperative matrices (Vulkan memory model)",
    "subgroupBasic": "subgroup ids, elect or barrier (GroupNonUniform)",
    "subgroupVote": "subgroup_any/subgroup_all (GroupNonUniformVote)",
    "subgroupArithmetic": "subgroup reductions or scans (GroupNonUniformArithmetic)",
    "subgroupBallot": "subgroup_ballot/subgroup_broadcast (GroupNonUniformBallot)",
    "subgroupShuffle": "subgroup_shuffle/subgroup_shuffle_xor (GroupNonUniformShuffle)",
    "subgroupShuffleRelative": "subgroup_shuffle_up/subgroup_shuffle_down (GroupNonUniformShuffleRelative)",
}


def missing_features(interface: KernelInterface, enabled: Iterable[str]) -> tuple[str, ...]:
    """The kernel's required features that are not in `enabled`, in order."""
    have = set(enabled)
    return tuple(f for f in interface.features if f not in have)


def describe_missing(kernel: str, missing: Iterable[str], device: str) -> str:
    needs = ", ".join(f"{f} ({FEATURE_USES.get(f, 'a device feature')})" for f in missing)
    return f"kernel {kernel} needs {needs}, which device {device} lacks"
