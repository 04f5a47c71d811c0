"""Options of one compilation, and what it reports besides the IR."""
from __future__ import annotations

from dataclasses import dataclass, field

from . import ast


@dataclass
class CompileOptions:
    """`strict`: the `@gpu("...")` buffer rule for every kernel (a bare buffer
    parameter is read-only unless declared `mut NAME: [T]`), for code meant for
    upstream's compiler too. `skipped` receives the host items the front end
    skipped without compiling them (`simple-vk check -v` lists them)."""

    strict: bool = False
    skipped: list[ast.SkippedItem] = field(default_factory=list)
