"""The signatures of the subgroup builtins (ir.Builtin's docstring), for the verifier."""
from __future__ import annotations

from typing import Optional

from . import nodes as ir


def subgroup_problems(e: ir.Builtin, arg_types: list[Optional[ir.ScalarType]]) -> list[str]:
    """What is wrong with subgroup builtin `e` whose arguments have `arg_types`
    (None: an argument whose type is already reported)."""
    name = e.name
    if name in ir.SUBGROUP_VALUES or name in (ir.BuiltinName.SUBGROUP_ELECT, ir.BuiltinName.SUBGROUP_BARRIER):
        result = ir.I32 if name in ir.SUBGROUP_VALUES else ir.BOOL if name == ir.BuiltinName.SUBGROUP_ELECT else None
        problems = [f"builtin {name} takes no args, got {len(e.args)}"] if e.args else []
        if e.type != result:
            problems.append(f"builtin {name} has type {result}, not {e.type}")
        return problems
    takes_lane = name in ir.SUBGROUP_MOVES and name != ir.BuiltinName.SUBGROUP_BROADCAST_FIRST
    arity = 2 if takes_lane else 1
    if len(e.args) != arity:
        return [f"builtin {name} takes {arity} args, got {len(e.args)}"]
    problems = []
    if takes_lane and arg_types[1] not in (None, ir.I32):
        problems.append(f"builtin {name}: the lane argument must be i32, not {arg_types[1]}")
    if name == ir.BuiltinName.SUBGROUP_BROADCAST and not isinstance(e.args[1], ir.Const):
        problems.append(f"builtin {name}: the lane must be a constant (subgroup_shuffle takes any)")
    ty = arg_types[0]
    if ty is None:
        return problems
    if name in ir.SUBGROUP_VOTES:
        if ty != ir.BOOL:
            problems.append(f"builtin {name}: the argument must be bool, not {ty}")
        result = ir.U64 if name == ir.BuiltinName.SUBGROUP_BALLOT else ir.BOOL
    else:
        result = ty
        bitwise = name in ir.SUBGROUP_ARITHMETIC and ir.subgroup_arithmetic(name)[1] in ir.SUBGROUP_BITWISE_OPS
        if ty.is_bool or (bitwise and not ty.is_int):
            problems.append(f"builtin {name}: args of type {ty} not allowed")
    if e.type != result:
        problems.append(f"builtin {name} has type {e.type}, expected {result}")
    return problems
