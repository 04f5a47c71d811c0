"""Options of one compilation, and what it reports besides the IR."""
from __future__ import annotations

import os
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
    bounds: Optional[str] = None  # "trap": the debug option; None: SIMPLE_VK_BOUNDS decides
    skipped: list[ast.SkippedItem] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.bounds = bounds_option(self.bounds if self.bounds is not None else os.environ.get(BOUNDS_ENV))


BOUNDS_ENV = "SIMPLE_VK_BOUNDS"
BOUNDS_OPTIONS = ("trap", "off")


def bounds_option(value: Optional[str]) -> Optional[str]:
    """The debug bounds option: "trap", or None for off ("off" and "" say so)."""
    if value is None or value in ("", "off"):
        return None
    if value != "trap":
        from .diagnostics import CompileError, Diagnostic
        raise CompileError([Diagnostic("error", f"unknown bounds option {value!r} (from the argument or "
                                                f"{BOUNDS_ENV}): expected one of {', '.join(BOUNDS_OPTIONS)}",
                                      filename=BOUNDS_ENV)])
    return value
