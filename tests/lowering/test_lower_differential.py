"""Differential test: random integer kernels give bit-identical buffers on the
Vulkan device (lowered SPIR-V) and on the software backend (the IR reference).

The modules come from irtext's generator (ir_strategies), adapted to run: unchecked
indexes are wrapped into bounds, loops end after a few trips. Integer and bool
types only (floats would differ in the last bits of transcendental functions),
no shared arrays (their initial contents are undefined on a GPU), and one work
item per launch (so there are no races). What remains is exact: every operator
of every width, casts, control flow with early exits, checked indexes, helpers,
private arrays, atomics. LOWER_FUZZ=N runs N examples.
"""
from __future__ import annotations

import os

import numpy as np
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from fuzz_budget import examples

from ir_strategies import IRGenConfig, RunnableGen, modules
from simple_vkbackend import runtime
from simple_vkbackend.lowering import ir
from simple_vkbackend.lowering.ir.walk import vector_widths
from simple_vkbackend.lowering.errors import LoweringError
from simple_vkbackend.lowering.lower import lower_kernel
from simple_vkbackend.runtime.validation import recent_messages
from simple_vkbackend.software import run_kernel

FUZZ = settings(max_examples=examples(60, "LOWER_FUZZ"), deadline=None,
                suppress_health_check=list(HealthCheck))
INT_TYPES = (ir.BOOL, ir.I8, ir.I16, ir.I32, ir.I64, ir.U8, ir.U16, ir.U32, ir.U64)
CONFIG = IRGenConfig(scalar_types=INT_TYPES, max_shared=0, max_array_length=16, max_block_depth=2)
DTYPES = {t: np.dtype(t.name.replace("i", "int").replace("u", "uint")) for t in INT_TYPES if not t.is_bool}


PROBE_IN, PROBE_OUT = "probe_in", "probe_out"


def with_probes(kernel: ir.Kernel) -> ir.Kernel:
    """`kernel` with every local scalar first set from a u64 input buffer, and
    written to a u64 output buffer at the end and before each return, so the
    values it computes depend on data and become observable."""
    scalars = [loc for loc in kernel.locals if isinstance(loc.type, ir.ScalarType)]
    reads = [ir.Assign(ir.Var(loc.type, loc.name), ir.Cast(loc.type, ir.Index(ir.U64, PROBE_IN, ir.Const(ir.I32, i))))
             for i, loc in enumerate(scalars)]
    writes = [ir.Assign(ir.Index(ir.U64, PROBE_OUT, ir.Const(ir.I32, i)), ir.Cast(ir.U64, ir.Var(loc.type, loc.name)))
              for i, loc in enumerate(scalars)]

    def instrument(block: ir.Block) -> ir.Block:
        out = []
        for stmt in block.stmts:
            if isinstance(stmt, ir.Return):
                out.extend(writes)
            elif isinstance(stmt, ir.If):
                stmt = ir.If(stmt.cond, instrument(stmt.then), instrument(stmt.otherwise))
            elif isinstance(stmt, ir.Loop):
                stmt = ir.Loop(stmt.cond, instrument(stmt.body), stmt.step)
            out.append(stmt)
        return ir.Block(out)

    body = ir.Block([*reads, *instrument(kernel.body).stmts, *writes])
    params = [*kernel.params, ir.Param(PROBE_IN, ir.BufferType(ir.U64, False)),
              ir.Param(PROBE_OUT, ir.BufferType(ir.U64))]
    return ir.Kernel(kernel.name, params, body, kernel.locals, kernel.shared, kernel.local_size, kernel.dims,
                     kernel.simd)


def arguments(kernel: ir.Kernel, draw) -> dict:
    args = {}
    for p in kernel.params:
        if p.name == PROBE_OUT:
            args[p.name] = np.zeros(max(1, len(kernel.locals)), dtype=np.uint64)
        elif p.name == PROBE_IN:
            n = max(1, len(kernel.locals))
            args[p.name] = np.array(draw(st.lists(st.integers(0, 2 ** 64 - 1), min_size=n, max_size=n)),
                                    dtype=np.uint64)
        elif isinstance(p.type, ir.BufferType):
            width = vector_widths(kernel).get(p.name, 1)  # a buffer accessed as vectors: whole ones
            n = width * draw(st.integers(1, max(1, 12 // width)))
            raw = np.frombuffer(draw(st.binary(min_size=8 * n, max_size=8 * n)), dtype=np.uint8)
            args[p.name] = raw.view(DTYPES[p.type.elem])[:n].copy()
        elif p.type.is_bool:
            args[p.name] = draw(st.booleans())
        else:
            info = np.iinfo(DTYPES[p.type])
            args[p.name] = draw(st.integers(int(info.min), int(info.max)))
    return args


@FUZZ
@given(modules(CONFIG, gen=RunnableGen), st.data())
def test_random_integer_kernels_match_the_software_backend(gpu, module, data):
    before = runtime.validation_message_count()
    module.kernels = [with_probes(k) for k in module.kernels]
    for kernel in module.kernels:
        try:
            lowered = lower_kernel(module, kernel.name)
        except LoweringError as e:  # a return or checked index in a loop step
            assume("loop step cannot" not in str(e))
            raise
        args = arguments(kernel, data.draw)
        software = {k: v.copy() if isinstance(v, np.ndarray) else v for k, v in args.items()}
        run_kernel(module, kernel.name, software, (1, 1, 1), (1, 1, 1))
        arrays = [args[p.name] for p in kernel.params if isinstance(p.type, ir.BufferType)]
        gpu.run(lowered, arrays, args, (1, 1, 1), local=(1, 1, 1))
        for p in kernel.params:
            if isinstance(p.type, ir.BufferType):
                assert args[p.name].tobytes() == software[p.name].tobytes(), (
                    f"buffer {p.name} of kernel {kernel.name}: device {args[p.name]} != software {software[p.name]}")
    assert runtime.validation_message_count() == before, recent_messages()
