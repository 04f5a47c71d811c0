"""Shared memory, barriers, atomics and bounds checks in the software backend."""
import numpy as np
import pytest

from simple_vkbackend.software import SoftwareExecutionError, run_kernel
from simple_vkbackend.software.values import dtype_of
from sw_ir import *  # noqa: F401,F403

pytestmark = pytest.mark.filterwarnings("error")

i = var(I32, "i")


def tree_reduction(t: ir.ScalarType, group_size: int) -> ir.Kernel:
    """The KERNEL_LANGUAGE.md example: per-group sums through shared memory."""
    l, g, stride = var(I32, "lid"), var(I32, "gid"), var(I32, "stride")
    zero = c(t, 0.0 if t.is_float else 0)
    return kernel("partial_sums", [rbuf("input", t), buf("out", t)], [
        set_(l, lid()), set_(g, gid()),
        set_(at(t, "acc", l), select(op("lt", g, length("input")), at(t, "input", g), zero)),
        do(builtin("barrier")),
        set_(stride, op("div", builtin("local_size"), c(I32, 2))),
        loop(op("gt", stride, c(I32, 0)), [
            if_(op("lt", l, stride), [
                set_(at(t, "acc", l), op("add", at(t, "acc", l), at(t, "acc", op("add", l, stride))))]),
            do(builtin("barrier")),
            set_(stride, op("div", stride, c(I32, 2)))]),
        if_(op("eq", l, c(I32, 0)), [set_(at(t, "out", group()), at(t, "acc", c(I32, 0)))])],
        [local("lid", I32), local("gid", I32), local("stride", I32)], [shared("acc", t, group_size)])


def tree_reference(x: np.ndarray, group_size: int) -> np.ndarray:
    groups = -(-len(x) // group_size)
    acc = np.zeros(groups * group_size, dtype=x.dtype)
    acc[:len(x)] = x
    acc = acc.reshape(groups, group_size)
    stride = group_size // 2
    while stride:
        acc[:, :stride] = acc[:, :stride] + acc[:, stride:2 * stride]
        stride //= 2
    return acc[:, 0]


@pytest.mark.parametrize("t", [F32, I32])
def test_shared_memory_tree_reduction_over_several_groups(t):
    group_size, n = 64, 1000
    x = (np.random.default_rng(1).random(n) * 100).astype(dtype_of(t))
    out = np.zeros(16, dtype=x.dtype)
    run_kernel(module(tree_reduction(t, group_size)), "partial_sums", {"input": x, "out": out},
               (n, 1, 1), (group_size, 1, 1))
    assert np.array_equal(out, tree_reference(x, group_size))  # same order of f32 adds: exact


def test_shared_arrays_are_separate_per_group_and_atomics_on_them():
    kern = kernel("per_group", [buf("rank", I32), buf("totals", I32)], [
        set_(at(I32, "rank", gid()), atomic("add", I32, "count", c(I32, 0), c(I32, 1))),
        do(builtin("barrier")),
        if_(op("eq", lid(), c(I32, 0)), [set_(at(I32, "totals", group()), at(I32, "count", c(I32, 0)))])],
        shared_=[shared("count", I32, 1)])
    rank, totals = np.zeros(40, dtype=np.int32), np.zeros(5, dtype=np.int32)
    run_kernel(module(kern), "per_group", {"rank": rank, "totals": totals}, (40,), (8,))
    assert rank.tolist() == [n % 8 for n in range(40)] and totals.tolist() == [8] * 5


def counter_kernel(opname, t, value):
    return kernel("counter", [buf("c", t), buf("old", t)], [
        set_(at(t, "old", gid()), atomic(opname, t, "c", c(I32, 0), value))])


def test_atomic_add_counter_returns_old_values_in_lane_order():
    n = 1 << 20
    counter, old = np.zeros(1, dtype=np.uint32), np.zeros(n, dtype=np.uint32)
    run_kernel(module(counter_kernel("add", U32, c(U32, 1))), "counter", {"c": counter, "old": old},
               (n,), (256,))
    assert counter[0] == n and np.array_equal(old, np.arange(n, dtype=np.uint32))


@pytest.mark.parametrize("opname,fold", [("min", min), ("max", max), ("sub", lambda a, b: a - b),
                                         ("and", lambda a, b: a & b), ("or", lambda a, b: a | b),
                                         ("xor", lambda a, b: a ^ b), ("exchange", lambda a, b: b)])
def test_atomic_ops_apply_in_lane_order(opname, fold):
    values = np.random.default_rng(7).integers(-1000, 1000, 50).astype(np.int32)
    kern = kernel("counter", [rbuf("v", I32), buf("c", I32), buf("old", I32)], [
        if_(op("lt", gid(), c(I32, 50)), [
            set_(at(I32, "old", gid()), atomic(opname, I32, "c", op("rem", gid(), c(I32, 3)), at(I32, "v", gid())))])])
    start = np.array([5, -5, 77], dtype=np.int32)
    cells, old = start.copy(), np.zeros(50, dtype=np.int32)
    run_kernel(module(kern), "counter", {"v": values, "c": cells, "old": old}, (50,), (16,))
    expected_cells, expected_old = [int(s) for s in start], []
    for lane, v in enumerate(values):
        expected_old.append(expected_cells[lane % 3])
        expected_cells[lane % 3] = fold(expected_cells[lane % 3], int(v))
    assert old.tolist() == expected_old and cells.tolist() == expected_cells


def test_atomic_f32_add_rounds_as_sequential_adds():
    x = np.random.default_rng(3).random(300).astype(np.float32) * 1000
    kern = kernel("fsum", [rbuf("x", F32), buf("s", F32), buf("old", F32)], [
        if_(op("lt", gid(), length("x")), [
            set_(at(F32, "old", gid()), atomic("add", F32, "s", c(I32, 0), at(F32, "x", gid())))])])
    s, old = np.zeros(1, dtype=np.float32), np.zeros(300, dtype=np.float32)
    run_kernel(module(kern), "fsum", {"x": x, "s": s, "old": old}, (300,), (64,))
    total, prefix = np.float32(0), []
    for v in x:
        prefix.append(total)
        total = np.float32(total + v)
    assert s[0] == total and old.tolist() == [float(p) for p in prefix]


def test_compare_exchange_loop_increments_once_per_lane():
    cur, prev = var(I32, "cur"), var(I32, "prev")
    kern = kernel("cas", [buf("c", I32), buf("got", I32)], [
        loop(None, [
            set_(cur, at(I32, "c", c(I32, 0))),
            set_(prev, atomic("compare_exchange", I32, "c", c(I32, 0), cur, op("add", cur, c(I32, 1)))),
            if_(op("eq", prev, cur), [brk()])]),
        set_(at(I32, "got", gid()), prev)], [local("cur", I32), local("prev", I32)])
    counter, got = np.zeros(1, dtype=np.int32), np.full(96, -1, dtype=np.int32)
    run_kernel(module(kern), "cas", {"c": counter, "got": got}, (96,), (32,))
    assert counter[0] == 96
    assert got.tolist() == list(range(96))  # each round the lowest waiting lane wins


def test_compare_exchange_returns_old_values_when_it_fails():
    kern = kernel("cas1", [buf("c", I32), buf("old", I32)], [
        set_(at(I32, "old", gid()), atomic("compare_exchange", I32, "c", c(I32, 0),
                                           op("rem", gid(), c(I32, 2)), op("add", gid(), c(I32, 1))))])
    cell, old = np.zeros(1, dtype=np.int32), np.zeros(6, dtype=np.int32)
    run_kernel(module(kern), "cas1", {"c": cell, "old": old}, (6,), (6,))
    # lane 0 expects 0: swaps in 1; lane 1 expects 1: swaps in 2; lanes 2.. fail
    assert old.tolist() == [0, 1, 2, 2, 2, 2] and cell[0] == 2


def test_simd_checked_index_ends_out_of_bounds_lanes():
    x_at = at(F32, "x", i, checked=True)
    kern = kernel("simd_scale", [rbuf("x", F32), buf("out", F32), buf("count", I32)], [
        set_(i, gid()),
        set_(at(F32, "out", i, checked=True), op("mul", x_at, c(F32, 2.0))),
        do(atomic("add", I32, "count", c(I32, 0), c(I32, 1)))],
        [local("i", I32)], simd=True)
    x = np.arange(10, dtype=np.float32)
    out, count = np.full(12, -1, dtype=np.float32), np.zeros(1, dtype=np.int32)
    run_kernel(module(kern), "simd_scale", {"x": x, "out": out, "count": count}, (16,), (8,))
    assert out.tolist() == [2.0 * n for n in range(10)] + [-1.0, -1.0]
    assert count[0] == 10  # lanes 10..15 returned at the checked read of x


def test_checked_index_in_a_select_and_in_a_call_argument():
    xv = var(I32, "v")
    twice = function("twice", [scalar("v", I32)], I32, [ret(op("add", xv, xv))])
    kern = kernel("simd_mix", [rbuf("x", I32), buf("out", I32)], [
        set_(i, gid()),
        if_(op("lt", i, length("out")), [
            set_(at(I32, "out", i), select(op("eq", op("rem", i, c(I32, 2)), c(I32, 0)),
                                           at(I32, "x", op("div", i, c(I32, 2)), checked=True),
                                           call(I32, "twice", at(I32, "x", i, checked=True))))])],
        [local("i", I32)], simd=True)
    x = np.array([10, 11, 12], dtype=np.int32)
    out = np.full(10, -1, dtype=np.int32)
    run_kernel(module(kern, functions=[twice]), "simd_mix", {"x": x, "out": out}, (10,), (4,))
    assert out.tolist() == [10, 22, 11, -1, 12, -1, -1, -1, -1, -1]


def test_unchecked_out_of_bounds_read_is_a_clear_error():
    kern = kernel("oob", [rbuf("x", F32), buf("out", F32)], [set_(at(F32, "out", gid()), at(F32, "x", gid()))])
    x, out = np.zeros(8, dtype=np.float32), np.zeros(16, dtype=np.float32)
    with pytest.raises(SoftwareExecutionError) as info:
        run_kernel(module(kern), "oob", {"x": x, "out": out}, (16,), (16,))
    message = str(info.value)
    assert "kernel 'oob'" in message and "buffer array 'x'" in message
    assert "index 8" in message and "global id (8, 0, 0)" in message and "8 work item(s)" in message


def test_unchecked_out_of_bounds_shared_write_is_a_clear_error():
    kern = kernel("oob_shared", [buf("out", I32)], [set_(at(I32, "tile", op("add", lid(), c(I32, 1))), c(I32, 1))],
                  shared_=[shared("tile", I32, 4)])
    with pytest.raises(SoftwareExecutionError, match=r"index 4 is out of bounds for shared array 'tile' of length 4"):
        run_kernel(module(kern), "oob_shared", {"out": np.zeros(1, dtype=np.int32)}, (8,), (4,))


def test_out_of_bounds_index_on_an_inactive_lane_is_not_touched():
    kern = kernel("guard", [rbuf("x", I32), buf("out", I32)], [
        if_(op("lt", gid(), length("x")), [set_(at(I32, "out", gid()), at(I32, "x", gid()))])])
    x, out = np.arange(5, dtype=np.int32), np.zeros(5, dtype=np.int32)
    run_kernel(module(kern), "guard", {"x": x, "out": out}, (5,), (64,))
    assert out.tolist() == [0, 1, 2, 3, 4]
