"""The kernel IR verifier: checks every rule of nodes.py and reports all problems at once.

`verify_module(module)` raises `IRVerifyError` whose message lists each problem
with where it is, e.g. ``kernel saxpy: stmt 3 (if) > then > stmt 1 (assign): ...``
(statements are numbered from 1 within their block). `module_problems(module)`
returns the same list without raising. Each function is checked in one pass over
its body; the module-level pass adds item-name uniqueness and recursion.

The builtin tables (verify_rules.py: arity, which math builtins take integers, which
return bool) are re-exported here for the consumers of the IR; the check of one
function is verify_function.py.
"""
from __future__ import annotations

from typing import Optional, Union

from . import nodes as ir
from ..errors import IRVerifyError
from .limits import MAX_CALL_DEPTH, call_depths
from .verify_function import FunctionChecker
from .verify_rules import (ATOMIC_INT_TYPES, BOOL_MATH_BUILTINS, FLOAT_MAX, INT_MATH_BUILTINS,  # noqa: F401 - re-exported
                           MATH_ARITY, MAX_WORKGROUP_INVOCATIONS, RESERVED_NAMES, const_value_problem, name_problem,
                           scalar_type_problem)
from .walk import all_exprs


Fn = Union[ir.Kernel, ir.Function]


def verify_module(module: ir.Module) -> None:
    """Raise IRVerifyError listing every problem of `module`; return if none."""
    problems = module_problems(module)
    if problems:
        raise IRVerifyError(f"module '{module.name}' fails verification "
                            f"({len(problems)} problem{'s' if len(problems) > 1 else ''}):\n  "
                            + "\n  ".join(problems), problems)


def module_problems(module: ir.Module) -> list[str]:
    """Every problem of `module`, each as 'WHERE: MESSAGE'."""
    problems: list[str] = []
    _check_item_names(module, problems)
    for c in module.constants:
        problem = name_problem(c.name) or scalar_type_problem(c.type) or const_value_problem(c.type, c.value)
        if problem:
            problems.append(f"constant {c.name}: {problem}")
    functions: list[Fn] = [*module.functions, *module.kernels]
    for fn in functions:
        FunctionChecker(module, fn, problems).check()
    _check_recursion(module, problems)
    return problems


# --------------------------------------------------------------------------- module level


def _check_item_names(module: ir.Module, problems: list[str]) -> None:
    seen: dict[str, str] = {}
    items = ([("constant", c.name) for c in module.constants] + [("fn", f.name) for f in module.functions]
             + [("kernel", k.name) for k in module.kernels])
    for kind, name in items:
        if name in seen:
            problems.append(f"module: duplicate item name '{name}' ({seen[name]} and {kind})")
        else:
            seen[name] = kind
        problem = name_problem(name)
        if problem and kind != "constant":  # constants report theirs with their other checks
            problems.append(f"{kind} {name}: {problem}")


def _check_recursion(module: ir.Module, problems: list[str]) -> None:
    helpers = {f.name for f in module.functions}
    callees = {f.name: _called_names(f, helpers) for f in module.functions}
    for f in module.functions:
        chain = _call_chain(callees, f.name, f.name)
        if chain:
            problems.append(f"fn {f.name}: recursion is not allowed: {' -> '.join(chain)}")
            return
    depths = call_depths(callees)
    functions: list[Fn] = [*module.kernels, *module.functions]
    for fn in functions:
        d = max((depths[c] for c in _called_names(fn, helpers)), default=0)  # the kernel is not a level
        if d > MAX_CALL_DEPTH:
            problems.append(f"{'kernel' if fn in module.kernels else 'fn'} {fn.name}: helper calls nest {d} deep, "
                            f"more than {MAX_CALL_DEPTH}")
            return


def _called_names(fn: Fn, helpers: set[str]) -> list[str]:
    names: list[str] = []
    try:
        for e in all_exprs(fn.body):
            if isinstance(e, ir.Call) and e.func in helpers and e.func not in names:
                names.append(e.func)
    except (AttributeError, TypeError):  # malformed body, reported by the function checker
        pass
    return names


def _call_chain(callees: dict[str, list[str]], start: str, goal: str) -> Optional[list[str]]:
    """A call path start -> ... -> goal of at least one call, or None (depth-first)."""
    stack, seen = [(start, [start])], set()
    while stack:
        name, path = stack.pop()
        for callee in callees.get(name, []):
            if callee == goal:
                return path + [goal]
            if callee not in seen:
                seen.add(callee)
                stack.append((callee, path + [callee]))
    return None
