"""Atomic read-modify-write for many lanes at once, in a defined order.

The lanes' operations on one element are applied one after another in lane
order (lanes of a work-group in local-id order, work-groups in group order,
since lane ids are numbered that way), and every lane gets the value the
element held just before its own operation.

Lanes are sorted by address (stably, so lane order survives) into runs of one
address. Short runs are processed rank by rank (the r-th lane of every run in
one vectorised step; addresses within a step are distinct); long runs are
processed one run at a time with a vectorised scan (`ufunc.accumulate`, which
is sequential, so an f32 sum rounds exactly as one-at-a-time adds would).
Both bounds together keep the number of Python-level steps near 2*sqrt(lanes).
"""
from __future__ import annotations

from math import isqrt

import numpy as np

_UFUNCS = {"add": np.add, "sub": np.subtract, "min": np.minimum, "max": np.maximum,
           "and": np.bitwise_and, "or": np.bitwise_or, "xor": np.bitwise_xor}
_FEW_RUNS = 16  # below this many runs a rank step is not worth its overhead


def apply_atomic(op: str, memory: np.ndarray, addr: np.ndarray, args: list[np.ndarray]) -> np.ndarray:
    """Apply `op` at `memory[addr[k]]` with `args[..][k]` for each lane k in
    order; return the old values, one per lane. `memory` is 1-D and updated in
    place; `args` is `[value]` or `[expected, desired]` for compare_exchange."""
    lanes = len(addr)
    old = np.empty(lanes, dtype=memory.dtype)
    if lanes == 0:
        return old
    with np.errstate(all="ignore"):
        order = np.argsort(addr, kind="stable")
        addr_sorted = addr[order]
        args_sorted = [np.asarray(a)[order].astype(memory.dtype) for a in args]
        starts = np.flatnonzero(np.r_[True, addr_sorted[1:] != addr_sorted[:-1]])
        counts = np.diff(np.r_[starts, lanes])
        old_sorted = np.empty(lanes, dtype=memory.dtype)
        runs, rank = _by_rank(op, memory, addr_sorted, args_sorted, starts, counts, old_sorted)
        for run in runs:
            first, end = starts[run] + rank, starts[run] + counts[run]
            where = addr_sorted[first]
            old_sorted[first:end], memory[where] = _scan(
                op, memory[where], [a[first:end] for a in args_sorted])
        old[order] = old_sorted
    return old


def _by_rank(op, memory, addr_sorted, args_sorted, starts, counts, old_sorted):
    """Process ranks 0, 1, ... of all runs while that is cheap; return the runs
    still unfinished and the rank to resume them at."""
    runs = np.arange(len(starts))
    rank, limit = 0, isqrt(len(addr_sorted)) + 1
    while len(runs) > _FEW_RUNS and rank < limit:
        pos = starts[runs] + rank
        where = addr_sorted[pos]
        current = memory[where]
        old_sorted[pos] = current
        memory[where] = _step(op, current, [a[pos] for a in args_sorted])
        rank += 1
        runs = runs[counts[runs] > rank]
    return runs, rank


def _step(op: str, current: np.ndarray, args: list[np.ndarray]) -> np.ndarray:
    """One operation per element (all elements distinct)."""
    if op == "exchange":
        return args[0]
    if op == "compare_exchange":
        expected, desired = args
        return np.where(current == expected, desired, current)
    return _UFUNCS[op](current, args[0])


def _scan(op: str, start, args: list[np.ndarray]):
    """Operations of one run on one element holding `start`: (old values, final)."""
    if op == "exchange":
        return np.r_[start, args[0][:-1]], args[0][-1]
    if op == "compare_exchange":
        return _compare_exchange_run(start, *args)
    seq = np.r_[start, args[0]].astype(args[0].dtype)
    acc = _UFUNCS[op].accumulate(seq, dtype=seq.dtype)
    return acc[:-1], acc[-1]


def _compare_exchange_run(current, expected: np.ndarray, desired: np.ndarray):
    """Lanes fail until one expects the current value; it swaps in its desired
    value and the search goes on from the next lane."""
    old = np.empty(len(expected), dtype=expected.dtype)
    i = 0
    while i < len(expected):
        hits = expected[i:] == current
        j = int(np.argmax(hits))
        if not hits[j]:
            old[i:] = current
            break
        old[i:i + j + 1] = current
        current = desired[i + j]
        i += j + 1
    return old, current
