"""`simple-vk run --time`: GPU and wall time per launch of one kernel."""
from __future__ import annotations

import statistics
import time
from typing import Any, Mapping, Optional

import numpy as np

from ..sizes import Size3


def time_kernel(module, kernel: str, inputs: Mapping[str, Any], global_size: Optional[Size3],
                local_size: Optional[Size3], repeat: int) -> str:
    """One line: `repeat` launches of `kernel` on copies of `inputs` (the reported
    results stay those of the first launch). On Vulkan the buffers are uploaded once,
    GPU time comes from timestamps around each launch and wall time from blocking
    launches on device buffers; the software backend has wall time only."""
    device = getattr(module.backend, "device", None)
    if device is None:
        walls = []
        for _ in range(repeat):
            args = {n: v.copy() if isinstance(v, np.ndarray) else v for n, v in inputs.items()}
            start = time.perf_counter()
            module[kernel](**args, global_size=global_size, local_size=local_size)
            walls.append(1e3 * (time.perf_counter() - start))
        return f"time: {repeat} launch(es), wall {_stats(walls)} ms per launch (software backend: no GPU time)"
    resident = module.resident_kernel(kernel)
    buffers = {n: device.buffer_from(v.reshape(-1)) for n, v in inputs.items() if isinstance(v, np.ndarray)}
    try:
        args = {**inputs, **buffers}
        gpu = [resident.launch(**args, global_size=global_size, local_size=local_size, timed=True)
               for _ in range(repeat)]
        walls = []
        for _ in range(repeat):
            start = time.perf_counter()
            resident.launch(**args, global_size=global_size, local_size=local_size)
            walls.append(1e3 * (time.perf_counter() - start))
    finally:
        for buffer in buffers.values():
            buffer.free()
    return f"time: {repeat} launch(es) on {device.name}: GPU {_stats(gpu)} ms, wall {_stats(walls)} ms per launch"


def _stats(values: list[float]) -> str:
    return f"mean {statistics.fmean(values):.4f} min {min(values):.4f} max {max(values):.4f}"
