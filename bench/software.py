"""Software backend benchmark: a saxpy kernel over 1 Mi elements (and an atomic
counter hit by every work item), beside plain numpy `a*x+y` in the same run.

    .venv/bin/python bench/software.py [--n N] [--repeat R]

The kernel comes from fixtures/saxpy.spl when the front end is there, else it is
built as kernel IR here. It runs through the engine (`run_kernel`) and through the
Python API on the software backend (`module.saxpy(a, x, y)`: argument checks and
the local-size choice on top). Prints the best of R runs, in seconds.
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from simple_vkbackend.lowering import ir
from simple_vkbackend.software import run_kernel

ROOT = Path(__file__).resolve().parent.parent


def saxpy_ir() -> tuple[ir.Module, str]:
    i = ir.Var(ir.I32, "i")
    gid = ir.Builtin(ir.I32, "global_id", [], 0)
    ax = ir.Binary(ir.F32, "mul", ir.Var(ir.F32, "a"), ir.Index(ir.F32, "x", i))
    body = [ir.Assign(i, gid),
            ir.If(ir.Binary(ir.BOOL, "lt", i, ir.Len(ir.I32, "y")), ir.Block([
                ir.Assign(ir.Index(ir.F32, "y", i), ir.Binary(ir.F32, "add", ax, ir.Index(ir.F32, "y", i)))]))]
    kernel = ir.Kernel("saxpy", [ir.Param("a", ir.F32), ir.Param("x", ir.BufferType(ir.F32, False)),
                                 ir.Param("y", ir.BufferType(ir.F32))],
                       ir.Block(body), [ir.Local("i", ir.I32)])
    return ir.Module([kernel]), "built as IR"


def saxpy_module() -> tuple[ir.Module, str]:
    source = ROOT / "fixtures" / "saxpy.spl"
    try:
        from simple_vkbackend.frontend import compile_source
    except ImportError:
        return saxpy_ir()
    if not source.exists():
        return saxpy_ir()
    return compile_source(source.read_text(), str(source)), "fixtures/saxpy.spl"


def counter_module() -> ir.Module:
    gid = ir.Builtin(ir.I32, "global_id", [], 0)
    bump = ir.Atomic(ir.U32, "add", "c", ir.Const(ir.I32, 0), [ir.Const(ir.U32, 1)])
    kernel = ir.Kernel("counter", [ir.Param("c", ir.BufferType(ir.U32)), ir.Param("old", ir.BufferType(ir.U32))],
                       ir.Block([ir.Assign(ir.Index(ir.U32, "old", gid), bump)]))
    return ir.Module([kernel])


def best_of(repeat: int, fn) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1 << 20)
    parser.add_argument("--repeat", type=int, default=5)
    opts = parser.parse_args()
    n, rng = opts.n, np.random.default_rng(0)
    a, x = np.float32(2.5), rng.random(n, dtype=np.float32)
    y0 = rng.random(n, dtype=np.float32)

    module, origin = saxpy_module()
    kernel = module.kernels[0]
    scalar = next(p.name for p in kernel.params if not isinstance(p.type, ir.BufferType))
    bufs = [p.name for p in kernel.params if isinstance(p.type, ir.BufferType)]
    y = y0.copy()
    local = kernel.local_size or (256, 1, 1)
    software = best_of(opts.repeat, lambda: run_kernel(
        module, kernel.name, {scalar: a, bufs[0]: x, bufs[1]: y}, (n, 1, 1), local))
    y = y0.copy()
    run_kernel(module, kernel.name, {scalar: a, bufs[0]: x, bufs[1]: y}, (n, 1, 1), local)
    assert np.array_equal(y, a * x + y0), "software saxpy differs from numpy"
    anchor = best_of(opts.repeat, lambda: a * x + y0)

    import simple_vkbackend as svk
    api_module = svk.compile_ir(module, backend="software")
    y = y0.copy()
    through_api = best_of(opts.repeat, lambda: api_module[kernel.name](**{scalar: a, bufs[0]: x, bufs[1]: y}))
    y = y0.copy()
    api_module[kernel.name](**{scalar: a, bufs[0]: x, bufs[1]: y})
    assert np.array_equal(y, a * x + y0), "saxpy through the API differs from numpy"

    counter, old = np.zeros(1, dtype=np.uint32), np.zeros(n, dtype=np.uint32)

    def count():
        counter[0] = 0
        run_kernel(counter_module(), "counter", {"c": counter, "old": old}, (n, 1, 1), (256, 1, 1))
    atomics = best_of(opts.repeat, count)
    assert counter[0] == n

    print(f"saxpy ({origin}), n = {n}, best of {opts.repeat}")
    print(f"  engine (run_kernel):  {software:.5f} s")
    print(f"  API (module.{kernel.name}): {through_api:.5f} s")
    print(f"  numpy a*x+y (anchor): {anchor:.5f} s   ratio engine {software / anchor:.0f}x, "
          f"API {through_api / anchor:.0f}x")
    print(f"atomic_add counter hit by every work item, n = {n}: {atomics:.5f} s")


if __name__ == "__main__":
    main()
