"""Optional device features that kernels may need: how to query and enable them.

Each `FeatureStruct` names a Vulkan features struct, the API version or extension that
provides it, and the members of interest. Names are the exact Vulkan member names;
`Device.enabled_features` is a set of them, and `CAPABILITY_FEATURES` maps SPIR-V
capabilities to the features they need (any one of the listed names suffices).
"""
from __future__ import annotations

from dataclasses import dataclass

from . import vkapi


@dataclass(frozen=True)
class FeatureStruct:
    ctype: str                      # C struct type, e.g. "VkPhysicalDeviceVulkan12Features"
    stype: str                      # name of its VK_STRUCTURE_TYPE_* constant
    members: tuple[str, ...]
    min_api: tuple[int, int] = (1, 1)   # usable from this API version ...
    below_api: tuple[int, int] | None = None  # ... and only below this one (superseded)
    extension: str | None = None    # device extension that provides it, if any
    # the Vulkan headers release that introduced `extension`: a validation layer older
    # than that cannot validate it (it reports the extension's SPIR-V as invalid)
    since: tuple[int, int, int] | None = None


BASE_MEMBERS = ("shaderInt64", "shaderFloat64", "shaderInt16")

FEATURE_STRUCTS = (
    FeatureStruct("VkPhysicalDeviceVulkan11Features",
                  "VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_1_FEATURES",
                  ("storageBuffer16BitAccess", "uniformAndStorageBuffer16BitAccess",
                   "storagePushConstant16"), min_api=(1, 2)),
    FeatureStruct("VkPhysicalDeviceVulkan12Features",
                  "VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES",
                  ("shaderInt8", "shaderFloat16", "storageBuffer8BitAccess",
                   "uniformAndStorageBuffer8BitAccess", "storagePushConstant8",
                   "shaderBufferInt64Atomics", "shaderSharedInt64Atomics",
                   "shaderSubgroupExtendedTypes", "timelineSemaphore", "vulkanMemoryModel",
                   "vulkanMemoryModelDeviceScope"), min_api=(1, 2)),
    FeatureStruct("VkPhysicalDevice16BitStorageFeatures",
                  "VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_16BIT_STORAGE_FEATURES",
                  ("storageBuffer16BitAccess", "uniformAndStorageBuffer16BitAccess",
                   "storagePushConstant16"), below_api=(1, 2)),
    FeatureStruct("VkPhysicalDevice8BitStorageFeatures",
                  "VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_8BIT_STORAGE_FEATURES",
                  ("storageBuffer8BitAccess", "uniformAndStorageBuffer8BitAccess",
                   "storagePushConstant8"), below_api=(1, 2), extension="VK_KHR_8bit_storage"),
    FeatureStruct("VkPhysicalDeviceShaderFloat16Int8Features",
                  "VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_FLOAT16_INT8_FEATURES",
                  ("shaderFloat16", "shaderInt8"), below_api=(1, 2),
                  extension="VK_KHR_shader_float16_int8"),
    FeatureStruct("VkPhysicalDeviceShaderAtomicInt64Features",
                  "VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_ATOMIC_INT64_FEATURES",
                  ("shaderBufferInt64Atomics", "shaderSharedInt64Atomics"), below_api=(1, 2),
                  extension="VK_KHR_shader_atomic_int64"),
    FeatureStruct("VkPhysicalDeviceTimelineSemaphoreFeatures",
                  "VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_TIMELINE_SEMAPHORE_FEATURES",
                  ("timelineSemaphore",), below_api=(1, 2),
                  extension="VK_KHR_timeline_semaphore"),
    FeatureStruct("VkPhysicalDeviceVulkanMemoryModelFeatures",
                  "VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_MEMORY_MODEL_FEATURES",
                  ("vulkanMemoryModel", "vulkanMemoryModelDeviceScope"), below_api=(1, 2),
                  extension="VK_KHR_vulkan_memory_model"),
    # cooperative matrices; the shapes a device runs are listed by coop_matrix.py
    FeatureStruct("VkPhysicalDeviceCooperativeMatrixFeaturesKHR",
                  "VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_COOPERATIVE_MATRIX_FEATURES_KHR",
                  ("cooperativeMatrix",), extension="VK_KHR_cooperative_matrix", since=(1, 3, 255)),
    FeatureStruct("VkPhysicalDeviceShaderAtomicFloatFeaturesEXT",
                  "VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_ATOMIC_FLOAT_FEATURES_EXT",
                  ("shaderBufferFloat32AtomicAdd", "shaderSharedFloat32AtomicAdd",
                   "shaderBufferFloat64AtomicAdd", "shaderSharedFloat64AtomicAdd"),
                  extension="VK_EXT_shader_atomic_float"),
)

def withheld_by_layer(layer: tuple[int, int, int], extensions: frozenset[str]) -> dict[str, str]:
    """The device extensions not to use under a validation layer of version `layer`
    (those newer than it), each with the reason, for messages."""
    return {s.extension: (f"not enabled: the validation layer ({'.'.join(map(str, layer))}) predates "
                          f"{s.extension} ({'.'.join(map(str, s.since))}); run without SIMPLE_VK_VALIDATION "
                          "or with a newer layer")
            for s in FEATURE_STRUCTS
            if s.extension in extensions and s.since is not None and layer < s.since}


# Features the runtime needs for itself; recorded apart from the kernel features.
INTERNAL_FEATURES = frozenset({"timelineSemaphore"})

# Subgroup operations a device supports in compute shaders
# (VkPhysicalDeviceSubgroupProperties::supportedOperations), reported as features named
# after their VK_SUBGROUP_FEATURE_*_BIT: they need no enabling, only support.
SUBGROUP_FEATURES = {
    "subgroupBasic": "VK_SUBGROUP_FEATURE_BASIC_BIT",
    "subgroupVote": "VK_SUBGROUP_FEATURE_VOTE_BIT",
    "subgroupArithmetic": "VK_SUBGROUP_FEATURE_ARITHMETIC_BIT",
    "subgroupBallot": "VK_SUBGROUP_FEATURE_BALLOT_BIT",
    "subgroupShuffle": "VK_SUBGROUP_FEATURE_SHUFFLE_BIT",
    "subgroupShuffleRelative": "VK_SUBGROUP_FEATURE_SHUFFLE_RELATIVE_BIT",
}

KERNEL_FEATURES = frozenset(BASE_MEMBERS) | frozenset(
    m for s in FEATURE_STRUCTS for m in s.members) - INTERNAL_FEATURES | frozenset(SUBGROUP_FEATURES)

CAPABILITY_FEATURES: dict[str, tuple[str, ...]] = {
    "Float64": ("shaderFloat64",),
    "Int64": ("shaderInt64",),
    "Int16": ("shaderInt16",),
    "Int8": ("shaderInt8",),
    "Float16": ("shaderFloat16",),
    "StorageBuffer8BitAccess": ("storageBuffer8BitAccess",),
    "UniformAndStorageBuffer8BitAccess": ("uniformAndStorageBuffer8BitAccess",),
    "StoragePushConstant8": ("storagePushConstant8",),
    "StorageBuffer16BitAccess": ("storageBuffer16BitAccess",),
    "UniformAndStorageBuffer16BitAccess": ("uniformAndStorageBuffer16BitAccess",),
    "StoragePushConstant16": ("storagePushConstant16",),
    "Int64Atomics": ("shaderBufferInt64Atomics", "shaderSharedInt64Atomics"),
    "AtomicFloat32AddEXT": ("shaderBufferFloat32AtomicAdd", "shaderSharedFloat32AtomicAdd"),
    "AtomicFloat64AddEXT": ("shaderBufferFloat64AtomicAdd", "shaderSharedFloat64AtomicAdd"),
    "VulkanMemoryModel": ("vulkanMemoryModel",),
    "VulkanMemoryModelDeviceScope": ("vulkanMemoryModelDeviceScope",),
    "CooperativeMatrixKHR": ("cooperativeMatrix",),
    "GroupNonUniform": ("subgroupBasic",),
    "GroupNonUniformVote": ("subgroupVote",),
    "GroupNonUniformArithmetic": ("subgroupArithmetic",),
    "GroupNonUniformBallot": ("subgroupBallot",),
    "GroupNonUniformShuffle": ("subgroupShuffle",),
    "GroupNonUniformShuffleRelative": ("subgroupShuffleRelative",),
}

# Capabilities every Vulkan 1.1 compute device supports without a feature (subgroup
# basics are required in the compute stage). A kernel declaring a capability that is
# neither here nor in CAPABILITY_FEATURES (RayQueryKHR, Geometry, Int64ImageEXT,
# ShaderClockKHR, ...) is refused before it reaches the driver.
CORE_CAPABILITIES = frozenset({"Shader", "Matrix", "GroupNonUniform"})


def subgroup_features(vk, subgroup) -> dict[str, bool]:
    """The SUBGROUP_FEATURES a VkPhysicalDeviceSubgroupProperties reports for compute."""
    compute = bool(subgroup.supportedStages & vk.VK_SHADER_STAGE_COMPUTE_BIT)
    return {name: compute and bool(subgroup.supportedOperations & getattr(vk, bit))
            for name, bit in SUBGROUP_FEATURES.items()}


def driver_properties(vk, handle, api: tuple[int, int], extensions: frozenset[str]) -> tuple[str | None, str]:
    """(driver id without VK_DRIVER_ID_, e.g. "MESA_LLVMPIPE"; driverInfo) of a physical
    device; (None, "") where the device cannot say (before Vulkan 1.2 without
    VK_KHR_driver_properties)."""
    if api < (1, 2) and "VK_KHR_driver_properties" not in extensions:
        return None, ""
    ffi = vk.ffi
    driver = ffi.new("VkPhysicalDeviceDriverProperties*",
                     {"sType": vk.VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_DRIVER_PROPERTIES})
    props2 = ffi.new("VkPhysicalDeviceProperties2*",
                     {"sType": vk.VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2, "pNext": driver})
    vk.lib.vkGetPhysicalDeviceProperties2(handle, props2)
    names = [n for n in dir(vk) if n.startswith("VK_DRIVER_ID_") and not n.endswith("_KHR")
             and not n.endswith("_RANGE") and getattr(vk, n) == driver.driverID]
    driver_id = names[0][len("VK_DRIVER_ID_"):] if names else f"DRIVER_{driver.driverID}"
    return driver_id, ffi.string(driver.driverInfo).decode("utf-8", "replace")


def applicable(api: tuple[int, int], extensions: frozenset[str]) -> list[FeatureStruct]:
    """The feature structs a device with this API version and extensions can chain."""
    out = []
    for s in FEATURE_STRUCTS:
        if api < s.min_api or (s.below_api is not None and api >= s.below_api):
            continue
        if s.extension is not None and s.extension not in extensions:
            continue
        out.append(s)
    return out


class FeatureChain:
    """A VkPhysicalDeviceFeatures2 with a pNext chain of feature structs (cffi memory)."""

    def __init__(self, structs: list[FeatureStruct], values: dict[str, bool] | None = None):
        vk = vkapi.load()
        ffi = vk.ffi
        self.structs = structs
        self.root = ffi.new("VkPhysicalDeviceFeatures2*")
        self.root.sType = vk.VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2
        self.parts = []
        prev = self.root
        for s in structs:
            part = ffi.new(s.ctype + "*")
            part.sType = getattr(vk, s.stype)
            prev.pNext = part
            prev = part
            self.parts.append(part)
        if values:
            self._assign(values)

    def _assign(self, values: dict[str, bool]) -> None:
        for name in BASE_MEMBERS:
            setattr(self.root.features, name, int(values.get(name, False)))
        for s, part in zip(self.structs, self.parts):
            for name in s.members:
                setattr(part, name, int(values.get(name, False)))

    def read(self) -> dict[str, bool]:
        """Member name -> supported, over the base struct and the chain."""
        out = {name: bool(getattr(self.root.features, name)) for name in BASE_MEMBERS}
        for s, part in zip(self.structs, self.parts):
            for name in s.members:
                out[name] = out.get(name, False) or bool(getattr(part, name))
        return out

    def extensions_needed(self) -> set[str]:
        """Extensions whose structs have at least one member turned on."""
        return {s.extension for s, part in zip(self.structs, self.parts)
                if s.extension and any(getattr(part, m) for m in s.members)}
