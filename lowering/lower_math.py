"""GPU builtins: math (GLSL.std.450 plus exact round and pow), ids, barriers."""
from __future__ import annotations

from . import ir
from .errors import LoweringError
from .lower_cast import cast
from .lower_context import FunctionContext

_FLOAT_FUNCS = {
    "sqrt": "Sqrt", "rsqrt": "InverseSqrt", "sin": "Sin", "cos": "Cos", "tan": "Tan", "asin": "Asin",
    "acos": "Acos", "atan": "Atan", "atan2": "Atan2", "sinh": "Sinh", "cosh": "Cosh", "tanh": "Tanh",
    "exp": "Exp", "exp2": "Exp2", "log": "Log", "log2": "Log2", "floor": "Floor", "ceil": "Ceil",
    "trunc": "Trunc", "fract": "Fract", "fma": "Fma", "mix": "FMix", "step": "Step",
    "smoothstep": "SmoothStep", "abs": "FAbs", "sign": "FSign", "min": "FMin", "max": "FMax",
    "clamp": "FClamp",
}
_SIGNED_FUNCS = {"abs": "SAbs", "sign": "SSign", "min": "SMin", "max": "SMax", "clamp": "SClamp"}
_UNSIGNED_FUNCS = {"min": "UMin", "max": "UMax", "clamp": "UClamp"}
# GLSL.std.450 defines these for 16- and 32-bit floats only; f64 goes through f32.
_NARROW_FLOAT_ONLY = frozenset({"Sin", "Cos", "Tan", "Asin", "Acos", "Atan", "Atan2", "Sinh", "Cosh",
                                "Tanh", "Exp", "Exp2", "Log", "Log2", "Pow"})
_ID_VARIABLES = {"global_id": "GlobalInvocationId", "local_id": "LocalInvocationId",
                 "group_id": "WorkgroupId", "num_groups": "NumWorkgroups"}
_SYNC_SEMANTICS = "AcquireRelease|UniformMemory|WorkgroupMemory"


# ---------------------------------------------------------------------------- math

def math_builtin(fx: FunctionContext, name: str, args: list[int], t: ir.ScalarType) -> int:
    """The math builtin `name` on `args` of type `t` (the arguments' type). On
    floats a NaN argument gives NaN (GLSL leaves functions of NaN undefined;
    lavapipe's atan, exp2, smoothstep give 0), except in `step` (x < edge is
    false: 1) and in `pow` (see float_pow)."""
    if name in ("isnan", "isinf"):
        return fx.em.emit("OpIsNan" if name == "isnan" else "OpIsInf", fx.t.bool, args[0])
    if name == "pow":
        return float_pow(fx, args[0], args[1], t) if t.is_float else int_pow(fx, args[0], args[1], t)
    result = _math(fx, name, args, t)
    if t.is_float and name != "step":
        result = _propagate_nan(fx, result, args, t)
    return result


def _math(fx: FunctionContext, name: str, args: list[int], t: ir.ScalarType) -> int:
    if name == "round" and t.is_float:
        return round_half_away(fx, args[0], t)
    if name in ("asin", "acos") and t.is_float:
        return arc_sin_cos(fx, name, args[0], t)
    if t.is_float:
        func = _FLOAT_FUNCS.get(name)
    elif t.is_signed:
        func = _SIGNED_FUNCS.get(name)
    else:
        func = _UNSIGNED_FUNCS.get(name)
        if name == "abs":
            return args[0]
        if name == "sign":
            nonzero = fx.em.emit("OpINotEqual", fx.t.bool, args[0], fx.t.const(t, 0))
            return fx.em.emit("OpSelect", fx.t.scalar(t), nonzero, fx.t.const(t, 1), fx.t.const(t, 0))
    if func is None:
        raise LoweringError(f"{fx.fn.name}: math builtin {name!r} is not defined on {t}")
    return glsl(fx, func, args, t)


def _propagate_nan(fx: FunctionContext, result: int, args: list[int], t: ir.ScalarType) -> int:
    """A NaN argument makes the result NaN (as numpy's functions do)."""
    for a in args:
        result = fx.em.emit("OpSelect", fx.t.scalar(t), fx.em.emit("OpIsNan", fx.t.bool, a), a, result)
    return result


def glsl(fx: FunctionContext, func: str, args: list[int], t: ir.ScalarType) -> int:
    """A GLSL.std.450 call with result type `t`. The transcendental functions go
    through f32 for f64 (GLSL lacks them) and for f16 (Vulkan lets f16 versions be
    far less precise; NVIDIA's f16 Pow is off by 0.4%, the f32 one rounds back exactly)."""
    if t.is_float and t.bits in (16, 64) and func in _NARROW_FLOAT_ONLY:
        narrow = [cast(fx, a, t, ir.F32) for a in args]
        return cast(fx, fx.b.glsl(fx.t.scalar(ir.F32), func, *narrow), ir.F32, t)
    return fx.b.glsl(fx.t.scalar(t), func, *args)


def round_half_away(fx: FunctionContext, x: int, t: ir.ScalarType) -> int:
    """round(x), halves away from zero, exactly: trunc(x) + sign(d) when |d| >= 0.5,
    d = x - trunc(x) (exact in floating point)."""
    ty = fx.t.scalar(t)
    whole = glsl(fx, "Trunc", [x], t)
    d = fx.em.emit("OpFSub", ty, x, whole)
    far = fx.em.emit("OpFOrdGreaterThanEqual", fx.t.bool, glsl(fx, "FAbs", [d], t), fx.t.const(t, 0.5))
    away = fx.em.emit("OpFAdd", ty, whole, glsl(fx, "FSign", [d], t))
    return fx.em.emit("OpSelect", ty, far, away, whole)


def arc_sin_cos(fx: FunctionContext, name: str, x: int, t: ir.ScalarType) -> int:
    """asin(x) = atan2(x, sqrt((1-x)(1+x))), acos(x) = atan2(sqrt((1-x)(1+x)), x).
    GLSL defines the precision of Asin/Acos by these forms anyway; lavapipe's own
    Asin/Acos are off by up to 4e-4 (f32), its Atan2 by about 3e-6."""
    ty, one = fx.t.scalar(t), fx.t.const(t, 1.0)
    product = fx.em.emit("OpFMul", ty, fx.em.emit("OpFSub", ty, one, x), fx.em.emit("OpFAdd", ty, one, x))
    root = glsl(fx, "Sqrt", [product], t)
    return glsl(fx, "Atan2", [x, root] if name == "asin" else [root, x], t)


def float_pow(fx: FunctionContext, x: int, y: int, t: ir.ScalarType) -> int:
    """x ** y as C's pow: GLSL Pow is undefined for x < 0, x == 0 and NaN, so it is
    computed on |x| and the sign, zero, one, NaN and integral-exponent cases are
    fixed up."""
    ty, tb, c = fx.t.scalar(t), fx.t.bool, fx.t.const
    zero, one = c(t, 0.0), c(t, 1.0)

    def select(cond: int, a: int, b: int) -> int:
        return fx.em.emit("OpSelect", ty, cond, a, b)

    r = glsl(fx, "Pow", [glsl(fx, "FAbs", [x], t), y], t)
    x_zero = fx.em.emit("OpFOrdEqual", tb, x, zero)
    y_neg = fx.em.emit("OpFOrdLessThan", tb, y, zero)
    r = select(x_zero, select(y_neg, c(t, float("inf")), zero), r)
    y_int = fx.em.emit("OpFOrdEqual", tb, glsl(fx, "Trunc", [y], t), y)
    half = fx.em.emit("OpFMul", ty, y, c(t, 0.5))
    y_odd = fx.em.emit("OpFOrdNotEqual", tb, glsl(fx, "Trunc", [half], t), half)
    signed = select(y_odd, fx.em.emit("OpFNegate", ty, r), r)
    x_neg = fx.em.emit("OpFOrdLessThan", tb, x, zero)
    r = select(x_neg, select(y_int, signed, c(t, float("nan"))), r)
    either_nan = fx.em.emit("OpLogicalOr", tb, fx.em.emit("OpIsNan", tb, x), fx.em.emit("OpIsNan", tb, y))
    r = select(either_nan, c(t, float("nan")), r)  # GLSL Pow of NaN is undefined (lavapipe: 0)
    trivial = fx.em.emit("OpLogicalOr", tb, fx.em.emit("OpFOrdEqual", tb, y, zero),
                      fx.em.emit("OpFOrdEqual", tb, x, one))
    return select(trivial, one, r)


def int_pow(fx: FunctionContext, base: int, exp: int, t: ir.ScalarType) -> int:
    """base ** exp by square-and-multiply in a structured loop. The exponent is
    shifted logically, so a negative one ends too; its result is then replaced:
    1 for base 1, +-1 for base -1, else 0."""
    ty = fx.t.scalar(t)
    one, zero = fx.t.const(t, 1), fx.t.const(t, 0)
    with fx.em.loop([(ty, one), (ty, base), (ty, exp)]) as lp:
        acc, sq, e = lp.values
        acc_next, sq_next, e_next = lp.next
        lp.enter_while(fx.em.emit("OpINotEqual", fx.t.bool, e, zero))
        odd = fx.em.emit("OpINotEqual", fx.t.bool, fx.em.emit("OpBitwiseAnd", ty, e, one), zero)
        fx.em.emit("OpSelect", ty, odd, fx.em.emit("OpIMul", ty, acc, sq), acc, result=acc_next)
        fx.em.emit("OpIMul", ty, sq, sq, result=sq_next)
        fx.em.emit("OpShiftRightLogical", ty, e, one, result=e_next)
    if not t.is_signed:
        return acc
    minus_one = fx.t.const(t, -1)
    exp_odd = fx.em.emit("OpINotEqual", fx.t.bool, fx.em.emit("OpBitwiseAnd", ty, exp, one), zero)
    base_minus_one = fx.em.emit("OpSelect", ty, exp_odd, minus_one, one)
    negative = fx.em.emit("OpSelect", ty, fx.em.emit("OpIEqual", fx.t.bool, base, one), one,
                       fx.em.emit("OpSelect", ty, fx.em.emit("OpIEqual", fx.t.bool, base, minus_one),
                               base_minus_one, zero))
    return fx.em.emit("OpSelect", ty, fx.em.emit("OpSLessThan", fx.t.bool, exp, zero), negative, acc)


# ---------------------------------------------------------------------------- ids, sync

def id_builtin(fx: FunctionContext, name: str, dim: int) -> int:
    """An id builtin as i32."""
    if not 0 <= dim <= 2:
        raise LoweringError(f"{fx.fn.name}: {name}({dim}): dimension must be 0, 1 or 2")
    u32 = fx.t.u32
    if name == "local_size":
        value = fx.g.local_size[dim]
    elif name == "global_size":
        value = fx.em.emit("OpIMul", u32, _component(fx, "NumWorkgroups", dim), fx.g.local_size[dim])
    elif name in _ID_VARIABLES:
        value = _component(fx, _ID_VARIABLES[name], dim)
    else:
        raise LoweringError(f"{fx.fn.name}: unknown id builtin {name!r}")
    return fx.em.emit("OpBitcast", fx.t.i32, value)


def _component(fx: FunctionContext, builtin: str, dim: int) -> int:
    vector = fx.em.emit("OpLoad", fx.t.uvec3(), fx.g.builtin(builtin))
    return fx.em.emit("OpCompositeExtract", fx.t.u32, vector, dim)


def sync_builtin(fx: FunctionContext, name: str) -> None:
    semantics = fx.t.semantics(_SYNC_SEMANTICS)
    if name == "barrier":
        workgroup = fx.t.scope("Workgroup")
        fx.em.emit("OpControlBarrier", workgroup, workgroup, semantics)
    elif name == "mem_fence":
        fx.em.emit("OpMemoryBarrier", fx.t.scope("Device"), semantics)
    else:
        raise LoweringError(f"{fx.fn.name}: unknown sync builtin {name!r}")
