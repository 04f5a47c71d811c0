"""A zoo of IR kernels, one per construct, shared by the validation and the
execution tests. Every kernel is 1-D over `out` unless it says otherwise."""
from __future__ import annotations

from lowering_irb import (BOOL, F16, F32, F64, I8, I16, I32, I64, U8, U16, U32, U64, assign, at, atomic,
                          binop, buf, call, cast, const, for_range, function, gid, ids, if_, kernel, length,
                          local, logical, loop, math, module, param, private_array, select, shared_array,
                          sync, unop, var)
from simple_vkbackend.lowering import ir

INT_TYPES = (I8, I16, I32, I64, U8, U16, U32, U64)
FLOAT_TYPES = (F16, F32, F64)
SCALAR_TYPES = INT_TYPES + FLOAT_TYPES


def guard_n(body, n="n"):
    """`if gid < n: body` (the usual tail guard)."""
    return [if_(binop("lt", gid(), var(n)), body)]


def binary_op(op: str, t: ir.ScalarType) -> ir.Module:
    """out[i] = a[i] op b[i] (comparisons stored as i32 0/1)."""
    i = gid()
    value = binop(op, at("a", i, t), at("b", i, t))
    out_t = I32 if op in ir.COMPARE_OPS else t
    if op in ir.COMPARE_OPS:
        value = cast(value, I32)
    return module(kernel("binop", [buf("a", t, False), buf("b", t, False), buf("out", out_t), param("n")],
                         guard_n([assign(at("out", i, out_t), value)])))


def unary_op(op: str, t: ir.ScalarType) -> ir.Module:
    i = gid()
    return module(kernel("unop", [buf("a", t, False), buf("out", t), param("n")],
                         guard_n([assign(at("out", i, t), unop(op, at("a", i, t)))])))


def cast_op(src: ir.ScalarType, dst: ir.ScalarType) -> ir.Module:
    """out[i] = a[i] as dst; a bool end goes through a bool local."""
    i = gid()
    locals_ = []
    if src.is_bool:
        body = [assign(var("flag", BOOL), cast(at("a", i, I32), BOOL)),
                assign(at("out", i, dst), cast(var("flag", BOOL), dst))]
        src_buf, locals_ = I32, [local("flag", BOOL)]
    elif dst.is_bool:
        body = [assign(at("out", i, I32), cast(cast(at("a", i, src), BOOL), I32))]
        src_buf, dst = src, I32
    else:
        body = [assign(at("out", i, dst), cast(at("a", i, src), dst))]
        src_buf = src
    return module(kernel("convert", [buf("a", src_buf, False), buf("out", dst), param("n")], guard_n(body),
                         locals_))


def loops() -> ir.Module:
    """out[i] = sum of j in 0..a[i] skipping multiples of 3, stopping once j > 20;
    then a while loop with an internal break counting down."""
    i, j, acc, k = gid(), var("j"), var("acc"), var("k")
    inner = [if_(binop("eq", binop("rem", j, const(3)), const(0)), [ir.Continue()]),
             if_(binop("gt", j, const(20)), [ir.Break()]),
             assign(acc, binop("add", acc, j))]
    countdown = loop(None, [if_(binop("le", k, const(0)), [ir.Break()]),
                            assign(acc, binop("add", acc, const(1000))),
                            assign(k, binop("sub", k, const(1)))])
    body = guard_n([*for_range("j", const(0), at("a", i, I32), inner),
                    assign(k, binop("rem", at("a", i, I32), const(3))), countdown,
                    assign(at("out", i, I32), acc)])
    return module(kernel("loops", [buf("a", I32, False), buf("out", I32), param("n")], body,
                         [local("j"), local("acc"), local("k")]))


def early_return() -> ir.Module:
    """Returns from inside a loop inside an if; the code after is unreachable."""
    i, j = gid(), var("j")
    body = [if_(binop("ge", i, var("n")), [ir.Return()]),
            assign(at("out", i, I32), const(-1)),
            *for_range("j", const(0), const(100), [
                if_(binop("eq", j, at("a", i, I32)), [assign(at("out", i, I32), j), ir.Return(),
                                                      assign(at("out", i, I32), const(7))])]),
            assign(at("out", i, I32), const(-2)),
            if_(const(True, BOOL), [ir.Return()], [ir.Return()]),
            assign(at("out", i, I32), const(99))]
    return module(kernel("early", [buf("a", I32, False), buf("out", I32), param("n")], body, [local("j")]))


def short_circuit() -> ir.Module:
    """Logical and Select whose second operand reads memory (must not be evaluated
    out of bounds); `m` elements of `a` exist, `n` work items run."""
    i = gid()
    inside = binop("lt", i, var("m"))
    positive = logical("and", inside, binop("gt", at("a", i, I32), const(0)))
    either = logical("or", binop("ge", i, var("m")), binop("lt", at("a", i, I32), const(-5)))
    picked = select(inside, at("a", i, I32), const(100))
    value = binop("add", binop("add", cast(positive, I32), binop("mul", cast(either, I32), const(10))),
                  binop("mul", picked, const(1000)))
    return module(kernel("shortc", [buf("a", I32, False), buf("out", I32), param("m"), param("n")],
                         guard_n([assign(at("out", i, I32), value)])))


def reduction(local_size: int = 64) -> ir.Module:
    """The language page's partial_sums: a shared-memory tree reduction."""
    lid, gidx, stride = ids("local_id"), gid(), var("stride")
    acc = "acc"
    body = [
        assign(at(acc, lid), select(binop("lt", gidx, length("input")), at("input", gidx), const(0.0, F32))),
        sync(),
        assign(stride, binop("div", ids("local_size"), const(2))),
        ir.Loop(binop("gt", stride, const(0)), ir.Block([
            if_(binop("lt", lid, stride), [assign(at(acc, lid), binop("add", at(acc, lid),
                                                                       at(acc, binop("add", lid, stride))))]),
            sync(),
            assign(stride, binop("div", stride, const(2)))])),
        if_(binop("eq", lid, const(0)), [assign(at("out", ids("group_id")), at(acc, const(0)))]),
    ]
    return module(kernel("partial_sums", [buf("input", F32, False), buf("out")], body, [local("stride")],
                         [shared_array(acc, F32, local_size)], local_size=(local_size, 1, 1)))


def atomics(t: ir.ScalarType = I32) -> ir.Module:
    """Every atomic op on a buffer (counters[k]) and on a shared array, with
    the returned old values kept (sum of old values of add into olds[i])."""
    i, lid = gid(), ids("local_id")
    v = cast(binop("add", binop("rem", i, const(7)), const(1)), t)
    zero = const(0, I32)
    ops = [("add", 0), ("sub", 1), ("min", 2), ("max", 3), ("and", 4), ("or", 5), ("xor", 6), ("exchange", 7)]
    body = []
    for op, k in ops:
        body.append(ir.ExprStmt(atomic(op, "counters", const(k), v)))
    body += [
        assign(at("olds", i, t), atomic("add", "counters", const(8), v)),
        ir.ExprStmt(atomic("compare_exchange", "counters", const(9), cast(i, t), cast(binop("add", i, const(1)), t))),
        if_(binop("eq", lid, zero), [assign(at("tile", zero, t), const(0, t)),
                                     assign(at("tile", const(1), t), const(0, t))]),
        sync(),
        ir.ExprStmt(atomic("add", "tile", zero, v)),
        ir.ExprStmt(atomic("max", "tile", const(1), v)),
        sync(),
        if_(binop("eq", lid, zero), [ir.ExprStmt(atomic("add", "counters", const(10), at("tile", zero, t)))]),
    ]
    return module(kernel("atomics", [buf("counters", t), buf("olds", t)], body,
                         shared=[shared_array("tile", t, 2)], local_size=(32, 1, 1)))


def compare_exchange() -> ir.Module:
    """olds[i] = compare_exchange(flags[i % 4], 0, i + 1): one winner per slot."""
    i = gid()
    body = guard_n([assign(at("olds", i, I32),
                           atomic("compare_exchange", "flags", binop("rem", i, const(4)), const(0),
                                  binop("add", i, const(1))))])
    return module(kernel("cas", [buf("flags", I32), buf("olds", I32), param("n")], body))


def float_atomic_add() -> ir.Module:
    """sums[i % 4] += x[i] on a buffer and through a shared array; old values kept."""
    i, lid, zero = gid(), ids("local_id"), const(0)
    body = [
        assign(at("olds", i), atomic("add", "sums", binop("rem", i, const(4)), at("x", i))),
        if_(binop("eq", lid, zero), [assign(at("part", zero), const(0.0, F32))]),
        sync(),
        ir.ExprStmt(atomic("add", "part", zero, at("x", i))),
        sync(),
        if_(binop("eq", lid, zero), [ir.ExprStmt(atomic("add", "sums", const(4), at("part", zero)))]),
    ]
    return module(kernel("fadd", [buf("x", F32, False), buf("sums"), buf("olds")], body,
                         shared=[shared_array("part", F32, 1)], local_size=(16, 1, 1)))


UNARY_MATH = ("sqrt", "rsqrt", "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "exp",
              "exp2", "log", "log2", "abs", "sign", "floor", "ceil", "round", "trunc", "fract")
BINARY_MATH = ("atan2", "pow", "min", "max", "step")
TERNARY_MATH = ("clamp", "fma", "mix", "smoothstep")
INT_MATH = ("abs", "sign", "min", "max", "clamp")


def math_op(name: str, t: ir.ScalarType = F32) -> ir.Module:
    """out[i] = name(a[i], b[i], c[i]) with as many arguments as `name` takes;
    isnan/isinf give i32."""
    i = gid()
    arity = 3 if name in TERNARY_MATH else 2 if name in BINARY_MATH else 1
    args = [at(b, i, t) for b in "abc"[:arity]]
    value = math(name, *args)
    out_t = t
    if name in ("isnan", "isinf"):
        value, out_t = cast(value, I32), I32
    params = [buf(b, t, False) for b in "abc"[:arity]] + [buf("out", out_t), param("n")]
    return module(kernel("mathop", params, guard_n([assign(at("out", i, out_t), value)])))


def simd_scale() -> ir.Module:
    """@simd: out[i] = x[i] * 2 with checked indexes; no guard, the grid overshoots."""
    i = gid()
    body = [assign(at("out", i, checked=True), binop("mul", at("x", i, checked=True), const(2.0, F32)))]
    return module(kernel("simd_scale", [buf("x", F32, False), buf("out")], body, simd=True))


def grid(dims: int) -> ir.Module:
    """out[flat(x, y, z)] = a code of all ids, over a `dims`-D grid of w*h*d."""
    x, y, z = gid(0), gid(1), gid(2)
    w, h = var("w"), var("h")
    flat = binop("add", binop("mul", binop("add", binop("mul", z, h), y), w), x)
    code = binop("add", binop("add", binop("mul", ids("local_id", 0), const(1)), binop("mul", ids("local_id", 1), const(100))),
                 binop("mul", ids("group_id", dims - 1), const(10000)))
    sizes = binop("add", binop("mul", ids("global_size", dims - 1), const(1000)), ids("num_groups", 0))
    body = [if_(logical("and", binop("lt", x, w), binop("lt", y, h)),
                [assign(at("out", flat, I32), code), assign(at("sizes", flat, I32), sizes)])]
    local_size = {2: (4, 4, 1), 3: (2, 2, 2)}[dims]
    return module(kernel(f"grid{dims}", [buf("out", I32), buf("sizes", I32), param("w"), param("h")], body,
                         dims=dims, local_size=local_size))


def helpers() -> ir.Module:
    """Helpers: nested calls, early return, a loop over a private array, a void helper."""
    x, k = var("x", F32), var("k")
    square = function("square", [param("x", F32)], F32, [ir.Return(binop("mul", x, x))])
    clamp_pos = function("clamp_pos", [param("x", F32)], F32, [
        if_(binop("lt", x, const(0.0, F32)), [ir.Return(const(0.0, F32))]),
        ir.Return(call("square", F32, x))])
    poly = function("poly", [param("x", F32)], F32, [
        *for_range("k", const(0), const(4), [assign(at("coef", k), binop("mul", cast(k, F32), x))]),
        assign(var("s", F32), const(0.0, F32)),
        *for_range("k", const(0), const(4), [assign(var("s", F32), binop("add", var("s", F32), at("coef", k)))]),
        ir.Return(var("s", F32))], [local("k"), local("s", F32), private_array("coef", F32, 4)])
    noop = function("noop", [param("x", F32)], None, [if_(binop("gt", x, const(0.0, F32)), [ir.Return()])])
    i = gid()
    body = guard_n([ir.ExprStmt(call("noop", None, at("a", i))),
                    assign(at("out", i), binop("add", call("clamp_pos", F32, at("a", i)),
                                               call("poly", F32, at("a", i))))])
    return module(kernel("helpers", [buf("a", F32, False), buf("out"), param("n")], body),
                  functions=[poly, square, clamp_pos, noop])


def scalars_and_locals() -> ir.Module:
    """Push constants of many types (bool, 8/16/64-bit), a module constant, a
    private array, a bool local; out[i] = a mix of them."""
    i = gid()
    params = [param("flag", BOOL), param("small", I8), param("half", U16), param("big", I64),
              param("d", F64), param("scale", F32), buf("out", I64), param("n")]
    total = binop("add", cast(var("small", I8), I64), binop("add", cast(var("half", U16), I64), var("big", I64)))
    total = binop("add", total, cast(binop("mul", var("d", F64), const(2.0, F64)), I64))
    total = binop("add", total, cast(var("LIMIT", I32), I64))
    body = guard_n([
        assign(at("tmp", const(1), I64), total),
        assign(var("neg", BOOL), logical("and", var("flag", BOOL), binop("gt", var("scale", F32), const(0.0, F32)))),
        if_(var("neg", BOOL), [assign(at("tmp", const(1), I64), unop("neg", at("tmp", const(1), I64)))]),
        assign(at("out", i, I64), binop("add", at("tmp", const(1), I64), at("tmp", const(0), I64)))])
    return module(kernel("scalars", params, body, [private_array("tmp", I64, 2), local("neg", BOOL)]),
                  constants=[ir.Constant("LIMIT", I32, 5)])


def lengths() -> ir.Module:
    """out[0..3] = len(a), len(out), len(shared), len(private)."""
    zero = binop("eq", gid(), const(0))
    body = [if_(zero, [assign(at("out", const(0), I32), length("a")),
                       assign(at("out", const(1), I32), length("out")),
                       assign(at("out", const(2), I32), length("tile")),
                       assign(at("out", const(3), I32), length("priv"))])]
    return module(kernel("lengths", [buf("a", U8, False), buf("out", I32)], body,
                         [private_array("priv", I16, 3)], [shared_array("tile", F32, 5)]))


def index_types() -> ir.Module:
    """Indexes of every integer type."""
    body = []
    for t in INT_TYPES:
        body.append(assign(at("out", cast(gid(), t), I32), binop("add", at("out", cast(gid(), t), I32), const(1))))
    return module(kernel("indexes", [buf("out", I32), param("n")], guard_n(body)))


def typed_arrays(t: ir.ScalarType) -> ir.Module:
    """Through a shared array of 64 and a private array of 2 of `t`: out[i] =
    a[the mirror of i within its group of 64]; bools go through a != 0."""
    i, lid = gid(), ids("local_id")
    buf_t = I32 if t.is_bool else t
    value = cast(at("a", i, buf_t), BOOL) if t.is_bool else at("a", i, t)
    back = at("priv", const(1), t)
    body = [assign(at("tile", lid, t), value), sync(),
            assign(at("priv", const(1), t), at("tile", binop("sub", const(63), lid), t)),
            assign(at("out", i, buf_t), cast(back, I32) if t.is_bool else back)]
    return module(kernel("arrays", [buf("a", buf_t, False), buf("out", buf_t)], body,
                         [private_array("priv", t, 2)], [shared_array("tile", t, 64)], local_size=(64, 1, 1)))


def fences() -> ir.Module:
    return module(kernel("fences", [buf("out", U32)], [sync("mem_fence"), sync("barrier"),
                                                        assign(at("out", gid(), U32), const(1, U32))]))


def unused_buffer() -> ir.Module:
    """A buffer that is only measured (access 'none') and one only written."""
    body = [assign(at("out", gid(), I32), length("ghost"))]
    return module(kernel("ghost", [buf("ghost", F32), buf("out", I32)], body))


def zoo() -> dict[str, ir.Module]:
    """Every construct once (plus a spread of types), by name."""
    kernels = {
        "saxpy": None, "loops": loops(), "early_return": early_return(), "short_circuit": short_circuit(),
        "reduction": reduction(), "atomics_i32": atomics(I32), "atomics_u32": atomics(U32),
        "float_atomic_add": float_atomic_add(), "compare_exchange": compare_exchange(), "simd": simd_scale(), "grid2": grid(2), "grid3": grid(3),
        "helpers": helpers(), "scalars": scalars_and_locals(), "lengths": lengths(),
        "index_types": index_types(), "fences": fences(), "unused_buffer": unused_buffer(),
    }
    from lowering_irb import saxpy
    kernels["saxpy"] = saxpy()
    for t in SCALAR_TYPES:
        for op in ("add", "sub", "mul", "div", "rem", "pow", "lt", "ne", "eq", "ge"):
            kernels[f"binop_{op}_{t}"] = binary_op(op, t)
        kernels[f"unop_neg_{t}"] = unary_op("neg", t)
    for t in INT_TYPES:
        for op in ("bitand", "bitor", "bitxor", "shl", "shr"):
            kernels[f"binop_{op}_{t}"] = binary_op(op, t)
        kernels[f"unop_bitnot_{t}"] = unary_op("bitnot", t)
        for name in INT_MATH:
            kernels[f"math_{name}_{t}"] = math_op(name, t)
    for t in FLOAT_TYPES:
        for name in UNARY_MATH + BINARY_MATH + TERNARY_MATH + ("isnan", "isinf"):
            kernels[f"math_{name}_{t}"] = math_op(name, t)
    for t in SCALAR_TYPES + (BOOL,):
        kernels[f"arrays_{t}"] = typed_arrays(t)
    for src in SCALAR_TYPES + (BOOL,):
        for dst in SCALAR_TYPES + (BOOL,):
            if src != dst:
                kernels[f"cast_{src}_{dst}"] = cast_op(src, dst)
    return kernels
