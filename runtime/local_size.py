"""The local-size policy: the one definition every launch path follows.

The host glue implements it in LLVM IR (simple_vkbackend/hostgen/glue.py,
`simple.local_size`; a test checks the two agree over many sizes and limits), the
Python wrappers and the software backend call `choose_local_size`, and the runtime's
1-D default (`rt_vk_kernel_launch_1d`) uses it for the x size:

1. start from the kernel's local size (its hint, else a default by dimensionality);
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
from typing import Optional, Sequence

Size3 = tuple[int, int, int]


def choose_local_size(start: Sequence[int], global_size: Sequence[int],
                      limits: Optional[Sequence[int]], hinted: bool) -> Size3:
    """The local size for a launch (see the module docstring). `limits` is
    (maxComputeWorkGroupSize x, y, z, maxComputeWorkGroupInvocations,
    maxComputeWorkGroupCount x, y, z) in rt_vk_device_limits order (the counts may
    be left out), or None when there is no device to ask."""
    size = list(start)
    if limits is not None:
        size = [min(s, m) for s, m in zip(size, limits[:3])]
    if not hinted:
        size = [min(s, max(g, 1)) for s, g in zip(size, global_size)]
    size = [max(s, 1) for s in size]
    while limits is not None and size[0] * size[1] * size[2] > max(limits[3], 1):
        largest = 0 if size[0] >= size[1] and size[0] >= size[2] else 1 if size[1] >= size[2] else 2
        size[largest] = max(size[largest] // 2, 1)
    if limits is not None and len(limits) >= 7 and not hinted:
        for d in range(3):
            while (math.ceil(max(global_size[d], 1) / size[d]) > limits[4 + d]
                   and size[d] * 2 <= limits[d] and math.prod(size) * 2 <= limits[3]):
                size[d] *= 2
    x, y, z = size
    return (x, y, z)
