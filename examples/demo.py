"""The main job (./run.sh): compile fixtures/saxpy.spl and run it end to end on the
default Vulkan device through the Python API, check the result against numpy, and
print the device, the sizes and OK. Exits 2 with a clear message on failure."""
from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

import simple_vkbackend as svk

SAXPY = Path(__file__).resolve().parent.parent / "fixtures" / "saxpy.spl"
N = 1 << 20


def main() -> int:
    rng = np.random.default_rng(0)
    x = rng.random(N, dtype=np.float32)
    y = rng.random(N, dtype=np.float32)
    a = np.float32(2.5)
    expected = a * x + y
    try:
        with svk.compile_file(SAXPY, backend="vulkan") as module:
            start = time.perf_counter()
            module.saxpy(a=a, x=x, y=y)
            elapsed = time.perf_counter() - start
            device = module.backend.device.name
            spirv_bytes = len(module.spirv("saxpy"))
    except svk.BackendError as err:
        print(f"demo: {' '.join(str(err).split())}", file=sys.stderr)
        return 2
    except Exception as err:  # compile errors, a missing fixture: a message, not a traceback
        message = " ".join(str(err).split())  # one line
        print(f"demo: {type(err).__name__}: {message}", file=sys.stderr)
        return 2
    print(f"device: {device}")
    print(f"kernel: saxpy from {SAXPY.name} ({spirv_bytes} bytes of SPIR-V), y = a * x + y")
    print(f"size:   {N} f32 elements ({3 * N * 4 / 2**20:.0f} MiB moved), "
          f"{elapsed * 1e3:.1f} ms including transfers")
    if not np.allclose(y, expected, rtol=1e-6, atol=1e-6):
        bad = int(np.count_nonzero(~np.isclose(y, expected, rtol=1e-6, atol=1e-6)))
        print(f"demo: {bad} of {N} results differ from numpy", file=sys.stderr)
        return 2
    print("result: correct (matches numpy within 1e-6)")
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
