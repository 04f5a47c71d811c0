"""Running one program on two backends and comparing every buffer it writes.

`compare_buffers` is the rule of all differential tests: integers bit for bit;
floats exactly equal as numbers (so 0.0 == -0.0: Vulkan without the
SignedZeroInfNanPreserve execution mode need not keep the sign of a zero) and NaN
matching NaN, unless a tolerance is given (then `|a - b| <= atol + rtol * |b|`,
and infinities and NaNs must be the same).
"""
from __future__ import annotations

from typing import Iterable, Mapping, Optional

import numpy as np

import simple_vkbackend as svk

# Tolerances of "sink" buffers (simple_gen.SINK_MATH: functions a device may
# approximate). The Vulkan spec allows 4096 ulp for asin/acos/atan (about 2.4e-4
# relative in f32), an absolute 2^-11 for sin/cos, and derived bounds for tan,
# pow and the hyperbolic functions; f64 ones are computed in f32 by the lowering
# (GLSL.std.450 has no f64 transcendentals); f16 has 11 bits.
SINK_TOLERANCE = {"f16": (2e-2, 2e-2), "f32": (1e-3, 1e-3), "f64": (1e-3, 1e-3)}


def copy_args(args: Mapping) -> dict:
    return {k: v.copy() if isinstance(v, np.ndarray) else v for k, v in args.items()}


def mismatch(name: str, got: np.ndarray, want: np.ndarray, tolerance: Optional[tuple[float, float]] = None,
             labels: tuple[str, str] = ("vulkan", "software")) -> Optional[str]:
    """None when `got` matches `want`, else a message naming the first differences."""
    got, want = got.reshape(-1), want.reshape(-1)
    if got.dtype.kind != "f":
        bad = got != want
    elif tolerance is None:
        bad = ~((got == want) | (np.isnan(got) & np.isnan(want)))
    else:
        rtol, atol = tolerance
        with np.errstate(all="ignore"):
            wide_got, wide_want = got.astype(np.float64), want.astype(np.float64)
            close = np.abs(wide_got - wide_want) <= atol + rtol * np.abs(wide_want)
            same = (wide_got == wide_want) | (np.isnan(wide_got) & np.isnan(wide_want))
            finite = np.isfinite(wide_got) & np.isfinite(wide_want)
        bad = ~(same | (close & finite))
    if not bad.any():
        return None
    where = np.flatnonzero(bad)[:8]
    return (f"buffer {name}: {int(bad.sum())} of {got.size} elements differ, first at {where.tolist()}: "
            f"{labels[0]} {got[where].tolist()} != {labels[1]} {want[where].tolist()}")


def compare_buffers(names: Iterable[str], got: Mapping, want: Mapping,
                    tolerances: Mapping[str, tuple[float, float]] = {},
                    labels: tuple[str, str] = ("vulkan", "software")) -> list[str]:
    problems = [mismatch(n, got[n], want[n], tolerances.get(n), labels) for n in names]
    return [p for p in problems if p]


def run(module: svk.Module, kernel: str, args: Mapping, global_size, local_size) -> dict:
    """`kernel` on fresh copies of `args`; the arrays after the run."""
    args = copy_args(args)
    module[kernel](**args, global_size=global_size, local_size=local_size)
    return args
