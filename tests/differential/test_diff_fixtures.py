"""Every fixture case on the Vulkan backend (lavapipe here) and on the software
backend, with the same random inputs for several seeds: integer buffers must be
identical, float buffers agree to a few ulp (on lavapipe they are bit-identical),
except where a case uses functions a device may approximate (below). The Vulkan
side is compiled exact (float arithmetic as written): by default a driver may
contract and reassociate, which the software backend does not."""
from __future__ import annotations

import numpy as np
import pytest

import simple_vkbackend as svk
from backend_helpers import CASES, FIXTURES, case_id
from diff_runner import compare_buffers, run

SEEDS = (11, 12, 13)
ULPS = 4  # the default float tolerance, relative, in units of the type's epsilon
# Cases whose float results come from functions Vulkan lets a device approximate:
# (rtol, atol), each with its reason.
APPROXIMATE = {
    # atan/atan2 (and asin/acos built on atan2) may be off by 4096 ulp (2.4e-4)
    # in the Vulkan spec; lavapipe's are within 2e-5; exp, log, pow, tan a few ulp.
    "math.math_float": (2.5e-4, 1e-6),
    # pow is exp2(y * log2(x)) on the device: lavapipe is within 3 ulp
    "bitops.powers": (1e-6, 0.0),
    # cooperative matrices: a device sums the products of a multiply-add in its own order
    # (f32 results near zero differ by more than a few ulp of themselves), and with an f16
    # accumulator it rounds after each step of k where the software backend rounds once
    "coop_matrix.tile_mm": (1e-4, 1e-4),
    "coop_matrix.shared_tiles": (1e-2, 1e-2),
    # fma may round once or twice in Vulkan (lavapipe: twice; NVIDIA and the software
    # backend: once): half an ulp of the product a*x (|a x| < 3) apart
    "exact.axpy_fast": (4 * 1.2e-7, 3e-7),
}


def tolerance(case, dtype: np.dtype) -> tuple[float, float]:
    return APPROXIMATE.get(case_id(case), (ULPS * float(np.finfo(dtype).eps), 0.0))


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_fixture_case_agrees_on_both_backends(case, vk_backend, sw_backend):
    try:
        on_vulkan = svk.compile_file(FIXTURES / case.file, backend=vk_backend, exact=True)
    except svk.MissingFeatureError as e:  # cooperative matrices on a device without them
        pytest.skip(str(e))
    on_software = svk.compile_file(FIXTURES / case.file, backend=sw_backend)
    written = list(case.reference(case.make_args(np.random.default_rng(0))))
    for seed in SEEDS:
        args = case.make_args(np.random.default_rng(seed))
        got = run(on_vulkan, case.kernel, args, case.global_size, case.local_size)
        want = run(on_software, case.kernel, args, case.global_size, case.local_size)
        tolerances = {n: tolerance(case, got[n].dtype) for n in written if got[n].dtype.kind == "f"}
        problems = compare_buffers(written, got, want, tolerances)
        assert not problems, f"seed {seed}: " + "\n".join(problems)


def test_default_tolerance_is_a_few_ulp():
    case = next(c for c in CASES if case_id(c) == "saxpy.saxpy")
    assert tolerance(case, np.dtype(np.float32)) == (ULPS * 2.0 ** -23, 0.0)
