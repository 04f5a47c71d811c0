"""The random kernels' equivalent spellings (gen_spellings.respell): over many
seeds every spelling is drawn, and each rewritten program compiles to the IR of
the original (but for the target tag of `@gpu("vulkan")` and `@vulkan_kernel`)."""
from __future__ import annotations

import random
import re

import pytest

from gen_spellings import respell
from simple_vkbackend.frontend import compile_source
from simple_vkbackend.lowering.ir.text import print_module

SOURCE = """const N: i32 = 4

fn helper(x: i32) -> i32:
    return x

#[gpu(local_size=8)]
fn kernel(in_i32: &[i32], out_i32: [i32], acc_u32: [u32], own_i32: [i32], p0: i32):
    shared val sh: [i32; 8]
    val gid = gpu.global_id(0)
    val lid = gpu.local_id(0)
    sh[lid] = gid
    gpu.barrier()
    gpu.atomic_add(&acc_u32[0], 1u32)
    gpu.atomic_xor(&acc_u32[1], 3u32)
    own_i32[gid] = gpu.atomic_compare_exchange(&own_i32[gid], 0, 1)
    if p0 > 0:
        pass
    out_i32[gid] = helper(in_i32[gid] + sh[lid]) + gpu.global_id(1) + gpu.local_id(2)
"""
SPELLINGS = [
    "#[gpu(local_size=8)]\nfn", "@gpu(local_size=8)\nfn", "@gpu(\"vulkan\", local_size=8)\nfn", "out_i32: [i32]", "out_i32: i32[]", "out_i32: [i32]_gpu", "out_i32: GpuArray<i32>",
    "out_i32: Buffer<i32>", "out_i32: Array[i32]", "mut out_i32: [i32]", "out_i32: &mut [i32]",
    "gpu_global_id(0)", "gpu_global_id_x()", "vulkan_global_id_x()", "this.index(0)", "gpu_local_id(0)",
    "gpu_thread_id(0)", "gpu_thread_id_x()", "gpu_local_id_z()", "gpu_barrier()", "gpu_sync()",
    "gpu_syncthreads()", "thread_group.barrier()", "gpu.barrier_and_fence()", "gpu_atomic_add(",
    "gpu_atomic_xor(", "gpu.atomic_cas(", "gpu_atomic_cas(", "shared sh: [i32; 8]", "shared sh: Array[i32, 8]",
    "        ()",
]
UNHINTED = SOURCE.replace("#[gpu(local_size=8)]", "#[gpu]")
VARIANTS = [respell(source, random.Random(seed)) for seed in range(300) for source in (SOURCE, UNHINTED)]
MARKERS = ["#[gpu]\nfn", "@gpu\nfn", "@gpu_kernel\nfn", "@vulkan_kernel\nfn", "kernel fn",
           "#[gpu(backend: Vulkan)]\nfn", "@gpu(\"vulkan\")\nfn"]


def ir_text(source: str) -> str:
    return re.sub(r" target=\w+", "", print_module(compile_source(source, "g.spl")))


@pytest.mark.parametrize("spelling", SPELLINGS + MARKERS)
def test_every_spelling_is_drawn(spelling):
    assert any(spelling in v for v in VARIANTS)


def test_every_variant_compiles_to_the_same_ir():
    want = {True: ir_text(SOURCE), False: ir_text(UNHINTED)}
    for v in VARIANTS[:80]:
        assert ir_text(v) == want["local_size=8" in v], v
