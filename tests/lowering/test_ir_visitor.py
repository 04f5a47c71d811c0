"""The IR's one traversal protocol (declared children, Visitor, Transformer) and its
str-valued enums."""
import dataclasses

from simple_vkbackend.lowering import ir
from simple_vkbackend.lowering.ir.text import print_module
from simple_vkbackend.lowering.ir.walk import all_exprs, walk

from ir_samples import every_node_module

I32 = ir.I32


def test_child_fields_name_fields_of_every_node_class():
    classes = [c for c in vars(ir).values() if isinstance(c, type) and issubclass(c, ir.Node)]
    assert ir.Binary in classes and ir.Module in classes
    for cls in classes:
        names = {f.name for f in dataclasses.fields(cls)}
        assert set(cls.CHILD_FIELDS) <= names, cls


def test_children_are_in_evaluation_order_without_none():
    a, b, c = ir.Var(I32, "a"), ir.Var(I32, "b"), ir.Var(I32, "c")
    assert ir.Atomic(I32, "add", "buf", a, [b]).children() == [a, b]
    assert ir.Select(I32, ir.Const(ir.BOOL, True), b, c).children()[1:] == [b, c]
    loop = ir.Loop(None, ir.Block(), ir.Block())
    assert loop.children() == [loop.body, loop.step]
    assert ir.Return().children() == []


def test_visitor_dispatches_by_class_then_base_then_children():
    class Counter(ir.Visitor):
        def __init__(self):
            self.binaries, self.other_exprs = 0, 0

        def visit_Binary(self, e):
            self.binaries += 1
            self.generic_visit(e)

        def visit_Expr(self, e):
            self.other_exprs += 1
            self.generic_visit(e)

    module = every_node_module()
    counter = Counter()
    counter.visit(module)
    exprs = [e for fn in [*module.functions, *module.kernels] for e in all_exprs(fn.body)]
    assert counter.binaries == sum(type(e) is ir.Binary for e in exprs) > 0
    assert counter.other_exprs == len(exprs) - counter.binaries


def test_visit_passes_context_on():
    class Depth(ir.Visitor):
        def __init__(self):
            self.seen = []

        def visit_Var(self, e, depth):
            self.seen.append((e.name, depth))

        def visit_Binary(self, e, depth):
            for c in e.children():
                self.visit(c, depth + 1)

    v = Depth()
    v.visit(ir.Binary(I32, "add", ir.Var(I32, "x"), ir.Binary(I32, "mul", ir.Var(I32, "y"), ir.Var(I32, "z"))), 0)
    assert v.seen == [("x", 1), ("y", 2), ("z", 2)]


def test_transformer_replaces_children_and_drops_none():
    class Rewrite(ir.Transformer):
        def visit_Var(self, e):
            return ir.Const(I32, 7) if e.name == "x" else e

        def visit_Break(self, s):
            return None

    body = ir.Block([ir.Assign(ir.Var(I32, "y"), ir.Binary(I32, "add", ir.Var(I32, "x"), ir.Var(I32, "x"))),
                     ir.Break()])
    out = Rewrite().visit(body)
    assert out is body and len(body.stmts) == 1
    value = body.stmts[0].value
    assert [type(c) for c in value.children()] == [ir.Const, ir.Const]
    assert body.stmts[0].target.name == "y"


def test_walk_is_preorder_over_every_node():
    module = every_node_module()
    nodes = walk(module)
    assert nodes[0] is module
    assert sum(isinstance(n, ir.Kernel) for n in nodes) == len(module.kernels)


def test_string_ops_become_enum_members_that_still_compare_as_strings():
    e = ir.Binary(I32, "add", ir.Var(I32, "a"), ir.Var(I32, "b"))
    assert e.op is ir.BinaryOp.ADD and e.op == "add" and f"{e.op}" == "add" and repr(e.op) == "'add'"
    assert ir.ScalarType("int", 32).kind is ir.ScalarKind.INT and ir.ScalarType("int", 32) == I32
    assert ir.ArrayType(I32, 4, "shared").space is ir.ArraySpace.SHARED
    assert ir.Builtin(I32, "global_id").name is ir.BuiltinName.GLOBAL_ID
    assert ir.Atomic(I32, "xor", "b", ir.Var(I32, "i"), [ir.Var(I32, "v")]).op is ir.AtomicOp.XOR
    assert {"add": 1}[e.op] == 1  # hashes as its value


def test_unknown_names_are_kept_for_the_verifier():
    e = ir.Binary(I32, "frobnicate", ir.Var(I32, "a"), ir.Var(I32, "b"))
    assert type(e.op) is str and e.op == "frobnicate"
    assert ir.Unary(I32, ["unhashable"], ir.Var(I32, "a")).op == ["unhashable"]


def test_enum_sets_match_the_tuples():
    assert set(ir.UNARY_OPS) == set(ir.UnaryOp)
    assert set(ir.BINARY_OPS) == set(ir.BinaryOp)
    assert set(ir.ID_BUILTINS) | set(ir.MATH_BUILTINS) | set(ir.SYNC_BUILTINS) | set(ir.SUBGROUP_BUILTINS) \
        == set(ir.BuiltinName)
    assert set(ir.SUBGROUP_CLASS) == set(ir.SUBGROUP_BUILTINS)
    assert "pow" in ir.MATH_BUILTINS and "global_id" in ir.ID_BUILTINS and "barrier" not in ir.MATH_BUILTINS


def test_printing_does_not_depend_on_how_names_were_given():
    module = every_node_module()
    text = print_module(module)
    assert "BinaryOp" not in text and "ScalarKind" not in text
