"""Pipelines: one per local size, created through the device's pipeline cache, counted
with the driver's creation feedback (whether the pipeline came from that cache)."""
from __future__ import annotations

import struct

import numpy as np


def test_one_pipeline_per_local_size_counted(device, spirv):
    n = 512
    x = np.arange(n, dtype=np.float32)
    with device.compile(spirv("saxpy")) as k, device.alloc(x.nbytes) as bx, device.alloc(x.nbytes) as by:
        program = k.program
        assert program.created == 1                       # the default local size, at compile
        for local in (None, 64, 128, 128, (32, 1, 1)):
            k.launch([bx, by], struct.pack("<fI", 1.0, n), n, local)
        assert program.created == len(program.pipelines) == 3       # 64, 128, 32
        if device.ctx.physical.api >= (1, 3):
            assert program.cache_hits is not None and 0 <= program.cache_hits <= program.created
        else:
            assert program.cache_hits is None
