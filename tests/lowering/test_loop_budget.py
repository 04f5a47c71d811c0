"""The loop budget of a target with `loop_iteration_limit` (lavapipe's 65535 loop
passes per work item): which kernels count, where the hidden trap buffer goes, that
every kernel still lowers to valid SPIR-V, and on the device that the count agrees
with the driver's, the lowering's own loops (integer pow) included."""
from __future__ import annotations

import numpy as np
import pytest

import lowering_kernels as lk
from lowering_irb import I32, saxpy, assign, at, binop, buf, const, for_range, kernel, local, module, param, var
from simple_vkbackend.lowering import ir
from simple_vkbackend.lowering.lower import Target, lower_kernel
from simple_vkbackend.runtime.spirv.tools import disassemble

LAVAPIPE = Target(loop_iteration_limit=65535)


def count_then_pow() -> ir.Module:
    """out[0] = n (counted by a loop of n passes); out[1] = b ** e (the lowering's
    square-and-multiply loop: one pass per bit of e)."""
    acc = var("acc")
    body = [*for_range("j", const(0), var("n"), [assign(acc, binop("add", acc, const(1)))]),
            assign(at("out", const(0), I32), acc),
            assign(at("out", const(1), I32), binop("pow", var("b"), var("e")))]
    return module(kernel("count_then_pow", [buf("out", I32), param("n"), param("b"), param("e")], body,
                         [local("j"), local("acc")]))


def test_a_kernel_with_loops_gets_the_hidden_buffer_after_its_own():
    interface = lower_kernel(lk.loops(), "loops", LAVAPIPE).interface
    assert interface.loop_limit == 65535 and interface.loop_limit_site == 0
    assert interface.trap_param == ir.TRAP_PARAM
    trap = interface.params[-1]
    assert (trap.name, trap.kind, trap.type, trap.binding, trap.access) == (ir.TRAP_PARAM, "buffer", "u32", 2,
                                                                            "readwrite")
    assert [p.name for p in interface.user_params] == ["a", "out", "n"]


def test_loops_in_helpers_count_and_kernels_without_loops_do_not():
    assert lower_kernel(lk.helpers(), "helpers", LAVAPIPE).interface.loop_limit == 65535
    plain = lower_kernel(saxpy(), "saxpy", LAVAPIPE).interface
    assert (plain.loop_limit, plain.trap_param) == (None, None)


def test_the_default_target_has_no_budget():
    lowered = lower_kernel(lk.loops(), "loops")
    assert (lowered.interface.loop_limit, lowered.interface.trap_param) == (None, None)
    assert "__loop_count" not in disassemble(lowered.spirv)


@pytest.mark.parametrize("version", [(1, 3), (1, 6)])
def test_every_zoo_kernel_lowers_to_valid_spirv_with_a_budget(version):
    target = Target(spirv_version=version, loop_iteration_limit=65535)
    counted = 0
    for name, mod in lk.zoo().items():
        lowered = lower_kernel(mod, mod.kernels[0].name, target)  # validates
        counted += lowered.interface.loop_limit is not None
    assert counted >= 3  # loops, early_return, helpers at least


def run(gpu, n: int, b: int, e: int) -> tuple[list[int], int]:
    lowered = lower_kernel(count_then_pow(), "count_then_pow", LAVAPIPE)
    out, trap = np.zeros(2, np.int32), np.zeros(ir.TRAP_WORDS, np.uint32)
    gpu.run(lowered, [out, trap], {"n": n, "b": b, "e": e}, (1, 1, 1), local=(1, 1, 1))
    return out.tolist(), int(trap[0])


def test_below_the_limit_nothing_is_recorded(gpu):
    assert run(gpu, 1_000, 3, 7) == ([1_000, 2187], 0)
    # 65,531 back edges + 1 exit, then pow's 2 back edges + 1 exit: 65,535 passes in all
    assert run(gpu, 65_531, 3, 3) == ([65_531, 27], 0)


def test_the_limit_reached_in_the_lowerings_own_loop_is_recorded(gpu):
    # pow's third back edge would be the 65,535th pass: the driver leaves its loop
    # there, after 3 of the 4 passes 3 ** 15 needs
    out, site = run(gpu, 65_531, 3, 15)
    assert out[0] == 65_531 and site == 1


def test_the_limit_reached_in_a_source_loop_is_recorded(gpu):
    out, site = run(gpu, 70_000, 3, 1)
    assert site == 1 and out[1] == 3
