"""Lexer: source text -> tokens, with Python-style INDENT/DEDENT/NEWLINE.

Lines are scanned one at a time with a single compiled regular expression (one
match per token). Inside brackets, line breaks and indentation are ignored.
Blank and comment-only lines produce nothing. `#[` opens an attribute; any other
`#` starts a comment. Indentation must be spaces; a tab there is an error.

Recovery from an unclosed bracket: a line inside brackets that is indented no
deeper than the line that opened them, and does not start with a closing
bracket, is taken as a new statement (the bracket is reported as never closed).
"""
from __future__ import annotations

import re

from ..lowering.ir.limits import MAX_IDENTIFIER_LENGTH
from .diagnostics import DiagnosticBag
from .source import SourceFile
from .tokens import KEYWORDS, OPERATORS, Token

NUMBER_SUFFIXES = frozenset({"i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64", "f16", "f32", "f64"})

_NUMBER = (r"(?P<num>(?:0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+"
           r"|(?P<fl>\d[\d_]*\.\d[\d_]*(?:[eE][+-]?\d[\d_]*)?|\d[\d_]*[eE][+-]?\d[\d_]*)"
           r"|\d[\d_]*)(?P<suffix>[A-Za-z_]\w*)?)")
# Each match is optional whitespace, then one token (a trailing run of whitespace
# matches nothing and ends the line's scan).
TOKEN_RE = re.compile(r"[ \t\f\r]*(?:" + "|".join([
    r"(?P<attr>\#\[)",
    r"(?P<comment>\#.*)",
    _NUMBER,
    r"(?P<name>[A-Za-z_]\w*)",
    "(?P<op>" + "|".join(re.escape(op) for op in OPERATORS) + ")",
    r"(?P<string>[\"'])",
    r"(?P<bad>.)",
]) + ")", re.ASCII)  # identifiers and digits are ASCII only
LEADING_WS = re.compile(r"[ \t\f]*")
OPENERS = {"(": ")", "[": "]", "{": "}", "#[": "]"}
CLOSERS = {")", "]", "}"}
BRACKETS = frozenset({"(", "[", "{", ")", "]", "}"})


class Lexer:
    def __init__(self, source: SourceFile, diags: DiagnosticBag):
        self.source = source
        self.diags = diags
        self.tokens: list[Token] = []
        self.indents = [0]
        self.brackets: list[Token] = []  # open brackets, innermost last
        self.line_indent = 0  # indentation of the current logical line
        self.last_line_end = 0  # end of the last line that had tokens
        self.logical_start = 0  # index of the first token of the current logical line

    def error(self, message: str, start: int, end: int, hint: str | None = None) -> None:
        self.diags.syntax_error(message, self.source.span(start, end), hint)

    def run(self) -> list[Token]:
        text = self.source.text
        lines = text.split("\n")
        start, k = 0, 0
        while k < len(lines):
            end = start + len(lines[k])
            # a triple-quoted string left open continues on the next lines: one line to scan
            if '"""' in lines[k] or "'''" in lines[k]:
                while _opens_long_string(text[start:end]) and k + 1 < len(lines):
                    k += 1
                    end += 1 + len(lines[k])
            self.line(start, end - 1 if text.endswith("\r", start, end) else end)
            start = end + 1
            k += 1
        self.finish(len(text))
        return self.tokens

    def line(self, start: int, end: int) -> None:
        text = self.source.text
        while end > start and text[end - 1] in " \t\f\r":  # trailing whitespace ends the line
            end -= 1
        pos = LEADING_WS.match(text, start, end).end()
        if pos == end or (text[pos] == "#" and not text.startswith("#[", pos)):
            return  # blank or comment-only line
        if self.brackets and pos - start <= self.line_indent and text[pos] not in ")]}":
            self.unclosed_brackets(self.last_line_end)
        if not self.brackets:
            self.indentation(start, pos)
            self.line_indent = pos - start
            self.logical_start = len(self.tokens)
        self.scan(pos, end)
        self.last_line_end = end
        if not self.brackets:
            self.tokens.append(Token("NEWLINE", "", end, end))

    def indentation(self, start: int, pos: int) -> None:
        ws = self.source.text[start:pos]
        tab = ws.find("\t")
        if tab >= 0:
            self.error("tab in indentation", start + tab, start + tab + 1,
                       "indent with spaces; tabs are not allowed")
        width = len(ws.expandtabs(4))
        if width > self.indents[-1]:
            self.indents.append(width)
            self.tokens.append(Token("INDENT", "", pos, pos))
            return
        while width < self.indents[-1]:
            self.indents.pop()
            self.tokens.append(Token("DEDENT", "", pos, pos))
        if width != self.indents[-1]:
            self.error("unindent does not match any outer indentation level", start, pos)
            self.indents.append(width)

    def scan(self, pos: int, end: int) -> None:
        while pos < end:  # a string literal interrupts the run of regular tokens
            pos = self.scan_tokens(pos, end)

    def scan_tokens(self, pos: int, end: int) -> int:
        """Tokens from `pos` up to `end` or up to the end of a string literal met
        on the way; where scanning stopped."""
        append = self.tokens.append
        text = self.source.text
        token, keywords, brackets = Token, KEYWORDS, BRACKETS
        for m in TOKEN_RE.finditer(text, pos, end):
            kind = m.lastgroup
            s = m.start(kind)
            e = m.end()
            if kind == "name":
                word = text[s:e]
                if e - s > MAX_IDENTIFIER_LENGTH:
                    self.error(f"a name may have at most {MAX_IDENTIFIER_LENGTH} characters, this one has {e - s}",
                               s, s + MAX_IDENTIFIER_LENGTH + 1, "choose a shorter name")
                append(token(word if word in keywords else "NAME", word, s, e))
            elif kind == "op":
                op = text[s:e]
                if op in brackets:
                    self.bracket(op, s, e)
                append(token(op, op, s, e))
            elif kind == "comment":
                continue
            elif kind == "num":
                append(self.number(m, s, e))
            elif kind == "attr":
                self.bracket("#[", s, e)
                append(Token("#[", "#[", s, e))
            elif kind == "string":
                return self.string(s, end)
            else:
                self.bad_char(text[s:e], s)
        return end

    def string(self, s: int, end: int) -> int:
        """A string literal (one line, or triple-quoted over several), as a STRING
        token. Strings mean something only as attribute arguments (`@gpu("vulkan")`)
        and as doc strings (a string alone on its line, skipped by the parser);
        elsewhere they are reported (host code that holds them is skipped, parser.py)."""
        text = self.source.text
        quote = text[s]
        width = 3 if text.startswith(quote * 3, s) else 1
        if width == 3:
            i = text.find(quote * 3, s + 3, end)
            i = end if i < 0 else i
        else:
            i = s + 1
            while i < end and text[i] != quote:
                i += 2 if text[i] == "\\" else 1
        if i >= end:
            self.error("unterminated string literal", s, end)
            close = end
        else:
            close = i + width
        self.tokens.append(Token("STRING", text[s:close], s, close, text[s + width:close - width]))
        first = self.tokens[self.logical_start]
        if first.kind not in ("@", "#[", "STRING"):
            self.error("string literals are not supported", s, close)
        return close

    def bad_char(self, ch: str, s: int) -> None:
        shown = ch if ch.isprintable() else repr(ch)[1:-1]
        hint = ("line continuation with `\\` is not supported; wrap the expression in parentheses"
                if ch == "\\" else None)
        self.error(f"unexpected character `{shown}`", s, s + 1, hint)

    def bracket(self, text: str, s: int, e: int) -> None:
        if text in OPENERS:
            self.brackets.append(Token(text, text, s, e))
        elif text in CLOSERS:
            if not self.brackets:
                self.error(f"unmatched `{text}`", s, e)
            elif OPENERS[self.brackets[-1].text] != text:
                opener = self.brackets.pop()
                self.error(f"`{text}` does not match `{opener.text}`", s, e)
            else:
                self.brackets.pop()

    def number(self, m: re.Match, s: int, e: int) -> Token:
        suffix = m.group("suffix")
        digits = m.group("num")[: len(m.group("num")) - len(suffix or "")]
        is_float = m.group("fl") is not None
        if suffix is not None and suffix not in NUMBER_SUFFIXES:
            self.error(f"invalid suffix `{suffix}` on number", s, e,
                       "type suffixes are i8 i16 i32 i64 u8 u16 u32 u64 f16 f32 f64")
            suffix = None
        clean = digits.replace("_", "")
        if is_float:
            if suffix is not None and suffix[0] != "f":
                self.error(f"float literal with integer suffix `{suffix}`", s, e)
                suffix = None
            return Token("FLOAT", m.group("num"), s, e, float(clean), suffix)
        base = {"x": 16, "b": 2, "o": 8}.get(clean[1:2].lower(), 10) if len(clean) > 1 and clean[0] == "0" else 10
        try:
            value = int(clean[2:] if base != 10 else clean, base)
        except ValueError:
            self.error("malformed number", s, e)
            value = 0
        if suffix is not None and suffix[0] == "f":
            return Token("FLOAT", m.group("num"), s, e, float(value), suffix)
        return Token("INT", m.group("num"), s, e, value, suffix)

    def unclosed_brackets(self, end: int) -> None:
        for opener in self.brackets:
            self.error(f"`{opener.text}` is never closed", opener.start, opener.end)
        self.brackets.clear()
        self.tokens.append(Token("NEWLINE", "", end, end))

    def finish(self, end: int) -> None:
        if self.brackets:
            self.unclosed_brackets(self.last_line_end)
        while len(self.indents) > 1:
            self.indents.pop()
            self.tokens.append(Token("DEDENT", "", end, end))
        self.tokens.append(Token("EOF", "", end, end))


def _opens_long_string(line: str) -> bool:
    """Whether a triple-quoted string starts on `line` and does not end there."""
    return line.count('"""') % 2 == 1 or line.count("\'\'\'") % 2 == 1


def tokenize(source: SourceFile, diags: DiagnosticBag) -> list[Token]:
    """All tokens of `source`; problems go to `diags` and lexing goes on."""
    return Lexer(source, diags).run()
