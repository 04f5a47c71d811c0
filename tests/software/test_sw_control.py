"""Per-lane control flow, helpers, private arrays and ids in the software backend."""
import numpy as np
import pytest

from simple_vkbackend.software import run_kernel
from sw_ir import *  # noqa: F401,F403

pytestmark = pytest.mark.filterwarnings("error")

i = var(I32, "i")
k = var(I32, "k")
acc = var(I32, "acc")


def run1(kern, args, n, local=8, functions=(), constants=()):
    run_kernel(module(kern, functions=functions, constants=constants), kern.name, args, (n, 1, 1), (local, 1, 1))


def guarded(body):
    """i = global_id(0); if i < len(out): body"""
    return [set_(i, gid()), if_(op("lt", i, length("out")), body)]


def test_saxpy_uses_f32_and_leaves_lanes_past_the_end_alone():
    kern = kernel("saxpy", [scalar("a", F32), rbuf("x", F32), buf("out", F32)], guarded([
        set_(at(F32, "out", i), op("add", op("mul", var(F32, "a"), at(F32, "x", i)), at(F32, "out", i)))]),
        [local("i", I32)])
    x = np.linspace(-3, 3, 37, dtype=np.float32)
    y = np.arange(37, dtype=np.float32)
    expected = np.float32(1.5) * x + y
    run1(kern, {"a": 1.5, "x": x, "out": y}, 37)
    assert np.array_equal(y, expected)


def test_divergent_if_else_per_lane():
    kern = kernel("parity", [buf("out", I32)], guarded([
        if_(op("eq", op("rem", i, c(I32, 2)), c(I32, 0)),
            [set_(at(I32, "out", i), op("mul", i, c(I32, 10)))],
            [set_(at(I32, "out", i), neg(i))])]), [local("i", I32)])
    out = np.zeros(21, dtype=np.int32)
    run1(kern, {"out": out}, 21)
    assert out.tolist() == [n * 10 if n % 2 == 0 else -n for n in range(21)]


def test_loop_with_per_lane_trip_count_break_and_continue():
    # acc = 0; k = 0; while k < i % 9: (k += 1 in step) if k % 3 == 1: continue; if k == 7: break; acc += k
    body = [
        if_(op("eq", op("rem", k, c(I32, 3)), c(I32, 1)), [cont()]),
        if_(op("eq", k, c(I32, 7)), [brk()]),
        set_(acc, op("add", acc, k)),
    ]
    kern = kernel("loops", [buf("out", I32)], guarded([
        loop(op("lt", k, op("rem", i, c(I32, 9))), body, [set_(k, op("add", k, c(I32, 1)))]),
        set_(at(I32, "out", i), acc)]), [local("i", I32), local("k", I32), local("acc", I32)])
    out = np.zeros(40, dtype=np.int32)
    run1(kern, {"out": out}, 40)

    def expected(n):
        total = 0
        for kk in range(n % 9):
            if kk % 3 == 1:
                continue
            if kk == 7:
                break
            total += kk
        return total
    assert out.tolist() == [expected(n) for n in range(40)]


def test_nested_loops_break_only_the_inner_one():
    j = var(I32, "j")
    inner = loop(None, [if_(op("ge", j, i), [brk()]), set_(acc, op("add", acc, c(I32, 1))),
                        set_(j, op("add", j, c(I32, 1)))])
    kern = kernel("nested", [buf("out", I32)], guarded([
        loop(op("lt", k, c(I32, 3)), [set_(j, c(I32, 0)), inner], [set_(k, op("add", k, c(I32, 1)))]),
        set_(at(I32, "out", i), acc)]),
        [local("i", I32), local("j", I32), local("k", I32), local("acc", I32)])
    out = np.zeros(10, dtype=np.int32)
    run1(kern, {"out": out}, 10)
    assert out.tolist() == [3 * n for n in range(10)]


def test_return_ends_only_the_lanes_that_take_it():
    kern = kernel("ret", [buf("out", I32)], guarded([
        if_(op("eq", op("rem", i, c(I32, 3)), c(I32, 0)), [ret()]),
        loop(None, [if_(op("gt", i, c(I32, 10)), [ret()]), brk()]),
        set_(at(I32, "out", i), c(I32, 1))]), [local("i", I32)])
    out = np.zeros(16, dtype=np.int32)
    run1(kern, {"out": out}, 16)
    assert out.tolist() == [1 if n % 3 and n <= 10 else 0 for n in range(16)]


def test_logical_and_evaluates_its_right_operand_only_where_needed():
    # `i < len(x) and x[i] > 0` must not touch x past its end (unchecked: that would raise)
    kern = kernel("land", [rbuf("x", I32), buf("out", I32)], guarded([
        if_(logical("and", op("lt", i, length("x")), op("gt", at(I32, "x", i), c(I32, 0))),
            [set_(at(I32, "out", i), c(I32, 1))])]), [local("i", I32)])
    x = np.array([5, -1, 3], dtype=np.int32)
    out = np.zeros(6, dtype=np.int32)
    run1(kern, {"x": x, "out": out}, 6)
    assert out.tolist() == [1, 0, 1, 0, 0, 0]


def test_logical_or_and_select_side_effects_happen_only_on_needed_lanes():
    bump = atomic("add", I32, "count", c(I32, 0), c(I32, 1))
    kern = kernel("lazy", [buf("count", I32), buf("out", I32)], guarded([
        set_(at(I32, "out", i), select(op("lt", i, c(I32, 5)), bump, c(I32, -1))),
        if_(logical("or", op("lt", i, c(I32, 2)), op("ge", bump, c(I32, 0))), []),
    ]), [local("i", I32)])
    count, out = np.zeros(1, dtype=np.int32), np.zeros(12, dtype=np.int32)
    run1(kern, {"count": count, "out": out}, 12)
    assert out.tolist() == [0, 1, 2, 3, 4] + [-1] * 7
    assert count[0] == 5 + 10  # the select's 5, then the `or` on lanes 2..11


def test_lanes_past_the_global_size_run_as_on_a_gpu():
    kern = kernel("pad", [buf("count", I32), buf("size", I32)], [
        do(atomic("add", I32, "count", c(I32, 0), c(I32, 1))),
        set_(at(I32, "size", c(I32, 0)), builtin("global_size")),
        set_(at(I32, "size", c(I32, 1)), builtin("num_groups")),
        set_(at(I32, "size", c(I32, 2)), builtin("local_size"))])
    count, size = np.zeros(1, dtype=np.int32), np.zeros(3, dtype=np.int32)
    run1(kern, {"count": count, "size": size}, 10, local=4)
    assert count[0] == 12 and size.tolist() == [12, 3, 4]


def test_several_lanes_writing_one_element_highest_lane_wins():
    kern = kernel("race", [buf("out", I32)], [set_(at(I32, "out", op("rem", gid(), c(I32, 2))), gid())])
    out = np.zeros(2, dtype=np.int32)
    run1(kern, {"out": out}, 50, local=16)
    assert out.tolist() == [62, 63]  # 4 groups of 16 lanes: the last lanes are 62 and 63


def test_2d_ids():
    x, y = var(I32, "x"), var(I32, "y")
    w = op("mul", builtin("num_groups", dim=0), builtin("local_size", dim=0))
    flat = op("add", op("mul", y, w), x)
    code = lambda e1, e2: op("add", op("mul", e1, c(I32, 100)), e2)  # noqa: E731
    kern = kernel("ids2", [buf("gids", I32), buf("lids", I32), buf("groups", I32)], [
        set_(x, gid(0)), set_(y, gid(1)),
        set_(at(I32, "gids", flat), code(x, y)),
        set_(at(I32, "lids", flat), code(lid(0), lid(1))),
        set_(at(I32, "groups", flat), code(group(0), group(1)))],
        [local("x", I32), local("y", I32)], dims=2)
    gx, gy = 12, 9  # 3 x 3 groups of 4 x 3, so gx covers 12 and gy covers 9
    bufs = {name: np.zeros(gx * gy, dtype=np.int32) for name in ("gids", "lids", "groups")}
    run_kernel(module(kern), "ids2", bufs, (10, 7, 1), (4, 3, 1))
    yy, xx = np.mgrid[0:gy, 0:gx]
    assert bufs["gids"].reshape(gy, gx).tolist() == (xx * 100 + yy).tolist()
    assert bufs["lids"].reshape(gy, gx).tolist() == ((xx % 4) * 100 + yy % 3).tolist()
    assert bufs["groups"].reshape(gy, gx).tolist() == ((xx // 4) * 100 + yy // 3).tolist()


def test_3d_ids_and_lane_order_x_fastest():
    x, y, z = gid(0), gid(1), gid(2)
    flat = op("add", op("mul", op("add", op("mul", z, c(I32, 4)), y), c(I32, 6)), x)
    kern = kernel("ids3", [buf("order", I32), buf("count", I32)], [
        if_(logical("and", op("lt", x, c(I32, 6)), logical("and", op("lt", y, c(I32, 4)), op("lt", z, c(I32, 5)))),
            [set_(at(I32, "order", flat), atomic("add", I32, "count", c(I32, 0), c(I32, 1)))])], dims=3)
    order, count = np.zeros(6 * 4 * 5, dtype=np.int32), np.zeros(1, dtype=np.int32)
    run_kernel(module(kern), "ids3", {"order": order, "count": count}, (6, 4, 5), (3, 2, 5))
    # atomics run in lane order: groups in order (x fastest), items of a group in order (x fastest)
    zz, yy, xx = np.mgrid[0:5, 0:4, 0:6]
    group = (xx // 3) + 2 * (yy // 2)
    item = (xx % 3) + 3 * (yy % 2) + 6 * zz
    assert order.reshape(5, 4, 6).tolist() == (group * 30 + item).tolist()


def test_helpers_with_early_return_and_loops():
    xv = var(I32, "x")
    clamp10 = function("clamp10", [scalar("x", I32)], I32, [
        if_(op("lt", xv, c(I32, 0)), [ret(c(I32, 0))]),
        if_(op("gt", xv, c(I32, 10)), [ret(c(I32, 10))]),
        ret(xv)])
    d = var(I32, "d")
    smallest_divisor = function("smallest_divisor", [scalar("x", I32)], I32, [
        set_(d, c(I32, 2)),
        loop(op("le", op("mul", d, d), xv), [
            if_(op("eq", op("rem", xv, d), c(I32, 0)), [ret(d)])], [set_(d, op("add", d, c(I32, 1)))]),
        ret(call(I32, "clamp10", xv))], [local("d", I32)])
    kern = kernel("helpers", [buf("out", I32)], guarded([
        set_(at(I32, "out", i), call(I32, "smallest_divisor", op("sub", i, c(I32, 5))))]), [local("i", I32)])
    out = np.zeros(40, dtype=np.int32)
    run1(kern, {"out": out}, 40, functions=[clamp10, smallest_divisor])

    def expected(x):
        dd = 2
        while dd * dd <= x:
            if x % dd == 0:
                return dd
            dd += 1
        return min(max(x, 0), 10)
    assert out.tolist() == [expected(n - 5) for n in range(40)]


def test_private_arrays_are_per_lane_and_start_zeroed():
    tmp = "tmp"
    kern = kernel("private", [buf("out", I32)], guarded([
        loop(op("lt", k, op("rem", i, c(I32, 4))), [set_(at(I32, tmp, k), op("add", i, k))],
             [set_(k, op("add", k, c(I32, 1)))]),
        set_(k, c(I32, 0)),
        loop(op("lt", k, c(I32, 4)), [set_(acc, op("add", op("mul", acc, c(I32, 100)), at(I32, tmp, k)))],
             [set_(k, op("add", k, c(I32, 1)))]),
        set_(at(I32, "out", i), acc)]),
        [local("i", I32), local("k", I32), local("acc", I32), array(tmp, I32, 4)])
    out = np.zeros(20, dtype=np.int32)
    run1(kern, {"out": out}, 20)

    def expected(n):
        tmp_ = [n + kk if kk < n % 4 else 0 for kk in range(4)]
        return ((tmp_[0] * 100 + tmp_[1]) * 100 + tmp_[2]) * 100 + tmp_[3]
    assert out.tolist() == [expected(n) for n in range(20)]


def test_module_constants_and_scalar_parameters_of_every_kind():
    kern = kernel("consts", [buf("out", F64), scalar("s", I64), scalar("u", U8), scalar("f", F16),
                             scalar("flag", BOOL)], guarded([
        set_(at(F64, "out", i), op("add", op("add", cast(F64, var(I64, "s")), cast(F64, var(U8, "u"))),
                                   op("add", cast(F64, var(F16, "f")),
                                      cast(F64, select(var(BOOL, "flag"), var(I32, "K"), c(I32, 0))))))]),
        [local("i", I32)])
    out = np.zeros(3, dtype=np.float64)
    run1(kern, {"out": out, "s": -2**40, "u": np.uint8(200), "f": 0.5, "flag": True}, 3,
         constants=[ir.Constant("K", I32, 7)])
    assert out.tolist() == [-2**40 + 200 + 0.5 + 7] * 3


def test_integer_wrap_and_casts_inside_a_kernel():
    kern = kernel("wrap", [rbuf("x", I32), buf("out", U8), buf("g", I32)], guarded([
        set_(at(U8, "out", i), cast(U8, op("mul", at(I32, "x", i), c(I32, 3)))),
        set_(at(I32, "g", i), cast(I32, op("mul", cast(F32, at(I32, "x", i)), c(F32, -1.75))))]),
        [local("i", I32)])
    x = np.array([100, 2**30, -7, 2**31 - 1], dtype=np.int32)
    out, g = np.zeros(4, dtype=np.uint8), np.zeros(4, dtype=np.int32)
    run1(kern, {"x": x, "out": out, "g": g}, 4)
    assert out.tolist() == [(int(v) * 3) % 256 for v in x]
    assert g.tolist() == [-175, -1879048192, 12, -2**31]  # truncation toward zero, saturation


def test_helpers_see_the_ids_and_own_private_arrays_of_their_calling_lanes():
    kk, s = var(I32, "kk"), var(I32, "s")
    digits = function("digits", [scalar("v", I32)], I32, [
        loop(op("lt", kk, c(I32, 3)), [set_(at(I32, "d", kk), op("add", var(I32, "v"), kk))],
             [set_(kk, op("add", kk, c(I32, 1)))]),
        set_(s, op("add", op("add", at(I32, "d", c(I32, 0)), at(I32, "d", c(I32, 2))), op("mul", gid(), c(I32, 1000)))),
        ret(s)], [local("kk", I32), local("s", I32), array("d", I32, 3)])
    kern = kernel("caller", [buf("out", I32)], guarded([
        if_(op("eq", op("rem", i, c(I32, 3)), c(I32, 1)),
            [set_(at(I32, "out", i), call(I32, "digits", i))],
            [set_(at(I32, "out", i), c(I32, -1))])]), [local("i", I32)])
    out = np.zeros(20, dtype=np.int32)
    run1(kern, {"out": out}, 20, functions=[digits])
    assert out.tolist() == [n * 1000 + 2 * n + 2 if n % 3 == 1 else -1 for n in range(20)]


def test_f16_kernel_computes_in_f16():
    kern = kernel("half", [rbuf("x", F16), buf("out", F16)], guarded([
        set_(at(F16, "out", i), op("sub", op("add", at(F16, "x", i), c(F16, 1.0)), at(F16, "x", i)))]),
        [local("i", I32)])
    x = np.array([2048.0, 1.0], dtype=np.float16)  # 2048 + 1 rounds to 2048 in f16
    out = np.zeros(2, dtype=np.float16)
    run1(kern, {"x": x, "out": out}, 2)
    assert out.tolist() == [0.0, 1.0]


def test_barrier_in_divergent_control_flow_is_tolerated():
    kern = kernel("odd_barrier", [buf("out", I32)], guarded([
        if_(op("lt", i, c(I32, 3)), [do(builtin("barrier")), do(builtin("mem_fence"))]),
        set_(at(I32, "out", i), c(I32, 1))]), [local("i", I32)])
    out = np.zeros(6, dtype=np.int32)
    run1(kern, {"out": out}, 6)
    assert out.tolist() == [1] * 6
