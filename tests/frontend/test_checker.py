"""The type checker: literal typing, widenings, scopes and names, lowering of
statements and builtins to kernel IR. Every module compiled here is verified."""
import numpy as np
import pytest

from simple_vkbackend.frontend import compile_source
from simple_vkbackend.lowering import ir
from simple_vkbackend.lowering.ir.text import print_expr, print_module

from .util import compile_ok, kernel_body, messages


def kernel(body: str, params: str = "x: &[f32], y: [f32], n: i32", attr: str = "#[gpu]",
           prelude: str = "") -> ir.Kernel:
    return compile_ok(prelude + kernel_body(body, params, attr)).kernels[0]


def assigned(k, name: str) -> str:
    """The printed value of the first assignment to local `name`."""
    for s in _walk(k.body):
        if isinstance(s, ir.Assign) and isinstance(s.target, ir.Var) and s.target.name == name:
            return print_expr(s.value)
    raise AssertionError(f"no assignment to {name}")


def _walk(block):
    for s in block.stmts:
        yield s
        for b in ((s.then, s.otherwise) if isinstance(s, ir.If) else (s.body, s.step) if isinstance(s, ir.Loop) else ()):
            yield from _walk(b)


def local_types(k) -> dict[str, str]:
    return {loc.name: str(loc.type) for loc in k.locals}


# --------------------------------------------------------------------------- literals and types

@pytest.mark.parametrize("decl, value", [
    ("val v = 1", "1:i32"),
    ("val v = 1.5", "1.5:f32"),
    ("val v = true", "true"),
    ("val v: i64 = 1", "1:i64"),
    ("val v: f32 = 2", "2.0:f32"),
    ("val v: u8 = 0xff", "255:u8"),
    ("val v: f64 = 1e-3", "0.001:f64"),
    ("val v = 1_000 * 3", "3000:i32"),
    ("val v = 7 / 2", "3:i32"),
    ("val v = -7 / 2", "-3:i32"),
    ("val v = -7 % 2", "-1:i32"),
    ("val v = 7 % -2", "1:i32"),
    ("val v = 2 ** 10", "1024:i32"),
    ("val v = 2 ** -1", "0:i32"),
    ("val v = -2 ** 2", "-4:i32"),
    ("val v = 1 << 4 | 1", "17:i32"),
    ("val v = 1u32 + 2u32 * 3u32", "7:u32"),
    ("val v = 250u8 + 10u8", "4:u8"),
    ("val v = -(1 as u32)", "4294967295:u32"),
    ("val v = 1.5f64 < 2.5f64", "true"),
    ("val v: i64 = 1 << 40", "1099511627776:i64"),
    ("val v = ~0", "-1:i32"),
    ("val v: u32 = ~0xff", "4294967040:u32"),
    ("val v = 1 + 0.5", "1.5:f32"),
    ("val v = 3u8", "3:u8"),
    ("val v = 2.0f64", "2.0:f64"),
    ("val v = -2147483648", "-2147483648:i32"),
    ("val v = 300 as u8", "44:u8"),
    ("val v = -1 as u32", "4294967295:u32"),
    ("val v = 2.7 as i32", "2:i32"),
    ("val v = -2.7 as i32", "-2:i32"),
    ("val v = 5 as bool", "true"),
    ("val v = i32(true)", "1:i32"),
    ("val v = f32(3)", "3.0:f32"),
    ("val v = 1e39 as f32", "inf:f32"),
    ("val v = 1 < 2 and 2.5 > 1", "true"),
    ("val v = if true: 1 else: 2", "1:i32"),
])
def test_untyped_constants_fold_and_take_their_context_type(decl, value):
    assert assigned(kernel(decl), "v") == value


@pytest.mark.parametrize("decl, value", [
    ("val v = n + 1", "(add.i32 n 1:i32)"),
    ("val v = 1 + n", "(add.i32 1:i32 n)"),
    ("val v = x[0] * 2", "(mul.f32 x[0:i32] 2.0:f32)"),
    ("val v = w + 1", "(add.i64 w 1:i64)"),
    ("val v = w + n", "(add.i64 w (cast.i64 n))"),
    ("val v = d * x[0]", "(mul.f64 d (cast.f64 x[0:i32]))"),
    ("val v = u + 1u32", "(add.u32 u 1:u32)"),
    ("val v = big + u", "(add.u64 big (cast.u64 u))"),
    ("val v: i64 = n", "(cast.i64 n)"),
    ("val v = n < w", "(lt.bool (cast.i64 n) w)"),
    ("val v = u << n", "(shl.u32 u (cast.u32 n))"),
    ("val v = n >> 2", "(shr.i32 n 2:i32)"),
    ("val v = -u", "(neg.u32 u)"),
    ("val v = ~n", "(bitnot.i32 n)"),
    ("val v = n as f32 / 2.0", "(div.f32 (cast.f32 n) 2.0:f32)"),
    ("val v = n ** 2", "(pow.i32 n 2:i32)"),
    ("val v = x[0] ** 2", "(pow.f32 x[0:i32] 2.0:f32)"),
    ("val v = n % 3", "(rem.i32 n 3:i32)"),
    ("val v = (n & 3) ^ (n | 8)", "(bitxor.i32 (bitand.i32 n 3:i32) (bitor.i32 n 8:i32))"),
    ("val v = n > 0 and not (n == 3 or n == 4)",
     "(and (gt.bool n 0:i32) (not.bool (or (eq.bool n 3:i32) (eq.bool n 4:i32))))"),
    ("val v = x[0] if n > 0 else 0.0", "(select.f32 (gt.bool n 0:i32) x[0:i32] 0.0:f32)"),
    ("val v = if n > 0: 1 elif n < 0: -1 else: 0",
     "(select.i32 (gt.bool n 0:i32) 1:i32 (select.i32 (lt.bool n 0:i32) -1:i32 0:i32))"),
    ("val v: i64 = if n > 0: 1 else: 2", "(select.i64 (gt.bool n 0:i32) 1:i64 2:i64)"),
    ("val v = x[0] + (if n > 0: 1 else: 2)", "(add.f32 x[0:i32] (select.f32 (gt.bool n 0:i32) 1.0:f32 2.0:f32))"),
    ("val v = x.len() + len(y)", "(add.i32 (len x) (len y))"),
    ("val v = y[u]", "y[u]"),
    ("val v = y[w]", "y[w]"),
])
def test_typed_expressions(decl, value):
    params = "x: &[f32], y: [f32], n: i32, w: i64, u: u32, big: u64, d: f64"
    assert assigned(kernel(decl, params), "v") == value


def test_binding_types_and_mutability():
    k = kernel("""
        val a = 1
        let b = 2.5
        var c: u16 = 3
        let mut d = a + 1
        e = b * 2.0
        f: i64 = 5
        var g: f64
        c += 1
        d = 4
        e = 1
        f -= 1
        g = 1.5
    """)
    assert local_types(k) == {"a": "i32", "b": "f32", "c": "u16", "d": "i32", "e": "f32", "f": "i64", "g": "f64"}
    assert assigned(k, "g") == "0.0:f64"  # `var g: f64` starts zeroed


def test_shadowing_gives_unique_ir_names():
    k = kernel("""
        val v = 1
        val v = 2.5
        if n > 0:
            val v = n
            y[0] = v as f32
        val TILE = 3
        y[1] = v + TILE as f32
    """, prelude="const TILE: i32 = 16\n")
    assert local_types(k) == {"v": "i32", "v_1": "f32", "v_2": "i32", "TILE_1": "i32"}
    assert "y[1:i32] = (add.f32 v_1 (cast.f32 TILE_1))" in print_module(compile_ok(
        "const TILE: i32 = 16\n" + kernel_body("val v = 1\nval v = 2.5\nval TILE = 3\ny[1] = v + TILE as f32")))


def test_value_of_a_binding_refers_to_the_outer_name():
    k = kernel("val n2 = n\nval n2 = n2 * 2")
    assert assigned(k, "n2_1") == "(mul.i32 n2 2:i32)"


def test_for_loops_lower_to_loops_with_a_step():
    k = kernel("""
        var s = 0
        for i in range(n):
            s += i
        for i in range(2, 10, 3):
            s += i
        for i in range(10, 0, -2):
            s += i
        for i in 1..n + 1:
            s += i
        var m = n
        for i in range(m):
            m -= 1
    """)
    text = print_module(compile_ok(kernel_body("""
        var s = 0
        for i in range(10, 0, -2):
            s += i
    """)))
    assert "loop while (gt.bool i 0:i32) {" in text and "i = (sub.i32 i 2:i32)" in text
    assert local_types(k) == {"s": "i32", "i": "i32", "i_1": "i32", "i_2": "i32", "i_3": "i32", "i_end": "i32",
                              "m": "i32", "i_4": "i32", "i_end_1": "i32"}
    loops = [s for s in k.body.stmts if isinstance(s, ir.Loop)]
    assert [print_expr(lp.cond) for lp in loops] == [
        "(lt.bool i n)", "(lt.bool i_1 10:i32)", "(gt.bool i_2 0:i32)", "(lt.bool i_3 i_end)",
        "(lt.bool i_4 i_end_1)"]
    assert [print_expr(lp.step.stmts[0].value) for lp in loops] == [
        "(add.i32 i 1:i32)", "(add.i32 i_1 3:i32)", "(sub.i32 i_2 2:i32)", "(add.i32 i_3 1:i32)",
        "(add.i32 i_4 1:i32)"]


def test_loop_variable_takes_the_bounds_type():
    k = kernel("for i in range(w):\n    pass\nfor j in 0u32..u:\n    pass", "w: i64, u: u32")
    assert local_types(k) == {"i": "i64", "j": "u32"}


def test_while_true_is_an_unconditional_loop_and_dead_code_is_dropped():
    k = kernel("""
        while true:
            break
            y[0] = 1.0
        return
        y[1] = 2.0
    """)
    loop, ret = k.body.stmts
    assert loop.cond is None and [type(s) for s in loop.body.stmts] == [ir.Break]
    assert isinstance(ret, ir.Return)


def test_elif_chains_nest_in_else():
    k = kernel("if n == 0:\n    y[0] = 0.0\nelif n == 1:\n    y[0] = 1.0\nelse:\n    y[0] = 2.0")
    (top,) = k.body.stmts
    (inner,) = top.otherwise.stmts
    assert print_expr(inner.cond) == "(eq.bool n 1:i32)" and len(inner.otherwise.stmts) == 1


def test_compound_assignment_to_an_element_with_a_call_in_the_index_uses_a_temporary():
    module = compile_ok("""
fn pick(i: i32) -> i32:
    return i + 1

#[gpu]
fn k(y: [f32], c: [i32]):
    y[pick(0)] += 1.0
    y[0] *= 2.0
    c[gpu.atomic_add(&c[0], 1)] -= 1
""")
    text = print_module(module)
    assert "index = (call.i32 pick 0:i32)" in text
    assert "y[index] = (add.f32 y[index] 1.0:f32)" in text
    assert "y[0:i32] = (mul.f32 y[0:i32] 2.0:f32)" in text
    assert "c[index_1] = (sub.i32 c[index_1] 1:i32)" in text


def test_private_arrays_are_zeroed_when_declared_in_a_loop():
    k = kernel("""
        var top: [f32; 4]
        for i in range(n):
            var acc: [f32; 4]
            acc[i % 4] += 1.0
            top[0] += acc[0]
        y[0] = top[0]
    """)
    text = print_module(compile_ok(kernel_body("for i in range(n):\n    var acc: [i32; 3]\n    acc[0] = 1")))
    assert "acc_i = 0:i32" in text and "loop while (lt.bool acc_i 3:i32) {" in text
    assert "acc[acc_i] = 0:i32" in text
    assert local_types(k) == {"top": "[f32; 4]", "i": "i32", "acc": "[f32; 4]", "acc_i": "i32"}


# --------------------------------------------------------------------------- builtins

@pytest.mark.parametrize("call, name, dim", [
    ("gpu.global_id(0)", "global_id", 0), ("gpu.global_id()", "global_id", 0),
    ("gpu.local_id(1)", "local_id", 1), ("gpu.group_id(2)", "group_id", 2),
    ("gpu.global_size(1)", "global_size", 1), ("gpu.local_size(2)", "local_size", 2),
    ("gpu.num_groups(0)", "num_groups", 0),
    ("gpu_global_id(1)", "global_id", 1), ("gpu_local_id(2)", "local_id", 2), ("gpu_group_id(0)", "group_id", 0),
    ("gpu_global_id_x()", "global_id", 0), ("gpu_global_id_y()", "global_id", 1),
    ("gpu_global_id_z()", "global_id", 2), ("gpu_local_id_x()", "local_id", 0), ("gpu_local_id_y()", "local_id", 1),
    ("gpu_local_id_z()", "local_id", 2), ("gpu_group_id_x()", "group_id", 0), ("gpu_group_id_y()", "group_id", 1),
    ("gpu_group_id_z()", "group_id", 2), ("gpu_num_groups_y()", "num_groups", 1),
    ("gpu_global_size(2)", "global_size", 2),
    ("this.index()", "global_id", 0), ("this.thread_index()", "local_id", 0), ("this.group_index()", "group_id", 0),
    ("gpu.global_id(TWO - 1)", "global_id", 1), ("gpu.local_id(DIM)", "local_id", 2),
])
def test_id_builtins_and_aliases(call, name, dim):
    module = compile_ok("const TWO: i32 = 2\nconst DIM = TWO\n" + kernel_body(f"val v = {call}"))
    value = module.kernels[0].body.stmts[0].value
    assert (value.name, value.dim, value.type) == (name, dim, ir.I32)


@pytest.mark.parametrize("body, hint, dims", [
    ("val v = 1", None, 1),
    ("val v = gpu.global_id(0)", None, 1),
    ("val v = gpu.local_id(1)", None, 2),
    ("val v = gpu_group_id_z()", None, 3),
    ("val v = gpu.num_groups(2)", "#[gpu(local_size=(8, 8))]", 2),
    ("val v = 1", "#[gpu(local_size=(4, 4, 4))]", 3),
    ("val v = 1", "#[gpu(local_size=(32,))]", 1),
    ("val v = deep()", None, 3),
])
def test_kernel_dims(body, hint, dims):
    prelude = "fn deeper() -> i32:\n    return gpu.global_id(2)\n\nfn deep() -> i32:\n    return deeper()\n\n"
    module = compile_ok(prelude + kernel_body(body, attr=hint or "#[gpu]"))
    assert module.kernels[0].dims == dims


@pytest.mark.parametrize("attr, local_size, simd", [
    ("#[gpu]", None, False), ("@gpu", None, False), ("#[gpu(local_size=256)]", (256, 1, 1), False),
    ("#[gpu(local_size=(16, 16))]", (16, 16, 1), False), ("#[gpu(local_size=(4, 4, 2))]", (4, 4, 2), False),
    ("#[gpu(local_size=TILE * 2)]", (32, 1, 1), False), ("@gpu(local_size=(TILE, TILE))", (16, 16, 1), False),
    ("@simd", None, True), ("@simd(local_size=64)", (64, 1, 1), True), ("#[simd]", None, True),
    ("#[gpu]\n@simd", None, True),
])
def test_kernel_attributes(attr, local_size, simd):
    k = compile_ok("const TILE: i32 = 16\n" + kernel_body("pass", attr=attr)).kernels[0]
    assert (k.local_size, k.simd) == (local_size, simd)


def test_simd_checks_buffer_indexes_only():
    k = kernel("""
        shared val s: [f32; 4]
        var p: [f32; 4]
        s[0] = x[n]
        p[1] = s[0]
        y[n] = p[1]
    """, attr="@simd")
    text = print_module(compile_ok(kernel_body("shared val s: [f32; 4]\nvar p: [f32; 4]\ns[0] = x[n]\n"
                                               "p[1] = s[0]\ny[n] = p[1]", attr="@simd")))
    assert "s[0:i32] = x[!n]" in text and "p[1:i32] = s[0:i32]" in text and "y[!n] = p[1:i32]" in text
    assert k.simd


@pytest.mark.parametrize("call, printed", [
    ("sqrt(a)", "(math.sqrt.f32 a)"), ("math.sqrt(a)", "(math.sqrt.f32 a)"), ("a.sqrt()", "(math.sqrt.f32 a)"),
    ("sqrt(2)", "(math.sqrt.f32 2.0:f32)"), ("pow(a, 2)", "(math.pow.f32 a 2.0:f32)"),
    ("atan2(a, d)", "(math.atan2.f64 (cast.f64 a) d)"), ("min(n, 3)", "(math.min.i32 n 3:i32)"),
    ("a.min(1.0)", "(math.min.f32 a 1.0:f32)"), ("abs(-n)", "(math.abs.i32 (neg.i32 n))"),
    ("clamp(a, 0.0, 1.0)", "(math.clamp.f32 a 0.0:f32 1.0:f32)"), ("max(1, 2)", "(math.max.i32 1:i32 2:i32)"),
    ("fma(a, a, 1)", "(math.fma.f32 a a 1.0:f32)"), ("mix(0.0, 1.0, a)", "(math.mix.f32 0.0:f32 1.0:f32 a)"),
    ("smoothstep(0.0, 1.0, a)", "(math.smoothstep.f32 0.0:f32 1.0:f32 a)"),
    ("step(0.5, a)", "(math.step.f32 0.5:f32 a)"), ("sign(n)", "(math.sign.i32 n)"),
])
def test_math_builtins(call, printed):
    k = kernel(f"val a = x[0]\nval v = {call}", "x: &[f32], n: i32, d: f64")
    assert assigned(k, "v") == printed


@pytest.mark.parametrize("name", sorted(ir.MATH_BUILTINS))
def test_every_math_builtin_bare_and_qualified(name):
    from simple_vkbackend.lowering.ir.verify import MATH_ARITY
    args = ", ".join(["a"] * MATH_ARITY[name])
    k = kernel(f"val a = x[0]\nval v = {name}({args})\nval w = math.{name}({args})", "x: &[f32]")
    assert assigned(k, "v") == assigned(k, "w")
    want = ir.BOOL if name in ("isnan", "isinf") else ir.F32
    assert k.body.stmts[1].value.type == want


def test_isnan_is_a_condition():
    k = kernel("if isnan(x[0]) or math.isinf(x[1]):\n    y[0] = 0.0")
    assert print_expr(k.body.stmts[0].cond) == "(or (math.isnan.bool x[0:i32]) (math.isinf.bool x[1:i32]))"


def test_atomics():
    module = compile_ok("""
#[gpu]
fn k(a: [i32], u: &mut [u32], f: [f32]):
    shared val s: [i32; 4]
    val i = gpu.global_id(0)
    val old = gpu.atomic_add(&a[i], 1)
    gpu.atomic_sub(&a[0], old)
    gpu.atomic_min(&u[i], 3)
    gpu.atomic_max(&s[0], -1)
    gpu.atomic_and(&u[0], 0xf0)
    gpu.atomic_or(&u[1], 1u32)
    gpu.atomic_xor(&s[1], i)
    gpu.atomic_exchange(&a[2], 7)
    gpu.atomic_compare_exchange(&s[2], 0, i)
    gpu.atomic_add(&f[0], 0.5)
    gpu.barrier()
    gpu.mem_fence()
""")
    stmts = module.kernels[0].body.stmts[3:]  # after the prologue zeroing `s` (shared_init.py)
    atomics = [s.expr if isinstance(s, ir.ExprStmt) else s.value for s in stmts[1:11]]
    assert [(a.op, a.base, a.type.name) for a in atomics] == [
        ("add", "a", "i32"), ("sub", "a", "i32"), ("min", "u", "u32"), ("max", "s", "i32"), ("and", "u", "u32"),
        ("or", "u", "u32"), ("xor", "s", "i32"), ("exchange", "a", "i32"), ("compare_exchange", "s", "i32"),
        ("add", "f", "f32")]
    assert [print_expr(x) for x in atomics[8].args] == ["0:i32", "i"]
    assert [s.expr.name for s in stmts[11:]] == ["barrier", "mem_fence"]


def test_shared_memory_declarations():
    module = compile_ok("""
const N: i32 = 8
#[gpu]
fn k(y: [f32]):
    shared val a: [f32; 64]
    shared let b: [i32; N * 2]
    shared var c: [u32; 4]
    val d = gpu.shared_memory<f64>(N)
    var e = gpu.shared_memory<i16>(3)
    a[0] = 1.0
    d[N - 1] = 2.0
""")
    k = module.kernels[0]
    assert [(s.name, str(s.type)) for s in k.shared] == [
        ("a", "[f32; 64]"), ("b", "[i32; 16]"), ("c", "[u32; 4]"), ("d", "[f64; 8]"), ("e", "[i16; 3]")]
    assert [v.name for v in k.locals] == ["shared_zero"]  # the counter of the zeroing prologue
    assert len(k.body.stmts) == 2 * 5 + 1 + 2  # zero each array, barrier, then the body


def test_constants():
    module = compile_ok("""
const A: i32 = 4 * B
const B = 4
const C: f32 = A as f32 / 3.0
const D: u32 = 0xffff_ffff
const E: bool = A > B and not false
const F: i64 = -(1 << 40)
const G: f64 = 1.0 / 4.0
const H: u8 = (300 as u8) + 1
#[gpu]
fn k(y: [f32]):
    y[0] = C + A as f32
""")
    assert [(c.name, c.type.name, c.value) for c in module.constants] == [
        ("A", "i32", 16), ("B", "i32", 4), ("C", "f32", float(np.float32(16 / 3))),  # divided in f32
        ("D", "u32", 0xFFFFFFFF), ("E", "bool", True),
        ("F", "i64", -(1 << 40)), ("G", "f64", 0.25), ("H", "u8", 45)]
    assert print_expr(module.kernels[0].body.stmts[0].value) == "(add.f32 C (cast.f32 A))"


def test_helpers_calls_and_call_statements():
    module = compile_ok("""
fn square(v: f32) -> f32:
    return v * v

fn twice(v: f32) -> f32:
    return square(v) + square(v)

fn sync():
    gpu.barrier()

fn is_pos(v: i32) -> bool:
    return v > 0

#[gpu]
fn k(y: [f32], n: i32):
    sync()
    square(1.0)
    if is_pos(n):
        y[0] = twice(2)
""")
    assert [(f.name, f.ret and f.ret.name) for f in module.functions] == [
        ("square", "f32"), ("twice", "f32"), ("sync", None), ("is_pos", "bool")]
    k = module.kernels[0]
    assert [print_expr(s.expr) for s in k.body.stmts[:2]] == ["(call sync)", "(call.f32 square 1.0:f32)"]
    assert print_expr(k.body.stmts[2].then.stmts[0].value) == "(call.f32 twice 2.0:f32)"


def test_helper_that_returns_on_every_path():
    compile_ok("""
fn f(v: i32) -> i32:
    if v > 0:
        return 1
    elif v < 0:
        return -1
    else:
        return 0

fn g(v: i32) -> i32:
    while true:
        if v > 3:
            return v

fn h(v: i32) -> i32:
    for i in range(v):
        return i
    return 0
""")


def test_buffer_parameter_spellings():
    module = compile_ok("#[gpu]\nfn k(a: [f32], b: []i8, c: Array[u16], d: &mut [f64], e: &[i64], s: bool, t: u8):\n"
                        "    pass\n")
    assert [str(p.type) for p in module.kernels[0].params] == [
        "buf<f32>", "buf<i8>", "buf<u16>", "buf<f64>", "rbuf<i64>", "bool", "u8"]


def test_module_name_comes_from_the_file_name():
    assert compile_source("fn f():\n    pass\n", "dir/my_kernels.spl").name == "my_kernels"
    assert compile_source("fn f():\n    pass\n").name == "module"


def test_helpers_may_shadow_bare_math_names_but_not_qualified_ones():
    module = compile_ok("fn step(v: f32) -> f32:\n    return v + 1.0\n" +
                        kernel_body("y[0] = step(1.0) + math.step(0.5, x[0])"))
    value = module.kernels[0].body.stmts[0].value
    assert print_expr(value) == "(add.f32 (call.f32 step 1.0:f32) (math.step.f32 0.5:f32 x[0:i32]))"


def test_locals_named_like_builtins_do_not_hide_them():
    k = kernel("val max = 3\nval len = max(n, max)\ny[0] = len(x) as f32 + len as f32")
    assert local_types(k) == {"max": "i32", "len": "i32"}


def test_reserved_names_cannot_be_bound():
    assert messages(kernel_body("val gpu = 1\nval f32 = 2\nthis = 3")) == [
        "`gpu` is a reserved name and cannot be bound", "`f32` is a reserved name and cannot be bound",
        "`this` is a reserved name and cannot be bound"]
