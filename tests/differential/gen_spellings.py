"""Equivalent spellings for the random kernels: a generated program's text is
rewritten, each occurrence independently, into one of the spellings the language
accepts for the same thing (docs/language.md, "Upstream forms"), so that the
differential tests run them all. The choice comes from a `random.Random` seeded
by the program (no extra draws: recorded examples keep their meaning).

    kernel markers   #[gpu] @gpu @gpu_kernel @vulkan_kernel kernel fn
                     #[gpu(backend: Vulkan)] @gpu("vulkan"[, local_size=...]) (then written buffers `mut`)
    buffer params    [T] T[] [T]_gpu GpuArray<T> Buffer<T> Array[T] mut NAME: [T]
    ids              gpu.global_id(d) gpu_global_id(d) gpu_global_id_x() vulkan_global_id_x()
                     this.index(d); local: gpu_local_id(d) gpu_thread_id(d) gpu_thread_id_x() ...
    barriers         gpu.barrier() gpu_barrier() gpu_sync() gpu_syncthreads()
                     thread_group.barrier() gpu.barrier_and_fence()
    atomics          gpu.atomic_OP( gpu_atomic_OP( ; compare_exchange: gpu.atomic_cas( gpu_atomic_cas(
    shared arrays    shared val N: [T; L]  shared N: [T; L]  shared N: Array[T, L]
    no-op            pass ()
"""
from __future__ import annotations

import random
import re

AXES = "xyz"
BUFFER_PARAM = re.compile(r"(\b\w+): \[(\w+)\]")


def respell(source: str, rng: random.Random) -> str:
    source = _marker(source, rng)
    source = re.sub(r"gpu\.(global_id|local_id)\(([012])\)", lambda m: _id(m, rng), source)
    source = re.sub(r"gpu\.barrier\(\)", lambda m: rng.choice(
        ["gpu.barrier()", "gpu_barrier()", "gpu_sync()", "gpu_syncthreads()", "thread_group.barrier()",
         "gpu.barrier_and_fence()"]), source)
    source = re.sub(r"gpu\.atomic_(\w+)\(", lambda m: _atomic(m.group(1), rng), source)
    source = re.sub(r"shared val (\w+): \[(\w+); (\w+)\]", lambda m: rng.choice([
        m.group(0), f"shared {m.group(1)}: [{m.group(2)}; {m.group(3)}]",
        f"shared {m.group(1)}: Array[{m.group(2)}, {m.group(3)}]"]), source)
    return re.sub(r"^(\s*)pass$", lambda m: m.group(1) + rng.choice(["pass", "()"]), source, flags=re.M)


def _marker(source: str, rng: random.Random) -> str:
    """The kernel's marker and its writable buffer parameters' spelling."""
    m = re.search(r"^#\[gpu(\(local_size=[^\]]*\))?\]\nfn kernel\((.*)\):$", source, re.M)
    if m is None:  # @simd kernels keep their marker
        return source
    hint, params = m.group(1) or "", m.group(2)
    tag = f"@gpu(\"vulkan\", {hint[1:-1]})" if hint else "@gpu(\"vulkan\")"
    choices = [f"#[gpu{hint}]\nfn", f"@gpu{hint}\nfn", f"{tag}\nfn"]
    if not hint:
        choices += ["@gpu_kernel\nfn", "@vulkan_kernel\nfn", "kernel fn", "#[gpu(backend: Vulkan)]\nfn"]
    head = rng.choice(choices)
    tagged = head.startswith("@gpu(\"")
    params = BUFFER_PARAM.sub(lambda p: _buffer(p.group(1), p.group(2), tagged, rng), params)
    return source[:m.start()] + f"{head} kernel({params}):" + source[m.end():]


def _buffer(name: str, t: str, tagged: bool, rng: random.Random) -> str:
    if tagged:  # upstream's rule: a written bare buffer must be `mut`
        return rng.choice([f"mut {name}: [{t}]", f"{name}: &mut [{t}]"])
    return rng.choice([f"{name}: [{t}]", f"{name}: {t}[]", f"{name}: [{t}]_gpu", f"{name}: GpuArray<{t}>",
                       f"{name}: Buffer<{t}>", f"{name}: Array[{t}]", f"mut {name}: [{t}]"])


def _id(m: re.Match, rng: random.Random) -> str:
    name, dim = m.group(1), int(m.group(2))
    forms = [m.group(0), f"gpu_{name}({dim})", f"gpu_{name}_{AXES[dim]}()", f"vulkan_{name}_{AXES[dim]}()"]
    if name == "global_id":
        forms.append(f"this.index({dim})")
    else:
        forms += [f"gpu_thread_id({dim})", f"gpu_thread_id_{AXES[dim]}()"]
    return rng.choice(forms)


def _atomic(op: str, rng: random.Random) -> str:
    if op == "compare_exchange":
        return rng.choice(["gpu.atomic_compare_exchange(", "gpu.atomic_cas(", "gpu_atomic_cas("])
    return rng.choice([f"gpu.atomic_{op}(", f"gpu_atomic_{op}("])
