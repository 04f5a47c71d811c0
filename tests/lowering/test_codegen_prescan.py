"""The codegen's pre-scan agrees with the IR's analyses."""
from hypothesis import HealthCheck, given, settings
from fuzz_budget import examples

import pytest

from ir_strategies import modules
from simple_vkbackend.lowering import ir
from simple_vkbackend.lowering.codegen.prescan import called_helpers, float_add_arrays
from simple_vkbackend.lowering.errors import LoweringError
from simple_vkbackend.lowering.ir.walk import all_exprs, called_functions


@settings(max_examples=examples(100), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(modules())
def test_prescan_matches_the_ir_analyses(module):
    for fn in [*module.kernels, *module.functions]:
        assert called_helpers(module, fn) == called_functions(module, fn)
    for k in module.kernels:
        expected = {e.base for e in all_exprs(k.body)
                    if type(e) is ir.Atomic and e.op == "add" and e.type is not None and e.type.is_float}
        assert float_add_arrays(k) == expected


def test_unknown_helper_is_a_lowering_error():
    k = ir.Kernel("k", [], ir.Block([ir.ExprStmt(ir.Call(None, "nope", []))]))
    with pytest.raises(LoweringError, match="call of unknown function 'nope'"):
        called_helpers(ir.Module(kernels=[k]), k)
