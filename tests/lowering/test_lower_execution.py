"""Lowered kernels run on the Vulkan device (lavapipe here) and agree with numpy."""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import lowering_kernels as lk
from lowering_irb import BOOL, I32, U32
from device_runner import Runner
from simple_vkbackend import runtime
from simple_vkbackend.lowering import ir
from simple_vkbackend.lowering.lower import Target, lower_kernel
from simple_vkbackend.runtime.spirv.tools import optimize, validate
from simple_vkbackend.runtime.validation import recent_messages

DTYPES = {t: np.dtype(t.name.replace("i", "int").replace("u", "uint").replace("f", "float"))
          for t in lk.SCALAR_TYPES}
N = 300
RNG_SEED = 1234


@pytest.fixture(autouse=True)
def no_validation_messages():
    before = runtime.validation_message_count()
    yield
    assert runtime.validation_message_count() == before, recent_messages()


def launch(gpu: Runner, module: ir.Module, arrays, scalars=None, groups=None, n=N, target=Target()):
    """Lower the module's kernel and run it over `n` items (or `groups` work groups)."""
    kernel = lower_kernel(module, module.kernels[0].name, target)
    if not gpu.supports(kernel.interface.features):
        pytest.skip(f"device lacks {kernel.interface.features}")
    if groups is None:
        ls = kernel.interface.local_size[0]
        groups = ((n + ls - 1) // ls, 1, 1)
    gpu.run(kernel, arrays, scalars or {}, groups)
    return kernel


def wrap(values, t: ir.ScalarType) -> np.ndarray:
    mask = (1 << t.bits) - 1
    out = []
    for v in values:
        v &= mask
        if t.is_signed and v >> (t.bits - 1):
            v -= 1 << t.bits
        out.append(v)
    return np.array(out, dtype=DTYPES[t])


def random_ints(rng, t: ir.ScalarType, n=N) -> np.ndarray:
    info = np.iinfo(DTYPES[t])
    return rng.integers(info.min, info.max, size=n, dtype=DTYPES[t], endpoint=True)


# ---------------------------------------------------------------------------- integer arithmetic

def int_div(x: int, y: int) -> int:
    """Truncating; x / 0 = 0 (MIN / -1 wraps to MIN), as the lowering defines it."""
    if y == 0:
        return 0
    q = abs(x) // abs(y)
    return -q if (x < 0) != (y < 0) else q


def int_pow(x: int, y: int, bits: int) -> int:
    if y < 0:
        return 1 if x == 1 else (-1 if y % 2 else 1) if x == -1 else 0
    return pow(x, y, 1 << bits)


def int_reference(op: str, t: ir.ScalarType, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    s = t.bits - 1
    f = {
        "add": lambda x, y: x + y, "sub": lambda x, y: x - y, "mul": lambda x, y: x * y,
        "div": int_div, "rem": lambda x, y: x - y * int_div(x, y) if y else 0,
        "pow": lambda x, y: int_pow(x, y, t.bits),
        "bitand": lambda x, y: x & y, "bitor": lambda x, y: x | y, "bitxor": lambda x, y: x ^ y,
        "shl": lambda x, y: x << (y & s), "shr": lambda x, y: x >> (y & s),
        "lt": lambda x, y: int(x < y), "ne": lambda x, y: int(x != y), "eq": lambda x, y: int(x == y),
        "ge": lambda x, y: int(x >= y),
    }[op]
    values = [f(int(x), int(y)) for x, y in zip(a, b)]
    return wrap(values, I32 if op in ir.COMPARE_OPS else t)


def int_operands(rng, op: str, t: ir.ScalarType):
    a, b = random_ints(rng, t), random_ints(rng, t)
    if op in ("div", "rem"):
        b[:40] = rng.integers(-9 if t.is_signed else 0, 9, 40)  # small divisors, zero included
        b[40:45] = 0
        if t.is_signed:
            a[45:50], b[45:50] = np.iinfo(DTYPES[t]).min, -1  # the one overflowing quotient
    elif op == "pow":
        a[:100] = rng.integers(-3 if t.is_signed else 0, 4, 100)
        b[:] = rng.integers(-3 if t.is_signed else 0, 70, N)
    elif op in ("lt", "ne", "eq", "ge"):
        b[::3] = a[::3]
    return a, b


@pytest.mark.parametrize("t", lk.INT_TYPES, ids=str)
@pytest.mark.parametrize("op", ["add", "sub", "mul", "div", "rem", "pow", "bitand", "bitor", "bitxor",
                                "shl", "shr", "lt", "ne", "eq", "ge"])
def test_integer_binary_ops(gpu, op, t):
    rng = np.random.default_rng(RNG_SEED)
    a, b = int_operands(rng, op, t)
    out = np.zeros(N, dtype=np.int32 if op in ir.COMPARE_OPS else DTYPES[t])
    launch(gpu, lk.binary_op(op, t), [a, b, out], {"n": N})
    np.testing.assert_array_equal(out, int_reference(op, t, a, b))


@pytest.mark.parametrize("t", lk.INT_TYPES, ids=str)
def test_integer_unary_ops(gpu, t):
    rng = np.random.default_rng(RNG_SEED)
    a = random_ints(rng, t)
    for op, f in (("neg", lambda x: -x), ("bitnot", lambda x: ~x)):
        out = np.zeros(N, dtype=DTYPES[t])
        launch(gpu, lk.unary_op(op, t), [a, out], {"n": N})
        np.testing.assert_array_equal(out, wrap([f(int(x)) for x in a], t))


# ---------------------------------------------------------------------------- float arithmetic

def tolerance(t: ir.ScalarType) -> dict:
    return {16: dict(rtol=2e-3, atol=2e-3), 32: dict(rtol=2e-6, atol=1e-6), 64: dict(rtol=1e-12, atol=0)}[t.bits]


@pytest.mark.parametrize("t", lk.FLOAT_TYPES, ids=str)
@pytest.mark.parametrize("op", ["add", "sub", "mul", "div", "rem", "pow", "lt", "ne", "eq", "ge"])
def test_float_binary_ops(gpu, op, t):
    rng = np.random.default_rng(RNG_SEED)
    dt = DTYPES[t]
    a = (rng.standard_normal(N) * 10).astype(dt)
    b = (rng.standard_normal(N) * 10).astype(dt)
    if op == "pow":
        a = rng.uniform(-3, 3, N).astype(dt)
        a[:30] = [0, -0.0, 1, -1, 2, -2] * 5
        b = rng.uniform(-4, 4, N).astype(dt)
        b[::2] = rng.integers(-4, 5, N // 2)
    if op in ("lt", "ne", "eq", "ge"):
        b[::3] = a[::3]
        a[1], b[2] = np.nan, np.nan
    b[b == 0] = 1
    out = np.zeros(N, dtype=np.int32 if op in ir.COMPARE_OPS else dt)
    launch(gpu, lk.binary_op(op, t), [a, b, out], {"n": N})
    with np.errstate(all="ignore"):
        ref = {"add": np.add, "sub": np.subtract, "mul": np.multiply, "div": np.divide, "rem": np.fmod,
               "pow": np.power, "lt": np.less, "ne": np.not_equal, "eq": np.equal,
               "ge": np.greater_equal}[op](a, b)
    if op in ir.COMPARE_OPS:
        np.testing.assert_array_equal(out, ref.astype(np.int32))
    else:
        tol = dict(rtol=2e-6, atol=1e-6) if op == "pow" and t.bits == 64 else tolerance(t)
        if op == "pow" and t.bits == 32:
            tol = dict(rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(out, ref.astype(dt), equal_nan=True, **tol)


# ---------------------------------------------------------------------------- casts

def cast_inputs(rng, src: ir.ScalarType, dst: ir.ScalarType) -> np.ndarray:
    if src.is_bool:
        return rng.integers(-2, 3, N).astype(np.int32)
    dt = DTYPES[src]
    if src.is_float:
        if dst.is_int:
            info = np.iinfo(DTYPES[dst])
            hi = min(float(info.max), 60000.0 if src.bits == 16 else 2.0 ** 24)
            lo = max(float(info.min), -hi)
            values = rng.uniform(lo, hi, N)
        else:
            values = rng.standard_normal(N) * 1000
        values[:4] = [0.0, -0.0, 0.5, -0.75]
        if dst.is_int:  # out of range both ways, infinities and NaN saturate
            values[4:10] = [np.nan, np.inf, -np.inf, 1e30, -1e30, -1.5]
        with np.errstate(over="ignore"):  # 1e30 is inf in f16
            return values.astype(dt)
    values = random_ints(rng, src)
    if dst.is_float and dst.bits == 16:
        values = (values.astype(np.int64) % 30000).astype(dt)
    values[:3] = [0, 1, 2]
    return values


def cast_reference(a: np.ndarray, src: ir.ScalarType, dst: ir.ScalarType) -> np.ndarray:
    if dst.is_bool:
        return (a != 0).astype(np.int32)
    if src.is_bool:
        return (a != 0).astype(DTYPES[dst])
    if src.is_float and dst.is_int:  # saturating, NaN -> 0 (Rust's `as`)
        info = np.iinfo(DTYPES[dst])
        wide = np.nan_to_num(a.astype(np.float64), nan=0.0, posinf=np.inf, neginf=-np.inf)
        clipped = np.clip(np.trunc(wide), float(info.min), float(info.max))
        return np.array([int(v) if abs(v) < 2.0 ** 63 else (info.max if v > 0 else info.min)
                         for v in clipped], dtype=object).astype(DTYPES[dst])
    return a.astype(DTYPES[dst])


CAST_PAIRS = [(s, d) for s in lk.SCALAR_TYPES + (BOOL,) for d in lk.SCALAR_TYPES + (BOOL,) if s != d]


@pytest.mark.parametrize("src,dst", CAST_PAIRS, ids=[f"{s}-{d}" for s, d in CAST_PAIRS])
def test_casts(gpu, src, dst):
    rng = np.random.default_rng(RNG_SEED)
    a = cast_inputs(rng, src, dst)
    out = np.zeros(N, dtype=np.int32 if dst.is_bool else DTYPES[dst])
    launch(gpu, lk.cast_op(src, dst), [a, out], {"n": N})
    np.testing.assert_array_equal(out, cast_reference(a, src, dst))


# ---------------------------------------------------------------------------- control flow

def test_loops_with_break_and_continue(gpu):
    a = np.arange(N, dtype=np.int32) % 41
    out = np.zeros(N, dtype=np.int32)
    launch(gpu, lk.loops(), [a, out], {"n": N})

    def ref(x):
        acc = 0
        for j in range(x):
            if j % 3 == 0:
                continue
            if j > 20:
                break
            acc += j
        return acc + 1000 * (x % 3)
    np.testing.assert_array_equal(out, [ref(int(x)) for x in a])


def test_early_return(gpu):
    rng = np.random.default_rng(RNG_SEED)
    a = rng.integers(-50, 150, N).astype(np.int32)
    out = np.full(N + 50, 5, dtype=np.int32)
    launch(gpu, lk.early_return(), [a, out], {"n": N}, n=N + 50)
    expected = np.where((a >= 0) & (a < 100), a, -2)
    np.testing.assert_array_equal(out[:N], expected)
    np.testing.assert_array_equal(out[N:], 5)


def test_short_circuit_and_select(gpu):
    rng = np.random.default_rng(RNG_SEED)
    m = 200
    a = rng.integers(-10, 10, m).astype(np.int32)
    out = np.zeros(N, dtype=np.int32)
    launch(gpu, lk.short_circuit(), [a, out], {"m": m, "n": N})
    padded = np.concatenate([a, np.zeros(N - m, np.int32)])
    inside = np.arange(N) < m
    expected = ((inside & (padded > 0)).astype(np.int32) + 10 * ((~inside) | (padded < -5))
                + 1000 * np.where(inside, padded, 100))
    np.testing.assert_array_equal(out, expected)


def test_shared_memory_reduction_with_barriers(gpu):
    rng = np.random.default_rng(RNG_SEED)
    x = rng.integers(0, 100, 1000).astype(np.float32)
    groups = (1000 + 63) // 64
    out = np.zeros(groups, dtype=np.float32)
    launch(gpu, lk.reduction(64), [x, out], groups=(groups, 1, 1))
    padded = np.concatenate([x, np.zeros(groups * 64 - 1000, np.float32)])
    np.testing.assert_array_equal(out, padded.reshape(groups, 64).sum(axis=1))


def test_simd_bounds_checks_end_the_work_item(gpu):
    x = np.arange(1000, dtype=np.float32)
    out = np.full(1024, -7.0, dtype=np.float32)
    launch(gpu, lk.simd_scale(), [x, out], groups=(4, 1, 1))
    np.testing.assert_array_equal(out[:1000], 2 * x)
    np.testing.assert_array_equal(out[1000:], -7.0)


@pytest.mark.parametrize("dims", [2, 3])
def test_multidimensional_ids(gpu, dims):
    w, h = (10, 7) if dims == 2 else (5, 3)
    local = (4, 4, 1) if dims == 2 else (2, 2, 2)
    groups = ((w + local[0] - 1) // local[0], (h + local[1] - 1) // local[1], 1 if dims == 2 else 2)
    depth = groups[2] * local[2]
    out = np.full(w * h * depth, -1, dtype=np.int32)
    sizes = np.full(w * h * depth, -1, dtype=np.int32)
    launch(gpu, lk.grid(dims), [out, sizes], {"w": w, "h": h}, groups=groups)
    exp_out, exp_sizes = np.full_like(out, -1), np.full_like(sizes, -1)
    for z in range(depth):
        for y in range(h):
            for x in range(w):
                flat = (z * h + y) * w + x
                group = y // local[1] if dims == 2 else z // local[2]
                exp_out[flat] = x % local[0] + 100 * (y % local[1]) + 10000 * group
                exp_sizes[flat] = 1000 * groups[dims - 1] * local[dims - 1] + groups[0]
    np.testing.assert_array_equal(out, exp_out)
    np.testing.assert_array_equal(sizes, exp_sizes)


def test_helper_functions(gpu):
    a = np.linspace(-3, 3, N).astype(np.float32)
    out = np.zeros(N, dtype=np.float32)
    launch(gpu, lk.helpers(), [a, out], {"n": N})
    np.testing.assert_allclose(out, np.where(a < 0, 0, a * a) + 6 * a, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("flag", [False, True])
def test_push_constants_of_many_types_locals_and_constants(gpu, flag):
    out = np.zeros(N, dtype=np.int64)
    scalars = {"flag": flag, "small": -5, "half": 60000, "big": -(1 << 40), "d": 2.25, "scale": 1.5, "n": N}
    launch(gpu, lk.scalars_and_locals(), [out], scalars)
    total = -5 + 60000 - (1 << 40) + 4 + 5
    np.testing.assert_array_equal(out, -total if flag else total)


@pytest.mark.parametrize("t", lk.SCALAR_TYPES + (BOOL,), ids=str)
def test_shared_and_private_arrays_of_every_type(gpu, t):
    rng = np.random.default_rng(RNG_SEED)
    dt = np.dtype(np.int32) if t.is_bool else DTYPES[t]
    a = (rng.integers(-2, 3, 256) if t.is_bool or t.is_float else random_ints(rng, t, 256)).astype(dt)
    out = np.zeros(256, dtype=dt)
    launch(gpu, lk.typed_arrays(t), [a, out], groups=(4, 1, 1))
    expected = a.reshape(4, 64)[:, ::-1].reshape(-1)
    np.testing.assert_array_equal(out, (expected != 0).astype(dt) if t.is_bool else expected)


def test_lengths(gpu):
    a = np.zeros(13, dtype=np.uint8)
    out = np.zeros(4, dtype=np.int32)
    launch(gpu, lk.lengths(), [a, out], n=1)
    np.testing.assert_array_equal(out, [13, 4, 5, 3])


def test_index_of_every_integer_type(gpu):
    out = np.zeros(120, dtype=np.int32)
    launch(gpu, lk.index_types(), [out], {"n": 100}, n=100)
    np.testing.assert_array_equal(out, [8] * 100 + [0] * 20)


def test_fences_and_unused_buffers(gpu):
    out = np.zeros(N, dtype=np.uint32)
    launch(gpu, lk.fences(), [out], groups=(2, 1, 1))
    assert out[:N].tolist() == [1] * N
    ghost, lens = np.zeros(7, dtype=np.float32), np.zeros(256, dtype=np.int32)
    launch(gpu, lk.unused_buffer(), [ghost, lens], groups=(1, 1, 1))
    assert lens.tolist() == [7] * 256


# ---------------------------------------------------------------------------- atomics

ATOMIC_START = {I32: [0, 1000, 10 ** 6, -10 ** 6, -1, 0, 0, 5, 100, 0, 0],
                U32: [0, 1 << 31, 1 << 31, 0, 0xFFFFFFFF, 0, 0, 5, 100, 0, 0]}


@pytest.mark.parametrize("t", [I32, U32], ids=str)
def test_atomic_operations(gpu, t):
    dt = DTYPES[t]
    counters = np.array(ATOMIC_START[t], dtype=dt)
    start = counters.astype(np.int64)
    threads = 10 * 32  # the kernel has no guard: every invocation takes part
    olds = np.zeros(threads, dtype=dt)
    launch(gpu, lk.atomics(t), [counters, olds], groups=(10, 1, 1))
    v = (np.arange(threads) % 7 + 1).astype(np.int64)
    and_all, or_all, xor_all = int(start[4]), int(start[5]), int(start[6])
    for x in v:
        and_all, or_all, xor_all = and_all & int(x), or_all | int(x), xor_all ^ int(x)
    c = counters.astype(np.int64)
    assert c[0] == start[0] + v.sum()
    assert c[1] == wrap([int(start[1] - v.sum())], t)[0]
    assert c[2] == min(start[2], v.min()) and c[3] == max(start[3], v.max())
    assert wrap([and_all, or_all, xor_all], t).tolist() == [c[4], c[5], c[6]]
    assert c[7] in set(v.tolist())
    assert c[8] == start[8] + v.sum()
    o = olds.astype(np.int64)
    assert sorted(set(o.tolist()) | {int(c[8])}) == sorted(set((o + v).tolist()) | {int(start[8])})
    assert 1 <= c[9] <= threads
    assert c[10] == v.sum()


def test_atomic_compare_exchange(gpu):
    flags, olds = np.zeros(4, dtype=np.int32), np.zeros(N, dtype=np.int32)
    launch(gpu, lk.compare_exchange(), [flags, olds], {"n": N})
    i = np.arange(N)
    for s in range(4):
        mine = olds[i % 4 == s]
        winners = i[(i % 4 == s) & (olds == 0)]
        assert len(winners) == 1 and flags[s] == winners[0] + 1
        assert np.all((mine == 0) | (mine == flags[s]))


@pytest.mark.parametrize("native", [False, True], ids=["cas_loop", "native"])
def test_float_atomic_add(gpu, native):
    x = (np.arange(N) % 13 + 1).astype(np.float32)
    sums, olds = np.zeros(5, dtype=np.float32), np.zeros(N, dtype=np.float32)
    launch(gpu, lk.float_atomic_add(), [x, sums, olds], groups=((N + 15) // 16, 1, 1),
           target=Target(float_atomic_add=native))
    i = np.arange(N)
    for s in range(4):
        xs, os_ = x[i % 4 == s], olds[i % 4 == s]
        assert sums[s] == xs.sum()
        assert set((os_ + xs).tolist()) | {0.0} == set(os_.tolist()) | {float(sums[s])}
    assert sums[4] == x.sum()


# ---------------------------------------------------------------------------- math builtins

def math_inputs(rng, name: str, dt):
    domains = {"asin": (-1, 1), "acos": (-1, 1), "sqrt": (0.01, 50), "rsqrt": (0.01, 50), "log": (0.01, 50),
               "log2": (0.01, 50), "exp": (-5, 5), "exp2": (-5, 5), "tan": (-1.2, 1.2), "pow": (0.1, 4)}
    lo, hi = domains.get(name, (-4, 4))
    a, b, c = (rng.uniform(lo, hi, N).astype(dt) for _ in range(3))
    if name in ("round", "floor", "ceil", "trunc", "fract"):
        a[:8] = [0.5, -0.5, 1.5, -1.5, 2.5, -2.5, 0.49999997, -0.0]
    if name in ("clamp", "smoothstep"):
        lo_, hi_ = np.minimum(b, c), np.maximum(b, c) + 1
        if name == "clamp":
            b, c = lo_, hi_
        else:
            a, b, c = lo_, hi_, a
    if name == "mix":
        c = rng.uniform(0, 1, N).astype(dt)
    if name in ("isnan", "isinf"):
        a[:6] = [np.nan, np.inf, -np.inf, 0.0, 1.0, -np.nan]
    if name in ("min", "max", "clamp"):  # a NaN argument gives NaN
        a[8], b[9], c[10] = np.nan, np.nan, np.nan
    return a, b, c


def round_half_away(x):
    t = np.trunc(x)
    return np.where(np.abs(x - t) >= 0.5, t + np.sign(x), t)


FLOAT_MATH = {
    "sqrt": np.sqrt, "rsqrt": lambda a: 1 / np.sqrt(a), "sin": np.sin, "cos": np.cos, "tan": np.tan,
    "asin": np.arcsin, "acos": np.arccos, "atan": np.arctan, "sinh": np.sinh, "cosh": np.cosh,
    "tanh": np.tanh, "exp": np.exp, "exp2": np.exp2, "log": np.log, "log2": np.log2, "abs": np.abs,
    "sign": np.sign, "floor": np.floor, "ceil": np.ceil, "round": round_half_away, "trunc": np.trunc,
    "fract": lambda a: a - np.floor(a), "atan2": np.arctan2, "pow": np.power, "min": np.minimum,
    "max": np.maximum, "step": lambda e, x: np.where(x < e, 0, 1), "clamp": lambda x, lo, hi: np.minimum(np.maximum(x, lo), hi),
    "fma": lambda a, b, c: a * b + c, "mix": lambda x, y, a: x * (1 - a) + y * a,
    "smoothstep": lambda e0, e1, x: (lambda t: t * t * (3 - 2 * t))(np.clip((x - e0) / (e1 - e0), 0, 1)),
    "isnan": np.isnan, "isinf": np.isinf,
}
INVERSE_TRIG = {"asin", "acos", "atan", "atan2"}
EXACT_MATH = {"abs", "sign", "floor", "ceil", "round", "trunc", "min", "max", "step", "clamp", "isnan", "isinf"}


@pytest.mark.parametrize("t", lk.FLOAT_TYPES, ids=str)
@pytest.mark.parametrize("name", sorted(FLOAT_MATH))
def test_float_math_builtins(gpu, name, t):
    rng = np.random.default_rng(RNG_SEED)
    dt = DTYPES[t]
    args = math_inputs(rng, name, dt)
    arity = 3 if name in lk.TERNARY_MATH else 2 if name in lk.BINARY_MATH else 1
    out = np.zeros(N, dtype=np.int32 if name in ("isnan", "isinf") else dt)
    launch(gpu, lk.math_op(name, t), [*args[:arity], out], {"n": N})
    wide = [a.astype(np.float64) for a in args[:arity]]
    ref = FLOAT_MATH[name](*wide)
    if name in ("isnan", "isinf"):
        np.testing.assert_array_equal(out, ref.astype(np.int32))
    elif name in EXACT_MATH:
        np.testing.assert_array_equal(out, ref.astype(dt))
    else:
        tol = {16: dict(rtol=4e-3, atol=4e-3), 32: dict(rtol=1e-5, atol=1e-5), 64: dict(rtol=1e-6, atol=1e-6)}[t.bits]
        if name in INVERSE_TRIG and t.bits > 16:  # lavapipe's approximations are looser
            tol = dict(rtol=5e-5, atol=5e-6)
        np.testing.assert_allclose(out.astype(np.float64), ref, **tol)


@pytest.mark.parametrize("t", lk.INT_TYPES, ids=str)
@pytest.mark.parametrize("name", lk.INT_MATH)
def test_integer_math_builtins(gpu, name, t):
    rng = np.random.default_rng(RNG_SEED)
    a, b, c = random_ints(rng, t), random_ints(rng, t), random_ints(rng, t)
    if name == "clamp":
        b, c = np.minimum(b, c), np.maximum(b, c)
    arity = 3 if name == "clamp" else 2 if name in ("min", "max") else 1
    out = np.zeros(N, dtype=DTYPES[t])
    launch(gpu, lk.math_op(name, t), [a, b, c][:arity] + [out], {"n": N})
    x, y, z = ([int(v) for v in arr] for arr in (a, b, c))
    f = {"abs": lambda p, q, r: abs(p), "sign": lambda p, q, r: (p > 0) - (p < 0),
         "min": lambda p, q, r: min(p, q), "max": lambda p, q, r: max(p, q),
         "clamp": lambda p, q, r: min(max(p, q), r)}[name]
    np.testing.assert_array_equal(out, wrap([f(p, q, r) for p, q, r in zip(x, y, z)], t))


# ---------------------------------------------------------------------------- targets

@pytest.mark.parametrize("version", [(1, 3), (1, 4), (1, 5), (1, 6)])
def test_every_spirv_version_runs(gpu, version):
    rng = np.random.default_rng(RNG_SEED)
    x = rng.standard_normal(N).astype(np.float32)
    y = rng.standard_normal(N).astype(np.float32)
    expected = 2.5 * x + y
    from lowering_irb import saxpy
    launch(gpu, saxpy(), [x, y], {"a": 2.5, "n": N}, target=Target(spirv_version=version))
    np.testing.assert_allclose(y, expected, rtol=1e-6, atol=1e-6)  # a device may fuse into an fma


def test_spirv_opt_output_of_a_lowered_kernel_still_runs(gpu):
    lowered = lower_kernel(lk.reduction(64), "partial_sums")
    optimized = optimize(lowered.spirv, ("-O",), "vulkan1.1")
    validate(optimized, "vulkan1.1")
    assert optimized != lowered.spirv
    x = np.arange(640, dtype=np.float32)
    out = np.zeros(10, dtype=np.float32)
    gpu.run(dataclasses.replace(lowered, spirv=optimized), [x, out], {}, (10, 1, 1))
    np.testing.assert_array_equal(out, x.reshape(10, 64).sum(axis=1))
