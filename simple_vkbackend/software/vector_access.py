"""Vector loads and stores (`VectorLoad`, `VectorStore`) over the lanes of a
frame: vector `k` of a buffer is elements `n*k .. n*k + n-1`, in range when
`0 <= k < len // n` (a vector that runs past the end is out of range as a whole)."""
from __future__ import annotations

from dataclasses import replace
from typing import Optional

import numpy as np

from simple_vkbackend.lowering import ir

from .evaluate import Eval
from .memory import Place


def _vector_place(place: Place, count: int) -> Place:
    """The buffer seen as whole vectors of `count` elements (for the range rule)."""
    return replace(place, name=f"{place.name} (as vectors of {count})", length=place.length // count)


def _addresses(ev: Eval, place: Place, index: np.ndarray, count: int, checked: bool) -> Optional[np.ndarray]:
    """Per lane, the buffer address of the vector's first element (None: no lane left)."""
    vectors = ev.address(_vector_place(place, count), index, checked)
    return None if vectors is None else vectors * count


def load(ev: Eval, s: ir.VectorLoad) -> Optional[list[np.ndarray]]:
    """The loaded elements, one array per target over the evaluator's lanes (None:
    no lane loads)."""
    place = ev.run.place(ev.frame, s.base)
    first = _addresses(ev, place, ev.eval(s.index), len(s.targets), s.checked)
    if first is None:
        return None
    return [np.take(place.flat, first + j) for j in range(len(s.targets))]


def store(ev: Eval, s: ir.VectorStore) -> None:
    """The index, then the values in order, then the check and the write (when
    several lanes write one element, the highest lane wins)."""
    place = ev.run.place(ev.frame, s.base)
    if not place.writable:
        raise ev.run.error(f"write to read-only buffer '{place.name}'")
    index = ev.eval(s.index)
    values = [ev.eval(v) for v in s.values]
    first = _addresses(ev, place, index, len(s.values), s.checked)
    if first is None:
        return
    if ev.alive is not None:
        first, values = first[ev.alive], [v[ev.alive] for v in values]
    for j, v in enumerate(values):
        np.put(place.flat, first + j, v)
