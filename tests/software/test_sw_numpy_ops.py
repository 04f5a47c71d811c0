"""IR operator semantics of the software backend, against Python references."""
import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from fuzz_budget import examples

from simple_vkbackend.lowering import ir
from simple_vkbackend.software import numpy_ops as ops
from simple_vkbackend.software.values import dtype_of

pytestmark = pytest.mark.filterwarnings("error")  # no numpy warning may leak

INT_TYPES = [ir.I8, ir.I16, ir.I32, ir.I64, ir.U8, ir.U16, ir.U32, ir.U64]


def wrap(v: int, t: ir.ScalarType) -> int:
    v &= (1 << t.bits) - 1
    return v - (1 << t.bits) if t.is_signed and v >= 1 << (t.bits - 1) else v


def rust_div(a: int, b: int) -> int:
    if b == 0:
        return 0
    q = abs(a) // abs(b)
    return -q if (a < 0) != (b < 0) else q


def reference(name: str, t: ir.ScalarType, a: int, b: int) -> int:
    s = b & (t.bits - 1)
    results = {
        "add": lambda: a + b, "sub": lambda: a - b, "mul": lambda: a * b,
        "div": lambda: rust_div(a, b),
        "rem": lambda: 0 if b == 0 else a - b * rust_div(a, b),
        "shl": lambda: a << s, "shr": lambda: a >> s,
        "bitand": lambda: a & b, "bitor": lambda: a | b, "bitxor": lambda: a ^ b,
    }
    return wrap(results[name](), t)


def int_values(t: ir.ScalarType):
    info = np.iinfo(dtype_of(t))
    edges = st.sampled_from([info.min, info.max, 0, 1, -1 if t.is_signed else 2, info.min + 1])
    return st.one_of(edges, st.integers(int(info.min), int(info.max)))


def pairs(draw, t, n=8):
    return draw(st.lists(st.tuples(int_values(t), int_values(t)), min_size=1, max_size=n))


@settings(max_examples=examples(150), deadline=None)
@given(st.data(), st.sampled_from(INT_TYPES),
       st.sampled_from(["add", "sub", "mul", "div", "rem", "shl", "shr", "bitand", "bitor", "bitxor"]))
def test_integer_ops_wrap_truncate_and_mask_like_rust(data, t, name):
    values = pairs(data.draw, t)
    a = np.array([x for x, _ in values], dtype=dtype_of(t))
    b = np.array([y for _, y in values], dtype=dtype_of(t))
    got = ops.binary(name, t, a, b)
    assert got.dtype == dtype_of(t)
    assert [int(v) for v in got] == [reference(name, t, int(x), int(y)) for x, y in values]


@settings(max_examples=examples(100), deadline=None)
@given(st.data(), st.sampled_from(INT_TYPES))
def test_integer_pow_wraps_and_handles_negative_exponents(data, t):
    base = data.draw(st.lists(int_values(t), min_size=1, max_size=6))
    low = -5 if t.is_signed else 0
    exponent = data.draw(st.lists(st.integers(low, 70), min_size=len(base), max_size=len(base)))
    got = ops.binary("pow", t, np.array(base, dtype=dtype_of(t)), np.array(exponent, dtype=dtype_of(t)))

    def expected(x, e):
        if e >= 0:
            return wrap(x ** e, t)
        return 1 if x == 1 else (1 if e % 2 == 0 else -1) if x == -1 else 0
    assert [int(v) for v in got] == [expected(int(x), e) for x, e in zip(base, exponent)]


def test_division_signs_follow_the_dividend():
    a = np.array([7, -7, 7, -7], dtype=np.int32)
    b = np.array([2, 2, -2, -2], dtype=np.int32)
    assert ops.binary("div", ir.I32, a, b).tolist() == [3, -3, -3, 3]
    assert ops.binary("rem", ir.I32, a, b).tolist() == [1, -1, 1, -1]


def test_division_by_zero_and_min_over_minus_one_do_not_raise():
    a = np.array([5, -2**31, -2**31], dtype=np.int32)
    b = np.array([0, -1, 0], dtype=np.int32)
    assert ops.binary("div", ir.I32, a, b).tolist() == [0, -2**31, 0]
    assert ops.binary("rem", ir.I32, a, b).tolist() == [0, 0, 0]
    assert ops.binary("div", ir.U8, np.uint8([9]), np.uint8([0])).tolist() == [0]


def test_shift_right_is_arithmetic_on_signed_and_logical_on_unsigned():
    assert ops.binary("shr", ir.I32, np.int32([-16]), np.int32([2])).tolist() == [-4]
    assert ops.binary("shr", ir.U32, np.uint32([0xFFFFFFF0]), np.uint32([4])).tolist() == [0x0FFFFFFF]
    assert ops.binary("shl", ir.I32, np.int32([1, 1]), np.int32([32, 33])).tolist() == [1, 2]


def test_unary_ops_wrap():
    assert ops.unary("neg", ir.I32, np.int32([-2**31, 5])).tolist() == [-2**31, -5]
    assert ops.unary("neg", ir.U8, np.uint8([1])).tolist() == [255]
    assert ops.unary("bitnot", ir.I16, np.int16([0])).tolist() == [-1]
    assert ops.unary("not", ir.BOOL, np.array([True, False])).tolist() == [False, True]


# --------------------------------------------------------------------------- casts

FLOATS_FOR_CASTS = [0.0, -0.0, 1.9, -1.9, 2.5, -2.5, 127.9, 128.0, -128.5, -129.0, 255.7, 256.0,
                    3e9, -3e9, 1e19, 2e19, 1e30, -1e30, math.inf, -math.inf, math.nan]


def saturating_int(x: float, t: ir.ScalarType) -> int:
    info = np.iinfo(dtype_of(t))
    if math.isnan(x):
        return 0
    if x >= float(info.max) + 1:
        return int(info.max)
    if x < float(info.min):
        return int(info.min)
    return int(x)  # truncates toward zero


@pytest.mark.parametrize("src", [ir.F16, ir.F32, ir.F64])
@pytest.mark.parametrize("dst", INT_TYPES)
def test_float_to_int_truncates_toward_zero_and_saturates(src, dst):
    with np.errstate(over="ignore"):  # f16 cannot hold the largest inputs: they become inf
        x = np.array(FLOATS_FOR_CASTS, dtype=np.float64).astype(dtype_of(src))
    got = ops.cast(src, dst, x)
    assert got.dtype == dtype_of(dst)
    assert got.tolist() == [saturating_int(float(v), dst) for v in x]


@pytest.mark.parametrize("src", INT_TYPES)
@pytest.mark.parametrize("dst", INT_TYPES)
def test_int_to_int_wraps(src, dst):
    info = np.iinfo(dtype_of(src))
    x = np.array([info.min, info.max, 0, 1, 100, 70000 % (int(info.max) + 1)], dtype=dtype_of(src))
    assert ops.cast(src, dst, x).tolist() == [wrap(int(v), dst) for v in x]


def test_bool_casts():
    assert ops.cast(ir.F32, ir.BOOL, np.float32([0.0, -0.0, 0.5, np.nan])).tolist() == [False, False, True, True]
    assert ops.cast(ir.I32, ir.BOOL, np.int32([0, -3])).tolist() == [False, True]
    assert ops.cast(ir.BOOL, ir.F32, np.array([True, False])).tolist() == [1.0, 0.0]
    assert ops.cast(ir.BOOL, ir.U8, np.array([True])).dtype == np.uint8


def test_int_to_float_and_float_to_float_round_to_nearest():
    got = ops.cast(ir.I32, ir.F32, np.int32([16777217]))
    assert got.dtype == np.float32 and got.tolist() == [16777216.0]
    assert ops.cast(ir.F64, ir.F16, np.float64([1e6])).tolist() == [math.inf]
    assert ops.cast(ir.F32, ir.F64, np.float32([0.1])).tolist() == [float(np.float32(0.1))]


# --------------------------------------------------------------------------- floats stay in their type

FLOAT_TYPES = [ir.F16, ir.F32, ir.F64]


@pytest.mark.parametrize("t", FLOAT_TYPES)
@pytest.mark.parametrize("name", ["add", "sub", "mul", "div", "rem", "pow"])
def test_float_arithmetic_stays_in_its_type(t, name):
    a, b = np.array([1.5, -2.0, 0.0], dtype=dtype_of(t)), np.array([0.25, 3.0, 0.0], dtype=dtype_of(t))
    got = ops.binary(name, t, a, b)
    assert got.dtype == dtype_of(t)


def test_f32_addition_rounds_in_f32():
    big = np.float32([16777216.0])
    total = ops.binary("add", ir.F32, big, np.float32([1.0]))
    assert ops.binary("sub", ir.F32, total, big).tolist() == [0.0]  # f64 would give 1.0


def test_float_rem_takes_the_dividend_sign():
    assert ops.binary("rem", ir.F32, np.float32([-7.5, 7.5]), np.float32([2.0, -2.0])).tolist() == [-1.5, 1.5]


UNARY_MATH = ["sqrt", "rsqrt", "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh",
              "exp", "exp2", "log", "log2", "abs", "sign", "floor", "ceil", "round", "trunc", "fract"]


@pytest.mark.parametrize("t", FLOAT_TYPES)
@pytest.mark.parametrize("name", UNARY_MATH)
def test_unary_math_stays_in_its_type(t, name):
    x = np.array([0.25, -0.5, 2.0, 0.0, np.nan], dtype=dtype_of(t))
    assert ops.math(name, t, [x]).dtype == dtype_of(t)


@pytest.mark.parametrize("t", FLOAT_TYPES)
@pytest.mark.parametrize("name,arity", [("atan2", 2), ("pow", 2), ("min", 2), ("max", 2), ("clamp", 3),
                                        ("fma", 3), ("mix", 3), ("step", 2), ("smoothstep", 3)])
def test_multi_argument_math_stays_in_its_type(t, name, arity):
    args = [np.array([0.25, -0.5, 2.0], dtype=dtype_of(t)) + i for i in range(arity)]
    assert ops.math(name, t, args).dtype == dtype_of(t)


def test_round_goes_half_away_from_zero():
    x = np.float32([0.5, -0.5, 1.5, 2.5, -2.5, 0.49999997, 1.4999999, -0.0, np.inf])
    assert ops.math("round", ir.F32, [x]).tolist() == [1.0, -1.0, 2.0, 3.0, -3.0, 0.0, 1.0, -0.0, math.inf]


def test_shaped_math_builtins():
    f = np.float32
    assert ops.math("fract", ir.F32, [f([1.25, -1.25])]).tolist() == [0.25, 0.75]
    assert ops.math("sign", ir.F32, [f([-3.0, 0.0, 2.0])]).tolist() == [-1.0, 0.0, 1.0]
    assert ops.math("rsqrt", ir.F32, [f([4.0])]).tolist() == [0.5]
    assert ops.math("clamp", ir.F32, [f([-1.0, 0.5, 3.0]), f([0.0] * 3), f([1.0] * 3)]).tolist() == [0.0, 0.5, 1.0]
    assert ops.math("mix", ir.F32, [f([2.0]), f([4.0]), f([0.25])]).tolist() == [2.5]
    assert ops.math("step", ir.F32, [f([1.0, 1.0]), f([0.5, 1.0])]).tolist() == [0.0, 1.0]
    assert ops.math("smoothstep", ir.F32, [f([0.0] * 3), f([2.0] * 3), f([-1.0, 1.0, 3.0])]).tolist() == [0.0, 0.5, 1.0]
    assert ops.math("fma", ir.F32, [f([2.0]), f([3.0]), f([1.0])]).tolist() == [7.0]
    assert ops.math("isnan", ir.F32, [f([np.nan, 1.0])]).tolist() == [True, False]
    assert ops.math("isinf", ir.F64, [np.float64([-np.inf, 1.0])]).tolist() == [True, False]


def test_integer_math_builtins():
    i = np.int32
    assert ops.math("abs", ir.I32, [i([-5, -2**31])]).tolist() == [5, -2**31]
    assert ops.math("sign", ir.I32, [i([-5, 0, 9])]).tolist() == [-1, 0, 1]
    assert ops.math("min", ir.U32, [np.uint32([3, 9]), np.uint32([5, 1])]).tolist() == [3, 1]
    assert ops.math("clamp", ir.I32, [i([-9, 4, 99]), i([0] * 3), i([10] * 3)]).tolist() == [0, 4, 10]


def test_undefined_combinations_are_clear_errors():
    from simple_vkbackend.software import SoftwareExecutionError
    with pytest.raises(SoftwareExecutionError, match="'sqrt' is not defined on i32"):
        ops.math("sqrt", ir.I32, [np.int32([4])])
    with pytest.raises(SoftwareExecutionError, match="'shl' is not defined on f32"):
        ops.binary("shl", ir.F32, np.float32([1]), np.float32([1]))
