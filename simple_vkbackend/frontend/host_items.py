"""Kernels inside ordinary Simple programs: which items the kernels reach.

In a file with host code (ast.SourceModule.host), only the kernels, the helper
functions they call and the constants they name (transitively) are compiled;
every other item is skipped, and a kernel that names a skipped item gets an
error naming it (see `skipped_hint`)."""
from __future__ import annotations

import dataclasses
from typing import Optional

from . import ast


def referenced_names(node) -> set[str]:
    """Every `Name` used anywhere under a syntax-tree node."""
    names: set[str] = set()
    todo = [node]
    while todo:
        n = todo.pop()
        if isinstance(n, list):
            todo.extend(n)
        elif isinstance(n, tuple):
            todo.extend(n)
        elif isinstance(n, ast.Name):
            names.add(n.id)
        elif dataclasses.is_dataclass(n) and not isinstance(n, type):
            todo.extend(getattr(n, f.name) for f in dataclasses.fields(n) if f.name not in ("span", "name_span"))
    return names


def reachable_items(kernels: list[ast.FnDef], items: dict[str, ast.Item]) -> set[str]:
    """Names of the items that the kernels reach through calls and constant uses."""
    seen: set[str] = set()
    todo: list = list(kernels)
    while todo:
        for name in referenced_names(todo.pop()):
            if name in items and name not in seen:
                seen.add(name)
                todo.append(items[name])
    return seen


def skipped_hint(item: ast.SkippedItem) -> str:
    what = "an import" if item.kind in ("use", "import", "from", "export") else f"a `{item.kind}`"
    if item.kind == "statement":
        what = "a module-level statement"
    return (f"it is host code ({what} on line {item.span.line}), which the GPU backend skips; "
            "kernels can use `fn` helpers with scalar parameters, `const`s and the builtins")


def skipped_named(skipped: dict[str, ast.SkippedItem], name: str) -> Optional[ast.SkippedItem]:
    return skipped.get(name)
