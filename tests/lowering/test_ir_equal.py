"""Structural equality of IR trees."""
from ir_samples import every_node_module
from simple_vkbackend.lowering import ir
from simple_vkbackend.lowering.ir.equal import ir_diff, ir_equal


def test_equal_trees_built_twice():
    assert ir_equal(every_node_module(), every_node_module())


def test_difference_is_located():
    a, b = every_node_module(), every_node_module()
    b.kernel("saxpy").body.stmts[0].value.dim = 2
    assert ir_diff(a, b) == "Module.kernels[0].body.stmts[0].value.dim: 0 != 2"
    assert not ir_equal(a, b)


def test_python_value_types_and_float_signs_count():
    assert not ir_equal(ir.Const(ir.I32, 1), ir.Const(ir.I32, True))
    assert not ir_equal(ir.Const(ir.F32, 1.0), ir.Const(ir.F32, 1))
    assert not ir_equal(ir.Const(ir.F32, 0.0), ir.Const(ir.F32, -0.0))
    assert ir_equal(ir.Const(ir.F32, float("nan")), ir.Const(ir.F32, -float("nan")))
    assert not ir_equal(ir.Var(ir.I32, "x"), ir.Len(ir.I32, "x"))
    assert not ir_equal(ir.Block([ir.Break()]), ir.Block([ir.Break(), ir.Break()]))
