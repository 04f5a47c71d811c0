"""Helpers of the backend tests: the fixture cases of fixtures/cases.py, the
fixture kernels, and comparison with a reference."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures"


def load_cases() -> list:
    """CASES of fixtures/cases.py (a plain file, not a package)."""
    path = FIXTURES / "cases.py"
    if not path.exists():
        return []
    spec = importlib.util.spec_from_file_location("simple_fixture_cases", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses in it need their module registered
    spec.loader.exec_module(module)
    return list(module.CASES)


CASES = load_cases()

# y = a * x + y with its own range check: runs with any global size (the API tests' kernel)
GUARDED_SAXPY = """
#[gpu]
fn saxpy(a: f32, x: &[f32], y: [f32]):
    val i = gpu.global_id(0)
    if i < x.len() and i < len(y):
        y[i] = a * x[i] + y[i]
"""


def case_id(case) -> str:
    return f"{Path(case.file).stem}.{case.kernel}"


def fixture_kernels() -> list[tuple[Path, str]]:
    """(file, kernel) for every kernel of every fixtures/*.spl that compiles."""
    from simple_vkbackend.frontend import compile_file
    found = []
    for path in sorted(FIXTURES.glob("*.spl")):
        found += [(path, k.name) for k in compile_file(str(path)).kernels]
    return found


def assert_matches(name: str, got: np.ndarray, want: np.ndarray, case) -> None:
    """`got` equals the reference `want` within the case's tolerance (exact for integers)."""
    want = np.asarray(want)
    assert got.size == want.size, f"{name}: {got.size} elements, expected {want.size}"
    got, want = got.reshape(-1), want.reshape(-1)
    if got.dtype.kind == "f":
        np.testing.assert_allclose(got, want, rtol=case.rtol, atol=case.atol, err_msg=name)
    else:
        np.testing.assert_array_equal(got, want, err_msg=name)


def check_case_through_api(case, backend, bounds=None) -> None:
    """Run `case` through the public API on `backend` and compare with its reference
    (`bounds="trap"`: compiled with the bounds-trap debug option)."""
    import simple_vkbackend as svk

    try:
        module = svk.compile_file(FIXTURES / case.file, backend=backend, bounds=bounds)
    except svk.MissingFeatureError as e:  # cooperative matrices on a device without them
        pytest.skip(str(e))
    args = case.make_args(np.random.default_rng(1234))
    expected = case.reference({k: v.copy() if isinstance(v, np.ndarray) else v for k, v in args.items()})
    module[case.kernel](**args, global_size=case.global_size, local_size=case.local_size)
    for name, want in expected.items():
        assert_matches(name, args[name], want, case)


def run_argv(case, tmp_path: Path, backend: str) -> list:
    """`simple-vk` arguments running `case` on `backend` with .npy inputs written to
    `tmp_path`, saving the written buffers to `tmp_path / "out"`."""
    args = case.make_args(np.random.default_rng(1234))
    argv = ["run", FIXTURES / case.file, "--kernel", case.kernel, "--backend", backend,
            "--save", tmp_path / "out"]
    for name, value in args.items():
        if isinstance(value, np.ndarray):
            np.save(tmp_path / f"{name}.npy", value)
            value = tmp_path / f"{name}.npy"
        elif isinstance(value, (bool, np.bool_)):
            value = str(bool(value)).lower()
        else:
            value = repr(value.item() if isinstance(value, np.generic) else value)
        argv += ["--arg", f"{name}={value}"]
    if case.global_size is not None:
        argv += ["--global", ",".join(map(str, np.atleast_1d(case.global_size)))]
    if case.local_size is not None:
        argv += ["--local", ",".join(map(str, np.atleast_1d(case.local_size)))]
    return [str(a) for a in argv]


def case_expectation(case) -> dict:
    """The reference results of `case` for the inputs `run_argv` writes."""
    args = case.make_args(np.random.default_rng(1234))
    return case.reference(args)
