"""Entry points: Simple source text or file -> kernel IR module."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Optional, Union

from ..lowering import ir
from .checker import check_module
from .options import CompileOptions
from .diagnostics import CompileError, Diagnostic, DiagnosticBag, TooManyErrors
from .lexer import tokenize
from .parser import parse
from .source import SourceFile, Span


def compile_source(text: Union[str, bytes], filename: str = "<source>",
                   options: Optional[CompileOptions] = None) -> ir.Module:
    """The kernel IR of Simple source `text`. Raises CompileError with every
    diagnostic found; never anything else for bad input. `options` selects the
    strict mutability rule and receives what was skipped (CompileOptions)."""
    options = options if options is not None else CompileOptions()
    if isinstance(text, (bytes, bytearray)):
        text = decode_source(bytes(text), filename)
    if not isinstance(text, str):
        raise CompileError([Diagnostic("error", f"source must be text, not {type(text).__name__}",
                                       filename=filename)])
    if text.startswith("\ufeff"):
        text = text[1:]
    source = SourceFile(filename, text)
    diags = DiagnosticBag(source)
    try:
        module = _compile(source, diags, _module_name(filename), options)
    except TooManyErrors:
        module = None
    except RecursionError:
        diags.diagnostics.append(Diagnostic("error", "source nested too deeply to compile", None, None, filename))
        diags.error_count += 1
        module = None
    except Exception as e:  # a bug in the compiler: report it as a diagnostic, not a traceback
        diags.diagnostics.append(Diagnostic(
            "error", f"internal compiler error: {type(e).__name__}: {e}", None,
            "this is a bug in the Simple front end; please report it with the source file", filename))
        diags.error_count += 1
        module = None
    diags.raise_if_errors()
    return module


def _compile(source: SourceFile, diags: DiagnosticBag, name: str, options: CompileOptions) -> ir.Module:
    lex_diags = DiagnosticBag(source, limit=None)  # errors inside skipped host items are dropped
    tokens = tokenize(source, lex_diags)
    diags.syntax_lines.update(lex_diags.syntax_lines)
    tree = parse(tokens, source, diags, tuple(d.span.start for d in lex_diags.diagnostics if d.span))
    options.skipped.extend(tree.skipped)
    for d in lex_diags.diagnostics:
        if d.span is None or not any(s.span.start <= d.span.start < s.span.end for s in tree.skipped):
            diags.error(d.message, d.span, d.hint)
    if diags.has_errors:  # checking a tree with holes would mostly report follow-on errors
        return None
    return check_module(tree, source, diags, name, options)


def compile_file(path: Union[str, os.PathLike], options: Optional[CompileOptions] = None) -> ir.Module:
    """The kernel IR of the Simple source file at `path`."""
    filename = os.fspath(path)
    try:
        data = Path(filename).read_bytes()
    except OSError as e:
        raise CompileError([Diagnostic("error", f"cannot read file: {e.strerror or e}", filename=filename)]) from None
    return compile_source(decode_source(data, filename), filename, options)


def decode_source(data: bytes, filename: str) -> str:
    """The text of a source file's bytes; a file that is not UTF-8 text is an error."""
    nul = data.find(b"\0")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        _raise_not_text(data, e.start, filename, f"file is not valid UTF-8 text (byte 0x{data[e.start]:02x})")
    if nul >= 0:
        _raise_not_text(data, nul, filename, "file is not text (it contains a NUL byte)")
    return text


def _raise_not_text(data: bytes, offset: int, filename: str, message: str):
    prefix = _printable(data[:offset])
    source = SourceFile(filename, prefix + _printable(data[offset:]))
    raise CompileError([Diagnostic("error", message, Span(source, len(prefix), len(prefix) + 1),
                                   "Simple source files are UTF-8 text", filename)])


def _printable(data: bytes) -> str:
    """`data` decoded for display under the caret: undecodable bytes and control
    characters (but newlines and tabs) shown as `?`, one character each."""
    text = data.decode("utf-8", errors="replace")
    return "".join(c if c.isprintable() and c != "\ufffd" or c in "\n\t" else "?" for c in text)


def _module_name(filename: str) -> str:
    if filename.startswith("<"):
        return "module"
    return Path(filename).stem or "module"
