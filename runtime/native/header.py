"""`rt_vk.h`: the C header of the native library, generated from abi.py."""
from __future__ import annotations

from .. import abi

GUARD = "SIMPLE_VK_RT_VK_H"


def _c_name(text: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in text).strip("_").upper()


def prototype(spec: abi.FunctionSpec) -> str:
    """`int32_t rt_vk_buffer_free(uint64_t buffer);` (pointers hug the name)."""
    return spec.c_signature.replace("* ", "*") + ";"


def header_text() -> str:
    lines = [
        "/* rt_vk.h: the C interface of librt_vk.so (simple-vkbackend's Vulkan runtime).",
        " * Generated from simple_vkbackend/runtime/abi.py; do not edit.",
        " *",
        " * rt_vk_*: statuses are 0 (success) or a negative RT_VK_STATUS_* code; functions",
        " * returning a handle return 0 on failure, rt_vk_last_status() then gives the code",
        " * and rt_vk_last_error() the message (both per thread).",
        " * rt_vulkan_*: every value is an int64_t (pointers too); results are 1 on success",
        " * and 0 on failure (handles: 0), the message from rt_vulkan_get_last_error().",
        " * Every function may be called from any thread. */",
        f"#ifndef {GUARD}",
        f"#define {GUARD}",
        "",
        "#include <stdint.h>",
        "",
        "#ifdef __cplusplus",
        'extern "C" {',
        "#endif",
        "",
        "/* status codes */",
    ]
    lines += [f"#define RT_VK_STATUS_{s.name} ({int(s)})" for s in abi.Status]
    lines += ["", "/* rt_vk_device_limits: index of each value written */"]
    lines += [f"#define RT_VK_LIMIT_{_c_name(n)} {i}" for i, n in enumerate(abi.LIMITS_ORDER)]
    lines += [f"#define RT_VK_LIMIT_COUNT {len(abi.LIMITS_ORDER)}", "", "/* rt_vk_* */"]
    lines += [prototype(f) for f in abi.FUNCTIONS]
    lines += ["", "/* rt_vulkan_* (upstream Simple's compute table) */"]
    lines += [prototype(f) for f in abi.VULKAN_FUNCTIONS]
    lines += ["", "#ifdef __cplusplus", "}", "#endif", "", f"#endif /* {GUARD} */", ""]
    return "\n".join(lines)
