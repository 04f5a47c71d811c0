"""Diagnostics: what went wrong, where, and how it is rendered.

Rendering, one block per diagnostic:

    FILE:LINE:COL: error: MESSAGE
    <the source line>
    <carets under the span on that line>
      hint: HINT

A diagnostic without a span renders as `FILE: error: MESSAGE` alone.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from .source import SourceFile, Span

MAX_ERRORS = 100


@dataclass
class Diagnostic:
    severity: str  # "error" | "warning" | "note"
    message: str
    span: Optional[Span] = None
    hint: Optional[str] = None
    filename: Optional[str] = None  # used when there is no span

    @property
    def line(self) -> Optional[int]:
        return self.span.line if self.span is not None else None

    @property
    def col(self) -> Optional[int]:
        return self.span.col if self.span is not None else None

    def render(self) -> str:
        if self.span is None:
            out = [f"{self.filename or '<source>'}: {self.severity}: {self.message}"]
        else:
            out = [f"{self.span.file.name}:{self.span.line}:{self.span.col}: "
                   f"{self.severity}: {self.message}", *_source_excerpt(self.span)]
        if self.hint:
            out.append(f"  hint: {self.hint}")
        return "\n".join(out)


def _printable(ch: str) -> str:
    return ch if ch == "\t" or ch.isprintable() else "?"


def _source_excerpt(span: Span) -> list[str]:
    """The source line of the span's start, and a caret line under the span."""
    file = span.file
    line, col = file.line_col(span.start)
    text = file.line_text(line)
    line_end = file.line_starts[line - 1] + len(text)
    width = max(1, min(span.end, line_end) - span.start)
    pad = "".join("\t" if ch == "\t" else " " for ch in text[:col - 1])
    return ["".join(map(_printable, text)), pad + "^" * width]


class CompileError(Exception):
    """A source file could not be compiled; carries every diagnostic found."""

    def __init__(self, diagnostics: list[Diagnostic]):
        self.diagnostics = list(diagnostics)
        super().__init__(self.render())

    def render(self) -> str:
        return "\n".join(d.render() for d in self.diagnostics)

    def __str__(self) -> str:
        return self.render()


class TooManyErrors(Exception):
    """Raised by a bag once MAX_ERRORS errors are recorded, to stop early."""


class DiagnosticBag:
    """Collects the diagnostics of one compilation."""

    def __init__(self, source: Optional[SourceFile] = None, limit: Optional[int] = MAX_ERRORS):
        self.source = source
        self.limit = limit  # None: keep every error (a bag whose errors are filtered later)
        self.diagnostics: list[Diagnostic] = []
        self.error_count = 0
        self.syntax_lines: set[int] = set()

    def error(self, message: str, span: Optional[Span], hint: Optional[str] = None) -> None:
        self.diagnostics.append(Diagnostic("error", message, span, hint, self._filename()))
        self.error_count += 1
        if self.limit is not None and self.error_count >= self.limit:
            self.diagnostics.append(Diagnostic(
                "error", f"too many errors ({MAX_ERRORS}); stopping", None, None, self._filename()))
            raise TooManyErrors()

    def syntax_error(self, message: str, span: Span, hint: Optional[str] = None) -> None:
        """A lexer or parser error; only the first on a line is kept, since the
        others on it are mostly consequences of the first."""
        line = span.line
        if line not in self.syntax_lines:
            self.syntax_lines.add(line)
            self.error(message, span, hint)

    def _filename(self) -> Optional[str]:
        return self.source.name if self.source is not None else None

    @property
    def has_errors(self) -> bool:
        return self.error_count > 0

    def raise_if_errors(self) -> None:
        """Raise CompileError with every diagnostic, in source order."""
        if self.has_errors:
            end = len(self.source.text) + 1 if self.source is not None else 0
            raise CompileError(sorted(self.diagnostics, key=lambda d: d.span.start if d.span else end))
