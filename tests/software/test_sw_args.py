"""run_kernel's checks of its arguments: each mistake gets a clear error."""
import numpy as np
import pytest

from simple_vkbackend.software import SoftwareArgumentError, run_kernel
from sw_ir import *  # noqa: F401,F403

KERNEL = kernel("k", [rbuf("x", F32), buf("y", F32), scalar("n", I32), scalar("a", F32), scalar("on", BOOL)], [
    if_(logical("and", var(BOOL, "on"), op("lt", gid(), var(I32, "n"))), [
        set_(at(F32, "y", gid()), op("mul", var(F32, "a"), at(F32, "x", gid())))])])
MODULE = module(KERNEL)


def args(**changes):
    base = {"x": np.ones(4, dtype=np.float32), "y": np.zeros(4, dtype=np.float32), "n": 4, "a": 2, "on": True}
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


def test_good_arguments_run():
    a = args(a=np.float32(3.0), n=np.int64(3))
    run_kernel(MODULE, "k", a, (4, 1, 1), (2, 1, 1))
    assert a["y"].tolist() == [3.0, 3.0, 3.0, 0.0]


@pytest.mark.parametrize("bad,message", [
    (dict(n=None), "missing n"),
    (dict(z=1), "unknown z"),
    (dict(x=[1.0, 2.0]), "buffer 'x' \\(rbuf<f32>\\): expected a numpy array, got list"),
    (dict(x=np.ones(4, dtype=np.float64)), "expected dtype float32, got float64"),
    (dict(y=np.zeros((2, 2), dtype=np.float32)), "expected a 1-D contiguous array, got shape \\(2, 2\\)"),
    (dict(y=np.zeros(8, dtype=np.float32)[::2]), "not contiguous"),
    (dict(n=2.5), "scalar 'n' \\(i32\\): expected an integer, got 2.5"),
    (dict(n=2**31), "scalar 'n' \\(i32\\): 2147483648 is out of range"),
    (dict(n=True), "expected an integer, got True"),
    (dict(a="2"), "scalar 'a' \\(f32\\): expected a number"),
    (dict(on=1), "scalar 'on' \\(bool\\): expected a bool, got 1"),
])
def test_bad_arguments(bad, message):
    with pytest.raises(SoftwareArgumentError, match=message):
        run_kernel(MODULE, "k", args(**bad), (4, 1, 1), (2, 1, 1))


def test_read_only_array_for_a_written_buffer():
    y = np.zeros(4, dtype=np.float32)
    y.flags.writeable = False
    with pytest.raises(SoftwareArgumentError, match="buffer 'y' .*writes it but the array is read-only"):
        run_kernel(MODULE, "k", args(y=y), (4,), (2,))
    x = np.ones(4, dtype=np.float32)
    x.flags.writeable = False  # a read-only buffer may be a read-only array
    run_kernel(MODULE, "k", args(x=x), (4,), (2,))


@pytest.mark.parametrize("global_size,local_size,message", [
    ((4, 1, 1), (0, 1, 1), "local_size must be 1 to 3 integers >= 1"),
    ((-1,), (1,), "global_size must be 1 to 3 integers >= 0"),
    ((4, 1, 1, 1), (1,), "global_size must be 1 to 3"),
    ("4", (1,), "global_size must be"),
    ((4.0,), (1,), "global_size must be"),
    ((2**31,), (256,), "does not fit i32 ids"),
])
def test_bad_sizes(global_size, local_size, message):
    with pytest.raises(SoftwareArgumentError, match=message):
        run_kernel(MODULE, "k", args(), global_size, local_size)


def test_unknown_kernel_and_bad_module():
    with pytest.raises(SoftwareArgumentError, match="has no kernel 'nope' \\(kernels: k\\)"):
        run_kernel(MODULE, "nope", args(), (4,), (2,))
    with pytest.raises(SoftwareArgumentError, match="expected a kernel IR Module"):
        run_kernel("source", "k", args(), (4,), (2,))


def test_empty_launch_does_nothing():
    a = args()
    run_kernel(MODULE, "k", a, (0, 1, 1), (64, 1, 1))
    assert a["y"].tolist() == [0.0] * 4


def test_bool_buffers_are_refused():
    kern = kernel("b", [buf("flags", BOOL)], [])
    with pytest.raises(SoftwareArgumentError, match="buffers of bool are not supported"):
        run_kernel(module(kern, verify=False), "b", {"flags": np.zeros(2, dtype=bool)}, (2,), (2,))
