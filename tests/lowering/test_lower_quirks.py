"""The driver workaround table (lowering/quirks.py): each quirk's detour is emitted
only for the drivers that need it. Each driver id is faked through the Target (the
SPIR-V must validate and lose the detour); lavapipe, whose quirks they are, runs
both forms."""
from __future__ import annotations

import re

import numpy as np
import pytest

from lowering_irb import F32, I32, I64, assign, at, binop, buf, cast, const, gid, kernel, math, module, param
from simple_vkbackend.lowering.lower import Target, lower_kernel
from simple_vkbackend.lowering.quirks import ALL_QUIRKS, QUIRK_TABLE, Quirk, driver_version, quirks_for
from simple_vkbackend.runtime.spirv.tools import disassemble

DRIVERS = ("MESA_LLVMPIPE", "NVIDIA_PROPRIETARY", "AMD_PROPRIETARY", "MESA_RADV", "INTEL_OPEN_SOURCE_MESA")


def fma_module():
    i = gid()
    return module(kernel("k", [buf("a", F32, False), buf("out", F32)],
                         [assign(at("out", i), math("fma", at("a", i), at("a", i), const(1.0, F32)))]))


def math_module(name: str):
    i = gid()
    return module(kernel("k", [buf("a", F32, False), buf("out", F32)],
                         [assign(at("out", i), math(name, at("a", i)))]))


def widen_compare_module():
    """out[i] = (a[i] as i64) < 5 (as i32)."""
    i = gid()
    less = binop("lt", cast(at("a", i, I32), I64), const(5, I64))
    return module(kernel("k", [buf("a", I32, False), buf("out", I32)], [assign(at("out", i, I32), cast(less, I32))]))


def asm(mod, driver):
    target = Target(quirks=quirks_for(driver), driver=driver)
    return disassemble(lower_kernel(mod, "k", target).spirv)  # lower_kernel validates


def test_table_is_keyed_by_driver_and_unknown_means_every_quirk():
    assert quirks_for(None) == ALL_QUIRKS == Target().quirks
    assert quirks_for("MESA_LLVMPIPE", "Mesa 22.3.6 (LLVM 15.0.6)") == ALL_QUIRKS
    for driver in DRIVERS[1:]:
        assert quirks_for(driver, "580.1") == frozenset()
    assert {r.quirk for r in QUIRK_TABLE} == set(Quirk)
    assert driver_version("Mesa 22.3.6 (LLVM 15.0.6)") == (22, 3, 6) and driver_version("") is None


@pytest.mark.parametrize("driver", (None, *DRIVERS))
def test_fma_is_one_instruction(driver):
    """IEEE 754 defines fma of NaN (NaN): no NaN tests on any driver."""
    text = asm(fma_module(), driver)
    assert len(re.findall(r"OpExtInst %float %\w+ Fma", text)) == 1
    assert "OpIsNan" not in text and "OpSelect" not in text


@pytest.mark.parametrize("driver", DRIVERS)
def test_asin_is_glsl_asin_without_the_quirk(driver):
    text = asm(math_module("asin"), driver)
    quirk = Quirk.IMPRECISE_ASIN_ACOS in quirks_for(driver)
    assert ("Atan2" in text) is quirk and ("Asin" in text) is not quirk


@pytest.mark.parametrize("driver", DRIVERS)
def test_sign_extension_is_sconvert_without_the_quirk(driver):
    text = asm(widen_compare_module(), driver)
    assert ("OpSConvert" in text) is (Quirk.SCONVERT_COMPARE not in quirks_for(driver))


@pytest.mark.parametrize("driver", DRIVERS)
def test_min_keeps_its_nan_selects_everywhere(driver):
    """GLSL leaves FMin of NaN undefined (GPUs return the other operand): not a quirk."""
    i = gid()
    mod = module(kernel("k", [buf("a", F32, False), buf("out", F32)],
                        [assign(at("out", i), math("min", at("a", i), const(1.0, F32)))]))
    assert "OpIsNan" in asm(mod, driver)


# ------------------------------------------------------------------ on lavapipe

def run_on(gpu, mod, target, arrays):
    gpu.run(lower_kernel(mod, "k", target), arrays, {}, (1, 1, 1), (len(arrays[0]), 1, 1))
    return arrays[-1]


def test_lavapipe_needs_the_sconvert_quirk(gpu):
    """With the quirk the comparison is right; without it lavapipe gets it wrong
    (if a later Mesa fixes it, this test says so and the table gets a version)."""
    if gpu.device.info.driver_id != "MESA_LLVMPIPE":
        pytest.skip("lavapipe only")
    a = np.array([-7, 0, 4, 5, 6, 100, -2**31, 2**31 - 1], np.int32)
    want = (a.astype(np.int64) < 5).astype(np.int32)
    ok = run_on(gpu, widen_compare_module(), Target(), [a, np.zeros_like(a)])
    np.testing.assert_array_equal(ok, want)
    bad = run_on(gpu, widen_compare_module(), Target(quirks=frozenset()), [a, np.zeros_like(a)])
    assert (bad != want).any()


def test_fma_without_the_quirk_runs_on_lavapipe(gpu):
    a = np.array([1.5, -2.0, 3.25, 0.0], np.float32)
    out = run_on(gpu, fma_module(), Target(quirks=frozenset()), [a, np.zeros_like(a)])
    np.testing.assert_array_equal(out, a * a + np.float32(1.0))


def test_lavapipe_needs_the_asin_quirk(gpu):
    """lavapipe's own Asin is off by more than 1e-4 somewhere in [-1, 1]; the atan2
    form is within 2e-5 (if a later Mesa fixes Asin, this says so)."""
    if gpu.device.info.driver_id != "MESA_LLVMPIPE":
        pytest.skip("lavapipe only")
    a = np.linspace(-1, 1, 256).astype(np.float32)
    want = np.arcsin(a.astype(np.float64))
    fixed = run_on(gpu, math_module("asin"), Target(), [a, np.zeros_like(a)])
    native = run_on(gpu, math_module("asin"), Target(quirks=frozenset()), [a, np.zeros_like(a)])
    assert np.abs(fixed - want).max() < 2e-5
    assert np.abs(native - want).max() > 1e-4
