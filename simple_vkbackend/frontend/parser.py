"""Recursive-descent parser: tokens -> syntax tree (ast.py).

Items and statements are parsed here, on top of `ExprParser` (parse_expr.py:
expressions and types, a whole parser by itself, whose docstring gives the
precedence table), which builds on the token helpers of `TokenCursor` (cursor.py).

Errors are reported to the bag; the parser then skips to the next statement
(or item) and goes on, so that one run reports every syntax error it can.
"""
from __future__ import annotations

from typing import Optional

from . import ast
from .diagnostics import DiagnosticBag
from .cursor import ParseError
from .markers import HOST_KEYWORDS, IMPORT_KEYWORDS, KERNEL_MARKERS, is_host_program
from .parse_expr import ExprParser
from .source import SourceFile, Span
from .tokens import COMPOUND_ASSIGN, Token

# Limits that keep every later recursive pass (checker, verifier, lowering) far
# from Python's recursion limit; real kernels stay well below them (MAX_NESTING: cursor.py).
MAX_BLOCK_DEPTH = 32  # nested indented blocks
MAX_ELIFS = 128  # `elif` branches of one `if` (each nests one level deeper in the IR)


class Parser(ExprParser):
    """Items, statements and host-program skipping on top of the expression and type
    parser (a whole class: parse_expr.ExprParser)."""

    def __init__(self, tokens: list[Token], source: SourceFile, diags: DiagnosticBag,
                 lex_errors: tuple[int, ...] = ()):
        super().__init__(tokens, source, diags)
        self.lex_errors = lex_errors  # offsets of the lexer's errors (host items holding one are skipped)
        self.block_depth = 0

    # ------------------------------------------------------------------ recovery

    def sync_stmt(self) -> None:
        """Skip to the start of the next statement of the current block."""
        depth = 0
        while not self.at("EOF"):
            if self.at("DEDENT") and depth == 0:
                return
            t = self.advance()
            if t.kind == "INDENT":
                depth += 1
            elif t.kind == "DEDENT":
                depth -= 1
            if t.kind in ("NEWLINE", "DEDENT") and depth == 0 and not self.at("INDENT"):
                return

    def sync_item(self) -> None:
        """Skip to the next line at the outermost indentation level."""
        depth = 0
        while not self.at("EOF"):
            t = self.advance()
            if t.kind == "INDENT":
                depth += 1
            elif t.kind == "DEDENT":
                depth -= 1
            if (t.kind in ("NEWLINE", "DEDENT") and depth <= 0
                    and not self.at("INDENT") and not self.at("DEDENT")):
                return

    # ------------------------------------------------------------------ items

    def module(self) -> ast.SourceModule:
        items: list[ast.Item] = []
        skipped: list[ast.SkippedItem] = []
        host = is_host_program(self.toks)
        while not self.at("EOF"):
            self.nesting = 0
            if host:
                self.host_program_item(items, skipped)
                continue
            try:
                item = self.item()
                if item is not None:
                    items.append(item)
            except ParseError:
                self.sync_item()
        return ast.SourceModule(items, skipped, host)

    # ------------------------------------------------------------------ host programs

    def host_program_item(self, items: list, skipped: list) -> None:
        """One item of a file with host code: host items are skipped by their
        indentation block; a `fn` or `const` that does not parse as kernel code
        is skipped too, unless it is marked as a kernel (then its errors count)."""
        if self.accept("NEWLINE") or self.doc_string():
            return
        first = self.tok
        kind = self.host_kind()
        if kind is not None:
            skipped.append(self.skip_item(kind))
            return
        start_pos, outer = self.pos, self.diags
        self.diags = DiagnosticBag(self.src, limit=None)
        self.diags.syntax_lines.update(outer.syntax_lines)
        item, failed = None, False
        try:
            item = self.item()
        except ParseError:
            failed = True
        bag, self.diags = self.diags, outer
        failed = failed or bag.has_errors
        if not self.starts_kernel(start_pos):
            end = self.last_end
            if failed or any(first.start <= e < end for e in self.lex_errors):
                self.pos = start_pos
                skipped.append(self.skip_item(self.item_kind(start_pos)))
                return
        for d in bag.diagnostics:
            outer.error(d.message, d.span, d.hint)
        outer.syntax_lines.update(bag.syntax_lines)
        if failed and item is None:
            self.sync_item()
        if item is not None:
            items.append(item)

    def doc_string(self) -> bool:
        """Skip a string alone on its line (a doc string); whether there was one."""
        if self.at("STRING") and self.toks[self.pos + 1].kind == "NEWLINE":
            self.advance()
            self.advance()
            return True
        return False

    def host_kind(self) -> Optional[str]:
        """The kind of host item that starts here, or None for an item to parse."""
        t = self.tok
        if t.kind in ("fn", "const", "@", "#["):
            return None
        after = self.toks[self.pos + 1]
        if t.kind == "NAME" and t.text in ("kernel", "pub") and (after.kind == "fn" or after.text == "kernel"):
            return None
        if t.kind == "NAME" and t.text in HOST_KEYWORDS:
            return t.text
        return "statement"

    def starts_kernel(self, pos: int) -> bool:
        """Whether the item at token `pos` carries a kernel marker."""
        toks = self.toks
        while toks[pos].kind in ("@", "#[", "NEWLINE"):
            if toks[pos].kind != "NEWLINE" and toks[pos + 1].text in KERNEL_MARKERS:
                return True
            pos += 1
            depth = 0
            while toks[pos].kind != "EOF" and not (depth == 0 and toks[pos].kind in ("NEWLINE", "@", "#[", "fn")):
                depth += (toks[pos].kind in ("(", "[")) - (toks[pos].kind in (")", "]"))
                pos += 1
        pos += toks[pos].text == "pub"
        return toks[pos].text == "kernel" and toks[pos + 1].kind == "fn"

    def item_kind(self, pos: int) -> str:
        while self.toks[pos].kind not in ("fn", "const", "EOF", "NEWLINE"):
            pos += 1
        return self.toks[pos].kind if self.toks[pos].kind in ("fn", "const") else "statement"

    def skip_item(self, kind: str) -> ast.SkippedItem:
        """Skip the item here (its line and its indented block)."""
        start, first = self.pos, self.tok
        self.sync_item()
        toks = self.toks[start:self.pos]
        names = [t.text for t in toks[1:] if t.kind == "NAME"] if kind in IMPORT_KEYWORDS else \
            [t.text for t in toks if t.kind == "NAME"]
        if kind not in IMPORT_KEYWORDS:
            names = names[1:2] if kind in HOST_KEYWORDS and names and names[0] == kind else names[:1]
            if kind in HOST_KEYWORDS and toks[1:2] and toks[1].kind == "fn":  # `extern fn NAME`
                names = [t.text for t in toks[2:3] if t.kind == "NAME"]
        return ast.SkippedItem(kind, names, Span(self.src, first.start, max(first.end, self.last_end)),
                               "host code")

    def item(self) -> Optional[ast.Item]:
        if self.accept("NEWLINE") or self.doc_string():
            return None
        if self.at("INDENT"):
            self.fail("unexpected indent", self.tok)
        attrs = []
        while self.at("#[") or self.at("@"):
            attrs.append(self.attribute())
            self.accept("NEWLINE")
        if self.tok.text == "pub" and self.toks[self.pos + 1].kind in ("fn", "NAME"):
            self.advance()  # visibility: meaningless for a kernel or helper
        if self.tok.text == "kernel" and self.toks[self.pos + 1].kind == "fn":
            attrs.append(ast.ItemAttr("kernel fn", [], self.tok_span(self.advance())))
        if self.at("fn"):
            return self.fn_def(attrs)
        if attrs:
            self.fail(f"expected `fn` after an attribute, found {self.tok.describe()}", self.tok)
        if self.at("const"):
            return self.const_def()
        hint = None
        if self.tok.text == "def":
            hint = "functions are declared with `fn`"
        elif self.tok.kind in ("val", "let", "var", "NAME", "if", "for", "while", "return"):
            hint = "statements belong inside a function; module level holds `fn` and `const`"
        self.fail(f"expected an item (`fn`, `const` or a kernel attribute), found {self.tok.describe()}",
                  self.tok, hint)

    def attribute(self) -> ast.ItemAttr:
        opener = self.advance()
        name = self.expect("NAME", "an attribute name such as `gpu`")
        args = self.attr_args() if self.at("(") else []
        if opener.kind == "#[":
            self.expect("]", "`]` to close the attribute")
        return ast.ItemAttr(name.text, args, self.span_from(opener.start))

    def attr_args(self) -> list[ast.AttrArg]:
        self.advance()
        args = []
        while not self.at(")"):
            start = self.tok.start
            key = None
            if self.at("NAME") and self.toks[self.pos + 1].kind in ("=", ":"):
                key = self.advance().text
                self.advance()
            value = self.attr_value()
            args.append(ast.AttrArg(key, value, self.span_from(start)))
            if not self.accept(","):
                break
        self.expect(")", "`)` to close the attribute arguments")
        return args

    def attr_value(self):
        if self.at("STRING"):
            t = self.advance()
            return ast.StrLit(t.value, self.tok_span(t))
        if self.at("return"):  # `@bounds(default=return)`
            t = self.advance()
            return ast.Name(t.text, self.tok_span(t))
        if not self.at("("):
            return self.expr()
        self.advance()
        items = [self.expr()]
        while self.accept(","):
            if self.at(")"):
                break
            items.append(self.expr())
        self.expect(")")
        return items

    def fn_def(self, attrs: list[ast.ItemAttr]) -> ast.FnDef:
        start = attrs[0].span.start if attrs else self.tok.start
        self.advance()
        name = self.expect("NAME", "a function name")
        self.expect("(", "`(` to start the parameter list")
        params = []
        while not self.at(")"):
            mutable = self.accept("mut") is not None
            pname = self.expect("NAME", "a parameter name")
            self.expect(":", "`:` and a type after the parameter name",
                        f"parameters need a type, e.g. `{pname.text}: f32`")
            ptype = self.type()
            params.append(ast.Param(pname.text, ptype, self.span_from(pname.start), mutable))
            if not self.accept(","):
                break
        self.expect(")", "`,` or `)` in the parameter list")
        ret = None
        if self.accept("->"):
            if self.at("(") and self.toks[self.pos + 1].kind == ")":  # `-> ()`: no result
                self.advance()
                self.advance()
            else:
                ret = self.type()
        self.expect(":", "`:` at the end of the function header")
        header = self.span_from(start)
        body = self.block()
        return ast.FnDef(name.text, self.tok_span(name), params, ret, body, attrs, header)

    def const_def(self) -> ast.ConstDef:
        start = self.advance().start
        name = self.expect("NAME", "a constant name")
        ctype = self.type() if self.accept(":") else None
        self.expect("=", "`=` and a value", f"write `const {name.text}: i32 = 16`")
        value = self.expr()
        self.end_of_line()
        return ast.ConstDef(name.text, self.tok_span(name), ctype, value, self.span_from(start))

    def end_of_line(self) -> None:
        if not self.accept("NEWLINE"):
            self.fail(f"expected end of line, found {self.tok.describe()}", self.tok)

    # ------------------------------------------------------------------ statements

    def block(self) -> list[ast.Stmt]:
        """The body after a `:`: an indented block, or simple statements on the same line."""
        if not self.at("NEWLINE"):
            return self.simple_stmts()
        self.advance()
        if not self.at("INDENT"):
            self.diags.syntax_error(f"expected an indented block, found {self.tok.describe()}",
                                    self.tok_span(self.tok), "indent the body with spaces")
            return []
        if self.block_depth >= MAX_BLOCK_DEPTH:
            self.fail(f"blocks nested too deeply (more than {MAX_BLOCK_DEPTH} levels)", self.toks[self.pos + 1],
                      "move the inner part into a helper function")
        self.advance()
        self.block_depth += 1
        try:
            return self.statements_until_dedent()
        finally:
            self.block_depth -= 1

    def statements_until_dedent(self) -> list[ast.Stmt]:
        stmts: list[ast.Stmt] = []
        while not self.at("DEDENT") and not self.at("EOF"):
            self.nesting = 0
            try:
                stmts.extend(self.statement())
            except ParseError:
                self.sync_stmt()
        self.accept("DEDENT")
        return stmts

    def statement(self) -> list[ast.Stmt]:
        kind = self.tok.kind
        if kind == "if":
            return [self.if_stmt()]
        if kind == "while":
            return [self.while_stmt()]
        if kind == "for":
            return [self.for_stmt()]
        if kind == "NEWLINE" or self.doc_string():
            self.accept("NEWLINE")
            return []
        if kind == "INDENT":
            self.diags.syntax_error("unexpected indent", self.tok_span(self.tok),
                             "indent only after a line that ends with `:`")
            self.advance()
            return self.statements_until_dedent()
        if kind in ("elif", "else"):
            self.fail(f"`{kind}` without a matching `if`", self.tok, "indent it like its `if`")
        if kind in ("#[", "@", "fn"):
            self.fail("functions and attributes are only allowed at module level", self.tok)
        if kind == "const":
            self.fail("`const` is only allowed at module level", self.tok,
                      "move it out of the function, or use `val`")
        return self.simple_stmts()

    def simple_stmts(self) -> list[ast.Stmt]:
        stmts = [self.simple_stmt()]
        while self.accept(";"):
            if self.at("NEWLINE"):
                break
            stmts.append(self.simple_stmt())
        self.end_of_line()
        return stmts

    def simple_stmt(self) -> ast.Stmt:
        t = self.tok
        kind = t.kind
        if kind in ("val", "let", "var"):
            return self.binding()
        if kind == "shared":
            return self.shared_binding()
        if kind in ("break", "continue", "pass"):
            self.advance()
            node = {"break": ast.Break, "continue": ast.Continue, "pass": ast.Pass}[kind]
            return node(self.tok_span(t))
        if kind == "(" and self.toks[self.pos + 1].kind == ")":  # `()`: the unit value, does nothing
            self.advance()
            self.advance()
            return ast.Pass(self.span_from(t.start))
        if kind == "return":
            self.advance()
            value = None if self.at("NEWLINE") or self.at(";") else self.expr()
            return ast.Return(value, self.span_from(t.start))
        return self.expr_or_assign()

    def expr_or_assign(self) -> ast.Stmt:
        start = self.tok.start
        target = self.expr()
        kind = self.tok.kind
        if kind == "=":
            self.advance()
            return ast.Assign(target, "=", self.expr(), self.span_from(start))
        if kind in COMPOUND_ASSIGN:
            self.advance()
            return ast.Assign(target, COMPOUND_ASSIGN[kind], self.expr(), self.span_from(start))
        if kind == ":" and isinstance(target, ast.Name):
            self.advance()
            ltype = self.type()
            value = self.expr() if self.accept("=") else None
            return ast.Let(target.id, target.span, True, ltype, value, self.span_from(start))
        return ast.ExprStmt(target, self.span_from(start))

    def binding(self) -> ast.Let:
        kw = self.advance()
        mutable = kw.kind == "var"
        if kw.kind == "let" and self.accept("mut"):
            mutable = True
        name = self.expect("NAME", f"a name after `{kw.text}`")
        ltype = self.type() if self.accept(":") else None
        value = self.expr() if self.accept("=") else None
        return ast.Let(name.text, self.tok_span(name), mutable, ltype, value, self.span_from(kw.start))

    def shared_binding(self) -> ast.Let:
        start = self.advance().start
        kw = self.tok
        if kw.kind not in ("val", "let", "var", "NAME"):
            self.fail(f"expected `val`, `let`, `var` or a name after `shared`, found {kw.describe()}", kw)
        if kw.kind != "NAME":  # `shared NAME: [T; N]` needs no binding keyword
            self.advance()
        if kw.kind == "let":
            self.accept("mut")
        name = self.expect("NAME", "a name for the shared array")
        self.expect(":", "`:` and an array type", f"write `shared val {name.text}: [f32; 256]`")
        ltype = self.type()
        if self.at("="):
            self.fail("a shared array cannot have an initializer", self.tok,
                      "shared memory starts undefined; write its elements in the kernel")
        return ast.Let(name.text, self.tok_span(name), True, ltype, None, self.span_from(start), shared=True)

    def if_stmt(self) -> ast.If:
        start = self.advance().start
        branches = [self.cond_and_block()]
        otherwise = None
        while self.at("elif"):
            if len(branches) == MAX_ELIFS + 1:  # reported once; the chain is still parsed
                self.diags.syntax_error(f"too many `elif` branches (more than {MAX_ELIFS})", self.tok_span(self.tok),
                                        "split the chain, or look the values up in a buffer")
            self.advance()
            branches.append(self.cond_and_block())
        if self.at("else"):
            self.advance()
            self.expect(":", "`:` after `else`")
            otherwise = self.block()
        return ast.If(branches, otherwise, self.span_from(start))

    def cond_and_block(self) -> tuple[ast.Expr, list[ast.Stmt]]:
        cond = self.expr()
        self.expect(":", "`:` at the end of the condition")
        return cond, self.block()

    def while_stmt(self) -> ast.While:
        start = self.advance().start
        cond, body = self.cond_and_block()
        return ast.While(cond, body, self.span_from(start))

    def for_stmt(self) -> ast.For:
        start = self.advance().start
        var = self.expect("NAME", "a loop variable name")
        self.expect("in", "`in` after the loop variable")
        iter_start = self.tok.start
        if self.at("["):
            it = self.list_iter()
            self.expect(":", "`:` at the end of the `for` header")
            body = self.block()
            return ast.For(var.text, self.tok_span(var), it, body, self.span_from(start))
        first = self.expr()
        if self.accept(".."):
            end = self.expr()
            it = ast.RangeIter(first, end, None, self.span_from(iter_start))
        elif isinstance(first, ast.Call) and isinstance(first.func, ast.Name) and first.func.id == "range":
            it = self.range_call(first)
        else:
            it = first
        self.expect(":", "`:` at the end of the `for` header")
        body = self.block()
        return ast.For(var.text, self.tok_span(var), it, body, self.span_from(start))

    def list_iter(self) -> ast.ListIter:
        start = self.advance().start
        items = []
        while not self.at("]"):
            items.append(self.expr())
            if not self.accept(","):
                break
        self.expect("]", "`,` or `]` in the list")
        return ast.ListIter(items, self.span_from(start))

    def range_call(self, call: ast.Call) -> ast.RangeIter:
        args = call.args
        if not 1 <= len(args) <= 3:
            self.fail(f"`range` takes 1 to 3 arguments, got {len(args)}", call.span,
                      "write `range(n)`, `range(a, b)` or `range(a, b, step)`")
        if len(args) == 1:
            return ast.RangeIter(None, args[0], None, call.span)
        return ast.RangeIter(args[0], args[1], args[2] if len(args) == 3 else None, call.span)


def parse(tokens: list[Token], source: SourceFile, diags: DiagnosticBag,
          lex_errors: tuple[int, ...] = ()) -> ast.SourceModule:
    """The syntax tree of the tokens; syntax errors go to `diags`. `lex_errors`:
    offsets of the lexer's errors (a host item holding one is skipped)."""
    return Parser(tokens, source, diags, lex_errors).module()
