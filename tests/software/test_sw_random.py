"""Random verified modules (tests/lowering/ir_strategies.py) run on the software
backend: never a crash, never a numpy warning, the same result twice.

The generator is adapted so the modules can run: unchecked indexes are wrapped
into bounds, loops get a counter that ends them after a few iterations; checked
indexes keep arbitrary values, so lanes end early too. SW_FUZZ=N runs N examples
(80 by default; 2000 were run clean when this test was written).
"""
import os
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from fuzz_budget import examples

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lowering"))
from ir_strategies import IRGenConfig, RunnableGen, modules  # noqa: E402

from simple_vkbackend.lowering import ir  # noqa: E402
from simple_vkbackend.lowering.ir.walk import vector_widths  # noqa: E402
from simple_vkbackend.lowering.ir.verify import verify_module  # noqa: E402
from simple_vkbackend.software import run_kernel  # noqa: E402
from simple_vkbackend.software.values import dtype_of  # noqa: E402

pytestmark = pytest.mark.filterwarnings("error")
RANDOM = settings(max_examples=examples(80, "SW_FUZZ"), deadline=None, suppress_health_check=[HealthCheck.too_slow])


CONFIG = IRGenConfig(max_array_length=16, max_block_depth=2)


def arguments(kernel: ir.Kernel, draw) -> dict:
    args = {}
    for p in kernel.params:
        if isinstance(p.type, ir.BufferType):
            width = vector_widths(kernel).get(p.name, 1)  # a buffer accessed as vectors: whole ones
            n = width * draw(st.integers(1, max(1, 12 // width)))
            raw = np.frombuffer(draw(st.binary(min_size=8 * n, max_size=8 * n)), dtype=np.uint8)
            args[p.name] = raw.view(dtype_of(p.type.elem))[:n].copy()  # any bit pattern, NaNs included
        elif p.type.is_bool:
            args[p.name] = draw(st.booleans())
        elif p.type.is_int:
            info = np.iinfo(dtype_of(p.type))
            args[p.name] = draw(st.integers(int(info.min), int(info.max)))
        else:
            args[p.name] = draw(st.floats(width=p.type.bits))
    return args


def launch(kernel: ir.Kernel, draw):
    local = kernel.local_size or draw(st.sampled_from([(1, 1, 1), (4, 1, 1), (2, 2, 2), (8, 2, 1)]))
    groups = draw(st.tuples(*[st.integers(1, 2)] * 3))
    shrink = draw(st.integers(0, 3))  # a global size that is not a whole number of groups
    global_size = tuple(max(0, g * l - (shrink if d == 0 else 0)) for d, (g, l) in enumerate(zip(groups, local)))
    return global_size, local


@RANDOM
@given(modules(CONFIG, gen=RunnableGen), st.data())
def test_random_kernels_run_quietly_and_deterministically(module, data):
    verify_module(module)
    for kernel in module.kernels:
        args = arguments(kernel, data.draw)
        global_size, local = launch(kernel, data.draw)
        results = []
        for _ in range(2):
            run_args = {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in args.items()}
            run_kernel(module, kernel.name, run_args, global_size, local)
            results.append({k: v.tobytes() for k, v in run_args.items() if isinstance(v, np.ndarray)})
        assert results[0] == results[1]
