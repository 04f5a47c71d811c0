"""Subgroup builtins: each lowers to validated SPIR-V with its GroupNonUniform
capability and the matching device feature, and gives the same buffers on the
device (lavapipe) as on the software backend run with the device's subgroup size,
in uniform and in divergent control flow."""
from __future__ import annotations

import numpy as np
import pytest

from lowering_irb import (BOOL, F32, I32, U32, U64, assign, at, binop, buf, cast, const, gid, if_, kernel,
                          module)
from simple_vkbackend.lowering import ir
from simple_vkbackend.lowering.errors import IRVerifyError
from simple_vkbackend.lowering.ir.text import parse_module, print_module
from simple_vkbackend.lowering.ir.verify import verify_module
from simple_vkbackend.lowering.lower import lower_kernel
from simple_vkbackend.runtime.spirv.tools import disassemble
from simple_vkbackend.software import run_kernel

N, LOCAL = 256, 64
DTYPES = {I32: np.int32, U32: np.uint32, F32: np.float32, U64: np.uint64, BOOL: np.int32}


def sg(name: str, t, *args) -> ir.Builtin:
    return ir.Builtin(t, name, list(args))


def one_op_module(name: str, t: ir.ScalarType, divergent: bool) -> ir.Module:
    """out[i] = name(x[i], ...) for every i (or only where i % 3 != 0; for the
    moves, in every other subgroup)."""
    i = gid()
    x = at("x", i, t)
    if name in ir.SUBGROUP_VALUES or name == "subgroup_elect":
        value, out_t = sg(name, BOOL if name == "subgroup_elect" else I32), I32
    elif name in ir.SUBGROUP_VOTES:
        cond = binop("gt", at("x", i, I32), const(0))
        out_t = U64 if name == "subgroup_ballot" else I32
        value = sg(name, U64 if name == "subgroup_ballot" else BOOL, cond)
    elif name == "subgroup_broadcast":
        value, out_t = sg(name, t, x, const(3)), t
    elif name in ir.SUBGROUP_MOVES and name != "subgroup_broadcast_first":
        lane = binop("bitand", at("x", i, I32), const(3)) if name == "subgroup_shuffle" else const(1)
        if name == "subgroup_shuffle":  # a lane of the subgroup that is active everywhere
            lane = const(5)
        value, out_t = sg(name, t, x, lane), t
    else:
        value, out_t = sg(name, t, x), t
    if value.type == BOOL:
        value = cast(value, I32)
    store = [assign(at("out", i, out_t), value)]
    if divergent and name in ir.SUBGROUP_MOVES and name != "subgroup_broadcast_first":
        # every lane read must be active: whole subgroups take the branch or not
        store = [if_(binop("eq", binop("rem", sg("subgroup_id", I32), const(2)), const(0)), store)]
    elif divergent:
        store = [if_(binop("ne", binop("rem", i, const(3)), const(0)), store)]
    return module(kernel("k", [buf("x", t, False), buf("out", out_t)], store, local_size=(LOCAL, 1, 1)))


def inputs(t: ir.ScalarType, rng) -> np.ndarray:
    if t == F32:  # whole numbers: sums are exact in every order
        return rng.integers(-8, 9, N).astype(np.float32)
    if t == U32:
        return rng.integers(0, 2**32, N, dtype=np.uint64).astype(np.uint32)
    return rng.integers(-50, 50, N).astype(np.int32)


ARITH_CASES = [(n, t) for n in ir.SUBGROUP_ARITHMETIC for t in (I32, U32, F32)
               if not (t == F32 and ir.subgroup_arithmetic(n)[1] in ir.SUBGROUP_BITWISE_OPS)
               and not (t == F32 and ir.subgroup_arithmetic(n)[1] == "mul")]
OTHER_CASES = [(n, t) for n in ir.SUBGROUP_MOVES for t in (I32, F32)] + \
              [(n, I32) for n in (*ir.SUBGROUP_VALUES, *ir.SUBGROUP_VOTES)]
CASES = ARITH_CASES + OTHER_CASES


def case_id(case) -> str:
    return f"{case[0]}-{case[1]}"


@pytest.mark.parametrize("divergent", [False, True], ids=["uniform", "divergent"])
@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_subgroup_builtin_agrees_with_the_software_backend(gpu, case, divergent):
    name, t = case
    mod = module_for(name, t, divergent)
    lowered = lower_kernel(mod, "k")
    feature = "subgroup" + "".join(p.capitalize() for p in ir.SUBGROUP_CLASS[name].split("_"))
    assert feature in lowered.interface.features and "GroupNonUniform" in lowered.interface.capabilities
    if not gpu.supports(lowered.interface.features):
        pytest.skip(f"device lacks {lowered.interface.features}")
    rng = np.random.default_rng(7)
    x = inputs(t, rng)
    out_t = mod.kernels[0].params[1].type.elem
    on_gpu = np.zeros(N, DTYPES.get(out_t, np.int32))
    on_sw = on_gpu.copy()
    gpu.run(lowered, [x.copy(), on_gpu], {}, (N // LOCAL, 1, 1))
    size = gpu.device.limits.subgroup_size
    run_kernel(mod, "k", {"x": x.copy(), "out": on_sw}, (N, 1, 1), (LOCAL, 1, 1), subgroup_size=size)
    np.testing.assert_array_equal(on_gpu, on_sw)


def module_for(name, t, divergent):
    mod = one_op_module(name, t, divergent)
    verify_module(mod)
    return mod


def test_subgroup_text_round_trips():
    mod = one_op_module("subgroup_inclusive_add", I32, True)
    text = print_module(mod)
    assert "(gpu.subgroup_inclusive_add.i32 x[" in text
    assert print_module(parse_module(text)) == text


def test_the_verifier_checks_subgroup_signatures():
    i = gid()
    bad = module(kernel("k", [buf("x", F32, False), buf("out", F32)], [
        assign(at("out", i), sg("subgroup_xor", F32, at("x", i))),                 # bitwise on a float
        assign(at("out", i), sg("subgroup_broadcast", F32, at("x", i), i)),        # lane not a constant
        assign(at("out", i), sg("subgroup_shuffle", F32, at("x", i))),             # missing lane
        assign(at("out", i), sg("subgroup_add", I32, at("x", i))),                 # wrong result type
    ]))
    with pytest.raises(IRVerifyError) as err:
        verify_module(bad)
    text = str(err.value)
    for needle in ("subgroup_xor: args of type f32", "the lane must be a constant", "takes 2 args",
                   "subgroup_add has type i32, expected f32"):
        assert needle in text


def test_software_subgroup_size_is_chosen_by_the_caller():
    """Subgroups of 4 and 32 lanes: subgroup_add sums 4 and 32 ones."""
    i = gid()
    mod = module(kernel("k", [buf("x", I32, False), buf("out", I32)],
                        [assign(at("out", i, I32), sg("subgroup_add", I32, at("x", i, I32)))],
                        local_size=(64, 1, 1)))
    for size in (4, 32):
        out = np.zeros(64, np.int32)
        run_kernel(mod, "k", {"x": np.ones(64, np.int32), "out": out}, (64, 1, 1), (64, 1, 1), subgroup_size=size)
        assert (out == size).all()


def test_software_refuses_a_shuffle_from_an_inactive_lane():
    from simple_vkbackend.software import SoftwareError
    i = gid()
    read = assign(at("out", i, I32), sg("subgroup_shuffle", I32, at("x", i, I32), const(0)))
    mod = module(kernel("k", [buf("x", I32, False), buf("out", I32)],
                        [if_(binop("ne", i, const(0)), [read])], local_size=(8, 1, 1)))
    with pytest.raises(SoftwareError, match="not active"):
        run_kernel(mod, "k", {"x": np.ones(8, np.int32), "out": np.zeros(8, np.int32)}, (8, 1, 1), (8, 1, 1),
                   subgroup_size=8)


def test_shuffle_down_keeps_its_own_value_past_the_subgroup():
    """x + shuffle_down(x, 4) with 8 lanes: lanes 4..7 read outside and add themselves."""
    i = gid()
    mod = module(kernel("k", [buf("x", I32, False), buf("out", I32)], [
        assign(at("out", i, I32), binop("add", at("x", i, I32),
                                        sg("subgroup_shuffle_down", I32, at("x", i, I32), const(4))))],
        local_size=(8, 1, 1)))
    out = np.zeros(8, np.int32)
    x = np.arange(8, dtype=np.int32)
    run_kernel(mod, "k", {"x": x, "out": out}, (8, 1, 1), (8, 1, 1), subgroup_size=8)
    np.testing.assert_array_equal(out, [4, 6, 8, 10, 8, 10, 12, 14])
    assert "OpGroupNonUniformShuffleDown" in disassemble(lower_kernel(mod, "k").spirv)
