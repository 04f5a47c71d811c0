"""The fast example kernels (examples/fast) beside their PyTorch/cuBLAS counterparts.

In one run, on the same data: saxpy (64 Mi and 256 Mi f32, GB/s; scalar and with
16-byte `vec[4, f32]` loads and stores), the sum of 64 Mi f32 (GB/s; scalar and
vec4 loads), the inclusive scan of 64 Mi f32 (`torch.cumsum`, 8 B/element), the row
softmax of 8192 x 8192 f32 (8 B/element), the f32 matmul 4096^3 (TFLOP/s, cuBLAS
with TF32 off; also with vec4 global loads and stores), and the f16 matmul 8192^3 on
cooperative matrices (f16 inputs, f32 accumulation; TFLOP/s beside cuBLAS FP16; tiles
loaded from the buffers, staged through shared memory element by element, staged
as 16x16 matrix copies, and the tuned kernels of matmul_f16_tiled.spl: 256 work items
per tile, 8-byte vector loads, register prefetch; skipped with a note on a device without
VK_KHR_cooperative_matrix). Every result is checked against numpy (or torch) first.
GPU times: the kernel launched many times without waiting between GPU timestamps
(ours) or CUDA events (torch), the median of five such runs, each workload first
launched for half a second so that the GPU's clocks are up (without it, a short
workload on an idle GPU reads up to 2.5x slow: seen on the H200 for saxpy 64 Mi).
torch is used only when it is
installed with CUDA; without it the table has our figures only.

Usage: python bench/vendor.py [--quick] [--repeat N] [--only NAME[,NAME]]
  --quick: small sizes (lavapipe, a CPU device: a smoke run in seconds).
"""
from __future__ import annotations

import argparse
import statistics
import importlib.util
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

import numpy as np

import simple_vkbackend as svk
from simple_vkbackend.backends.vulkan import VulkanBackend

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("fast_examples_host", ROOT / "examples" / "fast" / "host.py")
host = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(host)
GROUP = host.GROUP
TRIALS = 5      # timed runs of `repeat` launches per workload; the median is reported


@dataclass
class Result:
    name: str
    unit: str
    ours: float
    anchor: Optional[float] = None
    anchor_name: str = ""

    def line(self) -> str:
        ratio = f"{self.ours / self.anchor:6.2f}" if self.anchor else "     -"
        anchor = f"{self.anchor:10.4g} {self.unit:8s} ({self.anchor_name})" if self.anchor else "-"
        return f"{self.name:28s} {self.ours:10.4g} {self.unit:8s} {ratio}   {anchor}"


def load_torch():
    """torch with a CUDA device, or None."""
    try:
        import torch
    except ImportError:
        return None
    return torch if torch.cuda.is_available() else None


class Bench:
    def __init__(self, device, repeat: int, torch, warmup: float):
        self.device, self.repeat, self.torch, self.warmup = device, repeat, torch, warmup
        self.backend = VulkanBackend(device=device)
        self.modules: dict[str, svk.Module] = {}

    def kernel(self, example: str, name: str):
        if example not in self.modules:
            self.modules[example] = host.compile_example(example, self.backend)
        return self.modules[example].kernel(name)

    def seconds(self, launch: Callable[[], None]) -> float:
        """Per-iteration GPU time of `launch` (which submits without waiting): the
        median over TRIALS of `repeat` iterations between GPU timestamps, after
        launching for `warmup` seconds (a GPU idle before the run needs a few ms of
        work to raise its clocks: without the warm-up a short workload reads slow)."""
        self._warm_up(launch, self.device.sync)
        per_launch = []
        for _ in range(TRIALS):
            with self.device.timer() as timer:
                for _ in range(self.repeat):
                    launch()
            per_launch.append(timer.ms / 1e3 / self.repeat)
        return statistics.median(per_launch)

    def torch_seconds(self, fn: Callable[[], object]) -> float:
        """The same for a torch call: the median over TRIALS of CUDA-event times."""
        torch = self.torch
        self._warm_up(fn, torch.cuda.synchronize)
        per_call = []
        for _ in range(TRIALS):
            begin, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            begin.record()
            for _ in range(self.repeat):
                fn()
            end.record()
            torch.cuda.synchronize()
            per_call.append(begin.elapsed_time(end) / 1e3 / self.repeat)
        return statistics.median(per_call)

    def _warm_up(self, launch: Callable[[], object], sync: Callable[[], None]) -> None:
        launch()
        sync()
        until = time.perf_counter() + self.warmup
        while time.perf_counter() < until:
            for _ in range(self.repeat):
                launch()
            sync()

    # ------------------------------------------------------------------ workloads

    def saxpy(self, n: int, kernel: str = "saxpy", wide: bool = False) -> Result:
        """saxpy.spl (`kernel` "saxpy"), or saxpy_vec4.spl's "saxpy_vec4" (16-byte loads
        and stores; n a multiple of 4) or "saxpy_vec4x2" (two vectors per work item per
        iteration); `wide`: the vec4 kernels launched as host.saxpy_groups(wide=True)."""
        rng = np.random.default_rng(0)
        x, y = rng.standard_normal(n, dtype=np.float32), rng.standard_normal(n, dtype=np.float32)
        k = self.kernel("saxpy" if kernel == "saxpy" else "saxpy_vec4", kernel)
        bx, by = self.device.buffer_from(x), self.device.buffer_from(y)
        if kernel == "saxpy":
            size = host.groups_for(n) * GROUP
        else:
            size = host.saxpy_groups(n // 4, 2 if kernel == "saxpy_vec4x2" else 1, wide) * GROUP
        k.launch(1.5, bx, by, n, global_size=size)
        # contraction: a fused multiply-add rounds once, numpy twice (near cancellation
        # that is a whole relative difference): an absolute allowance of a few ulps of 1
        check(by.to_numpy(), np.float32(1.5) * x + y, 1e-6, "saxpy", atol=1e-6)
        t = self.seconds(lambda: k.launch(1.5, bx, by, n, global_size=size, wait=False))
        label = kernel.replace("saxpy_", "saxpy ") + (" wide" if wide else "")
        result = Result(f"{label} {n >> 20} Mi f32", "GB/s", 12 * n / t / 1e9)
        if self.torch:
            tx, ty = self.torch.from_numpy(x).cuda(), self.torch.from_numpy(y).cuda()
            result.anchor = 12 * n / self.torch_seconds(lambda: ty.add_(tx, alpha=1.5)) / 1e9
            result.anchor_name = "torch add_"
        return result

    def total(self, n: int, vec4: bool = False) -> Result:
        """reduce.spl, or with `vec4` reduce_vec4.spl (16-byte loads; n a multiple of 4)."""
        x = np.random.default_rng(1).random(n, dtype=np.float32)
        k = self.kernel("reduce_vec4", "sum_vec4") if vec4 else self.kernel("reduce", "sum")
        bx, out = self.device.buffer_from(x), self.device.buffer_from(np.zeros(1, np.float32))
        size = host.groups_for(n // 4 if vec4 else n) * GROUP
        k.launch(bx, out, n, global_size=size)
        check(out.to_numpy(), np.array([x.astype(np.float64).sum()]), 1e-4, "sum")
        # out accumulates over the timed launches; only the time matters there
        t = self.seconds(lambda: k.launch(bx, out, n, global_size=size, wait=False))
        result = Result(f"sum{' vec4' if vec4 else ''} {n >> 20} Mi f32", "GB/s", 4 * n / t / 1e9)
        if self.torch:
            tx = self.torch.from_numpy(x).cuda()
            result.anchor, result.anchor_name = 4 * n / self.torch_seconds(lambda: tx.sum()) / 1e9, "torch.sum"
        return result

    def scan(self, n: int, vec4: bool = False) -> Result:
        """scan.spl, or with `vec4` scan_vec4.spl (16-byte accesses, 4096-value blocks;
        n a multiple of 4)."""
        data = np.random.default_rng(2).integers(-4, 5, n).astype(np.float32)
        if vec4:
            example, names, block, multiple = "scan_vec4", ("block_sums_vec4", "scan_blocks_vec4"), \
                host.SCAN_VEC4_BLOCK, 4
        else:
            example, names, block, multiple = "scan", ("block_sums", "scan_blocks"), host.SCAN_BLOCK, 1
        sums_k, scan_k = (self.kernel(example, name) for name in names)
        sizes = host.scan_levels(n, block, multiple)
        # levels[i + 1] holds the block sums of levels[i] (and zeros up to the multiple;
        # the last level's "sums" are never read)
        levels = [self.device.buffer_from(data)]
        levels += [self.device.buffer_from(np.zeros(m, np.float32)) for m in sizes[1:] + [multiple]]

        def launch() -> None:
            for i in range(len(sizes) - 1):
                groups = -(-sizes[i] // block)
                sums_k.launch(levels[i], levels[i + 1], sizes[i], global_size=groups * GROUP, wait=False)
            for i in reversed(range(len(sizes))):
                groups = -(-sizes[i] // block)
                scan_k.launch(levels[i], levels[i + 1], sizes[i], global_size=groups * GROUP, wait=False)

        launch()
        self.device.sync()
        check(levels[0].to_numpy(), np.cumsum(data.astype(np.float64)), 0.0, "scan")
        t = self.seconds(launch)  # scans the scanned data again: the same work
        result = Result(f"inclusive scan{' vec4' if vec4 else ''} {n >> 20} Mi f32", "GB/s", 8 * n / t / 1e9)
        if self.torch:
            tx = self.torch.from_numpy(data).cuda()
            result.anchor = 8 * n / self.torch_seconds(lambda: self.torch.cumsum(tx, 0)) / 1e9
            result.anchor_name = "torch.cumsum"
        return result

    def softmax(self, rows: int, cols: int) -> Result:
        x = np.random.default_rng(3).standard_normal((rows, cols), dtype=np.float32)
        k = self.kernel("softmax", "softmax")
        bx, by = self.device.buffer_from(x.reshape(-1)), self.device.empty(rows * cols, np.float32)
        k.launch(bx, by, cols, global_size=rows * GROUP)
        e = np.exp(x - x.max(axis=1, keepdims=True))
        check(by.to_numpy().reshape(rows, cols), e / e.sum(axis=1, keepdims=True), 1e-5, "softmax")
        t = self.seconds(lambda: k.launch(bx, by, cols, global_size=rows * GROUP, wait=False))
        result = Result(f"softmax {rows}x{cols} f32", "GB/s", 8 * rows * cols / t / 1e9)
        if self.torch:
            tx = self.torch.from_numpy(x).cuda()
            result.anchor = 8 * rows * cols / self.torch_seconds(lambda: self.torch.softmax(tx, 1)) / 1e9
            result.anchor_name = "torch.softmax"
        return result

    def matmul(self, n: int, vec4: bool = False) -> Result:
        """matmul.spl, or with `vec4` matmul_vec4.spl (16-byte global loads and stores)."""
        rng = np.random.default_rng(4)
        a, b = rng.standard_normal((n, n), dtype=np.float32), rng.standard_normal((n, n), dtype=np.float32)
        k = self.kernel("matmul_vec4", "matmul_vec4") if vec4 else self.kernel("matmul", "matmul")
        ba, bb = self.device.buffer_from(a.reshape(-1)), self.device.buffer_from(b.reshape(-1))
        bc = self.device.empty(n * n, np.float32)
        grid = (n // 8, n // 8)
        k.launch(ba, bb, bc, n, global_size=grid)
        check(bc.to_numpy().reshape(n, n), a.astype(np.float64) @ b, 1e-3, "matmul", atol=1e-3 * np.sqrt(n))
        t = self.seconds(lambda: k.launch(ba, bb, bc, n, global_size=grid, wait=False))
        result = Result(f"matmul{' vec4' if vec4 else ''} f32 {n}^3", "TFLOP/s", 2 * n ** 3 / t / 1e12)
        if self.torch:
            self.torch.backends.cuda.matmul.allow_tf32 = False
            ta, tb = self.torch.from_numpy(a).cuda(), self.torch.from_numpy(b).cuda()
            result.anchor = 2 * n ** 3 / self.torch_seconds(lambda: ta @ tb) / 1e12
            result.anchor_name = "cuBLAS FP32, TF32 off"
        return result

    def matmul_f16(self, n: int, variant: str = "direct") -> Result:
        """examples/fast/matmul_f16.spl: `matmul_f16` (variant "direct": tiles loaded from
        the buffers), `matmul_f16_shared` ("shared": staged through shared memory element
        by element) or `matmul_f16_staged` ("staged": staged as 16x16 matrix copies); or a
        kernel of examples/fast/matmul_f16_tiled.spl, the variant its name (host.TILED)."""
        shared = variant != "direct"
        if "cooperativeMatrix" not in self.device.enabled_features:
            raise Skipped(f"f16 matmul {n}^3 ({variant}): skipped: {self.device.name} lacks "
                          f"VK_KHR_cooperative_matrix")
        rng = np.random.default_rng(5)
        a, b = (rng.standard_normal((n, n), dtype=np.float32).astype(np.float16) for _ in range(2))
        if variant in host.TILED:
            k = self.kernel("matmul_f16_tiled", variant)
        else:
            k = self.kernel("matmul_f16", {"direct": "matmul_f16", "shared": "matmul_f16_shared",
                                           "staged": "matmul_f16_staged"}[variant])
        ba, bb = self.device.buffer_from(a.reshape(-1)), self.device.buffer_from(b.reshape(-1))
        bc = self.device.empty(n * n, np.float32)
        if variant in host.TILED:
            size = host.tiled_launch_size(variant, n, n, n, self.device.info.subgroup_size)
        elif shared:
            size = (n // host.SHARED_BLOCK) ** 2 * 128
        else:
            blocks = (n // host.COOP_BLOCK) ** 2
            size = max(1, -(-blocks * self.device.info.subgroup_size // 128)) * 128
        k.launch(ba, bb, bc, n, n, n, global_size=size)
        rows = np.random.default_rng(6).choice(n, min(n, 64), replace=False)  # a sample: 8192^3 in f64 is slow
        want = a[rows].astype(np.float64) @ b.astype(np.float64)
        check(bc.to_numpy().reshape(n, n)[rows], want, 1e-3, "matmul_f16", atol=1e-3 * np.sqrt(n))
        t = self.seconds(lambda: k.launch(ba, bb, bc, n, n, n, global_size=size, wait=False))
        label = variant.removeprefix("matmul_f16_")
        result = Result(f"f16 matmul {n}^3 ({label})", "TFLOP/s", 2 * n ** 3 / t / 1e12)
        if self.torch:
            ta, tb = self.torch.from_numpy(a).cuda(), self.torch.from_numpy(b).cuda()
            result.anchor = 2 * n ** 3 / self.torch_seconds(lambda: ta @ tb) / 1e12
            result.anchor_name = "cuBLAS FP16"
        return result

    def close(self) -> None:
        self.modules.clear()
        self.backend.close()


class WrongResult(Exception):
    """A workload's result failed its check: it is reported, not timed."""


class Skipped(Exception):
    """A workload the device cannot run (a missing extension): a note, not a failure."""


def check(got: np.ndarray, want: np.ndarray, rtol: float, what: str, atol: float = 0.0) -> None:
    got = got.astype(np.float64)
    bad = ~np.isclose(got, want, rtol=rtol, atol=atol)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise WrongResult(f"{what}: wrong result at {i} ({int(bad.sum())} of {bad.size}): "
                          f"{got.ravel()[i]} != {np.ravel(want)[i]}")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="small sizes (a CPU device)")
    p.add_argument("--repeat", type=int, default=None, help="timed launches per workload")
    p.add_argument("--warmup", type=float, default=None,
                   help="seconds of launches before each timing (default 0.5; 0 with --quick)")
    p.add_argument("--only", default="",
                   help="comma-separated: saxpy,saxpy_vec4,saxpy_vec4_wide,saxpy_vec4x2,saxpy_vec4x2_wide,"
                        "sum,sum_vec4,scan,scan_vec4,softmax,matmul,matmul_vec4,"
                        "matmul_f16,matmul_f16_shared,matmul_f16_staged," + ",".join(host.TILED))
    args = p.parse_args(argv)
    if args.warmup is None:
        args.warmup = 0.0 if args.quick else 0.5
    mi = 1 << 20
    if args.quick:
        plan = {"saxpy": [mi], "saxpy_vec4": [mi], "saxpy_vec4_wide": [mi], "saxpy_vec4x2": [mi],
                "saxpy_vec4x2_wide": [mi], "sum": [mi], "sum_vec4": [mi], "scan": [mi], "scan_vec4": [mi],
                "softmax": [(256, 1024)], "matmul": [256], "matmul_vec4": [256],
                "matmul_f16": [256], "matmul_f16_shared": [256], "matmul_f16_staged": [256],
                **{name: [256] for name in host.TILED}}
    else:
        big = [64 * mi, 256 * mi]
        plan = {"saxpy": big, "saxpy_vec4": big, "saxpy_vec4_wide": big, "saxpy_vec4x2": big,
                "saxpy_vec4x2_wide": big, "sum": [64 * mi], "sum_vec4": [64 * mi], "scan": [64 * mi],
                "scan_vec4": [64 * mi],
                "softmax": [(8192, 8192)], "matmul": [4096], "matmul_vec4": [4096], "matmul_f16": [8192],
                "matmul_f16_shared": [8192], "matmul_f16_staged": [8192], **{name: [8192] for name in host.TILED}}
    only = [w for w in args.only.split(",") if w]
    device = svk.Device()
    torch = load_torch()
    print(f"device: {device.name}; anchors: {'torch ' + torch.__version__ if torch else 'none (no torch with CUDA)'}")
    bench = Bench(device, args.repeat or (3 if args.quick else 50), torch, args.warmup)
    print(f"{'workload':28s} {'ours':>10s} {'':8s} {'ratio':>6s}   anchor")
    failed = 0
    try:
        for name, sizes in plan.items():
            if only and name not in only:
                continue
            for size in sizes:
                run = {"saxpy": bench.saxpy, "saxpy_vec4": lambda n: bench.saxpy(n, "saxpy_vec4"),
                       "saxpy_vec4_wide": lambda n: bench.saxpy(n, "saxpy_vec4", wide=True),
                       "saxpy_vec4x2": lambda n: bench.saxpy(n, "saxpy_vec4x2"),
                       "saxpy_vec4x2_wide": lambda n: bench.saxpy(n, "saxpy_vec4x2", wide=True),
                       "sum": bench.total, "sum_vec4": lambda n: bench.total(n, vec4=True), "scan": bench.scan,
                       "scan_vec4": lambda n: bench.scan(n, vec4=True),
                       "softmax": lambda s: bench.softmax(*s), "matmul": bench.matmul,
                       "matmul_vec4": lambda n: bench.matmul(n, vec4=True),
                       "matmul_f16": bench.matmul_f16,
                       "matmul_f16_shared": lambda s: bench.matmul_f16(s, "shared"),
                       "matmul_f16_staged": lambda s: bench.matmul_f16(s, "staged"),
                       **{t: lambda s, t=t: bench.matmul_f16(s, t) for t in host.TILED}}[name]
                try:
                    print(run(size).line(), flush=True)
                except Skipped as note:
                    print(note, flush=True)
                except WrongResult as err:
                    failed += 1
                    print(f"{name}: WRONG RESULT, not timed: {err}", flush=True)
    finally:
        bench.close()
        device.close()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
