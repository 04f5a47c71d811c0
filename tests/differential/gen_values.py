"""Types, configuration and results of the random Simple kernel generator
(simple_gen.py): scalar-type tables, `GenConfig`, the `Program` it draws with its
`Buffer`s, and the input data each program is launched with (`Program.make_args`)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np

INTS = ("i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64")
FLOATS = ("f16", "f32", "f64")
NUMERIC = INTS + FLOATS
SCALARS = NUMERIC + ("bool",)
NARROWER = {"i64": "i32", "u64": "u32", "f64": "f32"}  # implicit exact widenings
IN_LEN = 64  # elements of each input buffer
ATOMIC_TYPES = ("i32", "u32", "f32")  # f32: add only, of whole numbers below 16
ATOMIC_FAMILIES = (("add", "sub"), ("and",), ("or",), ("xor",), ("min",), ("max",))
INT_COMPOUND = ("+=", "-=", "*=", "&=", "|=", "^=", "<<=", ">>=", "/=", "%=")
FLOAT_BOUND = {"f16": "256.0", "f32": "1e15", "f64": "1e100"}  # products stay finite
# approximated math: name -> (arity, argument range)
SINK_MATH = {"sin": (1, 3.0), "cos": (1, 3.0), "tan": (1, 1.2), "asin": (1, 0.9), "acos": (1, 0.9),
             "atan": (1, 8.0), "atan2": (2, 8.0), "sinh": (1, 4.0), "cosh": (1, 4.0), "tanh": (1, 4.0),
             "exp": (1, 8.0), "exp2": (1, 8.0), "log": (1, 0.0), "log2": (1, 0.0), "pow": (2, 0.0),
             "rsqrt": (1, 0.0), "fma": (3, 8.0), "mix": (3, 8.0), "smoothstep": (3, 8.0)}
POSITIVE_MATH = ("log", "log2", "pow", "rsqrt")  # arguments in [0.5, 8]


def dtype(t: str) -> np.dtype:
    return np.dtype("bool" if t == "bool" else {"i": "int", "u": "uint", "f": "float"}[t[0]] + t[1:])


def bits(t: str) -> int:
    return int(t[1:])


def int_range(t: str) -> tuple[int, int]:
    b = bits(t)
    return (-(1 << (b - 1)), (1 << (b - 1)) - 1) if t[0] == "i" else (0, (1 << b) - 1)


@dataclass(frozen=True)
class GenConfig:
    types: tuple[str, ...] = SCALARS
    max_helpers: int = 3
    max_locals: int = 6
    max_stmts: int = 5
    max_depth: int = 3  # nesting of if/loop
    max_expr_depth: int = 3
    shared: bool = True
    atomics: bool = True
    sinks: bool = True
    raw_division: bool = True  # allow x / 0 and MIN / -1 (defined by the IR)
    private: bool = True  # private arrays in the kernel
    simd: bool = True  # some kernels are @simd, with unmasked buffer reads
    vectors: bool = True  # vector loads `vec[N, T].load(in_T, k * N)` and vector arithmetic


@dataclass
class Buffer:
    name: str
    type: str
    length: int
    role: str  # "in", "out", "acc", "own", "sink"
    families: tuple[str, ...] = ()  # "acc": the atomic operation family of each slot


@dataclass
class Program:
    source: str
    kernel: str
    global_size: tuple[int, int]
    local_size: Optional[tuple[int, int]]  # None: the kernel's hint
    buffers: list[Buffer]
    scalars: list[tuple[str, str, object]]  # (name, type, value)
    data_seed: int
    opaque_source: str = ""

    def make_args(self) -> dict:
        """The kernel's arguments in parameter order: fresh arrays each call."""
        rng = np.random.default_rng(self.data_seed)
        args: dict = {b.name: buffer_data(rng, b) for b in self.buffers}
        for name, t, value in self.scalars:
            args[name] = dtype(t).type(value)
        return args

    @property
    def written(self) -> list[Buffer]:
        return [b for b in self.buffers if b.role != "in"]


def buffer_data(rng: np.random.Generator, b: Buffer) -> np.ndarray:
    if b.role == "acc":
        return acc_initial(b)
    if b.role in ("out", "sink"):
        return np.zeros(b.length, dtype(b.type))
    return random_values(rng, b.type, b.length)


def acc_initial(b: Buffer) -> np.ndarray:
    return np.array([family_start(b.type, (f,)) for f in b.families], dtype(b.type))


def random_values(rng: np.random.Generator, t: str, n: int) -> np.ndarray:
    """Values of type `t` with many small ones, the type's edges and, for floats,
    zeros of both signs now and then (never infinities or NaN)."""
    if t in INTS:
        lo, hi = int_range(t)
        small = rng.integers(-20, 21, n)
        wide = rng.integers(lo, hi, n, endpoint=True, dtype=np.int64 if t != "u64" else np.uint64)
        edges = rng.choice(np.array([lo, hi, lo + 1, hi - 1, 0, 1], dtype=object), n)
        pick = rng.integers(0, 10, n)
        values = np.where(pick < 5, small, np.where(pick < 8, wide.astype(object), edges))
        return np.array([int(v) % (1 << bits(t)) for v in values], dtype=np.uint64).astype(
            f"uint{bits(t)}").view(dtype(t))
    quarters = rng.integers(-400, 401, n) / 4
    uniform = rng.uniform(-10, 10, n)
    special = rng.choice(np.array([0.0, -0.0, 1.0, -1.0, 0.5, 1e-3, 1000.0]), n)
    pick = rng.integers(0, 20, n)
    values = np.where(pick < 10, quarters, np.where(pick < 18, uniform, special))
    return values.astype(dtype(t))


def family_start(t: str, family: tuple[str, ...]):
    """The value an atomic slot of `family` starts from (its identity)."""
    if t in FLOATS:
        return 0.0
    lo, hi = int_range(t)
    return {"and": -1 if t[0] == "i" else hi, "min": hi, "max": lo}.get(family[0], 0)
