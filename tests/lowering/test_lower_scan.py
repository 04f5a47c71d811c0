"""The lowering's quick walks agree with ir_walk's."""
from hypothesis import HealthCheck, given, settings

from ir_strategies import modules
from simple_vkbackend.lowering.ir.walk import all_exprs, called_functions
from simple_vkbackend.lowering.lower_scan import called_helpers, expressions


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(modules())
def test_scan_matches_ir_walk(module):
    for fn in [*module.kernels, *module.functions]:
        assert [id(e) for e in expressions(fn.body)] == [id(e) for e in all_exprs(fn.body)]
        assert called_helpers(module, fn) == called_functions(module, fn)
