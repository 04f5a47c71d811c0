"""What the checker knows about a module while checking it."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Optional

from ..lowering import ir
from . import ast
from .diagnostics import DiagnosticBag
from .scope import CONST, ERROR, Binding
from .source import SourceFile, Span

if TYPE_CHECKING:
    from .bounds import TrapSites
    from .id_types import IdTyping


@dataclass(eq=False)
class FnSig:
    """A function's signature, known before any body is checked."""

    name: str
    params: list[ir.Param]
    ret: Optional[ir.ScalarType]
    is_kernel: bool
    span: Span
    broken: bool = False  # the signature had errors: calls are not checked against it
    # bare buffer parameters made read-only by the kernel's marker (`@gpu("vulkan")`, strict mode)
    implicit_readonly: frozenset = frozenset()


class ModuleContext:
    """Signatures of all functions and the (lazily evaluated) module constants."""

    def __init__(self, source: SourceFile, diags: DiagnosticBag):
        self.source = source
        self.diags = diags
        self.functions: dict[str, FnSig] = {}
        self.const_defs: dict[str, ast.ConstDef] = {}
        self.constants: dict[str, ir.Constant] = {}
        self._bindings: dict[str, Binding] = {}
        self._evaluating: set[str] = set()
        self.evaluate_const: Optional[Callable[[ast.ConstDef], Optional[ir.Constant]]] = None
        self.skipped: dict[str, ast.SkippedItem] = {}  # host items by the names they define

    def error(self, message: str, span: Optional[Span], hint: Optional[str] = None) -> None:
        self.diags.error(message, span, hint)

    def const_binding(self, name: str) -> Optional[Binding]:
        """The binding of module constant `name`, evaluating it on first use."""
        b = self._bindings.get(name)
        if b is not None or name not in self.const_defs:
            return b
        d = self.const_defs[name]
        if name in self._evaluating:
            self.error(f"constant `{name}` depends on itself", d.name_span)
            b = Binding(ERROR, name, None, False, d.name_span)
            self._bindings[name] = b
            return b
        self._evaluating.add(name)
        c = self.evaluate_const(d)
        self._evaluating.discard(name)
        if name in self._bindings:  # a cycle through this constant was reported meanwhile
            return self._bindings[name]
        if c is None:
            b = Binding(ERROR, name, None, False, d.name_span)
        else:
            self.constants[name] = c
            b = Binding(CONST, name, c.type, False, d.name_span)
        self._bindings[name] = b
        return b


def _ignore(*_args) -> None:
    pass


@dataclass(eq=False)
class ExprContext:
    """What an expression checker (check_expr.ExprChecker) needs from the code around
    it, given explicitly: the module, the names in scope (`lookup`, and `name_hint`
    for an unknown one), where the facts it learns go (`note_dim`: an id dimension
    used; `note_call`: a helper called), and the rules of the function it is in."""

    m: ModuleContext
    lookup: Callable[[str], Optional[Binding]]
    name_hint: Callable[[str], Optional[str]]
    note_dim: Callable[[int], None] = _ignore
    note_call: Callable[[str, Span], None] = _ignore
    simd: bool = False  # buffer accesses are checked (@simd)
    bounds: str = "return"  # the @simd kernel's out-of-range policy (bounds.py)
    implicit_readonly: frozenset = frozenset()  # bare buffers read-only by the kernel's marker
    ids: Optional["IdTyping"] = None  # thread ids' flexible integer type (function bodies only)
    traps: Optional["TrapSites"] = None  # a kernel in trap mode: its trap sites (bounds.py)
