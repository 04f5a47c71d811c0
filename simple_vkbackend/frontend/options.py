"""Options of one compilation, and what it reports besides the IR."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from . import ast


@dataclass
class CompileOptions:
    """`strict`: the `@gpu("...")` buffer rule for every kernel (a bare buffer
    parameter is read-only unless declared `mut NAME: [T]`), for code meant for
    upstream's compiler too. `bounds="trap"`: the bounds-trap debug option (every
buffer, shared and private array access of every kernel traps). `skipped` receives the host items the front end
    skipped without compiling them (`simple-vk check -v` lists them)."""

    strict: bool = False
    bounds: Optional[str] = None  # "trap": the debug option, every access of every kernel traps
    skipped: list[ast.SkippedItem] = field(default_factory=list)
