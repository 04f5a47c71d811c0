"""GPU builtins: math (GLSL.std.450 plus exact round and pow), ids, barriers."""
from __future__ import annotations

from .. import ir
from ..errors import LoweringError

from ..quirks import ALL_QUIRKS, Quirk
from .casts import CastLowering
from .emitter import Emitter, Value
from .resources import KernelGlobals



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
# Float builtins IEEE 754 defines on NaN (a NaN operand gives NaN, on lavapipe too):
# one instruction. The other float builtins get a NaN select per argument: GLSL leaves
# them undefined for NaN (lavapipe's smoothstep clamps a NaN away; GPUs' min/max
# return the other operand).
_IEEE_NAN = frozenset({"fma", "sqrt", "floor", "ceil", "trunc", "abs"})


class BuiltinLowering:
    """GPU builtins of one function, for the codegen that owns it."""

    def __init__(self, em: Emitter, where: str, casts: CastLowering, g: KernelGlobals,
                 quirks: frozenset[Quirk] = ALL_QUIRKS):
        self.where, self.casts, self.g = where, casts, g
        self.quirks = quirks
        self.em, self.t, self.b = em, em.t, em.b
        self.emit = em.emit

    def math_builtin(self, name: str, args: list[Value]) -> Value:
        """The math builtin `name` on `args` (of one type); `isnan`/`isinf` give bool."""
        t = args[0].type
        result = self._math_builtin(name, [a.id for a in args], t)
        return Value(result, ir.BOOL if name in ("isnan", "isinf") else t)

    def _math_builtin(self, name: str, args: list[int], t: ir.ScalarType) -> int:
        """The math builtin `name` on `args` of type `t` (the arguments' type). On
        floats a NaN argument gives NaN (GLSL leaves functions of NaN undefined;
        lavapipe's atan, exp2, smoothstep give 0), except in `step` (x < edge is
        false: 1) and in `pow` (see float_pow); the IEEE-defined ones (_IEEE_NAN)
        give NaN by themselves."""
        if name in ("isnan", "isinf"):
            return self.emit("OpIsNan" if name == "isnan" else "OpIsInf", self.t.bool, args[0])
        if name == "pow":
            return self.float_pow(args[0], args[1], t) if t.is_float else self.int_pow(args[0], args[1], t)
        result = self._math(name, args, t)
        if t.is_float and name != "step" and name not in _IEEE_NAN:
            result = self._propagate_nan(result, args, t)
        return result

    def _math(self, name: str, args: list[int], t: ir.ScalarType) -> int:
        if name == "round" and t.is_float:
            return self.round_half_away(args[0], t)
        if name in ("asin", "acos") and t.is_float and Quirk.IMPRECISE_ASIN_ACOS in self.quirks:
            return self.arc_sin_cos(name, args[0], t)
        if t.is_float:
            func = _FLOAT_FUNCS.get(name)
        elif t.is_signed:
            func = _SIGNED_FUNCS.get(name)
        else:
            func = _UNSIGNED_FUNCS.get(name)
            if name == "abs":
                return args[0]
            if name == "sign":
                nonzero = self.emit("OpINotEqual", self.t.bool, args[0], self.t.const(t, 0))
                return self.emit("OpSelect", self.t.scalar(t), nonzero, self.t.const(t, 1), self.t.const(t, 0))
        if func is None:
            raise LoweringError(f"{self.where}: math builtin {name!r} is not defined on {t}")
        return self.glsl(func, args, t)

    def _propagate_nan(self, result: int, args: list[int], t: ir.ScalarType) -> int:
        """A NaN argument makes the result NaN (as numpy's functions do)."""
        for a in args:
            result = self.emit("OpSelect", self.t.scalar(t), self.emit("OpIsNan", self.t.bool, a), a, result)
        return result

    def glsl(self, func: str, args: list[int], t: ir.ScalarType) -> int:
        """A GLSL.std.450 call with result type `t`. The transcendental functions go
        through f32 for f64 (GLSL lacks them) and for f16 (Vulkan lets f16 versions be
        far less precise; NVIDIA's f16 Pow is off by 0.4%, the f32 one rounds back exactly)."""
        if t.is_float and t.bits in (16, 64) and func in _NARROW_FLOAT_ONLY:
            narrow = [self.casts.convert(a, t, ir.F32) for a in args]
            return self.casts.convert(self.b.glsl(self.t.scalar(ir.F32), func, *narrow), ir.F32, t)
        return self.b.glsl(self.t.scalar(t), func, *args)

    def round_half_away(self, x: int, t: ir.ScalarType) -> int:
        """round(x), halves away from zero, exactly: trunc(x) + sign(d) when |d| >= 0.5,
        d = x - trunc(x) (exact in floating point)."""
        ty = self.t.scalar(t)
        whole = self.glsl("Trunc", [x], t)
        d = self.emit("OpFSub", ty, x, whole)
        far = self.emit("OpFOrdGreaterThanEqual", self.t.bool, self.glsl("FAbs", [d], t), self.t.const(t, 0.5))
        away = self.emit("OpFAdd", ty, whole, self.glsl("FSign", [d], t))
        return self.emit("OpSelect", ty, far, away, whole)

    def arc_sin_cos(self, name: str, x: int, t: ir.ScalarType) -> int:
        """asin(x) = atan2(x, sqrt((1-x)(1+x))), acos(x) = atan2(sqrt((1-x)(1+x)), x)
        (quirk IMPRECISE_ASIN_ACOS; otherwise GLSL Asin/Acos).
        GLSL defines the precision of Asin/Acos by these forms anyway; lavapipe's own
        Asin/Acos are off by up to 4e-4 (f32), its Atan2 by about 3e-6."""
        ty, one = self.t.scalar(t), self.t.const(t, 1.0)
        product = self.emit("OpFMul", ty, self.emit("OpFSub", ty, one, x), self.emit("OpFAdd", ty, one, x))
        root = self.glsl("Sqrt", [product], t)
        return self.glsl("Atan2", [x, root] if name == "asin" else [root, x], t)

    def float_pow(self, x: int, y: int, t: ir.ScalarType) -> int:
        """x ** y as C's pow: GLSL Pow is undefined for x < 0, x == 0 and NaN, so it is
        computed on |x| and the sign, zero, one, NaN and integral-exponent cases are
        fixed up."""
        ty, tb, c = self.t.scalar(t), self.t.bool, self.t.const
        zero, one = c(t, 0.0), c(t, 1.0)

        def select(cond: int, a: int, b: int) -> int:
            return self.emit("OpSelect", ty, cond, a, b)

        r = self.glsl("Pow", [self.glsl("FAbs", [x], t), y], t)
        x_zero = self.emit("OpFOrdEqual", tb, x, zero)
        y_neg = self.emit("OpFOrdLessThan", tb, y, zero)
        r = select(x_zero, select(y_neg, c(t, float("inf")), zero), r)
        y_int = self.emit("OpFOrdEqual", tb, self.glsl("Trunc", [y], t), y)
        half = self.emit("OpFMul", ty, y, c(t, 0.5))
        y_odd = self.emit("OpFOrdNotEqual", tb, self.glsl("Trunc", [half], t), half)
        signed = select(y_odd, self.emit("OpFNegate", ty, r), r)
        x_neg = self.emit("OpFOrdLessThan", tb, x, zero)
        r = select(x_neg, select(y_int, signed, c(t, float("nan"))), r)
        either_nan = self.emit("OpLogicalOr", tb, self.emit("OpIsNan", tb, x), self.emit("OpIsNan", tb, y))
        r = select(either_nan, c(t, float("nan")), r)  # GLSL Pow of NaN is undefined (lavapipe: 0)
        trivial = self.emit("OpLogicalOr", tb, self.emit("OpFOrdEqual", tb, y, zero),
                            self.emit("OpFOrdEqual", tb, x, one))
        return select(trivial, one, r)

    def int_pow(self, base: int, exp: int, t: ir.ScalarType) -> int:
        """base ** exp by square-and-multiply in a structured loop. The exponent is
        shifted logically, so a negative one ends too; its result is then replaced:
        1 for base 1, +-1 for base -1, else 0."""
        ty = self.t.scalar(t)
        one, zero = self.t.const(t, 1), self.t.const(t, 0)
        with self.em.loop([(ty, one), (ty, base), (ty, exp)]) as lp:
            acc, sq, e = lp.values
            acc_next, sq_next, e_next = lp.next
            lp.enter_while(self.emit("OpINotEqual", self.t.bool, e, zero))
            odd = self.emit("OpINotEqual", self.t.bool, self.emit("OpBitwiseAnd", ty, e, one), zero)
            self.emit("OpSelect", ty, odd, self.emit("OpIMul", ty, acc, sq), acc, result=acc_next)
            self.emit("OpIMul", ty, sq, sq, result=sq_next)
            self.emit("OpShiftRightLogical", ty, e, one, result=e_next)
        if not t.is_signed:
            return acc
        minus_one = self.t.const(t, -1)
        exp_odd = self.emit("OpINotEqual", self.t.bool, self.emit("OpBitwiseAnd", ty, exp, one), zero)
        base_minus_one = self.emit("OpSelect", ty, exp_odd, minus_one, one)
        negative = self.emit("OpSelect", ty, self.emit("OpIEqual", self.t.bool, base, one), one,
                             self.emit("OpSelect", ty, self.emit("OpIEqual", self.t.bool, base, minus_one),
                                       base_minus_one, zero))
        return self.emit("OpSelect", ty, self.emit("OpSLessThan", self.t.bool, exp, zero), negative, acc)

    def id_builtin(self, name: str, dim: int) -> Value:
        """An id builtin as i32."""
        if not 0 <= dim <= 2:
            raise LoweringError(f"{self.where}: {name}({dim}): dimension must be 0, 1 or 2")
        u32 = self.t.u32
        if name == "local_size":
            value = self.g.local_size[dim]
        elif name == "global_size":
            value = self.emit("OpIMul", u32, self._component("NumWorkgroups", dim), self.g.local_size[dim])
        elif name in _ID_VARIABLES:
            value = self._component(_ID_VARIABLES[name], dim)
        else:
            raise LoweringError(f"{self.where}: unknown id builtin {name!r}")
        return Value(self.emit("OpBitcast", self.t.i32, value), ir.I32)

    def _component(self, builtin: str, dim: int) -> int:
        vector = self.emit("OpLoad", self.t.uvec3(), self.g.builtin(builtin))
        return self.emit("OpCompositeExtract", self.t.u32, vector, dim)

    def sync_builtin(self, name: str) -> None:
        semantics = self.t.semantics(_SYNC_SEMANTICS)
        if name == "barrier":
            workgroup = self.t.scope("Workgroup")
            self.emit("OpControlBarrier", workgroup, workgroup, semantics)
        elif name == "mem_fence":
            self.emit("OpMemoryBarrier", self.t.scope("Device"), semantics)
        else:
            raise LoweringError(f"{self.where}: unknown sync builtin {name!r}")
