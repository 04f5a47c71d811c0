"""Front end for Simple kernel source: lexer, parser, type checker -> kernel IR.

    compile_source(text, filename="<source>", options=None) -> ir.Module
    compile_file(path, options=None) -> ir.Module

`options` (CompileOptions): `strict` mutability, and `skipped` receives the host
items of a program that were not compiled.

Both raise CompileError carrying every Diagnostic found (str(err) renders them).
"""
from .compile import compile_file, compile_source
from .diagnostics import CompileError, Diagnostic
from .options import CompileOptions

__all__ = ["compile_source", "compile_file", "CompileError", "CompileOptions", "Diagnostic"]
