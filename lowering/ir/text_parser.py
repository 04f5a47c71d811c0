"""Parsing the kernel IR's text form (grammar in docs/kernel_ir.md; the printer is
printer.py, the public entry points are in text.py). Errors are IRParseError
with `LINE:COL: message`."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Callable, Optional, Union

from . import nodes as ir
from ..errors import IRParseError
from .vector_nodes import VectorLoad, VectorStore
from .coop_matrix import CoopMatrixType
from .text_coop import CoopTextParser

# --------------------------------------------------------------------------- tokens


@dataclass(frozen=True)
class Token:
    kind: str  # "ident", "number", "string", "punct", "newline", "eof"
    text: str
    line: int
    col: int


_TOKEN_RE = re.compile(r"""
    (?P<space>[ \t\r]+|\#[^\n]*)
  | (?P<newline>\n)
  | (?P<ident>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<punct>->)
  | (?P<number>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
  | (?P<string>"(?:[^"\\\n]|\\.)*")
  | (?P<punct2>[()\[\]{}<>,:;=!&.\-])
""", re.VERBOSE)


def tokenize(text: str) -> list[Token]:
    """The tokens of `text`; comments (`#` to end of line) and blanks are dropped."""
    tokens, pos, line, line_start = [], 0, 1, 0
    while pos < len(text):
        m = _TOKEN_RE.match(text, pos)
        col = pos - line_start + 1
        if m is None:
            raise IRParseError(f"{line}:{col}: unexpected character {text[pos]!r}")
        kind = m.lastgroup
        assert kind is not None  # every alternative of _TOKEN_RE is a named group
        if kind == "newline":
            tokens.append(Token("newline", "\n", line, col))
            line, line_start = line + 1, m.end()
        elif kind != "space":
            tokens.append(Token("punct" if kind == "punct2" else kind, m.group(), line, col))
        pos = m.end()
    tokens.append(Token("eof", "", line, pos - line_start + 1))
    return tokens


# --------------------------------------------------------------------------- parsing


def parse_module(text: str) -> ir.Module:
    """The module written in `text`; IRParseError('LINE:COL: message') if malformed."""
    return _Parser(text).module()


@dataclass
class _Pending:
    """A Var or Index whose type comes from a declaration, resolved at the end."""

    node: Union[ir.Var, ir.Index]
    token: Token
    scope: dict[str, ir.Type | CoopMatrixType]


class _Parser:
    def __init__(self, text: str):
        self.tokens = tokenize(text)
        self.pos = 0
        self.pending: list[_Pending] = []
        self.scope: dict[str, ir.Type | CoopMatrixType] = {}  # the current function's names
        self.coop = CoopTextParser(self)

    # ----------------------------------------------------------------- token helpers

    def peek(self, ahead: int = 0) -> Token:
        return self.tokens[min(self.pos + ahead, len(self.tokens) - 1)]

    def next(self) -> Token:
        tok = self.peek()
        self.pos += 1
        return tok

    def at(self, text: str, ahead: int = 0) -> bool:
        tok = self.peek(ahead)
        return tok.text == text and tok.kind in ("punct", "ident")

    def accept(self, text: str) -> bool:
        if self.at(text):
            self.pos += 1
            return True
        return False

    def expect(self, text: str) -> Token:
        if not self.at(text):
            raise self.error(f"expected '{text}', found {_show(self.peek())}")
        return self.next()

    def expect_kind(self, kind: str, what: str) -> Token:
        if self.peek().kind != kind:
            raise self.error(f"expected {what}, found {_show(self.peek())}")
        return self.next()

    def name(self, what: str = "a name") -> str:
        return self.expect_kind("ident", what).text

    def end_of_line(self) -> None:
        if not self.at("}"):
            if self.peek().kind == "eof":
                return
            self.expect_kind("newline", "end of line")

    def skip_newlines(self) -> None:
        while self.peek().kind == "newline":
            self.pos += 1

    def error(self, message: str, tok: Optional[Token] = None) -> IRParseError:
        tok = tok or self.peek()
        return IRParseError(f"{tok.line}:{tok.col}: {message}")

    # ----------------------------------------------------------------- items

    def module(self) -> ir.Module:
        module = ir.Module()
        self.skip_newlines()
        if self.accept("module"):
            module.name = self.string()
            self.end_of_line()
        items = ("const", "fn", "kernel")
        while True:
            self.skip_newlines()
            tok = self.peek()
            if tok.kind == "eof":
                break
            if tok.text not in items or tok.kind != "ident":
                raise self.error(f"expected 'const', 'fn' or 'kernel', found {_show(tok)}")
            self.next()
            if tok.text == "const":
                module.constants.append(self.constant())
            elif tok.text == "fn":
                module.functions.append(self.function())
            else:
                module.kernels.append(self.kernel())
            self.end_of_line()
        self.resolve(module)
        return module

    def string(self) -> str:
        tok = self.expect_kind("string", "a string")
        try:  # the printer writes json.dumps (ASCII, every escape JSON's)
            value = json.loads(tok.text)
        except json.JSONDecodeError as e:
            raise self.error(f"malformed string {tok.text[:40]!r}: {e.msg}", tok) from None
        return value

    def constant(self) -> ir.Constant:
        name = self.name()
        self.expect(":")
        ty = self.scalar_type()
        self.expect("=")
        return ir.Constant(name, ty, self.literal_value(ty))

    def function(self) -> ir.Function:
        name = self.name()
        params = self.params()
        ret = self.scalar_type() if self.accept("->") else None
        fn = ir.Function(name, params, ret, ir.Block())
        self.body(fn)
        return fn

    def kernel(self) -> ir.Kernel:
        k = ir.Kernel(self.name(), self.params(), ir.Block())
        seen: set[str] = set()
        while not self.at("{"):
            tok = self.next()
            if (tok.kind != "ident" or tok.text in seen
                    or tok.text not in ("dims", "local_size", "simd", "exact", "target", "grid_size")):
                raise self.error("expected a kernel attribute (dims=, local_size=, simd, exact, target=, grid_size=) "
                                 f"or '{{', found {_show(tok)}", tok)
            seen.add(tok.text)
            if tok.text in ("simd", "exact"):
                setattr(k, tok.text, True)
                continue
            self.expect("=")
            if tok.text == "dims":
                k.dims = self.integer()
            elif tok.text == "target":
                k.target = self.name()
            elif tok.text == "grid_size":
                k.grid_size = self.int_triple()
            else:
                k.local_size = self.int_triple()
        self.body(k)
        return k

    def int_triple(self) -> tuple[int, int, int]:
        self.expect("(")
        x = self.integer()
        self.expect(",")
        y = self.integer()
        self.expect(",")
        z = self.integer()
        self.expect(")")
        return (x, y, z)

    def params(self) -> list[ir.Param]:
        self.expect("(")
        params: list[ir.Param] = []
        while not self.accept(")"):
            if params:
                self.expect(",")
            name = self.name("a parameter name")
            self.expect(":")
            params.append(ir.Param(name, self.param_type()))
        return params

    def integer(self) -> int:
        tok = self.expect_kind("number", "an integer")
        if not re.fullmatch(r"-?\d+", tok.text):
            raise self.error(f"expected an integer, found {tok.text}", tok)
        return int(tok.text)

    # ----------------------------------------------------------------- types

    def scalar_type(self) -> ir.ScalarType:
        tok = self.peek()
        if tok.kind != "ident" or tok.text not in ir.SCALAR_TYPES:
            raise self.error(f"expected a scalar type, found {_show(tok)}")
        self.next()
        return ir.SCALAR_TYPES[tok.text]

    def param_type(self) -> Union[ir.ScalarType, ir.BufferType]:
        if self.at("buf") or self.at("rbuf"):
            writable = self.next().text == "buf"
            self.expect("<")
            elem = self.scalar_type()
            self.expect(">")
            return ir.BufferType(elem, writable)
        return self.scalar_type()

    def array_type(self, space: str) -> ir.ArrayType:
        self.expect("[")
        elem = self.scalar_type()
        self.expect(";")
        length = self.integer()
        self.expect("]")
        return ir.ArrayType(elem, length, space)

    # ----------------------------------------------------------------- bodies

    def body(self, fn: Union[ir.Kernel, ir.Function]) -> None:
        self.scope = {p.name: p.type for p in fn.params}
        self.expect("{")
        self.skip_newlines()
        while self.at("local") or self.at("shared"):
            if self.peek(1).kind != "ident":  # `local = ...`: a statement on a local named 'local'
                break
            self.declaration(fn)
            self.skip_newlines()
        fn.body = self.block_rest()

    def declaration(self, fn: Union[ir.Kernel, ir.Function]) -> None:
        keyword = self.next()
        name = self.name()
        self.expect(":")
        ty: Union[ir.ArrayType, ir.ScalarType, CoopMatrixType]
        if keyword.text == "shared":
            if not isinstance(fn, ir.Kernel):
                raise self.error("shared arrays are only allowed in kernels", keyword)
            ty = self.array_type("shared")
            fn.shared.append(ir.SharedArray(name, ty))
        else:
            ty = self.array_type("private") if self.at("[") else self.coop.coop_type() if self.at("coop") \
                else self.scalar_type()
            fn.locals.append(ir.Local(name, ty))
        self.scope[name] = ty
        self.end_of_line()

    def block(self) -> ir.Block:
        self.expect("{")
        return self.block_rest()

    def block_rest(self) -> ir.Block:
        """Statements up to and including the closing brace."""
        block = ir.Block()
        while True:
            self.skip_newlines()
            if self.accept("}"):
                return block
            if self.peek().kind == "eof":
                raise self.error("expected '}' before end of text")
            block.stmts.append(self.statement())
            self.end_of_line()

    def statement(self) -> ir.Stmt:
        tok, after = self.peek(), self.peek(1)
        if tok.kind == "ident" and after.text == "=" and self.coop.is_matrix_local(tok.text):
            return self.coop.coop_assign()
        if tok.kind == "ident" and not (after.text in ("=", "[") and after.kind == "punct"):
            keyword = _STATEMENT_KEYWORDS.get(tok.text)
            if keyword is not None:
                self.next()
                return keyword(self, tok)
        target = self.expr()
        if self.accept("="):
            if not isinstance(target, (ir.Var, ir.Index)):
                raise self.error("only a name or an element can be assigned", tok)
            return ir.Assign(target, self.expr())
        return ir.ExprStmt(target)

    def if_stmt(self, tok: Token) -> ir.If:
        stmt = ir.If(self.expr(), self.block())
        if self.accept("else"):
            stmt.otherwise = self.block()
        return stmt

    def loop_stmt(self, tok: Token) -> ir.Loop:
        cond = self.expr() if self.accept("while") else None
        stmt = ir.Loop(cond, self.block())
        if self.accept("step"):
            stmt.step = self.block()
        return stmt

    def vload_stmt(self, tok: Token) -> VectorLoad:
        targets = [self.expr()]
        while self.accept(","):
            targets.append(self.expr())
        if not all(type(t) is ir.Var for t in targets):
            raise self.error("vload: the targets must be names", tok)
        self.expect("=")
        source = self.expr()
        if type(source) is not ir.Index:
            raise self.error("vload: expected BUFFER[INDEX] after '='", tok)
        return VectorLoad(targets, source.base, source.index, source.checked)  # type: ignore[arg-type]

    def vstore_stmt(self, tok: Token) -> VectorStore:
        target = self.expr()
        if type(target) is not ir.Index:
            raise self.error("vstore: expected BUFFER[INDEX]", tok)
        self.expect("=")
        values = [self.expr()]
        while self.accept(","):
            values.append(self.expr())
        return VectorStore(target.base, target.index, values, target.checked)

    def return_stmt(self, tok: Token) -> ir.Return:
        if self.peek().kind in ("newline", "eof") or self.at("}"):
            return ir.Return()
        return ir.Return(self.expr())

    def declaration_misplaced(self, tok: Token) -> ir.Stmt:
        raise self.error(f"'{tok.text}' declarations come first in a body, before statements", tok)

    # ----------------------------------------------------------------- expressions

    def expr(self) -> ir.Expr:
        tok = self.peek()
        if self.accept("("):
            return self.form(tok)
        if tok.kind == "number" or (tok.text == "-" and self.peek(1).text == "inf"):
            return self.typed_literal()
        if tok.kind == "ident":
            if tok.text in ("true", "false"):
                self.next()
                return ir.Const(ir.BOOL, tok.text == "true")
            if tok.text in ("nan", "inf") and self.at(":", 1):
                return self.typed_literal()
            return self.name_expr()
        raise self.error(f"expected an expression, found {_show(tok)}")

    def typed_literal(self) -> ir.Const:
        start = self.next()
        text = start.text + (self.next().text if start.text == "-" else "")
        self.expect(":")
        ty = self.scalar_type()
        return ir.Const(ty, self.value_of(text, ty, start))

    def literal_value(self, ty: ir.ScalarType) -> Union[bool, int, float]:
        """A constant's value: a bare number, `true`/`false`, `nan`, `inf`, `-inf`."""
        start = self.next()
        text = start.text + (self.next().text if start.text == "-" else "")
        return self.value_of(text, ty, start)

    def value_of(self, text: str, ty: ir.ScalarType, tok: Token) -> Union[bool, int, float]:
        if ty.is_bool:
            if text not in ("true", "false"):
                raise self.error(f"a bool value is true or false, not {text!r}", tok)
            return text == "true"
        if ty.is_int:
            if not re.fullmatch(r"-?\d+", text):
                raise self.error(f"expected an integer value for {ty}, found {text!r}", tok)
            return int(text)
        if not re.fullmatch(r"-?(\d+(\.\d+)?([eE][+-]?\d+)?|inf)|nan", text):
            raise self.error(f"expected a number for {ty}, found {text!r}", tok)
        return float(text)

    def name_expr(self) -> Union[ir.Var, ir.Index]:
        tok = self.next()
        if self.accept("["):
            checked = self.accept("!")
            node: Union[ir.Var, ir.Index] = ir.Index(None, tok.text, self.expr(), checked)
            self.expect("]")
        else:
            node = ir.Var(None, tok.text)
        self.pending.append(_Pending(node, tok, self.scope))
        return node

    def form(self, open_tok: Token) -> ir.Expr:
        head_tok = self.peek()
        parts = [self.name("an operation")]
        while self.accept("."):
            parts.append(self.name("an operation or type"))
        make = _FORMS.get(parts[0])
        if make is None:
            raise self.error(f"unknown operation '{parts[0]}'", head_tok)
        node = make(self, parts, head_tok)
        self.expect(")")
        return node

    def head(self, parts: list[str], tok: Token, names: int, typed: str) -> tuple[list[str], Optional[ir.ScalarType]]:
        """Split a head into its `names` leading words and its type; `typed` is
        'yes' (type required), 'no' (none allowed) or 'maybe'."""
        words, rest = parts[:names], parts[names:]
        if len(words) < names:
            raise self.error(f"'{'.'.join(parts)}' needs a name after '{parts[0]}.'", tok)
        if len(rest) > (0 if typed == "no" else 1):
            raise self.error(f"unexpected '.{'.'.join(rest)}' in '{'.'.join(parts)}'", tok)
        if not rest and typed == "yes":
            raise self.error(f"'{'.'.join(parts)}' needs a type, e.g. '{'.'.join(parts)}.i32'", tok)
        if rest and rest[0] not in ir.SCALAR_TYPES:
            raise self.error(f"unknown type '{rest[0]}' in '{'.'.join(parts)}'", tok)
        return words, ir.SCALAR_TYPES[rest[0]] if rest else None

    def args(self, count: Optional[int] = None) -> list[ir.Expr]:
        args: list[ir.Expr] = []
        while not self.at(")") and (count is None or len(args) < count):
            args.append(self.expr())
        if count is not None and len(args) != count:
            raise self.error(f"expected {count} operand{'s' if count > 1 else ''}, found {_show(self.peek())}")
        return args

    def op_form(self, parts: list[str], tok: Token) -> ir.Expr:
        (op,), ty = self.head(parts, tok, 1, "yes")
        if op in ir.UNARY_OPS:
            return ir.Unary(ty, op, *self.args(1))
        return ir.Binary(ty, op, *self.args(2))

    def logical_form(self, parts: list[str], tok: Token) -> ir.Expr:
        (op,), _ = self.head(parts, tok, 1, "no")
        return ir.Logical(ir.BOOL, op, *self.args(2))

    def len_form(self, parts: list[str], tok: Token) -> ir.Expr:
        self.head(parts, tok, 1, "no")
        return ir.Len(ir.I32, self.name("a buffer or array name"))

    def select_form(self, parts: list[str], tok: Token) -> ir.Expr:
        _, ty = self.head(parts, tok, 1, "yes")
        return ir.Select(ty, *self.args(3))

    def cast_form(self, parts: list[str], tok: Token) -> ir.Expr:
        _, ty = self.head(parts, tok, 1, "yes")
        return ir.Cast(ty, *self.args(1))

    def call_form(self, parts: list[str], tok: Token) -> ir.Expr:
        _, ty = self.head(parts, tok, 1, "maybe")
        return ir.Call(ty, self.name("a function name"), self.args())

    def math_form(self, parts: list[str], tok: Token) -> ir.Expr:
        (_, name), ty = self.head(parts, tok, 2, "maybe")
        if name not in ir.MATH_BUILTINS:
            raise self.error(f"unknown math builtin '{name}'", tok)
        return ir.Builtin(ty, name, self.args())

    def gpu_form(self, parts: list[str], tok: Token) -> ir.Expr:
        (_, name), ty = self.head(parts, tok, 2, "maybe")
        if name in ir.ID_BUILTINS:
            dim = self.integer()
            return ir.Builtin(ty, name, self.args(), dim)
        if name not in ir.SYNC_BUILTINS and name not in ir.SUBGROUP_BUILTINS:
            raise self.error(f"unknown gpu builtin '{name}'", tok)
        return ir.Builtin(ty, name, self.args())

    def atomic_form(self, parts: list[str], tok: Token) -> ir.Expr:
        (_, op), ty = self.head(parts, tok, 2, "yes")
        if op not in ir.ATOMIC_OPS:
            raise self.error(f"unknown atomic operation '{op}'", tok)
        self.expect("&")
        base = self.name("a buffer or shared array name")
        self.expect("[")
        index = self.expr()
        self.expect("]")
        return ir.Atomic(ty, op, base, index, self.args())

    # ----------------------------------------------------------------- names

    def resolve(self, module: ir.Module) -> None:
        """Give each Var and Index the type of what it names (function scope, then constants)."""
        constants = {c.name: c.type for c in module.constants}
        for p in self.pending:
            ty = p.scope.get(p.node.name if isinstance(p.node, ir.Var) else p.node.base, None)
            if ty is None and isinstance(p.node, ir.Var):
                ty = constants.get(p.node.name)
            if ty is None:
                raise self.error(f"unknown name '{p.token.text}'", p.token)
            if isinstance(ty, CoopMatrixType):
                raise self.error(f"'{p.token.text}' is a matrix; it is not a scalar or an array", p.token)
            if isinstance(p.node, ir.Var):
                if not isinstance(ty, ir.ScalarType):
                    raise self.error(f"'{p.token.text}' is a {_kind(ty)}; use {p.token.text}[i] or "
                                     f"(len {p.token.text})", p.token)
                p.node.type = ty
            else:
                if isinstance(ty, ir.ScalarType):
                    raise self.error(f"'{p.token.text}' is a {ty} scalar, it cannot be indexed", p.token)
                p.node.type = ty.elem


def _kind(ty: Union[ir.BufferType, ir.ArrayType]) -> str:
    return "buffer" if isinstance(ty, ir.BufferType) else f"{ty.space} array"


def _show(tok: Token) -> str:
    return {"newline": "end of line", "eof": "end of text"}.get(tok.kind, f"'{tok.text}'")


_STATEMENT_KEYWORDS: dict[str, Callable[[_Parser, Token], ir.Stmt]] = {
    "if": _Parser.if_stmt,
    "loop": _Parser.loop_stmt,
    "break": lambda p, tok: ir.Break(),
    "continue": lambda p, tok: ir.Continue(),
    "return": _Parser.return_stmt,
    "vload": _Parser.vload_stmt,
    "vstore": _Parser.vstore_stmt,
    "coop_store": lambda p, tok: p.coop.coop_store(tok),
    "local": _Parser.declaration_misplaced,
    "shared": _Parser.declaration_misplaced,
}

_FORMS: dict[str, Callable[[_Parser, list[str], Token], ir.Expr]] = {
    **{op: _Parser.op_form for op in (*ir.UNARY_OPS, *ir.BINARY_OPS)},
    "and": _Parser.logical_form, "or": _Parser.logical_form,
    "len": _Parser.len_form, "select": _Parser.select_form, "cast": _Parser.cast_form,
    "call": _Parser.call_form, "math": _Parser.math_form, "gpu": _Parser.gpu_form,
    "atomic": _Parser.atomic_form, "coop": lambda p, parts, tok: p.coop.coop_form(parts, tok),
}
