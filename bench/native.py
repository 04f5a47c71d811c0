"""Native-library benchmark: launch latency from C through librt_vk.so, beside the same
launches through ctypes (the table's callbacks, from Python) and the raw Vulkan baseline.

Builds librt_vk.so and bench/native_launch.c into a temporary folder, then alternates
epochs: the C program (its own process: the library starts the embedded interpreter)
and, in this process, the Python-side variants, each on a fresh device. Kernel: the
empty kernel, one work group of 64. Per variant: a blocking launch; a non-waiting launch
(the call alone); and a batch of non-waiting launches plus one sync, per launch. The
baseline (bench/baseline_vulkan.py, on the runtime's VkDevice and queue) is blocking
only: its single pre-recorded command buffer cannot be resubmitted while pending.
Validation layer off. Prints a table and writes docs/benchmarks.md ("Native library").

    .venv/bin/python bench/native.py [--quick] [--no-write]
"""
from __future__ import annotations

import ctypes
import datetime
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ["SIMPLE_VK_VALIDATION"] = "0"

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from runtime import abi, assemble, borrowed_baseline, sample  # noqa: E402  (bench/runtime.py)
from simple_vkbackend.runtime import Device  # noqa: E402
from simple_vkbackend.runtime.ffi import REGISTRY  # noqa: E402
from simple_vkbackend.runtime.native import build_library  # noqa: E402
from simple_vkbackend.runtime.native.build import find_compiler  # noqa: E402
from doc_section import bench_arguments, publish  # bench/ is on sys.path when a script runs



def build(tmp: Path) -> tuple[Path, Path]:
    lib = build_library(tmp / "lib")
    exe = tmp / "native_launch"
    subprocess.run([*find_compiler(), "-O2", f"-I{lib.directory}", str(HERE / "native_launch.c"), "-o", str(exe),
                    f"-L{lib.directory}", "-lrt_vk", f"-Wl,-rpath,{lib.directory}"], check=True)
    return lib.library, exe


def run_c(exe: Path, spv: Path, rounds: int, batch: int, results: dict) -> str:
    done = subprocess.run([str(exe), str(spv), str(rounds), str(batch)], capture_output=True, text=True,
                          check=True, env={**os.environ, "SIMPLE_VK_VALIDATION": "0"})
    values = dict(line.split(" ", 1) for line in done.stdout.splitlines())
    for key in ("blocking", "async_call", "async_amortized"):
        results.setdefault(("C via librt_vk.so", key), []).append(float(values[key]))
    results.setdefault(("C via librt_vk.so, rt_vulkan_* (record + submit_and_wait)", "blocking"), []).append(
        float(values["rt_vulkan"]))
    return values["device"]


def amortized(launch, sync, batch: int) -> float:
    t0 = time.perf_counter_ns()
    for _ in range(batch):
        launch()
    sync()
    return (time.perf_counter_ns() - t0) / 1000 / batch


def run_python(code: bytes, library: Path, rounds: int, batch: int, results: dict) -> None:
    dev_h = abi("rt_vk_device_create")()
    dev = REGISTRY.get(dev_h, Device)
    base = borrowed_baseline(dev, code, 4096)
    k = abi("rt_vk_kernel_compile")(dev_h, code, len(code))
    launch, launch_async, sync = abi("rt_vk_kernel_launch"), abi("rt_vk_kernel_launch_async"), abi("rt_vk_device_sync")
    lib = ctypes.CDLL(str(library))          # the library attached to this interpreter
    lib_launch = lib.rt_vk_kernel_launch
    lib_launch.restype = ctypes.c_int32
    lib_launch.argtypes = [ctypes.c_uint64, ctypes.c_void_p, ctypes.c_uint64] + [ctypes.c_uint32] * 6
    variants = {
        ("Python, ctypes to the table", "blocking"): lambda: launch(k, None, 0, 64, 1, 1, 64, 1, 1),
        ("Python, ctypes to the table", "async_call"): lambda: launch_async(k, None, 0, None, 0, 64, 1, 1, 64, 1, 1),
        ("Python, ctypes.CDLL(librt_vk.so)", "blocking"): lambda: lib_launch(k, None, 0, 64, 1, 1, 64, 1, 1),
        ("baseline (Vulkan binding, blocking)", "blocking"): base.launch,
        ("baseline, raw cffi calls", "blocking"): base.launch_raw,
    }
    for fn in variants.values():
        sample(fn, 50)
    sync(dev_h)
    for r in range(rounds):
        for key, fn in variants.items():
            results.setdefault(key, []).append(statistics.median(sample(fn, batch)))
        sync(dev_h)
        results.setdefault(("Python, ctypes to the table", "async_amortized"), []).append(
            amortized(variants[("Python, ctypes to the table", "async_call")], lambda: sync(dev_h), batch))
    abi("rt_vk_kernel_free")(k)
    base.close()
    abi("rt_vk_device_free")(dev_h)


def measure(quick: bool) -> dict:
    epochs, rounds, batch = (2, 4, 100) if quick else (5, 10, 400)
    code = assemble("empty")
    results: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        library, exe = build(Path(tmp))
        spv = Path(tmp) / "empty.spv"
        spv.write_bytes(code)
        for _ in range(epochs):
            device = run_c(exe, spv, rounds, batch, results)
            run_python(code, library, rounds, batch, results)
    return {"device": device, "epochs": epochs, "rounds": rounds, "batch": batch,
            "us": {key: statistics.median(v) for key, v in results.items()}}


def report(r: dict) -> str:
    us = r["us"]
    base = us[("baseline (Vulkan binding, blocking)", "blocking")]
    rows = ["C via librt_vk.so", "C via librt_vk.so, rt_vulkan_* (record + submit_and_wait)",
            "Python, ctypes to the table", "Python, ctypes.CDLL(librt_vk.so)",
            "baseline (Vulkan binding, blocking)", "baseline, raw cffi calls"]

    def cell(name, key):
        value = us.get((name, key))
        return "-" if value is None else f"{value:.1f}"
    lines = [f"Device: {r['device']}",
             f"Date: {datetime.date.today().isoformat()}; validation layer off; {r['epochs']} epochs "
             f"(fresh devices), each {r['rounds']} rounds of {r['batch']} launches per variant; "
             "medians of the per-round medians",
             "",
             "| caller | blocking launch (µs) | vs baseline | non-waiting call (µs) "
             "| non-waiting, per launch incl. sync (µs) |",
             "|---|---|---|---|---|"]
    for name in rows:
        blocking = us.get((name, "blocking"))
        ratio = f"{blocking / base:.2f}x" if blocking else "-"
        lines.append(f"| {name} | {cell(name, 'blocking')} | {ratio} | {cell(name, 'async_call')} "
                     f"| {cell(name, 'async_amortized')} |")
    lines += ["", "`C via librt_vk.so`: rt_vk_kernel_launch / rt_vk_kernel_launch_async from a C "
              "program (bench/native_launch.c); each call takes the GIL and runs the same Python "
              "implementation as the ctypes rows. `ctypes.CDLL(librt_vk.so)`: the library loaded "
              "into this Python process (attached to its interpreter), called through ctypes. "
              "The C rows come from the C program's own process (alternating epochs with this "
              "one), so their ratios compare across processes. `non-waiting, per launch incl. "
              "sync`: a round's launches submitted back to back, then one rt_vk_device_sync, "
              "divided by their number. The baseline has no non-waiting row (one pre-recorded "
              "command buffer)."]
    return "\n".join(lines)


HEADING = "Native library"
INTRO = ("`.venv/bin/python bench/native.py`: launch latency of the empty "
               "kernel from C through `librt_vk.so`, beside ctypes into the runtime's table and the "
               "hand-written Vulkan baseline, measured in the same run.")


def main() -> int:
    args = bench_arguments(__doc__.splitlines()[0]).parse_args()
    publish(report(measure(args.quick)), not args.no_write, HEADING, INTRO)
    return 0


if __name__ == "__main__":
    sys.exit(main())
