"""Front end for Simple kernel source: lexer, parser, type checker -> kernel IR.

    compile_source(text, filename="<source>") -> ir.Module
    compile_file(path) -> ir.Module

Both raise CompileError carrying every Diagnostic found (str(err) renders them).
"""
from .compile import compile_file, compile_source
from .diagnostics import CompileError, Diagnostic

__all__ = ["compile_source", "compile_file", "CompileError", "Diagnostic"]
