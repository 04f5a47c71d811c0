"""The one traversal protocol of the kernel IR.

Nodes declare their children (`Node.CHILD_FIELDS`, `Node.children()`). A `Visitor`
has a method per node family, `visit_<ClassName>`; `visit(node, *context)` calls the method
of the node's class or of its nearest base that has one (`visit_Expr`,
`visit_Stmt`, `visit_Node`), else `generic_visit`, which visits the children. A
`Transformer` is a Visitor whose `generic_visit` replaces each child with what
visiting it returns (in a list field, a None result drops the element).
"""
from __future__ import annotations

from typing import Any, Callable, ClassVar, Generic, TypeVar

from .nodes import Node

R = TypeVar("R")


class Visitor(Generic[R]):
    """Dispatch on the node's class; see the module docstring."""

    _methods: ClassVar[dict[type, Callable[..., Any]]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._methods = {}  # per class: node class -> unbound method

    def visit(self, node: Node, *context: Any) -> R:
        """The result of the node's method; `context` (say, the active lanes of an
        interpreter) is passed on to it."""
        method = self._methods.get(type(node))
        if method is None:
            method = self._resolve(type(node))
        if context:
            return method(self, node, *context)
        return method(self, node)

    @classmethod
    def _resolve(cls, node_type: type) -> Callable[..., Any]:
        method = cls.generic_visit
        for base in node_type.__mro__:
            found = getattr(cls, "visit_" + base.__name__, None)
            if found is not None:
                method = found
                break
        cls._methods[node_type] = method
        return method

    def generic_visit(self, node: Node, *context: Any) -> Any:
        """Visit the children in order; the result is None."""
        for child in node.children():
            self.visit(child, *context)
        return None


class Transformer(Visitor[Any]):
    """A Visitor that rebuilds: each child is replaced by the result of visiting it."""

    def generic_visit(self, node: Node, *context: Any) -> Any:
        for name in node.CHILD_FIELDS:
            value = getattr(node, name)
            if value is None:
                continue
            if type(value) is list:
                setattr(node, name, [r for r in (self.visit(c, *context) for c in value) if r is not None])
            else:
                setattr(node, name, self.visit(value, *context))
        return node
