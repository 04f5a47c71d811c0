"""The kernel IR's text form: `print_module(module) -> str`, `parse_module(text) -> Module`.

The grammar is in docs/kernel_ir.md. In short: a module is a `module "NAME"` line
then constants, helpers (`fn`) and kernels; bodies are brace blocks, one statement
a line, declarations (`local`, `shared`) first; every operation is a prefix form
`(OP.TYPE ARGS...)` whose `.TYPE` is the node's own type, literals carry their type
(`1:i32`, `0.5:f32`, `true`), and a name's type comes from its declaration.

Printing is deterministic; for a verified module `m`, `parse_module(print_module(m))`
is structurally equal to `m` and prints back to the same text. Floats print with
`repr` (shortest exact form; `nan`, `inf`, `-inf`), so they round-trip exactly
(a NaN's sign and payload are not kept).
"""
from __future__ import annotations

from .text_parser import parse_module
from .printer import print_expr, print_module

__all__ = ["parse_module", "print_expr", "print_module"]
