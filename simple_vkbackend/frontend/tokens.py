"""Token kinds and the token record.

A token's `kind` is 'NAME', 'INT', 'FLOAT', 'NEWLINE', 'INDENT', 'DEDENT', 'EOF',
'#[' (an attribute opener), or the text itself for keywords and operators
('fn', '+=', '(' ...). Number tokens carry their value and type suffix.
"""
from __future__ import annotations

from typing import Optional, Union

KEYWORDS = frozenset({
    "fn", "val", "let", "var", "mut", "const", "shared", "if", "elif", "else", "while",
    "for", "in", "break", "continue", "return", "pass", "and", "or", "not", "true",
    "false", "as",
})

# Longest first, so that the lexer's alternation picks `<<=` before `<<` before `<`.
OPERATORS = (
    "<<=", ">>=",
    "**", "..", "->", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "==", "!=", "<=",
    ">=", "<<", ">>", "&&", "||", "//",
    "+", "-", "*", "/", "%", "&", "|", "^", "~", "<", ">", "=", "(", ")", "[", "]", "{",
    "}", ",", ":", ".", "@", ";", "!",
)

COMPOUND_ASSIGN = {"+=": "+", "-=": "-", "*=": "*", "/=": "/", "%=": "%", "&=": "&",
                   "|=": "|", "^=": "^", "<<=": "<<", ">>=": ">>"}


class Token:
    __slots__ = ("kind", "text", "start", "end", "value", "suffix")

    def __init__(self, kind: str, text: str, start: int, end: int,
                 value: Union[int, float, str, None] = None, suffix: Optional[str] = None):
        self.kind = kind
        self.text = text
        self.start = start
        self.end = end
        self.value = value
        self.suffix = suffix

    def __repr__(self) -> str:
        return f"Token({self.kind!r}, {self.text!r}, {self.start})"

    def describe(self) -> str:
        """How the token is named in a message."""
        if self.kind == "NEWLINE":
            return "end of line"
        if self.kind == "INDENT":
            return "an indented block"
        if self.kind == "DEDENT":
            return "end of block"
        if self.kind == "EOF":
            return "end of file"
        return f"`{self.text}`"
