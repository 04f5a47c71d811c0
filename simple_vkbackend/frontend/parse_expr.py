"""Expression and type parsing: precedence climbing, prefix and postfix operators,
primaries, and the type expressions (scalars, buffers, arrays).

Expression precedence, loosest first (docs/language.md):

    if c: a else: b   /   a if c else b      conditional (right-assoc)
    or
    and
    not                                      prefix
    < <= > >= == !=                          comparisons; `a < b <= c` chains
    |    ^    &    << >>    + -    * / %      left-assoc binary levels
    - ~ + &                                  prefix unary (`&` only for atomics)
    **                                       power, right-assoc; binds tighter than a
                                             unary minus on its left: -x**2 = -(x**2)
    f(..)  a[i]  a.name(..)  e as T          postfix
"""
from __future__ import annotations

from . import ast
from .cursor import TokenCursor

COMPARISONS = frozenset({"<", "<=", ">", ">=", "==", "!="})
NOT_PRECEDENCE, COMPARE_PRECEDENCE = 3, 4
BINARY_PRECEDENCE = {
    "or": 1, "and": 2, **{op: COMPARE_PRECEDENCE for op in COMPARISONS},
    "|": 5, "^": 6, "&": 7, "<<": 8, ">>": 8, "+": 9, "-": 9, "*": 10, "/": 10, "%": 10,
}
# Like cursor.MAX_NESTING, keeps later recursive passes far from Python's recursion limit.
MAX_CHAIN = 100  # operators in one left-associative chain
POSTFIX_STARTS = frozenset({"(", "[", ".", "as"})
COOP_MATRIX = "coop_matrix"  # the cooperative matrix type's name (check_coop.py)
BAD_OPERATORS = {
    "&&": ("`&&` is not an operator", "write `and`"),
    "||": ("`||` is not an operator", "write `or`"),
    "//": ("`//` is not an operator", "`/` on integers already truncates toward zero; write `a / b`"),
}


class ExprParser(TokenCursor):
    """Expressions and types over a token cursor; a whole parser by itself (the
    item and statement parser, parser.Parser, builds on it)."""

    def expr(self) -> ast.Expr:
        self.enter()
        try:
            if self.at("if"):
                return self.prefix_conditional()
            e = self.or_expr()
            if self.at("if"):
                self.advance()
                cond = self.or_expr()
                self.expect("else", "`else` in the conditional expression", "write `a if c else b`")
                other = self.expr()
                return ast.Conditional(cond, e, other, self.span_from(e.span.start))
            return e
        finally:
            self.nesting -= 1

    def prefix_conditional(self) -> ast.Conditional:
        start = self.advance().start  # `if` or `elif`
        cond = self.expr()
        self.expect(":", "`:` after the condition", "write `if c: a else: b`")
        then = self.expr()
        other: ast.Expr
        if self.at("elif"):
            self.enter()
            other = self.prefix_conditional()
            self.nesting -= 1
        else:
            self.expect("else", "`else` in the conditional expression", "write `if c: a else: b`")
            self.accept(":")
            other = self.expr()
        return ast.Conditional(cond, then, other, self.span_from(start))

    def or_expr(self) -> ast.Expr:
        return self.binary(1)

    def binary(self, min_prec: int) -> ast.Expr:
        """Precedence climbing over `or` (1), `and` (2), prefix `not` (3),
        comparisons (4, not chainable) and the operator levels 5..10."""
        if self.at("not") and min_prec <= NOT_PRECEDENCE:
            t = self.advance()
            self.enter()
            operand = self.binary(NOT_PRECEDENCE)
            self.nesting -= 1
            lhs: ast.Expr = ast.Unary("not", operand, self.span_from(t.start))
        else:
            lhs = self.unary()
        chain = 0
        while True:
            kind = self.tok.kind
            prec = BINARY_PRECEDENCE.get(kind)
            if prec is None:
                if kind in BAD_OPERATORS:
                    message, hint = BAD_OPERATORS[kind]
                    self.fail(message, self.tok, hint)
                return lhs
            if prec < min_prec:
                return lhs
            op_tok = self.advance()
            rhs = self.binary(prec + 1)
            lhs = ast.Binary(kind, lhs, rhs, self.span_from(lhs.span.start), self.tok_span(op_tok))
            if prec == COMPARE_PRECEDENCE and self.tok.kind in COMPARISONS:
                lhs = self.chain_compare(lhs)
            chain += 1
            if chain > MAX_CHAIN:
                self.fail(f"expression too long (more than {MAX_CHAIN} operators in a row)", op_tok)

    def chain_compare(self, first: ast.Binary) -> ast.ChainCompare:
        """`a < b <= c ...` after its first comparison `first`."""
        operands, ops, op_spans = [first.lhs, first.rhs], [first.op], [first.op_span]
        while self.tok.kind in COMPARISONS:
            op_tok = self.advance()
            operands.append(self.binary(COMPARE_PRECEDENCE + 1))
            ops.append(op_tok.kind)
            op_spans.append(self.tok_span(op_tok))
            if len(ops) > MAX_CHAIN:
                self.fail(f"expression too long (more than {MAX_CHAIN} operators in a row)", op_tok)
        return ast.ChainCompare(operands, ops, op_spans, self.span_from(first.span.start))

    def unary(self) -> ast.Expr:
        kind = self.tok.kind
        if kind in ("-", "+", "~", "&"):
            t = self.advance()
            self.enter()
            operand = self.unary()
            self.nesting -= 1
            return ast.Unary(kind, operand, self.span_from(t.start))
        if kind == "!":
            self.fail("`!` is not an operator", self.tok, "write `not x` (or `~x` for bitwise not)")
        base = self.postfix()
        if self.toks[self.pos].kind != "**":
            return base
        return self.power(base)

    def power(self, base: ast.Expr) -> ast.Expr:
        op_tok = self.advance()
        self.enter()
        exponent = self.unary()
        self.nesting -= 1
        return ast.Binary("**", base, exponent, self.span_from(base.span.start), self.tok_span(op_tok))

    def postfix(self) -> ast.Expr:
        e = self.primary()
        kind = self.toks[self.pos].kind
        if kind not in POSTFIX_STARTS:
            return e
        start = e.span.start
        while True:
            if kind == "(":
                e = ast.Call(e, self.call_args(), self.span_from(start))
            elif kind == "[" and isinstance(e, ast.Name) and e.id == COOP_MATRIX:
                e = self.coop_matrix_type(start)
            elif kind == "[":
                self.advance()
                index = self.expr()
                self.expect("]", "`]` to close the index")
                e = ast.Index(e, index, self.span_from(start))
            elif kind == ".":
                self.advance()
                name = self.expect("NAME", "a name after `.`")
                e = ast.Attribute(e, name.text, self.tok_span(name), self.span_from(start))
                if self.at("<") and _is_gpu_attr(e, "shared_memory"):
                    e = self.generic_call(e, start)
            elif kind == "as":
                self.advance()
                e = ast.Cast(e, self.type_name(), self.span_from(start))
            else:
                return e
            kind = self.toks[self.pos].kind

    def coop_matrix_type(self, start: int) -> ast.CoopMatrixTypeExpr:
        """`coop_matrix[T, ROWS, COLS, USE]` (the name is read, `[` is next)."""
        self.advance()
        args = [self.expr()]
        while self.accept(","):
            args.append(self.expr())
        self.expect("]", "`]` to close `coop_matrix[T, ROWS, COLS, USE]`")
        return ast.CoopMatrixTypeExpr(args, self.span_from(start))

    def generic_call(self, func, start: int) -> ast.Call:
        self.advance()
        targ = self.type()
        self.expect(">", "`>` to close the type argument")
        if not self.at("("):
            name = func.name if isinstance(func, ast.Attribute) else func.id
            self.fail(f"expected `(` after `{name}<...>`, found {self.tok.describe()}", self.tok)
        return ast.Call(func, self.call_args(), self.span_from(start), [targ])

    def call_args(self) -> list[ast.Expr]:
        self.advance()
        args = []
        while not self.at(")"):
            args.append(self.expr())
            if not self.accept(","):
                break
        self.expect(")", "`,` or `)` in the argument list")
        return args

    def primary(self) -> ast.Expr:
        t = self.tok
        kind = t.kind
        if kind == "NAME":
            self.advance()
            if t.text == "vec" and self.at("["):
                return self.vec_expr(t)
            if t.text == "gpu_shared_mem" and self.at("<"):
                return self.generic_call(ast.Name(t.text, self.tok_span(t)), t.start)
            return ast.Name(t.text, self.tok_span(t))
        if kind == "STRING":
            self.fail("string literals are not supported", t)
        if kind == "INT":
            self.advance()
            assert isinstance(t.value, int)  # (the lexer's value of an INT)
            return ast.IntLit(t.value, t.suffix, self.tok_span(t))
        if kind == "FLOAT":
            self.advance()
            assert isinstance(t.value, float)  # (the lexer's value of a FLOAT)
            return ast.FloatLit(t.value, t.suffix, self.tok_span(t))
        if kind in ("true", "false"):
            self.advance()
            return ast.BoolLit(kind == "true", self.tok_span(t))
        if kind == "(":
            return self.parenthesized()
        if kind == "[":
            self.fail("array literals are not supported", t,
                      "declare `var a: [f32; N]` (zeroed) and assign its elements")
        if kind in ("if", "not"):
            self.fail(f"`{kind}` expression needs parentheses here", t,
                      "write it in parentheses, e.g. `a + (x if c else y)`")
        self.fail(f"expected an expression, found {t.describe()}", t)

    def vec_expr(self, name) -> ast.Expr:
        """After `vec`: `[a, b, ...]` is a VecExpr; `[i]` indexes something named `vec`."""
        self.advance()
        items = [self.expr()]
        while self.accept(","):
            items.append(self.expr())
        self.expect("]", "`,` or `]` in `vec[...]`")
        if len(items) == 1:
            return ast.Index(ast.Name(name.text, self.tok_span(name)), items[0], self.span_from(name.start))
        return ast.VecExpr(items, self.span_from(name.start))

    def parenthesized(self) -> ast.Expr:
        start = self.advance().start
        if self.at(")"):
            self.fail("empty parentheses are not an expression", self.tok)
        inner = self.expr()
        if self.at(","):
            self.fail("tuples are not supported", self.tok)
        self.expect(")", "`)`")
        inner.span = self.span_from(start)
        return inner


    # ------------------------------------------------------------------ types

    def type(self) -> ast.TypeExpr:
        start = self.tok.start
        if self.accept("&"):
            writable = self.accept("mut") is not None
            self.expect("[", "`[` in a buffer type such as `&[f32]`")
            elem = self.type_name()
            self.expect("]", "`]` to close the buffer type")
            return ast.BufferTypeExpr(elem, writable, self.span_from(start))
        if self.accept("["):
            if self.accept("]"):
                return ast.BufferTypeExpr(self.type_name(), True, self.span_from(start), bare=True)
            elem = self.type_name()
            if self.accept(";"):
                length = self.expr()
                self.expect("]", "`]` to close the array type")
                return ast.ArrayTypeExpr(elem, length, self.span_from(start))
            self.expect("]", "`]` or `; N]` in the type")
            if self.tok.text == "_gpu" and self.tok.start == self.last_end:  # `[f32]_gpu`
                self.advance()
            return ast.BufferTypeExpr(elem, True, self.span_from(start), bare=True)
        after = self.toks[self.pos + 1].kind
        if self.tok.text == "vec" and after == "[":  # `vec[N, T]`
            self.advance()
            self.advance()
            count = self.expr()
            self.expect(",", "`,` after the element count of `vec[N, T]`")
            elem = self.type_name()
            self.expect("]", "`]` to close `vec[N, T]`")
            return ast.VectorTypeExpr(count, elem, self.span_from(start))
        if self.tok.text == "Array" and after == "[":
            self.advance()
            self.advance()
            elem = self.type_name()
            if self.accept(","):  # `Array[T, N]`: a fixed-length array
                length = self.expr()
                self.expect("]", "`]` to close `Array[T, N]`")
                return ast.ArrayTypeExpr(elem, length, self.span_from(start))
            self.expect("]", "`]` to close `Array[...]`")
            return ast.BufferTypeExpr(elem, True, self.span_from(start), bare=True)
        if self.tok.text in ("GpuArray", "Buffer") and after == "<":
            self.advance()
            self.advance()
            elem = self.type_name()
            self.expect(">", "`>` to close the buffer type")
            return ast.BufferTypeExpr(elem, True, self.span_from(start), bare=True)
        name = self.type_name()
        if self.at("[") and self.toks[self.pos + 1].kind == "]":  # `f32[]`
            self.advance()
            self.advance()
            return ast.BufferTypeExpr(name, True, self.span_from(start), bare=True)
        return name

    def type_name(self) -> ast.TypeName:
        t = self.expect("NAME", "a type")
        return ast.TypeName(t.text, self.tok_span(t))

def _is_gpu_attr(e: ast.Expr, name: str) -> bool:
    return isinstance(e, ast.Attribute) and e.name == name and isinstance(e.obj, ast.Name) and e.obj.id == "gpu"
