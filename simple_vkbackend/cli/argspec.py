"""`simple-vk run --arg NAME=SPEC`: turning a SPEC into a kernel argument.

SPEC is a number (for scalars; `true`/`false` for bool), a path to a `.npy` file,
or `zeros:N[:dtype]`, `arange:N[:dtype]`, `rand:N[:dtype]` (N elements; dtype
defaults to the parameter's element type, given as a kernel type name (f32, u32,
i64, ...) or a numpy name; `rand` draws floats uniformly from [0, 1) and integers
from [0, 100), from a seed: `--seed`, default 0).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from simple_vkbackend.lowering.interface import ParamSlot

from ..arguments import DTYPES, dtype_of

GENERATORS = ("zeros", "arange", "rand")
RAND_SEED = 0


class SpecError(ValueError):
    pass


def split_assignment(text: str) -> tuple[str, str]:
    name, sep, spec = text.partition("=")
    if not sep or not name.strip():
        raise SpecError(f"--arg needs NAME=SPEC, got {text!r}")
    return name.strip(), spec.strip()


def parse_spec(param: ParamSlot, spec: str, seed: int = RAND_SEED) -> Any:
    if param.kind == "scalar":
        return parse_scalar(param, spec)
    kind = spec.split(":", 1)[0]
    if kind in GENERATORS:
        return generate(param, spec, seed)
    if spec.endswith(".npy"):
        return load_npy(param, spec)
    raise SpecError(f"buffer {param.name}: expected a .npy path or zeros:N, arange:N, rand:N, got {spec!r}")


def parse_scalar(param: ParamSlot, spec: str) -> Any:
    try:
        if param.type == "bool":
            if spec.lower() in ("true", "1"):
                return True
            if spec.lower() in ("false", "0"):
                return False
            raise ValueError
        if param.type.startswith("f"):
            return float(spec)
        return int(spec, 0)
    except ValueError:
        raise SpecError(f"scalar {param.name}: {spec!r} is not a {param.type}") from None


def parse_dtype(name: str) -> np.dtype:
    """A kernel type name (f32, u32, bool, ...) or anything numpy takes (float32, <f4)."""
    if name in DTYPES:
        return DTYPES[name]
    return np.dtype(name)


def generate(param: ParamSlot, spec: str, seed: int = RAND_SEED) -> np.ndarray:
    parts = spec.split(":")
    if len(parts) not in (2, 3):
        raise SpecError(f"buffer {param.name}: expected {parts[0]}:N[:dtype], got {spec!r}")
    try:
        n = int(parts[1])
    except ValueError:
        raise SpecError(f"buffer {param.name}: {parts[1]!r} is not an element count") from None
    try:
        dtype = dtype_of(param.type) if len(parts) == 2 else parse_dtype(parts[2])
    except TypeError:
        raise SpecError(f"buffer {param.name}: unknown dtype {parts[2]!r}") from None
    if parts[0] == "zeros":
        return np.zeros(n, dtype)
    if parts[0] == "arange":
        return np.arange(n).astype(dtype)
    rng = np.random.default_rng(seed)
    if dtype.kind == "f":
        return rng.random(n).astype(dtype)
    return rng.integers(0, 100, n).astype(dtype)


def load_npy(param: ParamSlot, path: str) -> np.ndarray:
    if not Path(path).is_file():
        raise SpecError(f"buffer {param.name}: no such file {path}")
    try:
        return np.ascontiguousarray(np.load(path, allow_pickle=False))
    except ValueError as err:
        raise SpecError(f"buffer {param.name}: cannot read {path}: {err}") from None


def summary(name: str, array: np.ndarray, count: int = 6) -> str:
    """One line about a buffer: name, dtype, shape, first values, min/max/sum."""
    flat = array.reshape(-1)
    head = "[" + ", ".join(str(v) for v in flat[:count]) + (", ...]" if flat.size > count else "]")
    total = flat.sum(dtype=np.float64 if flat.dtype.kind == "f" else None)
    return (f"{name}: {array.dtype}{list(array.shape)} {head} "
            f"min={str(flat.min())} max={str(flat.max())} sum={str(total)}")
