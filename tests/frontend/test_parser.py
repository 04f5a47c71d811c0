"""The parser: precedence and associativity, every statement form, recovery."""
import pytest

from simple_vkbackend.frontend import ast
from simple_vkbackend.frontend.diagnostics import DiagnosticBag
from simple_vkbackend.frontend.lexer import tokenize
from simple_vkbackend.frontend.parser import parse
from simple_vkbackend.frontend.source import SourceFile

from .util import src


def parse_text(text: str):
    source = SourceFile("t.spl", text)
    bag = DiagnosticBag(source)
    tree = parse(tokenize(source, bag), source, bag)
    return tree, bag


def body_of(text: str) -> list:
    tree, bag = parse_text("fn f():\n" + "".join("    " + line + "\n" for line in src(text).splitlines()))
    assert not bag.has_errors, [d.render() for d in bag.diagnostics]
    return tree.items[0].body


def sexpr(e) -> str:
    """The expression as an S-expression, to show its structure."""
    if isinstance(e, (ast.IntLit, ast.FloatLit)):
        return str(e.value) + (e.suffix or "")
    if isinstance(e, ast.BoolLit):
        return str(e.value).lower()
    if isinstance(e, ast.Name):
        return e.id
    if isinstance(e, ast.Attribute):
        return f"{sexpr(e.obj)}.{e.name}"
    if isinstance(e, ast.Call):
        targs = "".join(f"<{t.name}>" for t in e.type_args)
        return f"(call {sexpr(e.func)}{targs}" + "".join(" " + sexpr(a) for a in e.args) + ")"
    if isinstance(e, ast.Index):
        return f"(index {sexpr(e.obj)} {sexpr(e.index)})"
    if isinstance(e, ast.Unary):
        return f"({e.op} {sexpr(e.operand)})"
    if isinstance(e, ast.Binary):
        return f"({e.op} {sexpr(e.lhs)} {sexpr(e.rhs)})"
    if isinstance(e, ast.Conditional):
        return f"(if {sexpr(e.cond)} {sexpr(e.then)} {sexpr(e.otherwise)})"
    if isinstance(e, ast.Cast):
        return f"(as {sexpr(e.value)} {e.type.name})"
    raise AssertionError(e)


def expr(text: str) -> str:
    (stmt,) = body_of(f"r = {text}")
    return sexpr(stmt.value)


@pytest.mark.parametrize("text, tree", [
    # power: right-associative, tighter than unary minus on its left, looser on its right
    ("-x**2", "(- (** x 2))"),
    ("a ** b ** c", "(** a (** b c))"),
    ("2 ** -1", "(** 2 (- 1))"),
    ("-a ** -b", "(- (** a (- b)))"),
    ("~a ** 2", "(~ (** a 2))"),
    # the binary levels, loosest first: | ^ & << >> + - * / %
    ("a | b ^ c & d", "(| a (^ b (& c d)))"),
    ("a & b << c", "(& a (<< b c))"),
    ("a << b + c", "(<< a (+ b c))"),
    ("a + b * c - d", "(- (+ a (* b c)) d)"),
    ("a - b - c", "(- (- a b) c)"),
    ("a / b % c * d", "(* (% (/ a b) c) d)"),
    ("a >> 1 << 2", "(<< (>> a 1) 2)"),
    # comparisons bind looser than | and tighter than not
    ("a | b < c ^ d", "(< (| a b) (^ c d))"),
    ("not a == b", "(not (== a b))"),
    ("not not a", "(not (not a))"),
    ("a or b and not c", "(or a (and b (not c)))"),
    ("a and b or c and d", "(or (and a b) (and c d))"),
    # conditional expressions are the loosest and right-associative
    ("x if c else y if d else z", "(if c x (if d y z))"),
    ("a or b if c or d else e", "(if (or c d) (or a b) e)"),
    ("if c: a else: b", "(if c a b)"),
    ("if c: a elif d: b else: e", "(if c a (if d b e))"),
    ("if c: a + 1 else: -b", "(if c (+ a 1) (- b))"),
    ("1 + (x if c else y)", "(+ 1 (if c x y))"),
    # postfix: calls, indexing, methods, casts; `as` binds tighter than binary and unary ops
    ("a + b as f32", "(+ a (as b f32))"),
    ("-x as u32", "(- (as x u32))"),
    ("x as i64 as f64", "(as (as x i64) f64)"),
    ("f32(x) * 2", "(* (call f32 x) 2)"),
    ("a[i + 1] * b[j]", "(* (index a (+ i 1)) (index b j))"),
    ("a.len() - len(b)", "(- (call a.len) (call len b))"),
    ("gpu.global_id(0) * gpu.local_size()", "(* (call gpu.global_id 0) (call gpu.local_size))"),
    ("gpu.shared_memory<f32>(256)", "(call gpu.shared_memory<f32> 256)"),
    ("x.min(y).sqrt()", "(call (call x.min y).sqrt)"),
    ("(a + b) * c", "(* (+ a b) c)"),
    ("f(a, b,)", "(call f a b)"),
    ("true and false", "(and true false)"),
    ("0x10u32 + 1.5e3f64", "(+ 16u32 1500.0f64)"),
])
def test_precedence(text, tree):
    assert expr(text) == tree


def test_address_of_in_atomic_arguments():
    (stmt,) = body_of("gpu.atomic_add(&a[i], 1)")
    assert sexpr(stmt.expr) == "(call gpu.atomic_add (& (index a i)) 1)"


def test_binding_forms():
    stmts = body_of("""
        val a = 1
        let b: f32 = 2.0
        var c = 3
        let mut d = 4
        e = 5
        f: i64 = 6
        var g: [f32; 4]
        var h: i32
        shared val s: [f32; 256]
        shared let t: [i32; N]
        val u = gpu.shared_memory<u32>(64)
    """)
    summary = [(s.name, s.mutable, s.shared, type(s.type).__name__ if s.type else None)
               for s in stmts if isinstance(s, ast.Let)]
    assert summary == [
        ("a", False, False, None), ("b", False, False, "TypeName"), ("c", True, False, None),
        ("d", True, False, None), ("f", True, False, "TypeName"), ("g", True, False, "ArrayTypeExpr"),
        ("h", True, False, "TypeName"), ("s", True, True, "ArrayTypeExpr"), ("t", True, True, "ArrayTypeExpr"),
        ("u", False, False, None)]
    assert isinstance(stmts[4], ast.Assign) and stmts[4].op == "="


def test_compound_assignments():
    stmts = body_of("x += 1\nx -= 1\nx *= 1\nx /= 1\nx %= 1\nx &= 1\nx |= 1\nx ^= 1\nx <<= 1\nx >>= 1\nx = 1")
    assert [s.op for s in stmts] == ["+", "-", "*", "/", "%", "&", "|", "^", "<<", ">>", "="]


def test_control_flow_statements():
    stmts = body_of("""
        if a:
            pass
        elif b:
            break
        else:
            continue
        while c: x = 1
        for i in range(n): pass
        for i in range(1, n): pass
        for i in range(n, 0, -1): pass
        for i in a..b: pass
        return
        return x + 1
        f(x); g(y);
    """)
    kinds = [type(s).__name__ for s in stmts]
    assert kinds == ["If", "While", "For", "For", "For", "For", "Return", "Return", "ExprStmt", "ExprStmt"]
    branches = stmts[0]
    assert [type(b[1][0]).__name__ for b in branches.branches] == ["Pass", "Break"]
    assert type(branches.otherwise[0]).__name__ == "Continue"
    ranges = [(s.iter.start and sexpr(s.iter.start), sexpr(s.iter.end), s.iter.step and sexpr(s.iter.step))
              for s in stmts[2:6]]
    assert ranges == [(None, "n", None), ("1", "n", None), ("n", "0", "(- 1)"), ("a", "b", None)]
    assert stmts[6].value is None and sexpr(stmts[7].value) == "(+ x 1)"


def test_kernel_attributes_and_signatures():
    tree, bag = parse_text(src("""
        #[gpu(local_size=(16, 16))]
        fn k(a: [f32], b: []i32, c: Array[u8], d: &mut [f64], e: &[i16], s: f32):
            pass
        @simd(local_size=64)
        fn m() -> i32:
            return 1
        @gpu
        #[gpu] fn both():
            pass
        const N: i32 = 4
    """))
    assert not bag.has_errors
    k, m, both, const = tree.items
    assert [(a.name, [(x.name, x.value if isinstance(x.value, list) else [x.value]) for x in a.args])
            for a in k.attrs][0][0] == "gpu"
    assert [sexpr(v) for v in k.attrs[0].args[0].value] == ["16", "16"]
    assert [(p.name, type(p.type).__name__, getattr(p.type, "writable", None)) for p in k.params] == [
        ("a", "BufferTypeExpr", True), ("b", "BufferTypeExpr", True), ("c", "BufferTypeExpr", True),
        ("d", "BufferTypeExpr", True), ("e", "BufferTypeExpr", False), ("s", "TypeName", None)]
    assert m.attrs[0].name == "simd" and m.ret.name == "i32"
    assert [a.name for a in both.attrs] == ["gpu", "gpu"]
    assert const.name == "N" and const.type.name == "i32"


def syntax_errors(text: str) -> list[tuple[int, str]]:
    _, bag = parse_text(src(text))
    return sorted((d.line, d.message) for d in bag.diagnostics)


def test_every_syntax_error_of_a_file_is_reported():
    assert syntax_errors("""
        fn a(x f32):
            pass
        fn b():
            val = 3
            y = (1 +
            if x
                z = 1
            w = a && b
            ok = 1
        fn c():
            q = 1 < 2 < 3 == 4
            r = (1 +
    """) == [
        (1, "expected `:` and a type after the parameter name, found `f32`"),
        (4, "expected a name after `val`, found `=`"),
        (5, "`(` is never closed"),
        (6, "expected `:` at the end of the condition, found end of line"),
        (8, "`&&` is not an operator"),
        (12, "`(` is never closed"),
    ]


@pytest.mark.parametrize("text, message", [
    ("fn f():\n    x = 1\n        y = 2\n", "unexpected indent"),
    ("fn f():\nx = 1\n", "expected an indented block, found `x`"),
    ("    fn f():\n        pass\n", "unexpected indent"),
    ("x = 1\n", "expected an item (`fn`, `const` or a kernel attribute), found `x`"),
    ("def f():\n    pass\n", "expected an item (`fn`, `const` or a kernel attribute), found `def`"),
    ("#[gpu]\nconst X = 1\n", "expected `fn` after an attribute, found `const`"),
    ("fn f():\n    x = !y\n", "`!` is not an operator"),
    ("fn f():\n    x = a // b\n", "`//` is not an operator"),
    ("fn f():\n    x = [1, 2]\n", "array literals are not supported"),
    ("fn f():\n    x = (1, 2)\n", "tuples are not supported"),
    ("fn f():\n    x = ()\n", "empty parentheses are not an expression"),
    ("fn f():\n    x = a if b\n", "expected `else` in the conditional expression, found end of line"),
    ("fn f():\n    x = if a: b\n", "expected `else` in the conditional expression, found end of line"),
    ("fn f():\n    x = 1 +\n", "expected an expression, found end of line"),
    ("fn f():\n    const X = 1\n", "`const` is only allowed at module level"),
    ("fn f():\n    fn g():\n        pass\n", "functions and attributes are only allowed at module level"),
    ("fn f():\n    shared val t: [f32; 4] = 0\n", "a shared array cannot have an initializer"),
    ("fn f():\n    for i in range(1, 2, 3, 4): pass\n", "`range` takes 1 to 3 arguments, got 4"),
    ("fn f():\n    x = 1 y = 2\n", "expected end of line, found `y`"),
    ("fn f():\n    if a:\n        pass\n        else:\n            pass\n", "`else` without a matching `if`"),
    ("fn f():\n    elif a:\n        pass\n", "`elif` without a matching `if`"),
    ("fn f():\n    x = " + "(" * 150 + "1" + ")" * 150 + "\n", "expression nested too deeply (more than 64 levels)"),
    ("fn f():\n    x = " + "-" * 150 + "1\n", "expression nested too deeply (more than 64 levels)"),
    ("fn f():\n    x = " + " + ".join(["a"] * 150) + "\n", "expression too long (more than 100 operators in a row)"),
])
def test_syntax_error_messages(text, message):
    _, bag = parse_text(text)
    assert [d.message for d in bag.diagnostics][:1] == [message]


def test_deeply_nested_blocks_are_one_clear_error():
    depth = 40
    text = "fn f(n: i32):\n" + "".join("    " * (i + 1) + "if n > 0:\n" for i in range(depth))
    text += "    " * (depth + 1) + "pass\nfn g():\n    x = (\n"
    assert syntax_errors(text) == [(34, "blocks nested too deeply (more than 32 levels)"),
                                   (44, "`(` is never closed")]


def test_long_elif_chains_are_limited():
    branches = "".join(f"    elif n == {i}:\n        pass\n" for i in range(1, 140))
    errors = syntax_errors("fn f(n: i32):\n    if n == 0:\n        pass\n" + branches + "fn g(:\n")
    assert errors == [(260, "too many `elif` branches (more than 128)"), (282, "`(` is never closed")]
    long_expr = "fn f(n: i32):\n    x = if n == 0: 0 " + " ".join(f"elif n == {i}: {i}" for i in range(1, 90))
    assert syntax_errors(long_expr + " else: 0\n") == [(2, "expression nested too deeply (more than 64 levels)")]


def test_spans_cover_the_source_text():
    (stmt,) = body_of("r = (a + b) * c.len()")
    assert stmt.value.span.text == "(a + b) * c.len()"
    assert stmt.value.lhs.span.text == "(a + b)"
    assert stmt.value.op_span.text == "*"
