"""Launch geometry: normalising global/local sizes and choosing the local size.

`choose_local_size` is the policy the host glue implements in LLVM IR
(hostgen/glue.py, `simple.local_size`); Python callers (Kernel.launch, the
software backend) use this function so every path agrees:

1. start from the kernel's hint, else 256, 16x16 or 8x8x4 by dimensionality;
2. clamp each dimension to the device's maxComputeWorkGroupSize;
3. without a hint only: shrink each dimension to the global size (a kernel with a
   hint may size shared arrays or a reduction by it, so its hint is kept);
4. halve the largest dimension while the product exceeds
   maxComputeWorkGroupInvocations;
5. without a hint only: double a dimension while the launch would need more groups
   than maxComputeWorkGroupCount allows there, as long as the doubled size fits
   the limits of steps 2 and 4 (so 1-D launches beyond 65535 x 256 items work).
"""
from __future__ import annotations

import math
from typing import Optional, Sequence, Union

from simple_vkbackend.lowering.interface import KernelInterface

Size3 = tuple[int, int, int]
SizeArg = Union[int, Sequence[int], None]

U32_MAX = 2**32 - 1


def as_size3(value: Union[int, Sequence[int]], what: str) -> Size3:
    """(x, y, z) from an int or a sequence of 1 to 3 positive ints (missing ones are 1)."""
    if hasattr(value, "__index__"):
        items = [value]
    elif isinstance(value, (tuple, list)):
        items = list(value)
    else:
        raise TypeError(f"{what} must be an int or a tuple of 1 to 3 ints, got {value!r}")
    if not 1 <= len(items) <= 3:
        raise TypeError(f"{what} must be an int or a tuple of 1 to 3 ints, got {value!r}")
    sizes = []
    for item in items:
        if isinstance(item, bool) or not hasattr(item, "__index__"):
            raise TypeError(f"{what} must hold ints, got {value!r}")
        n = item.__index__()
        if not 1 <= n <= U32_MAX:
            raise ValueError(f"{what} must be between 1 and {U32_MAX}, got {value!r}")
        sizes.append(n)
    return tuple(sizes + [1] * (3 - len(sizes)))  # type: ignore[return-value]


def choose_local_size(interface: KernelInterface, global_size: Size3,
                      limits: Optional[Sequence[int]]) -> Size3:
    """The local size for a launch (see the module docstring). `limits` is
    (maxComputeWorkGroupSize x, y, z, maxComputeWorkGroupInvocations,
    maxComputeWorkGroupCount x, y, z) as rt_vk_device_limits gives them (the
    counts may be left out), or None when there is no device to ask."""
    size = list(interface.local_size)
    if limits is not None:
        size = [min(s, m) for s, m in zip(size, limits[:3])]
    if interface.local_size_hint is None:
        size = [min(s, max(g, 1)) for s, g in zip(size, global_size)]
    size = [max(s, 1) for s in size]
    while limits is not None and size[0] * size[1] * size[2] > max(limits[3], 1):
        largest = 0 if size[0] >= size[1] and size[0] >= size[2] else 1 if size[1] >= size[2] else 2
        size[largest] = max(size[largest] // 2, 1)
    if limits is not None and len(limits) >= 7 and interface.local_size_hint is None:
        for d in range(3):
            while (math.ceil(max(global_size[d], 1) / size[d]) > limits[4 + d]
                   and size[d] * 2 <= limits[d] and math.prod(size) * 2 <= limits[3]):
                size[d] *= 2
    return tuple(size)  # type: ignore[return-value]
