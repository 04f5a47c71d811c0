"""Launch, start-up and transfer benchmark of the user-facing API, beside its anchors.

Prints, in one run (validation layer off):
  * blocking launch (µs, median): a one-group kernel through the Python API (a
    Kernel on device Buffers, and a module call with Buffers), through the rt_vk_* C
    table, raw Vulkan with a pre-recorded command buffer (bench/baseline_vulkan.py, on
    the same VkDevice), and torch op + synchronize when torch with CUDA is present;
  * per-launch cost (µs) of N non-waiting launches and one sync: Python API, C table
    (rt_vk_kernel_launch_async + rt_vk_device_sync), raw Vulkan with N dispatches in one
    submit, torch async ops + one synchronize;
  * a new process's start (ms): import + compile_file(saxpy) + first launch, with an
    empty cache (cold), with a filled cache (warm) and with the cache off, and how much
    of it is our own time (beyond device creation);
  * upload/download GB/s at 1, 64 and 256 MiB: Buffer.copy_from / copy_to from numpy,
    and buffers that are not host mapped by import and by pipelined staging, each on
    the same arrays again and on arrays new to it (the first transfer of an array),
    beside torch pageable and pinned copies when present.

    .venv/bin/python bench/launch.py [--quick] [--no-write] [--transfers-only]
"""
from __future__ import annotations

import datetime
import json
import os
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

import simple_vkbackend as svk  # noqa: E402
from baseline_vulkan import Baseline  # noqa: E402
from doc_section import bench_arguments, publish  # noqa: E402
from runtime import abi, assemble  # noqa: E402  (bench/runtime.py)

SAXPY = ROOT / "fixtures" / "saxpy.spl"
MIB = 1 << 20


def torch_cuda():
    """torch when it is installed and sees a CUDA device, else None."""
    try:
        import torch
    except Exception:  # noqa: BLE001 - any import failure means: no torch anchor
        return None
    try:
        return torch if torch.cuda.is_available() else None
    except Exception:  # noqa: BLE001
        return None


def median_us(fn, count: int, rounds: int) -> float:
    """Median over `rounds` of the mean µs per call of `count` calls."""
    fn()
    per_round = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(count):
            fn()
        per_round.append(1e6 * (time.perf_counter() - start) / count)
    return statistics.median(per_round)


# -------------------------------------------------------------------- launches

def launches(quick: bool) -> tuple[str, dict, dict]:
    count, rounds, batch = (100, 3, 50) if quick else (400, 7, 200)
    device = svk.default_device()
    module = svk.compile_file(SAXPY)
    kernel = module.kernel("saxpy")
    x, y = device.buffer_from(np.ones(64, np.float32)), device.buffer_from(np.zeros(64, np.float32))
    empty = assemble("empty")
    rt_dev = device.runtime_device
    base = Baseline(rt_dev.ctx.physical.handle, rt_dev.ctx.handle, rt_dev.ctx.queue,
                    rt_dev.ctx.physical.queue_family, empty, buffer_bytes=4096)
    launch_c, launch_async_c, sync_c = abi("rt_vk_kernel_launch"), abi("rt_vk_kernel_launch_async"), \
        abi("rt_vk_device_sync")
    k_h = abi("rt_vk_kernel_compile")(device.handle, empty, len(empty))
    hx, hy = np.ones(1024, np.float32), np.zeros(1024, np.float32)
    blocking = {
        "ours: Kernel.launch on Buffers": lambda: kernel.launch(2.0, x, y),
        "ours: module.saxpy(2.0, x, y) on 1 Ki numpy arrays (upload, launch, download)":
            lambda: module.saxpy(2.0, hx, hy),
        "ours: module.saxpy(2.0, x, y) on Buffers": lambda: module.saxpy(2.0, x, y),
        "ours: rt_vk_kernel_launch (C table)": lambda: launch_c(k_h, None, 0, 1, 1, 1, 1, 1, 1),
        "raw Vulkan: pre-recorded submit + fence wait": base.launch_raw,
    }
    results = {name: median_us(fn, count, rounds) for name, fn in blocking.items()}

    def api_batch():
        for _ in range(batch):
            kernel.launch(2.0, x, y, wait=False)
        device.sync()

    def c_batch():
        for _ in range(batch):
            launch_async_c(k_h, None, 0, None, 0, 1, 1, 1, 1, 1, 1)
        sync_c(device.handle)
    raw_batch = base.batch(batch)
    batched = {
        "ours: Kernel.launch(wait=False) x N + sync": median_us(api_batch, 1, rounds * 3) / batch,
        "ours: rt_vk_kernel_launch_async x N + rt_vk_device_sync": median_us(c_batch, 1, rounds * 3) / batch,
        "raw Vulkan: N dispatches in one submit": median_us(raw_batch, 1, rounds * 3) / batch,
    }
    torch = torch_cuda()
    if torch is not None:
        t = torch.ones(64, device="cuda")
        u = torch.zeros(64, device="cuda")

        def torch_blocking():
            u.add_(t, alpha=2.0)
            torch.cuda.synchronize()

        def torch_batch():
            for _ in range(batch):
                u.add_(t, alpha=2.0)
            torch.cuda.synchronize()
        results["torch: add_ + synchronize"] = median_us(torch_blocking, count, rounds)
        batched["torch: add_ x N + synchronize"] = median_us(torch_batch, 1, rounds * 3) / batch
    device.sync()
    abi("rt_vk_kernel_free")(k_h)
    base.close()
    kernel.free()
    module.close()
    for b in (x, y):
        b.free()
    return device.name, results, {"batch": batch, **batched}


# -------------------------------------------------------------------- start-up

START = r"""
import time
t0 = time.perf_counter()
import numpy as np
t1 = time.perf_counter()
import simple_vkbackend as svk
device = svk.default_device()
t2 = time.perf_counter()
module = svk.compile_file(PATH)
t3 = time.perf_counter()
y = np.zeros(1024, np.float32)
module.saxpy(2.0, np.ones(1024, np.float32), y)
t4 = time.perf_counter()
assert y[0] == 2.0
import json
print(json.dumps({"numpy": t1 - t0, "device": t2 - t1, "compile": t3 - t2, "first_launch": t4 - t3,
                  "total": t4 - t0}))
"""


def start_run(env: dict) -> dict:
    code = START.replace("PATH", repr(str(SAXPY)))
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    times = {k: 1e3 * v for k, v in json.loads(out.stdout.strip().splitlines()[-1]).items()}
    times["process"] = 1e3 * (time.perf_counter() - start)
    return times


def start_times(quick: bool) -> dict:
    reps = 2 if quick else 5
    env = {**os.environ, "SIMPLE_VK_VALIDATION": "0"}
    env.pop("SIMPLE_VK_CACHE", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)   # an installed package has its bytecode: so must we
    start_run({**env, "SIMPLE_VK_CACHE": "0"})  # bytecode of every module written before timing
    rows: dict = {"cold (empty cache)": [], "warm (cache filled)": [], "cache off": []}
    for _ in range(reps):
        with tempfile.TemporaryDirectory() as tmp:
            cached = {**env, "SIMPLE_VK_CACHE_DIR": tmp}
            rows["cold (empty cache)"].append(start_run(cached))
            rows["warm (cache filled)"].append(start_run(cached))
        rows["cache off"].append(start_run({**env, "SIMPLE_VK_CACHE": "0"}))
    return {name: {k: statistics.median(r[k] for r in runs) for k in runs[0]} for name, runs in rows.items()}


# -------------------------------------------------------------------- transfers

def gbps(fn, nbytes: int, reps: int) -> float:
    """GB/s of fn() repeated (the median time; one call before, unmeasured)."""
    fn()
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return nbytes / statistics.median(times) / 1e9


def first_gbps(fn, like: np.ndarray, reps: int) -> float:
    """GB/s of fn(array) on an array never transferred before (a new copy of `like`,
    its pages written, each time): what the first transfer of an array costs."""
    times = []
    for _ in range(reps):
        fresh = like.copy()
        start = time.perf_counter()
        fn(fresh)
        times.append(time.perf_counter() - start)
        del fresh
    return like.nbytes / statistics.median(times) / 1e9


SAME = "same arrays again"
NEW = "arrays new to it"


def transfers(quick: bool) -> dict:
    """Rows of GB/s (upload, download) per size: the default buffers (Buffer.copy_from /
    copy_to), then buffers that are not host mapped (as on a discrete GPU) by import
    and by pipelined staging, repeated on the same arrays and on arrays new to it."""
    device = svk.default_device()
    torch = torch_cuda()
    out: dict = {}
    for mib in (1, 64, 256):
        n = mib * MIB
        reps = (3 if quick else 7) if mib > 1 else (10 if quick else 50)
        host = np.random.default_rng(0).integers(0, 255, n, dtype=np.uint8)
        back = np.ones_like(host)
        row: dict = {}
        try:
            buf = device.empty(n, np.uint8)
        except svk.VulkanError as err:      # e.g. larger than the device's maxStorageBufferRange
            row[f"ours: Buffer.copy_from / copy_to, {SAME}"] = row[f"ours: Buffer.copy_from / copy_to, {NEW}"] = None
            print(f"note: {mib} MiB: {err}", file=sys.stderr)
        else:
            with buf:
                row[f"ours: Buffer.copy_from / copy_to, {SAME}"] = (gbps(lambda: buf.copy_from(host), n, reps),
                                                                    gbps(lambda: buf.copy_to(back), n, reps))
                assert np.array_equal(host, back), "transfer corrupted data"
                row[f"ours: Buffer.copy_from / copy_to, {NEW}"] = (first_gbps(buf.copy_from, host, reps),
                                                                   first_gbps(buf.copy_to, back, reps))
        for label, import_env, threads in (("host pages imported", "1", None),
                                           ("pipelined staging", "0", None),
                                           ("pipelined staging, one copy thread", "0", "1")):
            row.update(unmapped_gbps(host, back, label, import_env, threads, reps))
        if torch is not None:
            gpu = torch.empty(n, dtype=torch.uint8, device="cuda")
            page = torch.from_numpy(host)
            page_back = torch.from_numpy(back)
            pinned = page.pin_memory()
            pinned_back = torch.empty(n, dtype=torch.uint8).pin_memory()

            def sync_copy(dst, src):
                dst.copy_(src, non_blocking=True)
                torch.cuda.synchronize()
            row["torch pageable"] = (gbps(lambda: sync_copy(gpu, page), n, reps),
                                     gbps(lambda: sync_copy(page_back, gpu), n, reps))
            row["torch pinned"] = (gbps(lambda: sync_copy(gpu, pinned), n, reps),
                                   gbps(lambda: sync_copy(pinned_back, gpu), n, reps))
        out[mib] = row
    return out


def unmapped_gbps(host: np.ndarray, back: np.ndarray, label: str, import_env: str, threads, reps: int) -> dict:
    """Rows of (upload, download) GB/s of a device buffer that is not host mapped (as
    on a discrete GPU), host-memory import on or off, `threads` copy threads (None:
    the default); None where it cannot be made."""
    from simple_vkbackend import runtime
    prefix = f"ours, buffer not host-mapped: {label}"
    rows = {f"{prefix}, {SAME}": None, f"{prefix}, {NEW}": None} if import_env == "1" else {prefix: None}
    saved = {k: os.environ.get(k) for k in ("SIMPLE_VK_HOST_IMPORT", "SIMPLE_VK_COPY_THREADS")}
    os.environ["SIMPLE_VK_HOST_IMPORT"] = import_env
    if threads is not None:
        os.environ["SIMPLE_VK_COPY_THREADS"] = threads
    dev = None
    try:
        dev = runtime.Device(force_staging=True)
        if import_env == "1" and "host_registry" not in dev.ctx.extra:
            return rows
        buf = dev.alloc(host.nbytes)
        n = host.nbytes
        same = (gbps(lambda: buf.upload_from(host.ctypes.data, n, owner=host), n, reps),
                gbps(lambda: buf.download_to(back.ctypes.data, n, owner=back), n, reps))
        assert np.array_equal(host, back), "transfer corrupted data"
        if import_env != "1":
            return {prefix: same}
        new = (first_gbps(lambda a: buf.upload_from(a.ctypes.data, n, owner=a), host, reps),
               first_gbps(lambda a: buf.download_to(a.ctypes.data, n, owner=a), back, reps))
        return {f"{prefix}, {SAME}": same, f"{prefix}, {NEW}": new}
    except runtime.RuntimeFailure as err:
        print(f"note: {prefix}: {err}", file=sys.stderr)
        return rows
    finally:
        if dev is not None:
            dev.free()
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


# -------------------------------------------------------------------- report

def report(name: str, blocking: dict, batched: dict, start: dict, moves: dict, torch_note: str) -> str:
    lines = [f"Device: {name}", f"Date: {datetime.date.today().isoformat()}; validation layer off; {torch_note}",
             "", "| blocking launch | µs (median) |", "|---|---|"]
    lines += [f"| {k} | {v:.1f} |" for k, v in blocking.items()]
    lines += ["", f"| {batched['batch']} non-waiting launches + one sync | µs per launch |", "|---|---|"]
    lines += [f"| {k} | {v:.2f} |" for k, v in batched.items() if k != "batch"]
    lines += ["", "| new process: import + compile_file(saxpy) + first launch | process (ms) | numpy import "
              "| import + device creation | compile_file | first launch | ours (compile + first launch) |",
              "|---|---|---|---|---|---|---|"]
    for k, t in start.items():
        lines.append(f"| {k} | {t['process']:.0f} | {t['numpy']:.0f} | {t['device']:.0f} | {t['compile']:.1f} "
                     f"| {t['first_launch']:.1f} | {t['compile'] + t['first_launch']:.1f} |")
    return "\n".join(lines + ["", transfer_table(moves)])


def transfer_table(moves: dict) -> str:
    lines = ["| transfer (GB/s, upload / download) | 1 MiB | 64 MiB | 256 MiB |", "|---|---|---|---|"]
    for k in moves[1]:
        cells = [f"{moves[m][k][0]:.2f} / {moves[m][k][1]:.2f}" if moves[m][k] else "n/a"
                 for m in (1, 64, 256)]
        lines.append(f"| {k} | {' | '.join(cells)} |")
    lines += ["", "n/a: a buffer that size exceeds the device's maxStorageBufferRange (or the device "
              "cannot import host memory). Same arrays again: the median of repeated transfers of one "
              "array (its import, where made, is kept); arrays new to it: each transfer on an array "
              "never transferred before (the first transfer pays the import's page pinning; its release, "
              "when the array dies, is not timed)."]
    return "\n".join(lines)


HEADING = "Launches, start-up and transfers"
INTRO = ("`.venv/bin/python bench/launch.py`: the "
               "user-facing API against raw Vulkan and (when present) torch, measured in the same "
               "run.")


def main() -> int:
    p = bench_arguments(__doc__.splitlines()[0])
    p.add_argument("--transfers-only", action="store_true",
                   help="only the transfer table (printed, never written to the docs)")
    args = p.parse_args()
    if args.transfers_only:
        print(f"Device: {svk.default_device().name}\nDate: {datetime.date.today().isoformat()}; "
              "validation layer off\n")
        print(transfer_table(transfers(args.quick)))
        return 0
    torch = torch_cuda()
    torch_note = f"torch {torch.__version__} on {torch.cuda.get_device_name()}" if torch else \
        "torch rows skipped (no torch with CUDA here)"
    name, blocking, batched = launches(args.quick)
    moves = transfers(args.quick)
    start = start_times(args.quick)
    publish(report(name, blocking, batched, start, moves, torch_note), not args.no_write, HEADING, INTRO)
    return 0


if __name__ == "__main__":
    sys.exit(main())
