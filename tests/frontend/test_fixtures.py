"""The fixture kernels and their cases: every fixture compiles to verified IR, every
kernel has a case, and every case's numpy reference agrees with what the kernel
computes (run on the software backend, the project's reference interpreter)."""
import numpy as np
import pytest

from simple_vkbackend.frontend import compile_file
from simple_vkbackend.lowering import ir
from simple_vkbackend.lowering.interface import DEFAULT_LOCAL_SIZES
from simple_vkbackend.lowering.ir.equal import ir_diff
from simple_vkbackend.lowering.ir.text import parse_module, print_module
from simple_vkbackend.lowering.ir.verify import verify_module
from simple_vkbackend.lowering.ir.walk import buffer_usage
from simple_vkbackend.software import run_kernel

from .util import FIXTURE_FILES, FIXTURES, load_cases

CASES = load_cases().CASES
DTYPES = {"i8": np.int8, "i16": np.int16, "i32": np.int32, "i64": np.int64, "u8": np.uint8, "u16": np.uint16,
          "u32": np.uint32, "u64": np.uint64, "f16": np.float16, "f32": np.float32, "f64": np.float64,
          "bool": np.bool_}


def module_of(file: str) -> ir.Module:
    return compile_file(FIXTURES / file)


def test_there_are_at_least_16_fixture_files():
    assert len(FIXTURE_FILES) >= 16


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=lambda p: p.name)
def test_fixture_compiles_to_verified_ir_that_round_trips_as_text(path):
    module = compile_file(path)
    verify_module(module)
    assert module.name == path.stem
    assert ir_diff(module, parse_module(print_module(module))) is None


def test_every_kernel_of_every_fixture_has_exactly_one_case():
    kernels = {(p.name, k.name) for p in FIXTURE_FILES for k in compile_file(p).kernels}
    cases = [(c.file, c.kernel) for c in CASES]
    assert sorted(cases) == sorted(kernels)


def test_saxpy_fixture_has_the_signature_benchmarks_use():
    k = module_of("saxpy.spl").kernel("saxpy")
    assert [(p.name, str(p.type)) for p in k.params] == [("a", "f32"), ("x", "rbuf<f32>"), ("y", "buf<f32>")]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_case_arguments_match_the_kernel_parameters(case):
    k = module_of(case.file).kernel(case.kernel)
    args = case.make_args(np.random.default_rng(0))
    assert list(args) == [p.name for p in k.params]
    for p in k.params:
        value = args[p.name]
        if isinstance(p.type, ir.BufferType):
            assert isinstance(value, np.ndarray) and value.ndim == 1 and value.flags.c_contiguous
            assert value.dtype == DTYPES[p.type.elem.name], p.name
        else:
            assert isinstance(value, np.generic) and value.dtype == DTYPES[p.type.name], p.name


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_case_reference_covers_exactly_the_written_buffers(case):
    k = module_of(case.file).kernel(case.kernel)
    args = case.make_args(np.random.default_rng(0))
    expected = case.reference(args)
    written = [name for name, use in buffer_usage(k).items() if use.written]
    assert sorted(expected) == sorted(written)
    for name, value in expected.items():
        assert value.dtype == args[name].dtype and value.shape == args[name].shape, name


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_case_reference_matches_the_kernel(case):
    module = module_of(case.file)
    k = module.kernel(case.kernel)
    args = case.make_args(np.random.default_rng(2024))
    inputs = {name: (v.copy() if isinstance(v, np.ndarray) else v) for name, v in args.items()}
    expected = case.reference(inputs)
    local = case.local_size or k.local_size or DEFAULT_LOCAL_SIZES[k.dims]
    run_kernel(module, case.kernel, args, case.global_size, local)
    for name, want in expected.items():
        np.testing.assert_allclose(args[name], want, rtol=case.rtol, atol=case.atol, err_msg=f"buffer {name}")


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_case_inputs_are_deterministic_and_not_mutated_by_the_reference(case):
    a = case.make_args(np.random.default_rng(7))
    b = case.make_args(np.random.default_rng(7))
    before = {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in a.items()}
    case.reference(a)
    for name in a:
        np.testing.assert_array_equal(a[name], b[name])
        np.testing.assert_array_equal(a[name], before[name])


def test_integer_results_are_compared_exactly():
    for case in CASES:
        args = case.make_args(np.random.default_rng(0))
        if all(np.issubdtype(v.dtype, np.integer) for v in case.reference(args).values()):
            assert (case.rtol, case.atol) == (0.0, 0.0), case.id


def test_mandelbrot_counts_do_not_depend_on_float_precision():
    cases = load_cases()
    args = cases.kernels.mandelbrot_args(np.random.default_rng(0))
    f32 = cases.kernels.mandelbrot_ref(args)["out"]
    f64 = cases.kernels.mandelbrot_ref(args, dtype=np.float64)["out"]
    np.testing.assert_array_equal(f32, f64)
    assert len(np.unique(f32)) > 10  # an interesting picture, not a flat one
