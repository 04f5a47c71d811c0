"""The token cursor shared by the parsers: look at, consume and expect tokens,
report a syntax error and unwind (ParseError), and bound recursion depth."""
from __future__ import annotations

from typing import Optional

from .diagnostics import DiagnosticBag
from .source import SourceFile, Span
from .tokens import Token

# Like parser.MAX_BLOCK_DEPTH, keeps every later recursive pass far from Python's recursion limit.
MAX_NESTING = 64  # nested parentheses / prefix operators / conditionals


class ParseError(Exception):
    """Raised after a syntax error has been reported, to unwind to a sync point."""


class TokenCursor:
    """A position in a token list, the helpers every parser uses to look, consume and
    report, and the nesting counter that bounds recursion."""

    def __init__(self, tokens: list[Token], source: SourceFile, diags: DiagnosticBag):
        self.toks = tokens
        self.pos = 0
        self.src = source
        self.diags = diags
        self.nesting = 0
        self.last_end = 0

    # ------------------------------------------------------------------ token helpers

    @property
    def tok(self) -> Token:
        return self.toks[self.pos]

    def at(self, kind: str) -> bool:
        return self.toks[self.pos].kind == kind

    def advance(self) -> Token:
        t = self.toks[self.pos]
        if t.kind != "EOF":
            self.pos += 1
            self.last_end = t.end
        return t

    def accept(self, kind: str) -> Optional[Token]:
        return self.advance() if self.toks[self.pos].kind == kind else None

    def expect(self, kind: str, what: Optional[str] = None, hint: Optional[str] = None) -> Token:
        if self.toks[self.pos].kind == kind:
            return self.advance()
        self.fail(f"expected {what or '`' + kind + '`'}, found {self.tok.describe()}", self.tok, hint)

    def span_from(self, start: int) -> Span:
        return Span(self.src, start, max(start, self.last_end))

    def tok_span(self, t: Token) -> Span:
        return Span(self.src, t.start, t.end)

    def fail(self, message: str, where, hint: Optional[str] = None):
        span = self.tok_span(where) if isinstance(where, Token) else where
        self.diags.syntax_error(message, span, hint)
        raise ParseError()

    def enter(self) -> None:
        self.nesting += 1
        if self.nesting > MAX_NESTING:
            self.nesting = 0
            self.fail(f"expression nested too deeply (more than {MAX_NESTING} levels)", self.tok)
