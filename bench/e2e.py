"""End-to-end benchmark: the generated saxpy beside a hand-written GLSL saxpy.

1. saxpy on 16 Mi f32 elements with the data kept on the device (Device, Buffer,
   Kernel): GB/s of the kernel generated from fixtures/saxpy.spl and of
   bench/saxpy.comp (compiled here with glslangValidator, same bindings, push
   constants and specialization-constant local size), dispatched by the same
   runtime in the same run, interleaved; the ratio (target >= 95%).
2. One `module.saxpy(x, y, a)` call on 1 Ki elements, transfers included (median).

Prints the figures and appends them to docs/benchmarks.md ("End to end").
Usage: .venv/bin/python bench/e2e.py [--repeat N] [--no-record]
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

import simple_vkbackend as svk
from simple_vkbackend.backends.vulkan import VulkanBackend
from simple_vkbackend.sizes import choose_local_size

ROOT = Path(__file__).resolve().parent.parent
SAXPY = ROOT / "fixtures" / "saxpy.spl"
HAND = ROOT / "bench" / "saxpy.comp"
RECORD = ROOT / "docs" / "benchmarks.md"
DATE = "2026-11-24"
N_LARGE = 16 * 1024 * 1024
N_SMALL = 1024
BYTES_PER_ELEMENT = 12  # read x, read y, write y (f32)


def glsl_to_spirv(source: Path) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "saxpy.spv"
        subprocess.run(["glslangValidator", "-V", "--target-env", "vulkan1.1", str(source), "-o", str(out)],
                       check=True, capture_output=True, text=True)
        return out.read_bytes()


def time_launches(kernels: dict, args: tuple, repeat: int) -> dict[str, list[float]]:
    """Seconds per launch (launch + sync) of each kernel, interleaved run by run."""
    times: dict[str, list[float]] = {name: [] for name in kernels}
    for _ in range(repeat):
        for name, kernel in kernels.items():
            start = time.perf_counter()
            kernel.launch(*args, global_size=N_LARGE)
            times[name].append(time.perf_counter() - start)
    return times


def bench_device_resident(module, device, repeat: int) -> dict:
    generated = module.kernel("saxpy", device)
    interface = module.compiled.interface("saxpy")
    hand = svk.Kernel(device, glsl_to_spirv(HAND), interface)
    rng = np.random.default_rng(0)
    x_host = rng.random(N_LARGE, dtype=np.float32)
    y_host = rng.random(N_LARGE, dtype=np.float32)
    a = np.float32(2.5)
    with device.buffer_from(x_host) as x, device.buffer_from(y_host) as y:
        args = tuple({"x": x, "y": y, "a": a}[p.name] for p in interface.params)
        for kernel in (generated, hand):  # warm-up, and a correctness check of both
            y.upload(y_host)
            kernel.launch(*args, global_size=N_LARGE)
            np.testing.assert_allclose(y.to_numpy(), a * x_host + y_host, rtol=1e-6)
        times = time_launches({"generated": generated, "hand": hand}, args, repeat)
    best = {name: min(t) for name, t in times.items()}
    median = {name: statistics.median(t) for name, t in times.items()}
    gbs = {name: BYTES_PER_ELEMENT * N_LARGE / t / 1e9 for name, t in best.items()}
    return {"gbs": gbs, "ratio": median["hand"] / median["generated"],
            "ratio_best": best["hand"] / best["generated"], "ms": {k: v * 1e3 for k, v in best.items()},
            "median_ms": {k: v * 1e3 for k, v in median.items()},
            "local_size": choose_local_size(interface, (N_LARGE, 1, 1), device.limits)}


def bench_call(module, repeat: int) -> float:
    """Median seconds of one module.saxpy call on N_SMALL elements."""
    x = np.arange(N_SMALL, dtype=np.float32)
    y = np.ones(N_SMALL, dtype=np.float32)
    names = [p.name for p in module.compiled.interface("saxpy").params]
    args = {"x": x, "y": y, "a": 2.0}
    module.saxpy(**{n: args[n] for n in names})  # compile and cache the kernel
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        module.saxpy(**{n: args[n] for n in names})
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def record(device_name: str, resident: dict, call_s: float, repeat: int) -> None:
    lines = [
        f"### {DATE}, {device_name}",
        "",
        f"`.venv/bin/python bench/e2e.py`: {repeat} interleaved blocking launches per kernel, data on "
        f"the device, local size {resident['local_size'][0]} for both, validation layer "
        f"{'on' if os.environ.get('SIMPLE_VK_VALIDATION') == '1' else 'off'}; GB/s counts 12 bytes "
        "per element (read x and y, write y) at the best time.",
        "",
        "| saxpy, 16 Mi f32 | best | median | GB/s |",
        "|---|---|---|---|",
        *[f"| {label} | {resident['ms'][k]:.2f} ms | {resident['median_ms'][k]:.2f} ms | {resident['gbs'][k]:.2f} |"
          for k, label in (("generated", "generated (fixtures/saxpy.spl)"),
                           ("hand", "hand-written GLSL (bench/saxpy.comp)"))],
        "",
        f"Generated / hand-written throughput: **{resident['ratio'] * 100:.1f}%** at the median "
        f"({resident['ratio_best'] * 100:.1f}% at the best time; target >= 95%).",
        "",
        f"One `module.saxpy(a, x, y)` call on {N_SMALL} elements, transfers included: "
        f"median **{call_s * 1e6:.0f} us**.",
        "",
        f"Load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs at the end of the run: absolute "
        "times on a shared machine move between runs; the interleaved ratio is the figure to compare.",
        "",
    ]
    text = RECORD.read_text() if RECORD.exists() else "# Benchmarks\n"
    if "## End to end" not in text:
        text = text.rstrip("\n") + "\n\n## End to end\n\n"
    RECORD.write_text(text.rstrip("\n") + "\n\n" + "\n".join(lines))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--no-record", action="store_true", help="print only; leave docs/benchmarks.md alone")
    opts = parser.parse_args()
    with svk.Device() as device:
        backend = VulkanBackend(device=device)
        module = svk.compile_file(SAXPY, backend=backend)
        resident = bench_device_resident(module, device, opts.repeat)
        call_s = bench_call(module, max(opts.repeat * 10, 50))
        backend.close()
    print(f"device: {device.name}")
    for name in ("generated", "hand"):
        print(f"saxpy 16 Mi f32, {name:9s}: best {resident['ms'][name]:8.2f} ms, median "
              f"{resident['median_ms'][name]:8.2f} ms, {resident['gbs'][name]:7.2f} GB/s")
    print(f"generated / hand-written: {resident['ratio'] * 100:.1f}% at the median, "
          f"{resident['ratio_best'] * 100:.1f}% at the best (target >= 95%)")
    print(f"module.saxpy on {N_SMALL} elements (transfers included): median {call_s * 1e6:.0f} us")
    if not opts.no_record:
        record(device.name, resident, call_s, opts.repeat)
        print(f"recorded in {RECORD.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
