"""Where a new process's start-up time goes: import, device creation, compile_file,
and the first launch split into its parts, with an empty on-disk cache (cold), a
filled one (warm) and the cache off; medians of several processes.

    .venv/bin/python bench/start.py [--reps N] [--no-write]

Columns (ms): numpy import; our import (the runtime and the API, as
`default_device()` imports them); device creation; compile_file; first launch, and
inside it the host glue (loaded from the cache, or JIT-compiled through llvmlite),
the kernel's SPIR-V facts (validation + reflection, or the cached verdict) and
pipeline creation; "ours" is compile_file + first launch. The flags say whether the
process imported llvmlite, loaded the glue from the cache, how many bytes of saved
pipeline cache data its device started with, and how many pipelines it created (in
brackets: how many the driver says came from that cache; lavapipe keeps none there).
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
SAXPY = ROOT / "fixtures" / "saxpy.spl"

CHILD = r"""
import time
t0 = time.perf_counter()
import numpy as np
t1 = time.perf_counter()
import simple_vkbackend as svk
from simple_vkbackend.vulkan import objects
t2 = time.perf_counter()
device = svk.default_device()
t3 = time.perf_counter()
import functools, json, sys
from simple_vkbackend.hostgen import jit
from simple_vkbackend.runtime import pipeline, kernel_facts
parts = {"glue": 0.0, "facts": 0.0, "pipeline": 0.0}

def timed(owner, name, part):
    inner = getattr(owner, name)
    @functools.wraps(inner)
    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return inner(*args, **kwargs)
        finally:
            parts[part] += time.perf_counter() - start
    setattr(owner, name, wrapper)

timed(jit.GlueLibrary, "__init__", "glue")
timed(kernel_facts, "checked_info", "facts")
timed(pipeline.Program, "_create_pipeline", "pipeline")
t4 = time.perf_counter()
module = svk.compile_file(PATH)
t5 = time.perf_counter()
y = np.zeros(1024, np.float32)
module.saxpy(2.0, np.ones(1024, np.float32), y)
t6 = time.perf_counter()
assert y[0] == 2.0
from simple_vkbackend.runtime.kernel import Kernel
programs = [k.program for k in device.runtime_device.children() if isinstance(k, Kernel)]
print(json.dumps({
    "numpy": t1 - t0, "import": t2 - t1, "device": t3 - t2, "compile": t5 - t4, "first": t6 - t5,
    **parts, "llvmlite": "llvmlite" in sys.modules,
    "glue_cached": module.compiled.runtime_state.loaded_from_cache,
    "pipeline_data": device.runtime_device.pipeline_cache_loaded, "device_name": device.name,
    "pipelines": sum(p.created for p in programs),
    "pipeline_hits": None if any(p.cache_hits is None for p in programs) else sum(p.cache_hits for p in programs)}))
"""


def run(env: dict) -> dict:
    code = CHILD.replace("PATH", repr(str(SAXPY)))
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def report(rows: dict[str, list[dict]], reps: int) -> str:
    times = ("numpy", "import", "device", "compile", "first", "glue", "facts", "pipeline")
    some = next(iter(rows.values()))[0]
    lines = [f"Device: {some['device_name']}",
             f"Date: {datetime.date.today().isoformat()}; validation layer off; median of {reps} processes, ms; "
             f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs",
             "", "| start | numpy | our import | device creation | compile_file | first launch | (glue "
             "| SPIR-V facts | pipeline) | ours | llvmlite imported | glue from cache | pipeline data loaded "
             "| pipelines (from the cache) |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for name, runs in rows.items():
        med = {k: 1e3 * statistics.median(r[k] for r in runs) for k in times}
        last = runs[-1]
        lines.append(
            f"| {name} | {med['numpy']:.0f} | {med['import']:.1f} | {med['device']:.1f} | {med['compile']:.1f} "
            f"| {med['first']:.1f} | {med['glue']:.1f} | {med['facts']:.1f} | {med['pipeline']:.1f} "
            f"| {med['compile'] + med['first']:.1f} | {'yes' if last['llvmlite'] else 'no'} "
            f"| {'yes' if last['glue_cached'] else 'no'} | {last['pipeline_data']} B "
            f"| {last['pipelines']} ({'?' if last['pipeline_hits'] is None else last['pipeline_hits']}) |")
    return "\n".join(lines)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--reps", type=int, default=7, help="processes per row (default 7)")
    p.add_argument("--no-write", action="store_true", help="do not update docs/benchmarks.md")
    args = p.parse_args()
    env = {**os.environ, "SIMPLE_VK_VALIDATION": "0"}
    env.pop("SIMPLE_VK_CACHE", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)   # an installed package has its bytecode: so must we
    run({**env, "SIMPLE_VK_CACHE": "0"})       # bytecode of every module written before timing
    rows: dict[str, list[dict]] = {"cold (empty cache)": [], "warm (cache filled)": [], "cache off": []}
    for _ in range(args.reps):
        with tempfile.TemporaryDirectory() as tmp:
            cached = {**env, "SIMPLE_VK_CACHE_DIR": tmp}
            rows["cold (empty cache)"].append(run(cached))
            rows["warm (cache filled)"].append(run(cached))
        rows["cache off"].append(run({**env, "SIMPLE_VK_CACHE": "0"}))
    from doc_section import publish
    publish(report(rows, args.reps), not args.no_write, "Start-up of a new process",
            "`.venv/bin/python bench/start.py`: where a new process's time goes (the first launch split "
            "into host glue, SPIR-V facts and pipeline creation).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
