"""The kernel IR: node classes (nodes.py), the closed sets of names as enums (ops.py),
the traversal protocol (visitor.py), walks and analyses (walk.py), the verifier
(verify.py), the text form (text.py: printer.py, parser.py) and structural
equality (equal.py). `from simple_vkbackend.lowering import ir` gives the node
classes, types and enums; the other modules are imported by name.
"""
# Re-exported through __all__ (which ruff cannot read, as it is computed):
from .nodes import *  # noqa: F403 - the public node and type names
from .coop_matrix import *  # noqa: F403 - cooperative matrix types and nodes
from .nodes import Node  # noqa: F401 - re-exported
from .vector_nodes import VECTOR_ACCESS_WIDTHS, VectorLoad, VectorStore  # noqa: F401 - re-exported
from .ops import ArraySpace, AtomicOp, BinaryOp, BuiltinName, LogicalOp, ScalarKind, UnaryOp  # noqa: F401 - re-exported
from .visitor import Transformer, Visitor  # noqa: F401 - re-exported

__all__ = [name for name in dir() if not name.startswith("_")]
