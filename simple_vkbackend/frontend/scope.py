"""Names: bindings, nested scopes, and unique IR names within a function."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Union

from ..lowering import ir
from .source import Span
from .vector_types import VectorSlots

# Binding kinds: scalar values ...
LOCAL, PARAM, CONST, LOOP_VAR = "local", "param", "const", "loop variable"
# ... and names that are only indexed, measured or used in atomics
BUFFER, SHARED, PRIVATE = "buffer", "shared array", "array"
# ... a cooperative matrix local (check_coop.py)
MATRIX = "matrix"
# a binding whose declaration had an error: uses are silently skipped
ERROR = "error"

SCALAR_KINDS = frozenset({LOCAL, PARAM, CONST, LOOP_VAR})
INDEXABLE_KINDS = frozenset({BUFFER, SHARED, PRIVATE})


@dataclass(eq=False, slots=True)
class Binding:
    kind: str
    ir_name: str
    type: Union[ir.ScalarType, ir.BufferType, ir.ArrayType, VectorSlots, ir.CoopMatrixType, None]
    mutable: bool
    span: Optional[Span]

    @property
    def scalar(self) -> ir.ScalarType:
        """The type of a scalar binding (kinds in SCALAR_KINDS)."""
        if not isinstance(self.type, ir.ScalarType):
            raise TypeError(f"internal: {self.kind} `{self.ir_name}` is not a scalar")
        return self.type

    @property
    def elem(self) -> ir.ScalarType:
        """The element type of a buffer or array binding (kinds in INDEXABLE_KINDS)."""
        if not isinstance(self.type, (ir.BufferType, ir.ArrayType)):
            raise TypeError(f"internal: {self.kind} `{self.ir_name}` is not a buffer or array")
        return self.type.elem

    @property
    def writable(self) -> bool:
        """False for a read-only buffer."""
        return not isinstance(self.type, ir.BufferType) or self.type.writable


class Scope:
    __slots__ = ("parent", "names")

    def __init__(self, parent: Optional["Scope"] = None):
        self.parent = parent
        self.names: dict[str, Binding] = {}

    def lookup(self, name: str) -> Optional[Binding]:
        scope: Optional[Scope] = self
        while scope is not None:
            b = scope.names.get(name)
            if b is not None:
                return b
            scope = scope.parent
        return None

    def define(self, name: str, binding: Binding) -> None:
        self.names[name] = binding


class NameAllocator:
    """Hands out names unique within one function: `x`, then `x_1`, `x_2`, ..."""

    def __init__(self, taken=()):
        self.used: set[str] = set(taken)

    def fresh(self, base: str) -> str:
        name = base
        n = 0
        while name in self.used:
            n += 1
            name = f"{base}_{n}"
        self.used.add(name)
        return name
